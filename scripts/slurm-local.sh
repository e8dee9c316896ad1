#!/usr/bin/env bash
# Bring up (or stop, or check) a one-machine Slurm cluster for tests.
#
#   scripts/slurm-local.sh start    install what is missing, start munge,
#                                   slurmctld and slurmd, wait for the node
#   scripts/slurm-local.sh stop     stop slurmd, slurmctld and munged
#   scripts/slurm-local.sh status   print `sinfo -N`; exit 0 when up, 1 if not
#
# Debian/Ubuntu only (apt-get). Needs root, or sudo. No systemd needed: the
# daemons are started directly. The single node is called "localhost"
# (slurmd -N localhost), partition "debug", cluster "siamtest"; jobs may run
# as root. There is no accounting storage, so sacct does not work.
set -euo pipefail

MARKER='# written by siam scripts/slurm-local.sh'
CONF=/etc/slurm/slurm.conf
NODE=localhost
PACKAGES=(slurmctld slurmd slurm-client munge)
CTLD_LOG=/var/log/slurm/slurmctld.log
SLURMD_LOG=/var/log/slurm/slurmd.log
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGED_PID=/run/munge/munged.pid
WAIT_SECONDS=${SLURM_LOCAL_WAIT:-30}

log() { echo "slurm-local: $*"; }
die() { echo "slurm-local: error: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|status" >&2
    exit 2
}

# Re-run this script as root (via sudo) when needed.
need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            log "not root; re-running with sudo"
            exec sudo -- "$0" "$@"
        fi
        die "this needs root (to install packages and start daemons), and sudo is not available"
    fi
}

# PIDs of running processes whose name is exactly $1 (empty when none).
pids_of() {
    if command -v pgrep >/dev/null 2>&1; then
        pgrep -x "$1" || true
    else
        pidof "$1" || true
    fi
}

running() { [ -n "$(pids_of "$1")" ]; }

show_logs() {
    local f n
    for f in "$CTLD_LOG" "$SLURMD_LOG" /var/log/munge/munged.log; do
        if [ -s "$f" ]; then
            n=25
            [ "$f" = /var/log/munge/munged.log ] && n=10
            echo "----- tail of $f -----" >&2
            tail -n "$n" "$f" >&2 || true
        fi
    done
}

fail() {
    echo "slurm-local: error: $*" >&2
    show_logs
    exit 1
}

install_packages() {
    local missing=() p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "packages already installed: ${PACKAGES[*]}"
        return
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
    log "installed: ${missing[*]}"
}

prepare_dirs() {
    mkdir -p /etc/slurm /run/munge /var/lib/slurm/ctld /var/lib/slurm/d /var/log/slurm
    id munge >/dev/null 2>&1 || die "user 'munge' does not exist (is the munge package installed?)"
    mkdir -p /etc/munge /var/lib/munge /var/log/munge
    chown munge: /run/munge /etc/munge /var/lib/munge /var/log/munge
    chmod 700 /etc/munge
    chmod 755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
        log "creating /etc/munge/munge.key"
        runuser -u munge -- mungekey -c
    fi
    chown munge: /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
}

# Runs a daemon's launcher with stdin on /dev/null and none of this script's descriptors
# above 2. A caller's descriptors would otherwise live on in the daemon: Foundation's
# Process on Linux learns that its child exited when a socket it passed down closes, so a
# Swift test that ran this script would wait for the daemons to exit, forever.
detached() {
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$@" </dev/null
    )
}

start_munge() {
    if running munged; then
        log "munged already running"
    else
        log "starting munged"
        detached runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
    fi
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
            return
        fi
        sleep 0.5
    done
    fail "munge does not work (munge -n | unmunge fails)"
}

# Print the slurm.conf we want, with CPUs and memory from `slurmd -C`.
generate_conf() {
    local hw cpus mem
    hw=$(slurmd -C 2>/dev/null) || die "slurmd -C failed"
    cpus=$(sed -n 's/.*[[:space:]]CPUs=\([0-9]\+\).*/\1/p' <<<"$hw" | head -n1)
    mem=$(sed -n 's/.*RealMemory=\([0-9]\+\).*/\1/p' <<<"$hw" | head -n1)
    [ -n "$cpus" ] && [ -n "$mem" ] || die "cannot read CPUs/RealMemory from 'slurmd -C': $hw"
    # Declare a little less memory than reported: a node that declares more
    # than it has is drained.
    mem=$(( mem * 95 / 100 ))
    cat <<EOF
$MARKER
# One-machine test cluster. CPUs and RealMemory come from 'slurmd -C'.
ClusterName=siamtest
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/ctld
SlurmdSpoolDir=/var/lib/slurm/d
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$CTLD_LOG
SlurmdLogFile=$SLURMD_LOG
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

# Writes the config when missing, not ours, or ours but out of date.
# Sets CONF_CHANGED=yes when it wrote something.
CONF_CHANGED=no
write_conf() {
    local want
    want=$(generate_conf) || exit 1
    if [ -f "$CONF" ] && grep -qxF "$MARKER" "$CONF"; then
        if [ "$(cat "$CONF")" = "$want" ]; then
            log "$CONF is up to date"
            return
        fi
        log "updating $CONF (hardware or settings changed)"
    elif [ -f "$CONF" ]; then
        local backup
        backup="$CONF.bak.$(date +%Y%m%d%H%M%S)"
        cp -p "$CONF" "$backup"
        log "replacing $CONF (not written by this script; saved as $backup)"
    else
        log "writing $CONF"
    fi
    printf '%s\n' "$want" >"$CONF"
    chmod 644 "$CONF"
    CONF_CHANGED=yes
}

# Send TERM to every process named $1, then KILL after 10 s.
kill_daemon() {
    local name=$1 pids i
    pids=$(pids_of "$name")
    if [ -z "$pids" ]; then
        log "$name not running"
        return
    fi
    log "stopping $name (pid $(echo $pids))"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    for i in $(seq 1 20); do
        running "$name" || return 0
        sleep 0.5
    done
    pids=$(pids_of "$name")
    if [ -n "$pids" ]; then
        log "$name still running; sending KILL"
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
    fi
}

node_state() {
    sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n1 || true
}

start_slurm() {
    if running slurmctld; then
        log "slurmctld already running"
    else
        log "starting slurmctld"
        detached slurmctld || fail "slurmctld did not start"
    fi
    if running slurmd; then
        log "slurmd already running"
    else
        log "starting slurmd -N $NODE"
        detached slurmd -N "$NODE" || fail "slurmd did not start"
    fi
}

wait_for_node() {
    local deadline state resumed=no
    deadline=$(( $(date +%s) + WAIT_SECONDS ))
    while :; do
        running slurmctld || fail "slurmctld exited"
        running slurmd || fail "slurmd exited"
        state=$(node_state)
        case "$state" in
            idle|mixed|allocated|completing|idle+*|mixed+*|allocated+*|completing+*)
                log "node $NODE is $state; cluster is up"
                return
                ;;
            *drain*|down*|fail*)
                if [ "$resumed" = no ]; then
                    log "node $NODE is $state; resuming it"
                    scontrol update nodename="$NODE" state=resume 2>&1 || true
                    resumed=yes
                fi
                ;;
        esac
        if [ "$(date +%s)" -ge "$deadline" ]; then
            sinfo -N -l 2>&1 >&2 || true
            scontrol show node "$NODE" 2>&1 >&2 || true
            fail "node $NODE is not usable after ${WAIT_SECONDS}s (state: ${state:-unknown})"
        fi
        sleep 1
    done
}

cmd_start() {
    local t0
    t0=$(date +%s)
    install_packages
    prepare_dirs
    start_munge
    write_conf
    if [ "$CONF_CHANGED" = yes ] && { running slurmctld || running slurmd; }; then
        log "configuration changed; restarting the Slurm daemons"
        kill_daemon slurmd
        kill_daemon slurmctld
    fi
    start_slurm
    wait_for_node
    log "ready in $(( $(date +%s) - t0 ))s"
}

cmd_stop() {
    kill_daemon slurmd
    kill_daemon slurmctld
    kill_daemon munged
}

cmd_status() {
    if ! command -v sinfo >/dev/null 2>&1; then
        echo "slurm-local: Slurm is not installed" >&2
        return 1
    fi
    if ! sinfo -N 2>&1; then
        echo "slurm-local: cluster is not reachable" >&2
        return 1
    fi
    case "$(node_state)" in
        idle|mixed|allocated|completing|idle+*|mixed+*|allocated+*|completing+*) return 0 ;;
        *) echo "slurm-local: node $NODE is not usable" >&2; return 1 ;;
    esac
}

[ $# -eq 1 ] || usage
case "$1" in
    start) need_root "$@"; cmd_start ;;
    stop) need_root "$@"; cmd_stop ;;
    status) cmd_status ;;
    *) usage ;;
esac

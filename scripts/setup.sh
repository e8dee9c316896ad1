#!/usr/bin/env bash
# Installs the Debian packages Siam needs, only those that are missing (idempotent).
# Needs root (or sudo) the first time; later runs change nothing.
set -euo pipefail

# python3 and procps (pkill) are used by the fault-injection suite (scripts/chaos.sh).
packages=(libopenblas-dev libdnnl-dev libsqlite3-dev libyaml-dev zlib1g-dev libpng-dev pkg-config dataset-fashion-mnist python3 procps)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all system packages present (${packages[*]})"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"

# The two commands of the README: `make run` (set-up + the main job) and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/siam

.PHONY: run test setup build release bench clean slurm chaos lint format

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product siam

# The main job: the README's quickstart pipeline (a few minutes on 2 cores; a second
# `make run` is all cache hits).
run: release
	$(RELEASE_BIN) run pipelines/quickstart.yaml

bench: release
	$(RELEASE_BIN) bench --json

# The Slurm executor's tests run against a real one-machine cluster (munge, slurmctld,
# slurmd), started here and again by the tests themselves; they fail, with the reason,
# when it cannot start.
test: setup
	scripts/slurm-local.sh start
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	SIAM=.build/debug/siam scripts/chaos.sh quick

# The code style of .swift-format (swift-format ships with the Swift toolchain): `make lint`
# fails on any finding, `make format` rewrites the files in place.
LINT_PATHS := Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive $(LINT_PATHS)

format:
	$(SWIFT) format --in-place --recursive $(LINT_PATHS)

# The fault-injection suite (RELIABILITY.md): 100 kills, concurrency, damaged files,
# a fuzz of --set values, on the release build.
chaos: release
	scripts/chaos.sh

clean:
	rm -rf .build

# The one-machine Slurm cluster (scripts/slurm-local.sh start|stop|status).
slurm:
	scripts/slurm-local.sh start

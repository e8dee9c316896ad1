# The two commands of the README: `make run` (set-up + the main job) and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/siam

.PHONY: run test setup build release bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product siam

# The main job. Until the pipeline runner lands it is the engine benchmark.
run: release
	$(RELEASE_BIN) bench

bench: release
	$(RELEASE_BIN) bench --json

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build

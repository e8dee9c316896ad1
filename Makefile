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

# The main job: the README's quickstart pipeline (a few minutes on 2 cores; a second
# `make run` is all cache hits).
run: release
	$(RELEASE_BIN) run pipelines/quickstart.yaml

bench: release
	$(RELEASE_BIN) bench --json

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build

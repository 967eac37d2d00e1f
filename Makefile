# The two commands of the README. Both install what they need first (.ci/install; seconds when
# everything is there).
.PHONY: install build run test lint unit e2e bench fuzz

ADDR ?= 127.0.0.1:3000
SIMULATOR ?= 127.0.0.1:4001

install:
	@bash .ci/install

build: install
	cargo leptos build --release

# The console on http://$(ADDR), a SQLite file under ./data, and the built-in Okta simulator
# as a demo org with its source added.
run: build
	./target/release/gatehouse --addr $(ADDR) --simulator $(SIMULATOR) --demo-source true

test: install
	cargo fmt --all -- --check
	$(MAKE) lint unit build e2e

lint:
	cargo clippy --release -p server -p app --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --release -p server -p app

e2e:
	cd end2end && npx playwright test

# Fuzzing (not part of `make test`): each cargo-fuzz target under fuzz/ for FUZZ_SECONDS
# (default 60); fails on a crash. FUZZ_TARGETS and FUZZ_SANITIZER: see fuzz/run.
fuzz:
	@bash .ci/install-fuzz
	@bash fuzz/run

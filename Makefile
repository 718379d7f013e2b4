# XDM Relay. `make test` runs every test; `make demo` shows a store's day flowing into the
# local Edge emulator. Both install what a fresh Debian 12 machine lacks first.
SHELL := /bin/bash
SHARED ?= $(abspath ../shared)
SO := $(CURDIR)/target/release/libxdm_relay.so
export XDM_RELAY_SHARED := $(SHARED)
export XDM_RELAY_SO := $(SO)

.PHONY: setup build test test-rust test-php test-magento stubs demo bench

setup:
	bash scripts/setup.sh

build: setup
	cargo build --release --workspace

test: build
	$(MAKE) --no-print-directory test-rust
	$(MAKE) --no-print-directory test-php
	$(MAKE) --no-print-directory test-magento

# The benches are built too (not run), so `make bench` cannot break unnoticed; a release build
# reuses the dependencies the tests were built with.
test-rust:
	cargo nextest run --workspace --release --no-fail-fast
	cargo build --workspace --release --benches --quiet

test-php:
	bash tests/php/run.sh

# The real Magento 2.4.6 store (installed from $(SHARED)/magento on first run, reused later):
# provisioning, end-to-end scenarios through REST/admin/storefront/bin/magento, checked at the emulator.
test-magento: build
	bash tests/magento/run.sh

bench: build
	bash bench/run.sh

demo: build
	bash demo/run.sh $(ARGS)

# Regenerates the PHP stubs from the Rust code (tests/stubs.rs fails when they are stale).
stubs: build
	cargo php stubs --manifest Cargo.toml --stdout > stubs/xdm_relay.stubs.php.new
	mv stubs/xdm_relay.stubs.php.new stubs/xdm_relay.stubs.php

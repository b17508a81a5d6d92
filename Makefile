# CivicFlow: `make up` runs the whole pipeline locally, `make test` runs every check and test.
SHELL := /bin/bash
N ?= 2000
C ?= 50
# make bench-growth: applications per measurement, and the store levels (default 0 10000 50000).
GROWTH_N ?= 1000
LEVELS ?=
# uv from PATH, else from the Python that installed it (`python3 -m pip install uv`).
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: help setup up down demo test lint unit bench bench-growth chaos validate browser browser-packages npm \
	asyncapi-check jaeger

help:
	@echo "make up      start Kafka, PostgreSQL + FerretDB, SMTP, Jaeger, the dev identity provider and the five services"
	@echo "make demo    post one application and print its status timeline"
	@echo "make down    stop everything make up started"
	@echo "make test    lint, validate the deployment files and run all tests (unit, contract, integration, e2e)"
	@echo "make browser install what the browser tests need, if missing: Chromium, its driver, npm, axe-core"
	@echo "make asyncapi-check   validate docs/asyncapi.json with the official AsyncAPI parser (installed if missing)"
	@echo "make bench N=2000 [C=50] [RELAY=60000]   the bare Kafka relay's ceiling, then N applications closed loop"
	@echo "                                          (C in flight) and open loop at half that rate; CPU and RSS per process"
	@echo "make bench N=300 RATE=8                   only an open loop: N applications at RATE per second"
	@echo "make bench-growth [LEVELS=\"0 10000 50000\"] [GROWTH_N=1000]   applications/s and p95 as the store fills (long)"
	@echo "make chaos [RATE=10] [PAUSE=20] [BURST=30]   applications at RATE/s while each component is crashed or"
	@echo "                                          stopped in turn (each right after a BURST); then lost, duplicates,"
	@echo "                                          mails and timelines by submission id"

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv>=0.9,<0.14"
	@$(UV) sync --frozen --quiet

up: setup
	$(UV) run civicflow up

down: setup
	$(UV) run civicflow down

demo: setup
	$(UV) run civicflow demo

bench: setup
	$(UV) run civicflow bench --count $(N) --concurrency $(C) $(if $(RATE),--rate $(RATE)) \
		$(if $(RELAY),--relay-messages $(RELAY))

bench-growth: setup
	$(UV) run civicflow bench-growth --count $(GROWTH_N) --concurrency $(C) $(if $(LEVELS),--levels $(LEVELS))

chaos: setup
	$(UV) run civicflow chaos $(if $(RATE),--rate $(RATE)) $(if $(PAUSE),--pause $(PAUSE)) $(if $(BURST),--burst $(BURST))

# docs/asyncapi.json (generated, kept current by tests/contract/test_asyncapi.py) checked by the official AsyncAPI
# parser, as pinned in deploy/tools/asyncapi/package-lock.json: any error fails, warnings are printed.
ASYNCAPI_PARSER := deploy/tools/asyncapi/node_modules/@asyncapi/parser/package.json

asyncapi-check: $(ASYNCAPI_PARSER)
	@node deploy/tools/asyncapi/check.js docs/asyncapi.json

$(ASYNCAPI_PARSER): deploy/tools/asyncapi/package-lock.json | npm
	@npm ci --prefix deploy/tools/asyncapi --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

lint: setup asyncapi-check
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

unit: setup $(ASYNCAPI_PARSER)
	$(UV) run pytest tests/unit tests/contract

# The browser tests (tests/support/browser.py): Debian's Chromium and chromedriver, so that Selenium downloads
# nothing, and axe-core as pinned in tests/browser/package-lock.json. Only what is missing is installed; sudo only
# when not root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser: $(AXE)

browser-packages: npm
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Node.js and npm from Debian's packages, where the machine has none.
npm:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }

# npm ci starts from an empty node_modules; touched, so that make knows it is newer than the lock.
$(AXE): tests/browser/package-lock.json | browser-packages
	@npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

validate:
	bash deploy/tools/validate.sh

# Jaeger, built before the tests start: a cold build (~4-9 min) would not fit in the first e2e test's 300 s timeout,
# in which the test stack is started. Cached after the first time (deploy/local/jaeger/README.md).
jaeger:
	@bash deploy/local/jaeger/install.sh >/dev/null

# The Go builds (FerretDB, Jaeger: minutes each when cold, cached after the first time) run while the unit and
# contract tests do, which need neither; then the tests that start servers wait for them (each install script is
# serialised on a lock, so the second call only waits for the first, and says why if the build failed). The e2e
# tests come before the integration tests, as they did in one run: some integration tests stop parts of the stack.
GO_BUILDS := bash deploy/local/ferretdb/install.sh >/dev/null && bash deploy/local/jaeger/install.sh >/dev/null

test: lint browser
	@mkdir -p var/log && ($(GO_BUILDS)) >var/log/go-builds.log 2>&1 &
	$(UV) run pytest tests/unit tests/contract
	@$(GO_BUILDS)
	$(UV) run pytest tests/e2e tests/integration

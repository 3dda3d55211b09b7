# Two commands matter: `make demo` and `make test`. Everything else is for the team.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
RUN := $(VENV)/bin
# The demo plays the three parties of the two-step pseudonymisation, each with its secrets in its own folder
# here, outside the repository as real keys would be: holders/ (source key), ttp/ (TTP key), analyst/ (only the
# warehouse's data key: the analyst holds no pseudonymisation key).
DEMO_SECRETS ?= $(HOME)/.config/jeugdmonitor/demo
ANALYST = MONITOR_CONFIG=$(CURDIR)/data/analyst/monitor.toml MONITOR_WAREHOUSE_KEY_FILE=$(DEMO_SECRETS)/analyst/warehouse.key
SCALE ?= 1
SEED ?= 20261124
# Where: empty = Almere alone; or a region of the synthetic country, e.g. PLACE="--region 6" or PLACE=--national.
PLACE ?=

.PHONY: setup demo data run ui test lint bench clean browser

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --all-extras --compile-bytecode
	touch $@

# Bytecode written ahead: where PYTHONDONTWRITEBYTECODE is set (as on CI), every process would otherwise compile
# its ≈ 4 000 modules again (≈ 7 s each: the test workers and every `monitor` the tests start).
setup: $(VENV)/.synced
	$(RUN)/python -m compileall -q pipelines pseudonymisation dashboards dev tests > /dev/null

demo: setup
	MONITOR_DEMO_SECRETS=$(DEMO_SECRETS) $(RUN)/python -m dev.demo demo --scale $(SCALE) --seed $(SEED) $(PLACE)

data: setup
	$(RUN)/python -m dev.demo data --out data/inbox --scale $(SCALE) --seed $(SEED) $(PLACE)

# The analyst's run on the next delivery the TTP put in data/inbox (after `make demo`: its configuration and key).
run: setup
	$(ANALYST) $(RUN)/monitor run --inbox data/inbox --out data

ui: setup
	$(ANALYST) $(RUN)/monitor ui --inbox data/inbox --out data

# The dashboard's browser test drives Debian's chromium (Playwright never downloads a browser here) and runs
# axe-core (npm, pinned) inside it for the accessibility check.
AXE_VERSION := 4.14.1
AXE := $(TOOLS)/axe/node_modules/axe-core/axe.min.js
# NL Design System CSS (npm, pinned): the skip link and button components, shipped into the site at publish when
# installed (dashboards/site.py `nlds_css`); without them the site keeps its own styles for both.
NLDS_PACKAGES := @utrecht/skip-link-css@3.0.1 @utrecht/button-css@4.0.1
NLDS := $(TOOLS)/nlds/node_modules/@utrecht/button-css/dist/index.min.css
browser: $(AXE) $(NLDS)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

$(NLDS):
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/nlds $(NLDS_PACKAGES)

$(AXE):
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/axe axe-core@$(AXE_VERSION)

# The tests' temporary folders go to RAM (/dev/shm) where it has room (8 GB free): each pipeline run writes its Dagster
# event log, warehouse and publication with an fsync per event, ≈ 25-45 % of a small run's time on disk.
TEST_TMP := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 8000000 { print "/dev/shm/jeugdmonitor-tests" }')

test: setup browser
	$(RUN)/pytest -q -n 2 --dist loadfile --durations=20 $(if $(TEST_TMP),--basetemp=$(TEST_TMP))

lint: setup
	$(RUN)/ruff check .
	$(RUN)/ruff format --check .
	$(RUN)/mypy

bench: setup
	test -e $(DEMO_SECRETS)/analyst/warehouse.key || $(RUN)/monitor key new --warehouse --out $(DEMO_SECRETS)/analyst/warehouse.key
	MONITOR_WAREHOUSE_KEY_FILE=$(DEMO_SECRETS)/analyst/warehouse.key $(RUN)/python -m dev.bench

clean:
	rm -rf data

# Two commands matter: `make demo` and `make test`. Everything else is for the team.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
RUN := $(VENV)/bin
# The demo key lives outside the repository, as a real key would.
DEMO_KEY_FILE ?= $(HOME)/.config/jeugdmonitor/demo-pseudonym.key
# The warehouse's data key (encryption at rest) is a key of its own, also outside the repository.
DEMO_WAREHOUSE_KEY_FILE ?= $(HOME)/.config/jeugdmonitor/demo-warehouse.key
KEYS = MONITOR_KEY_FILE=$(DEMO_KEY_FILE) MONITOR_WAREHOUSE_KEY_FILE=$(DEMO_WAREHOUSE_KEY_FILE)
SCALE ?= 1
SEED ?= 20261124

.PHONY: setup demo data run ui test lint bench clean browser

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --all-extras
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(KEYS) $(RUN)/monitor demo --scale $(SCALE) --seed $(SEED)

data: setup
	$(RUN)/monitor data --out data/inbox --scale $(SCALE) --seed $(SEED)

run: setup
	$(KEYS) $(RUN)/monitor run --inbox data/inbox --out data

ui: setup
	$(KEYS) $(RUN)/monitor ui --inbox data/inbox --out data

# The dashboard's browser test drives Debian's chromium (Playwright never downloads a browser here).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

test: setup browser
	$(RUN)/pytest -q -n 2 --dist loadfile --durations=20

lint: setup
	$(RUN)/ruff check .
	$(RUN)/ruff format --check .
	$(RUN)/mypy

bench: setup
	$(KEYS) $(RUN)/python -m pipelines.bench

clean:
	rm -rf data

# SLA Analytics: `make run` starts the app, `make test` runs every check.
# Both set everything up on a fresh machine first (uv, .venv from uv.lock, chromium).

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# the warehouse: DB=..., else $SLA_DB from the environment (`SLA_DB=... make run`), else the default
DB ?= $(or $(SLA_DB),data/warehouse.duckdb)
LEADS ?= 50000
SEED ?= 7
SCALE ?= 10k,100k,1m
PORT ?= 8501
# Jupyter refuses to run as root unless told (CI and these machines run as root).
JUPYTER_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
export SLA_DB := $(DB)

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

uv: ## Install uv when missing
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv ## Create .venv from the lock file (idempotent)
	@$(UV) sync --frozen --quiet --compile-bytecode
	@# the project's own bytecode too: where PYTHONDONTWRITEBYTECODE is set (containers, CI,
	@# this machine) every `sla` and app start would compile it again (about 25 ms of CPU)
	@$(UV) run --frozen python -m compileall -q analytics dashboard bench >/dev/null

chromium: ## Install Debian's chromium for the real-browser test when missing
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium >/dev/null; }

$(DB):
	$(UV) run sla demo --leads $(LEADS) --seed $(SEED) --db $(DB)

demo: setup $(DB) ## Build the demo warehouse when it is missing (LEADS=50000)

run: setup $(DB) ## Set up, build the demo when missing, start the app on 127.0.0.1:8501
	$(UV) run python -m dashboard.serve --server.headless true \
		--server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

lint: setup ## ruff: lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

test: setup chromium ## Set up and run every check: lint, unit, app, notebooks, browser
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run pytest -n 2 --dist loadgroup --durations=20

bench: setup ## Benchmarks (SCALE=10k,100k,1m; add 10m to opt in); writes bench/results.json
	$(UV) run python -m bench --scale $(SCALE)

notebook: setup ## JupyterLab on 127.0.0.1 with the project's environment
	$(UV) sync --frozen --quiet --group notebook
	$(UV) run --group notebook jupyter lab --ip 127.0.0.1 --no-browser $(JUPYTER_ROOT) notebooks/

clean: ## Remove the demo warehouse, caches and screenshots
	rm -rf $(DB) data/models .pytest_cache .ruff_cache tests/screenshots

.PHONY: help uv setup chromium demo run lint test bench notebook clean

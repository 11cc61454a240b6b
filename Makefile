# statwh — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, else bootstrapped into .tools/ with pip (PyPI only)
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
UV_VERSION := 0.13.8
PYTHON ?= python3
RUN := $(UV) run --frozen --no-sync

export STATWH_HOME ?= $(CURDIR)/data
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install run test test-fast test-layouts lint fmt bench bench-quick bench-whole bench-airflow clean browser sshd airflow airflow-stop

help:
	@echo "make run         install (locked), write the sample files if the inbox is empty, run the pipeline, print progress"
	@echo "make test        install (locked) and run the whole test suite"
	@echo "make test-fast   the suite without the slow Airflow / browser tests"
	@echo "make test-layouts  2,000 generated layouts per dataset extracted against their ground truth"
	@echo "make lint / fmt  ruff and sqlfluff"
	@echo "make bench       benchmarks (make bench-quick: under 2 minutes; make bench-whole: whole processes only)"
	@echo "make bench-airflow  the demo inbox through statwh_pipeline on Airflow's CeleryExecutor (PostgreSQL + Redis): per-task queue and run times, goal ≤ 60 s"
	@echo "make airflow     a local Airflow (PostgreSQL if one answers, else SQLite); prints the URL and login"
	@echo "make airflow-stop  stops everything make airflow started"

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	UV_COMPILE_BYTECODE=1 $(UV) sync --frozen
	@touch $@

# the project's own modules compiled too (uv compiles the dependencies): a machine with
# PYTHONDONTWRITEBYTECODE set would otherwise compile them again in every statwh process (≈ 0.2 s)
install: .venv/.synced
	@$(RUN) python -m compileall -q -j 0 etl dags plugins bench > /dev/null

run: install
	$(RUN) statwh run --demo-if-empty --print-progress

test: install browser sshd
	$(RUN) pytest -q

test-fast: install
	$(RUN) pytest -q -m "not slow"

# the layout generator (tests/layouts): STATWH_LAYOUT_EXAMPLES layouts per dataset, fresh draws each run
test-layouts: install
	STATWH_LAYOUT_EXAMPLES=$${STATWH_LAYOUT_EXAMPLES:-2000} $(RUN) pytest -q tests/layouts -p no:randomly

# Debian's Chromium, for the dashboard test (a real headless browser)
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk"; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium missing: install Debian's chromium for the dashboard test"; fi; }

# Debian's OpenSSH server, for the SFTP pull test (the test starts its own sshd on 127.0.0.1)
sshd:
	@test -x /usr/sbin/sshd || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; \
	  else echo "sshd missing: install Debian's openssh-server for the SFTP test"; fi; }

lint: install
	$(RUN) ruff check etl dags tests bench scripts plugins
	$(RUN) ruff format --check etl dags tests bench scripts plugins
	$(RUN) sqlfluff lint warehouse/models warehouse/audits

fmt: install
	$(RUN) ruff format etl dags tests bench scripts plugins
	$(RUN) ruff check --fix etl dags tests bench scripts plugins

bench: install
	$(RUN) python -m bench.run

bench-quick: install
	$(RUN) python -m bench.run --quick

# only what users wait for (issue #23): statwh run / ingest as whole processes against the floor and the naive peer
bench-whole: install
	$(RUN) python -m bench.run --whole

# the demo inbox from trigger to published marts on the CeleryExecutor with PostgreSQL and Redis (issue #23)
bench-airflow: install
	$(RUN) python -m bench.airflow_run

# a local Airflow suited to this machine (docs/airflow.md); PIDs in $$AIRFLOW_HOME/statwh-local.pids
airflow: install
	scripts/airflow-local.sh start

airflow-stop:
	scripts/airflow-local.sh stop

clean:
	rm -rf data .pytest_cache

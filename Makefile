# The front door. `make help` lists the verbs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEFAULT_RAW := data/raw
RAW    ?= $(DEFAULT_RAW)
PROCESSED ?= data/processed
REPORTS ?= reports
JOBS   ?= 2
SAMPLE := $(DEFAULT_RAW)/synthetic/.complete
# the synthetic sample goes into data/raw only: a folder of one's own (RAW=...) is never written to
FOR_INGEST := setup $(if $(filter $(DEFAULT_RAW) $(DEFAULT_RAW)/,$(RAW)),sample)

.DEFAULT_GOAL := help
.PHONY: help setup sample ingest reports run export test test-fast lint lab bench clean

help:  ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv and install the project, its fonts and browser (idempotent)

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

sample: $(SAMPLE)  ## write the deterministic synthetic sample into data/raw/synthetic (first run only)

$(SAMPLE): $(STAMP)
	$(PY) -m analysis generate --out $(DEFAULT_RAW)/synthetic --sample

ingest: $(FOR_INGEST)  ## read data/raw (or RAW=folder) into the tables in data/processed
	$(PY) -m analysis ingest $(RAW) --out $(PROCESSED)

reports: ingest  ## the main job: ingest, then render every unit and year report under reports/
	$(PY) -m analysis reports --processed $(PROCESSED) --out $(REPORTS) --jobs $(JOBS)

run: $(FOR_INGEST)  ## for schedulers: ingest, reports and export in one go, locked and guarded; see run.txt
	$(PY) -m analysis run --raw $(RAW) --processed $(PROCESSED) --out $(REPORTS) --jobs $(JOBS)

export: setup  ## the processed tables as one Excel workbook and CSV files under reports/tables (ingests only when RAW changed)
	@if [ ! -f $(PROCESSED)/manifest.json ] || [ -n "$$(find $(RAW) -newer $(PROCESSED)/manifest.json -print -quit 2>/dev/null)" ]; then \
		$(MAKE) --no-print-directory ingest; \
	else \
		echo "$(PROCESSED) 中的数据表晚于 $(RAW) 中的所有文件，直接导出，不重新导入"; \
	fi
	$(PY) -m analysis export --processed $(PROCESSED) --out $(REPORTS)/tables

test: setup lint  ## run the lint checks and the whole test suite (notebooks and browser included)
	$(PY) -m pytest

lint: setup  ## ruff: format check and lint of src, tests and benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/ruff check src tests benchmarks

test-fast: setup  ## the tests without notebook, batch and browser runs
	$(PY) -m pytest -m 'not slow'

lab: setup  ## open the notebooks in JupyterLab with the project's kernel
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup  ## run the benchmarks and print their ratios
	$(PY) -m benchmarks

clean:  ## remove outputs (processed tables, reports); data/raw is kept
	rm -rf $(PROCESSED)/*.parquet $(PROCESSED)/manifest.json $(PROCESSED)/.ingest.cache $(REPORTS)/*
	touch $(REPORTS)/.gitkeep

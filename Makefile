# Two entry points: `make demo` (the main job on the embedded default) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CODE := $(wildcard src tests benchmarks scripts examples)

.PHONY: demo test lint bench clean i18n

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/openmrv calculate examples/facilities.csv examples/activity.csv \
		--methodology all --out out/demo/results.csv --report out/demo/report.md
	rm -f out/demo/web.duckdb out/demo/web.duckdb.wal
	$(BIN)/openmrv demo-seed --db out/demo/web.duckdb
	$(BIN)/openmrv serve --db out/demo/web.duckdb --host 127.0.0.1 --port 8000

test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports  # the layers and no import cycles (pyproject.toml)
	$(BIN)/mypy src
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_calculate.py
	$(BIN)/python benchmarks/bench_engine.py --sizes 1000000 10000000 100000000
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_ingest_floor.py

# The message catalogues (docs/translating.md): extract what the code and templates name (and
# locale/extra.pot) into a template, then update every language's .po from it; a translator
# then fills the new empty entries and clears the fuzzy ones (Poedit, or any editor; msgfmt -c).
LOCALE := src/openmrv/locale
i18n: $(STAMP)
	mkdir -p out/i18n
	$(BIN)/pybabel extract -F babel.cfg --sort-output --add-location=file -w 100 \
		--project=OpenMRV -o out/i18n/messages.pot src
	$(BIN)/pybabel update -i out/i18n/messages.pot -d $(LOCALE) -D messages -w 100 \
		--ignore-pot-creation-date

clean:
	rm -rf $(VENV) out .pytest_cache

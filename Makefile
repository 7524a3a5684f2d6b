# Two commands: `make demo` and `make test`. Each sets up its own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
# root installs packages itself; anyone else goes through sudo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900

.PHONY: demo test test-fast lint typecheck bench clean chromium i18n

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,web]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tousrisques demo

# The browser tests drive Debian's Chromium (Playwright's own download is not used). When
# another apt-get or dpkg is running (installing it, perhaps), wait for it to end rather than
# start a second one; then install only if it is still missing.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  while pgrep -x 'apt-get|apt|dpkg' >/dev/null 2>&1; do \
	    echo "waiting for the running apt-get/dpkg to finish..."; sleep 5; \
	  done; \
	  if [ ! -x $(CHROMIUM) ]; then \
	    $(APT) install -y chromium || { $(APT) update && $(APT) install -y chromium; }; \
	  fi; \
	fi

test: chromium $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist worksteal -q

# The inner loop: the tests not marked slow (the end-to-end ones stay in `make test`), without
# the browser install, ruff or mypy.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# The one gettext catalog: extract every message id of the code, merge them into the French
# catalog (then translate the new entries; tests/test_i18n_catalog.py lists what is missing).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --add-comments=NOTE: --sort-by-file --width=100 \
	  --project=tousrisques -o build/tousrisques.pot .
	$(BIN)/pybabel update -i build/tousrisques.pot -d src/tousrisques/locale -D tousrisques \
	  -l fr --width=100 --ignore-obsolete

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_territory.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_timeline.py
	$(BIN)/python benchmarks/bench_montecarlo.py
	$(BIN)/python benchmarks/bench_criticality.py
	$(BIN)/python benchmarks/bench_scenario_load.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

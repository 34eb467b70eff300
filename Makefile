# Entry points: `make demo`, `make test` and `make lint`. Each builds its own .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# One stamp per install, named by pyproject.toml's checksum: `make demo` installs featurewatch alone,
# `make test` adds the test extras on top, `make lint` the lint extras, and none undoes another's stamp.
DIGEST := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUNTIME := $(VENV)/.installed-runtime-$(DIGEST)
TESTDEPS := $(VENV)/.installed-test-$(DIGEST)
LINTDEPS := $(VENV)/.installed-lint-$(DIGEST)

.PHONY: demo test lint chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-runtime-* && touch $@

$(TESTDEPS): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-test-* && touch $@

$(LINTDEPS): $(TESTDEPS)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	rm -f $(VENV)/.installed-lint-* && touch $@

# The demo's folder holds a marker: a rerun replaces the demo's own files, any other folder is refused.
demo: $(RUNTIME)
	$(BIN)/featurewatch demo --workdir demo-output

test: $(TESTDEPS) chromium
	$(BIN)/python -m pytest -n 2 -q

# House style: ruff's rules and mypy's strict checks, both configured in pyproject.toml.
lint: $(LINTDEPS)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# The report's browser test renders in Debian's chromium: installed when missing (as root in CI, else with sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

# Benchmarks are not part of `make test`; figures go in README.md.
bench: $(TESTDEPS) $(VENV)/evidently/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/shim.py
	$(BIN)/python benchmarks/ship.py
	$(BIN)/python benchmarks/detect.py
	$(BIN)/python benchmarks/detect_es.py

# Evidently 0.7 needs pandas < 3: the detect benchmark runs it from its own virtualenv.
$(VENV)/evidently/bin/python: $(BIN)/python
	$(PYTHON) -m venv $(VENV)/evidently
	$(VENV)/evidently/bin/python -m pip install --quiet "evidently>=0.7" "pandas<3" pyarrow psutil

clean:
	rm -rf $(VENV) demo-output

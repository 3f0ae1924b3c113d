# The two commands a newcomer needs: `make demo` and `make test`.  Both set up what they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup lint format test demo demo-studio bench fuzz clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backchannel needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Two pytest workers: every test of the live Label Studio or browser goes to one of them
# (tests/conftest.py groups them), the rest is shared out.  PYTEST_WORKERS=0 runs in-process.
PYTEST_WORKERS ?= 2

test: lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The offline flow into out/demo/ only (out/ is where README's walkthrough writes the user's own
# files); a re-run replaces out/demo/ only if it carries the demo's marker file.
demo: $(STAMP)
	$(PY) scripts/demo.py

demo-studio: $(STAMP)
	$(PY) scripts/demo_studio.py

bench: $(STAMP)
	$(PY) benchmarks/run.py

fuzz: $(STAMP)
	BACKCHANNEL_FUZZ_COUNT=$${BACKCHANNEL_FUZZ_COUNT:-200000} $(PY) -m pytest -q tests/hardening -k fuzz -p no:cacheprovider

clean:
	rm -rf out .pytest_cache .ruff_cache build *.egg-info

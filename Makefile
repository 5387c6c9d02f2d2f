# Every target installs what it needs into .venv first, so a fresh clone
# needs only Python 3.9+, Go (to build Centrifugo) and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The oldest Python we support; pyenv's copy when it is not on PATH.
PYTHON39 ?= $(firstword $(wildcard /root/.pyenv/versions/3.9*/bin/python3.9 \
	$(HOME)/.pyenv/versions/3.9*/bin/python3.9) $(shell command -v python3.9))
VENV39 ?= .venv39

.PHONY: install demo test pytest py39 lint fmt servers proto bench bench-cpu clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

servers: $(STAMP)
	$(PY) -m cent.testing.server build

test: lint servers pytest py39

pytest: $(STAMP)
	$(PY) -m pytest

# The unit tests and the real-server API suite again on Python 3.9.
py39: $(STAMP)
ifeq ($(PYTHON39),)
	@echo "py39: no Python 3.9 interpreter found; set PYTHON39=/path/to/python3.9" >&2
	@exit 1
else
	test -x $(VENV39)/bin/python || $(PYTHON39) -m venv $(VENV39)
	$(VENV39)/bin/python -m pip install --quiet --upgrade pip
	$(VENV39)/bin/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	$(VENV39)/bin/python -m pytest -q -p no:cacheprovider tests/unit tests/api
endif

lint: $(STAMP)
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy --strict cent
	$(PY) scripts/gen_shortcuts.py --check

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

proto: $(STAMP)
	$(PY) scripts/gen_proto.py

$(VENV)/.installed-bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench-cpu: $(STAMP)
	$(PY) -m benchmarks.bench_cpu

# Starts its own Centrifugo and the cent 5.2.0 reference venv; prints the table
# and writes docs/benchmarks/.
bench: $(VENV)/.installed-bench
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) $(VENV39) build *.egg-info .mypy_cache .ruff_cache .pytest_cache

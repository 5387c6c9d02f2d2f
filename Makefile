# Every target installs what it needs into .venv first, so a fresh clone
# needs only Python 3.9+, Go (to build Centrifugo) and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test pytest lint fmt servers proto bench bench-cpu clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

servers: $(STAMP)
	$(PY) -m cent.testing.server build

test: lint servers pytest

pytest: $(STAMP)
	$(PY) -m pytest

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

bench-cpu: $(STAMP)
	$(PY) -m benchmarks.bench_cpu

bench: $(STAMP)
	$(PY) -m benchmarks.bench_cpu

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache

# The two set-up commands of README.md. Each creates .venv and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv sysdeps bench regen lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# bash, zsh and groff for the completion and man-page tests, mariadb-server for the shared journal's
# (Debian packages; installed when missing).
sysdeps:
	@./.ci/sysdeps

demo: $(STAMP)
	bash demo/demo.sh

# ruff and mypy first: a finding fails the run as a failing test does.
test: $(STAMP) sysdeps lint
	$(BIN)/python -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --installed

regen: $(STAMP)
	$(BIN)/python -m mcsctl.build

lint: $(STAMP)
	$(BIN)/ruff check mcsctl simulator tests benchmarks ansible_collections
	$(BIN)/ruff format --check mcsctl simulator tests benchmarks ansible_collections
	$(BIN)/mypy mcsctl

clean:
	rm -rf $(VENV) build *.egg-info

# gongkai: the two commands that set up everything on a fresh Debian machine are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PERIOD ?= $(shell date -d "$$(date +%Y-%m-01) -1 month" +%Y-%m)

.PHONY: install ckan demo test unit bench clean-demo

$(STAMP): pyproject.toml
	scripts/ckan.sh deps
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip > $(VENV)/pip.log 2>&1
	$(VENV)/bin/pip install -q -e '.[test]' >> $(VENV)/pip.log 2>&1 || { tail -n 30 $(VENV)/pip.log; exit 1; }
	touch $(STAMP)

install: $(STAMP)

ckan: install
	scripts/ckan.sh up

demo: ckan
	scripts/demo.sh $(PERIOD)

CKAN_HOME = $${GONGKAI_CKAN_HOME:-.ckan}

test: ckan
	set -a && . $(CKAN_HOME)/portal.env && set +a && $(CKAN_HOME)/venv/bin/python -m pytest -q ckanext-nosolr/tests
	set -a && . $(CKAN_HOME)/portal.env && set +a && $(VENV)/bin/pytest

unit: install
	$(VENV)/bin/pytest tests/unit

bench: install
	$(VENV)/bin/python bench/run.py

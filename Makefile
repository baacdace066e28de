# Every target sets up what it needs: a virtual environment from pinned
# requirements and the collection linked where Ansible finds it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/redis/enterprise
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: all venv collection test units integration demo changelog-lint build clean

all: test

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

collection: $(COLLECTION_LINK)

units: venv collection
	$(BIN)/python -m pytest tests/unit

integration: venv collection
	$(BIN)/python -m pytest tests/integration

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

test: venv collection changelog-lint
	$(BIN)/python -m pytest tests/unit tests/integration

demo: venv collection
	$(BIN)/python tests/demo.py

build: venv
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

clean:
	rm -rf $(VENV) build .pytest_cache

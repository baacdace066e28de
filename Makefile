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

test: venv collection changelog-lint docs-lint docs
	$(BIN)/python -m pytest tests/unit tests/integration

# The documentation site, built offline from the installed collection and
# docs/docsite by antsibull-docs and Sphinx, in their own pinned environment.
# References into docs.ansible.com stay plain text unless INTERSPHINX=1, which
# needs the network to fetch the inventories.
.PHONY: docs-venv docs-lint docs
DOCS_VENV := .venvs/docs
DOCS_BIN := $(CURDIR)/$(DOCS_VENV)/bin
DOCS_SITE := build/docs
INTERSPHINX ?=

$(DOCS_VENV)/bin/.installed: requirements/docs.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/docs.txt
	touch $@

docs-venv: $(DOCS_VENV)/bin/.installed

docs-lint: docs-venv collection
	PATH=$(DOCS_BIN):$$PATH antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs .

docs: docs-venv collection
	rm -rf $(DOCS_SITE)
	mkdir -p $(DOCS_SITE)
	chmod 700 $(DOCS_SITE)
	PATH=$(DOCS_BIN):$$PATH antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS_SITE) \
		--project redis.enterprise --copyright 'Contributors to the redis.enterprise collection' \
		--title 'redis.enterprise collection' redis.enterprise
ifeq ($(INTERSPHINX),)
	printf '%s\n' 'intersphinx_mapping = {}' \
		"nitpick_ignore = [('std:ref', 'ansible_configuration_settings'), ('std:ref', 'common_return_values')]" \
		>> $(DOCS_SITE)/conf.py
endif
	cd $(DOCS_SITE) && PATH=$(DOCS_BIN):$$PATH ./build.sh
	@echo "The site: $(DOCS_SITE)/build/html/index.html"

demo: venv collection
	$(BIN)/python tests/demo.py

# docs/reliability.md is rendered from the fault matrix of the tests, which
# fail when the two differ.
.PHONY: reliability-doc
reliability-doc: venv collection
	$(BIN)/python tests/integration/fault_matrix.py

build: venv
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

clean:
	rm -rf $(VENV) build .pytest_cache

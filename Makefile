# Every target sets up what it needs: a virtual environment from pinned
# requirements and the collection linked where Ansible finds it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/redis/enterprise
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: all venv collection test quick coverage units integration demo changelog-lint build clean

all: test

# The tests run ansible-core 2.21, which needs Python 3.12 on the controller.
$(BIN)/.installed: requirements-dev.txt
	$(PYTHON312) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

collection: $(COLLECTION_LINK)

# Independent tests in parallel; the tests that share a costly fixture (the
# fault matrix's runs) in one process, by their xdist_group.
XDIST := -n 2 --dist loadgroup
# The tarball `make build` writes, which the tests install rather than build their own.
TARBALL = build/redis-enterprise-$(shell sed -n 's/^version: *//p' galaxy.yml).tar.gz
TEST_ENV = REDIS_ENTERPRISE_TEST_TARBALL=$(CURDIR)/$(TARBALL)
# make test builds it before its steps start, and tells them (TARBALL_BUILT=1).
BUILT = $(if $(TARBALL_BUILT),,build)

units: venv collection
	$(BIN)/python -m pytest tests/unit

# The behaviour; the checks of files and tools (marked files) are make release-checks',
# the runs of ansible-rulebook (marked eda) make eda's.
BEHAVIOUR := -m 'not files and not eda'
integration: venv collection $(BUILT)
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) $(BEHAVIOUR) tests/integration

# For editing: the unit tests, and the integration tests of one module
# (MODULE=ocsp, ocsp_info, certificate, certificate_info) on direct execution.
MODULE ?= ocsp
quick: venv collection
	$(BIN)/python -m pytest $(XDIST) -q tests/unit tests/integration/test_$(MODULE).py

# Branch coverage of plugins/: the unit tests in this process, the
# integration tests in the ansible-playbook and ansible processes they start
# and the workers those fork (tests/coverage.ini).
coverage: venv collection $(BUILT)
	rm -rf build/coverage
	mkdir -p build/coverage
	COVERAGE_FILE=$(CURDIR)/build/coverage/.coverage $(TEST_ENV) $(BIN)/python -m pytest $(XDIST) -q -m 'not eda' \
		--cov --cov-config=tests/coverage.ini --cov-report=term tests/unit tests/integration

changelog-lint: venv
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# The behaviour, each check once: the unit suite by ansible-test on each
# ansible-core of ANSIBLE_VERSIONS (units-matrix), ansible-test sanity, the
# end-to-end tests on the oldest and the newest, the tarball built once. The
# steps run side by side (TEST_JOBS at a time), each step's output kept
# together: the two end-to-end runs, the longest, first, and the one-core
# steps filling in beside them.
TEST_JOBS ?= 3
TEST_STEPS = integration integration-2.16 eda sanity units-matrix changelog-lint
# java-check first: a machine without the JDK that make eda needs fails at
# once, saying so, before any environment is made or step started.
test: java-check venv collection build
	$(MAKE) --no-print-directory --output-sync=target -j $(TEST_JOBS) TARBALL_BUILT=1 $(TEST_STEPS)

# The event source through ansible-rulebook itself (tests/integration/test_eda.py,
# marked eda), in its own pinned environment; ansible-rulebook's rules engine
# runs in Java, which java-check looks for first (JAVA_HOME, else java on PATH).
.PHONY: eda java-check
EDA_VENV := .venvs/rulebook
$(EDA_VENV)/.installed: requirements/eda.txt
	$(PYTHON312) -m venv --clear $(EDA_VENV)
	$(EDA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/eda.txt
	touch $@

java-check:
	@bash tests/utils/check_java.sh

# community.crypto, which playbooks/renew_certificate.yml needs and the test
# that runs it through ansible-rulebook gets from PyPI: the collection alone,
# out of the pinned ansible wheel (requirements/community-crypto.txt), in a
# collections directory of its own.
CRYPTO_COLLECTIONS := .venvs/community-crypto
$(CRYPTO_COLLECTIONS)/.installed: requirements/community-crypto.txt tests/utils/collection_from_wheel.py
	rm -rf $(CRYPTO_COLLECTIONS)
	$(PYTHON312) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--require-hashes -r requirements/community-crypto.txt -d $(CRYPTO_COLLECTIONS)/wheel
	$(PYTHON312) tests/utils/collection_from_wheel.py $(CRYPTO_COLLECTIONS)/wheel/ansible-*.whl community.crypto \
		$(CRYPTO_COLLECTIONS)
	rm -rf $(CRYPTO_COLLECTIONS)/wheel
	touch $@

eda: java-check venv collection $(EDA_VENV)/.installed $(CRYPTO_COLLECTIONS)/.installed
	REDIS_ENTERPRISE_TEST_RULEBOOK_BIN=$(CURDIR)/$(EDA_VENV)/bin \
		REDIS_ENTERPRISE_TEST_CRYPTO_COLLECTIONS=$(CURDIR)/$(CRYPTO_COLLECTIONS) \
		$(BIN)/python -m pytest -m eda tests/integration/test_eda.py

# What checks the collection's files and tools rather than its behaviour, so
# that make test stays short: the guides and module docs (what they say, the
# site built, antsibull-docs' lint), the tarball as Galaxy imports it and as
# ansible-galaxy installs it, ansible-lint, the execution environment's build
# context, the benchmark's structure. .ci/run runs it after make test.
.PHONY: release-checks files
files: venv collection $(BUILT)
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) -m files tests/integration
RELEASE_STEPS = files lint import docs-lint docs
release-checks: venv collection build
	$(MAKE) --no-print-directory --output-sync=target -j $(TEST_JOBS) TARBALL_BUILT=1 $(RELEASE_STEPS)

# The end-to-end tests that depend on ansible-core (marked both_paths or
# core: the action plugins, direct execution, the installation,
# ansible-runner) again on the oldest ansible-core the collection supports:
# they lean on its internals, which change between releases. `make test` runs
# every end-to-end test on the newest (requirements-dev.txt).
.PRECIOUS: .venvs/e2e-%/.installed
.venvs/e2e-%/.installed: requirements/e2e-%.txt
	$(call ansible_python,$*) -m venv --clear .venvs/e2e-$*
	.venvs/e2e-$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

integration-%: .venvs/e2e-%/.installed collection $(BUILT)
	$(TEST_ENV) REDIS_ENTERPRISE_TEST_REPEAT=1 .venvs/e2e-$*/bin/python -m pytest $(XDIST) $(BEHAVIOUR) tests/integration

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
		"nitpick_ignore = [('std:ref', 'ansible_configuration_settings'), ('std:ref', 'common_return_values'), ('std:ref', 'action_plugins')]" \
		>> $(DOCS_SITE)/conf.py
endif
	cd $(DOCS_SITE) && PATH=$(DOCS_BIN):$$PATH ./build.sh
	@echo "The site: $(DOCS_SITE)/build/html/index.html"

# The checks of the Ansible ecosystem, each tool in its own pinned
# environment under .venvs/. ansible-test (sanity with every test, units) runs
# once per ansible-core the collection claims; `make test` takes the newest
# (its end-to-end tests run on the oldest too), .ci/run all of them
# (ANSIBLE_VERSIONS="$(ANSIBLE_MATRIX)").
.PHONY: sanity units-matrix lint import
ANSIBLE_MATRIX := 2.16 2.17 2.18 2.19 2.20 2.21
ANSIBLE_VERSIONS ?= 2.21
PYENV_VERSIONS := $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
PYTHON311 ?= $(firstword $(wildcard $(PYENV_VERSIONS)/3.11*/bin/python3.11) python3.11)
PYTHON312 ?= $(firstword $(wildcard $(PYENV_VERSIONS)/3.12*/bin/python3.12) python3.12)
# ansible-core 2.20 and later need Python 3.12 or newer on the controller.
ansible_python = $(if $(filter 2.16 2.17 2.18 2.19,$(1)),$(PYTHON311),$(PYTHON312))
ansible_python_version = $(if $(filter 2.16 2.17 2.18 2.19,$(1)),3.11,3.12)

# Kept between runs: make would otherwise delete these pattern-made stamps as
# intermediate files and rebuild every environment next time.
.PRECIOUS: .venvs/ansible-%/.installed
.venvs/ansible-%/.installed: requirements/ansible-%.txt
	$(call ansible_python,$*) -m venv .venvs/ansible-$*
	.venvs/ansible-$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

sanity-%: .venvs/ansible-%/.installed
	tests/utils/ansible-test.sh $* sanity --venv

units-%: .venvs/ansible-%/.installed
	tests/utils/ansible-test.sh $* units --venv --python $(call ansible_python_version,$*)

sanity: $(addprefix sanity-,$(ANSIBLE_VERSIONS))

units-matrix: $(addprefix units-,$(ANSIBLE_VERSIONS))

.venvs/lint/.installed .venvs/importer/.installed: .venvs/%/.installed: requirements/%.txt
	$(PYTHON) -m venv .venvs/$*
	.venvs/$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

# ansible-lint, production profile (.ansible-lint), once, over the collection,
# its examples and the playbooks the guides show inline, written out to files
# in the project for the run (ansible-lint reads only files, and none outside
# the project or under an excluded path) and removed after it.
LINT_DOCS := lint-docsite
lint: .venvs/lint/.installed collection
	rm -rf $(LINT_DOCS)
	.venvs/lint/bin/python tests/utils/rst_playbooks.py $(LINT_DOCS) docs/docsite/rst/*.rst
	PATH=$(CURDIR)/.venvs/lint/bin:$$PATH ansible-lint; status=$$?; rm -rf $(LINT_DOCS); exit $$status

# galaxy-importer, the check Galaxy and Automation Hub run on upload, on the
# built tarball; any warning fails.
IMPORTER_LOG := build/galaxy-importer.log
import: $(BUILT) .venvs/importer/.installed
	cd build && PATH=$(CURDIR)/.venvs/importer/bin:$$PATH GALAXY_IMPORTER_CONFIG=$(CURDIR)/galaxy-importer.cfg \
		python -m galaxy_importer.main redis-enterprise-$$(sed -n 's/^version: *//p' ../galaxy.yml).tar.gz \
		> $(CURDIR)/$(IMPORTER_LOG) 2>&1 || { cat $(CURDIR)/$(IMPORTER_LOG); exit 1; }
	cat $(IMPORTER_LOG)
	@! grep -E 'WARNING|ERROR' $(IMPORTER_LOG) || { echo 'galaxy-importer reported the above' >&2; exit 1; }

demo: venv collection
	$(BIN)/python tests/demo.py

# The collection's declaration of the REST API (plugins/module_utils/_contract.py)
# against the vendor's OpenAPI spec: every difference printed, and a failure
# for one that tests/contract/deviations.yml does not register, or for an
# entry there that matches none.
SPEC ?= ../shared/reference/rs-openapi.json
.PHONY: contract
contract: venv
	$(BIN)/python tests/contract/compare.py $(SPEC)

# A simulated cluster to try the modules by hand (README, "From a checkout"):
# serves until Ctrl-C and prints the variables to export in another shell.
# Options: make simulator SIMULATOR_ARGS='--port 10443 --responder-url http://ocsp.example.test'
# One simulator per cert dir and port: a second one refuses to start rather
# than overwrite the running one's CA; give it both (--cert-dir after the
# default here wins): SIMULATOR_ARGS='--port 10443 --cert-dir build/simulator-10443'.
SIMULATOR_ARGS ?= --port 9443
.PHONY: simulator
simulator: venv collection
	$(BIN)/python tests/simulator/redis_enterprise_sim.py --cert-dir build/simulator \
		--collections-path $(COLLECTIONS) $(SIMULATOR_ARGS)

# The benchmark of docs/performance.md, in its own environment (the test
# requirements plus matplotlib and pyinstrument); regenerates the table and
# the chart there, then the event source's section (benchmarks/bench_events.py).
# Options: make bench BENCH_ARGS='-n 20 --rounds 7' BENCH_EVENTS_ARGS='--clusters 100'.
BENCH_BIN := .venvs/bench/bin
$(BENCH_BIN)/.installed: requirements-dev.txt requirements/bench.txt
	$(PYTHON312) -m venv --clear .venvs/bench
	$(BENCH_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/bench.txt
	touch $@

.PHONY: bench
bench: $(BENCH_BIN)/.installed collection
	mkdir -p build
	$(BENCH_BIN)/python benchmarks/bench.py $(BENCH_ARGS) --json build/bench.json \
		--chart docs/performance.png --doc docs/performance.md
	$(BENCH_BIN)/python benchmarks/bench_events.py $(BENCH_EVENTS_ARGS) --json build/bench-events.json \
		--doc docs/performance.md

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

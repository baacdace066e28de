# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment: ansible-builder makes a build context from the
example definition, on its base image and Python, with the ansible-core
releases the collection is tested with and ansible-runner; its galaxy stage
installs the collection and its introspection step, run on the collection as
installed, asks for the modules' Python requirements (the collection's
requirements.txt) and nothing else; and a Python without requests gets a
clear failure that says what to install."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import redis_enterprise_sim as simlib
from runner import BIN, ROOT, VERSION, assert_clean_failure

# It depends on ansible-core itself: run on the oldest too (conftest.py).
pytestmark = pytest.mark.core

EE_FILE = os.path.join(ROOT, 'docs', 'execution-environment', 'execution-environment.yml')
# A collection with a Python requirement of its own, installed next to this
# one: the introspection reports both, each from its collection.
CONTROL = ('control.needs', 'jmespath>=1.0')
# The base image and the Python in it that the definition chooses (see its comments).
BASE_IMAGE = 'registry.access.redhat.com/ubi10/ubi:latest'
PYTHON = '/usr/bin/python3.12'
# The Pythons each ansible-core release the collection is tested with
# supports on the controller (ansible-core's support matrix).
CONTROLLER_PYTHONS = {
    '2.16': SpecifierSet('>=3.10,<3.13'), '2.17': SpecifierSet('>=3.10,<3.13'),
    '2.18': SpecifierSet('>=3.11,<3.14'), '2.19': SpecifierSet('>=3.11,<3.14'),
    '2.20': SpecifierSet('>=3.12,<3.15'), '2.21': SpecifierSet('>=3.12,<3.15'),
}


def requirements():
    """What the modules import: the requirement lines of requirements.txt at
    the collection's root, without comments, as the introspection reads them."""
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        lines = [re.sub(r'(?:^|\s+)#.*$', '', line).strip() for line in handle]
    return [line for line in lines if line]


def matrix_releases():
    """The ansible-core releases the collection is tested with: the Makefile's matrix."""
    with open(os.path.join(ROOT, 'Makefile')) as handle:
        [matrix] = re.findall(r'^ANSIBLE_MATRIX := (.+)$', handle.read(), re.M)
    return matrix.split()


def run(args, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    env.update(kwargs.pop('env', {}))
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=300, **kwargs)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


@pytest.mark.files
def test_collection_metadata_points_at_requirements_txt():
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta == {'version': 1, 'dependencies': {'python': 'requirements.txt'}}
    # Each line a PEP 508 requirement, one per library, among them what the
    # REST layer is built on.
    names = [Requirement(line).name.lower() for line in requirements()]
    assert len(names) == len(set(names)) and {'requests', 'urllib3'} <= set(names), names
    assert not os.path.exists(os.path.join(ROOT, 'bindep.txt'))


def introspect(context, share, wanted):
    """The builder stage's introspection, with the script the context
    carries: the Python requirements of the collections under share, written
    to wanted (not written when there are none), and what it printed."""
    proc = run([os.path.join(BIN, 'python'), str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
                '--write-pip', str(wanted), str(share)], cwd=str(share.parent))
    return yaml.safe_load(proc.stdout)


@pytest.mark.files
def test_builder_context_installs_the_collection_and_its_python_requirements(tmp_path, tarball):
    with open(EE_FILE) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    (wanted,) = [c for c in definition['dependencies']['galaxy']['collections'] if c['name'] == 'redis.enterprise']
    # A floor the docs' playbooks need (the 0.2.0 result keys), which this version meets.
    assert wanted['version'].startswith('>=') and VERSION in SpecifierSet(wanted['version'])
    dependencies = definition['dependencies']
    assert 'python' not in dependencies
    core = dependencies['ansible_core']['package_pip']
    runner = dependencies['ansible_runner']['package_pip']
    # ansible-core: the releases the collection is tested with, no other. A
    # release added to the matrix needs its controller Pythons above.
    releases = matrix_releases()
    assert sorted(releases, key=Version) == sorted(CONTROLLER_PYTHONS, key=Version), releases
    assert Requirement(core).name == 'ansible-core'
    core_versions = Requirement(core).specifier
    assert [release for release in releases if release + '.0' in core_versions] == releases
    lowest, highest = Version(releases[0]), Version(releases[-1])
    assert '%d.%d.0' % (lowest.major, lowest.minor - 1) not in core_versions
    assert '%d.%d.0' % (highest.major, highest.minor + 1) not in core_versions
    # The image's Python runs each of them (2.20 and later need 3.12 or newer).
    assert dependencies['python_interpreter'] == {'package_system': 'python3', 'python_path': PYTHON}
    python_version = re.fullmatch(r'/usr/bin/python(3\.\d+)', PYTHON).group(1)
    assert all(python_version in CONTROLLER_PYTHONS[release] for release in releases), python_version
    # ansible-runner: its range has the one the AWX tests run.
    assert Requirement(runner).name == 'ansible-runner'
    assert importlib.metadata.version('ansible-runner') in Requirement(runner).specifier

    context = tmp_path / 'context'
    run(['ansible-builder', 'create', '-f', EE_FILE, '-c', str(context), '--output-filename', 'Containerfile'],
        cwd=str(tmp_path))
    containerfile = (context / 'Containerfile').read_text()
    # The base stage: the image, its Python, ansible-core and ansible-runner as declared.
    build_args = dict(re.findall(r'^ARG (\w+)="(.*)"$', containerfile, re.M))
    assert build_args['EE_BASE_IMAGE'] == definition['images']['base_image']['name'] == BASE_IMAGE
    assert re.search(r'^FROM \$EE_BASE_IMAGE AS base$', containerfile, re.M)
    assert (build_args['PYPKG'], build_args['PYCMD']) == ('python3', PYTHON)
    assert 'RUN $PKGMGR install $PYPKG -y' in containerfile
    assert build_args['ANSIBLE_INSTALL_REFS'] == '%s %s' % (core, runner)
    assert re.search(r'^RUN \$PYCMD -m pip install --no-cache-dir \$ANSIBLE_INSTALL_REFS$', containerfile, re.M)
    with open(context / '_build' / 'requirements.yml') as handle:
        galaxy = yaml.safe_load(handle)
    assert galaxy == dependencies['galaxy']
    assert [c['name'] for c in galaxy['collections']] == ['redis.enterprise']
    # The stages that bring the collection and then its Python requirements
    # into the image; the definition asks for no Python package of its own.
    assert 'ansible-galaxy collection install' in containerfile and '-r requirements.yml' in containerfile
    introspect_step = re.search(r'^RUN \$PYCMD /output/scripts/introspect.py introspect (.*)$', containerfile, re.M)
    assert introspect_step and '--write-pip=/tmp/src/requirements.txt' in introspect_step.group(1)
    assert 'RUN /output/scripts/assemble' in containerfile
    assert not (context / '_build' / 'requirements.txt').exists()

    # The galaxy stage, offline: the collection as built and installed from its tarball.
    share = tmp_path / 'usr-share-ansible' / 'collections'
    env = {'ANSIBLE_COLLECTIONS_PATH': str(share)}
    run(['ansible-galaxy', 'collection', 'install', '-p', str(share), tarball],
        cwd=str(tmp_path), env=env)
    installed = share / 'ansible_collections' / 'redis' / 'enterprise'
    assert (installed / 'MANIFEST.json').is_file() and (installed / 'plugins' / 'modules' / 'ocsp.py').is_file()
    assert (installed / 'requirements.txt').is_file()

    wanted = tmp_path / 'requirements.txt'
    found = introspect(context, share, wanted)
    ours = ['%s  # from collection redis.enterprise' % requirement for requirement in requirements()]
    assert found == {'python': ours, 'system': []}, found
    # What the assemble step installs into the image.
    assert wanted.read_text().splitlines() == ours

    # With a collection that has a requirement of its own beside it, each
    # requirement is found with its collection.
    name, requirement = CONTROL
    source = tmp_path / 'control'
    run(['ansible-galaxy', 'collection', 'init', name, '--init-path', str(source)], cwd=str(tmp_path), env=env)
    collection_dir = source.joinpath(*name.split('.'))
    (collection_dir / 'meta' / 'execution-environment.yml').write_text(
        'version: 1\ndependencies:\n  python: requirements.txt\n')
    (collection_dir / 'requirements.txt').write_text(requirement + '\n')
    run(['ansible-galaxy', 'collection', 'install', '-p', str(share), str(collection_dir)], cwd=str(tmp_path), env=env)
    found = introspect(context, share, wanted)
    theirs = '%s  # from collection %s' % (requirement, name)
    assert sorted(found['python']) == sorted(ours + [theirs]), found
    assert sorted(wanted.read_text().splitlines()) == sorted(ours + [theirs])


def test_a_python_without_requests_gets_a_clear_failure(ansible_on, cluster, tmp_path):
    # A virtual environment without pip or any package: what an image holds
    # before the collection's requirements are installed into it.
    bare = tmp_path / 'stdlib-only'
    run([sys.executable, '-m', 'venv', '--without-pip', str(bare)], cwd=str(tmp_path))
    python = str(bare / 'bin' / 'python')
    probe = 'import importlib.util as u, sys; print(sorted(m for m in sys.argv[1:] if u.find_spec(m)))'
    libraries = ['ansible', 'requests', 'urllib3']
    # The tests' own Python has them, so the probe can tell; the bare one has none.
    assert yaml.safe_load(run([sys.executable, '-c', probe] + libraries).stdout) == libraries
    assert yaml.safe_load(run([python, '-c', probe] + libraries).stdout) == []

    # The managed host's Python is the bare one, and the module runs there
    # (direct execution would use the controller's Python, which has requests).
    ansible = ansible_on('module')
    interpreter = ['-e', 'ansible_python_interpreter=%s' % python]
    for module, args in (('redis.enterprise.ocsp', 'response_timeout=7'), ('redis.enterprise.ocsp_info', '')):
        failed = ansible(['ansible', 'localhost', '-m', module, '-a', args] + interpreter)
        result = assert_clean_failure(failed, 'Failed to import the required Python library (requests)', module)
        assert "on vm's Python %s" % python in result['msg'] or 'Python %s.' % python in result['msg']
        assert '"%s -m pip install requests"' % python in result['msg']
        assert "This is required to call the cluster's REST API." in result['msg']
    assert cluster.log == []
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)

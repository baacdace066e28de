# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment: ansible-builder makes a build context from the
example definition, whose galaxy stage installs the collection and whose
introspection step, run on the collection as installed, asks for no Python
requirement from it; and the modules run on a Python that has nothing but
its standard library."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

import redis_enterprise_sim as simlib
from runner import BIN, ROOT

EE_FILE = os.path.join(ROOT, 'docs', 'execution-environment', 'execution-environment.yml')
# A collection that does declare a Python requirement, installed next to this
# one: the introspection must report it, so that finding nothing for
# redis.enterprise means there is nothing, not that nothing was read.
CONTROL = ('control.needs', 'jmespath>=1.0')


def run(args, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    env.update(kwargs.pop('env', {}))
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=300, **kwargs)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def test_collection_metadata_declares_no_dependency():
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    # Declared empty: without the file, ansible-builder would take a
    # requirements.txt or bindep.txt at the collection's root.
    assert meta == {'version': 1, 'dependencies': {}}
    for name in ('requirements.txt', 'bindep.txt'):
        assert not os.path.exists(os.path.join(ROOT, name)), name


def introspect(context, share, wanted):
    """The builder stage's introspection, with the script the context
    carries: the Python requirements of the collections under share, written
    to wanted (not written when there are none), and what it printed."""
    proc = run([os.path.join(BIN, 'python'), str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
                '--write-pip', str(wanted), str(share)], cwd=str(share.parent))
    return yaml.safe_load(proc.stdout)


def test_builder_context_installs_the_collection_and_no_python_requirement(tmp_path):
    with open(EE_FILE) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    assert {'name': 'redis.enterprise', 'version': '>=0.1.0'} in definition['dependencies']['galaxy']['collections']
    assert 'python' not in definition['dependencies']

    context = tmp_path / 'context'
    run(['ansible-builder', 'create', '-f', EE_FILE, '-c', str(context), '--output-filename', 'Containerfile'],
        cwd=str(tmp_path))
    containerfile = (context / 'Containerfile').read_text()
    with open(context / '_build' / 'requirements.yml') as handle:
        galaxy = yaml.safe_load(handle)
    assert [c['name'] for c in galaxy['collections']] == ['redis.enterprise']
    # The stages that bring the collection and then its Python requirements, if
    # any, into the image; the definition asks for no Python package of its own.
    assert 'ansible-galaxy collection install' in containerfile and '-r requirements.yml' in containerfile
    introspect_step = re.search(r'^RUN \$PYCMD /output/scripts/introspect.py introspect (.*)$', containerfile, re.M)
    assert introspect_step and '--write-pip=/tmp/src/requirements.txt' in introspect_step.group(1)
    assert 'RUN /output/scripts/assemble' in containerfile
    assert not (context / '_build' / 'requirements.txt').exists()

    # The galaxy stage, offline: the collection as built and installed from its tarball.
    run(['ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path), ROOT], cwd=str(tmp_path))
    share = tmp_path / 'usr-share-ansible' / 'collections'
    env = {'ANSIBLE_COLLECTIONS_PATH': str(share)}
    run(['ansible-galaxy', 'collection', 'install', '-p', str(share), str(tmp_path / 'redis-enterprise-0.1.0.tar.gz')],
        cwd=str(tmp_path), env=env)
    installed = share / 'ansible_collections' / 'redis' / 'enterprise'
    assert (installed / 'MANIFEST.json').is_file() and (installed / 'plugins' / 'modules' / 'ocsp.py').is_file()
    assert yaml.safe_load((installed / 'meta' / 'execution-environment.yml').read_text())['dependencies'] == {}
    assert not (installed / 'requirements.txt').exists()

    wanted = tmp_path / 'requirements.txt'
    found = introspect(context, share, wanted)
    assert found == {'python': [], 'system': []}, found
    # Nothing to install: the assemble step finds no requirements file.
    assert not wanted.exists()

    # With a collection that has a requirement beside it, that requirement and
    # only that one is found.
    name, requirement = CONTROL
    source = tmp_path / 'control'
    run(['ansible-galaxy', 'collection', 'init', name, '--init-path', str(source)], cwd=str(tmp_path), env=env)
    collection_dir = source.joinpath(*name.split('.'))
    (collection_dir / 'meta' / 'execution-environment.yml').write_text(
        'version: 1\ndependencies:\n  python: requirements.txt\n')
    (collection_dir / 'requirements.txt').write_text(requirement + '\n')
    run(['ansible-galaxy', 'collection', 'install', '-p', str(share), str(collection_dir)], cwd=str(tmp_path), env=env)
    found = introspect(context, share, wanted)
    assert found == {'python': ['%s  # from collection %s' % (requirement, name)], 'system': []}, found
    assert wanted.read_text().splitlines() == ['%s  # from collection %s' % (requirement, name)]


def test_modules_run_on_a_python_with_the_standard_library_only(ansible, cluster, tmp_path):
    # A virtual environment without pip or any package: what an image holds
    # before anything is installed into it for the modules.
    bare = tmp_path / 'stdlib-only'
    run([sys.executable, '-m', 'venv', '--without-pip', str(bare)], cwd=str(tmp_path))
    python = str(bare / 'bin' / 'python')
    probe = 'import importlib.util as u, sys; print(sorted(m for m in sys.argv[1:] if u.find_spec(m)))'
    libraries = ['ansible', 'jinja2', 'yaml', 'requests', 'urllib3', 'certifi']
    # The tests' own Python finds at least ansible-core and its libraries, so
    # the probe can tell; the bare one finds none of them.
    assert {'ansible', 'jinja2', 'yaml'} <= set(yaml.safe_load(run([sys.executable, '-c', probe] + libraries).stdout))
    assert yaml.safe_load(run([python, '-c', probe] + libraries).stdout) == []

    interpreter = ['-e', 'ansible_python_interpreter=%s' % python]
    changed = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'response_timeout=7']
                      + interpreter)
    assert changed.rc == 0, changed.output
    result = changed.task()['result']
    assert result['changed'] is True and result['ocsp']['response_timeout'] == 7
    assert cluster.config['response_timeout'] == 7
    assert cluster.count('PUT', '/v1/ocsp') == 1

    read = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp_info'] + interpreter)
    assert read.rc == 0, read.output
    info = read.task('redis.enterprise.ocsp_info')['result']
    assert info['changed'] is False and info['ocsp']['response_timeout'] == 7
    assert info['certificate_compatible'] is True
    assert cluster.count('PUT', '/v1/ocsp') == 1
    assert simlib.ADMIN_PASSWORD not in changed.output + read.output

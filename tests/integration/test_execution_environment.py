# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment: ansible-builder makes a build context from the
example definition, and the context's own introspection step, run on the
collection as the image's galaxy stage installs it, asks for the modules'
Python requirements and nothing the tests use."""

from __future__ import annotations

import os
import re
import subprocess

import yaml

from runner import BIN, ROOT

EE_FILE = os.path.join(ROOT, 'docs', 'execution-environment', 'execution-environment.yml')


def run(args, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    env.update(kwargs.pop('env', {}))
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=300, **kwargs)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def requirement_names(text):
    names = set()
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            names.add(re.split(r'[<>=!~;\[ ]', line, maxsplit=1)[0].lower())
    return names


def test_collection_metadata_names_only_what_the_modules_need():
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['dependencies'] == {'python': 'requirements.txt'}
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        assert requirement_names(handle.read()) == {'requests', 'urllib3'}


def test_builder_context_installs_the_collection_and_requests(tmp_path):
    with open(EE_FILE) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    assert {'name': 'redis.enterprise', 'version': '>=0.1.0'} in definition['dependencies']['galaxy']['collections']

    context = tmp_path / 'context'
    run(['ansible-builder', 'create', '-f', EE_FILE, '-c', str(context), '--output-filename', 'Containerfile'],
        cwd=str(tmp_path))
    containerfile = (context / 'Containerfile').read_text()
    with open(context / '_build' / 'requirements.yml') as handle:
        galaxy = yaml.safe_load(handle)
    assert [c['name'] for c in galaxy['collections']] == ['redis.enterprise']
    # The stages that bring the collection and then its Python requirements into the image.
    assert 'ansible-galaxy collection install' in containerfile and '-r requirements.yml' in containerfile
    introspect_step = re.search(r'^RUN \$PYCMD /output/scripts/introspect.py introspect (.*)$', containerfile, re.M)
    assert introspect_step and '--write-pip=/tmp/src/requirements.txt' in introspect_step.group(1)
    assert 'RUN /output/scripts/assemble' in containerfile

    # The galaxy stage, offline: the collection as built and installed from its tarball.
    run(['ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path), ROOT], cwd=str(tmp_path))
    share = tmp_path / 'usr-share-ansible' / 'collections'
    run(['ansible-galaxy', 'collection', 'install', '-p', str(share), str(tmp_path / 'redis-enterprise-0.1.0.tar.gz')],
        cwd=str(tmp_path), env={'ANSIBLE_COLLECTIONS_PATH': str(share)})

    # The builder stage's introspection, with the script the context carries.
    wanted = tmp_path / 'requirements.txt'
    run([os.path.join(BIN, 'python'), str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
         '--write-pip', str(wanted), str(share)], cwd=str(tmp_path))
    text = wanted.read_text()
    assert requirement_names(text) == {'requests', 'urllib3'}, text
    assert re.search(r'^requests>=2\.25\.0\s+# from collection redis\.enterprise$', text, re.M), text

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as users get it: the built tarball installs and works, the
docs render, the demo runs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile

import pytest
import yaml

from runner import BIN, ROOT, TARBALL

# It depends on ansible-core itself: run on the oldest too (conftest.py).
pytestmark = pytest.mark.core


def run(args, **kwargs):
    # Without the ANSIBLE_* variables of the caller: an ANSIBLE_COLLECTIONS_PATH that
    # already holds the collection would make the install a no-op.
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    env.update(kwargs.pop('env', {}))
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False, **kwargs)


def test_built_tarball_installs_and_works(tmp_path, ansible, cluster, tarball):
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    assert {'plugins/modules/ocsp.py', 'plugins/module_utils/_api.py', 'plugins/doc_fragments/connection.py',
            'meta/runtime.yml', 'LICENSE', 'README.md', 'tests/simulator/redis_enterprise_sim.py'} <= names
    assert not [n for n in names if n.startswith(('.venv', 'build/', '.ci', '.git/'))]

    installed = tmp_path / 'installed'
    install = run(['ansible-galaxy', 'collection', 'install', '-p', str(installed), tarball], cwd=str(tmp_path),
                  env={'ANSIBLE_COLLECTIONS_PATH': str(installed)})
    assert install.returncode == 0, install.stderr
    assert (installed / 'ansible_collections' / 'redis' / 'enterprise' / 'plugins' / 'modules' / 'ocsp.py').is_file()
    doc = run(['ansible-doc', 'redis.enterprise.ocsp'], env={'ANSIBLE_COLLECTIONS_PATH': str(installed)})
    assert doc.returncode == 0, doc.stderr
    assert 'query_frequency' in doc.stdout and 'REDIS_ENTERPRISE_URL' in doc.stdout

    adhoc = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'recovery_max_tries=7'],
                    env={'ANSIBLE_COLLECTIONS_PATH': str(installed)})
    assert adhoc.rc == 0, adhoc.stdout + adhoc.stderr
    assert cluster.config['recovery_max_tries'] == 7


def tracked_files():
    return set(subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.splitlines())


def test_the_tarball_holds_tracked_files_only_and_no_stray_one(tmp_path):
    # A copy of the tracked files, with what tools leave behind in a checkout.
    copy = tmp_path / 'redis.enterprise'
    for name in tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), str(target))
    strays = ['importer_result.json', 'galaxy-importer.log', '.coverage', 'tests/output/junit.xml',
              'build/redis-enterprise-0.0.0.tar.gz', '.pytest_cache/v/cache/lastfailed',
              'plugins/modules/__pycache__/ocsp.cpython-312.pyc']
    for name in strays:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text('stray\n')
    build = run(['ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path), str(copy)],
                cwd=str(tmp_path))
    assert build.returncode == 0, build.stderr
    with tarfile.open(str(tmp_path / TARBALL)) as archive:
        names = set(member.name for member in archive.getmembers() if member.isfile())
    assert names - {'MANIFEST.json', 'FILES.json'} <= tracked_files()
    assert not [name for name in strays if name in names]
    assert {'plugins/action/ocsp.py', 'plugins/plugin_utils/_direct.py', 'requirements.txt',
            'meta/execution-environment.yml', 'CHANGELOG.rst'} <= names


@pytest.mark.files
def test_action_group_holds_every_module():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and not name.startswith('_'))
    assert sorted(runtime['action_groups']['api']) == modules
    assert runtime['requires_ansible'] == '>=2.16.0'


@pytest.mark.files
def test_demo_runs():
    demo = run([sys.executable, os.path.join(ROOT, 'tests', 'demo.py')], cwd=ROOT, timeout=300)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    # Turning stapling on: the responder asked first, then the write.
    assert 'Requests the cluster saw: GET /v1/ocsp + POST /v1/ocsp/test + PUT /v1/ocsp' in demo.stdout
    assert demo.stdout.count('changed=1') == 2 and demo.stdout.count('changed=0') == 1


def test_the_readme_ad_hoc_commands_work_against_the_simulator_it_describes(tmp_path):
    """README, "From a checkout": the simulator as `make simulator` starts it
    prints what to export; the README's ad-hoc commands then work, and fail
    where a fresh cluster makes them fail."""
    with open(os.path.join(ROOT, 'README.md')) as handle:
        readme = handle.read()
    # The walk-through's blocks (marked) are test_walkthrough.py's to run.
    commands = [line.split('#')[0].strip()
                for marker, block in re.findall(r'^(<!-- walk-through[^\n]*-->\n)?```sh\n(.*?)^```', readme, re.S | re.M)
                if not marker for line in block.splitlines() if line.startswith('ansible localhost ')]
    assert len(commands) == 4, commands
    makefile = run(['make', '-n', 'simulator'], cwd=ROOT).stdout
    assert 'tests/simulator/redis_enterprise_sim.py --cert-dir build/simulator' in makefile
    assert '--port 9443' in makefile

    env = {k: v for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_'))}
    simulator = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, 'tests', 'simulator', 'redis_enterprise_sim.py'), '--cert-dir',
         str(tmp_path / 'simulator'), '--port', '0', '--collections-path',
         os.path.join(ROOT, 'build', 'collections')], stdout=subprocess.PIPE, text=True, env=env)
    try:
        printed = []
        while not printed or printed[-1].strip() != 'Ctrl-C stops it.':
            line = simulator.stdout.readline()
            assert line, printed
            printed.append(line)
        exports = dict(shlex.split(line[len('export '):])[0].split('=', 1) for line in printed
                       if line.startswith('export '))
        assert set(exports) == {'ANSIBLE_COLLECTIONS_PATH', 'REDIS_ENTERPRISE_URL', 'REDIS_ENTERPRISE_USERNAME',
                                'REDIS_ENTERPRISE_PASSWORD', 'REDIS_ENTERPRISE_CA_PATH'}
        results = []
        for command in commands:
            env = dict(exports, ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_HOME=str(tmp_path / 'home'))
            proc = run(shlex.split(command), cwd=str(tmp_path), env=env, timeout=120)
            results.append((proc.returncode, proc.stdout))
    finally:
        simulator.send_signal(signal.SIGINT)
        assert simulator.wait(timeout=30) == 0
    assert [rc for rc, _out in results] == [0, 0, 0, 2]
    assert '"changed": true' in results[0][1] and '"response_timeout": 5' in results[0][1]
    assert '"certificate_compatible": false' in results[2][1]
    # A fresh cluster has no responder to ask: the README says so.
    assert 'no_responder_url' in results[3][1]
    assert 'Like a fresh cluster, it has no OCSP responder URL' in readme

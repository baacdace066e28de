# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook and ansible, as a user would, against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import redis_enterprise_sim as simlib
from runner import BIN, HERE, PLAYBOOKS, ROOT, Run


@pytest.fixture(scope='session')
def collections_path():
    path = os.path.join(ROOT, 'build', 'collections')
    assert os.path.isdir(os.path.join(path, 'ansible_collections', 'redis', 'enterprise', 'plugins')), \
        'run through make, which links the collection under build/collections'
    return path


@pytest.fixture
def ansible(tmp_path, simulator, sim_url, collections_path):
    """ansible(args, env=None, connection=True) -> Run.

    args start with 'ansible' or 'ansible-playbook'; a playbook may be a
    name in tests/integration/playbooks. connection=True gives the
    simulator's admin credentials through the REDIS_ENTERPRISE_* variables."""
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    record = tmp_path / 'records.jsonl'
    counter = [0]

    def run(args, env=None, connection=True, timeout=180):
        counter[0] += 1
        if record.exists():
            record.unlink()
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'))}
        full_env.update({
            'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_COLLECTIONS_PATH': collections_path,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'record',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
            'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_INVENTORY': str(inventory),
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'RECORD_FILE': str(record),
        })
        if connection:
            full_env.update({
                'REDIS_ENTERPRISE_URL': sim_url,
                'REDIS_ENTERPRISE_USERNAME': simlib.ADMIN_USER,
                'REDIS_ENTERPRISE_PASSWORD': simlib.ADMIN_PASSWORD,
                'REDIS_ENTERPRISE_CA_PATH': simulator.ca_path,
            })
        full_env.update(env or {})
        full_env = {k: v for k, v in full_env.items() if v is not None}
        args = [os.path.join(PLAYBOOKS, a) if a.endswith('.yml') and os.sep not in a else a for a in args]
        proc = subprocess.run(args, env=full_env, cwd=str(tmp_path), capture_output=True, text=True,
                              timeout=timeout, check=False)
        records = []
        if record.exists():
            records = [json.loads(line) for line in record.read_text().splitlines()]
        return Run(proc, records)

    return run

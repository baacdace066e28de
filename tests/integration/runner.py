# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs of ansible and ansible-playbook against the simulator, on either
path, what they did, and checks on it."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import yaml

import redis_enterprise_sim as simlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, 'playbooks')
BIN = os.path.dirname(sys.executable)
SECRETS = (simlib.ADMIN_PASSWORD, simlib.VIEWER_PASSWORD)
# The variable that turns direct execution off.
SWITCH = 'redis_enterprise_direct_execution'


def _version():
    """The collection's version: galaxy.yml is the one place that says it."""
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)['version']


VERSION = _version()
TARBALL = 'redis-enterprise-%s.tar.gz' % VERSION


class Run:
    """What one ansible or ansible-playbook command did."""

    def __init__(self, proc, records):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = records

    @property
    def output(self):
        return self.stdout + self.stderr + json.dumps(self.records)

    def task(self, action='redis.enterprise.ocsp', host=None):
        """The one result of the task running action (on host, in a run of
        several hosts)."""
        found = [r for r in self.records if r['action'] == action and host in (None, r['host'])]
        assert len(found) == 1, (found, self.stdout[-3000:], self.stderr[-3000:])
        return found[0]


def assert_clean_failure(run, needle, action='redis.enterprise.ocsp', host=None):
    """A failure the user can act on: the message, no traceback, no secret."""
    task = run.task(action, host)
    result = task['result']
    assert run.rc != 0
    assert task['status'] == 'failed'
    assert needle in result['msg'], result['msg']
    for bad in ('Traceback', 'MODULE FAILURE', 'module_stderr') + SECRETS:
        assert bad not in run.output, bad
    return result


# Where the collection's tasks run on the controller: in the worker (direct
# execution, the default) or as a module in a Python process of its own.
PATHS = ('direct', 'module')


def path_args(path):
    """The ansible-playbook options that choose the path."""
    return ['-e', '%s=%s' % (SWITCH, 'true' if path == 'direct' else 'false')]


def runner(tmp_path, simulator, sim_url, collections_path, path):
    """ansible(args, env=None, connection=True) -> Run, on path (direct or
    module), which ansible.path says; path None leaves the choice to the
    task's own variables.

    args start with 'ansible' or 'ansible-playbook'; a playbook may be a
    name in tests/integration/playbooks. connection=True gives the
    simulator's admin credentials through the REDIS_ENTERPRISE_* variables."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    record = tmp_path / 'records.jsonl'

    def run(args, env=None, connection=True, timeout=180):
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
            # ansible-core 2.21 returns a task's invocation only when asked;
            # the tests read it to check that secrets are masked there.
            'ANSIBLE_INJECT_INVOCATION': '1',
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
        args = args[:1] + (path_args(path) if path else []) + args[1:]
        proc = subprocess.run(args, env=full_env, cwd=str(tmp_path), capture_output=True, text=True,
                              timeout=timeout, check=False)
        records = []
        if record.exists():
            records = [json.loads(line) for line in record.read_text().splitlines()]
        return Run(proc, records)

    run.path = path
    return run


def write_inventory(path, hosts, **group_vars):
    """An inventory of hosts ({name: host variables}) on the local
    connection with the controller's Python, and group_vars for all: its path."""
    with open(path, 'w') as handle:
        json.dump({'all': {'hosts': hosts, 'vars': dict(
            {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}, **group_vars)}}, handle)
    return str(path)


# The variables of the environment a case may give that Cases.play gives to
# the task as host variables instead.
AS_HOSTVARS = {'REDIS_ENTERPRISE_URL': 'cluster_url', 'REDIS_ENTERPRISE_USERNAME': 'cluster_username',
               'REDIS_ENTERPRISE_PASSWORD': 'cluster_password'}


def as_hostvars(env):
    """The environment env as Cases' host variables, or None when a
    variable of it has none (the case then needs a run of its own)."""
    if not set(env) <= set(AS_HOSTVARS):
        return None
    return dict((AS_HOSTVARS[name], value) for name, value in env.items())


class Cases:
    """The cases of a parametrized test in one ansible-playbook run: one
    inventory host per case, each on a simulated cluster of its own (whose
    proxy certificate names an OCSP responder, as the session's does), the
    case's variables its host variables. A case's result is
    run.task(action, host=case), its cluster cases.clusters[case]."""

    def __init__(self, directory, names, collections_path, path='direct'):
        self.directory = directory
        self.names = list(names)
        self.sim = simlib.Simulator(os.path.join(directory, 'certs'), clusters=len(self.names),
                                    responder_url=simlib.RESPONDER_URL).start()
        self.clusters = dict(zip(self.names, self.sim.clusters))
        self.urls = dict(zip(self.names, self.sim.urls))
        self.ansible = runner(pathlib.Path(directory) / 'run', self.sim, self.sim.urls[0], collections_path, path)

    def stop(self):
        self.sim.stop()

    def play(self, playbook, hostvars, *options, env=None, per_host_check=False):
        """playbook (a name in tests/integration/playbooks) on every case at
        once, its plays turned to hosts: all, each host's cluster_url and
        cluster_ca its own cluster's unless hostvars give them, and
        cluster_username and cluster_password given to every task of the
        group when a host has them; per_host_check runs each task in check
        mode where the host's case_check is true."""
        with open(os.path.join(PLAYBOOKS, playbook)) as handle:
            plays = yaml.safe_load(handle)
        for play in plays:
            play['hosts'] = 'all'
            group = play.setdefault('module_defaults', {}).setdefault('group/redis.enterprise.api', {})
            group.setdefault('username', '{{ cluster_username | default(omit) }}')
            group.setdefault('password', '{{ cluster_password | default(omit) }}')
            if per_host_check:
                for task in play['tasks']:
                    task['check_mode'] = '{{ case_check | bool }}'
        batch = os.path.join(self.directory, 'cases-%s' % playbook)
        with open(batch, 'w') as handle:
            json.dump(plays, handle)
        hosts = {}
        for name in self.names:
            host = {'cluster_url': self.urls[name], 'cluster_ca': self.sim.ca_path}
            host.update(hostvars.get(name, {}))
            hosts[name] = dict((key, value) for key, value in host.items() if value is not None)
        inventory = write_inventory(os.path.join(self.directory, 'cases-inventory.json'), hosts)
        return self.ansible(['ansible-playbook', '--forks', str(min(len(self.names), 10)), batch] + list(options),
                            env=dict({'ANSIBLE_INVENTORY': inventory}, **(env or {})))

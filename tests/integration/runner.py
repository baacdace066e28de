# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an ansible or ansible-playbook run did, and checks on it."""

from __future__ import annotations

import json
import os
import sys

import yaml

import redis_enterprise_sim as simlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, 'playbooks')
BIN = os.path.dirname(sys.executable)
SECRETS = (simlib.ADMIN_PASSWORD, simlib.VIEWER_PASSWORD)


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

    def task(self, action='redis.enterprise.ocsp'):
        """The one result of the task running action."""
        found = [r for r in self.records if r['action'] == action]
        assert len(found) == 1, (found, self.stdout, self.stderr)
        return found[0]


def assert_clean_failure(run, needle, action='redis.enterprise.ocsp'):
    """A failure the user can act on: the message, no traceback, no secret."""
    task = run.task(action)
    result = task['result']
    assert run.rc != 0
    assert task['status'] == 'failed'
    assert needle in result['msg'], result['msg']
    for bad in ('Traceback', 'MODULE FAILURE', 'module_stderr') + SECRETS:
        assert bad not in run.output, bad
    return result

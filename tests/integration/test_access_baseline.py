# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/examples/access_baseline.yml over three simulated clusters, as the
guide runs it: --check --diff, for real, and again; the writes each run
makes, and no password in any output."""

from __future__ import annotations

import json
import os

import pytest

import redis_enterprise_sim as simlib
from runner import ROOT

BASELINE = os.path.join(ROOT, 'docs', 'examples', 'access_baseline.yml')
BIND_PASS = 'Ldap-B1nd-S3cret-7c2e'
SERVICE_PASSWORD = 'D3ploy-S3rvice-Pa55-91fe'
ACTIONS = ('redis.enterprise.role', 'redis.enterprise.redis_acl', 'redis.enterprise.ldap',
           'redis.enterprise.ldap_mapping', 'redis.enterprise.user')
# What a first real run writes on each cluster: two roles, two Redis ACLs, the directory, two mappings, the user.
WRITES = [('POST', '/v1/roles'), ('POST', '/v1/roles'), ('POST', '/v1/redis_acls'), ('POST', '/v1/redis_acls'),
          ('PUT', '/v1/cluster/ldap'), ('POST', '/v1/ldap_mappings'), ('POST', '/v1/ldap_mappings'),
          ('POST', '/v1/users')]
# Check mode: the calls that take a dry run are sent with it; LDAP has none, and the user's is not asked: its
# role is one the run creates, which check mode does not, so the cluster would refuse it.
DRY_RUNS = [('POST', '/v1/roles?dry_run=true'), ('POST', '/v1/roles?dry_run=true'),
            ('POST', '/v1/redis_acls?dry_run=true'), ('POST', '/v1/redis_acls?dry_run=true')]


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with simlib.Simulator(str(tmp_path_factory.mktemp('access-fleet')), clusters=3) as sim:
        yield sim


def test_the_baseline_check_then_real_then_again_on_three_clusters(ansible, fleet, tmp_path):
    for state in fleet.clusters:
        state.reset()
    inventory = tmp_path / 'redis_clusters.yml'
    hosts = dict((state.name, {'redis_url': url}) for state, url in zip(fleet.clusters, fleet.urls))
    inventory.write_text(json.dumps({'redis_clusters': {'hosts': hosts, 'vars': {'redis_ca_path': fleet.ca_path}}}))
    # From a file, as a vault file would give them: -vvvv prints the command line.
    vault = tmp_path / 'secrets.json'
    vault.write_text(json.dumps({'ldap_bind_password': BIND_PASS, 'deploy_service_password': SERVICE_PASSWORD}))
    secrets = ['-e', '@%s' % vault]
    runs = []
    for options, changed, expected in ((['--check', '--diff'], True, DRY_RUNS), (['--diff'], True, WRITES),
                                       (['--diff'], False, [])):
        for state in fleet.clusters:
            state.log.clear()
        run = ansible(['ansible-playbook', '-vvvv', '-i', str(inventory), BASELINE] + secrets + options,
                      env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None})
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        runs.append(run)
        for state in fleet.clusters:
            done = [r for r in run.records if r['host'] == state.name and r['action'] in ACTIONS]
            # A loop's record holds its items' results; each module has a record per host.
            assert sorted(set(r['action'] for r in done)) == sorted(ACTIONS), state.name
            assert all(r['result']['changed'] is changed for r in done), (state.name, options)
            assert state.writes() == expected, (state.name, options)
    # Each cluster holds the baseline once the real run is over.
    for state in fleet.clusters:
        assert {'Deploy', 'Support Engineer'} <= set(role['name'] for role in state.roles.values())
        assert sorted(mapping['name'] for mapping in state.directory.mappings.values()) == ['Operators', 'Support']
        assert state.directory.config['bind_pass'] == BIND_PASS
        assert [user['name'] for user in state.users.values()][-1] == 'Deploy Service'
    for run in runs:
        assert len(run.stdout) > 20000  # -vvvv
        for secret in (BIND_PASS, SERVICE_PASSWORD, simlib.ADMIN_PASSWORD):
            assert secret not in run.output

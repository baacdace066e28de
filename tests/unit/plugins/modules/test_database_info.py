# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What database_info asks the cluster, run in process against the simulator:
one GET for a cluster of active databases whatever their number, and the
action of each database that is not active, on /v2, on /v1 where the
cluster has no /v2, or none where the cluster no longer remembers it."""

from __future__ import annotations

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.modules import database_info

MB = 1024 ** 2


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


def pending(cluster, api, *names):
    """Databases created through the API, each pending for an hour."""
    cluster.update({'faults': {'bdb_pending': 3600}})
    for name in names:
        assert api('POST', '/v1/bdbs', json={'name': name, 'memory_size': 10 * MB}).status_code == 200
    cluster.log.clear()
    return [cluster.bdb(name)['action_uid'] for name in names]


def test_active_databases_cost_one_get_whatever_their_number(run_module, cluster, connection):
    cluster.update({'bdbs': {'count': 300}})
    cluster.log.clear()
    failed, result = run_module(database_info, connection, check=True)
    assert not failed, result
    assert len(result['databases']) == 300 and cluster.calls() == [('GET', '/v1/bdbs')]
    assert all('action' not in bdb and bdb['status'] == 'active' for bdb in result['databases'])


@pytest.mark.parametrize('versions, calls', [
    (['v1', 'v2'], ['/v2/actions/%(a)s', '/v2/actions/%(b)s']),
    # A cluster without /v2: its 404 once, then /v1 alone.
    (['v1'], ['/v2/actions/%(a)s', '/v1/actions/%(a)s', '/v1/actions/%(b)s']),
])
def test_the_action_of_each_database_not_active_one_get_each(run_module, cluster, api, connection, versions, calls):
    cluster.update({'faults': {'action_versions': versions}})
    first, second = pending(cluster, api, 'orders', 'sessions')
    failed, result = run_module(database_info, connection)
    assert not failed, result
    assert [(bdb['status'], bdb['action']['action_uid']) for bdb in result['databases']] == [
        ('pending', first), ('pending', second)]
    assert cluster.calls() == [('GET', '/v1/bdbs')] + [('GET', path % dict(a=first, b=second)) for path in calls]


def test_an_action_the_cluster_no_longer_remembers_is_none(run_module, cluster, connection):
    # A database left pending by an action that neither version knows any more.
    uid = '5f0c3a52-0000-4000-8000-00000000dead'
    cluster.update({'bdbs': [{'uid': 1, 'name': 'orders', 'status': 'pending', 'action_uid': uid}]})
    cluster.log.clear()
    failed, result = run_module(database_info, dict(connection, name='orders'))
    assert not failed, result
    (bdb,) = result['databases']
    assert bdb['status'] == 'pending' and bdb['action_uid'] == uid and bdb['action'] is None
    assert cluster.calls() == [('GET', '/v1/bdbs'), ('GET', '/v2/actions/%s' % uid), ('GET', '/v1/actions/%s' % uid)]

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The database resource's waiting and reading against the simulator, the
module run in this process: the action followed on v2 or v1, or by status
alone; a change while another runs (409 busy); wait_timeout; wait false;
what the cluster fills in; memory sizes with units."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _database
from ansible_collections.redis.enterprise.plugins.modules import database

MB = 1024 ** 2


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


def action_calls(cluster):
    return sorted(set(path.split('/')[1] for method, path in cluster.calls() if '/actions/' in path))


@pytest.mark.parametrize('versions, placement, polled', [
    (['v1', 'v2'], 'both', ['v2']),
    # A cluster without v2: v1, after v2's 404.
    (['v1'], 'both', ['v1', 'v2']),
    # The action's uid only in the database's own field.
    (['v1', 'v2'], 'bdb', ['v2']),
    # No uid anywhere: the database's status alone.
    (['v1', 'v2'], 'neither', []),
])
def test_a_create_is_waited_for_however_the_cluster_gives_its_action(run_module, cluster, connection, versions,
                                                                     placement, polled):
    cluster.update({'clock': {'speed': 50}, 'faults': {'action_versions': versions, 'action_uid_in': placement}})
    failed, result = run_module(database, dict(connection, name='orders', memory_size='64MB'))
    assert not failed, result
    assert result['database']['status'] == 'active' and cluster.bdb('orders')['status'] == 'active'
    assert action_calls(cluster) == polled


def test_a_status_no_page_names_is_still_running(run_module, cluster, connection):
    cluster.update({'clock': {'speed': 50}, 'faults': {'action_unknown_status': {'name': 'starting', 'seconds': 1}}})
    failed, result = run_module(database, dict(connection, name='orders', memory_size='64MB'))
    assert not failed and result['action']['status'] == 'completed' and result['database']['status'] == 'active'


def test_a_change_while_another_runs_is_sent_again_once_the_cluster_is_free(run_module, cluster, connection):
    # The first change is accepted and left running (wait false); the second is answered 409 busy until it ends:
    # 30 simulated seconds at speed 10, 3 s of real time however slowly the second run starts on a loaded machine.
    cluster.update({'clock': {'speed': 10}, 'faults': {'bdb_pending': 30},
                    'bdbs': [{'uid': 1, 'name': 'orders', 'memory_size': 64 * MB}]})
    failed, result = run_module(database, dict(connection, name='orders', memory_size='128MB', wait=False))
    assert not failed and result['database']['status'] == 'active-change-pending'
    # Not waited for: the action's uid, nothing of its end.
    assert set(result['action']) == {'action_uid'} and result['waited'] == 0.0
    cluster.log.clear()
    failed, result = run_module(database, dict(connection, name='orders', replication=True))
    assert not failed, result
    puts = [entry['status'] for entry in cluster.log if entry['method'] == 'PUT']
    assert puts[0] == 409 and puts[-1] == 200 and set(puts[1:-1]) <= {409}
    assert cluster.bdb('orders')['replication'] is True and cluster.bdb('orders')['memory_size'] == 128 * MB


def test_wait_timeout_says_what_was_last_seen_and_that_the_cluster_goes_on(run_module, cluster, connection):
    cluster.update({'faults': {'bdb_pending': 3600}})
    failed, result = run_module(database, dict(connection, name='orders', memory_size='64MB', wait_timeout=1))
    assert failed and result['changed'] is True
    assert result['msg'].startswith('Gave up waiting for the action') and 'after 1 seconds (wait_timeout)' in \
        result['msg']
    assert 'the cluster goes on with it. Run the task again later, or raise wait_timeout.' in result['msg']
    assert cluster.bdb('orders')['status'] == 'pending'


def test_what_the_cluster_fills_in_is_no_change(run_module, cluster, connection):
    cluster.update({'clock': {'speed': 50}, 'bdbs': [{'uid': 1, 'name': 'orders', 'memory_size': 64 * MB,
                                                      'modules': ['search']}],
                    'faults': {'bdb_numbers_as_strings': True, 'bdb_lists': 'null', 'off_contract': True}})
    cluster.log.clear()
    # Numbers as text, null for empty lists, the chosen port (answered 0), Redis 8's bundled modules.
    failed, result = run_module(database, dict(connection, name='orders', memory_size='64MB', modules=['Search'],
                                               port=cluster.bdb('orders')['port'], tags={}, shard_key_regex=[],
                                               roles_permissions=[]))
    assert not failed and result['changed'] is False, result
    assert cluster.writes() == []


@pytest.mark.parametrize('given, size', [
    (104857600, 104857600), ('104857600', 104857600), ('100MB', 100 * MB), ('1GB', 1024 * MB), ('2 GB', 2048 * MB),
    ('1TB', 1024 ** 4), ('512KB', 512 * 1024), ('10B', 10), ('1.5GB', 1536 * MB), ('0', 0),
])
def test_memory_size_is_bytes_or_a_unit_of_powers_of_1024(given, size):
    assert _database.MemorySize().sent(given, None) == size and _database.MemorySize().check(given) is None


@pytest.mark.parametrize('given', ['1gb', '100MiB', 'a lot', '-1', True, [1]])
def test_a_memory_size_of_no_unit_known_is_refused(given):
    assert 'memory_size must be a number of bytes, or a number with a unit B, KB, MB, GB or TB' in \
        _database.MemorySize().check(given)


def test_a_database_read_holds_no_secret():
    bdb = {'name': 'a', 'authentication_admin_pass': 'x1', 'authentication_redis_pass': 'x2',
           'backup_location': {'type': 's3', 'bucket_name': 'b', 'access_key_id': 'x3', 'secret_access_key': 'x4'},
           'endpoints': [{'dns_name': 'redis-1.example.test', 'port': 12000}]}
    url = {'backup_location': {'type': 'url', 'url': 'ftp://user:x5@backups.example.test/db'}}
    found = json.dumps([_database.described(bdb), _database.described(url)])
    assert not [secret for secret in ('x1', 'x2', 'x3', 'x4', 'x5', 'user:') if secret in found]
    assert _database.described(bdb)['backup_location'] == {'type': 's3', 'bucket_name': 'b'}
    assert _database.described(bdb)['endpoint_addresses'] == ['redis-1.example.test:12000']

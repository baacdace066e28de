# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's databases over HTTPS, as the REST API reference
(requests/bdbs, requests/actions, objects/bdb, objects/action), the
databases' facts sheet and, for the passwords and the per-database
certificates, the vendor's OpenAPI spec give them: the status machine and
both versions of the actions on the cluster's clock (moved, never waited
for), the normalisations of the answers, each refusal with nothing written,
dry runs, a lost answer, the permissions. Where jsonschema is installed,
every request and answer is held to the collection's declaration."""

from __future__ import annotations

import datetime
import time

import pytest
import requests

import redis_enterprise_sim as simlib
import sim_databases

VIEWER = (simlib.VIEWER_USER, simlib.VIEWER_PASSWORD)
USER_MANAGER = (simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)
MIB = 1024 ** 2
DB = {'name': 'cache-1', 'memory_size': 100 * MIB}
# The bdb fields of the facts sheet that every database answers.
FIELDS = {'uid', 'name', 'type', 'memory_size', 'port', 'endpoints', 'status', 'action_uid', 'version',
          'redis_version', 'replication', 'sharding', 'shards_count', 'shard_list', 'shard_key_regex',
          'shards_placement', 'oss_cluster', 'proxy_policy', 'data_persistence', 'aof_policy', 'snapshot_policy',
          'eviction_policy', 'module_list', 'tls_mode', 'ssl', 'enforce_client_authentication',
          'authentication_ssl_client_certs', 'roles_permissions', 'tags', 'backup', 'backup_interval',
          'backup_location', 'max_connections', 'default_user', 'resp3', 'crdt', 'authentication_admin_pass'}
# Redis 8's bundled modules as module_list names them.
BUNDLED = ['search', 'ReJSON', 'timeseries', 'bf']


@pytest.fixture(scope='module')
def contract_checker():
    try:
        import checker  # pylint: disable=import-outside-toplevel
    except ImportError:
        # ansible-test's units have no jsonschema: the behaviour is tested all the same.
        return None
    return checker.Checker()


@pytest.fixture(autouse=True)
def held_to_the_declaration(contract_checker, cluster):
    """Each test on a fresh cluster whose clock stands still (speed 0:
    only advance moves it), its requests and answers checked against the
    declaration; a test that sends what the declaration refuses takes
    those violations itself (expected_violations)."""
    cluster.update({'clock': {'speed': 0}})
    simlib.check_contract(contract_checker)
    simlib.take_violations()
    yield
    simlib.check_contract(None)
    assert simlib.take_violations() == []


def expected_violations(kind='request'):
    """The violations of a request the test sent on purpose (none without
    the checker): each of that kind, none of the simulator's answers."""
    found = simlib.take_violations()
    assert all(violation['kind'] == kind for violation in found), found
    return found


def create(api, cluster, settle=True, **fields):
    answer = api('POST', '/v1/bdbs', json=dict(DB, **fields))
    assert answer.status_code == 200, answer.text
    if settle:
        advance(cluster, cluster.faults['bdb_pending'])
    return answer.json()


def advance(cluster, seconds):
    cluster.update({'clock': {'advance': seconds}})


def error(answer):
    return answer.status_code, answer.json()['error_code']


# A fresh cluster; the clock ----------------------------------------------

def test_a_fresh_cluster_has_no_database(api, cluster):
    assert api('GET', '/v1/bdbs').json() == []
    assert api('GET', '/v1/bdbs', user=VIEWER).json() == []
    assert error(api('GET', '/v1/bdbs/1')) == (404, 'bdb_not_found')
    assert cluster.bdbs() == [] and cluster.bdb('cache-1') is None


class FakeTime:
    """The real time as the clock reads it, moved by the test."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


def test_the_clock_is_set_by_speed_advance_and_offset(simulator, sim_url, cluster, monkeypatch):
    frozen = cluster.clock.time()
    assert cluster.clock.time() == frozen
    advance(cluster, 120)
    assert cluster.clock.time() == frozen + 120
    # Through the control endpoint too, as the demo and other processes set it.
    before = time.time()
    state = requests.put(sim_url + '/_sim/state', json={'clock': {'offset': -1860}}, verify=simulator.ca_path,
                         timeout=5).json()['clock']
    shown = cluster.clock.now().timestamp()
    after = time.time()
    # Stopped at the real time of the request less 1860 s, however long the request took.
    assert before - 1860 - 1e-3 <= shown <= after - 1860 + 1e-3 and state['speed'] == 0
    assert -1860 - (after - before) - 1e-3 <= state['offset'] <= -1860 + 1e-3
    real = FakeTime()
    monkeypatch.setattr(sim_databases, 'time', real)
    cluster.update({'clock': {'speed': 50, 'offset': 0}})
    start = cluster.clock.time()
    assert start == real.now
    real.now += 2
    assert cluster.clock.time() == start + 100
    monkeypatch.undo()
    with pytest.raises(ValueError, match='only jumps forward'):
        cluster.update({'clock': {'advance': -1}})
    refused = requests.put(sim_url + '/_sim/state', json={'clock': {'speed': -1}}, verify=simulator.ca_path, timeout=5)
    assert (refused.status_code, refused.json()['error_code']) == (400, 'invalid_state')
    cluster.reset()
    before = time.time()
    shown = cluster.clock.time()
    assert cluster.clock.speed == 1 and before - 1e-3 <= shown <= time.time() + 1e-3


# Create, change, delete: the status machine on the clock ------------------

def test_a_create_is_pending_until_its_action_completes(api, cluster):
    created = create(api, cluster, settle=False)
    assert created['status'] == 'pending' and created['uid'] == 1 and created['name'] == 'cache-1'
    action = created['action_uid']
    assert api('GET', '/v1/bdbs/1').json()['action_uid'] == action
    v1, v2 = api('GET', '/v1/actions/' + action).json(), api('GET', '/v2/actions/' + action).json()
    assert (v1['status'], v2['status']) == ('pending', 'queued')
    assert v2['creation_time'] == int(cluster.clock.time()) and v2['action_type'] == 'state-machine'
    assert v2['additional_info']['object_uid'] == '1'
    advance(cluster, 1)
    assert api('GET', '/v1/actions/' + action).json()['status'] == 'active'
    assert api('GET', '/v2/actions/' + action).json()['status'] == 'running'
    assert api('GET', '/v1/bdbs/1').json()['status'] == 'pending'
    advance(cluster, 1)
    v1, v2 = api('GET', '/v1/actions/' + action).json(), api('GET', '/v2/actions/' + action).json()
    assert (v1['status'], v1['progress']) == ('completed', '100')
    assert (v2['status'], v2['progress']) == ('completed', 100.0)
    bdb = api('GET', '/v1/bdbs/1').json()
    assert bdb['status'] == 'active' and FIELDS <= set(bdb)
    assert cluster.bdb('cache-1')['status'] == 'active'


def test_a_new_database_has_the_clusters_defaults(api, cluster):
    bdb = create(api, cluster)
    # objects/bdb's defaults, and the facts sheet's.
    assert {key: bdb[key] for key in ('type', 'replication', 'sharding', 'shards_count', 'shards_placement',
                                      'oss_cluster', 'proxy_policy', 'data_persistence', 'aof_policy',
                                      'eviction_policy', 'tls_mode', 'ssl', 'enforce_client_authentication',
                                      'backup', 'backup_interval', 'max_connections', 'default_user', 'resp3',
                                      'crdt')} == {
        'type': 'redis', 'replication': False, 'sharding': False, 'shards_count': 1, 'shards_placement': 'dense',
        'oss_cluster': False, 'proxy_policy': 'single', 'data_persistence': 'disabled',
        'aof_policy': 'appendfsync-every-sec', 'eviction_policy': 'volatile-lru', 'tls_mode': 'disabled',
        'ssl': False, 'enforce_client_authentication': 'enabled', 'backup': False, 'backup_interval': 86400,
        'max_connections': 0, 'default_user': True, 'resp3': True, 'crdt': False}
    assert bdb['redis_version'] == '8.0' and bdb['version'].startswith('8.0.')
    memcached = create(api, cluster, name='sessions', type='memcached')
    assert memcached['eviction_policy'] == 'allkeys-lru' and memcached['module_list'] == []


def test_a_change_is_active_change_pending_and_a_second_write_meanwhile_is_busy(api, cluster):
    create(api, cluster)
    changed = api('PUT', '/v1/bdbs/1', json={'replication': True, 'data_persistence': 'aof'})
    assert changed.status_code == 200
    assert (changed.json()['status'], changed.json()['replication']) == ('active-change-pending', True)
    assert api('GET', '/v1/bdbs/1').json()['data_persistence'] == 'aof'
    for method, body in (('PUT', {'max_connections': 10}), ('DELETE', None)):
        assert error(api(method, '/v1/bdbs/1', json=body)) == (409, 'busy')
    assert cluster.bdb('cache-1')['max_connections'] == 0
    advance(cluster, 2)
    bdb = api('GET', '/v1/bdbs/1').json()
    assert (bdb['status'], bdb['replication'], len(bdb['shard_list'])) == ('active', True, 2)
    assert api('GET', '/v2/actions/' + changed.json()['action_uid']).json()['name'] == 'SMUpdateBDB'


def test_a_delete_is_delete_pending_then_the_database_is_gone(api, cluster):
    create(api, cluster)
    deleted = api('DELETE', '/v1/bdbs/1')
    assert deleted.status_code == 200
    action = deleted.json()['action_uid']
    assert api('GET', '/v1/bdbs/1').json()['status'] == 'delete-pending'
    assert error(api('DELETE', '/v1/bdbs/1')) == (409, 'busy')
    advance(cluster, 2)
    assert error(api('GET', '/v1/bdbs/1')) == (404, 'bdb_not_found')
    assert api('GET', '/v2/actions/' + action).json()['status'] == 'completed'
    assert cluster.bdbs() == []


def test_delete_refuses_an_internal_database_and_one_not_active(api, cluster):
    cluster.update({'bdbs': [{'name': 'internal-db', 'internal': True},
                             {'name': 'failed-db', 'status': 'creation-failed'}]})
    assert error(api('DELETE', '/v1/bdbs/1')) == (403, 'internal_bdb')
    cluster.update({'faults': {'delete_creation_failed': False}})
    assert error(api('DELETE', '/v1/bdbs/2')) == (409, 'bdb_not_active')
    assert [bdb['status'] for bdb in cluster.bdbs()] == ['active', 'creation-failed']
    cluster.update({'faults': {'delete_creation_failed': True}})
    assert api('DELETE', '/v1/bdbs/2').status_code == 200
    created = create(api, cluster, name='new-db', settle=False)
    assert error(api('DELETE', '/v1/bdbs/%d' % created['uid'])) == (409, 'busy')


def test_an_action_is_forgotten_after_a_while_and_pending_time_is_a_setting(api, cluster):
    cluster.update({'faults': {'bdb_pending': 60, 'action_forget_after': 30}})
    action = create(api, cluster, settle=False)['action_uid']
    advance(cluster, 59)
    assert api('GET', '/v1/bdbs/1').json()['status'] == 'pending'
    advance(cluster, 1)
    assert api('GET', '/v1/bdbs/1').json()['status'] == 'active'
    advance(cluster, 29)
    assert api('GET', '/v1/actions/' + action).status_code == 200
    advance(cluster, 1)
    assert error(api('GET', '/v1/actions/' + action)) == (404, 'action_not_found')
    assert error(api('GET', '/v2/actions/' + action)) == (404, 'action_not_found')


# The switches of the actions ------------------------------------------------

def test_a_cluster_without_v2_answers_404_there(api, cluster):
    cluster.update({'faults': {'action_versions': ['v1']}})
    action = create(api, cluster, settle=False)['action_uid']
    assert api('GET', '/v2/actions/' + action).status_code == 404
    assert api('GET', '/v1/actions/' + action).json()['status'] == 'pending'


@pytest.mark.parametrize('placement, in_answer, in_bdb', [
    ('both', True, True), ('answer', True, False), ('bdb', False, True), ('neither', False, False)])
def test_where_the_action_uid_appears(api, cluster, placement, in_answer, in_bdb):
    cluster.update({'faults': {'action_uid_in': placement}})
    created = create(api, cluster, settle=False)
    assert ('action_uid' in created) is in_answer
    assert ('action_uid' in api('GET', '/v1/bdbs/1').json()) is in_bdb
    advance(cluster, 2)
    assert ('action_uid' in api('DELETE', '/v1/bdbs/1').json()) is in_answer


def test_an_unknown_status_is_answered_for_a_while(api, cluster):
    cluster.update({'faults': {'action_unknown_status': {'name': 'starting', 'seconds': 1}}})
    action = create(api, cluster, settle=False)['action_uid']
    assert api('GET', '/v1/actions/' + action).json()['status'] == 'starting'
    assert api('GET', '/v2/actions/' + action).json()['status'] == 'starting'
    advance(cluster, 1)
    assert api('GET', '/v2/actions/' + action).json()['status'] == 'running'


def test_the_v2_creation_time_can_be_iso_8601(api, cluster):
    cluster.update({'faults': {'action_creation_time': 'iso'}})
    action = create(api, cluster, settle=False)['action_uid']
    answered = api('GET', '/v2/actions/' + action).json()['creation_time']
    when = datetime.datetime.strptime(answered, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    assert when.timestamp() == int(cluster.clock.time())


def test_failing_actions_leave_a_create_creation_failed_and_a_change_undone(api, cluster):
    cluster.update({'faults': {'action_fail_next': {'count': 1, 'code': 'insufficient_resources',
                                                    'error': 'No node has room for the shard'}}})
    action = create(api, cluster, settle=False)['action_uid']
    advance(cluster, 2)
    v2, v1 = api('GET', '/v2/actions/' + action).json(), api('GET', '/v1/actions/' + action).json()
    assert (v2['status'], v2['additional_info']['error']) == ('failed', 'No node has room for the shard')
    assert (v2['error_code'], v2['error_message']) == ('insufficient_resources', 'No node has room for the shard')
    assert (v1['status'], v1['error_code']) == ('failed', 'insufficient_resources')
    advance(cluster, 300)
    assert api('GET', '/v1/bdbs/1').json()['status'] == 'creation-failed'
    assert error(api('PUT', '/v1/bdbs/1', json={'max_connections': 5})) == (409, 'bdb_not_active')
    # A change that fails is taken back.
    create(api, cluster, name='cache-2')
    cluster.update({'faults': {'action_fail_next': {'count': 1}}})
    change = api('PUT', '/v1/bdbs/2', json={'max_connections': 5, 'tags': [{'key': 'team', 'value': 'web'}]})
    assert api('GET', '/v1/bdbs/2').json()['max_connections'] == 5
    advance(cluster, 2)
    bdb = api('GET', '/v1/bdbs/2').json()
    assert (bdb['status'], bdb['max_connections'], bdb['tags']) == ('active', 0, [])
    assert bdb['action_uid'] == change.json()['action_uid']
    assert api('GET', '/v2/actions/' + bdb['action_uid']).json()['status'] == 'failed'


# The normalisations of the answers -----------------------------------------

def test_a_port_the_cluster_chose_is_answered_0_beside_the_endpoint(api, cluster):
    chosen = create(api, cluster)
    assert chosen['port'] == 0
    assert [(e['dns_name'], e['port']) for e in chosen['endpoints']] == [('redis-12000.cluster.example.test', 12000)]
    given = create(api, cluster, name='cache-2', port=13000)
    assert given['port'] == 13000 and given['endpoints'][0]['port'] == 13000
    cluster.update({'faults': {'bdb_port_zero': False}})
    assert api('GET', '/v1/bdbs/1').json()['port'] == 12000


@pytest.mark.parametrize('version, given, expected', [
    ('8.0', None, BUNDLED),
    ('8.0', [{'module_name': 'search', 'module_args': 'PARTITIONS AUTO'}], BUNDLED),
    ('7.4', None, []),
    ('7.4', [{'module_name': 'ReJSON'}], ['ReJSON']),
])
def test_redis_8_adds_the_bundled_modules(api, cluster, version, given, expected):
    cluster.update({'faults': {'redis_version': version}})
    bdb = create(api, cluster, **({'module_list': given} if given else {}))
    assert [module['module_name'] for module in bdb['module_list']] == expected
    if given and given[0].get('module_args'):
        assert bdb['module_list'][0]['module_args'] == 'PARTITIONS AUTO'


def test_fields_answered_while_their_feature_is_off_and_empty_lists(api, cluster):
    bdb = create(api, cluster)
    assert (bdb['aof_policy'], bdb['backup_interval']) == ('appendfsync-every-sec', 86400)
    assert [bdb[name] for name in sim_databases.LISTS] == [[], [], [], []]
    cluster.update({'faults': {'bdb_inactive_fields': False}})
    assert not {'aof_policy', 'backup_interval'} & set(api('GET', '/v1/bdbs/1').json())
    cluster.update({'faults': {'bdb_lists': 'absent'}})
    assert not set(sim_databases.LISTS) & set(api('GET', '/v1/bdbs/1').json())
    # null breaks the declaration on purpose: the checker leaves that answer alone.
    cluster.update({'faults': {'bdb_lists': 'null'}})
    assert api('GET', '/v1/bdbs/1').json()['tags'] is None


def test_a_sharded_database_gets_the_default_rules(api, cluster):
    bdb = create(api, cluster, sharding=True, shards_count=2)
    assert bdb['shard_key_regex'] == [{'regex': '.*\\{(?<tag>.*)\\}.*'}, {'regex': '(?<tag>.*)'}]
    assert len(bdb['shard_list']) == 2


def test_numbers_as_strings_are_off_the_declaration(api, cluster):
    create(api, cluster)
    cluster.update({'faults': {'bdb_numbers_as_strings': True}})
    bdb = api('GET', '/v1/bdbs/1').json()
    assert (bdb['memory_size'], bdb['shards_count'], bdb['uid']) == ('104857600', '1', 1)
    assert api('GET', '/v1/bdbs').json()[0]['backup_interval'] == '86400'


def test_fields_limits_the_answer(api, cluster):
    create(api, cluster)
    assert api('GET', '/v1/bdbs?fields=uid,name').json() == [{'uid': 1, 'name': 'cache-1'}]
    assert api('GET', '/v1/bdbs/1?fields=status').json() == {'status': 'active'}


S3 = {'type': 's3', 'bucket_name': 'backups', 'access_key_id': 'AKIAEXAMPLE', 'secret_access_key': 'S3-s3cret-Key'}


def test_the_admin_password_is_answered_in_clear_unless_the_cluster_masks_it(api, cluster):
    bdb = create(api, cluster, backup=True, backup_location=S3)
    kept = cluster.bdb('cache-1')['authentication_admin_pass']
    assert len(kept) >= 16 and bdb['authentication_admin_pass'] == kept
    assert api('GET', '/v1/bdbs/1').json()['backup_location'] == S3
    cluster.update({'faults': {'mask_bdb_credentials': True}})
    masked = api('GET', '/v1/bdbs/1')
    assert masked.json()['authentication_admin_pass'] == sim_databases.MASK
    assert masked.json()['backup_location'] == dict(S3, access_key_id=sim_databases.MASK,
                                                    secret_access_key=sim_databases.MASK)
    assert kept not in masked.text and 'S3-s3cret-Key' not in masked.text
    sftp = {'type': 'sftp', 'sftp_url': 'sftp://backup:Sftp-Pa55@sftp.example.test/db', 'key': 'PRIVATE'}
    api('PUT', '/v1/bdbs/1', json={'backup_location': sftp})
    location = api('GET', '/v1/bdbs/1').json()['backup_location']
    assert location['sftp_url'] == 'sftp://********@sftp.example.test/db' and location['key'] == sim_databases.MASK


# Refusals: the documented codes, and nothing written ------------------------

TOO_LONG = 'a' * 64


@pytest.mark.parametrize('body, status, code, violates', [
    (dict(DB, memory_size='100MB'), 400, 'invalid_schema', True),
    (dict(DB, eviction_policy='lru'), 400, 'invalid_schema', True),
    (dict(DB, name='cache_1'), 400, 'invalid_schema', True),
    (dict(DB, name='-cache'), 400, 'invalid_schema', True),
    (dict(DB, name=TOO_LONG), 400, 'invalid_schema', True),
    (dict(DB, colour='blue'), 400, 'invalid_schema', False),
    (dict(DB, status='active'), 400, 'invalid_schema', True),
    (dict(DB, module_list=[{'module_name': 'search', 'version': 2}]), 400, 'invalid_schema', False),
    ({'memory_size': MIB}, 406, 'missing_db_name', True),
    ({'name': 'cache-1'}, 406, 'missing_memory_size', True),
    (dict(DB, memory_size=65 * 1024 ** 3), 406, 'insufficient_resources', False),
    (dict(DB, redis_version='7.2.4'), 406, 'invalid_version', False),
    (dict(DB, redis_version='6.0'), 406, 'invalid_version', False),
    (dict(DB, type='memcached', module_list=[{'module_name': 'search'}]), 406, 'memcached_cannot_use_modules',
     False),
    (dict(DB, module_list=[{'module_name': 'graph'}]), 406, 'missing_module', False),
    (dict(DB, shards_count=2), 406, 'invalid_sharding', False),
    (dict(DB, data_persistence='snapshot'), 406, 'invalid_data_persistence', False),
    (dict(DB, tags=[{'key': 'team', 'value': 'a'}, {'key': 'team', 'value': 'b'}]), 406, 'invalid_bdb_tags', False),
    (dict(DB, roles_permissions=[{'role_uid': 99, 'redis_acl_uid': 1}]), 406, 'role_not_found', False),
    (dict(DB, authentication_ssl_client_certs=[{'client_cert': 'not a certificate'}]), 406, 'invalid_certificate',
     False),
])
def test_a_create_the_cluster_refuses_writes_nothing_in_a_dry_run_or_not(api, cluster, contract_checker, body,
                                                                         status, code, violates):
    for query in ('?dry_run=true', ''):
        answer = api('POST', '/v1/bdbs' + query, json=body)
        assert error(answer) == (status, code), answer.text
        # What the declaration refuses too, it says so.
        assert bool(expected_violations()) is (violates and contract_checker is not None)
    assert cluster.bdbs() == [] and cluster.databases.actions == {}


def test_a_create_refused_for_the_port_the_uid_or_the_license(api, cluster):
    create(api, cluster, port=13000)
    assert error(api('POST', '/v1/bdbs', json=dict(DB, name='cache-2', port=13000))) == (406, 'port_unavailable')
    assert error(api('POST', '/v1/bdbs', json=dict(DB, name='cache-2', port=9443))) == (406, 'port_unavailable')
    assert error(api('POST', '/v1/bdbs', json=dict(DB, name='cache-2', uid=1))) == (409, 'uid_exists')
    cluster.update({'license': {'expires': simlib.utc_now() - datetime.timedelta(days=1)}})
    assert error(api('POST', '/v1/bdbs', json=dict(DB, name='cache-2'))) == (403, 'license_expired')
    assert error(api('PUT', '/v1/bdbs/1', json={'max_connections': 5})) == (403, 'license_expired')
    cluster.update({'license': None})
    assert error(api('POST', '/v1/bdbs?dry_run=true', json=dict(DB, name='cache-2'))) == (403, 'license_missing')
    assert [bdb['name'] for bdb in cluster.bdbs()] == ['cache-1']
    assert cluster.bdb('cache-1')['max_connections'] == 0


@pytest.mark.parametrize('held, body, status, code, said', [
    ({'sharding': True, 'shards_count': 4}, {'shards_count': 2}, 406, 'invalid_sharding', 'cannot be removed'),
    ({'sharding': True, 'shards_count': 2}, {'shards_count': 3}, 406, 'invalid_sharding', 'not a multiple'),
    ({'sharding': True, 'shards_count': 2}, {'sharding': False}, 406, 'invalid_sharding', 'cannot be turned off'),
    ({'sharding': True}, {'shard_key_regex': [{'regex': '(?<tag>.*)'}]}, 406, 'flush_required', 'flushed'),
    ({}, {'hash_slots_policy': 'legacy'}, 406, 'flush_required', 'hash_slots_policy'),
    ({}, {'type': 'memcached'}, 406, 'field_cannot_change', 'type'),
    ({}, {'port': 14000}, 406, 'field_cannot_change', 'port'),
    ({}, {'module_list': [{'module_name': 'search'}]}, 406, 'field_cannot_change', 'module_list'),
    ({}, {'redis_version': '7.4'}, 406, 'invalid_version', 'upgrade'),
    ({}, {'memory_size': 64 * 1024 ** 3 + 1}, 406, 'insufficient_resources', 'memory_size'),
    ({}, {'uid': 7}, 400, 'invalid_schema', 'uid'),
])
def test_a_change_the_cluster_refuses_writes_nothing(api, cluster, held, body, status, code, said):
    create(api, cluster, **held)
    cluster.update({'bdbs': [{'uid': 1, 'keys': 10}]})
    before = cluster.bdb('cache-1')
    for query in ('?dry_run=true', ''):
        answer = api('PUT', '/v1/bdbs/1' + query, json=body)
        assert error(answer) == (status, code) and said in answer.json()['description'], answer.text
        expected_violations()
    assert cluster.bdb('cache-1') == before
    assert cluster.writes() == [('POST', '/v1/bdbs'), ('PUT', '/v1/bdbs/1?dry_run=true'), ('PUT', '/v1/bdbs/1')]


def test_a_change_that_leaves_a_create_only_field_as_it_is_goes_through(api, cluster):
    create(api, cluster)
    answer = api('PUT', '/v1/bdbs/1', json={'port': 0, 'type': 'redis', 'module_list': [
        {'module_name': name} for name in reversed(BUNDLED)], 'redis_version': '8.0', 'max_connections': 100})
    assert answer.status_code == 200 and answer.json()['max_connections'] == 100
    # With no keys, the hashing policy changes.
    advance(cluster, 2)
    assert api('PUT', '/v1/bdbs/1', json={'hash_slots_policy': 'legacy'}).status_code == 200


def test_a_change_of_an_unknown_database_is_404(api, cluster):
    assert error(api('PUT', '/v1/bdbs/9', json={'max_connections': 1})) == (404, 'bdb_not_found')
    assert error(api('DELETE', '/v1/bdbs/9')) == (404, 'bdb_not_found')


# Dry runs, and a lost answer ------------------------------------------------

def test_a_dry_run_answers_what_it_would_and_changes_nothing(api, cluster):
    would = api('POST', '/v1/bdbs?dry_run=true', json=dict(DB, replication=True))
    assert would.status_code == 200 and would.json()['replication'] is True and 'action_uid' not in would.json()
    assert cluster.bdbs() == [] and cluster.databases.actions == {}
    create(api, cluster)
    changed = api('PUT', '/v1/bdbs/1?dry_run=true', json={'memory_size': 200 * MIB})
    assert changed.status_code == 200 and changed.json()['memory_size'] == 200 * MIB
    assert 'action_uid' not in changed.json()
    bdb = cluster.bdb('cache-1')
    assert (bdb['memory_size'], bdb['status'], len(cluster.databases.actions)) == (100 * MIB, 'active', 1)
    # DELETE takes no dry_run: a cluster ignores the parameter, and deletes.
    assert api('DELETE', '/v1/bdbs/1?dry_run=true').status_code == 200
    expected_violations()
    assert cluster.bdb('cache-1')['status'] == 'delete-pending'


@pytest.mark.parametrize('applied, created', [(True, 1), (False, 0)])
def test_a_create_whose_answer_is_lost(api, cluster, applied, created):
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'POST', 'applied': applied}}})
    with pytest.raises(requests.ConnectionError):
        api('POST', '/v1/bdbs', json=DB)
    assert len(cluster.bdbs()) == created
    assert cluster.calls()[-1] == ('POST', '/v1/bdbs')


# Passwords, never answered ------------------------------------------------

def test_the_default_users_passwords_are_kept_and_never_answered(api, cluster):
    create(api, cluster)
    first, second = 'Def4ult-pass-one', 'Def4ult-pass-two'
    assert api('PUT', '/v1/bdbs/1/passwords', json={'password': first}).status_code == 200
    answer = api('POST', '/v1/bdbs/1/passwords', json={'password': second})
    assert (answer.status_code, answer.content) == (200, b'')
    assert cluster.bdb_passwords(1) == [first, second]
    assert error(api('POST', '/v1/bdbs/1/passwords', json={'password': second})) == (406, 'password_exists')
    assert api('DELETE', '/v1/bdbs/1/passwords', json={'password': first}).status_code == 200
    assert error(api('DELETE', '/v1/bdbs/1/passwords', json={'password': first})) == (406, 'password_not_found')
    assert cluster.bdb_passwords(1) == [second]
    assert api('PUT', '/v1/bdbs/1/passwords', json={'password': first}).status_code == 200
    assert cluster.bdb_passwords(1) == [first]
    for path in ('/v1/bdbs', '/v1/bdbs/1'):
        assert first not in api('GET', path).text and second not in api('GET', path).text
    assert [bdb['passwords'] for bdb in cluster.snapshot()['bdbs']] == [[first]]
    assert error(api('PUT', '/v1/bdbs/1/passwords', json={'pass': first})) == (406, 'invalid_schema')
    expected_violations()
    assert error(api('PUT', '/v1/bdbs/9/passwords', json={'password': first})) == (404, 'bdb_not_found')


# Per-database proxy certificates ------------------------------------------

@pytest.fixture(scope='module')
def pki():
    return simlib.Pki()


def test_a_databases_certificate_as_the_spec_gives_it(api, cluster, pki):
    create(api, cluster)
    cert, key = pki.issue('cache-1.cluster.example.test', days=30)
    would = api('POST', '/v1/bdbs/1/certificates?dry_run=true', json={'cert': cert, 'private_key': key})
    assert would.status_code == 200 and 1 not in cluster.databases.certificates
    assert error(api('GET', '/v1/bdbs/1/certificates')) == (404, 'certificate_not_found')
    answer = api('POST', '/v1/bdbs/1/certificates', json={'cert': cert, 'private_key': key})
    assert answer.status_code == 200
    found = api('GET', '/v1/bdbs/1/certificates').json()
    assert found == answer.json() and set(found) == {'bdb_uid', 'cert', 'not_before', 'not_after'}
    assert found['bdb_uid'] == '1' and found['cert'] == cert
    not_after = datetime.datetime.strptime(found['not_after'], '%Y-%m-%dT%H:%M:%SZ')
    not_before = datetime.datetime.strptime(found['not_before'], '%Y-%m-%dT%H:%M:%SZ')
    assert (not_after - not_before).days == 30
    assert 'PRIVATE KEY' not in api('GET', '/v1/bdbs/certificates').text
    assert cluster.databases.certificates[1]['key'] == key
    assert api('DELETE', '/v1/bdbs/1/certificates').status_code == 200
    assert error(api('DELETE', '/v1/bdbs/1/certificates')) == (404, 'certificate_not_found')
    assert error(api('GET', '/v1/bdbs/9/certificates')) == (404, 'bdb_not_found')


def test_a_certificate_the_cluster_refuses(api, cluster, pki):
    create(api, cluster)
    cert, key = pki.issue()
    other_cert, other_key = pki.issue()
    expired_cert, expired_key = pki.expired()
    for body, status, code in (({'cert': 'junk', 'private_key': key}, 400, 'invalid_certificate'),
                               ({'cert': cert, 'private_key': other_key}, 400, 'invalid_certificate'),
                               ({'cert': expired_cert, 'private_key': expired_key}, 406, 'certificate_expired')):
        for query in ('?dry_run=true', ''):
            assert error(api('POST', '/v1/bdbs/1/certificates' + query, json=body)) == (status, code)
    assert error(api('POST', '/v1/bdbs/1/certificates', json={'cert': cert})) == (400, 'invalid_schema')
    expected_violations()
    assert error(api('POST', '/v1/bdbs/9/certificates', json={'cert': other_cert, 'private_key': other_key})) == (
        404, 'bdb_not_found')
    assert cluster.databases.certificates == {}


def test_the_list_of_certificates_filters_and_pages(api, cluster, pki):
    soon, later = pki.issue(days=10), pki.issue(days=100)
    cluster.update({'bdbs': [{'name': 'a', 'certificate': {'cert': soon[0], 'key': soon[1]}},
                             {'name': 'b', 'tls_mode': 'enabled', 'certificate': {'cert': later[0], 'key': later[1]}},
                             {'name': 'c'}]})
    listed = api('GET', '/v1/bdbs/certificates').json()
    assert [item['bdb_uid'] for item in listed] == ['1', '2']
    in_a_month = (simlib.utc_now() + datetime.timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert [i['bdb_uid'] for i in api('GET', '/v1/bdbs/certificates?expires_before=' + in_a_month).json()] == ['1']
    assert [i['bdb_uid'] for i in api('GET', '/v1/bdbs/certificates?tls_mode=enabled').json()] == ['2']
    assert [i['bdb_uid'] for i in api('GET', '/v1/bdbs/certificates?page=2&page_size=1').json()] == ['2']
    assert error(api('GET', '/v1/bdbs/certificates?expires_before=soon')) == (400, 'invalid_schema')
    assert error(api('GET', '/v1/bdbs/certificates?page=0')) == (400, 'invalid_schema')
    assert api('GET', '/v1/bdbs/certificates', user=VIEWER).status_code == 200


# Permissions ---------------------------------------------------------------

def test_the_permissions_of_the_databases(api, cluster):
    action = create(api, cluster)['action_uid']
    for user in (VIEWER, USER_MANAGER):
        assert api('GET', '/v1/bdbs', user=user).status_code == 200
        assert api('GET', '/v1/bdbs/1', user=user).status_code == 200
        assert api('GET', '/v2/actions/' + action, user=user).status_code == 200
        assert api('GET', '/v1/actions/' + action, user=user).status_code == 200
        for method, path, body in (('POST', '/v1/bdbs', dict(DB, name='x')), ('PUT', '/v1/bdbs/1', {'resp3': False}),
                                   ('DELETE', '/v1/bdbs/1', None),
                                   ('PUT', '/v1/bdbs/1/passwords', {'password': 'Pa55-word-x'}),
                                   ('DELETE', '/v1/bdbs/1/certificates', None)):
            assert error(api(method, path, user=user, json=body)) == (403, 'insufficient_permissions'), (method, path)
    # A db_member may write them.
    member = ('member@example.com', 'Memb3r-Pa55-word')
    api('POST', '/v1/users', json={'email': member[0], 'name': 'Member', 'password': member[1], 'role_uids': [4]})
    assert api('PUT', '/v1/bdbs/1', user=member, json={'resp3': False}).status_code == 200
    assert cluster.bdb('cache-1')['resp3'] is False


def test_the_declaration_names_the_holders_of_the_simulators_permissions():
    from ansible_collections.redis.enterprise.plugins.module_utils import _contract

    for permission in sim_databases.VIEWS | sim_databases.WRITES:
        holders = set(role for role, held in simlib.ROLE_PERMISSIONS.items() if permission in held)
        assert holders == set(_contract.holders(permission)), permission


# Seeds ---------------------------------------------------------------------

def test_a_thousand_databases_are_seeded_by_one_update(api, cluster):
    # How long seeding takes is benchmarks/bench_databases.py's to measure, not a test's.
    cluster.update({'bdbs': {'count': 1000, 'memory_size': 10 * MIB}})
    listed = api('GET', '/v1/bdbs?fields=name,status,endpoints')
    assert [bdb['name'] for bdb in listed.json()][::999] == ['db-0001', 'db-1000']
    assert len(set(bdb['endpoints'][0]['port'] for bdb in listed.json())) == 1000
    assert all(bdb['status'] == 'active' for bdb in listed.json())
    cluster.reset()
    assert cluster.bdbs() == []


def test_the_control_endpoint_seeds_databases_and_shows_their_secrets(simulator, sim_url, api, cluster):
    state = requests.put(sim_url + '/_sim/state', verify=simulator.ca_path, timeout=5, json={
        'bdbs': [{'name': 'orders', 'memory_size': 2 * 1024 ** 3, 'passwords': ['0rders-Pa55'], 'keys': 5},
                 {'name': 'legacy', 'redis_version': '7.2', 'port': 15000, 'status': 'creation-failed'}]}).json()
    assert [(bdb['uid'], bdb['name'], bdb['status'], bdb['keys'], bdb['passwords']) for bdb in state['bdbs']] == [
        (1, 'orders', 'active', 5, ['0rders-Pa55']), (2, 'legacy', 'creation-failed', 0, [])]
    assert state['bdbs'][0]['authentication_admin_pass'] and state['actions'] == []
    legacy = api('GET', '/v1/bdbs/2').json()
    assert (legacy['port'], legacy['module_list'], legacy['version']) == (15000, [], '7.2.7')
    assert '0rders-Pa55' not in api('GET', '/v1/bdbs').text


def test_the_declaration_finds_the_database_calls():
    from ansible_collections.redis.enterprise.plugins.module_utils import _contract

    assert _contract.permission('GET', '/v1/bdbs/3') == 'view_bdb_info'
    # The list of certificates, not a database named "certificates".
    assert _contract.permission('GET', '/v1/bdbs/certificates') == 'view_all_bdbs_info'
    assert _contract.permission('DELETE', '/v1/bdbs/3/passwords') == 'update_bdb'
    assert _contract.permission('GET', '/v2/actions/5e3f-a1') == 'view_status_of_cluster_action'
    assert _contract.takes('POST', '/v1/bdbs', 'dry_run') and _contract.takes('PUT', '/v1/bdbs/3', 'dry_run')
    assert not _contract.takes('DELETE', '/v1/bdbs/3', 'dry_run')
    assert _contract.answers_array('GET', '/v1/bdbs') and not _contract.answers_array('GET', '/v1/bdbs/3')

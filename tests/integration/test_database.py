# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.database through ansible-playbook against the simulator,
its clock sped up so that no test waits for the cluster: check, real, again
for a create and a change, with the calls of each run; every data-safety
rule refused with nothing written; a lost create answer, a failing action, a
creation-failed database; the cluster's refusals in check mode; no secret in
any output."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib

ACTION = 'redis.enterprise.database'
MB = 1024 ** 2
# A create's and a change's action stay pending 2 simulated seconds (the
# simulator's default), which at this speed pass in 40 ms.
FAST = {'clock': {'speed': 50}}


def play(tmp_path, tasks, name='databases.yml'):
    path = tmp_path / name
    path.write_text(json.dumps([{'name': 'Databases', 'hosts': 'localhost', 'gather_facts': False,
                                 'tasks': tasks}]))
    return str(path)


def one(ansible, tmp_path, arguments, *options):
    run = ansible(['ansible-playbook', play(tmp_path, [{'name': 'The database', ACTION: arguments}])]
                  + list(options))
    return run


def reads_and_writes(cluster):
    """The calls of a run: the writes (with their query), and the reads in
    order, each action poll counted once."""
    calls = cluster.calls(query=True)
    writes = [call for call in calls if call[0] != 'GET']
    reads = []
    for call in calls:
        if call[0] != 'GET':
            continue
        shown = ('GET', '/v2/actions/{uid}') if call[1].startswith('/v2/actions/') else call
        if not reads or reads[-1] != shown:
            reads.append(shown)
    return writes, reads


FIND = [('GET', '/v1/bdbs?fields=uid%2Cname')]


@pytest.mark.cycle
@pytest.mark.both_paths
def test_a_create_and_a_change_check_then_real_then_again(ansible, cluster, tmp_path):
    cluster.update(FAST)
    create = {'name': 'sessions', 'memory_size': '100MB', 'replication': True, 'eviction_policy': 'allkeys-lru',
              'tags': {'team': 'web'}}
    change = dict(create, memory_size=200 * MB, replication=False)
    for what, arguments in (('create', create), ('change', change)):
        for step, options in enumerate((['--check', '--diff'], ['--diff'], ['--diff'])):
            cluster.log.clear()
            run = one(ansible, tmp_path, arguments, *options)
            assert run.rc == 0, run.stdout[-3000:] + run.stderr
            result = run.task(ACTION)['result']
            writes, reads = reads_and_writes(cluster)
            exists = cluster.bdb('sessions')
            assert result['changed'] is (step < 2), (what, step)
            if what == 'create' and step == 0:
                # The cluster is asked in a dry run, and nothing is created.
                assert writes == [('POST', '/v1/bdbs?dry_run=true')] and reads == FIND and exists is None
                assert result['diff'] == {'before': {}, 'after': {
                    'name': 'sessions', 'memory_size': 100 * MB, 'replication': True, 'eviction_policy': 'allkeys-lru',
                    'tags': {'team': 'web'}}}
            elif what == 'create' and step == 1:
                # Created, its action followed until done, then read back active.
                assert writes == [('POST', '/v1/bdbs')]
                assert reads == FIND + [('GET', '/v2/actions/{uid}'), ('GET', '/v1/bdbs/1')]
                database = result['database']
                assert database['status'] == 'active' and database['uid'] == 1
                assert database['endpoint_addresses'] == ['redis-12000.%s:12000' % simlib.FQDN]
                assert database['memory_size'] == 100 * MB and result['action']['status'] == 'completed'
                assert exists['status'] == 'active' and exists['replication'] is True
                assert [module['module_name'] for module in database['module_list']] == [
                    'search', 'ReJSON', 'timeseries', 'bf']
            elif what == 'change' and step == 0:
                assert writes == [('PUT', '/v1/bdbs/1?dry_run=true')] and exists['memory_size'] == 100 * MB
                assert result['diff']['before'] == dict(create, memory_size=100 * MB)
                assert result['diff']['after'] == dict(change, memory_size=200 * MB)
            elif what == 'change' and step == 1:
                # One PUT of what differs, waited for.
                assert writes == [('PUT', '/v1/bdbs/1')]
                assert reads == FIND + [('GET', '/v1/bdbs/1'), ('GET', '/v2/actions/{uid}'), ('GET', '/v1/bdbs/1')]
                assert cluster.databases.received[-1] == {'memory_size': 200 * MB, 'replication': False}
                assert result['database']['memory_size'] == 200 * MB and result['database']['status'] == 'active'
            else:
                # Again: what the cluster filled in (its port, the modules of Redis 8, aof_policy...) is no change.
                assert writes == [] and reads == FIND + [('GET', '/v1/bdbs/1')]
                assert result['diff']['before'] == result['diff']['after']


REFUSALS = [
    # (task name, arguments, words of the refusal)
    ('a type of a create', {'name': 'orders', 'type': 'memcached'},
     'type is redis on the database orders (uid 1), and the task gives memcached: only a create sets it. A database '
     'does not change its type'),
    ('a port of a create', {'name': 'orders', 'port': 13000},
     'port is 12000 on the database orders (uid 1), and the task gives 13000'),
    ('a module of a create', {'name': 'orders', 'modules': ['search', 'graph']},
     'Modules are added only when a database is created'),
    ('a redis_version of a create', {'name': 'orders', 'redis_version': '7.4'},
     'A database changes its Redis version by an upgrade'),
    ('fewer shards', {'name': 'orders', 'shards_count': 1},
     'shards_count is 2 on the database orders, and the task gives 1: shards are never removed'),
    ('a shard count that is no multiple', {'name': 'orders', 'shards_count': 3},
     'a database grows by a multiple of its shard count (4, 6, ...)'),
    ('sharding turned off', {'name': 'orders', 'sharding': False},
     'sharding is on for the database orders, and the task turns it off'),
    ('a hashing policy', {'name': 'orders', 'shard_key_regex': ['(?<tag>.*)']},
     'The task changes shard_key_regex of the database orders: a change of the hashing policy needs the database '
     'flushed, which loses its data, and the module never flushes.'),
    ('a hashing policy through extra', {'name': 'orders', 'extra': {'hash_slots_policy': 'legacy'}},
     'The task changes hash_slots_policy of the database orders'),
    ('an Active-Active database removed', {'name': 'replicated', 'state': 'absent'},
     'it is an Active-Active database, which belongs to the CRDB API'),
    ('a name two databases have', {'name': 'twin', 'memory_size': '1GB'},
     'The cluster has 2 databases named twin (uids 3, 4)'),
    ('a memcached database with modules', {'name': 'new-cache', 'memory_size': '10MB', 'type': 'memcached',
                                           'modules': ['search']},
     'A memcached database takes no modules'),
    ('a create without memory_size', {'name': 'new-cache'}, 'memory_size is required to create the database new-cache'),
    ('a memory_size without its unit right', {'name': 'orders', 'memory_size': '1gb'},
     "memory_size must be a number of bytes, or a number with a unit B, KB, MB, GB or TB (powers of 1024) like 100MB "
     "or 1GB; got '1gb'."),
    ('a secret in extra', {'name': 'orders', 'extra': {'authentication_redis_pass': 'x'}},
     'extra sets authentication_redis_pass, a secret'),
    ('a credential in backup_location', {'name': 'orders', 'backup_location': {'type': 's3', 'bucket_name': 'b',
                                                                               'secret_access_key': 'x'}},
     'backup_location holds secret_access_key, a credential: give it in backup_credentials'),
    ('options with state=absent', {'name': 'orders', 'state': 'absent', 'memory_size': '1GB'},
     'state=absent removes the database by its name and takes no other option of the database; got memory_size.'),
]


@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
def test_what_would_lose_data_is_refused_with_nothing_written(ansible, cluster, tmp_path, check):
    cluster.update(dict(FAST, bdbs=[
        {'uid': 1, 'name': 'orders', 'memory_size': 1024 * MB, 'sharding': True, 'shards_count': 2, 'port': 12000,
         'modules': ['search'], 'redis_version': '8.0', 'keys': 1000},
        {'uid': 2, 'name': 'replicated', 'crdt': True, 'crdt_guid': 'a1b2'},
        {'uid': 3, 'name': 'twin'}, {'uid': 4, 'name': 'twin'}]))
    cluster.log.clear()
    tasks = [dict(name=name, ignore_errors=True, **{ACTION: arguments}) for name, arguments, dummy in REFUSALS]
    run = ansible(['ansible-playbook', play(tmp_path, tasks)] + (['--check'] if check else []))
    assert run.rc == 0, run.stdout[-3000:]
    found = dict((record['task'], record) for record in run.records)
    for name, dummy, said in REFUSALS:
        result = found[name]['result']
        assert found[name]['status'] == 'failed' and said in result['msg'], (name, result['msg'])
        assert 'Nothing was' in result['msg'] and 'Traceback' not in json.dumps(result), name
    # Not a write, not a dry run: everything was refused before.
    assert cluster.writes() == []
    orders = cluster.bdb('orders')
    assert (orders['shards_count'], orders['sharding'], orders['type']) == (2, True, 'redis')
    assert cluster.bdb('replicated') is not None


def test_a_lost_create_answer_makes_one_database_and_the_next_run_is_ok(ansible, cluster, tmp_path):
    cluster.update(dict(FAST, faults={'drop_next': {'count': 1, 'method': 'POST', 'applied': True}}))
    arguments = {'name': 'orders', 'memory_size': '100MB'}
    run = one(ansible, tmp_path, arguments)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.task(ACTION)['result']
    assert result['changed'] is True and result['database']['status'] == 'active'
    assert any('got no answer' in warning and 'it was not sent again' in warning for warning in result['warnings'])
    # Sent once, and found by its name.
    assert cluster.writes() == [('POST', '/v1/bdbs')]
    assert [bdb['name'] for bdb in cluster.bdbs()] == ['orders']
    cluster.log.clear()
    again = one(ansible, tmp_path, arguments)
    assert again.task(ACTION)['result']['changed'] is False and cluster.writes() == []


def test_a_lost_create_answer_of_a_create_that_did_not_happen_says_so_and_sends_nothing_more(ansible, cluster,
                                                                                             tmp_path):
    cluster.update(dict(FAST, faults={'drop_next': {'count': 1, 'method': 'POST', 'applied': False}}))
    run = one(ansible, tmp_path, {'name': 'orders', 'memory_size': '100MB'})
    result = run.task(ACTION)['result']
    assert run.rc != 0 and result['changed'] is True
    assert 'the create may or may not have happened, and was not sent again' in result['msg']
    assert cluster.writes() == [('POST', '/v1/bdbs')] and cluster.bdbs() == []


def test_a_failing_action_fails_the_task_and_a_creation_failed_database_is_said_on_every_run(ansible, cluster,
                                                                                             tmp_path):
    cluster.update(dict(FAST, faults={'action_fail_next': {'count': 1, 'code': 'internal_error',
                                                           'error': 'a shard did not start'}}))
    arguments = {'name': 'orders', 'memory_size': '100MB'}
    run = one(ansible, tmp_path, arguments)
    result = run.task(ACTION)['result']
    assert run.rc != 0 and result['changed'] is True
    assert 'the action' in result['msg'] and 'failed: a shard did not start. The database is creation-failed.' in \
        result['msg']
    assert result['action']['status'] == 'failed' and result['database']['status'] == 'creation-failed'
    for dummy in range(2):
        cluster.log.clear()
        again = one(ansible, tmp_path, arguments)
        said = again.task(ACTION)['result']
        assert again.rc != 0 and said['changed'] is False and cluster.writes() == []
        assert 'The database orders (uid 1) is creation-failed: its create failed' in said['msg']
    cluster.log.clear()
    gone = one(ansible, tmp_path, {'name': 'orders', 'state': 'absent'})
    assert gone.task(ACTION)['result']['changed'] is True and cluster.bdbs() == []
    assert cluster.writes() == [('DELETE', '/v1/bdbs/1')]


def test_a_failed_change_is_said_and_the_next_run_compares_with_what_the_cluster_holds(ansible, cluster, tmp_path):
    cluster.update(dict(FAST, bdbs=[{'uid': 1, 'name': 'orders', 'memory_size': 100 * MB}],
                        faults={'action_fail_next': {'count': 1, 'code': 'internal_error', 'error': 'no memory'}}))
    arguments = {'name': 'orders', 'memory_size': '200MB'}
    run = one(ansible, tmp_path, arguments)
    result = run.task(ACTION)['result']
    assert run.rc != 0 and result['changed'] is True and 'failed: no memory' in result['msg']
    assert cluster.bdb('orders')['memory_size'] == 100 * MB
    cluster.log.clear()
    again = one(ansible, tmp_path, arguments, '--diff')
    assert again.rc == 0 and again.task(ACTION)['result']['diff']['before']['memory_size'] == 100 * MB
    assert cluster.writes() == [('PUT', '/v1/bdbs/1')] and cluster.bdb('orders')['memory_size'] == 200 * MB


REFUSED_BY_THE_CLUSTER = [
    ('a port taken', {'name': 'new1', 'memory_size': '10MB', 'port': 12000}, 'port_unavailable',
     'The port the task gives is taken'),
    ('more memory than the cluster has', {'name': 'new2', 'memory_size': '10TB'}, 'insufficient_resources',
     'The cluster has not the memory'),
    ('a patch version', {'name': 'new3', 'memory_size': '10MB', 'redis_version': '6.0'}, 'invalid_version',
     'The cluster does not run this redis_version'),
]


def test_what_the_cluster_refuses_fails_check_mode_from_its_dry_run(ansible, cluster, tmp_path):
    cluster.update(dict(FAST, bdbs=[{'uid': 1, 'name': 'orders', 'port': 12000}]))
    cluster.log.clear()
    tasks = [dict(name=name, ignore_errors=True, **{ACTION: arguments})
             for name, arguments, dummy, dummy in REFUSED_BY_THE_CLUSTER]
    run = ansible(['ansible-playbook', play(tmp_path, tasks), '--check'])
    found = dict((record['task'], record['result']) for record in run.records)
    for name, dummy, code, said in REFUSED_BY_THE_CLUSTER:
        assert found[name]['error_code'] == code and said in found[name]['msg'], found[name]
        assert 'dry run of the write (check mode): nothing was written' in found[name]['msg']
    assert cluster.writes() == [('POST', '/v1/bdbs?dry_run=true')] * 3 and len(cluster.bdbs()) == 1
    # An expired license: the cluster refuses every create, and says why.
    cluster.update({'license': {'days': -1}})
    cluster.log.clear()
    run = one(ansible, tmp_path, {'name': 'new4', 'memory_size': '10MB'})
    result = run.task(ACTION)['result']
    assert result['http_status'] == 403 and "The cluster's license has expired" in result['msg']


@pytest.mark.both_paths
def test_no_secret_reaches_any_output(ansible, cluster, tmp_path):
    """The default user's password, the backup credentials and the admin
    password the cluster answers in clear, at -vvvv with --diff, in check
    mode and for real."""
    cluster.update(FAST)
    secrets = ['Db-Def4ult-Pa55-9e1f', 'AKIAEXAMPLEKEY123', 'S3cr3t/Acc3ss+Key']
    arguments = {'name': 'vault', 'memory_size': '10MB', 'default_user_password': secrets[0],
                 'backup': True, 'backup_interval': 3600,
                 'backup_location': {'type': 's3', 'bucket_name': 'backups', 'subdir': 'vault'},
                 'backup_credentials': {'access_key_id': secrets[1], 'secret_access_key': secrets[2]}}
    tasks = [{'name': 'The database', ACTION: arguments, 'register': 'made'},
             {'name': 'Show it', 'ansible.builtin.debug': {'var': 'made'}},
             {'name': 'Read it', 'redis.enterprise.database_info': {'name': 'vault'}, 'register': 'read'},
             {'name': 'Show what was read', 'ansible.builtin.debug': {'var': 'read'}}]
    for options in (['--check', '--diff'], ['--diff']):
        run = ansible(['ansible-playbook', '-vvvv', play(tmp_path, tasks)] + options)
        assert run.rc == 0, run.stdout[-3000:]
        admin_pass = [bdb['authentication_admin_pass'] for bdb in cluster.bdbs()]
        leaked = [secret for secret in secrets + admin_pass if secret in run.output]
        assert leaked == [] and len(run.stdout) > 5000  # -vvvv was verbose
    stored = cluster.bdb('vault')
    assert cluster.bdb_passwords(stored['uid']) == [secrets[0]]
    assert stored['backup_location']['secret_access_key'] == secrets[2]


def test_wait_false_returns_after_the_write_with_its_action_and_says_so(ansible, cluster, tmp_path):
    cluster.update({'faults': {'bdb_pending': 3600}})
    run = one(ansible, tmp_path, {'name': 'orders', 'memory_size': '100MB', 'wait': False})
    result = run.task(ACTION)['result']
    assert run.rc == 0 and result['changed'] is True and result['database']['status'] == 'pending'
    action_uid = result['action']['action_uid']
    (warning,) = [w for w in result['warnings'] if w.startswith('wait is false')]
    assert 'the database is pending; its action is %s' % action_uid in warning
    assert [call[1] for call in cluster.calls() if '/actions/' in call[1]] == []

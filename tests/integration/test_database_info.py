# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.database_info through ansible-playbook against the
simulator: every database or one by name, with its endpoints, status, the
action of one that is not active, shards, modules and roles_permissions by
names; as the admin and as a cluster_viewer, with the cluster's
mask_bdb_credentials off and on; no secret in any output at -vvvv."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib

ACTION = 'redis.enterprise.database_info'
MB = 1024 ** 2
VIEWER = {'username': simlib.VIEWER_USER, 'password': simlib.VIEWER_PASSWORD}
# The secrets the cluster holds beside the generated admin passwords: the
# default user's passwords, a backup location's credentials (an S3 key pair,
# a URL's password), a Replica Of source's password and TLS key.
PASSWORDS = {'cache': 'Cache-Def4ult-Pa55-1c2d', 'vault': 'Vault-Def4ult-Pa55-3e4f'}
S3_KEY_ID, S3_SECRET = 'AKIAEXAMPLEBACKUP42', 'S3cr3t/Backup+Key/7a8b'
FTP_PASSWORD = 'Ftp-Backup-Pa55-5c6d'
SOURCE_PASSWORD = 'S0urce-Pa55-9e0f'
SOURCE_KEY = ('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeReplicaSourceKey0123456789abcd\n'
              '-----END PRIVATE KEY-----\n')
# The cluster's built-in roles and Redis ACLs (redis_enterprise_sim.BUILTIN_ROLES, BUILTIN_ACLS), by uid.
ROLES = dict((uid, name) for uid, name, dummy in simlib.BUILTIN_ROLES)
ACLS = dict((uid, name) for uid, name, dummy in simlib.BUILTIN_ACLS)
SEEDED = [
    {'uid': 1, 'name': 'cache', 'memory_size': 256 * MB, 'redis_version': '7.4', 'module_list': [
        {'module_name': 'search'}], 'replication': True, 'sharding': True, 'shards_count': 2,
     'roles_permissions': [{'role_uid': 4, 'redis_acl_uid': 2}, {'role_uid': 5, 'redis_acl_uid': 3}],
     'passwords': [PASSWORDS['cache']]},
    {'uid': 2, 'name': 'vault', 'port': 12100, 'backup': True, 'backup_interval': 3600, 'backup_location': {
        'type': 's3', 'bucket_name': 'backups', 'subdir': 'vault', 'access_key_id': S3_KEY_ID,
        'secret_access_key': S3_SECRET}, 'passwords': [PASSWORDS['vault']]},
    {'uid': 3, 'name': 'archive', 'backup_location': {
        'type': 'url', 'url': 'ftp://backup:%s@backups.example.test/archive' % FTP_PASSWORD},
     # Replica Of (objects/bdb/syncer_sources): the source's URI carries its password, client_key a private key.
     'replica_sources': [{'uid': 1, 'uri': 'redis://:%s@source.example.test:12000' % SOURCE_PASSWORD,
                          'encryption': True, 'client_key': SOURCE_KEY, 'status': 'in-sync'}]},
]


def seed(cluster, api):
    """The seeded databases, then two created through the API: one whose
    create failed, one pending for an hour (each with its action)."""
    cluster.update({'bdbs': SEEDED, 'faults': {'bdb_pending': 1, 'action_fail_next': {
        'count': 1, 'code': 'internal_error', 'error': 'a shard did not start'}}})
    assert api('POST', '/v1/bdbs', json={'name': 'broken', 'memory_size': 100 * MB}).status_code == 200
    cluster.update({'faults': {'bdb_pending': 3600}})
    assert api('POST', '/v1/bdbs', json={'name': 'orders', 'memory_size': 100 * MB}).status_code == 200
    cluster.update({'clock': {'advance': 5}})
    cluster.log.clear()
    return dict((bdb['name'], bdb) for bdb in cluster.bdbs())


def info(task, register, connection=None, **options):
    return {'name': task, ACTION: dict(connection or {}, **options), 'register': register}


def show(register):
    return {'name': 'Show %s' % register, 'ansible.builtin.debug': {'var': register}}


TASKS = [
    info('Every database', 'every'), show('every'),
    info('One by name', 'one', name='orders'), show('one'),
    info('A name the cluster does not have', 'missing', name='nothing'),
    info('Every database, as a cluster_viewer', 'viewed', VIEWER), show('viewed'),
    {'name': 'The cluster masks credentials from now on', 'ansible.builtin.uri': {
        'url': "{{ lookup('ansible.builtin.env', 'REDIS_ENTERPRISE_URL') }}/_sim/state", 'method': 'PUT',
        'ca_path': "{{ lookup('ansible.builtin.env', 'REDIS_ENTERPRISE_CA_PATH') }}", 'body_format': 'json',
        'body': {'faults': {'mask_bdb_credentials': True}}},
     # The simulator answers with its whole state, the secrets it keeps among them.
     'no_log': True},
    info('Every database, masked', 'masked'), show('masked'),
    info('Every database, masked, as a cluster_viewer', 'masked_viewed', VIEWER), show('masked_viewed'),
]


@pytest.mark.cycle
@pytest.mark.both_paths
def test_every_database_or_one_without_a_secret_as_admin_and_viewer_masked_or_not(ansible, cluster, api, tmp_path):
    kept = seed(cluster, api)
    actions = dict((action['bdb_uid'], action) for action in cluster.snapshot()['actions'])
    play = tmp_path / 'database_info.yml'
    play.write_text(json.dumps([{'name': 'Databases read', 'hosts': 'localhost', 'gather_facts': False,
                                 'tasks': TASKS}]))
    run = ansible(['ansible-playbook', '-vvvv', str(play)])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    found = dict((record['task'], record['result']) for record in run.records if record['action'] == ACTION)
    assert all(result['changed'] is False for result in found.values())
    every = found['Every database']['databases']

    # Every database once, by uid, as the cluster holds it.
    assert [bdb['name'] for bdb in every] == ['cache', 'vault', 'archive', 'broken', 'orders']
    for bdb in every:
        held = kept[bdb['name']]
        assert (bdb['uid'], bdb['status'], bdb['memory_size']) == (held['uid'], held['status'], held['memory_size'])
        assert bdb['endpoint_addresses'] == ['%s:%d' % (endpoint['dns_name'], endpoint['port'])
                                             for endpoint in held['endpoints']]
        assert bdb['shard_list'] == held['shard_list'] and bdb.get('action_uid') == held.get('action_uid')
    cache, vault, archive, broken, orders = every
    # The port the cluster chose is answered as 0; its endpoint gives it.
    assert cache['port'] == 0 and cache['endpoint_addresses'] == ['redis-12000.%s:12000' % simlib.FQDN]
    assert vault['endpoint_addresses'] == ['redis-12100.%s:12100' % simlib.FQDN]
    # Two shards, each with a replica; the one module asked for on Redis 7.4.
    assert (cache['shards_count'], len(cache['shard_list'])) == (2, 4)
    assert [module['module_name'] for module in cache['module_list']] == ['search']
    assert cache['roles_permissions_by_name'] == [{'role': ROLES[4], 'redis_acl': ACLS[2]},
                                                  {'role': ROLES[5], 'redis_acl': ACLS[3]}]
    assert cache['roles_permissions_by_name'] == [{'role': 'DB Member', 'redis_acl': 'Not Dangerous'},
                                                  {'role': 'DB Viewer', 'redis_acl': 'Read Only'}]
    assert vault['roles_permissions_by_name'] == []
    # The backup locations and the Replica Of source without their credentials.
    assert vault['backup_location'] == {'type': 's3', 'bucket_name': 'backups', 'subdir': 'vault'}
    assert archive['backup_location'] == {'type': 'url', 'url': 'ftp://********@backups.example.test/archive'}
    assert archive['replica_sources'] == [{'uid': 1, 'uri': 'redis://********@source.example.test:12000',
                                           'encryption': True, 'status': 'in-sync'}]
    # A database that is not active comes with its action, as the cluster answers it.
    assert (broken['status'], orders['status']) == ('creation-failed', 'pending')
    assert broken['action']['action_uid'] == actions[broken['uid']]['uid'] == broken['action_uid']
    assert broken['action']['status'] == 'failed'
    assert broken['action']['additional_info']['error'] == 'a shard did not start'
    assert (orders['action']['action_uid'], orders['action']['status']) == (actions[orders['uid']]['uid'], 'queued')
    # An active one keeps its action_uid alone.
    assert 'action' not in cache and 'action' not in vault and 'action' not in archive

    # One by name; a name the cluster lacks: none.
    assert found['One by name']['databases'] == [orders]
    assert found['A name the cluster does not have']['databases'] == []
    # The same for a cluster_viewer, and once the cluster masks credentials.
    assert cluster.faults['mask_bdb_credentials'] is True
    for task in ('Every database, as a cluster_viewer', 'Every database, masked',
                 'Every database, masked, as a cluster_viewer'):
        assert found[task]['databases'] == every, task

    # One GET of every database a task, the names of roles and Redis ACLs where a database has
    # roles_permissions, and the action of each database that is not active.
    names = [('GET', '/v1/roles'), ('GET', '/v1/redis_acls')]
    polls = [('GET', '/v2/actions/%s' % actions[uid]['uid']) for uid in (broken['uid'], orders['uid'])]
    whole = [('GET', '/v1/bdbs')] + names + polls
    assert cluster.calls(query=True) == whole + [('GET', '/v1/bdbs'), polls[1], ('GET', '/v1/bdbs')] + whole * 3
    assert [entry['status'] for entry in cluster.log] == [200] * len(cluster.log)

    # No secret anywhere: not the admin passwords the cluster generated, not the default user's passwords, not
    # the credentials of a backup location or a Replica Of source, not a login's password.
    secrets = ([bdb['authentication_admin_pass'] for bdb in kept.values()] + list(PASSWORDS.values())
               + [S3_KEY_ID, S3_SECRET, FTP_PASSWORD, SOURCE_PASSWORD, SOURCE_KEY.split('\n')[1],
                  simlib.ADMIN_PASSWORD, simlib.VIEWER_PASSWORD])
    assert cluster.bdb_passwords(1) == [PASSWORDS['cache']] and len(set(secrets)) == len(secrets) == 14
    assert [secret for secret in secrets if secret in run.output] == []
    assert all('authentication_admin_pass' not in bdb for result in found.values() for bdb in result['databases'])
    # -vvvv was verbose, and the results were shown.
    assert run.stdout.count('redis-12100.%s:12100' % simlib.FQDN) >= 5 and len(run.stdout) > 20000

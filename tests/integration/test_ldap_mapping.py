# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ldap_mapping through ansible-playbook: check mode (no dry
run for mappings: nothing sent but reads), for real, then again; removed,
then ok; a role that does not exist refused before any write."""

from __future__ import annotations

import json

import pytest

from runner import assert_clean_failure

ACTION = 'redis.enterprise.ldap_mapping'
OPS = 'cn=redis-operators,ou=groups,dc=example,dc=test'
READS = [('GET', '/v1/ldap_mappings'), ('GET', '/v1/roles')]


def playbook(ansible, tmp_path, arguments, *options):
    play = tmp_path / 'mapping.yml'
    play.write_text(json.dumps([{'name': 'An LDAP mapping', 'hosts': 'localhost', 'gather_facts': False,
                                 'tasks': [{'name': 'The mapping', ACTION: arguments}]}]))
    return ansible(['ansible-playbook', str(play)] + list(options))


def mapping(cluster):
    found = list(cluster.directory.mappings.values())
    return found[0] if found else None


@pytest.mark.cycle
@pytest.mark.both_paths
def test_check_then_real_then_again_then_absent(ansible, cluster, tmp_path):
    present = {'name': 'Operators', 'dn': OPS, 'roles': ['Admin', 'Cluster Viewer']}
    steps = [(present, ['--check', '--diff'], True, []),
             (present, ['--diff'], True, [('POST', '/v1/ldap_mappings')]),
             (dict(present, roles=['Cluster Viewer', 'Admin']), ['--diff'], False, []),
             (dict(present, dn=OPS.upper()), ['--diff'], True, [('PUT', '/v1/ldap_mappings/1')]),
             ({'name': 'Operators', 'state': 'absent'}, ['--check'], True, []),
             ({'name': 'Operators', 'state': 'absent'}, [], True, [('DELETE', '/v1/ldap_mappings/1')]),
             ({'name': 'Operators', 'state': 'absent'}, [], False, [])]
    for step, (arguments, options, changed, writes) in enumerate(steps):
        cluster.log.clear()
        run = playbook(ansible, tmp_path, arguments, *options)
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        result = run.task(ACTION)['result']
        assert result['changed'] is changed, step
        calls = cluster.calls()
        assert [call for call in calls if call[0] != 'GET'] == writes, step
        # A removal reads the users, to know that the task does not log in through LDAP (_login).
        assert [call for call in calls if call[0] == 'GET'] == READS + ([('GET', '/v1/users')] if step in (4, 5)
                                                                        else []), step
        if step == 0:
            assert result['diff']['before'] == {} and mapping(cluster) is None
            assert sorted(result['diff']['after']['roles']) == ['Admin', 'Cluster Viewer']
        if step == 1:
            stored = mapping(cluster)
            assert stored['dn'] == OPS and sorted(stored['role_uids']) == [1, 3]
        if step == 3:
            assert result['diff']['before']['dn'] == OPS and result['diff']['after']['dn'] == OPS.upper()
            # Only what changes is sent; the roles stay as they are.
            assert mapping(cluster)['dn'] == OPS.upper() and sorted(mapping(cluster)['role_uids']) == [1, 3]
    assert mapping(cluster) is None


def test_a_role_that_does_not_exist_is_refused_before_any_write(ansible, cluster, tmp_path):
    run = playbook(ansible, tmp_path, {'name': 'Operators', 'dn': OPS, 'roles': ['Admin', 'Operatorz']})
    result = assert_clean_failure(run, 'The cluster has no role "Operatorz", which the option roles names', ACTION)
    assert 'Nothing was written' in result['msg'] and 'Cluster Viewer' in result['msg']
    assert [call for call in cluster.calls() if call[0] != 'GET'] == []
    assert mapping(cluster) is None


@pytest.mark.cycle
@pytest.mark.both_paths
def test_access_info_reads_everything_without_a_password(ansible, cluster, tmp_path):
    bind_pass = 'Bind-S3cret-Pa55-77aa'
    cluster.update({'ldap': {'config': {'uris': ['ldaps://ldap.example.test:636'], 'bind_dn': 'cn=redis',
                                        'bind_pass': bind_pass, 'control_plane': True},
                             'mappings': [{'name': 'Operators', 'dn': OPS, 'role_uids': [1, 3]}]}})
    run = ansible(['ansible', 'localhost', '-vvvv', '-m', 'redis.enterprise.access_info'])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task('redis.enterprise.access_info')['result']
    assert result['changed'] is False
    assert {'users', 'roles', 'redis_acls', 'ldap', 'ldap_mappings'} <= set(result)
    admin = [user for user in result['users'] if user['email'] == 'admin@example.com'][0]
    assert admin['roles'] == ['Admin'] and 'password' not in admin
    assert all('password' not in user for user in result['users'])
    assert result['ldap']['uris'] == ['ldaps://ldap.example.test:636'] and 'bind_pass' not in result['ldap']
    assert result['ldap_mappings'][0]['roles'] == ['Admin', 'Cluster Viewer']
    assert sorted(role['name'] for role in result['roles'])[:2] == ['Admin', 'Cluster Member']
    assert [acl['name'] for acl in result['redis_acls']][:1] == ['Full Access']
    assert cluster.calls() == [('GET', '/v1/roles'), ('GET', '/v1/cluster/ldap'), ('GET', '/v1/users'),
                               ('GET', '/v1/redis_acls'), ('GET', '/v1/ldap_mappings')]
    # Nor the masked value, nor any password the simulator knows, anywhere.
    for secret in (bind_pass, '********', 'Adm1n-S3cret-Pa55-7f3e'):
        assert secret not in run.output

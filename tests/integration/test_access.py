# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.role, redis_acl and user through ansible-playbook: check
mode first, for real, then again; the cluster's dry run as check mode's
answer; no user password in any output."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib
from runner import SECRETS

ROLE, ACL, USER = 'redis.enterprise.role', 'redis.enterprise.redis_acl', 'redis.enterprise.user'
PASSWORD = 'Jane-S3cret-Pa55-4e2a'
PRESENT = {'role_name': 'Support Engineer', 'role_management': 'cluster_viewer',
           'acl_name': 'Cache Read Write', 'acl_rule': '+@read +@write ~cache:*',
           'user_email': 'jane@example.com', 'user_name': 'Jane Doe', 'user_roles': ['DB Viewer', 'Cluster Viewer'],
           'user_alerts': ['2', '1'], 'new_password': PASSWORD}
ABSENT = {'role_name': 'Support Engineer', 'acl_name': 'Cache Read Write', 'user_email': 'jane@example.com',
          'access_state': 'absent'}
READS = [('GET', '/v1/roles'), ('GET', '/v1/redis_acls'), ('GET', '/v1/users'), ('GET', '/v1/roles')]


def playbook(ansible, variables, *options, **kwargs):
    return ansible(['ansible-playbook', 'access.yml', '-e', json.dumps(variables)] + list(options), **kwargs)


def results(run):
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    return [run.task(action)['result'] for action in (ROLE, ACL, USER)]


def reads(run_calls):
    return [call for call in run_calls if call[0] == 'GET']


@pytest.mark.cycle
@pytest.mark.both_paths
def test_check_then_real_then_again_and_absent_likewise(ansible, cluster):
    steps = [
        # (variables, options, changed, the writes the simulator sees)
        (PRESENT, ['--check', '--diff'], True, [('POST', '/v1/roles?dry_run=true'),
                                                ('POST', '/v1/redis_acls?dry_run=true'),
                                                ('POST', '/v1/users?dry_run=true')]),
        (PRESENT, ['--diff'], True, [('POST', '/v1/roles'), ('POST', '/v1/redis_acls'), ('POST', '/v1/users')]),
        (PRESENT, ['--diff'], False, []),
        # DELETE of a role takes a dry run; of a Redis ACL or a user, none.
        (ABSENT, ['--check', '--diff'], True, [('DELETE', '/v1/roles/101?dry_run=true')]),
        (ABSENT, ['--diff'], True, [('DELETE', '/v1/roles/101'), ('DELETE', '/v1/redis_acls/101'),
                                    ('DELETE', '/v1/users/5')]),
        (ABSENT, [], False, []),
    ]
    for step, (variables, options, changed, writes) in enumerate(steps):
        cluster.log.clear()
        role, acl, user = results(playbook(ansible, variables, *options))
        assert [role['changed'], acl['changed'], user['changed']] == [changed] * 3, step
        # Removing a role reads the users, to know whether the task's own user holds it (_login).
        assert reads(cluster.calls()) == (READS[:1] + [('GET', '/v1/users')] + READS[1:] if step in (3, 4)
                                          else READS), step
        assert cluster.writes() == writes, step
        exists = step in (1, 2, 3)
        assert (cluster.role('Support Engineer') is not None, cluster.acl('Cache Read Write') is not None,
                cluster.user('jane@example.com') is not None) == (exists,) * 3, step
        if step == 0:
            assert role['diff'] == {'before': {}, 'after': {'name': 'Support Engineer',
                                                            'management': 'cluster_viewer'}}
            assert acl['diff']['after'] == {'name': 'Cache Read Write', 'acl': '+@read +@write ~cache:*'}
            # The password shows as sent, never as itself.
            assert user['diff']['after'] == {'email': 'jane@example.com', 'name': 'Jane Doe',
                                             'roles': ['Cluster Viewer', 'DB Viewer'], 'bdbs_email_alerts': ['1', '2'],
                                             'user_password': '(sent by this run; never shown or compared)'}
            assert user['user'] == {'email': 'jane@example.com', 'name': 'Jane Doe', 'role_uids': [5, 3],
                                    'bdbs_email_alerts': ['2', '1']}
        if step == 1:
            assert user['user']['uid'] == 5 and user['user']['status'] == 'active' and 'password' not in user['user']
            assert cluster.user('jane@example.com')['password'] == PASSWORD
            assert role['role'] == {'uid': 101, 'name': 'Support Engineer', 'management': 'cluster_viewer'}
        if step == 2:
            # The sets compare as sets; the password, on_create, is not sent again.
            assert user['diff']['before'] == user['diff']['after']
        if step == 4:
            assert [r['diff']['after'] for r in (role, acl, user)] == [{}, {}, {}]
            assert user['diff']['before']['roles'] == ['Cluster Viewer', 'DB Viewer']


def test_a_change_sends_only_what_changes_and_always_sends_the_password(ansible, cluster):
    ansible_vars = dict(PRESENT, user_roles=['DB Viewer'], role_management='db_viewer', acl_rule='+@read ~*',
                        update_password='always', new_password='An0ther-Pa55-word')
    results(playbook(ansible, PRESENT))
    cluster.log.clear()
    for step, options in enumerate([['--check', '--diff'], ['--diff']]):
        cluster.log.clear()
        role, acl, user = results(playbook(ansible, ansible_vars, *options))
        assert role['diff']['after']['management'] == 'db_viewer' and acl['diff']['after']['acl'] == '+@read ~*'
        assert user['diff']['after']['roles'] == ['DB Viewer']
        query = '?dry_run=true' if step == 0 else ''
        assert cluster.writes() == [('PUT', '/v1/roles/101' + query), ('PUT', '/v1/redis_acls/101' + query),
                                    ('PUT', '/v1/users/5' + query)]
    assert cluster.user('jane@example.com')['password'] == 'An0ther-Pa55-word'
    assert cluster.user('jane@example.com')['role_uids'] == [5] and cluster.role('Support Engineer')['management'] == \
        'db_viewer'
    # Always: a change on every run, though nothing else differs.
    cluster.log.clear()
    role, acl, user = results(playbook(ansible, ansible_vars))
    assert (role['changed'], acl['changed'], user['changed']) == (False, False, True)
    assert cluster.writes() == [('PUT', '/v1/users/5')]


FAILING = [
    {'name': 'A role the cluster does not have', 'redis.enterprise.user': {
        'email': 'new@example.com', 'name': 'New', 'roles': ['DB Viewer', 'Operators'],
        'user_password': 'N3w-user-Pa55'}, 'ignore_errors': True},
    {'name': 'A Redis ACL rule the cluster refuses', 'redis.enterprise.redis_acl': {
        'name': 'Cache', 'acl': '+@read ~cache:* >secret'}, 'ignore_errors': True},
    {'name': 'A password the complexity rule refuses', 'redis.enterprise.user': {
        'email': 'new@example.com', 'name': 'New', 'roles': ['DB Viewer'], 'user_password': 'weakpass'},
     'ignore_errors': True},
    {'name': 'A cluster_viewer may not read the users', 'redis.enterprise.user': {
        'email': 'new@example.com', 'state': 'absent', 'username': simlib.VIEWER_USER,
        'password': simlib.VIEWER_PASSWORD}, 'ignore_errors': True},
]


@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
def test_what_the_cluster_refuses_fails_with_no_write(ansible, cluster, tmp_path, check):
    play = tmp_path / 'failing.yml'
    play.write_text(json.dumps([{'name': 'Refused', 'hosts': 'localhost', 'gather_facts': False,
                                 'module_defaults': {'group/redis.enterprise.api': {}}, 'tasks': FAILING}]))
    # As the user_manager: it holds every permission of users, roles and Redis ACLs.
    run = ansible(['ansible-playbook', str(play)] + (['--check'] if check else []),
                  env={'REDIS_ENTERPRISE_USERNAME': simlib.USER_MANAGER_USER,
                       'REDIS_ENTERPRISE_PASSWORD': simlib.USER_MANAGER_PASSWORD})
    found = dict((record['task'], record) for record in run.records)
    missing = found['A role the cluster does not have']
    said = ('The cluster has no role "Operators", which the option roles names (its roles: Admin, Cluster Member, '
            'Cluster Viewer, DB Member, DB Viewer, User Manager).')
    if check:
        # An earlier task of the run may create the role, which check mode cannot see: a warning, no dry run.
        assert missing['status'] == 'ok' and missing['result']['changed'] is True
        (warning,) = [w for w in missing['result']['warnings'] if w.startswith(said)]
        assert 'In check mode this is no failure' in warning
    else:
        assert missing['status'] == 'failed' and missing['result']['msg'].startswith(said)
    assert all(found[task['name']]['status'] == 'failed' for task in FAILING[1:]), run.stdout[-3000:]
    acl = found['A Redis ACL rule the cluster refuses']['result']
    weak = found['A password the complexity rule refuses']['result']
    assert (acl['http_status'], acl['error_code']) == (400, 'invalid_acl')
    assert (weak['http_status'], weak['error_code']) == (400, 'password_not_complex')
    assert 'unknown ACL token' in acl['msg'] and 'at least 8 characters, with a letter and a digit' in weak['msg']
    viewer = found['A cluster_viewer may not read the users']['result']
    assert viewer['http_status'] == 403
    assert ('User viewer@example.com may not GET /v1/users (HTTP 403): it needs the view_all_users_info permission, '
            'which the built-in roles admin and user_manager have.') in viewer['msg']
    query = '?dry_run=true' if check else ''
    if check:
        assert 'dry run of the write (check mode): nothing was written' in acl['msg'] + weak['msg']
    assert cluster.writes() == [('POST', '/v1/redis_acls' + query), ('POST', '/v1/users' + query)]
    assert cluster.user('new@example.com') is None and cluster.acl('Cache') is None
    assert 'weakpass' not in run.output and '>secret' not in json.dumps(weak)


@pytest.mark.both_paths
def test_no_user_password_reaches_any_output(ansible, cluster, tmp_path):
    """Every user password the tests give (created, sent always, refused),
    in everything Ansible printed at -vvvv with --diff, the callback's JSON
    and the registered results, in check mode and for real."""
    passwords = ['Cr3ated-Pa55-7a1b', 'Alw4ys-Pa55-c9d2', 'weakpass']
    play = tmp_path / 'scan.yml'
    play.write_text(json.dumps([{
        'name': 'Every user task, its results shown', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'Create', 'redis.enterprise.user': {
                'email': 'scan@example.com', 'name': 'Scan', 'roles': ['DB Viewer'], 'user_password': passwords[0]},
             'register': 'created'},
            {'name': 'Always', 'redis.enterprise.user': {
                'email': simlib.VIEWER_USER, 'user_password': passwords[1], 'update_password': 'always'},
             'register': 'always'},
            {'name': 'Refused', 'redis.enterprise.user': {
                'email': 'weak@example.com', 'name': 'Weak', 'roles': ['DB Viewer'], 'user_password': passwords[2]},
             'register': 'refused', 'ignore_errors': True},
            {'name': 'Show what was registered', 'ansible.builtin.debug': {'var': 'item'},
             'loop': ['{{ created }}', '{{ always }}', '{{ refused }}']},
        ]}]))
    runs = [ansible(['ansible-playbook', '-vvvv', str(play)] + options)
            for options in (['--check', '--diff'], ['--diff'])]
    assert [run.rc for run in runs] == [0, 0], runs[0].stdout[-3000:]
    assert len(runs[1].stdout) > 10000  # -vvvv really was verbose
    for run in runs:
        statuses = dict((r['task'], r['status']) for r in run.records if r['action'] == USER)
        assert statuses == {'Create': 'ok', 'Always': 'ok', 'Refused': 'failed'}, statuses
        leaked = [secret for secret in passwords + list(SECRETS) if secret in run.output]
        assert leaked == []
        # Not even masked: the module never puts a password in a result or a diff for ansible-core to mask.
        for record in run.records:
            if record['action'] == USER and record['status'] == 'ok':
                shown = [record['result']['user']] + list(record['result']['diff'].values())
                assert [item for item in shown if 'password' in item] == [], record['task']
                # A diff says that the password is sent, never what it is.
                assert set(item.get('user_password') for item in shown) <= {
                    None, '(sent by this run; never shown or compared)'}, record['task']
    assert cluster.user('scan@example.com')['password'] == passwords[0]
    assert cluster.user(simlib.VIEWER_USER)['password'] == passwords[1]

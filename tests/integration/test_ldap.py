# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ldap through ansible-playbook, over HTTPS, and the
simulator's LDAP mappings held to the declaration of the API."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib
from runner import SECRETS, assert_clean_failure

ACTION = 'redis.enterprise.ldap'
# Given through the environment, so that only the module can show it.
BIND_PASS = 'Bind-S3cret-LDAP-Pa55-e7c9'
NEW_BIND_PASS = 'Rotated-Bind-S3cret-Pa55-1a2b'
QUERY = {'base': 'ou=users,dc=example,dc=test', 'filter': '(uid=%u)', 'scope': 'subtree'}
GROUPS = {'base': 'ou=groups,dc=example,dc=test', 'filter': '(member=%D)', 'scope': 'one'}
URIS = ['ldaps://ldap2.example.test:636', 'ldaps://ldap1.example.test:636']
DESIRED = {
    'uris': URIS,
    'bind_dn': 'cn=redis,ou=services,dc=example,dc=test',
    'bind_pass': "{{ lookup('ansible.builtin.env', 'LDAP_BIND_PASS') }}",
    'user_dn_template': 'cn=%u,ou=users,dc=example,dc=test',
    'dn_group_attr': 'memberOf',
    'control_plane': True,
    'cache_ttl': 600,
    # The cluster's defaults already: compared, never sent.
    'starttls': False,
    'directory_timeout_s': 5,
}
# What the cluster holds once DESIRED is written, but bind_pass.
WRITTEN = dict(simlib.DEFAULT_LDAP, **dict((k, v) for k, v in DESIRED.items() if k != 'bind_pass'))
# A configuration already there, for the tests that change one.
CONFIGURED = {'uris': URIS, 'bind_dn': 'cn=redis,ou=services,dc=example,dc=test', 'bind_pass': BIND_PASS,
              'user_dn_template': 'cn=%u,ou=users,dc=example,dc=test', 'dn_group_query': GROUPS,
              'control_plane': True}
LDAP_ENV = {'LDAP_BIND_PASS': BIND_PASS}


def play(tmp_path, *tasks, name='ldap.yml'):
    """A playbook of LDAP tasks, each (task name, module args[, more keys])."""
    path = tmp_path / name
    path.write_text(json.dumps([{
        'name': 'The LDAP configuration', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [dict({'name': task[0], ACTION: task[1]}, **(task[2] if len(task) > 2 else {})) for task in tasks],
    }]))
    return str(path)


def run_ldap(ansible, tmp_path, args, *options, env=None):
    env = dict(LDAP_ENV, **(env or {}))
    return ansible(['ansible-playbook', play(tmp_path, ('LDAP', args))] + list(options), env=env)


def configure(cluster, **config):
    cluster.update({'ldap': {'config': dict(CONFIGURED, **config)}})


@pytest.mark.cycle
@pytest.mark.both_paths
def test_check_apply_again(ansible, cluster, tmp_path):
    check = run_ldap(ansible, tmp_path, DESIRED, '--check', '--diff')
    assert check.rc == 0, check.stdout + check.stderr
    result = check.task(ACTION)['result']
    assert result['changed'] is True
    assert result['diff']['before'] == simlib.DEFAULT_LDAP
    assert result['diff']['after'] == dict(WRITTEN, bind_pass='(sent by this run; never shown or compared)')
    assert result['ldap'] == WRITTEN
    assert cluster.calls() == [('GET', '/v1/cluster/ldap')]
    assert cluster.directory.config == simlib.DEFAULT_LDAP

    cluster.log.clear()
    apply = run_ldap(ansible, tmp_path, DESIRED)
    assert apply.rc == 0, apply.stdout + apply.stderr
    result = apply.task(ACTION)['result']
    assert result['changed'] is True and 'diff' not in result
    assert result['ldap'] == WRITTEN
    assert cluster.calls() == [('GET', '/v1/cluster/ldap'), ('PUT', '/v1/cluster/ldap')]
    # Only what differs, and the password, as the configuration is new.
    sent = cluster.directory.received
    assert sent == [{'uris': URIS, 'bind_dn': DESIRED['bind_dn'], 'bind_pass': BIND_PASS,
                     'user_dn_template': DESIRED['user_dn_template'], 'dn_group_attr': 'memberOf',
                     'control_plane': True, 'cache_ttl': 600}]
    assert cluster.directory.config == dict(WRITTEN, bind_pass=BIND_PASS)

    cluster.log.clear()
    again = run_ldap(ansible, tmp_path, DESIRED, '--diff')
    assert again.rc == 0, again.stdout + again.stderr
    assert again.task(ACTION)['result']['changed'] is False
    assert 'changed=0' in again.stdout
    # What the cluster holds, but the masked password it answers.
    assert again.task(ACTION)['result']['ldap'] == WRITTEN
    # The masked password answered is no reason to send the real one.
    assert cluster.calls() == [('GET', '/v1/cluster/ldap')]
    assert len(cluster.directory.received) == 1


@pytest.mark.parametrize('unset', ['absent', 'empty'])
def test_switching_to_the_other_of_a_pair_clears_the_one_held(ansible, cluster, tmp_path, unset):
    # However a cluster answers a field cleared (left out, or empty), the
    # next run finds the configuration as written.
    configure(cluster)
    cluster.update({'faults': {'ldap_unset': unset}})
    args = {'user_dn_query': QUERY, 'dn_group_attr': 'memberOf'}
    run = run_ldap(ansible, tmp_path, args, '--diff')
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is True
    assert 'user_dn_template' in result['diff']['before'] and 'user_dn_template' not in result['diff']['after']
    assert result['diff']['after']['user_dn_query'] == QUERY and 'dn_group_query' not in result['diff']['after']
    assert cluster.directory.received == [{'user_dn_query': QUERY, 'user_dn_template': '',
                                           'dn_group_attr': 'memberOf', 'dn_group_query': {}}]
    config = cluster.directory.config
    assert 'user_dn_template' not in config and config['user_dn_query'] == QUERY
    assert 'dn_group_query' not in config and config['dn_group_attr'] == 'memberOf'

    cluster.log.clear()
    again = run_ldap(ansible, tmp_path, args)
    assert again.rc == 0 and again.task(ACTION)['result']['changed'] is False
    assert cluster.calls() == [('GET', '/v1/cluster/ldap')]


def test_state_absent_removes_then_ok(ansible, cluster, tmp_path):
    configure(cluster)
    run = run_ldap(ansible, tmp_path, {'state': 'absent'}, '--diff')
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is True and result['ldap'] == {}
    assert result['diff']['after'] == {} and result['diff']['before']['uris'] == URIS
    # The users, to know that the task does not log in through LDAP (_login): it logs in as a user of the cluster.
    assert cluster.calls() == [('GET', '/v1/cluster/ldap'), ('GET', '/v1/users'), ('DELETE', '/v1/cluster/ldap')]
    assert cluster.directory.config == simlib.DEFAULT_LDAP

    cluster.log.clear()
    again = run_ldap(ansible, tmp_path, {'state': 'absent'})
    assert again.rc == 0 and again.task(ACTION)['result']['changed'] is False
    assert cluster.calls() == [('GET', '/v1/cluster/ldap')]


REFUSED = [
    ('a timeout out of range', {'directory_timeout_s': 4},
     'directory_timeout_s must be an integer from 5 to 60; got 4.'),
    ('a negative cache_ttl', {'cache_ttl': -1}, 'cache_ttl must be an integer of at least 0; got -1.'),
    ('a template and a query', {'user_dn_template': 'cn=%u', 'user_dn_query': QUERY},
     'parameters are mutually exclusive: user_dn_template|user_dn_query'),
    ('an attribute and a query', {'dn_group_attr': 'memberOf', 'dn_group_query': GROUPS},
     'parameters are mutually exclusive: dn_group_attr|dn_group_query'),
    ('a URI with a path', {'uris': ['ldaps://ldap.example.test:636/dc=example']},
     'got ldaps://ldap.example.test:636/dc=example'),
    ('a query without its filter', {'user_dn_query': {'base': 'dc=example', 'scope': 'one'}}, 'filter missing'),
    ('state absent with options', {'state': 'absent', 'cache_ttl': 300}, 'takes none of its options; got cache_ttl'),
]


def test_bad_options_are_refused_before_any_request(ansible, cluster, tmp_path):
    tasks = [(name, dict(args, bind_pass="{{ lookup('ansible.builtin.env', 'LDAP_BIND_PASS') }}"),
              {'ignore_errors': True}) for name, args, _needle in REFUSED]
    run = ansible(['ansible-playbook', play(tmp_path, *tasks)], env=LDAP_ENV)
    assert run.rc == 0, run.stdout + run.stderr
    records = dict((record['task'], record) for record in run.records if record['action'] == ACTION)
    for name, _args, needle in REFUSED:
        assert records[name]['status'] == 'failed', name
        assert needle in records[name]['result']['msg'], (name, records[name]['result']['msg'])
    assert BIND_PASS not in run.output and 'Traceback' not in run.output
    assert cluster.log == []


def test_update_bind_pass_always_sends_it_and_reports_a_change_every_run(ansible, cluster, tmp_path):
    configure(cluster)
    env = {'LDAP_BIND_PASS': NEW_BIND_PASS}
    args = {'bind_pass': DESIRED['bind_pass'], 'control_plane': True}
    # on_create, and the configuration has uris: not new, nothing sent.
    kept = run_ldap(ansible, tmp_path, args, env=env)
    assert kept.rc == 0 and kept.task(ACTION)['result']['changed'] is False
    assert cluster.directory.received == [] and cluster.directory.config['bind_pass'] == BIND_PASS
    runs = [run_ldap(ansible, tmp_path, dict(args, update_bind_pass='always'), env=env) for dummy in range(2)]
    assert [run.task(ACTION)['result']['changed'] for run in runs] == [True, True]
    assert cluster.directory.received == [{'bind_pass': NEW_BIND_PASS}] * 2
    assert cluster.directory.config['bind_pass'] == NEW_BIND_PASS
    assert cluster.count('PUT', '/v1/cluster/ldap') == 2


def test_the_user_manager_role_may_and_a_viewer_may_not(ansible, cluster, tmp_path):
    manager = {'REDIS_ENTERPRISE_USERNAME': simlib.USER_MANAGER_USER,
               'REDIS_ENTERPRISE_PASSWORD': simlib.USER_MANAGER_PASSWORD}
    run = run_ldap(ansible, tmp_path, {'uris': URIS, 'control_plane': True}, env=manager)
    assert run.rc == 0, run.stdout + run.stderr
    assert cluster.directory.config['uris'] == URIS

    viewer = {'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER, 'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}
    refused = run_ldap(ansible, tmp_path, {'state': 'absent'}, env=viewer)
    result = assert_clean_failure(refused, 'User viewer@example.com may not GET /v1/cluster/ldap (HTTP 403): it '
                                           'needs the view_ldap_config permission, which the built-in admin and '
                                           'user_manager roles hold.', ACTION)
    assert (result['http_status'], result['error_code']) == (403, 'insufficient_permissions')
    assert cluster.directory.config['uris'] == URIS


@pytest.mark.both_paths
def test_no_bind_pass_reaches_any_output(ansible, cluster, tmp_path):
    """Both passwords, in everything Ansible printed at -vvvv with --diff,
    the callback's JSON and the registered results: a new configuration in
    check mode and for real, a rotation, a refusal and a cluster's refusal."""
    secret = "{{ lookup('ansible.builtin.env', 'LDAP_BIND_PASS') }}"
    # First, so that its write is the first of each run: the cluster refuses
    # it with a message that quotes the password it was sent.
    path = play(tmp_path, ('Refused by the cluster',
                           {'bind_pass': secret, 'update_bind_pass': 'always', 'cache_ttl': 60},
                           {'register': 'answered', 'ignore_errors': True}),
                ('Enforce', DESIRED, {'register': 'enforced'}),
                ('Rotate', {'bind_pass': "{{ lookup('ansible.builtin.env', 'LDAP_NEW_BIND_PASS') }}",
                            'update_bind_pass': 'always'}, {'register': 'rotated'}),
                ('Refused here', {'bind_pass': secret, 'cache_ttl': -5},
                 {'register': 'refused', 'ignore_errors': True}),
                ('Read', {'control_plane': True}, {'register': 'read'}))
    with open(path) as handle:
        tasks = json.load(handle)
    tasks[0]['tasks'].append({'name': 'Show what was registered', 'ansible.builtin.debug': {'var': 'item'},
                              'loop': ['{{ answered }}', '{{ enforced }}', '{{ rotated }}', '{{ refused }}',
                                       '{{ read }}']})
    with open(path, 'w') as handle:
        json.dump(tasks, handle)
    env = dict(LDAP_ENV, LDAP_NEW_BIND_PASS=NEW_BIND_PASS)
    refusal = {'error_code': 'invalid_schema', 'message': 'bind_pass %s is not accepted' % BIND_PASS}
    runs = []
    for options in (['--check', '--diff'], ['--diff']):
        cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'PUT', 'path': '/v1/cluster/ldap',
                                                'status': 400, 'body': json.dumps(refusal)}}})
        runs.append(ansible(['ansible-playbook', '-vvvv', path] + options, env=env))
    assert [run.rc for run in runs] == [0] * 2, runs[0].stdout[-3000:]
    assert len(runs[1].stdout) > 20000  # -vvvv really was verbose
    for number, run in enumerate(runs):
        statuses = dict((r['task'], r['status']) for r in run.records if r['action'] == ACTION)
        # Check mode sends nothing, so nothing for the cluster to refuse.
        assert statuses == {'Refused by the cluster': 'ok' if number == 0 else 'failed', 'Enforce': 'ok',
                            'Rotate': 'ok', 'Refused here': 'failed', 'Read': 'ok'}, statuses
    answered = [r for r in runs[1].records if r['task'] == 'Refused by the cluster'][0]['result']
    assert answered['http_status'] == 400 and 'is not accepted' in answered['msg'], answered
    assert [r for r in runs[1].records if r['task'] == 'Enforce'][0]['result']['changed'] is True
    assert cluster.directory.config['bind_pass'] == NEW_BIND_PASS
    for run in runs:
        for secret_text in (BIND_PASS, NEW_BIND_PASS) + SECRETS:
            assert secret_text not in run.output


# The LDAP mappings the simulator serves, each answer held to the
# declaration (an autouse fixture fails the test on any violation).

def test_ldap_mappings_answer_as_declared(api, cluster):
    roles = dict((management, uid) for uid, dummy, management in simlib.BUILTIN_ROLES)
    created = api('POST', '/v1/ldap_mappings',
                  json={'name': 'Ops', 'dn': 'cn=ops,ou=groups,dc=example,dc=test', 'role_uids': [roles['admin']]})
    assert created.status_code == 200, created.text
    mapping = created.json()
    assert mapping['name'] == 'Ops' and mapping['email'] == '' and mapping['email_alerts'] is True
    uid = mapping['uid']
    again = api('POST', '/v1/ldap_mappings',
                json={'name': 'Ops', 'dn': 'cn=other,dc=example,dc=test', 'role_uids': [roles['db_viewer']]})
    assert again.status_code == 409
    unknown = api('POST', '/v1/ldap_mappings',
                  json={'name': 'Other', 'dn': 'cn=other,dc=example,dc=test', 'role_uids': [99]})
    assert unknown.status_code == 400
    updated = api('PUT', '/v1/ldap_mappings/%d' % uid, json={'role_uids': [roles['cluster_viewer']]})
    assert updated.status_code == 200 and updated.json()['role_uids'] == [roles['cluster_viewer']]
    listed = api('GET', '/v1/ldap_mappings')
    assert [item['uid'] for item in listed.json()] == [uid]
    manager = (simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)
    assert api('GET', '/v1/ldap_mappings', user=manager).status_code == 200
    # The permissions reference gives user_manager no view_ldap_mapping_info.
    assert api('GET', '/v1/ldap_mappings/%d' % uid, user=manager).status_code == 403
    assert api('GET', '/v1/ldap_mappings/%d' % uid).json()['dn'] == 'cn=ops,ou=groups,dc=example,dc=test'
    viewer = (simlib.VIEWER_USER, simlib.VIEWER_PASSWORD)
    assert api('DELETE', '/v1/ldap_mappings/%d' % uid, user=viewer).status_code == 403
    deleted = api('DELETE', '/v1/ldap_mappings/%d' % uid, user=manager)
    assert deleted.status_code == 200 and 'action_uid' in deleted.json()
    assert api('GET', '/v1/ldap_mappings/%d' % uid).status_code == 404
    assert api('GET', '/v1/ldap_mappings').json() == []

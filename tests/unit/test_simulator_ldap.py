# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's LDAP configuration and LDAP mappings are as strict as the
API reference makes a cluster: types, ranges, the exclusive pairs, a masked
bind_pass, a partial PUT merged, and the mappings' required fields, names
and roles."""

from __future__ import annotations

import pytest

import redis_enterprise_sim as simlib

MANAGER = (simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)
VIEWER = (simlib.VIEWER_USER, simlib.VIEWER_PASSWORD)
QUERY = {'base': 'ou=users,dc=example,dc=test', 'filter': '(uid=%u)', 'scope': 'subtree'}


def test_a_fresh_cluster_has_no_uris_and_both_planes_off(api, cluster):
    answer = api('GET', '/v1/cluster/ldap')
    assert answer.status_code == 200
    assert answer.json() == simlib.DEFAULT_LDAP and 'uris' not in answer.json()
    cluster.update({'faults': {'ldap_unset': 'empty'}})
    empty = api('GET', '/v1/cluster/ldap').json()
    assert empty['uris'] == [] and empty['user_dn_template'] == '' and empty['user_dn_query'] == {}


def test_a_put_merges_a_partial_body_and_masks_bind_pass(api, cluster):
    first = api('PUT', '/v1/cluster/ldap', json={'uris': ['ldap://ldap.example.test:389'], 'bind_pass': 'hush'})
    assert first.status_code == 200 and first.json()['bind_pass'] == simlib.BIND_PASS_MASK
    second = api('PUT', '/v1/cluster/ldap', json={'cache_ttl': 0})
    assert second.json()['uris'] == ['ldap://ldap.example.test:389'] and second.json()['cache_ttl'] == 0
    read = api('GET', '/v1/cluster/ldap').json()
    assert read['bind_pass'] == simlib.BIND_PASS_MASK and 'hush' not in str(read)
    assert cluster.directory.config['bind_pass'] == 'hush'
    assert cluster.directory.received == [{'uris': ['ldap://ldap.example.test:389'], 'bind_pass': 'hush'},
                                          {'cache_ttl': 0}]


@pytest.mark.parametrize('body', [
    {'directory_timeout_s': 4}, {'directory_timeout_s': 61}, {'cache_ttl': -1}, {'cache_ttl': '300'},
    {'control_plane': 'yes'}, {'uris': 'ldap://ldap.example.test:389'}, {'uris': ['ldap.example.test:389']},
    {'uris': ['ldaps://ldap.example.test:636/dc=x']}, {'uris': ['ldaps://ldap.example.test']},
    {'user_dn_query': {'base': 'dc=x', 'scope': 'one'}}, {'user_dn_query': dict(QUERY, scope='all')},
    {'user_dn_template': None}, {'cba_identity_source': 'subject'}, {'surprise': 1}, [],
])
def test_a_put_refuses_what_the_schema_does(api, cluster, body):
    answer = api('PUT', '/v1/cluster/ldap', json=body)
    assert (answer.status_code, answer.json()['error_code']) == (400, 'invalid_schema')
    assert cluster.directory.config == simlib.DEFAULT_LDAP


@pytest.mark.parametrize('held, sent', [
    ({'user_dn_template': 'cn=%u'}, {'user_dn_query': QUERY}),
    ({}, {'user_dn_template': 'cn=%u', 'user_dn_query': QUERY}),
    ({'dn_group_query': QUERY}, {'dn_group_attr': 'memberOf'}),
])
def test_both_of_a_pair_is_an_illegal_combination(api, cluster, held, sent):
    cluster.update({'ldap': {'config': held}})
    answer = api('PUT', '/v1/cluster/ldap', json=sent)
    assert (answer.status_code, answer.json()['error_code']) == (400, 'illegal_fields_combination')
    assert cluster.directory.config == dict(simlib.DEFAULT_LDAP, **held)


@pytest.mark.parametrize('unset', ['absent', 'empty'])
def test_an_empty_value_clears_the_other_of_a_pair(api, cluster, unset):
    cluster.update({'ldap': {'config': {'user_dn_template': 'cn=%u', 'dn_group_query': QUERY}},
                    'faults': {'ldap_unset': unset}})
    answer = api('PUT', '/v1/cluster/ldap', json={'user_dn_template': '', 'user_dn_query': QUERY,
                                                  'dn_group_query': {}, 'dn_group_attr': 'memberOf'})
    assert answer.status_code == 200, answer.text
    config = cluster.directory.config
    assert 'user_dn_template' not in config and 'dn_group_query' not in config
    assert answer.json().get('user_dn_template', '') == '' and answer.json().get('dn_group_query', {}) == {}


def test_delete_removes_the_configuration(api, cluster):
    cluster.update({'ldap': {'config': {'uris': ['ldap://ldap.example.test:389'], 'control_plane': True,
                                        'bind_pass': 'hush', 'cache_ttl': 60}}})
    answer = api('DELETE', '/v1/cluster/ldap')
    assert (answer.status_code, answer.content) == (200, b'')
    assert api('GET', '/v1/cluster/ldap').json() == simlib.DEFAULT_LDAP


@pytest.mark.parametrize('user, method, status', [
    (VIEWER, 'GET', 403), (VIEWER, 'DELETE', 403), (MANAGER, 'GET', 200), (MANAGER, 'DELETE', 200),
])
def test_the_configuration_is_the_admins_and_the_user_managers(api, cluster, user, method, status):
    assert api(method, '/v1/cluster/ldap', user=user).status_code == status


# The built-in roles' uids, by management.
ROLE_UIDS = dict((management, uid) for uid, dummy, management in simlib.BUILTIN_ROLES)


def test_mappings_need_a_name_a_dn_and_known_roles(api, cluster):
    def create(body):
        return api('POST', '/v1/ldap_mappings', json=body)
    good = {'name': 'Ops', 'dn': 'cn=ops,dc=example,dc=test', 'role_uids': [ROLE_UIDS['admin']]}
    for missing in good:
        assert create(dict((k, v) for k, v in good.items() if k != missing)).status_code == 400, missing
    assert create(dict(good, name='Ops<')).status_code == 400
    assert create(dict(good, dn='   ')).status_code == 400
    assert create(dict(good, role_uids=[])).status_code == 400
    assert create(dict(good, email='not an address')).status_code == 400
    assert create(dict(good, role_uids=[7])).json()['error_code'] == 'invalid_role_uid'
    made = create(good)
    assert made.status_code == 200 and made.json()['uid'] == 1
    assert create(good).status_code == 409
    other = create(dict(good, name='Dev', role_uids=[ROLE_UIDS['db_member']])).json()
    # Renamed onto another's name: a conflict too.
    assert api('PUT', '/v1/ldap_mappings/%d' % other['uid'], json={'name': 'Ops'}).status_code == 409
    assert api('PUT', '/v1/ldap_mappings/99', json={'name': 'Nobody'}).status_code == 404
    assert api('DELETE', '/v1/ldap_mappings/99').status_code == 404
    assert [m['name'] for m in api('GET', '/v1/ldap_mappings').json()] == ['Ops', 'Dev']


def test_the_built_in_roles_are_one_table():
    # The mappings name the roles of /v1/roles: one table, each management role once.
    assert sorted(ROLE_UIDS) == ['admin', 'cluster_member', 'cluster_viewer', 'db_member', 'db_viewer', 'user_manager']
    assert len(set(ROLE_UIDS.values())) == 6

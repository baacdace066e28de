# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The LDAP configuration's checks, comparison and partial write."""

from __future__ import annotations

import pytest

from ansible_collections.redis.enterprise.plugins.module_utils import _ldap
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError
from ansible_collections.redis.enterprise.plugins.module_utils._engine import Failure

QUERY = {'base': 'ou=users,dc=example,dc=test', 'filter': '(uid=%u)', 'scope': 'subtree'}
URIS = ['ldaps://ldap2.example.test:636', 'ldaps://ldap1.example.test:636']
# What a fresh cluster answers: defaults, no uris.
FRESH = {'control_plane': False, 'data_plane': False, 'starttls': False, 'cba': False, 'cache_ttl': 300,
         'directory_timeout_s': 5}
HELD = dict(FRESH, uris=URIS, bind_dn='cn=redis,dc=example,dc=test', user_dn_template='cn=%u,dc=example,dc=test',
            control_plane=True)


class Task:
    def __init__(self, **params):
        self.params = dict(dict.fromkeys(_ldap.FIELD_NAMES), bind_pass=None, update_bind_pass='on_create',
                           state='present')
        self.params.update(params)
        self.warnings = []
        self.check_mode = False
        self.diff = True

    def warn(self, warning):
        self.warnings.append(warning)


def plan(current, **params):
    task = Task(**params)
    made = _ldap.CONFIG.plan(task, dict(current), _ldap.CONFIG.desired(task.params))
    return made, task


def errors(**params):
    try:
        _ldap.CONFIG.desired(Task(**params).params)
    except RedisEnterpriseError as error:
        return error.msg
    return None


def test_only_what_differs_is_sent():
    made, _task = plan(HELD, uris=URIS, cache_ttl=600, control_plane=True, starttls=False)
    assert made.body == {'cache_ttl': 600}
    assert made.changed and made.after == dict(_ldap.CONFIG.writable(HELD), cache_ttl=600)


def test_the_same_configuration_is_no_change():
    made, _task = plan(HELD, uris=URIS, control_plane=True, user_dn_template=HELD['user_dn_template'])
    assert made.body == {} and not made.changed and made.before == made.after


def test_uris_are_compared_in_order():
    made, _task = plan(HELD, uris=list(reversed(URIS)))
    assert made.body == {'uris': list(reversed(URIS))}


@pytest.mark.parametrize('empty', [None, '', [], {}])
def test_a_field_answered_empty_or_not_at_all_is_none(empty):
    answered = dict(FRESH, user_dn_template=empty, uris=empty if empty != '' else [], user_dn_query=empty or {})
    answered = dict((k, v) for k, v in answered.items() if v is not None)
    assert _ldap.CONFIG.writable(answered) == FRESH


def test_setting_one_of_a_pair_clears_the_other_with_its_empty_value():
    held = dict(HELD, dn_group_query=QUERY)
    made, _task = plan(held, user_dn_query=QUERY, dn_group_attr='memberOf')
    assert made.body == {'user_dn_query': QUERY, 'user_dn_template': '', 'dn_group_attr': 'memberOf',
                         'dn_group_query': {}}
    assert 'user_dn_template' not in made.after and 'dn_group_query' not in made.after
    assert made.after['user_dn_query'] == QUERY and made.predicted['user_dn_query'] == QUERY
    # And back: the query cleared as {}.
    made, _task = plan(dict(HELD, user_dn_template=None, user_dn_query=QUERY), user_dn_template='cn=%u')
    assert made.body == {'user_dn_template': 'cn=%u', 'user_dn_query': {}}


def test_an_empty_value_clears_a_field_and_clears_nothing_else():
    made, _task = plan(HELD, user_dn_template='')
    assert made.body == {'user_dn_template': ''} and 'user_dn_template' not in made.after
    made, _task = plan(HELD, user_dn_query={'base': None, 'filter': None, 'scope': None})
    # No query held, none asked: nothing to send.
    assert made.body == {}


def test_bind_pass_is_sent_when_the_configuration_is_new():
    made, task = plan(FRESH, uris=URIS, bind_pass='hush')
    assert made.body == {'uris': URIS, 'bind_pass': 'hush'}
    assert made.after['bind_pass'] == _ldap.BIND_PASS_SENT and 'hush' not in str(made.after)
    assert 'bind_pass' not in made.predicted and task.warnings == []


def test_bind_pass_is_not_sent_once_there_are_uris_unless_always():
    made, _task = plan(HELD, bind_pass='hush')
    assert made.body == {} and not made.changed
    made, _task = plan(HELD, bind_pass='hush', update_bind_pass='always')
    assert made.body == {'bind_pass': 'hush'} and made.changed
    # The one difference the diff shows: that it is sent, never what.
    assert dict(made.after, bind_pass=None) == dict(made.before, bind_pass=None)
    assert made.after['bind_pass'] == _ldap.BIND_PASS_SENT and 'bind_pass' not in made.before


def test_bind_pass_without_uris_warns_that_it_will_be_sent_again():
    _made, task = plan(FRESH, bind_pass='hush', cache_ttl=60)
    assert len(task.warnings) == 1 and 'every run sends bind_pass again' in task.warnings[0]
    assert 'hush' not in task.warnings[0]


def test_the_masked_value_is_dropped_where_it_is_read():
    class Api:
        def get(self, path):
            return dict(HELD, bind_pass='********')
    state = _ldap.CONFIG.read(Api(), Task())
    assert 'bind_pass' not in state
    assert 'bind_pass' not in _ldap.CONFIG.writable(dict(HELD, bind_pass='********'))


@pytest.mark.parametrize('state, changed', [(HELD, True), (FRESH, False), (dict(FRESH, data_plane=True), True),
                                            (dict(FRESH, bind_dn='cn=x'), False)])
def test_absent_is_no_uris_and_both_planes_off(state, changed):
    made, _task = plan(state, state='absent')
    assert made.delete and made.changed is changed and made.after == {}


@pytest.mark.parametrize('params, message', [
    ({'directory_timeout_s': 4}, 'directory_timeout_s must be an integer from 5 to 60; got 4.'),
    ({'directory_timeout_s': 61}, 'directory_timeout_s must be an integer from 5 to 60; got 61.'),
    ({'cache_ttl': -1}, 'cache_ttl must be an integer of at least 0; got -1.'),
    ({'uris': ['ldap://ldap.example.test']}, 'got ldap://ldap.example.test.'),
    ({'uris': ['ldap://ldap.example.test:0']}, 'got ldap://ldap.example.test:0.'),
    ({'uris': ['http://ldap.example.test:389']}, 'got http://ldap.example.test:389.'),
    ({'user_dn_query': {'base': 'dc=x', 'filter': None, 'scope': 'one'}}, 'filter missing'),
    ({'dn_group_query': {'base': None, 'filter': '(x)', 'scope': None}}, 'base and scope missing'),
    ({'state': 'absent', 'bind_pass': 'hush'}, 'takes none of its options; got bind_pass.'),
])
def test_bad_options_are_refused(params, message):
    said = errors(**params)
    assert said is not None and message in said, said
    assert 'hush' not in said


@pytest.mark.parametrize('params', [
    {'cache_ttl': 0}, {'directory_timeout_s': 5}, {'directory_timeout_s': 60},
    {'uris': ['ldap://[fe80::1]:389', 'ldaps://10.0.0.1:65535']}, {'user_dn_query': QUERY}, {'uris': []},
])
def test_good_options_pass(params):
    assert errors(**params) is None


def test_a_403_names_the_permission_and_the_roles_that_hold_it():
    failure = Failure('PUT', '/v1/cluster/ldap', 403, 'insufficient_permissions', '', 1, 'viewer@example.com')
    said = _ldap.explain({}, failure)
    assert said.startswith('User viewer@example.com may not PUT /v1/cluster/ldap (HTTP 403): it needs the '
                           'config_ldap permission, which the built-in admin and user_manager roles hold.')


def test_an_illegal_combination_says_what_to_do():
    failure = Failure('PUT', '/v1/cluster/ldap', 400, 'illegal_fields_combination', ' The cluster said: no.', 1, 'a')
    said = _ldap.explain({}, failure)
    assert 'clear the other first' in said and 'The cluster said: no.' in said and 'Nothing was changed.' in said
    assert _ldap.explain({}, Failure('PUT', '/v1/cluster/ldap', 400, 'invalid_schema', '', 1, 'a')) is None

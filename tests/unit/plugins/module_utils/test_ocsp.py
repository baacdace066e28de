# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compare/merge logic of the OCSP configuration."""

from __future__ import annotations

import types

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _ocsp
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError
from ansible_collections.redis.enterprise.plugins.module_utils._engine import Plan

CURRENT = {
    'ocsp_functionality': False,
    'responder_url': 'http://ocsp.example.test',
    'query_frequency': 3600,
    'response_timeout': 1,
    'recovery_frequency': 60,
    'recovery_max_tries': 5,
}
WRITABLE = dict((k, v) for k, v in CURRENT.items() if k != 'responder_url')
# The writable fields and their ranges as the API reference gives them (the
# simulator serves the same table), never read back from the code under test.
REFERENCE = dict(simlib.RANGES, ocsp_functionality=None)


def plan(current, desired):
    """(before, after) of the OCSP configuration's plan for the options."""
    made = _ocsp.CONFIG.plan(None, current, _ocsp.CONFIG.desired(desired))
    return made.before, made.after


def range_errors(params):
    try:
        _ocsp.CONFIG.desired(params)
    except RedisEnterpriseError as error:
        return [error.msg]
    return []


def test_the_fields_and_ranges_are_the_api_references():
    fields = dict((field.name, field) for field in _ocsp.FIELDS)
    assert set(_ocsp.FIELD_NAMES) == set(REFERENCE) == set(fields)
    for name, bounds in REFERENCE.items():
        kind = 'bool' if bounds is None else 'int'
        assert (fields[name].kind, fields[name].low, fields[name].high) == (kind,) + (bounds or (None, None)), name


def test_nothing_desired_means_no_change():
    before, after = plan(CURRENT, dict.fromkeys(REFERENCE))
    assert before == after == WRITABLE


def test_desired_equal_to_current_means_no_change():
    before, after = plan(CURRENT, {'query_frequency': 3600, 'ocsp_functionality': False})
    assert before == after


def test_merge_keeps_every_writable_field_and_drops_responder_url():
    before, after = plan(CURRENT, {'response_timeout': 7, 'query_frequency': None})
    assert before == WRITABLE
    assert after == dict(WRITABLE, response_timeout=7)
    assert 'responder_url' not in after


def test_unknown_fields_from_a_newer_cluster_are_ignored():
    before, after = plan(dict(CURRENT, stapling_cache_size=42), {'response_timeout': 1})
    assert before == after == WRITABLE


def test_numbers_sent_as_strings_compare_equal():
    before, after = plan(dict(CURRENT, query_frequency='3600', ocsp_functionality='false'),
                         {'query_frequency': 3600, 'ocsp_functionality': False})
    assert before == after
    assert before['query_frequency'] == 3600


def test_missing_fields_are_not_invented():
    current = dict(CURRENT)
    del current['recovery_max_tries']
    before, after = plan(current, {'query_frequency': 7200})
    assert 'recovery_max_tries' not in before
    assert after == dict(before, query_frequency=7200)


@pytest.mark.parametrize('value, expected', [
    (True, True), (False, False), ('true', True), ('False', False), (' TRUE ', True), ('yes', True), ('off', False),
    (1, True), (0, False), ('1', True), ('enabled', True), ('Disabled', False),
])
def test_ocsp_functionality_as_a_cluster_or_rladmin_may_write_it(value, expected):
    assert _ocsp.CONFIG.writable({'ocsp_functionality': value}) == {'ocsp_functionality': expected}


@pytest.mark.parametrize('value', ['maybe', 'enabledd', 2, [True], {}])
def test_ocsp_functionality_that_is_no_boolean_is_shown_as_given_and_blocks_only_a_write_that_sends_it(value):
    # Converged: read as the cluster gave it, nothing to send.
    before, after = plan(dict(CURRENT, ocsp_functionality=value), {'query_frequency': CURRENT['query_frequency']})
    assert before['ocsp_functionality'] == after['ocsp_functionality'] == value
    # Set by the task: replaced.
    assert plan(dict(CURRENT, ocsp_functionality=value), {'ocsp_functionality': True})[1]['ocsp_functionality'] is True
    # A write of another field would have to send it back, which it cannot.
    with pytest.raises(RedisEnterpriseError) as info:
        plan(dict(CURRENT, ocsp_functionality=value), {'query_frequency': 7200})
    assert 'which is not true or false' in info.value.msg and 'Nothing was written' in info.value.msg


def test_a_field_of_the_wrong_type_is_a_clear_error_for_a_write_that_sends_it():
    with pytest.raises(RedisEnterpriseError) as info:
        plan(dict(CURRENT, query_frequency='hourly'), {'response_timeout': 5})
    assert "query_frequency='hourly'" in info.value.msg
    assert 'an integer from 60 to 86400' in info.value.msg and 'Set query_frequency in the task too' in info.value.msg


@pytest.mark.parametrize('name, value', [
    ('query_frequency', 59), ('query_frequency', 86401),
    ('response_timeout', 0), ('response_timeout', 61),
    ('recovery_frequency', 59), ('recovery_frequency', 86401),
    ('recovery_max_tries', 0), ('recovery_max_tries', 101),
])
def test_range_errors_name_the_option_and_its_range(name, value):
    errors = range_errors({name: value})
    low, high = simlib.RANGES[name]
    assert errors == ['%s must be an integer from %d to %d; got %d.' % (name, low, high, value)]


@pytest.mark.parametrize('name, low, high', [
    ('query_frequency', 60, 86400), ('response_timeout', 1, 60),
    ('recovery_frequency', 60, 86400), ('recovery_max_tries', 1, 100),
])
def test_range_bounds_are_accepted(name, low, high):
    assert range_errors({name: low}) == []
    assert range_errors({name: high}) == []


@pytest.mark.parametrize('current, after, expected', [
    ({'responder_url': ''}, {'ocsp_functionality': True}, 'Cannot turn OCSP stapling on'),
    ({'responder_url': None}, {'ocsp_functionality': True}, 'Cannot turn OCSP stapling on'),
    ({'responder_url': ''}, {'ocsp_functionality': False}, None),
    ({'responder_url': 'http://ocsp.example.test'}, {'ocsp_functionality': True}, None),
    # On already, the URL gone: the message says so, not "turn on".
    ({'responder_url': '', 'ocsp_functionality': True}, {'ocsp_functionality': True, 'query_frequency': 60},
     'OCSP stapling is on, but the cluster has no OCSP responder URL any more'),
    ({'responder_url': '', 'ocsp_functionality': 'enabled'}, {'ocsp_functionality': True},
     'OCSP stapling is on, but'),
])
def test_responder_problem_names_the_state_it_refuses(current, after, expected):
    made = Plan(_ocsp.CONFIG.writable(current), after, body=after)
    # Without the responder test, which needs a cluster to ask.
    task = types.SimpleNamespace(params={'require_good_status': False})
    if expected is None:
        assert _ocsp.CONFIG.prepare(None, task, current, made) == {}
        return
    with pytest.raises(RedisEnterpriseError) as info:
        _ocsp.CONFIG.prepare(None, task, current, made)
    assert info.value.msg.startswith(expected), info.value.msg
    assert 'no_responder_url' in info.value.msg and info.value.error_code == 'no_responder_url'


@pytest.mark.parametrize('config, seconds', [
    ({'response_timeout': 1}, 11),
    ({'response_timeout': 60}, 70),
    ({'response_timeout': '30'}, 40),
    ({}, 70),  # unknown: the longest the responder may be given
    ({'response_timeout': 'soon'}, 70),
])
def test_the_test_call_waits_for_the_queue_and_the_responder(config, seconds):
    # 5 s in the cluster's queue, then response_timeout, then a margin of 5 s.
    assert _ocsp.test_timeout(config) == seconds


@pytest.mark.parametrize('config, planned, seconds', [
    ({'response_timeout': 1}, {'response_timeout': 20}, 30),  # raised by the task: its value
    ({'response_timeout': 40}, {'response_timeout': 2}, 50),  # lowered: the cluster asks under 40 until the write
    ({'response_timeout': 1}, {'query_frequency': 900}, 11),  # not planned: the cluster's
])
def test_the_test_before_a_write_waits_for_the_larger_response_timeout(config, planned, seconds):
    assert _ocsp.test_timeout(config, planned) == seconds


@pytest.mark.parametrize('status, said', [
    ({'cert_status': 'GOOD', 'next_update_iso': '2999-01-01T00:00:00Z'}, None),
    # An answer without a next update (RFC 6960 allows it) is not out of date.
    ({'cert_status': 'GOOD', 'next_update_iso': None}, None),
    ({'cert_status': 'GOOD', 'next_update_iso': '2021-12-23T12:50:11Z'},
     'answered GOOD for the proxy certificate, but out of date: its next update was 2021-12-23T12:50:11Z'),
    ({'cert_status': 'REVOKED', 'revocation_time_iso': '2026-11-28T10:00:00Z', 'responder_url': 'http://r.test'},
     'the OCSP responder http://r.test answered REVOKED for the proxy certificate (revoked at 2026-11-28T10:00:00Z)'),
    ({'cert_status': 'UNKNOWN'}, 'answered UNKNOWN'),
    ({'cert_status': ''}, 'answered no status'),
])
def test_only_a_good_and_current_answer_is_no_problem(status, said):
    problem = _ocsp.status_problem(status)
    if said is None:
        assert problem is None
    else:
        assert said in problem[0] and problem[1].startswith(('The certificate is revoked', 'Check'))

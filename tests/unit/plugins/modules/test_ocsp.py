# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ocsp module's flow, run in process against the simulator over HTTPS."""

from __future__ import annotations

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.modules import ocsp

DESIRED = {
    'ocsp_functionality': True,
    'query_frequency': 7200,
    'response_timeout': 2,
    'recovery_frequency': 120,
    'recovery_max_tries': 10,
}
MODES = pytest.mark.parametrize('check, diff', [(False, False), (False, True), (True, False), (True, True)])


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


@MODES
def test_converged_makes_one_get_and_no_put(run_module, cluster, connection, check, diff):
    cluster.update({'config': DESIRED})
    failed, result = run_module(ocsp, dict(connection, **DESIRED), check=check, diff=diff)
    assert not failed, result
    assert result['changed'] is False
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    assert result['ocsp'] == dict(DESIRED, responder_url=simlib.RESPONDER_URL)
    assert ('diff' in result) is diff


@MODES
def test_drift_puts_every_writable_field_unless_check(run_module, cluster, connection, check, diff):
    failed, result = run_module(ocsp, dict(connection, response_timeout=9), check=check, diff=diff)
    assert not failed, result
    assert result['changed'] is True
    expected = dict(simlib.DEFAULT_CONFIG, response_timeout=9)
    assert result['ocsp'] == dict(expected, responder_url=simlib.RESPONDER_URL)
    methods = [r['method'] for r in cluster.log]
    assert methods == (['GET'] if check else ['GET', 'PUT'])
    assert cluster.config['response_timeout'] == (1 if check else 9)
    if diff:
        assert result['diff'] == {'before': simlib.DEFAULT_CONFIG, 'after': expected}
    else:
        assert 'diff' not in result


def test_put_body_survives_a_cluster_that_resets_omitted_fields(run_module, cluster, connection):
    cluster.update({'config': {'query_frequency': 600, 'recovery_max_tries': 50}, 'faults': {'reset_omitted': True}})
    failed, result = run_module(ocsp, dict(connection, response_timeout=3))
    assert not failed, result
    assert cluster.config['query_frequency'] == 600
    assert cluster.config['recovery_max_tries'] == 50
    assert cluster.config['response_timeout'] == 3


@pytest.mark.parametrize('check', [False, True])
def test_turning_on_without_responder_url_fails_before_put(run_module, cluster, connection, check):
    cluster.update({'config': {'responder_url': ''}})
    failed, result = run_module(ocsp, dict(connection, ocsp_functionality=True), check=check)
    assert failed
    assert result['error_code'] == 'no_responder_url'
    assert 'no_responder_url' in result['msg'] and 'own Authority Information Access' in result['msg']
    assert [r['method'] for r in cluster.log] == ['GET']
    assert cluster.config['ocsp_functionality'] is False


def test_turning_off_without_responder_url_works(run_module, cluster, connection):
    cluster.update({'config': {'responder_url': '', 'ocsp_functionality': True}})
    failed, result = run_module(ocsp, dict(connection, ocsp_functionality=False))
    assert not failed, result
    assert result['changed'] is True
    assert cluster.config['ocsp_functionality'] is False


@pytest.mark.parametrize('args, needle', [
    ({'query_frequency': 59}, 'query_frequency must be an integer from 60 to 86400; got 59.'),
    ({'response_timeout': 61}, 'response_timeout must be an integer from 1 to 60; got 61.'),
    ({'recovery_frequency': 100000}, 'recovery_frequency must be an integer from 60 to 86400; got 100000.'),
    ({'recovery_max_tries': 0}, 'recovery_max_tries must be an integer from 1 to 100; got 0.'),
    ({'query_frequency': 'hourly'}, 'query_frequency must be an integer from 60 to 86400.'),
    ({'ocsp_functionality': 'maybe'}, 'ocsp_functionality must be true or false.'),
])
def test_bad_values_fail_before_any_request(run_module, cluster, connection, args, needle):
    failed, result = run_module(ocsp, dict(connection, **args))
    assert failed
    assert needle in result['msg']
    assert cluster.log == []


NOTHING_TO_ENFORCE = ('one of the following is required: ocsp_functionality, query_frequency, response_timeout, '
                      'recovery_frequency, recovery_max_tries. A task with none of them would only read the cluster '
                      'and enforce nothing: check for a misspelt option, or one templated to omit.')


@pytest.mark.parametrize('check', [False, True])
def test_none_of_the_five_options_is_refused_before_any_request(run_module, cluster, connection, check):
    failed, result = run_module(ocsp, connection, check=check)
    assert failed
    assert result['msg'] == NOTHING_TO_ENFORCE
    assert cluster.log == []


def test_unknown_fields_are_returned_but_not_compared_or_sent(run_module, cluster, connection):
    cluster.update({'config': {'stapling_cache': 'on'}})
    failed, result = run_module(ocsp, dict(connection, query_frequency=3600), diff=True)
    assert not failed, result
    assert result['changed'] is False
    assert result['ocsp']['stapling_cache'] == 'on'
    assert 'stapling_cache' not in result['diff']['before']

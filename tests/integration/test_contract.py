# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The declaration of the API and the checker through which the simulator
holds every request and answer of this suite to it."""

from __future__ import annotations

import jsonschema
import pytest
import requests

import redis_enterprise_sim as simlib

# They check the declaration and its checker, which no ansible-core changes.
pytestmark = pytest.mark.once

AUTH = (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)


def get(simulator, sim_url, path):
    return requests.get(sim_url + path, auth=AUTH, headers={'Accept': 'application/json'}, verify=simulator.ca_path,
                        timeout=5)


def without_ocsp_functionality(endpoints):
    del endpoints[('GET', '/v1/ocsp')]['answers'][200]['properties']['ocsp_functionality']


def test_a_field_taken_from_the_declaration_fails_a_real_answer(contract_checker, simulator, sim_url, cluster):
    answer = get(simulator, sim_url, '/v1/ocsp')
    assert answer.status_code == 200 and 'ocsp_functionality' in answer.json()
    assert contract_checker.answer('GET', '/v1/ocsp', 200, answer.json()) == []
    # The declaration without the field: its additionalProperties false refuses it.
    changed = contract_checker.changed(without_ocsp_functionality)
    [error] = changed.answer('GET', '/v1/ocsp', 200, answer.json())
    assert "'ocsp_functionality' was unexpected" in error and 'GET /v1/ocsp' in error
    # And through the simulator, as the suite runs it: recorded on the cluster.
    simlib.check_contract(changed)
    try:
        get(simulator, sim_url, '/v1/ocsp')
    finally:
        simlib.check_contract(contract_checker)
    [violation] = simlib.take_violations()
    assert violation == cluster.violations[0]
    assert (violation['kind'], violation['method'], violation['path'], violation['status']) == (
        'answer', 'GET', '/v1/ocsp', 200)
    # The declaration itself was left as it was.
    assert contract_checker.answer('GET', '/v1/ocsp', 200, answer.json()) == []


def test_a_read_only_field_sent_is_a_violation_that_jsonschema_alone_lets_through(contract_checker):
    body = {'ocsp_functionality': False, 'responder_url': 'http://ocsp.example.test'}
    schema = contract_checker.declaration.ENDPOINTS[('PUT', '/v1/ocsp')]['body']
    jsonschema.validate(body, schema)
    [error] = contract_checker.request('PUT', '/v1/ocsp', body)
    assert 'holds responder_url, which is read-only: never send it' in error
    assert contract_checker.request('PUT', '/v1/ocsp', {'ocsp_functionality': False}) == []


@pytest.mark.parametrize('method, path, body, needle', [
    ('PUT', '/v1/ocsp', {'query_frequency': 59}, '59 is less than the minimum of 60 (at query_frequency)'),
    ('PUT', '/v1/ocsp', {'query_frequency': True}, "True is not of type 'integer'"),
    ('PUT', '/v1/ocsp', None, 'was sent no body, but the declaration takes one'),
    ('GET', '/v1/ocsp', {}, 'was sent a body, but the declaration takes none'),
    ('PUT', '/v1/cluster/certificates', {'certificates': [{'name': 'proxy', 'certificate': 'x', 'chain': 'y'}]},
     "('chain' was unexpected) (at certificates/0)"),
    ('GET', '/v1/license', None, 'GET /v1/license is not declared in plugins/module_utils/_contract.py'),
    ('DELETE', '/v1/cluster/certificates/proxy/more', None, 'is not declared'),
])
def test_requests_the_declaration_refuses(contract_checker, method, path, body, needle):
    [error] = contract_checker.request(method, path, body)
    assert needle in error, error


@pytest.mark.parametrize('method, path, status, payload, needle', [
    ('GET', '/v1/ocsp', 418, {'error_code': 'teapot', 'description': 'no', 'status_code': 418},
     'was answered HTTP 418, which the declaration does not list for it'),
    ('PUT', '/v1/cluster/certificates', 200, {'certificates': ['proxy']},
     'has a body, but the declaration gives it none'),
    ('GET', '/v1/ocsp/status', 200, None, 'has no body, but the declaration gives it one'),
    ('GET', '/v1/cluster', 200, {'uid': 1}, "'name' is a required property"),
    ('GET', '/v1/ocsp', 406, {'error_code': 'ocsp_unsupported_by_capability', 'description': 'Not all nodes'},
     "'status_code' is a required property"),
    ('GET', '/v1/ocsp', 406, {'description': 'Not all nodes', 'status_code': 406}, "'error_code' is a required"),
])
def test_answers_the_declaration_refuses(contract_checker, method, path, status, payload, needle):
    errors = contract_checker.answer(method, path, status, payload)
    assert any(needle in error for error in errors), errors


@pytest.mark.parametrize('method, path, status, payload', [
    ('GET', '/v1/ocsp', 406, {'error_code': 'ocsp_unsupported_by_capability', 'description': 'Not all nodes',
                              'status_code': 406}),
    ('GET', '/v1/ocsp', 406, {'error_code': 'ocsp_unsupported_by_capability', 'message': 'Not all nodes'}),
    # An error answer may come without a body; 401 and 403 are any call's.
    ('POST', '/v1/ocsp/test', 500, None),
    ('DELETE', '/v1/cluster/certificates/ldap_client', 401, None),
    ('DELETE', '/v1/cluster/certificates/ldap_client', 200, None),
    ('PUT', '/v1/cluster/update_cert', 200, None),
    ('GET', '/v1/cluster', 200, {'name': 'cluster.example.test', 'rack_aware': False}),
])
def test_answers_the_declaration_admits(contract_checker, method, path, status, payload):
    assert contract_checker.answer(method, path, status, payload) == []


def test_the_lookups_of_the_declaration(contract_checker):
    contract = contract_checker.declaration
    assert contract.permission('DELETE', '/v1/cluster/certificates/sso_issuer') == 'update_cluster'
    assert contract.permission('GET', '/v1/cluster/certificates') == 'view_cluster_info'
    assert contract.permission('POST', '/v1/cluster/certificates/rotate') is None
    assert contract.timeout('PUT', '/v1/cluster/certificates') == 900
    assert contract.timeout('GET', '/v1/ocsp') is None and contract.timeout('GET', '/v1/nothing') is None
    assert sorted(contract.answers('GET', '/v1/ocsp')) == [200, 401, 403, 406, 500, 503]

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The declaration of the API and its two tools: the checker, through which
the simulator holds every request and answer of this suite to the
declaration, and `make contract`'s comparison with a vendor spec."""

from __future__ import annotations

import io
import json
import textwrap

import jsonschema
import pytest
import requests
import yaml

import compare
import redis_enterprise_sim as simlib

# They check the declaration and its tools, which no ansible-core changes.
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
    ('GET', '/v1/bdbs', None, 'GET /v1/bdbs is not declared in plugins/module_utils/_contract.py'),
    ('DELETE', '/v1/cluster/certificates/proxy/more', None, 'is not declared'),
])
def test_requests_the_declaration_refuses(contract_checker, method, path, body, needle):
    [error] = contract_checker.request(method, path, body)
    assert needle in error, error


@pytest.mark.parametrize('method, path, query, needle', [
    ('DELETE', '/v1/users/3', {'dry_run': ['true']}, 'was sent the query parameter dry_run, which the declaration '
     'does not take'),
    ('PUT', '/v1/roles/3', {'dry_run': ['yes']}, 'was sent dry_run=yes, which is not true or false'),
    ('POST', '/v1/redis_acls', {'dry_run': ['true', 'true']}, 'was sent the query parameter dry_run 2 times'),
])
def test_query_parameters_the_declaration_refuses(contract_checker, method, path, query, needle):
    body = None if method == 'DELETE' else {'name': 'x'}
    [error] = contract_checker.request(method, path, body, query)
    assert needle in error, error
    assert contract_checker.request('DELETE', '/v1/roles/3', None, {'dry_run': ['true']}) == []


def test_a_password_answered_breaks_the_declaration(contract_checker):
    user = {'uid': 1, 'name': 'a', 'role': 'admin', 'role_uids': [1], 'auth_method': 'regular'}
    assert contract_checker.answer('GET', '/v1/users', 200, [user]) == []
    [error] = contract_checker.answer('GET', '/v1/users', 200, [dict(user, password='x')])
    assert 'holds [0].password, which is write-only: a cluster never answers it' in error


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


# compare.py on a spec and a declaration of the test's own.

DECLARATION = '''
ERROR = {'type': 'object', 'properties': {'error_code': {'type': 'string'}}, 'required': ['error_code']}
COUNTER = {'type': 'object', 'additionalProperties': False,
           'properties': {'count': {'type': 'integer', 'minimum': 1, 'maximum': 10},
                          'label': {'type': 'string', 'readOnly': True}}}
COMMON_ANSWERS = {403: ERROR}
ENDPOINTS = {
    ('GET', '/v1/counter'): {'permission': 'view_counter', 'answers': {200: COUNTER, 404: ERROR}},
    ('PUT', '/v1/counter/{id}'): {'permission': 'set_counter', 'timeout': 30, 'body': COUNTER,
                                  'answers': {200: None, 400: ERROR}},
    ('GET', '/v1/elsewhere'): {'permission': 'view_counter', 'answers': {200: None}},
}
'''


def tiny_spec(maximum=10):
    counter = {'type': 'object', 'additionalProperties': False, 'properties': {
        'count': {'type': 'integer', 'minimum': 1, 'maximum': maximum},
        'label': {'type': 'string', 'readOnly': True}}}
    error = {'type': 'object', 'properties': {'error_code': {'type': 'string'}}, 'required': ['error_code']}

    def answer(name):
        schema = {'$ref': '#/components/schemas/' + name}
        return {'description': '-', 'content': {'application/json': {'schema': schema}}}
    return {
        'openapi': '3.0.0', 'info': {'title': 'tiny', 'version': '1'},
        'components': {'schemas': {'Counter': counter, 'Error': error}},
        'paths': {
            '/v1/counter': {'get': {'security': [{'Auth': ['view_counter']}],
                                    'responses': {'200': answer('Counter'), '403': answer('Error')}}},
            '/v1/counter/{counter_id}': {'put': {
                'security': [{'Auth': ['set_counter']}], 'x-timeout-seconds': 30,
                'requestBody': {'content': {'application/json': {'schema': {'$ref': '#/components/schemas/Counter'}}}},
                'responses': {'200': {'description': '-'}, '400': answer('Error'), '403': answer('Error')}}},
        },
    }


REGISTERED = [
    {'endpoint': 'GET /v1/elsewhere', 'where': 'endpoint', 'aspect': 'presence', 'declared': 'present',
     'spec': 'absent', 'source': 'a page', 'reason': 'not in this spec'},
    {'endpoint': 'GET /v1/counter', 'where': 'answer 404', 'aspect': 'status', 'declared': 'present',
     'spec': 'absent', 'source': 'a page', 'reason': 'documented elsewhere'},
]


def run_compare(tmp_path, spec, register):
    (tmp_path / 'declaration.py').write_text(textwrap.dedent(DECLARATION))
    (tmp_path / 'spec.json').write_text(json.dumps(spec))
    (tmp_path / 'deviations.yml').write_text(yaml.safe_dump({'deviations': register}))
    out = io.StringIO()
    declaration = compare.load_declaration(str(tmp_path / 'declaration.py'))
    unregistered = compare.report(compare.compare(declaration, spec),
                                  compare.load_register(str(tmp_path / 'deviations.yml')), out)
    status = compare.main([str(tmp_path / 'spec.json'), '--deviations', str(tmp_path / 'deviations.yml'),
                           '--declaration', str(tmp_path / 'declaration.py')])
    return status, out.getvalue(), unregistered


def test_compare_passes_when_every_difference_is_registered(tmp_path):
    status, out, unregistered = run_compare(tmp_path, tiny_spec(), REGISTERED)
    assert (status, unregistered) == (0, [])
    assert 'registered    GET /v1/elsewhere endpoint: presence declared present, spec absent' in out
    assert 'registered    GET /v1/counter answer 404: status declared present, spec absent' in out
    assert '2 differences: 2 registered, 0 not registered; 0 stale register entries.' in out


def test_compare_fails_on_a_difference_not_registered_and_names_it(tmp_path):
    status, out, unregistered = run_compare(tmp_path, tiny_spec(maximum=20), REGISTERED)
    assert status == 1
    # Found through the $ref, in both places the schema is used.
    assert sorted(str(d) for d in unregistered) == [
        'GET /v1/counter answer 200 count: maximum declared 10, spec 20',
        'PUT /v1/counter/{id} request count: maximum declared 10, spec 20']
    assert 'NOT REGISTERED PUT /v1/counter/{id} request count: maximum declared 10, spec 20' in out
    assert 'add the difference to' in out


def test_compare_finds_each_kind_of_difference(tmp_path):
    spec = tiny_spec()
    counter = spec['components']['schemas']['Counter']
    counter['properties']['label']['readOnly'] = False
    counter['properties']['extra'] = {'type': 'string'}
    counter['additionalProperties'] = True
    counter['required'] = ['count']
    put = spec['paths']['/v1/counter/{counter_id}']['put']
    put['security'] = [{'Auth': ['admin']}]
    put['x-timeout-seconds'] = 60
    put['responses']['409'] = {'description': '-'}
    status, out, unregistered = run_compare(tmp_path, spec, REGISTERED)
    assert status == 1
    found = set(str(d) for d in unregistered)
    for expected in ('GET /v1/counter answer 200 label: readOnly declared true, spec false',
                     'GET /v1/counter answer 200 extra: presence declared absent, spec present',
                     'GET /v1/counter answer 200: additionalProperties declared false, spec true',
                     'GET /v1/counter answer 200: required declared [], spec ["count"]',
                     'PUT /v1/counter/{id} permission: permission declared set_counter, spec ["admin"]',
                     'PUT /v1/counter/{id} timeout: x-timeout-seconds declared 30, spec 60',
                     'PUT /v1/counter/{id} answer 409: status declared absent, spec present'):
        assert expected in found, (expected, sorted(found))


def test_compare_finds_the_query_parameters_that_differ(tmp_path):
    spec = tiny_spec()
    put = spec['paths']['/v1/counter/{counter_id}']['put']
    put['parameters'] = [{'in': 'path', 'name': 'counter_id', 'schema': {'type': 'integer'}},
                         {'in': 'query', 'name': 'dry_run', 'schema': {'type': 'boolean'}}]
    spec['paths']['/v1/counter']['get']['parameters'] = [{'in': 'query', 'name': 'limit', 'schema': {'type': 'integer'}}]
    status, out, unregistered = run_compare(tmp_path, spec, REGISTERED)
    assert status == 1
    assert sorted(str(d) for d in unregistered) == [
        'GET /v1/counter query limit: presence declared absent, spec present',
        'PUT /v1/counter/{id} query dry_run: presence declared absent, spec present']


def test_compare_reports_a_register_entry_that_matches_nothing(tmp_path):
    stale = dict(REGISTERED[1], where='answer 410')
    status, out, dummy = run_compare(tmp_path, tiny_spec(), REGISTERED + [stale])
    assert status == 0
    assert ('stale entry   GET /v1/counter answer 410 status: matches no difference any more; drop it from the '
            'register, or correct it') in out


def test_compare_refuses_a_register_entry_without_its_source(tmp_path):
    entry = dict(REGISTERED[0])
    del entry['source']
    (tmp_path / 'deviations.yml').write_text(yaml.safe_dump({'deviations': [entry]}))
    with pytest.raises(ValueError, match=r'lacks source: every deviation says what differs, which page'):
        compare.load_register(str(tmp_path / 'deviations.yml'))

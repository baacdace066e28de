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
import re
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
    ('GET', '/v1/nodes', None, 'GET /v1/nodes is not declared in plugins/module_utils/_contract.py'),
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


def test_compare_fails_on_a_register_entry_that_matches_nothing(tmp_path):
    stale = dict(REGISTERED[1], where='answer 410')
    status, out, unregistered = run_compare(tmp_path, tiny_spec(), REGISTERED + [stale])
    # Every difference is registered, but the register no longer says what the comparison finds.
    assert (status, unregistered) == (1, [])
    assert ('stale entry   GET /v1/counter answer 410 status: matches no difference any more; drop it from the '
            'register, or correct it') in out


def test_compare_refuses_a_register_entry_without_its_source(tmp_path):
    entry = dict(REGISTERED[0])
    del entry['source']
    (tmp_path / 'deviations.yml').write_text(yaml.safe_dump({'deviations': [entry]}))
    with pytest.raises(ValueError, match=r'lacks source: every deviation says what differs, which page'):
        compare.load_register(str(tmp_path / 'deviations.yml'))


# Every keyword of a schema, compared: a pair of schemas (the declaration's,
# the spec's) and the differences compare_schemas must find, none where the
# two say the same in other words.
KEYWORDS = [
    ('type', {'type': 'string'}, {'type': 'integer'}, ['type declared string, spec integer']),
    ('nullable', {'type': ['string', 'null']}, {'type': 'string'}, ['nullable declared true, spec false']),
    ('nullable', {'type': ['string', 'null']}, {'type': 'string', 'nullable': True}, []),
    ('format', {'format': 'date-time'}, {'format': 'date'}, ['format declared date-time, spec date']),
    ('enum', {'enum': ['b', 'a']}, {'enum': ['a']}, ['enum declared ["a", "b"], spec ["a"]']),
    ('enum', {'enum': ['b', 'a']}, {'enum': ['a', 'b']}, []),
    ('const', {'const': 'a'}, {'enum': ['a', 'b']}, ['enum declared ["a"], spec ["a", "b"]']),
    ('const', {'const': 'a'}, {'enum': ['a']}, []),
    ('default', {'type': 'integer'}, {'type': 'integer', 'default': 300}, ['default declared null, spec 300']),
    ('default', {'default': False}, {'default': True}, ['default declared false, spec true']),
    ('default', {'default': False}, {'default': 0}, ['default declared false, spec 0']),
    ('multipleOf', {'multipleOf': 2}, {'multipleOf': 4}, ['multipleOf declared 2, spec 4']),
    ('minimum', {'minimum': 1}, {'minimum': 0}, ['minimum declared 1, spec 0']),
    ('maximum', {'maximum': 10}, {}, ['maximum declared 10, spec null']),
    ('exclusiveMinimum', {'exclusiveMinimum': 0}, {'minimum': 0, 'exclusiveMinimum': True}, []),
    ('exclusiveMinimum', {'exclusiveMinimum': 0}, {'minimum': 0, 'exclusiveMinimum': False},
     ['exclusiveMinimum declared 0, spec null', 'minimum declared null, spec 0']),
    ('exclusiveMaximum', {'exclusiveMaximum': 9}, {'maximum': 9, 'exclusiveMaximum': True}, []),
    ('exclusiveMaximum', {'exclusiveMaximum': 9}, {'exclusiveMaximum': 8}, ['exclusiveMaximum declared 9, spec 8']),
    ('minLength', {'minLength': 1}, {}, ['minLength declared 1, spec null']),
    ('minLength', {'minLength': 0}, {}, []),
    ('maxLength', {'maxLength': 255}, {'maxLength': 256}, ['maxLength declared 255, spec 256']),
    ('pattern', {'pattern': '^a+$'}, {'pattern': '^(a)+$'}, ['pattern declared ^a+$, spec ^(a)+$']),
    ('items', {'items': {'maxLength': 3}}, {'items': {'maxLength': 4}}, ['f[]: maxLength declared 3, spec 4']),
    ('minItems', {'minItems': 1}, {}, ['minItems declared 1, spec null']),
    ('maxItems', {}, {'maxItems': 5}, ['maxItems declared null, spec 5']),
    ('uniqueItems', {}, {'uniqueItems': True}, ['uniqueItems declared false, spec true']),
    ('uniqueItems', {'uniqueItems': False}, {}, []),
    ('required', {'required': ['a']}, {'required': ['a', 'b']}, ['required declared ["a"], spec ["a", "b"]']),
    ('properties', {'properties': {'a': {'minLength': 1}}}, {'properties': {'a': {}, 'b': {}}},
     ['f.a: minLength declared 1, spec null', 'f.b: presence declared absent, spec present']),
    ('additionalProperties', {'additionalProperties': False}, {}, ['additionalProperties declared false, spec true']),
    ('additionalProperties', {'additionalProperties': {'type': 'string'}},
     {'additionalProperties': {'type': 'integer'}}, ['f{}: type declared string, spec integer']),
    ('minProperties', {'minProperties': 1}, {}, ['minProperties declared 1, spec null']),
    ('maxProperties', {'maxProperties': 0}, {'maxProperties': 1}, ['maxProperties declared 0, spec 1']),
    ('oneOf', {'oneOf': [{'maxProperties': 0}, {'required': ['a', 'b']}]},
     {'oneOf': [{'required': ['b', 'a']}, {'maxProperties': 0}]}, []),
    ('oneOf', {'oneOf': [{'maxProperties': 0}, {'required': ['a']}]},
     {'oneOf': [{'required': ['a', 'b']}, {'maxProperties': 0}]},
     ['f (oneOf 2): required declared ["a"], spec ["a", "b"]']),
    ('oneOf', {'oneOf': [{'maxProperties': 0}]}, {'oneOf': [{'maxProperties': 0}, {'required': ['a']}]},
     ["f (oneOf, the spec's 2): presence declared absent, spec present"]),
    ('anyOf', {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, {'anyOf': [{'type': 'string'}]},
     ['f (anyOf 2): presence declared present, spec absent']),
    ('anyOf', {'anyOf': [{'required': ['a']}, {'required': ['b']}]}, {},
     ['required declared ["one of: a or b"], spec []']),
    ('allOf', {'allOf': [{'required': ['a']}, {'minLength': 2}]}, {'required': ['a'], 'minLength': 2}, []),
    ('not', {'not': {'enum': ['x']}}, {'not': {'enum': ['y']}}, ['f (not): enum declared ["x"], spec ["y"]']),
    ('not', {'not': {'enum': ['x']}}, {}, ['f (not): presence declared present, spec absent']),
    ('readOnly', {'readOnly': True}, {}, ['readOnly declared true, spec false']),
    ('writeOnly', {}, {'writeOnly': True}, ['writeOnly declared false, spec true']),
    ('deprecated', {}, {'deprecated': True}, ['deprecated declared false, spec true']),
    # One the comparator has no name for is compared by its value all the same.
    ('contains', {'contains': {'type': 'integer'}}, {}, ['contains declared {"type": "integer"}, spec null']),
    # What says nothing of the values is not compared.
    ('annotations', {'description': 'one', 'example': 1, 'x-go-type': 'int'},
     {'description': 'two', 'title': 'T', 'x-omitempty': True}, []),
]


@pytest.mark.parametrize('keyword, declared, spec, expected', KEYWORDS, ids=[row[0] for row in KEYWORDS])
def test_compare_compares_every_keyword(keyword, declared, spec, expected):
    found = compare.compare_schemas(declared, spec, 'GET /v1/x', 'answer 200', 'f')
    # An expected line starts with its place where that is not f itself.
    assert sorted(str(d) for d in found) == sorted(
        'GET /v1/x answer 200 %s' % (line if line[:2] in ('f ', 'f.', 'f[', 'f{') else 'f: ' + line)
        for line in expected)


def test_compare_finds_the_new_keywords_through_the_spec(tmp_path):
    spec = tiny_spec()
    counter = spec['components']['schemas']['Counter']
    counter['properties']['label'].update({'pattern': '^[a-z]+$', 'maxLength': 64, 'default': 'x'})
    # OpenAPI 3.0's boolean exclusiveMinimum, read as the bound it makes exclusive.
    counter['properties']['count'].update({'minimum': 0, 'exclusiveMinimum': True})
    status, out, unregistered = run_compare(tmp_path, spec, REGISTERED)
    assert status == 1
    found = set(str(d) for d in unregistered)
    for where in ('GET /v1/counter answer 200', 'PUT /v1/counter/{id} request'):
        for expected in ('label: pattern declared null, spec ^[a-z]+$', 'label: maxLength declared null, spec 64',
                         'label: default declared null, spec x', 'count: minimum declared 1, spec null',
                         'count: exclusiveMinimum declared null, spec 0'):
            assert '%s %s' % (where, expected) in found, (expected, sorted(found))
    assert len(found) == 10, sorted(found)


# The patterns registered as written otherwise for the same strings
# (deviations.yml), each held to the spec's over sample strings: a table of
# strings with the verdict the spec gives them (the rule above each), then
# every ASCII character and some unicode ones put in every position of each
# accepted one, on which the two must agree. Both are applied as jsonschema
# applies them (re.search). A single trailing newline is left to the
# variants: Python's $ matches before it, ECMA-262's does not, and the two
# patterns agree either way.
UNICODE = ('é', 'ß', 'İ', 'ſ', '\u212a', '名', '\U0001f600', '\u00a0', '\u2028', '\u200b', '\ufeff', '٣', '３')
ALPHABET = tuple(chr(code) for code in range(128)) + UNICODE
SAMPLES = {
    # ldap:// or ldaps://, a host name or a bracketed IPv6 address, a port of one to five digits.
    'uris[]': [
        ('ldap://ldap.example.com:389', True), ('ldaps://ldap.example.com:636', True),
        ('ldaps://10.0.0.1:636', True), ('ldap://[::1]:389', True), ('ldaps://[fe80::1%251]:636', True),
        ('ldap://LDAP-1.Example.COM:65535', True), ('ldap://a:1', True), ('ldap://-.%:00000', True),
        ('', False), ('ldap://ldap.example.com', False), ('ldap://ldap.example.com:', False),
        ('ldap://ldap.example.com:123456', False), ('LDAP://ldap.example.com:389', False),
        ('ldapss://ldap.example.com:389', False), ('ldap:/ldap.example.com:389', False),
        ('http://ldap.example.com:80', False), ('ldap://ldap_1.example.com:389', False),
        ('ldap://[::1]]:389', False), ('ldap://[g::1]:389', False), ('ldap://[::1:389', False),
        ('ldap://[]:389', False), ('ldaps://[fe80::1%25eth0]:636', False), ('ldap://:389', False), ('ldap://ldap.example.com:389/', False),
        (' ldap://ldap.example.com:389', False), ('ldap://ldap.example.com:389 ', False),
        ('ldap://user@ldap.example.com:389', False), ('ldap://hôst:389', False), ('ldap://host:３８９', False),
        ('ldap://host:389\nldap://other:389', False)],
    # letters, digits, spaces and _ [ ] ( ) @ , . ; # -, at least one.
    'name': [
        ('Ops', True), ('ops team 2', True), ('a_b-c', True), ('[x](y)@z,.;#-', True), (' ', True), ('-', True),
        ('', False), ('é', False), ('ops/admins', False), ('a&b', False), ('a\tb', False), ("o'brien", False),
        ('ops!', False), ('a:b', False), ('名前', False), ('a\u00a0b', False), ('a\\b', False), ('{a}', False)],
    # empty, or an ASCII address: a local part, @, a domain with a dot.
    'email': [
        ('', True), ('a@b.c', True), ('first.last+tag@example.com', True), ('x@sub-domain.example.co.uk', True),
        ('_@-.9', True), ('a@b.c.d-e', True),
        ('a@b', False), ('@b.c', False), ('a@.c', False), ('a@b.', False), ('a b@c.d', False), ('a@b_c.d', False),
        ('é@b.c', False), ('a@b.c ', False), (' a@b.c', False), ('a@@b.c', False), ('a@b.c@d', False),
        ('a@bé.c', False), ('a@b.c\n\n', False)],
}


def _declared_at(declaration, entry):
    """The schema of the declaration at a register entry's place."""
    method, path = entry['endpoint'].split(' ', 1)
    call = declaration.ENDPOINTS[(method, path)]
    schema = call['body'] if entry['where'] == 'request' else call['answers'][int(entry['where'].split()[1])]
    for part in re.findall(r'\[\]|[^.\[\]]+', entry['field']):
        schema = schema['items'] if part == '[]' else schema['properties'][part]
    return schema


def _kind(field):
    return re.sub(r'^(.*\.)?(\[\]\.)?', '', field)


def _variants(accepted):
    """Each accepted string with each character of ALPHABET put in every
    position and in place of each of its own, and each character alone."""
    found = set(ALPHABET) | set(character * 2 for character in ALPHABET)
    for sample in accepted:
        for position in range(len(sample) + 1):
            for character in ALPHABET:
                found.add(sample[:position] + character + sample[position:])
                found.add(sample[:position] + character + sample[position + 1:])
    return found


def _registered_patterns(contract):
    pairs = {}
    for entry in compare.load_register(compare.DEVIATIONS):
        if entry['aspect'] == 'pattern':
            declared = _declared_at(contract, entry)['pattern']
            pairs.setdefault((_kind(entry['field']), declared, entry['spec']), []).append(
                '%s %s %s' % (entry['endpoint'], entry['where'], entry['field']))
    return pairs


def test_each_registered_pattern_accepts_and_refuses_what_the_spec_does(contract_checker):
    pairs = _registered_patterns(contract_checker.declaration)
    assert pairs, 'deviations.yml registers no pattern: nothing to hold to the spec'
    for (kind, declared, spec), places in sorted(pairs.items()):
        assert kind in SAMPLES, 'no sample strings for the pattern of %s: add them to SAMPLES' % places
        table = SAMPLES[kind]
        wrong = [(sample, verdict) for sample, verdict in table
                 if bool(re.search(spec, sample)) != verdict or bool(re.search(declared, sample)) != verdict]
        assert wrong == [], (places, wrong)
        variants = _variants([sample for sample, verdict in table if verdict])
        verdicts = dict((sample, bool(re.search(spec, sample))) for sample in variants)
        # Enough of both to tell two patterns apart.
        assert sum(verdicts.values()) > 100 and len(verdicts) - sum(verdicts.values()) > 1000, kind
        disagree = sorted(sample for sample, verdict in verdicts.items() if bool(re.search(declared, sample)) != verdict)
        assert disagree == [], (places, declared, spec, disagree[:10])

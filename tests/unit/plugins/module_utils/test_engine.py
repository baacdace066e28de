# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine: a resource declared to it is a working module, with check
mode, diff and the engine's messages; and the declarations it refuses."""

from __future__ import annotations

import types

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _engine, _x509
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError
from ansible_collections.redis.enterprise.plugins.module_utils._engine import Field, SettingsResource, Spec
from ansible_collections.redis.enterprise.plugins.modules import certificate, certificate_info

# A settings endpoint declared as the next module would declare it, here
# over /v1/ocsp, which the simulator serves: two of its fields, and a str
# field with choices to show how those are declared.
TIMINGS = SettingsResource(
    'OCSP timings', '/v1/ocsp', result_key='timings',
    fields=(Field('query_frequency', 'int', 60, 86400), Field('response_timeout', 'int', 1, 60)))
POLICY = SettingsResource(
    'cluster policy', '/v1/cluster/policy', result_key='policy',
    fields=(Field('default_shards_placement', 'str', choices=('dense', 'sparse')), Field('rack_aware', 'bool'),
            Field('name', 'str')))


def as_module(resource):
    """What a module file holds beyond its documentation."""
    return types.SimpleNamespace(main=lambda: _engine.main(resource))


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


@pytest.mark.parametrize('check', [False, True])
def test_a_declared_settings_endpoint_is_a_working_module(run_module, cluster, connection, check):
    failed, result = run_module(as_module(TIMINGS), dict(connection, query_frequency=600), check=check, diff=True)
    assert not failed, result
    assert result['changed'] is True
    # Every declared field goes into the PUT, the current values merged in; nothing else is compared.
    assert result['diff'] == {'before': {'query_frequency': 3600, 'response_timeout': 1},
                              'after': {'query_frequency': 600, 'response_timeout': 1}}
    assert result['timings']['query_frequency'] == 600
    assert [r['method'] for r in cluster.log] == (['GET'] if check else ['GET', 'PUT'])
    assert cluster.config['query_frequency'] == (3600 if check else 600)

    failed, again = run_module(as_module(TIMINGS), dict(connection, query_frequency=cluster.config['query_frequency']))
    assert not failed and again['changed'] is False


def test_a_declared_module_gets_the_engines_messages(run_module, cluster, connection):
    failed, result = run_module(as_module(TIMINGS), dict(connection, response_timeout=0))
    assert failed and result['msg'] == 'response_timeout must be an integer from 1 to 60; got 0.'
    failed, result = run_module(as_module(TIMINGS), connection)
    assert failed and 'one of the following is required: query_frequency, response_timeout' in result['msg']
    assert 'enforce nothing' in result['msg']
    assert cluster.log == []
    cluster.update({'faults': {'fail_next': {'count': 1, 'status': 403}}})
    failed, result = run_module(as_module(TIMINGS), dict(connection, query_frequency=600))
    assert failed and result['http_status'] == 403 and 'view_ocsp_config' in result['msg'], result


def test_str_fields_with_choices():
    spec = POLICY.spec.argument_spec()
    assert spec['default_shards_placement'] == {'type': 'str', 'choices': ['dense', 'sparse']}
    assert spec['name'] == {'type': 'str'} and 'url' in spec and spec['password']['no_log'] is True
    assert dict(POLICY.spec.hints)["'default_shards_placement'"] == 'default_shards_placement must be one of dense, sparse.'
    assert dict(POLICY.spec.hints)["'name'"] == 'name must be a string.'
    made = POLICY.plan(None, {'default_shards_placement': 'dense', 'rack_aware': 'enabled', 'name': 'a', 'other': 1},
                       POLICY.desired({'default_shards_placement': 'sparse', 'rack_aware': None, 'name': None}))
    assert made.before == {'default_shards_placement': 'dense', 'rack_aware': True, 'name': 'a'}
    assert made.after == dict(made.before, default_shards_placement='sparse') == made.body
    with pytest.raises(RedisEnterpriseError) as info:
        POLICY.plan(None, {'default_shards_placement': 'wide'}, {})
    assert str(info.value) == (
        "The cluster returned default_shards_placement='wide' in GET /v1/cluster/policy, which is not one of dense, "
        "sparse; the module cannot compare it. Check the cluster version and its cluster policy.")


def test_a_constraint_the_argument_spec_does_not_know_is_refused_when_declared():
    with pytest.raises(TypeError) as info:
        Spec({}, required_one_of=[['a']], requierd_if=[['a', 1, ['b']]])
    assert str(info.value) == 'not a constraint of an argument spec: requierd_if'
    spec = Spec({'a': {'type': 'int'}}, mutually_exclusive=[['a', 'url']], required_by={'a': 'url'})
    assert spec.module_kwargs()['mutually_exclusive'] == [['a', 'url']]
    assert spec.validator_kwargs()['required_by'] == {'a': 'url'} and spec.module_kwargs()['supports_check_mode']


def test_a_resource_must_say_how_it_reads():
    resource = _engine.Resource()
    with pytest.raises(NotImplementedError):
        resource.read(None, None)
    with pytest.raises(NotImplementedError):
        resource.write(None, None, None, None)


@pytest.mark.parametrize('module', [certificate, certificate_info], ids=['certificate', 'certificate_info'])
def test_without_cryptography_the_module_path_says_what_to_install(run_module, monkeypatch, cluster, connection,
                                                                   module):
    monkeypatch.setattr(_x509, 'HAS_CRYPTOGRAPHY', False)
    args = dict(connection, name='proxy', certificate='x', key='y') if module is certificate else connection
    failed, result = run_module(module, args)
    assert failed and 'cryptography' in result['msg'] and 'pip install' in result['msg'], result
    assert cluster.log == []


def test_the_certificate_modules_run_as_modules(run_module, cluster, connection):
    failed, result = run_module(certificate_info, connection)
    assert not failed, result
    assert set(result['certificates']) >= {'proxy', 'api', 'cm', 'syncer'}
    assert result['certificates']['proxy']['sha256_fingerprint'].count(':') == 31
    assert cluster.calls() == [('GET', '/v1/cluster/certificates')]
    failed, result = run_module(certificate, dict(connection, name='proxy', certificate='not a certificate', key='x'))
    assert failed and 'PEM' in result['msg'], result
    # Refused before any request.
    assert cluster.calls() == [('GET', '/v1/cluster/certificates')]

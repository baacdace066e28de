# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The direct path's pieces: the task's environment set for the run and put
back, validation that hands over to the module when it has anything to say,
results masked as AnsibleModule masks them, and a bug kept to a failure."""

from __future__ import annotations

import os
import sys
import types

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.modules import ocsp
from ansible_collections.redis.enterprise.plugins.module_utils import _engine
from ansible_collections.redis.enterprise.plugins.plugin_utils import _direct

INTERNAL = {'_ansible_check_mode': False, '_ansible_diff': False, '_ansible_verbosity': 0}


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


def test_environment_is_set_for_the_run_and_put_back(monkeypatch):
    monkeypatch.setenv('REDIS_ENTERPRISE_TIMEOUT', '30')
    monkeypatch.delenv('REDIS_ENTERPRISE_URL', raising=False)
    before = dict(os.environ)
    with _direct.environment({'REDIS_ENTERPRISE_TIMEOUT': 5, 'REDIS_ENTERPRISE_URL': 'https://a:9443'}):
        assert os.environ['REDIS_ENTERPRISE_TIMEOUT'] == '5'
        assert os.environ['REDIS_ENTERPRISE_URL'] == 'https://a:9443'
    assert dict(os.environ) == before


def test_environment_is_put_back_after_an_exception(monkeypatch):
    monkeypatch.delenv('https_proxy', raising=False)
    before = dict(os.environ)
    with pytest.raises(RuntimeError):
        with _direct.environment({'https_proxy': 'http://proxy:3128'}):
            raise RuntimeError('boom')
    assert dict(os.environ) == before


def test_a_run_gives_the_module_result_with_the_password_masked(cluster, connection):
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=4),
                                dict(INTERNAL, _ansible_diff=True))
    assert result['changed'] is True and result['ocsp']['response_timeout'] == 4
    assert result['diff']['after']['response_timeout'] == 4
    assert result['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert result['invocation']['module_args']['username'] == simlib.ADMIN_USER
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]


def test_check_mode_comes_from_the_internal_arguments(cluster, connection):
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=4),
                                dict(INTERNAL, _ansible_check_mode=True))
    assert result['changed'] is True and 'diff' not in result
    assert cluster.calls() == [('GET', '/v1/ocsp')]


def test_the_invocation_is_left_out_when_ansible_core_asks(cluster, connection):
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=1),
                                dict(INTERNAL, _ansible_inject_invocation=False))
    assert 'invocation' not in result and result['changed'] is False


def test_a_cluster_failure_is_a_failed_result(cluster, connection):
    cluster.update({'faults': {'capability_406': True}})
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=4), INTERNAL)
    assert result['failed'] is True
    assert result['http_status'] == 406 and result['error_code'] == 'ocsp_unsupported_by_capability'


def test_a_url_neither_the_task_nor_the_environment_gives_fails_before_any_request(cluster, monkeypatch):
    monkeypatch.delenv('REDIS_ENTERPRISE_URL', raising=False)
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, {'response_timeout': 4}, INTERNAL)
    assert result['failed'] is True and result['msg'] == (
        "url is required, and neither the task nor the environment gives it. Give the url option, or set the "
        "REDIS_ENTERPRISE_URL environment variable, to the address of the cluster's REST API, like "
        "https://cluster.example.com:9443.")
    assert cluster.log == []


@pytest.mark.parametrize('args', [
    {'validate_certs': True},  # none of the configuration's fields: a validation error
    {'response_timeout': 'soon'},  # not an int
    {'response_timeout': 4, 'colour': 'blue'},  # not an option
    {'response_timeout': 4, 'user': 'a@example.com', 'username': 'b@example.com'},  # both, alias: a warning
], ids=['missing', 'type', 'unknown', 'alias-warning'])
def test_what_validation_has_to_say_the_module_says(cluster, args, monkeypatch):
    for name in ('REDIS_ENTERPRISE_URL', 'REDIS_ENTERPRISE_USERNAME', 'REDIS_ENTERPRISE_PASSWORD'):
        monkeypatch.delenv(name, raising=False)
    if 'user' in args:
        args = dict(args, url='https://a:9443', password='p')
    assert _direct.run_direct('redis.enterprise.ocsp', ocsp, args, INTERNAL) is None
    assert cluster.log == []


def test_the_connection_options_fall_back_to_the_environment(cluster, connection, monkeypatch):
    for option, variable in (('url', 'REDIS_ENTERPRISE_URL'), ('password', 'REDIS_ENTERPRISE_PASSWORD')):
        monkeypatch.setenv(variable, connection.pop(option))
    result = _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=3), INTERNAL)
    assert result['ocsp']['response_timeout'] == 3
    assert result['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def broken(explode_with):
    class Broken(_engine.Resource):
        spec = ocsp.RESOURCE.spec

        def desired(self, params):
            raise explode_with('no luck with %s' % params['password'])
    return types.SimpleNamespace(RESOURCE=Broken())


@pytest.mark.parametrize('internal, traceback', [
    (INTERNAL, False),
    (dict(INTERNAL, _ansible_verbosity=3), True),  # ansible-core before 2.19
    (dict(INTERNAL, _ansible_verbosity=3, _ansible_tracebacks_for=[]), False),  # 2.19 and later
    (dict(INTERNAL, _ansible_tracebacks_for=['error']), True),
])
def test_a_bug_is_a_masked_failure_with_the_traceback_when_asked(connection, internal, traceback):
    result = _direct.run_direct('x.y.z', broken(KeyError), dict(connection, response_timeout=3), internal)
    assert result['failed'] is True
    assert result['msg'].startswith("x.y.z failed unexpectedly in the controller's Python: KeyError: ")
    assert simlib.ADMIN_PASSWORD not in str(result)
    assert ('Traceback (most recent call last)' in result.get('exception', '')) is traceback


def reason(switch=None, transport='local', become=False, async_val=0, interpreter=None, system='Linux'):
    return _direct.why_not_direct(switch, transport, become, async_val, interpreter, system)


def test_a_controller_task_runs_in_the_worker_by_default():
    assert reason() is None
    assert reason(switch=True) is None
    assert reason(interpreter=sys.executable) is None
    # Interpreter discovery is no explicit choice of another Python.
    assert reason(interpreter='auto_silent') is None


def test_macos_takes_the_module_path_unless_the_switch_is_set():
    assert reason(system='Darwin').startswith('the controller is macOS')
    assert 'redis_enterprise_direct_execution=true' in reason(system='Darwin')
    assert reason(system='Darwin', switch=True) is None
    assert reason(system='Darwin', switch=False) == 'redis_enterprise_direct_execution is false'


def test_an_explicit_interpreter_other_than_the_controllers_takes_the_module_path(tmp_path):
    said = reason(interpreter='/usr/bin/python3')
    assert said.startswith("ansible_python_interpreter is /usr/bin/python3, not the controller's Python (%s)"
                           % sys.executable)
    # A link to this very Python from another directory is another Python:
    # a virtual environment's python links to a base whose libraries differ.
    link = tmp_path / 'python3'
    link.symlink_to(os.path.realpath(sys.executable))
    assert reason(interpreter=str(link)) is not None
    # Another name in the same directory is the same Python.
    here = os.path.dirname(sys.executable)
    for name in ('python', 'python3'):
        other = os.path.join(here, name)
        if os.path.exists(other) and os.path.realpath(other) == os.path.realpath(sys.executable):
            assert reason(interpreter=other) is None


@pytest.mark.parametrize('kwargs, says', [
    ({'switch': False}, 'redis_enterprise_direct_execution is false'),
    ({'transport': 'ssh'}, 'the connection is ssh, not local'),
    ({'become': True}, 'become is set'),
    ({'async_val': 30}, 'async is set'),
])
def test_every_other_reason_is_named(kwargs, says):
    assert reason(**kwargs) == says


class Public(object):
    """A ValidationResult with its public face only, and the private
    attributes named in keep: what another ansible-core may give."""

    def __init__(self, result, keep, **replaced):
        self.error_messages = result.error_messages
        self.validated_parameters = result.validated_parameters
        for name in keep:
            setattr(self, name, replaced.get(name, getattr(result, name)))


def validator(keep, **replaced):
    class Validator(_direct.ArgumentSpecValidator):
        def validate(self, *args, **kwargs):
            return Public(super(Validator, self).validate(*args, **kwargs), keep, **replaced)
    return Validator


@pytest.mark.parametrize('keep, replaced, says', [
    (('_warnings', '_deprecations'), {}, 'has no _no_log_values'),
    (('_no_log_values',), {}, 'has no _warnings'),
    (('_warnings', '_deprecations', '_no_log_values'), {'_no_log_values': set()}, 'leaves no_log values out'),
    (('_warnings', '_deprecations', '_no_log_values'), {'_no_log_values': ['x']}, 'in another form'),
], ids=['no-no-log-values', 'no-warnings', 'password-left-out', 'a-list'])
def test_a_validation_result_without_what_direct_execution_reads_hands_over_to_the_module(
        cluster, connection, monkeypatch, keep, replaced, says):
    monkeypatch.setattr(_direct, 'ArgumentSpecValidator', validator(keep, **replaced))
    reason = _direct.validate(ocsp.RESOURCE, dict(connection, response_timeout=4))
    assert isinstance(reason, str) and says in reason, reason
    assert _direct.run_direct('redis.enterprise.ocsp', ocsp, dict(connection, response_timeout=4), INTERNAL) is None
    assert cluster.log == []


def test_validation_gives_the_parameters_and_every_no_log_value(connection, monkeypatch):
    monkeypatch.setenv('REDIS_ENTERPRISE_PASSWORD', 'from-the-environment')
    params, no_log_values = _direct.validate(ocsp.RESOURCE, dict(connection, response_timeout=4))
    assert params['response_timeout'] == 4 and connection['password'] in no_log_values
    del connection['password']
    params, no_log_values = _direct.validate(ocsp.RESOURCE, dict(connection, response_timeout=4))
    # A fallback's value is a no_log value too.
    assert params['password'] == 'from-the-environment' and 'from-the-environment' in no_log_values

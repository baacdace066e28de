# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ocsp through ansible-playbook and ansible, over HTTPS."""

from __future__ import annotations

import base64
import json
import socket

import pytest
import trustme

import redis_enterprise_sim as simlib
from runner import SECRETS, assert_clean_failure

DESIRED = {
    'ocsp_functionality': True,
    'query_frequency': 7200,
    'response_timeout': 2,
    'recovery_frequency': 120,
    'recovery_max_tries': 10,
}


def playbook(ansible, *options, variables=None, **kwargs):
    return ansible(['ansible-playbook', 'ocsp.yml', '-e', json.dumps(variables or DESIRED)] + list(options),
                   **kwargs)


def test_check_apply_reapply(ansible, cluster):
    check = playbook(ansible, '--check', '--diff')
    assert check.rc == 0, check.stdout + check.stderr
    result = check.task()['result']
    assert result['changed'] is True
    assert result['diff'] == {'before': simlib.DEFAULT_CONFIG, 'after': DESIRED}
    assert result['ocsp'] == dict(DESIRED, responder_url=simlib.RESPONDER_URL)
    assert '-    "query_frequency": 3600' in check.stdout and '+    "query_frequency": 7200' in check.stdout
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)

    cluster.log.clear()
    apply = playbook(ansible)
    assert apply.rc == 0, apply.stdout + apply.stderr
    assert apply.task()['result']['changed'] is True
    assert 'diff' not in apply.task()['result']
    assert apply.task()['result']['ocsp'] == check.task()['result']['ocsp']
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]
    assert cluster.config == dict(DESIRED, responder_url=simlib.RESPONDER_URL)
    assert 'changed=1' in apply.stdout

    cluster.log.clear()
    again = playbook(ansible, '--diff')
    assert again.rc == 0
    assert again.task()['result']['changed'] is False
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    assert 'changed=0' in again.stdout


def test_module_defaults_group_gives_the_connection(ansible, simulator, sim_url, cluster):
    variables = dict(DESIRED, cluster_url=sim_url, cluster_ca=simulator.ca_path)
    run = playbook(ansible, variables=variables, env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None})
    assert run.rc == 0, run.stdout + run.stderr
    assert cluster.config['query_frequency'] == 7200


def test_ad_hoc(ansible, cluster):
    run = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'query_frequency=900 response_timeout=4'])
    assert run.rc == 0, run.stdout + run.stderr
    assert '"changed": true' in run.stdout
    assert cluster.config['query_frequency'] == 900 and cluster.config['response_timeout'] == 4
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]

    cluster.log.clear()
    again = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'query_frequency=900', '--check'])
    assert again.rc == 0 and '"changed": false' in again.stdout
    assert cluster.calls() == [('GET', '/v1/ocsp')]


def test_only_given_options_are_enforced(ansible, cluster):
    cluster.update({'config': {'query_frequency': 600, 'recovery_max_tries': 50}})
    run = playbook(ansible, variables={'response_timeout': 5})
    assert run.rc == 0
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, query_frequency=600, recovery_max_tries=50,
                                  response_timeout=5, responder_url=simlib.RESPONDER_URL)


@pytest.mark.parametrize('check', [False, True])
def test_turning_on_without_responder_url(ansible, cluster, check):
    cluster.update({'config': {'responder_url': ''}})
    run = playbook(ansible, *(['--check'] if check else []), variables={'ocsp_functionality': True})
    result = assert_clean_failure(run, 'no_responder_url')
    assert 'OCSP URI' in result['msg']
    assert result['error_code'] == 'no_responder_url'
    assert cluster.calls() == [('GET', '/v1/ocsp')]


def test_bad_value_fails_before_any_request(ansible, cluster):
    run = playbook(ansible, variables={'query_frequency': 10})
    assert_clean_failure(run, 'query_frequency must be an integer from 60 to 86400; got 10.')
    assert cluster.log == []


def test_wrong_type_fails_before_any_request(ansible, cluster):
    run = playbook(ansible, variables={'recovery_max_tries': 'many'})
    assert_clean_failure(run, 'recovery_max_tries must be an integer from 1 to 100.')
    assert cluster.log == []


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# One row per failure a user can meet: what to set up, the environment, what
# the message must say, the status and error_code the result must carry.
ERRORS = {
    '401': ({}, {'REDIS_ENTERPRISE_PASSWORD': 'not-the-password'}, 'check username and password', 401, None),
    '403': ({}, {'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER, 'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD},
            'view_ocsp_config permission, which only the built-in admin role has', 403, 'insufficient_permissions'),
    '403-write': ({'raw_next': {'count': 1, 'method': 'PUT', 'status': 403,
                                'body': '{"error_code": "insufficient_permissions", "message": "no"}'}}, {},
                  'config_ocsp permission', 403, 'insufficient_permissions'),
    '404': ({'raw_next': {'count': 1, 'status': 404, 'body': '<html>Not Found</html>', 'content_type': 'text/html'}},
            {}, 'does not point at a Redis Enterprise REST API', 404, None),
    '406': ({'capability_406': True}, {}, 'Not all nodes of the cluster support OCSP', 406,
            'ocsp_unsupported_by_capability'),
    '400': ({'raw_next': {'count': 1, 'method': 'PUT', 'status': 400,
                          'body': '{"error_code": "invalid_schema", "message": "An illegal parameter"}'}}, {},
            'The cluster rejected PUT /v1/ocsp (HTTP 400, invalid_schema). The cluster said: An illegal parameter',
            400, 'invalid_schema'),
    '503': ({'fail_next': {'count': 10, 'status': 503}}, {}, 'HTTP 503 4 times in a row', 503, 'node_not_responding'),
    'timeout': ({'delay': 2}, {'REDIS_ENTERPRISE_TIMEOUT': '0.5'}, 'within the timeout of 0.5 seconds', None, None),
    'refused': ({}, {'REDIS_ENTERPRISE_URL': 'https://127.0.0.1:%d' % _closed_port()}, 'Connection refused', None, None),
    'timeout-nan': ({}, {'REDIS_ENTERPRISE_TIMEOUT': 'nan'}, 'timeout must be a number of seconds greater than 0',
                    None, None),
    'timeout-inf': ({}, {'REDIS_ENTERPRISE_TIMEOUT': 'inf'}, 'at most 86400; got inf', None, None),
    'tls': ({}, {'REDIS_ENTERPRISE_CA_PATH': None}, 'TLS verification of', None, None),
    'not-json': ({'non_json_next': 1}, {}, 'is not JSON', 200, None),
}


@pytest.mark.parametrize('name', sorted(ERRORS))
def test_errors_are_clear_and_change_nothing(ansible, cluster, name):
    faults, env, needle, status, error_code = ERRORS[name]
    cluster.update({'faults': faults})
    run = playbook(ansible, '-vvv', '--diff', env=env, variables={'query_frequency': 7200})
    result = assert_clean_failure(run, needle)
    assert result.get('http_status') == status
    assert result.get('error_code') == error_code
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)
    if name == 'tls':
        assert 'ca_path' in result['msg']
    if name == '503':
        assert cluster.count('GET') == 4


def test_validate_certs_false_warns(ansible, cluster):
    run = playbook(ansible, env={'REDIS_ENTERPRISE_CA_PATH': None, 'REDIS_ENTERPRISE_VALIDATE_CERTS': 'false'},
                   variables={'query_frequency': 3600})
    assert run.rc == 0, run.stdout + run.stderr
    assert "validate_certs is false: the cluster's identity is not verified" in run.stdout + run.stderr


@pytest.fixture
def other_ca(tmp_path):
    path = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


@pytest.mark.parametrize('variable', ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE'])
def test_ca_path_wins_over_a_ca_variable_in_both_directions(ansible, simulator, cluster, other_ca, variable):
    # The variable names another CA, ca_path the cluster's: verified.
    run = playbook(ansible, env={variable: other_ca}, variables={'query_frequency': 900})
    assert run.rc == 0, run.stdout + run.stderr
    assert cluster.config['query_frequency'] == 900
    # The variable names the cluster's CA, ca_path another: refused.
    run = playbook(ansible, env={variable: simulator.ca_path, 'REDIS_ENTERPRISE_CA_PATH': other_ca},
                   variables={'query_frequency': 1800})
    assert_clean_failure(run, 'TLS verification of')
    assert cluster.config['query_frequency'] == 900


@pytest.mark.parametrize('variable', ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])
def test_without_ca_path_the_requests_variables_name_the_ca(ansible, simulator, cluster, variable):
    run = playbook(ansible, env={variable: simulator.ca_path, 'REDIS_ENTERPRISE_CA_PATH': None},
                   variables={'query_frequency': 900})
    assert run.rc == 0, run.stdout + run.stderr
    assert cluster.config['query_frequency'] == 900
    assert 'WARNING' not in run.stdout + run.stderr


def test_validate_certs_false_with_ca_path_from_the_environment_warns_and_verifies(ansible, cluster, other_ca):
    # As an AWX credential gives ca_path: through REDIS_ENTERPRISE_CA_PATH.
    run = playbook(ansible, env={'REDIS_ENTERPRISE_VALIDATE_CERTS': 'false'}, variables={'query_frequency': 900})
    assert run.rc == 0, run.stdout + run.stderr
    warnings = run.task()['result']['warnings']
    assert len(warnings) == 1 and warnings[0].startswith('validate_certs is false, but ca_path is set')
    assert cluster.config['query_frequency'] == 900
    failed = playbook(ansible, env={'REDIS_ENTERPRISE_VALIDATE_CERTS': 'false', 'REDIS_ENTERPRISE_CA_PATH': other_ca},
                      variables={'query_frequency': 1800})
    assert_clean_failure(failed, 'TLS verification of')


@pytest.mark.parametrize('command', [['ansible', 'localhost', '-m', 'redis.enterprise.ocsp'],
                                     # Every option templated to omit, as with misspelt variables.
                                     ['ansible-playbook', 'ocsp.yml', '-e', '{"query_frequncy": 900}']],
                         ids=['ad-hoc', 'all-omitted'])
def test_a_task_that_enforces_nothing_is_refused(ansible, cluster, command):
    run = ansible(command)
    result = assert_clean_failure(run, 'one of the following is required: ocsp_functionality, query_frequency, '
                                       'response_timeout, recovery_frequency, recovery_max_tries.')
    assert 'would only read the cluster and enforce nothing' in result['msg']
    assert cluster.log == []


def test_password_never_appears_in_any_output(ansible, cluster, sim_url):
    """Runs changing, converged, check and failing scenarios at -vvvv with
    --diff and scans everything Ansible printed or returned."""
    leaks = list(SECRETS) + [base64.b64encode(('%s:%s' % (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)).encode()).decode()]
    runs = [
        playbook(ansible, '-vvvv', '--diff', '--check'),
        playbook(ansible, '-vvvv', '--diff'),
        playbook(ansible, '-vvvv', '--diff'),
        playbook(ansible, '-vvvv', '--diff', env={'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}),
        playbook(ansible, '-vvvv', '--diff', env={'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                                                  'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}),
        ansible(['ansible', 'localhost', '-vvvv', '--diff', '-m', 'redis.enterprise.ocsp',
                 '-a', 'url=%s password=%s query_frequency=600' % (sim_url, simlib.ADMIN_PASSWORD)]),
    ]
    assert [r.rc == 0 for r in runs] == [True, True, True, False, False, True]
    assert len(runs[1].stdout) > 1000  # -vvvv really was verbose
    for run in runs:
        for leak in leaks:
            assert leak not in run.output

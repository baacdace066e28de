# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ocsp through ansible-playbook and ansible, over HTTPS."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys

import pytest
import trustme
from ansible.release import __version__ as ansible_release

import redis_enterprise_sim as simlib
from runner import SECRETS, Cases, as_hostvars, assert_clean_failure

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


@pytest.mark.cycle
def test_check_apply_reapply(ansible, cluster):
    check = playbook(ansible, '--check', '--diff')
    assert check.rc == 0, check.stdout + check.stderr
    result = check.task()['result']
    assert result['changed'] is True
    assert result['diff'] == {'before': simlib.DEFAULT_CONFIG, 'after': DESIRED}
    assert result['ocsp'] == dict(DESIRED, responder_url=simlib.RESPONDER_URL)
    assert '-    "query_frequency": 3600' in check.stdout and '+    "query_frequency": 7200' in check.stdout
    # Stapling would be turned on: the responder is asked first, as for real.
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)

    cluster.log.clear()
    apply = playbook(ansible)
    assert apply.rc == 0, apply.stdout + apply.stderr
    assert apply.task()['result']['changed'] is True
    assert 'diff' not in apply.task()['result']
    assert apply.task()['result']['ocsp'] == check.task()['result']['ocsp']
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test'), ('PUT', '/v1/ocsp')]
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
    assert "install a proxy certificate whose own Authority Information Access names an OCSP responder" in result['msg']
    assert "one in the issuing CA's certificate does not count" in result['msg']
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
# the message must say, the status and error_code the result must carry. A
# wrong password, 503s, a timeout, TLS and an answer that is not JSON are rows
# of the fault matrix (wrong-password, storm-503-long, slow-server,
# tls-self-signed, html-page), which checks the same and more.
ERRORS = {
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
    'refused': ({}, {'REDIS_ENTERPRISE_URL': 'https://127.0.0.1:%d' % _closed_port()}, 'Connection refused', None, None),
    'timeout-nan': ({}, {'REDIS_ENTERPRISE_TIMEOUT': 'nan'}, 'timeout must be a number of seconds greater than 0',
                    None, None),
    'timeout-inf': ({}, {'REDIS_ENTERPRISE_TIMEOUT': 'inf'}, 'at most 86400; got inf', None, None),
}


@pytest.fixture(scope='module')
def errors(tmp_path_factory, collections_path):
    """The cases that need no variable of the environment but what the task's
    options can give, in one run over a host per case, each on a cluster of
    its own."""
    names = [name for name in sorted(ERRORS) if as_hostvars(ERRORS[name][1]) is not None]
    cases = Cases(str(tmp_path_factory.mktemp('errors')), names, collections_path)
    hostvars = {}
    for name in names:
        faults, env = ERRORS[name][:2]
        cases.clusters[name].update({'faults': faults})
        hostvars[name] = dict(as_hostvars(env), query_frequency=7200)
    run = cases.play('ocsp.yml', hostvars, '-vvv', '--diff')
    yield cases, run
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('ocsp-errors')
@pytest.mark.parametrize('name', sorted(ERRORS))
def test_errors_are_clear_and_change_nothing(ansible, cluster, name, request):
    faults, env, needle, status, error_code = ERRORS[name]
    if as_hostvars(env) is not None:
        cases, run = request.getfixturevalue('errors')
        cluster, host = cases.clusters[name], name
    else:
        cluster.update({'faults': faults})
        run, host = playbook(ansible, '-vvv', '--diff', env=env, variables={'query_frequency': 7200}), None
    result = assert_clean_failure(run, needle, host=host)
    assert result.get('http_status') == status
    assert result.get('error_code') == error_code
    assert cluster.config == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)


@pytest.mark.parametrize('error_text', ['description', 'message'])
def test_the_text_of_an_error_answer_reaches_the_message_in_either_form(ansible, cluster, error_text):
    # The vendor's spec gives the error's text as description, the prose
    # pages of the API reference as message.
    cluster.update({'faults': {'capability_406': True, 'error_text': error_text}})
    run = playbook(ansible, variables={'query_frequency': 7200})
    result = assert_clean_failure(run, 'Not all nodes of the cluster support OCSP (HTTP 406, '
                                       'ocsp_unsupported_by_capability), for example while the cluster is being '
                                       'upgraded. Finish upgrading every node, then run again. The cluster said: '
                                       'Not all nodes support OCSP capability.')
    assert (result['http_status'], result['error_code']) == (406, 'ocsp_unsupported_by_capability')


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


# Each variable reaches requests alike on either path: the module path with one.
@pytest.mark.both_paths(module={'variable': 'REQUESTS_CA_BUNDLE'})
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


@pytest.mark.both_paths(module={'variable': 'CURL_CA_BUNDLE'})
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


@pytest.mark.both_paths
def test_password_never_appears_in_any_output(ansible, cluster, sim_url):
    """Runs the fault matrix does not (check mode, a user the cluster
    refuses, an ad-hoc change with the password as an argument) at -vvvv with
    --diff, and scans everything Ansible printed or returned. The matrix's
    rows, changing, converged and failing, a wrong password among them, are
    scanned likewise (test_faults.py)."""
    leaks = list(SECRETS) + [base64.b64encode(('%s:%s' % (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)).encode()).decode()]
    runs = [
        playbook(ansible, '-vvvv', '--diff', '--check'),
        playbook(ansible, '-vvvv', '--diff', env={'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                                                  'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}),
        ansible(['ansible', 'localhost', '-vvvv', '--diff', '-m', 'redis.enterprise.ocsp',
                 '-a', 'url=%s password=%s query_frequency=600' % (sim_url, simlib.ADMIN_PASSWORD)]),
    ]
    assert [r.rc == 0 for r in runs] == [True, False, True]
    assert runs[1].task()['result']['http_status'] == 403
    assert '"changed": true' in runs[2].stdout and cluster.config['query_frequency'] == 600
    assert len(runs[0].stdout) > 1000  # -vvvv really was verbose
    for run in runs:
        for leak in leaks:
            assert leak not in run.output


# Credentials outside Latin-1, sent as UTF-8 (RFC 7617).

UTF8_ENV = {'REDIS_ENTERPRISE_USERNAME': simlib.UTF8_ADMIN_USER, 'REDIS_ENTERPRISE_PASSWORD': simlib.UTF8_ADMIN_PASSWORD}


@pytest.mark.both_paths
def test_utf8_credentials_from_the_environment(ansible, cluster):
    run = playbook(ansible, '-vvvv', '--diff', env=UTF8_ENV, variables={'query_frequency': 900})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert run.task()['result']['changed'] is True and cluster.config['query_frequency'] == 900
    assert [entry['user_known'] for entry in cluster.log] == [True, True]
    assert simlib.UTF8_ADMIN_PASSWORD not in run.output


@pytest.mark.both_paths
def test_utf8_credentials_as_ad_hoc_arguments(ansible, cluster):
    run = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a',
                   'username=%s password=%s response_timeout=3' % (simlib.UTF8_ADMIN_USER, simlib.UTF8_ADMIN_PASSWORD)],
                  env={'REDIS_ENTERPRISE_USERNAME': None, 'REDIS_ENTERPRISE_PASSWORD': None})
    assert run.rc == 0, run.stdout + run.stderr
    assert cluster.config['response_timeout'] == 3
    assert simlib.UTF8_ADMIN_PASSWORD not in run.output


@pytest.mark.both_paths
def test_a_password_that_is_not_text_is_refused_before_any_request(ansible, cluster):
    # A password exported from a Latin-1 file in a UTF-8 shell: bytes that
    # are no UTF-8, which Python reads as lone surrogates.
    password = 'S3cret-' + os.fsdecode(b'\xe9\xff')
    run = playbook(ansible, env={'REDIS_ENTERPRISE_PASSWORD': password}, variables={'query_frequency': 900})
    result = assert_clean_failure(run, 'password is not valid text: it holds bytes that are not UTF-8')
    assert 'password came from the REDIS_ENTERPRISE_PASSWORD environment variable' in result['msg']
    assert 'S3cret' not in run.output
    assert cluster.log == []


# Messages that name their cause.

# On the module path, ansible-core's own type check of a value from the environment; the
# collection's checks of a value run the same on either path.
@pytest.mark.both_paths(module={'value': 'abc'})
@pytest.mark.parametrize('variable, value, needle', [
    ('REDIS_ENTERPRISE_TIMEOUT', '0', 'timeout must be a number of seconds greater than 0 and at most 86400; got 0.0. '
                                      'timeout came from the REDIS_ENTERPRISE_TIMEOUT environment variable'),
    ('REDIS_ENTERPRISE_TIMEOUT', 'abc', "argument 'timeout' is of type"),
    ('REDIS_ENTERPRISE_URL', 'cluster:9443', "with its scheme, like https://cluster.example.com:9443; got "
                                             "'cluster:9443'. url came from the REDIS_ENTERPRISE_URL environment"),
    ('REDIS_ENTERPRISE_VALIDATE_CERTS', 'maybe', "argument 'validate_certs' is of type"),
], ids=['timeout-0', 'timeout-abc', 'url', 'validate_certs'])
def test_a_bad_value_from_the_environment_names_the_variable(ansible, cluster, variable, value, needle):
    run = playbook(ansible, env={variable: value}, variables={'query_frequency': 900})
    result = assert_clean_failure(run, needle)
    option = variable[len('REDIS_ENTERPRISE_'):].lower()
    assert ('%s came from the %s environment variable: correct it there, or give the %s option.'
            % (option, variable, option)) in result['msg']
    assert cluster.log == []


@pytest.mark.both_paths
def test_a_value_given_in_the_task_does_not_blame_the_environment(ansible, cluster):
    run = playbook(ansible, env={'REDIS_ENTERPRISE_TIMEOUT': '30'},
                   variables={'query_frequency': 900, 'cluster_timeout': 0})
    result = assert_clean_failure(run, 'timeout must be a number of seconds greater than 0')
    assert 'REDIS_ENTERPRISE_TIMEOUT' not in result['msg']


@pytest.mark.both_paths
def test_a_missing_url_names_its_variable(ansible, cluster):
    run = playbook(ansible, env={'REDIS_ENTERPRISE_URL': None}, variables={'query_frequency': 900})
    result = assert_clean_failure(run, 'url is required, and neither the task nor the environment gives it. Give '
                                       'the url option, or set the REDIS_ENTERPRISE_URL environment variable')
    assert cluster.log == []


def test_a_misspelt_only_option_is_named(ansible, cluster):
    run = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'respnse_timeout=5'])
    result = assert_clean_failure(run, 'Unsupported parameters for (redis.enterprise.ocsp) module: respnse_timeout.')
    assert result['msg'].startswith('Unsupported parameters')
    assert 'one of the following is required' in result['msg']
    assert cluster.log == []


def test_plain_http_to_the_https_port_says_to_use_https(ansible, cluster, sim_url):
    plain = sim_url.replace('https://', 'http://')
    run = playbook(ansible, env={'REDIS_ENTERPRISE_URL': plain}, variables={'query_frequency': 900})
    assert_clean_failure(run, 'The url uses http://, and the REST API answers HTTPS (on port 9443 by default): '
                              'use %s.' % sim_url)


def test_a_timings_change_while_stapling_is_on_without_responder_says_so(ansible, cluster):
    cluster.update({'config': {'ocsp_functionality': True, 'responder_url': ''}})
    run = playbook(ansible, '--check', variables={'query_frequency': 900})
    result = assert_clean_failure(run, 'OCSP stapling is on, but the cluster has no OCSP responder URL any more')
    assert 'Cannot turn OCSP stapling on' not in result['msg']
    assert 'turn stapling off (ocsp_functionality: false)' in result['msg']
    assert 'Install a proxy certificate whose own Authority Information Access names an OCSP responder' in result['msg']
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    # Turning it off is no such change: it goes through.
    off = playbook(ansible, variables={'ocsp_functionality': False})
    assert off.rc == 0 and cluster.config['ocsp_functionality'] is False


# A secret written into the url stays out of every output, and every other
# word of the message stays readable.

@pytest.mark.both_paths
@pytest.mark.parametrize('secret_url', ['https://u:p@{hostport}', 'https://a@{hostport}'])
def test_a_short_secret_in_the_url_is_hidden_without_garbling_the_message(ansible, cluster, sim_url, secret_url):
    url = secret_url.format(hostport=sim_url.split('://')[1])
    run = ansible(['ansible-playbook', 'ocsp.yml', '-e', json.dumps({'query_frequency': 900, 'cluster_url': url})])
    result = run.task()['result']
    assert result['msg'] == ('The url option must not contain a user name or password; give them with username and '
                             'password (or REDIS_ENTERPRISE_USERNAME and REDIS_ENTERPRISE_PASSWORD) instead.')
    # The message reads as written wherever it is shown; the secret nowhere.
    assert result['msg'] in run.stdout
    assert url.split('@')[0] + '@' not in run.output
    assert result['invocation']['module_args']['url'] == 'https://********@' + sim_url.split('://')[1]
    assert cluster.log == []


@pytest.mark.core
@pytest.mark.both_paths
def test_where_ansible_core_itself_shows_a_password_option(ansible, cluster):
    """The one case the documentation names: from ansible-core 2.19 a failed
    task prints its origin, which for an ad-hoc command is its arguments,
    password included, at any verbosity. Given through the environment, as
    the documentation advises, it shows nowhere."""
    wrong = 'Ad-Hoc-Wr0ng-S3cret-51e7'
    as_argument = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a',
                           'password=%s query_frequency=900' % wrong], env={'REDIS_ENTERPRISE_PASSWORD': None})
    assert as_argument.rc != 0 and as_argument.task()['result']['http_status'] == 401
    core = tuple(int(part) for part in ansible_release.split('.')[:2])
    assert (wrong in as_argument.stdout + as_argument.stderr) is (core >= (2, 19))
    # Never in the result, on any release: it is masked there.
    assert wrong not in json.dumps(as_argument.records)
    from_environment = ansible(['ansible', 'localhost', '-m', 'redis.enterprise.ocsp', '-a', 'query_frequency=900'],
                               env={'REDIS_ENTERPRISE_PASSWORD': wrong})
    assert from_environment.rc != 0 and from_environment.task()['result']['http_status'] == 401
    assert wrong not in from_environment.output


@pytest.fixture(scope='session')
def old_urllib3(tmp_path_factory):
    """A real urllib3 1.25.11, older than the collection's floor, in a
    directory of its own to put first on PYTHONPATH. requests 2.25 and later
    accept it (urllib3>=1.21.1); on Python 3.12 and later it no longer even
    imports, its vendored six being too old."""
    target = tmp_path_factory.mktemp('urllib3-1.25')
    done = subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                           '--no-deps', '--target', str(target), 'urllib3==1.25.11'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return str(target)


@pytest.mark.both_paths
def test_a_urllib3_older_than_1_26_says_what_to_upgrade(ansible, cluster, old_urllib3):
    # First on PYTHONPATH, for the controller's worker and the module's Python alike.
    run = playbook(ansible, '-vvvv', variables={'query_frequency': 900}, env={'PYTHONPATH': old_urllib3})
    result = assert_clean_failure(run, 'The Python library urllib3 of ')
    assert "is too old: it has version 1.25.11 (%s" % os.path.join(old_urllib3, 'urllib3') in result['msg']
    assert "needs urllib3 1.26 or later" in result['msg']
    assert '"%s -m pip install \'urllib3>=1.26\'"' % sys.executable in result['msg']
    assert 'TypeError' not in run.output
    if ansible.path == 'direct':
        # The worker has the same urllib3: the module path says it, as for a missing library.
        assert ("redis.enterprise.ocsp runs as a module: urllib3 1.26 or later cannot be imported in the "
                "controller's Python") in run.stdout
    assert cluster.log == []

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ocsp_info through ansible-playbook and ansible, over
HTTPS, and the fleet audit example against several simulated clusters."""

from __future__ import annotations

import datetime
import json
import os
import socket

import pytest

import redis_enterprise_sim as simlib
from runner import ROOT, Cases, as_hostvars, assert_clean_failure

ACTION = 'redis.enterprise.ocsp_info'
AUDIT = os.path.join(ROOT, 'docs', 'examples', 'audit_ocsp.yml')
CACHED = {
    'cert_status': 'GOOD',
    'responder_url': simlib.RESPONDER_URL,
    'produced_at': 'Wed, 22 Dec 2021 12:50:11 GMT',
    'this_update': 'Wed, 22 Dec 2021 12:50:11 GMT',
    'next_update': 'Thu, 23 Dec 2021 12:50:11 GMT',
    'revocation_time': '',
}
CACHED_ISO = {
    'produced_at_iso': '2021-12-22T12:50:11Z',
    'this_update_iso': '2021-12-22T12:50:11Z',
    'next_update_iso': '2021-12-23T12:50:11Z',
    'revocation_time_iso': None,
}
NOT_TESTED = 'test_certificate was not done in check mode'


def playbook(ansible, *options, variables=None, **kwargs):
    return ansible(['ansible-playbook', 'ocsp_info.yml', '-e', json.dumps(variables or {})] + list(options),
                   **kwargs)


def iso_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


@pytest.mark.cycle
@pytest.mark.both_paths
def test_reads_configuration_and_cached_status(ansible, cluster):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': CACHED})
    run = playbook(ansible)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is False
    assert result['ocsp'] == dict(simlib.DEFAULT_CONFIG, ocsp_functionality=True, responder_url=simlib.RESPONDER_URL)
    assert result['certificate_compatible'] is True
    assert result['ocsp_status'] == dict(CACHED, **CACHED_ISO)
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]
    # A playbook compares the ISO date with now(): next update in 2021 is past.
    assert run.task('ansible.builtin.debug')['result']['msg'] == 'out of date'
    assert 'changed=0' in run.stdout


def test_fresh_cluster_with_ocsp_off_is_not_a_failure(ansible, cluster):
    run = playbook(ansible)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['ocsp']['ocsp_functionality'] is False
    assert result['ocsp_status']['cert_status'] == ''
    assert result['ocsp_status']['next_update'] == '' and result['ocsp_status']['next_update_iso'] is None
    assert run.task('ansible.builtin.debug')['status'] == 'skipped'


def test_certificate_without_responder_url_is_not_compatible(ansible, cluster):
    cluster.update({'config': {'responder_url': ''}})
    run = playbook(ansible)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.task(ACTION)['result']['certificate_compatible'] is False


EMPTY_STATUS = dict({name: '' for name in CACHED}, **{name: None for name in CACHED_ISO})


@pytest.mark.parametrize('status_error', ['invalid_ocsp_response', 'no_responder_url'])
def test_a_cluster_without_responder_whose_status_call_fails_is_still_read(ansible, cluster, status_error):
    # What GET /v1/ocsp/status answers there is not documented: an error is
    # one of the possible answers, and no reason to fail the read.
    cluster.update({'config': {'responder_url': ''}, 'faults': {'status_error': status_error}})
    run = playbook(ansible)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['certificate_compatible'] is False
    assert result['ocsp_status'] == EMPTY_STATUS
    (warning,) = result['warnings']
    assert warning.startswith('The cluster has no OCSP responder URL, so no OCSP status; the status returned is '
                              'empty. GET /v1/ocsp/status failed: ')
    assert '(HTTP 500, %s' % status_error in warning or 'HTTP 500 (error code %s)' % status_error in warning
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]


def test_a_status_call_failing_with_a_responder_url_is_a_failure(ansible, cluster):
    cluster.update({'faults': {'status_error': 'invalid_ocsp_response'}})
    result = assert_clean_failure(playbook(ansible), 'The OCSP responder gave the cluster an answer it cannot use',
                                  ACTION)
    assert result['http_status'] == 500


def test_the_test_call_waits_for_the_queue_and_the_responder_whatever_the_timeout(ansible, cluster):
    # 2 s for the test with a 1 s timeout option: the call waits 5 + response_timeout + 5 s.
    cluster.update({'config': {'ocsp_functionality': True}, 'faults': {'test_delay': 2}})
    run = playbook(ansible, variables={'test_certificate': True}, env={'REDIS_ENTERPRISE_TIMEOUT': '1'})
    assert run.rc == 0, run.stdout + run.stderr
    assert run.task(ACTION)['result']['ocsp_status']['cert_status'] == 'GOOD'
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]


@pytest.mark.parametrize('cert_status', ['GOOD', 'REVOKED', 'UNKNOWN'])
def test_test_certificate_returns_what_the_responder_says_now(ansible, cluster, cert_status):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': CACHED, 'responder_cert_status': cert_status})
    before = iso_now()
    run = playbook(ansible, variables={'test_certificate': True})
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is False
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]
    status = result['ocsp_status']
    assert status['cert_status'] == cert_status
    assert status['this_update_iso'] >= before
    assert status['next_update_iso'] > iso_now()
    assert (status['revocation_time_iso'] or '') < before
    assert bool(status['revocation_time']) is (cert_status == 'REVOKED')
    assert cluster.status['cert_status'] == cert_status
    assert run.task('ansible.builtin.debug')['result']['msg'] == 'current'


def test_check_mode_does_not_send_the_post(ansible, cluster):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': CACHED, 'responder_cert_status': 'REVOKED'})
    run = playbook(ansible, '--check', variables={'test_certificate': True})
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]
    assert cluster.count('POST') == 0
    assert result['ocsp_status'] == dict(CACHED, **CACHED_ISO)
    assert cluster.status == CACHED
    assert NOT_TESTED in run.stdout + run.stderr
    assert any(NOT_TESTED in warning for warning in result['warnings'])


def test_ad_hoc(ansible, cluster):
    cluster.update({'status': CACHED})
    run = ansible(['ansible', 'localhost', '-m', ACTION])
    assert run.rc == 0, run.stdout + run.stderr
    assert '"cert_status": "GOOD"' in run.stdout and '"next_update_iso": "2021-12-23T12:50:11Z"' in run.stdout
    assert '"certificate_compatible": true' in run.stdout

    cluster.log.clear()
    check = ansible(['ansible', 'localhost', '-m', ACTION, '-a', 'test_certificate=true', '--check'])
    assert check.rc == 0, check.stdout + check.stderr
    assert NOT_TESTED in check.stdout + check.stderr
    assert cluster.count('POST') == 0

    cluster.log.clear()
    test = ansible(['ansible', 'localhost', '-m', ACTION, '-a', 'test_certificate=true'])
    assert test.rc == 0, test.stdout + test.stderr
    assert cluster.count('POST', '/v1/ocsp/test') == 1


def test_test_certificate_in_check_mode_before_a_responder_url_warns_and_reads(ansible, cluster):
    # As in the check run of a workflow whose proxy certificate, with its responder, is not installed yet.
    cluster.update({'config': {'responder_url': ''}})
    run = ansible(['ansible', 'localhost', '-m', ACTION, '-a', 'test_certificate=true', '--check'])
    assert run.rc == 0, run.stdout + run.stderr
    result = run.task(ACTION)['result']
    assert result['certificate_compatible'] is False and result['ocsp']['responder_url'] == ''
    assert any('test_certificate was not done in check mode, and a real run would fail' in warning
               and 'no_responder_url' in warning for warning in result['warnings']), result
    assert cluster.count('POST') == 0


def _raw(method, path, status, code, message):
    return {'raw_next': {'count': 1, 'method': method, 'path': path, 'status': status,
                         'body': json.dumps({'error_code': code, 'message': message})}}


VIEWER = {'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER, 'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}

# One row per failure: cluster set-up, environment, test_certificate, what the
# message must say, the status and error_code the result must carry, the calls made.
ERRORS = {
    '401': ({}, {'REDIS_ENTERPRISE_PASSWORD': 'not-the-password'}, False,
            'check username and password', 401, None, [('GET', '/v1/ocsp')]),
    '403-config': ({}, VIEWER, False, 'needs the view_ocsp_config permission, which only the built-in admin role has',
                   403, 'insufficient_permissions', [('GET', '/v1/ocsp')]),
    '403-status': ({'faults': _raw('GET', '/v1/ocsp/status', 403, 'insufficient_permissions', 'no')}, {}, False,
                   'may not GET /v1/ocsp/status (HTTP 403): it needs the view_ocsp_status permission', 403,
                   'insufficient_permissions', [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]),
    '403-test': ({'faults': _raw('POST', '/v1/ocsp/test', 403, 'insufficient_permissions', 'no')}, {}, True,
                 'may not POST /v1/ocsp/test (HTTP 403): it needs the test_ocsp_status permission', 403,
                 'insufficient_permissions', [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]),
    '406': ({'faults': {'capability_406': True}}, {}, False, 'Not all nodes of the cluster support OCSP', 406,
            'ocsp_unsupported_by_capability', [('GET', '/v1/ocsp')]),
    '406-status': ({'faults': _raw('GET', '/v1/ocsp/status', 406, 'ocsp_unsupported_by_capability', 'Not all')},
                   {}, False, 'Not all nodes of the cluster support OCSP', 406, 'ocsp_unsupported_by_capability',
                   [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]),
    '500-task-queued': ({'faults': {'test_error': 'task_queued_for_too_long'}}, {}, True,
                        'The cluster did not get to POST /v1/ocsp/test in time (HTTP 500, task_queued_for_too_long): '
                        'its task queue is busy. Run again later. The cluster said: The OCSP query failed: '
                        'task_queued_for_too_long', 500, 'task_queued_for_too_long',
                        [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]),
    '500-invalid-test': ({'faults': {'test_error': 'invalid_ocsp_response'}}, {}, True,
                         'The OCSP responder gave the cluster an answer it cannot use (HTTP 500, invalid_ocsp_response, '
                         'for POST /v1/ocsp/test). Check that the cluster nodes reach the responder URL',
                         500, 'invalid_ocsp_response', [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]),
    '500-invalid-status': ({'faults': {'status_error': 'invalid_ocsp_response'}}, {}, False,
                           'answer it cannot use (HTTP 500, invalid_ocsp_response, for GET /v1/ocsp/status). Check '
                           'that the cluster nodes reach the responder URL of the proxy certificate and that it '
                           'answers for that certificate. The cluster said: OCSP status is not valid',
                           500, 'invalid_ocsp_response', [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]),
    'no-responder-url': ({'config': {'responder_url': ''}}, {}, True,
                         'certificate_compatible is false. The responder URL comes from the Authority Information '
                         "Access of the proxy certificate itself (one in the issuing CA's certificate does not count)",
                         None, 'no_responder_url', [('GET', '/v1/ocsp')]),
    'tls': ({}, {'REDIS_ENTERPRISE_CA_PATH': None}, False, 'TLS verification of', None, None, []),
}


@pytest.fixture(scope='module')
def errors(tmp_path_factory, collections_path):
    """The cases whose environment gives nothing but credentials, in one run
    over a host per case, each on a cluster of its own."""
    names = [name for name in sorted(ERRORS) if as_hostvars(ERRORS[name][1]) is not None]
    cases = Cases(str(tmp_path_factory.mktemp('errors')), names, collections_path)
    hostvars = {}
    for name in names:
        setup, env, test = ERRORS[name][:3]
        cases.clusters[name].update(setup)
        hostvars[name] = dict(as_hostvars(env), test_certificate=test)
    run = cases.play('ocsp_info.yml', hostvars, '-vvv')
    yield cases, run
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('ocsp-info-errors')
@pytest.mark.parametrize('name', sorted(ERRORS))
def test_errors_are_clear(ansible, cluster, name, request):
    setup, env, test, needle, status, error_code, expected_calls = ERRORS[name]
    if as_hostvars(env) is not None:
        cases, run = request.getfixturevalue('errors')
        cluster, host = cases.clusters[name], name
    else:
        cluster.update(setup)
        run, host = playbook(ansible, '-vvv', env=env, variables={'test_certificate': test}), None
    result = assert_clean_failure(run, needle, ACTION, host=host)
    assert result.get('http_status') == status
    assert result.get('error_code') == error_code
    # The POST is never retried: it asks an outside responder and refreshes the cache.
    assert [(c['method'], c['path']) for c in cluster.log if c['user_known'] or c['status'] == 401] == expected_calls


# The fleet audit example, docs/examples/audit_ocsp.yml, against three clusters.

@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with simlib.Simulator(str(tmp_path_factory.mktemp('fleet-certs')), clusters=3,
                          responder_url=simlib.RESPONDER_URL) as sim:
        yield sim


@pytest.fixture
def audit(ansible, fleet, tmp_path):
    """audit(*options, host_vars=None) -> Run of the audit example over an
    inventory with one host per simulated cluster; the url and CA come from
    inventory variables, host_vars (host: variables) override them."""
    for state in fleet.clusters:
        state.reset()
    inventory = tmp_path / 'redis_clusters.yml'
    hosts = dict((state.name, {'redis_url': url}) for state, url in zip(fleet.clusters, fleet.urls))
    # And a cluster that cannot be reached: nothing listens on its port.
    hosts['cluster-down'] = {'redis_url': 'https://127.0.0.1:%d' % closed_port()}

    def run(*options, host_vars=None):
        for host, variables in (host_vars or {}).items():
            hosts[host].update(variables)
        inventory.write_text(json.dumps({'redis_clusters': {'hosts': hosts,
                                                            'vars': {'redis_ca_path': fleet.ca_path}}}))
        return ansible(['ansible-playbook', '-i', str(inventory), AUDIT] + list(options),
                       env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None})

    return run


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def stapling(cert_status='GOOD', hours_ago=0):
    """Cluster state with OCSP on and a status fetched hours_ago (it runs out a day after)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return {'config': {'ocsp_functionality': True},
            'status': simlib.fresh_status(cert_status, now=now - datetime.timedelta(hours=hours_ago))}


def table(run):
    return run.task('ansible.builtin.debug')['result']['msg']


def failed_hosts(run):
    return sorted(r['host'] for r in run.records if r['status'] == 'failed')


@pytest.mark.parametrize('check', [False, True])
def test_audit_passes_a_healthy_fleet(audit, fleet, check):
    off, good, stale_but_off = fleet.clusters
    good.update(stapling('GOOD'))
    stale_but_off.update({'status': simlib.fresh_status('GOOD', now=datetime.datetime(2021, 12, 22, 12, 50, 11))})
    run = audit(*(['--check'] if check else []))
    # The unreachable cluster fails the run, on its own line.
    assert run.rc == 2, run.stdout + run.stderr
    lines = table(run)
    assert lines[0].split() == ['cluster', 'ocsp', 'responder', 'status', 'next', 'update', '(UTC)']
    assert lines[1].split() == ['cluster01', 'off', 'yes', '-', '-']
    assert lines[2].split()[:4] == ['cluster02', 'on', 'yes', 'GOOD']
    assert lines[2].split()[4] > iso_now()
    assert lines[3].split() == ['cluster03', 'off', 'yes', 'GOOD', '2021-12-23T12:50:11Z']
    assert lines[4].split()[:6] == ['cluster-down', '-', '-', 'failed', 'Cannot', 'reach']
    assert 'Connection refused' in lines[4]
    assert failed_hosts(run) == ['cluster-down']
    (down,) = [r['result']['msg'] for r in run.records if r['status'] == 'failed']
    assert down.startswith('cluster-down: could not be read: Cannot reach https://127.0.0.1:')
    assert 'Connection refused' in down
    assert [state.count('GET') for state in fleet.clusters] == [2, 2, 2]
    assert [state.count('POST') + state.count('PUT') for state in fleet.clusters] == [0, 0, 0]


def test_audit_fails_revoked_and_out_of_date_clusters(audit, fleet):
    good, revoked, stale = fleet.clusters
    good.update(stapling('GOOD'))
    revoked.update(stapling('REVOKED'))
    stale.update(stapling('GOOD', hours_ago=25))
    stale.update({'config': {'responder_url': ''}})
    run = audit()
    assert run.rc == 2, run.stdout + run.stderr
    lines = table(run)
    assert [line.split()[:4] for line in lines[1:]] == [
        ['cluster01', 'on', 'yes', 'GOOD'], ['cluster02', 'on', 'yes', 'REVOKED'], ['cluster03', 'on', 'no', 'GOOD'],
        ['cluster-down', '-', '-', 'failed']]
    assert lines[3].split()[4] < iso_now()
    assert failed_hosts(run) == ['cluster-down', 'cluster02', 'cluster03']
    messages = dict((r['host'], r['result']['msg']) for r in run.records if r['status'] == 'failed')
    assert messages['cluster02'].startswith('cluster02: the proxy certificate is REVOKED (since 20')
    assert messages['cluster03'].startswith('cluster03: the stapled OCSP status ran out at ')
    assert 'check that the cluster reaches its OCSP responder %s' % simlib.RESPONDER_URL in messages['cluster03']
    assert 'cluster02' in run.stdout and 'PLAY RECAP' in run.stdout


def test_audit_reports_a_cluster_it_cannot_read_and_audits_the_rest(audit, fleet, tmp_path):
    first, unreadable, third = fleet.clusters
    unreadable.update({'faults': {'capability_406': True}})
    # A cause on the controller's side: no request is made, and the line says what is wrong, not "no answer".
    missing = str(tmp_path / 'no-such-ca.pem')
    run = audit(host_vars={'cluster03': {'redis_ca_path': missing}})
    assert run.rc == 2, run.stdout + run.stderr
    assert failed_hosts(run) == ['cluster-down', 'cluster02', 'cluster03']
    # Every cluster has its line, with what kept it from being read.
    lines = table(run)[1:]
    assert [line.split()[:5] for line in lines] == [
        ['cluster01', 'off', 'yes', '-', '-'], ['cluster02', '-', '-', 'HTTP', '406'],
        ['cluster03', '-', '-', 'failed', 'ca_path'], ['cluster-down', '-', '-', 'failed', 'Cannot']]
    assert 'Not all nodes of the cluster support OCSP' in lines[1]
    assert 'ca_path %s is not a readable file' % missing in lines[2]
    assert 'no answer' not in json.dumps(lines)
    assert 'cluster02: could not be read: Not all nodes of the cluster support OCSP' in run.stdout
    assert third.log == []

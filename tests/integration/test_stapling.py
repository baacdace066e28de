# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stapling that cannot break clients: redis.enterprise.ocsp asks the
responder before it turns stapling on and writes only on a GOOD and current
answer; redis.enterprise.certificate asks it right after replacing the proxy
certificate while stapling is on."""

from __future__ import annotations

import json
import os

import pytest

import redis_enterprise_sim as simlib
from runner import ROOT, Cases, assert_clean_failure

GET = ('GET', '/v1/ocsp')
TEST = ('POST', '/v1/ocsp/test')
PUT = ('PUT', '/v1/ocsp')
ON = {'ocsp_functionality': True}

# name: (the simulator's responder, what the failure says, or None when it is GOOD and current)
ANSWERS = {
    'good': ({'responder_cert_status': 'GOOD'}, None),
    'revoked': ({'responder_cert_status': 'REVOKED'},
                'Not turning OCSP stapling on: the OCSP responder http://ocsp.example.test answered REVOKED for the '
                'proxy certificate (revoked at 20'),
    'unknown': ({'responder_cert_status': 'UNKNOWN'},
                'Not turning OCSP stapling on: the OCSP responder http://ocsp.example.test answered UNKNOWN for the '
                "proxy certificate. While stapling is on, clients that check the staple refuse the handshake for such "
                "a status, so every database of the cluster would be cut off from them. Check that the cluster's "
                'nodes reach the responder (their route and firewall to it)'),
    'out-of-date': ({'faults': {'responder_stale': True}},
                    'answered GOOD for the proxy certificate, but out of date: its next update was 20'),
    'no-answer': ({'faults': {'test_error': 'invalid_ocsp_response'}},
                  'Not turning OCSP stapling on: asking the OCSP responder http://ocsp.example.test failed (The OCSP '
                  'responder gave the cluster an '
                  'answer it cannot use (HTTP 500, invalid_ocsp_response, for POST /v1/ocsp/test)'),
}


def enforce(ansible, variables, *options, **kwargs):
    return ansible(['ansible-playbook', 'ocsp.yml', '-e', json.dumps(variables)] + list(options), **kwargs)


def case_of(answer, check):
    return '%s-%s' % (answer, 'check' if check else 'real')


@pytest.fixture(scope='module')
def answered(tmp_path_factory, collections_path):
    """Every answer, in check mode and for real, on direct execution: one
    run over a host per case, each on a cluster of its own whose responder
    gives that answer."""
    names = [case_of(answer, check) for answer in sorted(ANSWERS) for check in (True, False)]
    cases = Cases(str(tmp_path_factory.mktemp('answers')), names, collections_path)
    hostvars = {}
    for answer in sorted(ANSWERS):
        for check in (True, False):
            cases.clusters[case_of(answer, check)].update(ANSWERS[answer][0])
            hostvars[case_of(answer, check)] = dict(ON, query_frequency=900, case_check=check)
    run = cases.play('ocsp.yml', hostvars, '--diff', per_host_check=True)
    yield cases, run
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('stapling-answers')
@pytest.mark.both_paths(module={'answer': 'good'})
@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('answer', sorted(ANSWERS))
def test_stapling_is_turned_on_only_on_a_good_and_current_answer(ansible, cluster, answer, check, request):
    state, says = ANSWERS[answer]
    if ansible.path == 'direct':
        # The cases of the direct path ran together, each on its own cluster.
        cases, run = request.getfixturevalue('answered')
        host, cluster = case_of(answer, check), cases.clusters[case_of(answer, check)]
    else:
        cluster.update(state)
        run = enforce(ansible, dict(ON, query_frequency=900), '--diff', *(['--check'] if check else []))
        host = None
    if says is None:
        assert run.task(host=host)['status'] == 'ok', run.stdout[-3000:] + run.stderr
        result = run.task(host=host)['result']
        assert result['changed'] is True
        assert result['ocsp_status']['cert_status'] == 'GOOD'
        assert result['ocsp_status']['next_update_iso'] > result['ocsp_status']['this_update_iso']
        assert cluster.calls() == ([GET, TEST] if check else [GET, TEST, PUT])
        assert cluster.config['ocsp_functionality'] is (not check)
    else:
        result = assert_clean_failure(run, says, host=host)
        assert 'Nothing was written' in result['msg'] and 'require_good_status: false' in result['msg']
        assert cluster.calls() == [GET, TEST]
        assert cluster.config['ocsp_functionality'] is False and cluster.config['query_frequency'] == 3600
        if answer == 'no-answer':
            assert (result['http_status'], result['error_code']) == (500, 'invalid_ocsp_response')
        else:
            assert result['ocsp_status']['cert_status'] == state.get('responder_cert_status', 'GOOD')
    # While stapling is off, the test is not cached: nothing on the cluster changed.
    if check or says:
        assert cluster.status['cert_status'] == ''


# name: (the cluster's configuration, what the task gives)
NOT_TURNING_ON = {
    'on-already': ({'ocsp_functionality': True}, dict(ON, query_frequency=900)),
    'stays-off': ({}, {'query_frequency': 900}),
    'off-explicitly': ({}, {'ocsp_functionality': False, 'response_timeout': 3}),
    'converged': ({'ocsp_functionality': True, 'query_frequency': 900}, dict(ON, query_frequency=900)),
}


@pytest.fixture(scope='module')
def not_turning_on(tmp_path_factory, collections_path):
    """Every case in one run over a host per case, each on a cluster of its
    own whose responder would answer REVOKED if asked."""
    cases = Cases(str(tmp_path_factory.mktemp('not-turning-on')), sorted(NOT_TURNING_ON), collections_path)
    for name, (config, dummy) in NOT_TURNING_ON.items():
        cases.clusters[name].update({'config': config, 'responder_cert_status': 'REVOKED'})
    run = cases.play('ocsp.yml', dict((name, variables) for name, (dummy, variables) in NOT_TURNING_ON.items()))
    yield cases, run
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('stapling-not-turning-on')
@pytest.mark.parametrize('name', sorted(NOT_TURNING_ON))
def test_a_run_that_does_not_turn_stapling_on_asks_no_responder(not_turning_on, name):
    cases, run = not_turning_on
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert TEST not in cases.clusters[name].calls()
    assert 'ocsp_status' not in run.task(host=name)['result']
    assert run.task(host=name)['status'] == 'ok'


def test_the_responder_is_waited_for_under_the_response_timeout_the_task_sets(ansible, cluster):
    # The cluster's response_timeout is 1: a test under it is waited for 5 + 1 + 5 = 11 seconds. This
    # one takes 12, as a responder may under the 15 the task sets; the timeout option (2) is shorter still.
    cluster.update({'config': {'response_timeout': 1}, 'faults': {'test_delay': 12}})
    run = enforce(ansible, dict(ON, response_timeout=15, cluster_timeout=2))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert run.task()['result']['ocsp_status']['cert_status'] == 'GOOD'
    assert cluster.calls() == [GET, TEST, PUT]
    assert cluster.config['response_timeout'] == 15 and cluster.config['ocsp_functionality'] is True


def test_require_good_status_false_turns_stapling_on_without_asking(ansible, cluster):
    cluster.update({'faults': {'test_error': 'invalid_ocsp_response'}})
    run = enforce(ansible, dict(ON, require_good_status=False))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert cluster.calls() == [GET, PUT] and cluster.config['ocsp_functionality'] is True


def test_the_test_needs_test_ocsp_status_and_says_so(ansible, cluster):
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'POST', 'status': 403,
                                            'body': '{"error_code": "insufficient_permissions"}'}}})
    needle = 'it needs the test_ocsp_status permission, which only the built-in admin role has'
    result = assert_clean_failure(enforce(ansible, ON), needle)
    assert result['http_status'] == 403 and cluster.calls() == [GET, TEST]


# A new proxy certificate while stapling is on.

@pytest.fixture(scope='module')
def pki():
    return simlib.Pki()


def install(ansible, tmp_path, pki, *options):
    certificate, key = pki.issue('proxy-new.cluster.example.test')
    # With its CA's certificate: the cluster needs it to ask the responder.
    (tmp_path / 'proxy.pem').write_text(certificate + pki.ca_pem)
    (tmp_path / 'proxy.key').write_text(key)
    return ansible(['ansible-playbook', 'certificate.yml', '-e', json.dumps({
        'cert_file': str(tmp_path / 'proxy.pem'), 'key_file': str(tmp_path / 'proxy.key')})] + list(options))


# The certificates, the FQDN for the SAN check, the stapling check, the write, the certificate read back.
CERT_CALLS = [('GET', '/v1/cluster/certificates'), ('GET', '/v1/cluster'), GET, ('PUT', '/v1/cluster/certificates'),
              ('GET', '/v1/cluster/certificates')]


@pytest.mark.both_paths
def test_a_proxy_certificate_replaced_while_stapling_is_on_is_tested_at_once(ansible, cluster, pki, tmp_path):
    cluster.update({'config': ON})
    run = install(ansible, tmp_path, pki)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task('redis.enterprise.certificate')['result']
    assert result['ocsp_status']['cert_status'] == 'GOOD'
    assert cluster.calls() == CERT_CALLS + [TEST]
    # The test cached the new certificate's status, as the docs say it does while on.
    assert cluster.status['cert_status'] == 'GOOD'


@pytest.mark.both_paths(module={'state': {'responder_cert_status': 'REVOKED'}})
@pytest.mark.parametrize('state, says', [
    ({'responder_cert_status': 'REVOKED'}, 'The proxy certificate is installed, but the OCSP responder '
                                           'http://ocsp.example.test answered REVOKED'),
    ({'faults': {'test_error': 'invalid_ocsp_response'}},
     'The proxy certificate is installed, but asking its OCSP responder failed'),
], ids=['revoked', 'no-answer'])
def test_a_replaced_proxy_certificate_without_good_status_fails_saying_it_is_installed(ansible, cluster, pki,
                                                                                       tmp_path, state, says):
    cluster.update(dict(state, config=ON))
    run = install(ansible, tmp_path, pki)
    result = assert_clean_failure(run, says, 'redis.enterprise.certificate')
    assert 'turn stapling off' in result['msg']
    assert result['changed'] is True and result['certificate']['subject'].endswith('CN=proxy-new.cluster.example.test')
    # What the responder said, as RETURN documents it: the failure carries it where there was an answer.
    if 'responder_cert_status' in state:
        assert result['ocsp_status']['cert_status'] == 'REVOKED' and result['ocsp_status']['revocation_time_iso']
    assert cluster.calls() == CERT_CALLS + [TEST]
    assert cluster.certificates['proxy']['cert'].startswith('-----BEGIN CERTIFICATE-----')


@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
def test_no_test_while_stapling_is_off_or_in_check_mode(ansible, cluster, pki, tmp_path, check):
    cluster.update({'config': {} if not check else ON, 'responder_cert_status': 'REVOKED'})
    run = install(ansible, tmp_path, pki, *(['--check'] if check else []))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert TEST not in cluster.calls()
    result = run.task('redis.enterprise.certificate')['result']
    assert 'ocsp_status' not in result
    # In check mode with stapling on, it says that the responder can only be asked after the install.
    said = [w for w in result.get('warnings', []) if 'was not asked in check mode' in w]
    assert len(said) == (1 if check else 0), result.get('warnings')
    if check:
        assert said[0].startswith("OCSP stapling is on, and the new proxy certificate's responder "
                                  'http://ocsp.example.test was not asked in check mode: it can only be asked once the '
                                  'certificate is installed.')


# The workflow as users run it: docs/examples/enable_ocsp_stapling.yml over three clusters.

WORKFLOW = os.path.join(ROOT, 'docs', 'examples', 'enable_ocsp_stapling.yml')


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    # Fresh clusters: self-signed certificates, no responder URL, stapling off.
    with simlib.Simulator(str(tmp_path_factory.mktemp('stapling-fleet')), clusters=3) as sim:
        yield sim


def test_the_workflow_turns_stapling_on_where_the_responder_says_good(ansible, fleet, pki, tmp_path):
    certs = tmp_path / 'certs'
    hosts = {}
    for name, url in zip(('cluster-east', 'cluster-west', 'cluster-revoked'), fleet.urls):
        certificate, key = pki.issue('proxy.%s.example.test' % name)
        (certs / name).mkdir(parents=True)
        (certs / name / 'proxy-chain.pem').write_text(certificate + pki.ca_pem)
        (certs / name / 'proxy.key').write_text(key)
        hosts[name] = {'redis_url': url}
    east, west, revoked = fleet.clusters
    revoked.update({'responder_cert_status': 'REVOKED'})
    inventory = tmp_path / 'redis_clusters.yml'
    inventory.write_text(json.dumps({'redis_clusters': {'hosts': hosts, 'vars': {
        'redis_ca_path': fleet.ca_path, 'redis_certificate_dir': str(certs)}}}))

    def run(*options):
        for state in fleet.clusters:
            state.log.clear()
        done = ansible(['ansible-playbook', '-i', str(inventory), WORKFLOW] + list(options),
                       env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None})
        assert 'BEGIN PRIVATE KEY' not in done.output
        return done

    def by_host(done, action):
        return dict((r['host'], r) for r in done.records if r['action'] == action)

    check = run('--check', '--diff')
    assert check.rc == 0, check.stdout[-3000:] + check.stderr
    assert all(r['result']['changed'] for r in by_host(check, 'redis.enterprise.certificate').values())
    assert [state.count('PUT') for state in fleet.clusters] == [0, 0, 0]
    # The follow-ups are named as what a real run will need, not as something to do now.
    follow_ups = [r['result']['msg'] for r in check.records if r['task'].startswith('Name the follow-ups')]
    assert len(follow_ups) == 3
    for said in follow_ups:
        assert 'would get a new proxy certificate; check mode installed nothing' in said, said
        assert 'Once a real run installs it: for each Active-Active database' in said and 'Now' not in said

    real = run('--diff')
    assert real.rc == 2, real.stdout[-3000:] + real.stderr
    failed = dict((r['host'], r) for r in real.records if r['status'] == 'failed')
    assert list(failed) == ['cluster-revoked']
    assert failed['cluster-revoked']['action'] == 'redis.enterprise.ocsp'
    assert 'answered REVOKED for the proxy certificate' in failed['cluster-revoked']['result']['msg']
    assert [state.config['ocsp_functionality'] for state in fleet.clusters] == [True, True, False]
    for state in (east, west):
        # certificate_info (with the databases' certificates), certificate (stapling off: no test), then the test
        # before turning on, then ocsp_info's.
        assert state.calls() == [
            ('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates'), ('GET', '/v1/cluster/certificates'),
            ('GET', '/v1/cluster'), GET,
            ('PUT', '/v1/cluster/certificates'), ('GET', '/v1/cluster/certificates'), GET, TEST, PUT, GET,
            TEST], state.name
        assert state.status['cert_status'] == 'GOOD'
    assert revoked.count('PUT', '/v1/ocsp') == 0 and revoked.count('PUT', '/v1/cluster/certificates') == 1
    # Every cluster got its certificate, the refused one too: each is told its follow-ups.
    follow_ups = dict((r['host'], r['result']['msg']) for r in real.records if r['task'].startswith('Name the follow-ups'))
    assert sorted(follow_ups) == ['cluster-east', 'cluster-revoked', 'cluster-west']
    assert all('has a new proxy certificate. Now: for each Active-Active database' in said
               for said in follow_ups.values()), follow_ups
    asserted = by_host(real, 'ansible.builtin.assert')
    assert sorted(asserted) == ['cluster-east', 'cluster-west']
    assert all(r['status'] == 'ok' for r in asserted.values())

    again = run('--diff')
    assert again.rc == 2
    changed = [r['host'] for r in again.records if r['result'].get('changed')]
    assert changed == []
    assert [r['host'] for r in again.records if r['status'] == 'failed'] == ['cluster-revoked']
    assert [state.count('PUT') for state in fleet.clusters] == [0, 0, 0]


CANNOT_ASK = ('Cannot build an OCSP request for the proxy certificate: the certificate of its issuer '
              'O=redis.enterprise simulator,CN=redis.enterprise test CA is not installed with it')


def test_a_proxy_certificate_without_its_issuer_warns_and_the_cluster_cannot_ask_its_responder(
        ansible, cluster, pki, tmp_path):
    """Installed with a warning, as the docs let a chain go without its
    root; but the cluster names the certificate to its responder by its
    issuer, so neither stapling can be turned on nor a new certificate
    tested while that issuer is missing."""
    alone, alone_key = pki.issue('proxy-alone.cluster.example.test')
    chained, chained_key = pki.issue('proxy-chained.cluster.example.test')
    later, later_key = pki.issue('proxy-later.cluster.example.test')
    files = {}
    for name, text in (('alone', alone), ('alone_key', alone_key), ('chained', chained + pki.ca_pem),
                       ('chained_key', chained_key), ('later', later), ('later_key', later_key)):
        (tmp_path / name).write_text(text)
        files[name] = "{{ lookup('ansible.builtin.file', '%s') }}" % (tmp_path / name)

    def certificate(title, name):
        return {'name': title, 'redis.enterprise.certificate': {
            'name': 'proxy', 'certificate': files[name], 'key': files[name + '_key']}, 'ignore_errors': True}
    stapling = {'name': 'Stapling on', 'redis.enterprise.ocsp': ON, 'ignore_errors': True}
    tasks = [certificate('Without its issuer', 'alone'), stapling,
             certificate('With its issuer', 'chained'), dict(stapling, name='Stapling on, now'),
             certificate('Without its issuer, stapling on', 'later'),
             {'name': 'The cached status', 'redis.enterprise.ocsp_info': {}, 'ignore_errors': True}]
    play = tmp_path / 'issuer.yml'
    play.write_text(json.dumps([{'name': 'Issuers', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]))
    run = ansible(['ansible-playbook', str(play)])
    records = dict((record['task'], record) for record in run.records)
    assert sorted(records) == sorted(task['name'] for task in tasks), run.stdout[-3000:]
    # Stapling off: installed, with the warning that says why the cluster needs the issuer.
    first = records['Without its issuer']
    assert first['status'] == 'ok' and first['result']['changed'] is True
    (warning,) = first['result']['warnings']
    assert 'given without the certificate of its issuer' in warning and 'RFC 6960 CertID' in warning
    # The cluster cannot ask the responder: stapling is not turned on.
    refused = records['Stapling on']
    assert refused['status'] == 'failed' and refused['result']['error_code'] == 'invalid_ocsp_response'
    assert refused['result']['msg'].startswith('Not turning OCSP stapling on: asking the OCSP responder '
                                               'http://ocsp.example.test failed (')
    assert CANNOT_ASK in refused['result']['msg']
    # With its issuer, it can.
    assert records['With its issuer']['status'] == 'ok' and not records['With its issuer']['result'].get('warnings')
    assert records['Stapling on, now']['status'] == 'ok'
    assert records['Stapling on, now']['result']['ocsp_status']['cert_status'] == 'GOOD'
    # Stapling on: installed, then the test that follows fails, saying what the chain lacked.
    failed = records['Without its issuer, stapling on']['result']
    assert records['Without its issuer, stapling on']['status'] == 'failed' and failed['changed'] is True
    assert failed['msg'].startswith('The proxy certificate is installed, but asking its OCSP responder failed (')
    assert CANNOT_ASK in failed['msg']
    assert ("The certificate was given without its issuer's, which the cluster needs to ask (see the warning): install "
            'it again with its chain, the intermediate that signed it first.') in failed['msg']
    assert failed['certificate']['subject'].endswith('CN=proxy-later.cluster.example.test')
    # While stapling is on, the cluster has no status for the certificate it serves.
    status = records['The cached status']['result']
    assert records['The cached status']['status'] == 'failed' and status['http_status'] == 500
    assert CANNOT_ASK in status['msg']
    assert cluster.writes() == [('PUT', '/v1/cluster/certificates'), TEST, ('PUT', '/v1/cluster/certificates'), TEST,
                                PUT, ('PUT', '/v1/cluster/certificates'), TEST]
    assert 'Traceback' not in run.output and 'BEGIN PRIVATE KEY' not in run.output

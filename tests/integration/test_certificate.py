# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.certificate through ansible-playbook and ansible, over
HTTPS: a proxy certificate installed, then changed, check mode first each
time, on clusters before and after 7.22.2; every bad input
refused before anything is written; every documented status its message."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib
from runner import SECRETS, Cases, as_hostvars, assert_clean_failure

ACTION = 'redis.enterprise.certificate'
GET_CERTS = ('GET', '/v1/cluster/certificates')
GET_OCSP = ('GET', '/v1/ocsp')
PUT_CERTS = ('PUT', '/v1/cluster/certificates')
PUT_UPDATE = ('PUT', '/v1/cluster/update_cert')
# The cluster's FQDN, read before a write of a certificate the cluster generates, for the SAN check.
GET_CLUSTER = ('GET', '/v1/cluster')


@pytest.fixture(scope='module')
def pki():
    """A CA whose responder the certificates it issues name, and an
    intermediate under it: what the tests install."""
    root = simlib.Pki(name='redis.enterprise test root CA')
    return simlib.Pki(name='redis.enterprise test issuing CA', issuer=root)


@pytest.fixture
def files(tmp_path):
    """files(certificate, key) -> the extra vars naming files that hold them."""
    counter = [0]

    def write(certificate, key, name='proxy', **extra):
        counter[0] += 1
        variables = dict({'cert_name': name}, **extra)
        for option, text in (('cert_file', certificate), ('key_file', key)):
            if text is not None:
                path = tmp_path / ('%s-%d.pem' % (option, counter[0]))
                path.write_text(text)
                variables[option] = str(path)
        return variables
    return write


def with_chain(pki, pair):
    """(certificate, key) of a pair pki issued, the certificate followed by
    its chain, as a real cluster needs it."""
    return pair[0] + ''.join(pki.chain), pair[1]


def key_lines(pem, *public):
    """The lines of a PEM private key that are secret: all but the armour,
    and but a line that a certificate of public holds too (a key carries its
    public key, which may fall on a line of the certificate's base64)."""
    return [line for line in pem.splitlines()
            if line.strip() and not line.startswith('-----') and not any(line in text for text in public)]


def playbook(ansible, variables, *options, **kwargs):
    return ansible(['ansible-playbook', 'certificate.yml', '-e', json.dumps(variables)] + list(options), **kwargs)


def fingerprint_of(pem):
    """The SHA-256 fingerprint of the first certificate of pem, as OpenSSL prints it."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    return ':'.join('%02X' % b for b in x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()))


@pytest.mark.cycle
@pytest.mark.both_paths
def test_install_then_change_check_then_real_then_again(ansible, cluster, pki, files):
    """Over the cluster's own certificate, then over the one installed."""
    install_then_change(ansible, cluster, pki, files, legacy=False, steps=2)


# Which write a cluster takes is the engine's to find, alike on both paths.
def test_before_7_22_2_the_same_cycle_takes_the_older_write(ansible, cluster, pki, files):
    install_then_change(ansible, cluster, pki, files, legacy=True, steps=1)


def install_then_change(ansible, cluster, pki, files, legacy, steps):
    """steps certificates installed one after the other, each in check mode,
    for real, then again."""
    cluster.update({'faults': {'legacy_certificates': legacy}})
    write = [PUT_UPDATE] if legacy else [PUT_CERTS]
    if legacy:
        # The API's own answer decides: the newer write, refused, then the older.
        write = [PUT_CERTS, PUT_UPDATE]
    pairs = [pki.issue('proxy-%d.cluster.example.test' % (step + 1)) for step in range(steps)]
    for step, (certificate, key) in enumerate(pairs):
        chain = certificate + ''.join(pki.chain)
        variables = files(chain, key)
        check = playbook(ansible, variables, '--check', '--diff')
        assert check.rc == 0, check.stdout[-3000:] + check.stderr
        result = check.task(ACTION)['result']
        assert result['changed'] is True, step
        assert result['diff']['after']['sha256_fingerprint'] == fingerprint_of(certificate)
        assert result['diff']['before']['sha256_fingerprint'] != fingerprint_of(certificate)
        assert len(result['diff']['after']['chain']) == 2
        assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP], step
        assert fingerprint_of(cluster.certificates['proxy']['cert']) != fingerprint_of(certificate)

        cluster.log.clear()
        real = playbook(ansible, variables)
        assert real.rc == 0, real.stdout[-3000:] + real.stderr
        assert real.task(ACTION)['result']['changed'] is True
        assert real.task(ACTION)['result']['certificate'] == result['diff']['after']
        # Then read back once: the result is what the cluster holds.
        assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP] + write + [GET_CERTS], step
        assert fingerprint_of(cluster.certificates['proxy']['cert']) == fingerprint_of(certificate)
        assert cluster.certificates['proxy']['cert'] == chain

        cluster.log.clear()
        again = playbook(ansible, variables, '--diff')
        assert again.rc == 0
        assert again.task(ACTION)['result']['changed'] is False
        assert cluster.calls() == [GET_CERTS], step
        cluster.log.clear()


def test_a_cluster_that_keeps_less_than_written_says_so_and_shows_what_it_holds(ansible, cluster, pki, files):
    cluster.update({'faults': {'store_leaf_only': True}})
    certificate, key = pki.issue()
    variables = files(certificate + ''.join(pki.chain), key)
    for step in range(2):
        cluster.log.clear()
        run = playbook(ansible, variables, '--diff')
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        result = run.task(ACTION)['result']
        # Every run writes: the cluster never holds the chain given.
        assert result['changed'] is True, step
        assert result['certificate']['chain'] == [] and result['diff']['after']['chain'] == []
        assert result['certificate']['sha256_fingerprint'] == fingerprint_of(certificate)
        assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP, PUT_CERTS, GET_CERTS], step
        said = [w for w in result.get('warnings', []) if 'kept less of the proxy certificate' in w]
        assert len(said) == 1, result.get('warnings')
        assert '1 of the 3 certificates' in said[0] and 'CN=proxy.cluster.example.test' in said[0]
        assert 'Every run will write it again, unless the task gives only what the cluster keeps' in said[0]
    # Given what the cluster keeps, the task converges, and says what the leaf alone lacks.
    cluster.log.clear()
    again = playbook(ansible, files(certificate, key))
    assert again.task(ACTION)['result']['changed'] is False
    (said,) = again.task(ACTION)['result']['warnings']
    assert said.startswith('The proxy certificate is given without the certificate of its issuer, '
                           'O=redis.enterprise simulator,CN=redis.enterprise test issuing CA: ')
    assert cluster.calls() == [GET_CERTS]


def test_a_certificate_stored_without_its_intermediate_gets_it(ansible, cluster, pki, files):
    certificate, key = pki.issue()
    cluster.update({'certificates': {'proxy': {'cert': certificate, 'key': key}}})
    run = playbook(ansible, files(certificate + ''.join(pki.chain), key), '--diff')
    result = run.task(ACTION)['result']
    assert result['changed'] is True
    assert result['diff']['before']['chain'] == [] and len(result['diff']['after']['chain']) == 2
    assert cluster.certificates['proxy']['cert'] == certificate + ''.join(pki.chain)
    assert cluster.count('PUT', '/v1/cluster/certificates') == 1


def test_a_chain_the_cluster_returns_is_compared(ansible, cluster, pki, files):
    certificate, key = pki.issue()
    other = simlib.Pki(name='another issuing CA')
    # The same leaf, stored with another chain: the chain differs, so it is written.
    cluster.update({'certificates': {'proxy': {'cert': certificate + other.ca_pem, 'key': key}}})
    run = playbook(ansible, files(certificate + ''.join(pki.chain), key), '--diff')
    result = run.task(ACTION)['result']
    assert result['changed'] is True
    assert result['diff']['before']['sha256_fingerprint'] == result['diff']['after']['sha256_fingerprint']
    assert result['diff']['before']['chain'] != result['diff']['after']['chain']


@pytest.mark.parametrize('answer', ['empty', 'json'])
def test_the_write_may_answer_with_or_without_a_body(ansible, cluster, pki, files, answer):
    cluster.update({'faults': {'write_answer': answer}})
    run = playbook(ansible, files(*with_chain(pki, pki.issue())))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert run.task(ACTION)['result']['changed'] is True


def test_text_around_the_pem_blocks_never_reaches_the_body(ansible, cluster, pki, files):
    # As openssl pkcs12 writes them; the simulator refuses any text outside the blocks.
    certificate, key = pki.issue()
    bags = 'Bag Attributes\n    localKeyID: 01 00 00 00\n    friendlyName: proxy\nsubject=/CN=proxy\n'
    run = playbook(ansible, files(bags + certificate + bags + pki.chain[0], 'Bag Attributes\n    localKeyID: 01\n'
                                  + key + 'trailing words\n'))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    stored = cluster.certificates['proxy']
    assert 'Bag Attributes' not in stored['cert'] + stored['key'] and 'trailing' not in stored['key']
    assert stored['cert'] == certificate + pki.chain[0]


def test_an_optional_certificate_the_cluster_lacks_is_installed(ansible, cluster, pki, files):
    assert 'ldap_client' not in cluster.certificates
    run = playbook(ansible, files(*with_chain(pki, pki.issue('ldap-client.example.test', ocsp_url=None)), name='ldap_client'),
                   '--diff')
    result = run.task(ACTION)['result']
    assert result['changed'] is True and result['diff']['before'] == {}
    assert 'ldap_client' in cluster.certificates
    # Not the proxy: no look at OCSP; not generated: no SAN check.
    assert cluster.calls() == [GET_CERTS, PUT_CERTS, GET_CERTS]


@pytest.mark.parametrize('check', [False, True], ids=['real', 'check'])
def test_a_proxy_certificate_without_responder_while_stapling_is_on_is_refused(ansible, cluster, pki, files, check):
    cluster.update({'config': {'ocsp_functionality': True}})
    run = playbook(ansible, files(*with_chain(pki, pki.issue(ocsp_url=None))), *(['--check'] if check else []))
    result = assert_clean_failure(run, 'OCSP stapling is on, and the new proxy certificate names no OCSP responder',
                                  ACTION)
    assert 'Turn stapling off first' in result['msg']
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP]


def test_a_proxy_certificate_without_responder_while_stapling_is_off_is_written(ansible, cluster, pki, files):
    run = playbook(ansible, files(*with_chain(pki, pki.issue(ocsp_url=None))))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    # And the cluster's responder URL is the new certificate's: none.
    assert cluster.config['responder_url'] == ''


def bad_inputs(pki):
    """name: (certificate, key, what the message says)."""
    certificate, key = pki.issue()
    other_certificate, other_key = pki.issue('other.example.test')
    expired = pki.expired()
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    encrypted = serialization.load_pem_private_key(key.encode(), None).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b'a-passphrase')).decode()
    return {
        # A file's path where its content belongs: the lookup is named.
        'no-pem': ('certs/proxy-chain.pem', key, "certificate holds no PEM certificate (-----BEGIN CERTIFICATE-----) but "
                   "one line of 21 characters, such as a file's path: to read it from a file, give "
                   "lookup('ansible.builtin.file', path), not the path."),
        'damaged-certificate': (certificate.replace(certificate.splitlines()[5], 'A' * 64), key,
                                'certificate: certificate 1 of 1 is not a valid X.509 certificate.'),
        'no-key': (certificate, 'certs/proxy.key', "key holds no PEM private key (-----BEGIN PRIVATE KEY-----) but one "
                   "line of 15 characters, such as a file's path: to read it from a file, give "
                   "lookup('ansible.builtin.file', path), not the path."),
        'damaged-key': (certificate, key.replace(key.splitlines()[2], 'B' * 64),
                        'key is not a private key that can be read.'),
        'encrypted-key': (certificate, encrypted, 'key is encrypted; the cluster takes a private key without a '
                                                  'password.'),
        'wrong-key': (certificate, other_key, 'key does not belong to the certificate (their public keys differ)'),
        'chain-first': (other_certificate + certificate, key,
                        'key belongs to certificate 2 of the certificate option, not to the first: give the leaf first'),
        'expired': (expired[0], expired[1], 'the cluster refuses an expired certificate (HTTP 406). Give a current '
                                            'one.'),
    }


def test_bad_input_is_refused_before_any_request(ansible, cluster, pki, files, tmp_path):
    # Every case, for real and in check mode, as the tasks of one play.
    cases = bad_inputs(pki)
    tasks = []
    for name, (certificate, key, dummy) in sorted(cases.items()):
        variables = files(certificate, key)
        for check in (False, True):
            tasks.append({'name': '%s %s' % (name, 'check' if check else 'real'), 'check_mode': check,
                          'ignore_errors': True, ACTION: {
                              'name': 'proxy', 'certificate': "{{ lookup('ansible.builtin.file', '%s') }}"
                              % variables['cert_file'], 'key': "{{ lookup('ansible.builtin.file', '%s') }}"
                              % variables['key_file']}})
    (tmp_path / 'bad_inputs.yml').write_text(json.dumps([{'name': 'Bad inputs', 'hosts': 'localhost',
                                                          'gather_facts': False, 'tasks': tasks}]))
    before = json.dumps(cluster.certificates, sort_keys=True)
    run = ansible(['ansible-playbook', str(tmp_path / 'bad_inputs.yml')])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    found = dict((record['task'], record) for record in run.records)
    assert sorted(found) == sorted(task['name'] for task in tasks)
    for name, (certificate, key, needle) in cases.items():
        for mode in ('real', 'check'):
            record = found['%s %s' % (name, mode)]
            assert record['status'] == 'failed' and needle in record['result']['msg'], (name, mode, record)
        for line in key_lines(key, certificate):
            assert line not in run.output, name
    for bad in ('Traceback', 'MODULE FAILURE', 'module_stderr') + SECRETS:
        assert bad not in run.output, bad
    assert cluster.log == []
    assert json.dumps(cluster.certificates, sort_keys=True) == before


def test_an_unknown_name_is_refused_by_argument_validation(ansible, cluster, pki, files):
    run = playbook(ansible, files(*pki.issue(), name='proxxy'))
    result = assert_clean_failure(run, "value of name must be one of: api, cm, proxy", ACTION)
    assert 'proxxy' in result['msg']
    assert cluster.log == []


RAW = {'count': 4, 'method': 'PUT', 'path': '/v1/cluster/certificates'}

# name: (faults, environment, what the message says, the status)
STATUSES = {
    '400': ({'raw_next': dict(RAW, count=1, status=400,
                              body='{"error_code": "invalid_certificate", "message": "bad chain -----BEGIN PRIVATE KEY-----'
                                   '\\nMIGH\\n"}')},
            {}, 'The cluster refused the proxy certificate or its key as invalid (HTTP 400, PUT '
                '/v1/cluster/certificates). The cluster said: bad chain [PEM data].', 400),
    '403-name': ({'raw_next': dict(RAW, count=1, status=403, body='{"error_code": "unknown_certificate_name"}')}, {},
                 'this cluster version does not know that certificate name, or user admin@example.com lacks the '
                 'update_cluster permission', 403),
    '403-viewer': ({}, {'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                        'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD},
                   'User viewer@example.com may not GET /v1/ocsp (HTTP 403): it needs the view_ocsp_config '
                   'permission', 403),
    '404-update-cert': ({'legacy_certificates': True, 'raw_next': dict(RAW, count=1, status=404,
                                                                       path='/v1/cluster/update_cert')}, {},
                        'The cluster found the proxy certificate invalid (HTTP 404, PUT /v1/cluster/update_cert).',
                        404),
    '406': ({'raw_next': dict(RAW, count=1, status=406, body='{"message": "Certificate expired"}')}, {},
            'The cluster refused the proxy certificate as expired (HTTP 406, PUT /v1/cluster/certificates). The '
            'cluster said: Certificate expired. Nothing was written. Give a current certificate.', 406),
    '409': ({'cert_conflict': {'count': 4}}, {},
            'Not all nodes of the cluster took the new proxy certificate (HTTP 409, PUT /v1/cluster/certificates, 4 '
            'tries with backoff): the nodes may now hold different proxy certificates', 409),
    '500': ({'raw_next': dict(RAW, count=1, status=500,
                              body='{"error_code": "internal_error", "description": "disk full"}')}, {},
            'The cluster answered the write of the proxy certificate with HTTP 500 (PUT /v1/cluster/certificates, '
            'error code internal_error). The cluster said: disk full. Whether its nodes took it is not known', 500),
}
# The statuses that leave it open whether the cluster applied the write.
OPEN_OUTCOME = ('409', '500')


@pytest.fixture(scope='module')
def statuses(tmp_path_factory, collections_path, pki):
    """Every status in one run over a host per case, each on a cluster of its
    own: (cases, run, {case: the proxy certificate its cluster held before})."""
    directory = tmp_path_factory.mktemp('statuses')
    cases = Cases(str(directory), sorted(STATUSES), collections_path)
    hostvars, before = {}, {}
    for name, (faults, env, dummy, dummy) in sorted(STATUSES.items()):
        cases.clusters[name].update({'faults': faults})
        before[name] = cases.clusters[name].certificates['proxy']['cert']
        certificate, key = with_chain(pki, pki.issue())
        (directory / ('%s.pem' % name)).write_text(certificate)
        (directory / ('%s.key' % name)).write_text(key)
        hostvars[name] = dict(as_hostvars(env), cert_file=str(directory / ('%s.pem' % name)), key_file=str(directory / ('%s.key' % name)))
    run = cases.play('certificate.yml', hostvars)
    yield cases, run, before
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('certificate-statuses')
@pytest.mark.parametrize('name', sorted(STATUSES))
def test_each_documented_status_has_its_message(statuses, name):
    cases, run, before = statuses
    cluster, before = cases.clusters[name], before[name]
    needle, status = STATUSES[name][2:]
    result = assert_clean_failure(run, needle, ACTION, host=name)
    assert result['http_status'] == status
    assert cluster.certificates['proxy']['cert'] == before
    # A refusal (400, 403, 404, 406) writes nothing on any node: the cluster checks every certificate first.
    assert result.get('changed', False) is (name in OPEN_OUTCOME)
    assert ('force: true' in result['msg']) is (name in OPEN_OUTCOME)
    if name == '409':
        assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP] + [PUT_CERTS] * 4
    if name == '500':
        # Never sent again: it may still be at work.
        assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP, PUT_CERTS]


def test_a_conflict_that_passes_is_retried_into_success(ansible, cluster, pki, files):
    cluster.update({'faults': {'cert_conflict': {'count': 2}}})
    certificate, key = pki.issue()
    run = playbook(ansible, files(*with_chain(pki, (certificate, key))))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP] + [PUT_CERTS] * 3 + [GET_CERTS]
    assert fingerprint_of(cluster.certificates['proxy']['cert']) == fingerprint_of(certificate)


def test_a_persistent_conflict_applied_on_some_nodes_is_changed_and_force_rewrites(ansible, cluster, pki, files):
    # Four 409s in a row, the write applied all the same on the node the GET asks.
    cluster.update({'faults': {'cert_conflict': {'count': 4, 'applied': True}}})
    certificate, key = pki.issue()
    variables = files(*with_chain(pki, (certificate, key)))
    run = playbook(ansible, variables)
    result = assert_clean_failure(run, 'the nodes may now hold different proxy certificates', ACTION)
    assert result['changed'] is True and result['http_status'] == 409
    assert 'Run the task again with force: true, which writes the certificate to every node again.' in result['msg']
    assert fingerprint_of(cluster.certificates['proxy']['cert']) == fingerprint_of(certificate)
    # Without force: the node asked holds it, so nothing to do.
    cluster.log.clear()
    again = playbook(ansible, variables)
    assert again.rc == 0 and again.task(ACTION)['result']['changed'] is False
    assert cluster.calls() == [GET_CERTS]
    # With force: written once, though the fingerprints match; the diff shows no difference.
    cluster.log.clear()
    forced = playbook(ansible, dict(variables, cert_force=True), '--diff')
    assert forced.rc == 0, forced.stdout[-3000:] + forced.stderr
    result = forced.task(ACTION)['result']
    assert result['changed'] is True and result['diff']['before'] == result['diff']['after']
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP, PUT_CERTS, GET_CERTS]
    cluster.log.clear()
    assert playbook(ansible, variables).task(ACTION)['result']['changed'] is False


def test_a_write_that_takes_longer_than_the_timeout_is_waited_for(ansible, cluster, pki, files):
    # The API gives a certificate write up to 900 s: timeout (2 s here) is not the limit of its answer.
    cluster.update({'faults': {'write_delay': 4}})
    certificate, key = pki.issue()
    run = playbook(ansible, dict(files(*with_chain(pki, (certificate, key))), cluster_timeout=2))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert run.task(ACTION)['result']['changed'] is True
    assert cluster.count('PUT', '/v1/cluster/certificates') == 1
    assert fingerprint_of(cluster.certificates['proxy']['cert']) == fingerprint_of(certificate)


@pytest.mark.parametrize('applied', [True, False], ids=['applied', 'not-applied'])
def test_a_write_without_an_answer_is_not_sent_again_but_read_back(ansible, cluster, pki, files, applied):
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'PUT', 'applied': applied}}})
    certificate, key = pki.issue()
    before = cluster.certificates['proxy']['cert']
    run = playbook(ansible, files(*with_chain(pki, (certificate, key))))
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER, GET_OCSP, PUT_CERTS, GET_CERTS]
    result = run.task(ACTION)['result']
    if applied:
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        assert result['changed'] is True
        assert result['certificate']['sha256_fingerprint'] == fingerprint_of(certificate)
        assert any('got no answer' in w and 'holds the new certificate now' in w for w in result['warnings'])
    else:
        result = assert_clean_failure(run, 'the outcome of the write is unknown', ACTION)
        assert result['changed'] is True and 'It was not sent again' in result['msg']
        assert cluster.certificates['proxy']['cert'] == before


def test_a_failed_read_of_the_ocsp_configuration_says_the_certificate_was_not_written(ansible, cluster, pki, files):
    cluster.update({'faults': {'capability_406': True}})
    before = cluster.certificates['proxy']['cert']
    run = playbook(ansible, files(*with_chain(pki, pki.issue())))
    result = assert_clean_failure(run, 'The proxy certificate was not written: before writing one, the module reads '
                                       'the OCSP configuration (GET /v1/ocsp)', ACTION)
    assert 'Not all nodes of the cluster support OCSP (HTTP 406' in result['msg']
    assert result['http_status'] == 406 and not result.get('changed')
    assert cluster.certificates['proxy']['cert'] == before


def test_a_keyless_certificate_is_written_without_a_key_then_removed(ansible, cluster, pki, files):
    ca = simlib.Pki(name='redis.enterprise client CA').ca_pem
    present = files(ca, None, name='mtls_trusted_ca')
    absent = files(None, None, name='mtls_trusted_ca', cert_state='absent')
    expected = [(present, True, [GET_CERTS, PUT_CERTS, GET_CERTS]), (present, False, [GET_CERTS]),
                (absent, True, [GET_CERTS, ('DELETE', '/v1/cluster/certificates/mtls_trusted_ca'), GET_CERTS]),
                (absent, False, [GET_CERTS])]
    for step, (variables, changed, calls) in enumerate(expected):
        cluster.log.clear()
        run = playbook(ansible, variables, '--diff')
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        result = run.task(ACTION)['result']
        assert result['changed'] is changed, step
        assert cluster.calls() == calls, step
        assert ('mtls_trusted_ca' in cluster.certificates) is (step < 2), step
        if step == 0:
            # Sent without a key: the simulator refuses one for this name, as the spec has no key for it.
            assert cluster.certificates['mtls_trusted_ca'] == {'cert': ca, 'key': None}
            assert 'CN=redis.enterprise client CA' in result['certificate']['subject']
    assert result['certificate'] == {}


MISFITS = {
    'key-for-keyless': 'key must not be given for mtls_trusted_ca: the cluster takes no private key',
    'no-key': 'key is required for the proxy certificate',
    'absent-generated': 'state=absent is only for the optional certificates',
}


@pytest.fixture(scope='module')
def misfits(tmp_path_factory, collections_path, pki):
    """Each case in check mode and for real, in one run over a host per case
    and mode, each on a cluster of its own: (cases, run, {host: the
    certificates its cluster held before})."""
    directory = tmp_path_factory.mktemp('misfits')
    certificate, key = pki.issue()
    (directory / 'cert.pem').write_text(certificate)
    (directory / 'key.pem').write_text(key)
    given = {'key-for-keyless': {'cert_name': 'mtls_trusted_ca', 'cert_file': str(directory / 'cert.pem'),
                                 'key_file': str(directory / 'key.pem')},
             'no-key': {'cert_file': str(directory / 'cert.pem')},
             'absent-generated': {'cert_name': 'proxy', 'cert_state': 'absent'}}
    hosts = dict(('%s-%s' % (case, mode), dict(given[case], case_check=mode == 'check'))
                 for case in MISFITS for mode in ('check', 'real'))
    cases = Cases(str(directory), sorted(hosts), collections_path)
    before = dict((host, json.dumps(cases.clusters[host].certificates, sort_keys=True)) for host in hosts)
    run = cases.play('certificate.yml', hosts, per_host_check=True)
    yield cases, run, before
    cases.stop()


# In one process: its cases share one run.
@pytest.mark.xdist_group('certificate-misfits')
@pytest.mark.parametrize('mode', ['check', 'real'])
@pytest.mark.parametrize('case', sorted(MISFITS))
def test_options_that_do_not_fit_the_name_are_refused_before_any_request(misfits, case, mode):
    cases, run, before = misfits
    host = '%s-%s' % (case, mode)
    assert_clean_failure(run, MISFITS[case], ACTION, host=host)
    assert cases.clusters[host].log == []
    assert json.dumps(cases.clusters[host].certificates, sort_keys=True) == before[host]


def test_a_stored_certificate_that_does_not_parse_is_replaced(ansible, cluster, pki, files):
    cluster.update({'certificates': {'syncer': {'cert': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n'
                                                        '-----END CERTIFICATE-----\n', 'key': 'x'}}})
    certificate, key = pki.issue('syncer.cluster.example.test', ocsp_url=None)
    run = playbook(ansible, files(*with_chain(pki, (certificate, key)), name='syncer'), '--diff')
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is True
    assert 'is not a valid X.509 certificate' in result['diff']['before']['error']
    assert fingerprint_of(cluster.certificates['syncer']['cert']) == fingerprint_of(certificate)


@pytest.mark.both_paths
def test_no_private_key_line_reaches_any_output(ansible, cluster, pki, files, tmp_path):
    """Every private key the tests know (the cluster's own, answered by every
    GET of the certificates, and those installed or refused), line by line,
    in everything Ansible printed at -vvvv with --diff, the callback's JSON
    and the registered results: an install in check mode, then for real."""
    installed, refused = pki.issue(), pki.issue('refused.test')
    keys = [pair['key'] for pair in cluster.certificates.values()] + [installed[1], refused[1]]
    public = [pair['cert'] for pair in cluster.certificates.values()] + [installed[0], refused[0]]
    play = tmp_path / 'scan.yml'
    play.write_text(json.dumps([{
        'name': 'Every certificate task, its results shown', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'Read', 'redis.enterprise.certificate_info': {}, 'register': 'before'},
            {'name': 'Enforce', 'redis.enterprise.certificate': {
                'name': 'proxy', 'certificate': "{{ lookup('ansible.builtin.file', cert_file) }}",
                'key': "{{ lookup('ansible.builtin.file', key_file) }}"}, 'register': 'enforced'},
            {'name': 'Refused: the key of another certificate', 'redis.enterprise.certificate': {
                'name': 'api', 'certificate': "{{ lookup('ansible.builtin.file', cert_file) }}",
                'key': "{{ lookup('ansible.builtin.file', other_key_file) }}"},
             'register': 'refused', 'ignore_errors': True},
            {'name': 'Read again', 'redis.enterprise.certificate_info': {}, 'register': 'after'},
            {'name': 'Show what was registered', 'ansible.builtin.debug': {'var': 'item'},
             'loop': ['{{ before }}', '{{ enforced }}', '{{ refused }}', '{{ after }}']},
        ]}]))
    runs = []
    variables = files(installed[0] + ''.join(pki.chain), installed[1])
    variables['other_key_file'] = files(*refused)['key_file']
    for options in (['--check', '--diff'], ['--diff']):
        runs.append(ansible(['ansible-playbook', '-vvvv', str(play), '-e', json.dumps(variables)] + options))
    assert [run.rc for run in runs] == [0] * 2, runs[0].stdout[-3000:]
    assert len(runs[1].stdout) > 20000  # -vvvv really was verbose
    enforced = [[r for r in run.records if r['task'] == 'Enforce'][0]['result']['changed'] for run in runs]
    assert enforced == [True, True]
    assert fingerprint_of(cluster.certificates['proxy']['cert']) == fingerprint_of(installed[0])
    refusals = [[r for r in run.records if r['task'].startswith('Refused')][0] for run in runs]
    assert all(r['status'] == 'failed' and 'key does not belong' in r['result']['msg'] for r in refusals)
    lines = [line for key in keys for line in key_lines(key, *public)]
    # Every key has secret lines to look for: an EC key's PEM is three base64 lines.
    assert all(len(key_lines(key, *public)) >= 2 for key in keys) and len(keys) == 9
    for run in runs:
        leaked = [line for line in lines if line in run.output]
        assert leaked == []


def test_without_cryptography_the_module_says_what_to_install(ansible, cluster, pki, files, tmp_path):
    # First on PYTHONPATH, for the controller's worker and the module's Python alike.
    fake = tmp_path / 'no-cryptography'
    (fake / 'cryptography').mkdir(parents=True)
    (fake / 'cryptography' / '__init__.py').write_text("raise ImportError('cryptography is not installed here')\n")
    run = playbook(ansible, files(*pki.issue()), '-vvvv', env={'PYTHONPATH': str(fake)})
    assert "redis.enterprise.certificate runs as a module: cryptography cannot be imported in the controller's " \
           'Python' in run.stdout
    result = assert_clean_failure(run, 'Failed to import the required Python library (cryptography)', ACTION)
    assert '-m pip install cryptography' in result['msg'] and 'to read X.509 certificates' in result['msg']
    assert cluster.log == []


def test_names_that_miss_the_clusters_fqdn_warn_without_refusing(ansible, cluster, pki, files):
    cluster.update({'fqdn': 'east.redis.example.test'})
    certificate, key = with_chain(pki, pki.issue(sans=('east.redis.example.test', '*.east.redis.example.test')))
    run = playbook(ansible, files(certificate, key, name='api'), '--check')
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    said = [w for w in run.task(ACTION)['result']['warnings'] if "does not cover the cluster's FQDN" in w]
    assert said == ["The new api certificate does not cover the cluster's FQDN east.redis.example.test: its subject "
                    # internal.<fqdn> is covered by *.<fqdn>, which matches one label.
                    'alternative names lack *.internal.east.redis.example.test. The docs ("Create certificates") ask '
                    'for DNS entries east.redis.example.test, '
                    '*.east.redis.example.test, internal.east.redis.example.test and '
                    '*.internal.east.redis.example.test; clients that connect by those names will refuse it.']
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER]
    # Not refused: the real run writes it.
    cluster.log.clear()
    real = playbook(ansible, files(certificate, key, name='api'))
    assert real.rc == 0 and real.task(ACTION)['result']['changed'] is True
    assert cluster.calls() == [GET_CERTS, GET_CLUSTER, PUT_CERTS, GET_CERTS]

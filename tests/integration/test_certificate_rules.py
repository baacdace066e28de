# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.certificate and the documented certificate requirements
(Redis Enterprise Software docs, "Create certificates"), through
ansible-playbook: what breaks them is refused before any request, in check
mode too; the names the cluster does not generate take what its own names
refuse; a certificate near its expiry installs with a warning; inputs that
are not PEM are named with their fix; CRLF PEM is sent with LF only.

Each test runs one playbook of several tasks, each task's own record."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU

import redis_enterprise_sim as simlib
from runner import SECRETS

ACTION = 'redis.enterprise.certificate'
PUT_CERTS = ('PUT', '/v1/cluster/certificates')
BOTH = [EKU.SERVER_AUTH, EKU.CLIENT_AUTH]


@pytest.fixture(scope='module')
def pki():
    root = simlib.Pki(name='redis.enterprise test root CA')
    return simlib.Pki(name='redis.enterprise test issuing CA', issuer=root)


@pytest.fixture(scope='module')
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def chained(pki, pair):
    """(certificate, key) of a pair pki issued, the certificate followed by its chain."""
    return pair[0] + ''.join(pki.chain), pair[1]


def run_tasks(ansible, tmp_path, tasks, *options, checked=()):
    """One playbook of a certificate task per (title, name, certificate,
    key), each given (not None) read from a file (bytes as given, text as UTF-8) by
    lookup('ansible.builtin.file'), errors ignored, those titled in checked
    in check mode: (run, {title: record})."""
    play = []
    for index, (title, name, certificate, key) in enumerate(tasks):
        arguments = {'name': name}
        for kind, option, content in (('cert', 'certificate', certificate), ('key', 'key', key)):
            if content is None:
                continue
            path = tmp_path / ('%s-%d' % (kind, index))
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            arguments[option] = "{{ lookup('ansible.builtin.file', '%s') }}" % path
        play.append(dict({'name': title, ACTION: arguments, 'ignore_errors': True},
                         **({'check_mode': True} if title in checked else {})))
    playbook = tmp_path / 'rules.yml'
    playbook.write_text(json.dumps([{'name': 'Certificates against the documented requirements',
                                     'hosts': 'localhost', 'gather_facts': False, 'tasks': play}]))
    run = ansible(['ansible-playbook', str(playbook)] + list(options))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    records = dict((record['task'], record) for record in run.records if record['action'] == ACTION)
    assert sorted(records) == sorted(task[0] for task in tasks), run.stdout[-3000:]
    return run, records


def refused(record, needle):
    """The message of a task the module refused cleanly, holding needle."""
    result = record['result']
    assert record['status'] == 'failed', result
    assert needle in result['msg'], result['msg']
    # ansible-core 2.19 and later give every failure an exception key: "(traceback unavailable)" here.
    assert 'Traceback' not in result.get('exception', '') and 'module_stderr' not in result, result
    return result['msg']


def stored(cluster):
    return json.dumps(cluster.certificates, sort_keys=True)


@pytest.mark.parametrize('check', [False, True], ids=['real', 'check'])
def test_what_breaks_a_requirement_is_refused_before_any_request(ansible, cluster, pki, tmp_path, check):
    later = simlib.utc_now() + datetime.timedelta(days=2)
    not_yet = pki.issue('proxy.cluster.example.test', not_before=later, eku=BOTH)
    tasks = [
        ('not valid yet', 'proxy', not_yet[0] + ''.join(pki.chain), not_yet[1]),
        ('server authentication only', 'api') + pki.issue('api.cluster.example.test', eku=[EKU.SERVER_AUTH]),
        ('EC key for internode encryption', 'ccs_internode_encryption') + pki.issue(eku=BOTH),
        ('EdDSA key for internode encryption', 'data_internode_encryption')
        + pki.issue(key=ed25519.Ed25519PrivateKey.generate()),
    ]
    before = stored(cluster)
    run, records = run_tasks(ansible, tmp_path, tasks, *(['--check'] if check else []))
    starts = x509.load_pem_x509_certificate(not_yet[0].encode()).not_valid_before_utc
    message = refused(records['not valid yet'], 'The proxy certificate is not valid until %s (its notBefore lies '
                      'more than 5 minutes ahead' % starts.strftime('%Y-%m-%dT%H:%M:%SZ'))
    assert 'clients would refuse it, this collection included when it is the api certificate' in message
    assert message.endswith('Install it once it is valid.')
    message = refused(records['server authentication only'], 'The api certificate has an extended key usage '
                      'without TLS Web Client Authentication (clientAuth)')
    assert '(Redis Enterprise Software docs, "Create certificates")' in message
    assert "such as Windows AD CS's default Web Server template" in message
    for title, name, kind in (('EC key for internode encryption', 'ccs_internode_encryption', 'EC (ECDSA)'),
                              ('EdDSA key for internode encryption', 'data_internode_encryption', 'Ed25519 (EdDSA)')):
        message = refused(records[title], "The %s certificate's key is %s, not RSA: internode encryption "
                                          'certificates take an RSA key' % (name, kind))
        assert '(Redis Enterprise Software docs, "Create certificates")' in message
    assert cluster.log == []
    assert stored(cluster) == before
    for bad in ('Traceback', 'MODULE FAILURE') + SECRETS:
        assert bad not in run.output


def test_other_names_take_what_the_generated_ones_refuse_and_expiry_warns_and_crlf_goes_as_lf(
        ansible, cluster, pki, tmp_path, rsa_key):
    client_only = chained(pki, pki.issue('ldap-client.example.test', ocsp_url=None, eku=[EKU.CLIENT_AUTH]))
    # A CA for client certificates, its extended key usage restricted to them; an EC key.
    ca_key = simlib.new_key()
    ca = simlib.make_certificate('redis.enterprise test client CA', ca_key, ca=True, eku=[EKU.CLIENT_AUTH])
    internode = chained(pki, pki.issue('node.cluster.example.test', key=rsa_key, eku=BOTH))
    soon = pki.issue(days=10)
    crlf = [text.replace('\n', '\r\n') for text in pki.issue('cm.cluster.example.test')]
    tasks = [
        ('client authentication only, ldap_client', 'ldap_client') + client_only,
        # A CA: the cluster takes no key for it.
        ('client authentication only, mtls_trusted_ca', 'mtls_trusted_ca', simlib.cert_pem(ca), None),
        ('RSA key and both purposes for internode encryption', 'data_internode_encryption') + internode,
        ('expires in 10 days', 'proxy', soon[0] + ''.join(pki.chain), soon[1]),
        ('CRLF', 'cm', crlf[0] + ''.join(pki.chain).replace('\n', '\r\n'), crlf[1]),
        ('CRLF again', 'cm', crlf[0] + ''.join(pki.chain).replace('\n', '\r\n'), crlf[1]),
    ]
    run, records = run_tasks(ansible, tmp_path, tasks)
    changed = dict((title, (record['status'], record['result'].get('changed'))) for title, record in records.items())
    assert changed == dict((task[0], ('ok', task[0] != 'CRLF again')) for task in tasks), run.stdout[-3000:]
    assert cluster.calls().count(PUT_CERTS) == 5

    for title, record in records.items():
        if title != 'expires in 10 days':
            assert not record['result'].get('warnings'), (title, record['result']['warnings'])
    (warning,) = records['expires in 10 days']['result']['warnings']
    expires = x509.load_pem_x509_certificate(soon[0].encode()).not_valid_after_utc
    assert warning == ('The proxy certificate expires on %s, in 9 days: it is installed, but renew it before then.'
                       % expires.strftime('%Y-%m-%dT%H:%M:%SZ'))
    assert '[WARNING]: The proxy certificate expires on' in run.stdout + run.stderr

    # The files had Windows line endings; what the cluster got and keeps has none.
    assert b'\r\n' in (tmp_path / 'cert-4').read_bytes()
    assert cluster.certificates['cm'] == {'cert': (crlf[0] + ''.join(pki.chain)).replace('\r', ''),
                                          'key': crlf[1].replace('\r', '')}
    assert cluster.certificates['ldap_client']['cert'] == client_only[0]
    assert cluster.certificates['mtls_trusted_ca']['cert'] == simlib.cert_pem(ca)


def der(certificate, key):
    """The DER forms of a PEM certificate and key."""
    return (x509.load_pem_x509_certificate(certificate.encode()).public_bytes(serialization.Encoding.DER),
            serialization.load_pem_private_key(key.encode(), None).private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


# On both paths: DER and base64 bytes reach the module through ansible-core's arguments either way.
@pytest.mark.both_paths
def test_inputs_that_are_not_pem_are_named_with_their_fix(ansible, cluster, pki, tmp_path):
    certificate, key = pki.issue()
    certificate_der, key_der = der(certificate, key)
    tasks = [
        ('DER certificate', 'proxy', certificate_der, key),
        ('DER key', 'proxy', certificate, key_der),
        ('DER certificate in base64', 'proxy', base64.encodebytes(certificate_der), key),
        ('DER key in base64', 'proxy', certificate, base64.encodebytes(key_der)),
        ('empty certificate', 'proxy', '', key),
        ('empty key', 'proxy', certificate, '\n'),
        ('the key as the certificate', 'proxy', key, key),
        ('the certificate as the key', 'proxy', certificate, certificate),
    ]
    # Verbose: the invocation (its arguments) is printed, where a key given as the certificate would show.
    run, records = run_tasks(ansible, tmp_path, tasks, '-vvv')
    convert_key = 'Convert it to PEM with "openssl pkey -inform der -in key.der -out key.pem"'
    convert_certificate = 'Convert it to PEM with "openssl x509 -inform der -in cert.der -out cert.pem"'
    # On both paths: certificate is no_log, so AnsibleModule does not log (or trip over) the lone surrogates that the
    # file lookup makes of the bytes that are not UTF-8.
    refused(records['DER certificate'], 'certificate is binary, not PEM text: it looks like DER. ' + convert_certificate)
    refused(records['DER key'], 'key is binary, not PEM text: it looks like DER. ' + convert_key)
    refused(records['DER certificate in base64'], 'certificate looks like DER in base64, without the PEM armour: put '
            'it between the lines -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----')
    refused(records['DER key in base64'], 'key looks like DER in base64, without the PEM armour: put it between the '
            'lines -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY-----')
    refused(records['empty certificate'], 'certificate is empty: check that the file its lookup reads, or the '
            'variable, holds the PEM certificate.')
    refused(records['empty key'], 'key is empty: check that the file its lookup reads, or the variable, holds the '
            'PEM private key.')
    refused(records['the key as the certificate'], 'certificate holds a private key, not a certificate: the '
            'certificate option takes the certificate (-----BEGIN CERTIFICATE-----), the key option its private key.')
    refused(records['the certificate as the key'], 'key holds a certificate, not a private key: the key option takes '
            'the private key (-----BEGIN PRIVATE KEY-----), the certificate option the certificate.')
    assert cluster.log == []
    # certificate is no_log too: the key given in its place reaches no output, on either path.
    secret = [line for line in key.splitlines() if line.strip() and not line.startswith('-----')
              and line not in certificate]
    assert secret and len(run.stdout) > 5000
    assert [line for line in secret if line in run.output] == []


ROOT = 'O=redis.enterprise simulator,CN=redis.enterprise test root CA'
ISSUING = 'O=redis.enterprise simulator,CN=redis.enterprise test issuing CA'
GET_CERTS, GET_CLUSTER, GET_OCSP = ('GET', '/v1/cluster/certificates'), ('GET', '/v1/cluster'), ('GET', '/v1/ocsp')


@pytest.mark.both_paths
def test_a_chain_that_does_not_chain_is_refused_and_a_missing_issuer_warns(ansible, cluster, pki, tmp_path):
    """Each case in check mode, then for real, in one playbook."""
    other_root = simlib.Pki(name='another root CA')
    proxy, api, cm, syncer = (pki.issue(name + '.cluster.example.test') for name in ('proxy', 'api', 'cm', 'syncer'))
    impostor = simlib.Pki(name='redis.enterprise test issuing CA')
    by_root = simlib.Pki(name='redis.enterprise LDAP root CA')
    ldap = by_root.issue('ldap-client.example.test', ocsp_url=None)
    cases = [
        ('a leaf, then a root that did not issue it', 'proxy', proxy[0] + other_root.ca_pem, proxy[1]),
        ('the chain out of order', 'api', api[0] + pki.chain[1] + pki.chain[0], api[1]),
        ("the issuer's name on another key", 'cm', cm[0] + impostor.ca_pem, cm[1]),
        ('a proxy certificate without its intermediate', 'proxy') + proxy,
        ('a chain without its root', 'syncer', syncer[0] + pki.chain[0], syncer[1]),
        ('a leaf with the root that issued it', 'ldap_client', ldap[0] + by_root.ca_pem, ldap[1]),
    ]
    checked = [(title + ', check mode',) + tuple(case) for title, *case in cases]
    run, records = run_tasks(ansible, tmp_path, checked + cases, checked=[case[0] for case in checked])
    for check in (True, False):
        said = dict((title, records[title + (', check mode' if check else '')]) for title, *dummy in cases)
        message = refused(said['a leaf, then a root that did not issue it'],
                          'The proxy certificate is not a chain: certificate 2 (O=redis.enterprise simulator,CN='
                          'another root CA) did not sign certificate 1 (O=redis.enterprise simulator,CN='
                          'proxy.cluster.example.test), which names %s as its issuer.' % ISSUING)
        assert message.endswith('Nothing was written.')
        refused(said['the chain out of order'], 'certificate 2 (%s) did not sign certificate 1 (O=redis.enterprise '
                'simulator,CN=api.cluster.example.test), which names %s as its issuer (certificate 3 signed it: put '
                'the chain in order)' % (ROOT, ISSUING))
        refused(said["the issuer's name on another key"], 'certificate 2 (%s) is named as the issuer of certificate '
                '1, but its key did not sign it' % ISSUING)
        results = dict((title, record['result']) for title, record in said.items())
        (leaf_alone,) = results['a proxy certificate without its intermediate']['warnings']
        assert leaf_alone.startswith('The proxy certificate is given without the certificate of its issuer, %s: '
                                     'clients that do not hold that intermediate CA cannot build a path to a CA they '
                                     'trust' % ISSUING)
        # The proxy certificate names a responder: what OCSP stapling then needs, by RFC 6960.
        assert 'It names the OCSP responder http://ocsp.example.test, which OCSP stapling asks' in leaf_alone
        assert "(the hashes of the issuer's name and of its public key, RFC 6960 CertID)" in leaf_alone
        (no_root,) = results['a chain without its root']['warnings']
        assert no_root.startswith('The chain of the syncer certificate ends with certificate 2 (%s), whose issuer, '
                                  '%s, is not given' % (ISSUING, ROOT))
        assert 'OCSP' not in no_root
        assert not results['a leaf with the root that issued it'].get('warnings')
        for title in ('a proxy certificate without its intermediate', 'a chain without its root',
                      'a leaf with the root that issued it'):
            assert said[title]['status'] == 'ok' and results[title]['changed'] is True, (title, check)
    # The refused tasks made no request, the checked ones wrote nothing: the calls are those of the three others, in
    # check mode, then for real.
    accepted = []
    for check in (True, False):
        write = [] if check else [PUT_CERTS, GET_CERTS]
        accepted += [GET_CERTS, GET_CLUSTER, GET_OCSP] + write + [GET_CERTS, GET_CLUSTER] + write + [GET_CERTS] + write
    assert cluster.calls() == accepted
    assert cluster.writes() == [PUT_CERTS] * 3
    assert cluster.certificates['proxy']['cert'] == proxy[0]
    assert cluster.certificates['syncer']['cert'] == syncer[0] + pki.chain[0]
    # ansible-core before 2.19 wraps a warning's lines.
    assert ('[WARNING]: The proxy certificate is given without the certificate of its issuer'
            in ' '.join((run.stdout + run.stderr).split()))

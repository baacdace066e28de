# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The X.509 pieces of the certificate modules, checked against OpenSSL's
own reading of the same certificates where OpenSSL is at hand."""

from __future__ import annotations

import datetime
import functools
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _api, _certificate, _x509

# The reference: OpenSSL's own reading of the certificates.
OPENSSL = shutil.which('openssl') or 'openssl'


@pytest.fixture(scope='module')
def pki():
    return simlib.Pki()


def openssl(pem, *args):
    return subprocess.run([OPENSSL, 'x509', '-noout'] + list(args), input=pem, capture_output=True, text=True,
                          check=True, timeout=30).stdout.strip()


def test_the_description_is_what_openssl_reads(pki):
    certificate, dummy = pki.issue('proxy.cluster.example.test')
    (parsed,), pem = _x509.load_certificates(certificate, 'certificate')
    described = _x509.describe(parsed)
    assert described['sha256_fingerprint'] == openssl(certificate, '-fingerprint', '-sha256').split('=', 1)[1]
    assert described['serial_number'] == openssl(certificate, '-serial').split('=', 1)[1].lstrip('0')
    assert described['ocsp_responder_url'] == openssl(certificate, '-ocsp_uri') == simlib.RESPONDER_URL
    assert described['subject_alt_names'] == ['DNS:cluster.example.test', 'DNS:*.cluster.example.test',
                                              'DNS:internal.cluster.example.test', 'DNS:*.internal.cluster.example.test',
                                              'IP:127.0.0.1', 'DNS:localhost']
    assert described['not_after'].endswith('Z') and len(described['not_after']) == 20


def test_only_the_pem_blocks_are_kept_in_order(pki):
    leaf, key = pki.issue()
    text = 'Bag Attributes\n    friendlyName: proxy\n' + leaf + 'subject=/CN=CA\n' + pki.ca_pem + 'trailing\n'
    certificates, pem = _x509.load_certificates(text, 'certificate')
    assert pem == leaf + pki.ca_pem
    assert [c.subject.rfc4514_string() for c in certificates] == [
        'O=redis.enterprise simulator,CN=proxy.cluster.example.test',
        'O=redis.enterprise simulator,CN=redis.enterprise test CA']
    loaded, key_pem = _x509.load_key('Bag Attributes\n    localKeyID: 01\n' + key, 'key')
    assert key_pem == key and _x509.key_matches(loaded, certificates[0])
    assert not _x509.key_matches(loaded, certificates[1])


def test_a_certificate_without_responder_names_none(pki):
    (parsed,), dummy = _x509.load_certificates(pki.issue(ocsp_url=None)[0], 'certificate')
    assert _x509.ocsp_url(parsed) is None


@pytest.mark.parametrize('text, message', [
    ('', 'certificate is empty'),
    ('not a certificate', 'certificate holds no PEM certificate'),
    ('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
     'certificate: certificate 1 of 1 is not a valid X.509 certificate'),
])
def test_certificates_that_cannot_be_read(text, message):
    with pytest.raises(ValueError, match=message):
        _x509.load_certificates(text, 'certificate')


def test_keys_that_cannot_serve_are_refused_without_quoting_them(pki):
    dummy, key = pki.issue()
    damaged = key.replace(key.splitlines()[2], 'QUFB' * 16)
    for text, message in ((damaged, 'key is not a private key that can be read'),
                          (key + key, 'key must hold one PEM private key (-----BEGIN PRIVATE KEY-----); it holds 2'),
                          ('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
                           'key is encrypted; the cluster takes a private key without a password')):
        with pytest.raises(ValueError) as info:
            _x509.load_key(text, 'key')
        assert message in str(info.value)
        for line in key.splitlines()[1:-1]:
            assert line not in str(info.value)


def test_a_cluster_message_loses_any_pem_block():
    said = _api._without_pem('bad key -----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY----- here')
    assert said == 'bad key [PEM data] here'
    # Cut off before its end, the block goes all the same.
    assert _api._without_pem('x -----BEGIN PRIVATE KEY-----\nMIGH') == 'x [PEM data]'


def test_what_a_certificate_lacks_or_names_otherwise_is_described_as_openssl_reads_it():
    """No SAN extension, a name kind without a prefix of its own, and an
    Authority Information Access that names CA issuers but no responder."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    key = simlib.new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'bare')])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(0x1234).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=2)))
    bare = builder.sign(key, hashes.SHA256())
    named = builder.add_extension(x509.SubjectAlternativeName([
        x509.DirectoryName(name), x509.DNSName('a.example.test'), x509.RFC822Name('ops@example.test')]),
        critical=False).add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier('http://ca.example.test/ca.crt'))]),
        critical=False).sign(key, hashes.SHA256())
    described = _x509.describe(bare)
    assert described['subject_alt_names'] == [] and described['ocsp_responder_url'] is None
    assert described['not_before'] == '2026-01-01T00:00:00Z' and described['not_after'] == '2026-01-03T00:00:00Z'
    described = _x509.describe(named)
    # OpenSSL prints the directory name too; the description keeps the kinds a TLS client matches.
    assert described['subject_alt_names'] == ['DNS:a.example.test', 'email:ops@example.test']
    assert _x509.ocsp_url(named) is None


def test_validity_dates_on_a_cryptography_without_the_utc_properties():
    """cryptography before 42 has not_valid_after, naive in UTC, and no not_valid_after_utc."""
    import datetime

    class Older:
        not_valid_after = datetime.datetime(2026, 1, 3, 12, 30)

    assert _x509.not_after(Older()) == datetime.datetime(2026, 1, 3, 12, 30, tzinfo=datetime.timezone.utc)
    assert _x509.iso(_x509.not_after(Older())) == '2026-01-03T12:30:00Z'


# What a certificate or key option holds when it is not PEM: each named, with its fix; and PEM with
# Windows' line endings, kept with LF only.


@pytest.fixture(scope='module')
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def der_of(pki):
    """(certificate PEM, key PEM, certificate DER, key DER) of a leaf of pki."""
    from cryptography.hazmat.primitives import serialization
    certificate, key = pki.issue()
    return (certificate, key, x509.load_pem_x509_certificate(certificate.encode()).public_bytes(
        serialization.Encoding.DER), serialization.load_pem_private_key(key.encode(), None).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def as_read(data, how):
    """Binary data as a text reader makes it: ansible-core's file lookup
    (surrogateescape, trailing white space stripped), a reader that
    replaces what is not UTF-8, or one that reads Latin-1."""
    if how == 'lookup':
        return data.decode('utf-8', 'surrogateescape').rstrip()
    return data.decode('utf-8', 'replace') if how == 'replace' else data.decode('latin-1')


@pytest.mark.parametrize('how', ['lookup', 'replace', 'latin-1'])
def test_der_read_as_text_is_named_with_its_conversion(pki, how):
    certificate, key, certificate_der, key_der = der_of(pki)
    with pytest.raises(ValueError) as info:
        _x509.load_certificates(as_read(certificate_der, how), 'certificate')
    assert str(info.value) == ('certificate is binary, not PEM text: it looks like DER. Convert it to PEM with '
                               '"openssl x509 -inform der -in cert.der -out cert.pem" and give the PEM file')
    with pytest.raises(ValueError) as info:
        _x509.load_key(as_read(key_der, how), 'key')
    assert str(info.value) == ('key is binary, not PEM text: it looks like DER. Convert it to PEM with '
                               '"openssl pkey -inform der -in key.der -out key.pem" and give the PEM file')
    # Bytes that are not UTF-8 alone, with no control character, make it binary too.
    with pytest.raises(ValueError, match='certificate is binary, not PEM text'):
        _x509.load_certificates(as_read(b'0\x82' + b'MIIB' * 16, how), 'certificate')


def test_der_in_base64_without_armour_is_named_with_its_fixes(pki):
    import base64
    certificate, key, certificate_der, key_der = der_of(pki)
    # On one line, or wrapped at 64 as PEM is, but for the armour.
    for text in (base64.b64encode(certificate_der).decode(), '\n'.join(certificate.strip().splitlines()[1:-1])):
        with pytest.raises(ValueError) as info:
            _x509.load_certificates(text, 'certificate')
        assert str(info.value).startswith('certificate looks like DER in base64, without the PEM armour: put it '
                                          'between the lines -----BEGIN CERTIFICATE----- and -----END '
                                          'CERTIFICATE-----')
        assert 'openssl x509 -inform der -in cert.der -out cert.pem' in str(info.value)
    body = '\n'.join(key.strip().splitlines()[1:-1])
    with pytest.raises(ValueError) as info:
        _x509.load_key(body, 'key')
    assert 'key looks like DER in base64, without the PEM armour' in str(info.value)
    assert '-----BEGIN PRIVATE KEY-----' in str(info.value)
    assert 'openssl pkey -inform der -in key.der -out key.pem' in str(info.value)
    for line in body.splitlines():
        assert line not in str(info.value)
    # Base64 of something else, or cut short, is not taken for DER.
    for text in (base64.b64encode(b'0' * 48).decode(), base64.b64encode(certificate_der[:-10]).decode()):
        with pytest.raises(ValueError, match='holds no PEM certificate'):
            _x509.load_certificates(text, 'certificate')


@pytest.mark.parametrize('text', ['', ' \n\t\r\n', None])
def test_an_empty_certificate_or_key_is_said_to_be_empty(text):
    with pytest.raises(ValueError) as info:
        _x509.load_certificates(text, 'certificate')
    assert str(info.value) == ('certificate is empty: check that the file its lookup reads, or the variable, holds '
                               'the PEM certificate')
    with pytest.raises(ValueError) as info:
        _x509.load_key(text, 'key')
    assert str(info.value) == 'key is empty: check that the file its lookup reads, or the variable, holds the PEM ' \
                              'private key'


def test_a_key_given_as_the_certificate_and_the_reverse_are_named(pki, rsa_key):
    from cryptography.hazmat.primitives import serialization
    certificate, key = pki.issue()
    traditional = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                        serialization.NoEncryption()).decode()
    for text in (key, traditional, 'Bag Attributes\n' + key):
        with pytest.raises(ValueError) as info:
            _x509.load_certificates(text, 'certificate')
        assert str(info.value) == ('certificate holds a private key, not a certificate: the certificate option takes '
                                   'the certificate (-----BEGIN CERTIFICATE-----), the key option its private key. '
                                   'Check that the two are not swapped')
    with pytest.raises(ValueError) as info:
        _x509.load_key(certificate + pki.ca_pem, 'key')
    assert str(info.value).startswith('key holds a certificate, not a private key: the key option takes the private '
                                      'key (-----BEGIN PRIVATE KEY-----), the certificate option the certificate.')
    # A file that holds both still serves either option.
    assert _x509.load_certificates(certificate + key, 'certificate')[1] == certificate
    assert _x509.load_key(certificate + key, 'key')[1] == key


def test_crlf_pem_is_kept_with_lf_line_endings_only(pki):
    certificate, key = pki.issue()
    crlf = (certificate + pki.ca_pem).replace('\n', '\r\n')
    certificates, pem = _x509.load_certificates('Bag Attributes\r\n' + crlf, 'certificate')
    assert '\r' not in pem and pem == certificate + pki.ca_pem
    assert _x509.fingerprint(certificates[0]) == _x509.fingerprint(x509.load_pem_x509_certificate(certificate.encode()))
    loaded, key_pem = _x509.load_key(key.replace('\n', '\r\n'), 'key')
    assert '\r' not in key_pem and key_pem == key
    assert _x509.key_matches(loaded, certificates[0])


# The documented requirements (Redis Enterprise Software docs, "Create certificates") that the certificate alone
# shows, each checked on the controller before any request.

NOW = datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)


def leaf(not_before=NOW - datetime.timedelta(days=1), days=365, key=None, **options):
    """A certificate (cryptography's) valid from not_before for days, of key (a new EC key by default)."""
    return simlib.make_certificate('leaf.example.test', key or simlib.new_key(), not_before=not_before, days=days,
                                   **options)


@pytest.mark.parametrize('ahead, refused', [
    (datetime.timedelta(days=3), True),
    (_x509.CLOCK_SKEW + datetime.timedelta(seconds=1), True),
    (_x509.CLOCK_SKEW, False),
    (datetime.timedelta(minutes=4), False),
    (-datetime.timedelta(days=1), False),
])
def test_a_certificate_not_valid_yet_is_refused_beyond_the_clock_skew(ahead, refused):
    certificate = leaf(not_before=NOW + ahead)
    message = _x509.not_yet_valid(certificate, 'api', NOW)
    assert _x509.CLOCK_SKEW == datetime.timedelta(minutes=5)
    if not refused:
        assert message is None
        return
    assert message.startswith('The api certificate is not valid until %s ' % _x509.iso(NOW + ahead))
    assert 'more than 5 minutes ahead' in message
    assert 'clients would refuse it, this collection included when it is the api certificate' in message
    assert message.endswith('Install it once it is valid.')


@pytest.mark.parametrize('eku, missing', [
    (None, []),
    ([EKU.SERVER_AUTH, EKU.CLIENT_AUTH], []),
    ([EKU.CLIENT_AUTH, EKU.CODE_SIGNING, EKU.SERVER_AUTH], []),
    ([EKU.SERVER_AUTH], ['clientAuth']),
    ([EKU.CLIENT_AUTH], ['serverAuth']),
    ([EKU.CODE_SIGNING], ['serverAuth', 'clientAuth']),
])
def test_an_extended_key_usage_must_hold_both_tls_purposes(eku, missing):
    certificate = leaf(eku=eku)
    assert _x509.tls_purposes_missing(certificate) == missing
    message = _x509.lacks_tls_purposes(certificate, 'proxy')
    if not missing:
        assert message is None
        return
    named = {'serverAuth': 'TLS Web Server Authentication (serverAuth)',
             'clientAuth': 'TLS Web Client Authentication (clientAuth)'}
    assert message.startswith('The proxy certificate has an extended key usage without %s: '
                              % ' and '.join(named[purpose] for purpose in missing))
    assert 'must hold both TLS Web Server Authentication (serverAuth) and TLS Web Client Authentication' in message
    assert '(Redis Enterprise Software docs, "Create certificates")' in message
    assert "a CA template with Server Authentication only, such as Windows AD CS's default Web Server template" in \
        message


def test_only_an_rsa_key_serves_internode_encryption(rsa_key):
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519
    found = {}
    for kind, key in (('RSA', rsa_key), ('EC', simlib.new_key()), ('Ed25519', ed25519.Ed25519PrivateKey.generate()),
                      ('Ed448', ed448.Ed448PrivateKey.generate())):
        # Signed by an EC CA: a self-signed EdDSA certificate takes no hash.
        issuer = simlib.Pki()
        certificate = leaf(key=key, issuer=(issuer.certificate, issuer.key))
        found[kind] = (_x509.key_type(certificate), _x509.not_rsa(certificate, 'data_internode_encryption'))
    assert dict((kind, found[kind][0]) for kind in found) == dict((kind, kind) for kind in found)
    assert found['RSA'][1] is None
    for kind, said in (('EC', 'EC (ECDSA)'), ('Ed25519', 'Ed25519 (EdDSA)'), ('Ed448', 'Ed448 (EdDSA)')):
        message = found[kind][1]
        assert message.startswith("The data_internode_encryption certificate's key is %s, not RSA: " % said)
        assert 'ECDSA or EdDSA might prevent internode encryption from working (Redis Enterprise Software docs, ' \
               '"Create certificates")' in message


FQDN = 'cluster.example.com'
ALL = [FQDN, '*.' + FQDN, 'internal.' + FQDN, '*.internal.' + FQDN]


@pytest.mark.parametrize('sans, fqdn, missing', [
    (ALL, FQDN, []),
    ([name.upper() for name in ALL], FQDN, []),
    (ALL, FQDN.upper() + '.', []),
    ([name + '.' for name in ALL], FQDN, []),
    # No SAN extension at all (a CA certificate has none here), or IP addresses only.
    (None, FQDN, ALL),
    (['127.0.0.1'], FQDN, ALL),
    # A wildcard covers one label: internal.<fqdn>, not *.internal.<fqdn>.
    ([FQDN, '*.' + FQDN], FQDN, ['*.internal.' + FQDN]),
    # The wildcard of the parent domain covers the FQDN itself, nothing under it.
    (['*.example.com'], FQDN, ['*.' + FQDN, 'internal.' + FQDN, '*.internal.' + FQDN]),
    # Listing names under the FQDN does not cover its wildcards; a wildcard two labels up covers nothing.
    ([FQDN, 'db1.' + FQDN, 'internal.' + FQDN, 'node1.internal.' + FQDN], FQDN,
     ['*.' + FQDN, '*.internal.' + FQDN]),
    (['*.com'], FQDN, ALL),
    (['other.example.com', '*.other.example.com'], FQDN, ALL),
    # A name that merely ends like the FQDN is another name.
    (['xcluster.example.com', '*.xcluster.example.com'], FQDN, ALL),
])
def test_missing_names_are_the_documented_san_entries_the_certificate_lacks(sans, fqdn, missing):
    certificate = leaf(ca=sans is None, sans=sans or ())
    expected = [name.replace(FQDN, fqdn.rstrip('.')) for name in missing]
    assert _x509.missing_names(certificate, fqdn) == expected


@pytest.mark.parametrize('days, said', [
    (10, 'in 9 days'),
    (2, 'in 1 day'),
    (1, 'in less than a day'),
])
def test_a_certificate_that_expires_within_30_days_is_taken_with_a_warning(days, said):
    # Valid from an hour before NOW, for days: the time left is days less an hour.
    certificate = leaf(not_before=NOW - datetime.timedelta(hours=1), days=days)
    warning = _x509.expires_soon(certificate, 'proxy', NOW)
    assert warning == 'The proxy certificate expires on %s, %s: it is installed, but renew it before then.' % (
        _x509.iso(_x509.not_after(certificate)), said)


@pytest.mark.parametrize('days', [31, 365])
def test_a_certificate_with_more_than_30_days_left_or_expired_has_no_warning(days):
    assert _x509.EXPIRY_WARNING == datetime.timedelta(days=30)
    assert _x509.expires_soon(leaf(not_before=NOW, days=days), 'proxy', NOW) is None
    # Expired is refused elsewhere, not warned about.
    assert _x509.expires_soon(leaf(not_before=NOW - datetime.timedelta(days=days + 1), days=days), 'proxy',
                              NOW) is None


# The rules as Certificate.desired applies them: to which names, and what it returns.

def params(name, certificate, key):
    # mtls_trusted_ca and sso_issuer take no key.
    return dict(name=name, certificate=certificate, key=None if name in _certificate.KEYLESS else key,
                state='present', force=False)


def refusal(name, certificate, key):
    with pytest.raises(_api.RedisEnterpriseError) as info:
        _certificate.CERTIFICATE.desired(params(name, certificate, key))
    return info.value.msg


def with_chain(pki, pair):
    """(the leaf followed by its CA's certificate, the key) of a pair pki issued."""
    return pair[0] + pki.ca_pem, pair[1]


def test_desired_applies_the_purpose_rule_to_the_generated_names_only():
    pki = simlib.Pki()
    server_only = with_chain(pki, pki.issue(eku=[EKU.SERVER_AUTH]))
    client_only = with_chain(pki, pki.issue(eku=[EKU.CLIENT_AUTH]))
    for name in _certificate.GENERATED:
        assert 'has an extended key usage without TLS Web Client Authentication' in refusal(name, *server_only)
        assert 'without TLS Web Server Authentication' in refusal(name, *client_only)
    for name in ('ldap_client', 'mtls_trusted_ca', 'sso_service', 'sso_issuer'):
        for pair in (server_only, client_only):
            assert _certificate.CERTIFICATE.desired(params(name, *pair))['warnings'] == []


def test_desired_applies_the_rsa_rule_to_the_internode_names_only(rsa_key):
    pki = simlib.Pki()
    ec_pair, rsa_pair = pki.issue(), pki.issue(key=rsa_key)
    for name in _certificate.NAMES:
        internode = name in ('ccs_internode_encryption', 'data_internode_encryption')
        if internode:
            assert "certificate's key is EC (ECDSA), not RSA" in refusal(name, *ec_pair)
        else:
            expected = None if name in _certificate.KEYLESS else ec_pair[1]
            assert _certificate.CERTIFICATE.desired(params(name, *ec_pair))['key'] == expected
        assert _certificate.CERTIFICATE.desired(params(name, *rsa_pair))['pem'] == rsa_pair[0]


def test_desired_refuses_a_certificate_not_valid_yet_under_every_name_and_says_every_problem():
    pki = simlib.Pki()
    later = pki.issue(not_before=simlib.utc_now() + datetime.timedelta(days=2), eku=[EKU.SERVER_AUTH])
    for name in _certificate.NAMES:
        message = refusal(name, *later)
        assert message.startswith('The %s certificate is not valid until ' % name)
        assert ('without TLS Web Client Authentication' in message) == (name in _certificate.GENERATED)
        assert ("key is EC (ECDSA), not RSA" in message) == name.endswith('_internode_encryption')


def test_desired_returns_the_expiry_warning_and_lf_only_pem():
    pki = simlib.Pki()
    certificate, key = with_chain(pki, pki.issue(days=10))
    want = _certificate.CERTIFICATE.desired(params('proxy', certificate.replace('\n', '\r\n'),
                                                   key.replace('\n', '\r\n')))
    (warning,) = want['warnings']
    assert warning.startswith('The proxy certificate expires on %s, in 9 days' % _x509.iso(
        _x509.not_after(want['certificates'][0])))
    assert want['pem'] == certificate and want['key'] == key
    assert _certificate.CERTIFICATE.desired(params('proxy', *with_chain(pki, pki.issue(days=31))))['warnings'] == []


# Chains: each certificate signed by the next, by its signature (OpenSSL's verify the reference), on cryptography
# releases with and without verify_directly_issued_by (40); the last one's issuer given or named.

@functools.lru_cache(maxsize=None)
def ca_key(kind, which='ca'):
    """A key of kind, the same for the same which: RSA and DSA keys take long to make."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ed448, ed25519, rsa
    return {'RSA': lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
            'EC': simlib.new_key,
            'Ed25519': ed25519.Ed25519PrivateKey.generate,
            'Ed448': ed448.Ed448PrivateKey.generate,
            'DSA': lambda: dsa.generate_private_key(key_size=2048)}[kind]()


def signed(common_name, key, issuer=None, ca=False, pss=False):
    """A certificate of key, signed by issuer (certificate, key) or by key
    itself: with SHA-256 (RSA-PSS with pss), without a hash for EdDSA."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, padding
    from cryptography.x509.oid import NameOID
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name, signer = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(simlib.utc_now() - datetime.timedelta(days=1))
               .not_valid_after(simlib.utc_now() + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    digest = None if isinstance(signer, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) else hashes.SHA256()
    if pss:
        return builder.sign(signer, digest, rsa_padding=padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                                    salt_length=padding.PSS.DIGEST_LENGTH))
    return builder.sign(signer, digest)


def pem_of(certificate):
    from cryptography.hazmat.primitives import serialization
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def openssl_verifies(certificate, issuer, tmp_path):
    """Whether OpenSSL finds certificate signed by issuer, trusted as given."""
    (tmp_path / 'issuer.pem').write_text(pem_of(issuer))
    done = subprocess.run([OPENSSL, 'verify', '-partial_chain', '-trusted', str(tmp_path / 'issuer.pem')],
                          input=pem_of(certificate), capture_output=True, text=True, check=False, timeout=30)
    return done.returncode == 0


@pytest.mark.parametrize('by_key', [False, True], ids=['verify_directly_issued_by', 'by-key-kind'])
@pytest.mark.parametrize('kind', ['RSA', 'EC', 'Ed25519', 'Ed448', 'DSA'])
def test_a_signature_is_checked_with_the_issuers_key_of_every_kind(kind, by_key, tmp_path):
    key = ca_key(kind)
    ca = signed('redis.enterprise test CA', key, ca=True)
    leaf_ = signed('leaf.example.test', simlib.new_key(), issuer=(ca, key))
    # The same name, another key: of the same kind, and of another.
    impostor_key = ca_key(kind, 'impostor')
    impostor = signed('redis.enterprise test CA', impostor_key, ca=True)
    other_kind = signed('redis.enterprise test CA', ca_key('Ed25519' if kind == 'EC' else 'EC'), ca=True)
    another_name = signed('another CA', key, ca=True)
    for issuer in (ca, impostor, other_kind, another_name):
        assert _x509.signed_by(leaf_, issuer, by_key=by_key) is openssl_verifies(leaf_, issuer, tmp_path), issuer
    assert _x509.signed_by(leaf_, ca, by_key=by_key) is True
    assert _x509.signed_by(ca, ca, by_key=by_key) is True and _x509.signed_by(leaf_, leaf_, by_key=by_key) is False
    # A leaf the impostor signed, checked against the real CA: the names agree, the signature does not.
    forged = signed('leaf.example.test', simlib.new_key(), issuer=(impostor, impostor_key))
    assert _x509.signed_by(forged, ca, by_key=by_key) is False


def test_an_rsa_pss_signature_is_checked_where_the_library_can_and_said_unchecked_where_it_cannot(tmp_path):
    key = ca_key('RSA')
    ca = signed('redis.enterprise PSS CA', key, ca=True, pss=True)
    leaf_ = signed('leaf.example.test', simlib.new_key(), issuer=(ca, key), pss=True)
    assert openssl_verifies(leaf_, ca, tmp_path)
    assert _x509.signed_by(leaf_, ca) is True
    assert _x509.check_chain([leaf_, ca], 'The proxy certificate') == (None, [])
    # Before cryptography 40 the PSS parameters cannot be read: not refused, said.
    assert _x509.signed_by(leaf_, ca, by_key=True) is None
    refusal, warnings = _x509.check_chain([leaf_, ca], 'The proxy certificate', by_key=True)
    assert refusal is None and len(warnings) == 1
    assert warnings[0].startswith('The signature of certificate 1 (CN=leaf.example.test) by certificate 2 could not '
                                  "be checked: this Python's cryptography ")
    assert warnings[0].endswith('cannot verify rsassaPss signatures. The chain is installed as given.')


@pytest.fixture(scope='module')
def cas():
    """(root, intermediate) CAs, the intermediate signed by the root, and a
    leaf of the intermediate; each a Pki, the leaf a parsed certificate."""
    root = simlib.Pki(name='chain root CA')
    intermediate = simlib.Pki(name='chain issuing CA', issuer=root)
    leaf_ = x509.load_pem_x509_certificate(intermediate.issue('proxy.chain.example.test')[0].encode())
    return root.certificate, intermediate.certificate, leaf_


ROOT = 'O=redis.enterprise simulator,CN=chain root CA'
ISSUING = 'O=redis.enterprise simulator,CN=chain issuing CA'
LEAF = 'O=redis.enterprise simulator,CN=proxy.chain.example.test'


@pytest.mark.parametrize('by_key', [False, True], ids=['verify_directly_issued_by', 'by-key-kind'])
def test_a_chain_in_order_to_its_root_has_nothing_to_say(cas, by_key):
    root, issuing, leaf_ = cas
    assert _x509.check_chain([leaf_, issuing, root], 'The proxy certificate', by_key=by_key) == (None, [])
    assert _x509.check_chain([issuing, root], 'The proxy certificate', by_key=by_key) == (None, [])
    # A self-signed certificate alone: its issuer is itself.
    assert _x509.check_chain([root], 'The proxy certificate', by_key=by_key) == (None, [])


@pytest.mark.parametrize('by_key', [False, True], ids=['verify_directly_issued_by', 'by-key-kind'])
def test_a_chain_that_does_not_chain_is_refused_naming_each_pair(cas, by_key):
    root, issuing, leaf_ = cas
    refusal, warnings = _x509.check_chain([leaf_, root], 'The proxy certificate', by_key=by_key)
    assert refusal == (
        'The proxy certificate is not a chain: certificate 2 (%s) did not sign certificate 1 (%s), which names %s as '
        'its issuer. Each certificate after the first must be the certificate of the CA that signed the one before '
        'it: the leaf first, then its intermediates, then (optionally) the root. Nothing was written.'
        % (ROOT, LEAF, ISSUING))
    assert warnings == []
    # Out of order: each pair that does not chain, and where the missing signer is.
    refusal = _x509.check_chain([leaf_, root, issuing], 'The proxy certificate', by_key=by_key)[0]
    assert ('certificate 2 (%s) did not sign certificate 1 (%s), which names %s as its issuer (certificate 3 signed '
            'it: put the chain in order); certificate 3 (%s) did not sign certificate 2 (%s), which names %s as its '
            'issuer.' % (ROOT, LEAF, ISSUING, ISSUING, ROOT, ROOT)) in refusal
    # The issuer's name on a certificate of another key: the names alone would pass it.
    impostor = simlib.Pki(name='chain issuing CA').certificate
    assert impostor.subject == leaf_.issuer
    refusal = _x509.check_chain([leaf_, impostor], 'The proxy certificate', by_key=by_key)[0]
    assert refusal.startswith('The proxy certificate is not a chain: certificate 2 (%s) is named as the issuer of '
                              'certificate 1, but its key did not sign it: another CA of the same name, or that CA '
                              'with a new key.' % ISSUING)


@pytest.mark.parametrize('by_key', [False, True], ids=['verify_directly_issued_by', 'by-key-kind'])
def test_a_leaf_without_its_issuer_warns_and_names_it_with_ocsp_where_it_is_stapled(cas, by_key):
    root, issuing, leaf_ = cas
    refusal, (warning,) = _x509.check_chain([leaf_], 'The proxy certificate', by_key=by_key)
    assert refusal is None
    assert warning == (
        'The proxy certificate is given without the certificate of its issuer, %s: clients that do not hold that '
        'intermediate CA cannot build a path to a CA they trust, and refuse the connection. It is installed, but give '
        'the leaf followed by its chain, the intermediate that signed it first (the docs ask for the full chain, leaf '
        'to root; the root may be left out).' % ISSUING)
    refusal, (warning,) = _x509.check_chain([leaf_], 'The proxy certificate', responder=simlib.RESPONDER_URL,
                                            by_key=by_key)
    assert warning.endswith(
        ' It names the OCSP responder http://ocsp.example.test, which OCSP stapling asks: an OCSP request names the '
        "certificate by its issuer (the hashes of the issuer's name and of its public key, RFC 6960 CertID), so the "
        "cluster needs the issuer's certificate to ask, and without it has no status to staple: clients that check "
        'the staple then refuse the handshake.')
    # Given with its issuer, but not the root: the root is named, and no word of OCSP.
    refusal, (warning,) = _x509.check_chain([leaf_, issuing], 'The proxy certificate',
                                            responder=simlib.RESPONDER_URL, by_key=by_key)
    assert refusal is None
    assert warning == ('The chain of the proxy certificate ends with certificate 2 (%s), whose issuer, %s, is not '
                       'given: it is installed, and clients must hold that CA as a trusted one. The docs let the root '
                       'be left out; if that CA is an intermediate one, add its certificate at the end of the chain.'
                       % (ISSUING, ROOT))
    # A CA the cluster trusts as given (mtls_trusted_ca) is no chain it presents.
    assert _x509.check_chain([issuing], 'The mtls_trusted_ca certificate', anchor=True, by_key=by_key) == (None, [])


def test_desired_refuses_a_broken_chain_and_warns_of_a_missing_issuer_under_each_name(rsa_key):
    root = simlib.Pki(name='desired root CA')
    issuing = simlib.Pki(name='desired issuing CA', issuer=root)
    # RSA for the internode names, which take nothing else; EC, quicker to read, for the others.
    pairs = {'RSA': issuing.issue(key=rsa_key), 'EC': issuing.issue()}
    for name in _certificate.NAMES:
        certificate, key = pairs['RSA' if name.endswith('_internode_encryption') else 'EC']
        message = refusal(name, certificate + root.ca_pem, key)
        assert message.startswith('The %s certificate is not a chain: certificate 2 (' % name), message
        warnings = _certificate.CERTIFICATE.desired(params(name, certificate, key))['warnings']
        if name in _certificate.KEYLESS:
            assert warnings == [], name
            continue
        (warning,) = warnings
        assert warning.startswith('The %s certificate is given without the certificate of its issuer, '
                                  'O=redis.enterprise simulator,CN=desired issuing CA: ' % name)
        # Only the proxy certificate is stapled.
        assert ('It names the OCSP responder http://ocsp.example.test' in warning) is (name == 'proxy'), name
        assert _certificate.CERTIFICATE.desired(params(name, certificate + ''.join(issuing.chain), key))['warnings'] \
            == []


@pytest.mark.parametrize('text', ['certs/proxy.pem', '/etc/pki/redis/proxy-chain.pem\n', 'C:\\certs\\proxy.crt'])
def test_a_path_given_for_the_pem_names_the_file_lookup(text):
    with pytest.raises(ValueError) as info:
        _x509.load_certificates(text, 'certificate', option=True)
    assert str(info.value) == ("certificate holds no PEM certificate (-----BEGIN CERTIFICATE-----) but one line of %d "
                               "characters, such as a file's path: to read it from a file, give "
                               "lookup('ansible.builtin.file', path), not the path" % len(text.strip()))
    with pytest.raises(ValueError) as info:
        _x509.load_key(text.replace('proxy', 'proxy-key'), 'key', option=True)
    assert str(info.value).startswith("key holds no PEM private key (-----BEGIN PRIVATE KEY-----) but one line of ")
    assert "give lookup('ansible.builtin.file', path), not the path" in str(info.value)
    # What the cluster answers is no task's path.
    with pytest.raises(ValueError) as info:
        _x509.load_certificates(text, 'The cm certificate the cluster returned')
    assert str(info.value) == 'The cm certificate the cluster returned holds no PEM certificate (-----BEGIN CERTIFICATE-----)'

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""X.509 for the certificate modules, on the cryptography library: the PEM
blocks of a certificate or key (and what a text that holds none is instead),
what describes a certificate (never a key), whether a key belongs to a
certificate, its OCSP responder, whether a chain chains, and the product's
documented requirements that a certificate alone shows."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import datetime
import re
import sys

from ansible.module_utils.basic import missing_required_lib

HAS_CRYPTOGRAPHY = True
try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, SignatureAlgorithmOID
except ImportError:
    HAS_CRYPTOGRAPHY = False

# The armour of one PEM block (RFC 7468). What lies outside it, such as the
# "Bag Attributes" a conversion from PKCS#12 leaves, is no part of it.
PEM_BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----\s.*?-----END \1-----', re.S)
KEY_LABELS = ('PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY')
# What reading a binary file as text leaves: C0 and C1 control characters
# (but white space), bytes escaped (surrogateescape, as ansible-core's file
# lookup does) or replaced (U+FFFD).
BINARY = re.compile(u'[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\udc80-\udcff]')
BASE64 = re.compile(r'[A-Za-z0-9+/]+={0,2}')

# How far ahead of the controller's clock a certificate's start of validity
# may lie: the clock skew allowed between the controller, the nodes and
# their clients.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# A certificate that expires sooner than this installs, with a warning.
EXPIRY_WARNING = datetime.timedelta(days=30)
DOCS = 'Redis Enterprise Software docs, "Create certificates"'

NOT_YET_VALID = (
    'The %s certificate is not valid until %s (its notBefore lies more than %d minutes ahead of this '
    "controller's clock): until then clients would refuse it, this collection included when it is the api "
    'certificate, which secures the REST API the modules call. Install it once it is valid.')
LACKS_PURPOSES = (
    "The %s certificate has an extended key usage without %s: the cluster's own certificates must hold both TLS "
    'Web Server Authentication (serverAuth) and TLS Web Client Authentication (clientAuth) in an extended key '
    "usage (%s). The usual cause is a CA template with Server Authentication only, such as Windows AD CS's default "
    'Web Server template: issue it from a template that holds both.')
NOT_RSA = (
    "The %s certificate's key is %s, not RSA: internode encryption certificates take an RSA key, as ECDSA or "
    'EdDSA might prevent internode encryption from working (%s). Issue it with an RSA key.')
EXPIRES_SOON = 'The %s certificate expires on %s, in %s: it is installed, but renew it before then.'


def missing_cryptography():
    """Ansible's message for a missing cryptography, and how to install it."""
    return ('%s. Install it on the host that runs the module, for this Python with "%s -m pip install '
            'cryptography" (or the python3-cryptography package of its system), or point '
            'ansible_python_interpreter at a Python that has it, such as the one ansible-core runs in.'
            % (missing_required_lib('cryptography', reason='to read X.509 certificates'), sys.executable))


def blocks(text, labels):
    """The PEM blocks of text whose label is one of labels, each as written
    but with \\n line endings (none of Windows' \\r), in order; whatever lies
    around them left out."""
    return [match.group(0).replace('\r\n', '\n').replace('\r', '\n')
            for match in PEM_BLOCK.finditer(text or '') if match.group(1) in labels]


def _der_sequence(data):
    """Whether data is one whole DER SEQUENCE, as a DER certificate or key
    is: its header's length is the rest of data."""
    data = bytearray(data)
    if len(data) < 2 or data[0] != 0x30:
        return False
    size, header = data[1], 2
    if size & 0x80:
        count = size & 0x7f
        if not 0 < count <= 4 or len(data) < 2 + count:
            return False
        size, header = int(binascii.hexlify(data[2:2 + count]), 16), 2 + count
    return header + size == len(data)


def _in_base64(text):
    """Whether text, white space aside, is base64 of a DER SEQUENCE: a DER
    certificate or key written without its PEM armour."""
    compact = ''.join(text.split())
    if not BASE64.fullmatch(compact):
        return False
    try:
        return _der_sequence(base64.b64decode(compact.encode('ascii')))
    except (binascii.Error, ValueError, TypeError):
        return False


def _not_pem(text, what, kind, option=False):
    """Why text, which holds no PEM block of kind ('certificate' or 'key'),
    is not what the option takes, with the fix; None when it is not
    recognised. option: text is what a task gave, which may be a file's
    path. Never quotes text."""
    if not (text or '').strip():
        return ('%s is empty: check that the file its lookup reads, or the variable, holds the PEM %s'
                % (what, 'certificate' if kind == 'certificate' else 'private key'))
    if kind == 'certificate' and blocks(text, KEY_LABELS + ('ENCRYPTED PRIVATE KEY',)):
        return ('%s holds a private key, not a certificate: the certificate option takes the certificate '
                '(-----BEGIN CERTIFICATE-----), the key option its private key. Check that the two are not '
                'swapped' % what)
    if kind == 'key' and blocks(text, ('CERTIFICATE',)):
        return ('%s holds a certificate, not a private key: the key option takes the private key '
                '(-----BEGIN PRIVATE KEY-----), the certificate option the certificate. Check that the two are '
                'not swapped' % what)
    if kind == 'certificate':
        conversion = 'openssl x509 -inform der -in cert.der -out cert.pem'
        armour = 'CERTIFICATE'
    else:
        conversion = 'openssl pkey -inform der -in key.der -out key.pem'
        armour = 'PRIVATE KEY'
    if BINARY.search(text):
        return ('%s is binary, not PEM text: it looks like DER. Convert it to PEM with "%s" and give the PEM '
                'file' % (what, conversion))
    if _in_base64(text):
        return ('%s looks like DER in base64, without the PEM armour: put it between the lines -----BEGIN %s----- '
                'and -----END %s-----, or decode it to a DER file (base64 -d) and convert that to PEM with "%s"'
                % (what, armour, armour, conversion))
    if option and len(text.strip().splitlines()) == 1:
        # The usual mistake: the path of the file rather than what it holds.
        return ("%s holds no PEM %s (-----BEGIN %s-----) but one line of %d characters, such as a file's path: to "
                "read it from a file, give lookup('ansible.builtin.file', path), not the path"
                % (what, 'certificate' if kind == 'certificate' else 'private key', armour, len(text.strip())))
    return None


def load_certificates(text, what, option=False):
    """(certificates, PEM) of text: its CERTIFICATE blocks parsed, the leaf
    first, and those blocks alone joined for a request body. ValueError
    with what is wrong, for what (an option, with option true, or the
    cluster's answer)."""
    found = blocks(text, ('CERTIFICATE',))
    if not found:
        raise ValueError(_not_pem(text, what, 'certificate', option)
                         or '%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)' % what)
    certificates = []
    for index, block in enumerate(found):
        try:
            certificates.append(x509.load_pem_x509_certificate(block.encode('ascii')))
        except (ValueError, UnicodeError):
            raise ValueError('%s: certificate %d of %d is not a valid X.509 certificate'
                             % (what, index + 1, len(found)))
    return certificates, '\n'.join(found) + '\n'


def load_key(text, what, option=False):
    """(key, PEM) of the unencrypted private key in text, its block alone
    for a request body. ValueError with what is wrong, never quoting it;
    option: text is what a task gave."""
    if blocks(text, ('ENCRYPTED PRIVATE KEY',)) or 'Proc-Type: 4,ENCRYPTED' in (text or ''):
        raise ValueError('%s is encrypted; the cluster takes a private key without a password. Decrypt it first, '
                         'for example with "openssl pkey -in key.pem -out key-plain.pem", and keep that file in '
                         'Ansible Vault' % what)
    found = blocks(text, KEY_LABELS)
    problem = None if found else _not_pem(text, what, 'key', option)
    if problem:
        raise ValueError(problem)
    if len(found) != 1:
        raise ValueError('%s must hold one PEM private key (-----BEGIN PRIVATE KEY-----); it holds %d'
                         % (what, len(found)))
    try:
        key = serialization.load_pem_private_key(found[0].encode('ascii'), password=None)
    except (ValueError, TypeError, UnicodeError):
        # Not the library's text: it may say more about the key than it should.
        raise ValueError('%s is not a private key that can be read' % what)
    return key, found[0] + '\n'


def _public(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches(key, certificate):
    """Whether key is the private key of certificate's public key."""
    return _public(key.public_key()) == _public(certificate.public_key())


def _utc(certificate, name):
    """A validity date as an aware UTC datetime, on every cryptography release."""
    moment = getattr(certificate, name + '_utc', None)
    if moment is None:
        moment = getattr(certificate, name).replace(tzinfo=datetime.timezone.utc)
    return moment


def not_after(certificate):
    return _utc(certificate, 'not_valid_after')


def not_before(certificate):
    return _utc(certificate, 'not_valid_before')


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def fingerprint(certificate):
    """The SHA-256 fingerprint as OpenSSL prints it: AB:CD:..."""
    return ':'.join('%02X' % byte for byte in bytearray(certificate.fingerprint(hashes.SHA256())))


def ocsp_url(certificate):
    """The OCSP responder of the certificate's Authority Information Access,
    or None: what OCSP stapling needs."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    for description in access:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return description.access_location.value
    return None


def _names(certificate):
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    found = []
    for name in names:
        kind = {x509.DNSName: 'DNS', x509.IPAddress: 'IP', x509.RFC822Name: 'email',
                x509.UniformResourceIdentifier: 'URI'}.get(type(name))
        if kind:
            found.append('%s:%s' % (kind, name.value))
    return found


def describe(certificate):
    """What identifies a certificate, for results and diffs: never a key."""
    return dict(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number='%X' % certificate.serial_number,
        subject_alt_names=_names(certificate),
        not_before=iso(_utc(certificate, 'not_valid_before')),
        not_after=iso(not_after(certificate)),
        sha256_fingerprint=fingerprint(certificate),
        ocsp_responder_url=ocsp_url(certificate),
    )


def _dns_names(certificate):
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return names.get_values_for_type(x509.DNSName)


def _covers(san, name):
    """Whether the SAN DNS entry san covers name: the same name, or a
    wildcard for the one label name has before the rest of it."""
    san, name = san.lower().rstrip('.'), name.lower().rstrip('.')
    if san == name:
        return True
    return san.startswith('*.') and '.' in name and name.split('.', 1)[1] == san[2:]


def missing_names(certificate, fqdn):
    """The SAN DNS entries the docs require for a cluster named fqdn
    (fqdn, *.fqdn, internal.fqdn, *.internal.fqdn) that the certificate
    does not cover, in that order. A wildcard entry covers one label;
    names compare case-insensitively."""
    fqdn = fqdn.rstrip('.')
    return uncovered(certificate, [fqdn, '*.' + fqdn, 'internal.' + fqdn, '*.internal.' + fqdn])


def uncovered(certificate, names):
    """The names (DNS names) that no SAN DNS entry of the certificate
    covers, in their order."""
    present = _dns_names(certificate)
    return [name for name in names if not any(_covers(san, name) for san in present)]


def tls_purposes_missing(certificate):
    """The TLS purposes, of serverAuth and clientAuth, that the
    certificate's extended key usage lacks: none when it has no extended key
    usage, which allows every purpose."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [purpose for oid, purpose in ((ExtendedKeyUsageOID.SERVER_AUTH, 'serverAuth'),
                                         (ExtendedKeyUsageOID.CLIENT_AUTH, 'clientAuth')) if oid not in usage]


def key_type(certificate):
    """The kind of the certificate's public key: RSA, EC, Ed25519, Ed448,
    DSA, or the library's name for another."""
    key = certificate.public_key()
    for kind, name in ((rsa.RSAPublicKey, 'RSA'), (ec.EllipticCurvePublicKey, 'EC'),
                       (ed25519.Ed25519PublicKey, 'Ed25519'), (ed448.Ed448PublicKey, 'Ed448'),
                       (dsa.DSAPublicKey, 'DSA')):
        if isinstance(key, kind):
            return name
    return type(key).__name__


def not_yet_valid(certificate, name, now):
    """The message for the certificate named name when its validity starts
    more than CLOCK_SKEW after now, else None."""
    starts = not_before(certificate)
    if starts <= now + CLOCK_SKEW:
        return None
    return NOT_YET_VALID % (name, iso(starts), int(CLOCK_SKEW.total_seconds() // 60))


PURPOSE_NAMES = {'serverAuth': 'TLS Web Server Authentication (serverAuth)',
                 'clientAuth': 'TLS Web Client Authentication (clientAuth)'}


def lacks_tls_purposes(certificate, name):
    """The message for a certificate named name whose extended key usage
    lacks serverAuth or clientAuth, else None."""
    missing = tls_purposes_missing(certificate)
    if not missing:
        return None
    return LACKS_PURPOSES % (name, ' and '.join(PURPOSE_NAMES[purpose] for purpose in missing), DOCS)


def not_rsa(certificate, name):
    """The message for an internode encryption certificate named name
    whose key is not RSA, else None."""
    kind = key_type(certificate)
    if kind == 'RSA':
        return None
    described = {'EC': 'EC (ECDSA)', 'Ed25519': 'Ed25519 (EdDSA)', 'Ed448': 'Ed448 (EdDSA)'}.get(kind, kind)
    return NOT_RSA % (name, described, DOCS)


def expires_soon(certificate, name, now):
    """The warning for a certificate named name that expires within
    EXPIRY_WARNING of now (but after it), else None."""
    left = not_after(certificate) - now
    if left > EXPIRY_WARNING or left.total_seconds() <= 0:
        return None
    days = int(left.total_seconds() // 86400)
    return EXPIRES_SOON % (name, iso(not_after(certificate)),
                           'less than a day' if days == 0 else '%d day%s' % (days, '' if days == 1 else 's'))


# Chains: each certificate signed by the next, the last one's issuer given
# or named. One check for every certificate the collection writes.

NOT_CHAINED = (
    '%s is not a chain: %s. Each certificate after the first must be the certificate of the CA that signed the one '
    'before it: the leaf first, then its intermediates, then (optionally) the root. Nothing was written.')
NOT_SIGNED = 'certificate %d (%s) did not sign certificate %d (%s), which names %s as its issuer'
SAME_NAME = ('certificate %d (%s) is named as the issuer of certificate %d, but its key did not sign it: another CA of '
             'the same name, or that CA with a new key')
ELSEWHERE = ' (certificate %d signed it: put the chain in order)'
LEAF_WITHOUT_ISSUER = (
    '%s is given without the certificate of its issuer, %s: clients that do not hold that intermediate CA cannot '
    'build a path to a CA they trust, and refuse the connection. It is installed, but give the leaf followed by its '
    'chain, the intermediate that signed it first (the docs ask for the full chain, leaf to root; the root may be '
    'left out).')
CHAIN_WITHOUT_ISSUER = (
    'The chain of %s ends with certificate %d (%s), whose issuer, %s, is not given: it is installed, and clients must '
    'hold that CA as a trusted one. The docs let the root be left out; if that CA is an intermediate one, add its '
    'certificate at the end of the chain.')
OCSP_NEEDS_ISSUER = (
    ' It names the OCSP responder %s, which OCSP stapling asks: an OCSP request names the certificate by its issuer '
    "(the hashes of the issuer's name and of its public key, RFC 6960 CertID), so the cluster needs the issuer's "
    'certificate to ask, and without it has no status to staple: clients that check the staple then refuse the '
    'handshake.')
UNCHECKED = ("The signature of certificate %d (%s) by certificate %d could not be checked: this Python's %s cannot "
             'verify %s signatures. The chain is installed as given.')


def _subject(certificate):
    return certificate.subject.rfc4514_string()


def _verify_by_key(certificate, issuer):
    """Verify certificate's signature with issuer's public key, by the kind
    of that key: cryptography before 40 has no verify_directly_issued_by.
    Raises InvalidSignature, or UnsupportedAlgorithm for what this code or
    the library cannot verify."""
    key, data, signature = issuer.public_key(), certificate.tbs_certificate_bytes, certificate.signature
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        key.verify(signature, data)
        return
    if certificate.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS:
        # Its salt length and hash are parameters that these releases do not expose.
        raise UnsupportedAlgorithm('RSASSA-PSS signatures')
    digest = certificate.signature_hash_algorithm
    if digest is None:
        # An EdDSA signature checked against a key of another kind.
        raise InvalidSignature()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), digest)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(digest))
    elif isinstance(key, dsa.DSAPublicKey):
        key.verify(signature, data, digest)
    else:
        raise UnsupportedAlgorithm('%s keys' % type(key).__name__)


def signed_by(certificate, issuer, by_key=False):
    """Whether issuer signed certificate: certificate names issuer's subject
    as its issuer, and issuer's key verifies its signature. True or False;
    None when this cryptography cannot verify that kind of signature.
    by_key: verify by the key's kind, as on cryptography before 40."""
    if certificate.issuer != issuer.subject:
        return False
    verify = None if by_key else getattr(certificate, 'verify_directly_issued_by', None)
    try:
        if verify is not None:
            verify(issuer)
        else:
            _verify_by_key(certificate, issuer)
    except InvalidSignature:
        return False
    except ValueError:
        # A signature of one kind of key, and an issuer key of another.
        return False
    except (TypeError, UnsupportedAlgorithm):
        return None
    return True


def _library():
    try:
        from cryptography import __version__  # pylint: disable=import-outside-toplevel
    except ImportError:
        return 'cryptography'
    return 'cryptography %s' % __version__


def check_chain(certificates, what, responder=None, anchor=False, by_key=False):
    """(refusal, warnings) of a chain given leaf first (parsed certificates):
    refusal, the message when a certificate is not signed by the one after
    it (each pair named by position and subject), else None; warnings, for
    a last certificate whose issuer is not given, naming it, unless it signs
    itself (a root), and unless anchor (a CA the cluster trusts as given,
    not a chain it presents). what: 'The proxy certificate', the subject of
    the messages. responder: the OCSP responder the leaf names, where OCSP
    stapling is on or about to be: a leaf without its issuer then also
    warns that the cluster cannot ask it."""
    broken, warnings = [], []
    for index, (certificate, issuer) in enumerate(zip(certificates, certificates[1:]), 1):
        signed = signed_by(certificate, issuer, by_key)
        if signed is None:
            oid = certificate.signature_algorithm_oid
            warnings.append(UNCHECKED % (index, _subject(certificate), index + 1, _library(),
                                         getattr(oid, '_name', None) or oid.dotted_string))
            continue
        if signed:
            continue
        if certificate.issuer == issuer.subject:
            said = SAME_NAME % (index + 1, _subject(issuer), index)
        else:
            said = NOT_SIGNED % (index + 1, _subject(issuer), index, _subject(certificate),
                                 certificate.issuer.rfc4514_string() or 'no name')
        found = [position for position, other in enumerate(certificates, 1)
                 if position not in (index, index + 1) and signed_by(certificate, other, by_key)]
        broken.append(said + (ELSEWHERE % found[0] if found else ''))
    if broken:
        return NOT_CHAINED % (what, '; '.join(broken)), warnings
    last = certificates[-1]
    if anchor or signed_by(last, last, by_key) is not False:
        return None, warnings
    issuer = last.issuer.rfc4514_string() or 'a CA without a name'
    if len(certificates) == 1:
        warnings.append(LEAF_WITHOUT_ISSUER % (what, issuer) + (OCSP_NEEDS_ISSUER % responder if responder else ''))
    else:
        warnings.append(CHAIN_WITHOUT_ISSUER % (what[:1].lower() + what[1:], len(certificates), _subject(last), issuer))
    return None, warnings

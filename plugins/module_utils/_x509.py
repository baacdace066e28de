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
certificate, and its OCSP responder."""

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
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import AuthorityInformationAccessOID
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


def _not_pem(text, what, kind):
    """Why text, which holds no PEM block of kind ('certificate' or 'key'),
    is not what the option takes, with the fix; None when it is not
    recognised. Never quotes text."""
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
    return None


def load_certificates(text, what):
    """(certificates, PEM) of text: its CERTIFICATE blocks parsed, the leaf
    first, and those blocks alone joined for a request body. ValueError
    with what is wrong, for what (an option or the cluster's answer)."""
    found = blocks(text, ('CERTIFICATE',))
    if not found:
        raise ValueError(_not_pem(text, what, 'certificate')
                         or '%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)' % what)
    certificates = []
    for index, block in enumerate(found):
        try:
            certificates.append(x509.load_pem_x509_certificate(block.encode('ascii')))
        except (ValueError, UnicodeError):
            raise ValueError('%s: certificate %d of %d is not a valid X.509 certificate'
                             % (what, index + 1, len(found)))
    return certificates, '\n'.join(found) + '\n'


def load_key(text, what):
    """(key, PEM) of the unencrypted private key in text, its block alone
    for a request body. ValueError with what is wrong, never quoting it."""
    if blocks(text, ('ENCRYPTED PRIVATE KEY',)) or 'Proc-Type: 4,ENCRYPTED' in (text or ''):
        raise ValueError('%s is encrypted; the cluster takes a private key without a password. Decrypt it first, '
                         'for example with "openssl pkey -in key.pem -out key-plain.pem", and keep that file in '
                         'Ansible Vault' % what)
    found = blocks(text, KEY_LABELS)
    problem = None if found else _not_pem(text, what, 'key')
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


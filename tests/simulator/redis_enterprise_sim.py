# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A simulator of the OCSP, certificate and access-control parts of the
Redis Enterprise Software REST API.

Serves the calls of ROUTES (the program's --help lists them; ?dry_run=true
where DRY_RUNS has it) over real HTTPS on loopback, as the REST API
reference describes them, with basic auth, the documented statuses and
error codes, and fault switches. It is as strict as
a cluster may be: a request must accept application/json (406), a body must
be sent as application/json (415), a PUT of /v1/ocsp resets the writable
fields its body omits to their defaults, and a certificate with text outside
its PEM blocks is refused. A fresh cluster has self-signed certificates for
every name it generates, and its OCSP responder URL is the one its proxy
certificate names (none, for a self-signed one). As a cluster needs the
certificate of the proxy certificate's issuer to build an OCSP request
(RFC 6960 CertID), POST /v1/ocsp/test answers 500 invalid_ocsp_response for
a proxy certificate installed without it, and so does GET /v1/ocsp/status
while stapling is on. It has the built-in
roles, three Redis ACLs and the users who log in (SEED_USERS: two admins, a
cluster_viewer and a user_manager), with the permissions of the permissions
reference; a user's password is never answered, and must be 8 characters
or more with a letter and a digit (see "Access control" below for the rules
of its own). One process can serve several clusters, one port each.

It also serves the LDAP configuration (GET, PUT and DELETE
/v1/cluster/ldap: a partial PUT merged, bind_pass answered masked, the
exclusive pairs refused with illegal_fields_combination) and the LDAP
mappings (GET, POST /v1/ldap_mappings; GET, PUT, DELETE
/v1/ldap_mappings/{uid}), with a user_manager user who may manage both.

And the license (GET and PUT /v1/license; see handle_license): a fresh
cluster holds one valid for a year; license_text() writes others.

And the databases (sim_databases.py): GET and POST /v1/bdbs, GET, PUT and
DELETE /v1/bdbs/{uid}, the long-running actions that create, change and
delete them (GET /v1/actions/{uid} and /v2/actions/{uid}) on the cluster's
clock, the default user's passwords and the per-database proxy
certificates. A fresh cluster has no database.

Error answers are {"error_code", "description", "status_code"}, as the
vendor's OpenAPI spec has them; the error_text switch gives the prose
pages' {"error_code", "message"} instead.

Control endpoints under /_sim/ (no auth, not counted) let tests and the demo
read and set the state of a cluster:
  GET  /_sim/state     config, status, faults, the log of API requests and the
                       violations of the declaration (with --check-contract)
  PUT  /_sim/state     {"config": {...}, "status": {...}, "faults": {...},
                       "fqdn": "..."} merged in
  POST /_sim/reset     back to a fresh cluster, log emptied

With the declaration switched on (check_contract(), or --check-contract),
every request body received and every answer of the cluster's own handling
(not those of fault switches that break answers on purpose) is checked
against plugins/module_utils/_contract.py, and each violation recorded on
the cluster (violations) and for the process (take_violations()). Off, the
simulator imports nothing of the checker or of jsonschema.

A Simulator's cluster can go down and come back on the same port
(take_down(index), bring_up(index)), as the event source's tests need.

Each port presents its cluster's api certificate (Certificates,
SimServer): on a fresh cluster one that the Simulator's CA issued, whose
ca.pem verifies it; an api certificate written is the one the connections
opened after it meet, as a rotation on a cluster does.

Run it as a program (`make simulator` does, on port 9443) to serve until
interrupted; --help says what it serves, its logins and passwords, and how
to get a license it accepts:
  python redis_enterprise_sim.py --cert-dir DIR [--port 9443] [--clusters N]
      [--responder-url http://ocsp.example.test] [--ready-file FILE] [--check-contract]
It writes DIR/license.txt, a license it accepts, and prints the shell lines
that point the collection at the first cluster, with absolute paths, its
logins and the license's path. It starts only where no other simulator
serves from DIR and nothing listens on its ports, so the CA of a running
one is never overwritten.

ConnectProxy is a proxy on loopback, http:// or https://, that opens CONNECT
tunnels and forwards plain http requests, optionally asking for credentials
(407) or refusing everything (403), and logs what it was asked, for the
tests of the proxy support.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import functools
import hashlib
import http.client
import json
import os
import select
import signal
import socket
import ssl
import sys
import tempfile
import textwrap
import threading
import time
import ipaddress
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

import sim_databases

ADMIN_USER = 'admin@example.com'
ADMIN_PASSWORD = 'Adm1n-S3cret-Pa55-7f3e'
# An admin whose name and password are not Latin-1: sent as UTF-8 (RFC 7617).
UTF8_ADMIN_USER = 'jörg.администратор@example.com'
UTF8_ADMIN_PASSWORD = 'Pässwörd€-Пароль-9d2c'
VIEWER_USER = 'viewer@example.com'
VIEWER_PASSWORD = 'V1ewer-S3cret-Pa55-91ab'
# A user of the built-in user_manager role: users, roles and Redis ACLs, no OCSP.
USER_MANAGER_USER = 'usermanager@example.com'
USER_MANAGER_PASSWORD = 'Us3r-Manag3r-Pa55-5c1d'
# A user of the directory, not of the cluster: it logs in through LDAP, while the LDAP configuration has
# control_plane on, with the roles of the LDAP mappings of its groups.
LDAP_USER = 'ldap.operator@example.com'
LDAP_PASSWORD = 'Ld4p-Op3rator-Pa55-2b8e'
LDAP_GROUP = 'cn=Operators,ou=groups,dc=example,dc=test'
# email -> (password, the DNs of its groups)
DIRECTORY_USERS = {LDAP_USER: (LDAP_PASSWORD, (LDAP_GROUP,))}
RESPONDER_URL = 'http://ocsp.example.test'
# A simulated cluster's FQDN (GET /v1/cluster answers it as name), and the names the docs ask a certificate
# of the cluster to carry for it; the test certificates carry them, and loopback's.
FQDN = 'cluster.example.test'
DEFAULT_SANS = (FQDN, '*.' + FQDN, 'internal.' + FQDN, '*.internal.' + FQDN, '127.0.0.1', 'localhost')
# The longest a hang_next holds a connection when the simulator is not stopped.
HANG_LIMIT = 600

CERTIFICATES_PATH = '/v1/cluster/certificates'
UPDATE_CERT_PATH = '/v1/cluster/update_cert'
CERTIFICATE_PATH = '/v1/cluster/certificates/{name}'
CLUSTER_PATH = '/v1/cluster'
USERS_PATH = '/v1/users'
USER_PATH = '/v1/users/{uid}'
OWN_ROLE_PATH = '/v1/users/role'
ROLES_PATH = '/v1/roles'
ROLE_PATH = '/v1/roles/{uid}'
ACLS_PATH = '/v1/redis_acls'
ACL_PATH = '/v1/redis_acls/{uid}'
LICENSE_PATH = '/v1/license'
# (method, path or template) -> the permission the call needs: the
# declaration's (tests/unit/test_simulator.py holds the two equal).
ROUTES = {
    ('GET', '/v1/ocsp'): 'view_ocsp_config',
    ('PUT', '/v1/ocsp'): 'config_ocsp',
    ('GET', '/v1/ocsp/status'): 'view_ocsp_status',
    ('POST', '/v1/ocsp/test'): 'test_ocsp_status',
    ('GET', CERTIFICATES_PATH): 'view_cluster_info',
    ('PUT', CERTIFICATES_PATH): 'update_cluster',
    ('PUT', UPDATE_CERT_PATH): 'update_cluster',
    ('DELETE', CERTIFICATE_PATH): 'update_cluster',
    ('GET', CLUSTER_PATH): 'view_cluster_info',
    ('GET', USERS_PATH): 'view_all_users_info',
    # Any user may ask its own management role.
    ('GET', OWN_ROLE_PATH): None,
    ('POST', USERS_PATH): 'create_new_user',
    ('GET', USER_PATH): 'view_user_info',
    ('PUT', USER_PATH): 'update_user',
    ('DELETE', USER_PATH): 'delete_user',
    ('GET', ROLES_PATH): 'view_all_roles_info',
    ('POST', ROLES_PATH): 'create_role',
    ('GET', ROLE_PATH): 'view_role_info',
    ('PUT', ROLE_PATH): 'update_role',
    ('DELETE', ROLE_PATH): 'delete_role',
    ('GET', ACLS_PATH): 'view_all_redis_acls_info',
    ('POST', ACLS_PATH): 'create_redis_acl',
    ('GET', ACL_PATH): 'view_redis_acl_info',
    ('PUT', ACL_PATH): 'update_redis_acl',
    ('DELETE', ACL_PATH): 'delete_redis_acl',
    ('GET', LICENSE_PATH): 'view_license',
    ('PUT', LICENSE_PATH): 'install_new_license',
}
# The calls that take ?dry_run: validate, answer what they would, change nothing.
DRY_RUNS = {('POST', USERS_PATH), ('PUT', USER_PATH), ('POST', ROLES_PATH), ('PUT', ROLE_PATH), ('DELETE', ROLE_PATH),
            ('POST', ACLS_PATH), ('PUT', ACL_PATH)}

# The permissions of each management role, after the permissions reference:
# admin holds every one; user_manager those of users, roles and Redis ACLs
# and the views of cluster_viewer, no OCSP; every role but none may read
# the roles and the Redis ACLs. Reading the certificates takes
# view_cluster_info, which the viewers hold too.
_READ_ACCESS = {'view_all_roles_info', 'view_role_info', 'view_all_redis_acls_info', 'view_redis_acl_info'}
ROLE_PERMISSIONS = {
    'admin': set(ROUTES.values()) - {None},
    'user_manager': {'view_all_users_info', 'view_user_info', 'create_new_user', 'update_user', 'delete_user',
                     'create_role', 'update_role', 'delete_role', 'create_redis_acl', 'update_redis_acl',
                     'delete_redis_acl', 'view_cluster_info'} | _READ_ACCESS,
    'cluster_viewer': {'view_cluster_info'} | _READ_ACCESS,
    'cluster_member': {'view_cluster_info'} | _READ_ACCESS,
    'db_viewer': set(_READ_ACCESS),
    'db_member': set(_READ_ACCESS),
    'none': set(),
}
# The management roles, from the least to the most they allow.
MANAGEMENT = ('none', 'db_viewer', 'cluster_viewer', 'db_member', 'cluster_member', 'user_manager', 'admin')

# A fresh cluster's roles, uid, name and management, which no call changes
# or removes (406 builtin_role), and its Redis ACLs.
BUILTIN_ROLES = ((1, 'Admin', 'admin'), (2, 'Cluster Member', 'cluster_member'), (3, 'Cluster Viewer', 'cluster_viewer'),
                 (4, 'DB Member', 'db_member'), (5, 'DB Viewer', 'db_viewer'), (6, 'User Manager', 'user_manager'))
BUILTIN_ACLS = ((1, 'Full Access', '+@all ~*'), (2, 'Not Dangerous', '+@all -@dangerous ~*'),
                (3, 'Read Only', '+@read ~*'))
# A fresh cluster's users: (uid, email, name, password, role uid). They are
# the ones who may log in, with the permissions of their roles.
SEED_USERS = ((1, ADMIN_USER, 'Admin', ADMIN_PASSWORD, 1),
              (2, UTF8_ADMIN_USER, 'Joerg Admin', UTF8_ADMIN_PASSWORD, 1),
              (3, VIEWER_USER, 'Viewer', VIEWER_PASSWORD, 3),
              (4, USER_MANAGER_USER, 'User Manager', USER_MANAGER_PASSWORD, 6))

# LDAP: the configuration (/v1/cluster/ldap) and the LDAP mappings. A
# user_manager may manage both, as the permissions reference has it; the
# admin role holds every permission.
LDAP_PATH = '/v1/cluster/ldap'
LDAP_MAPPINGS_PATH = '/v1/ldap_mappings'
LDAP_MAPPING_PATH = '/v1/ldap_mappings/{uid}'
LDAP_ROUTES = {
    ('GET', LDAP_PATH): 'view_ldap_config',
    ('PUT', LDAP_PATH): 'config_ldap',
    ('DELETE', LDAP_PATH): 'config_ldap',
    ('GET', LDAP_MAPPINGS_PATH): 'view_all_ldap_mappings_info',
    ('POST', LDAP_MAPPINGS_PATH): 'create_ldap_mapping',
    ('GET', LDAP_MAPPING_PATH): 'view_ldap_mapping_info',
    ('PUT', LDAP_MAPPING_PATH): 'update_ldap_mapping',
    ('DELETE', LDAP_MAPPING_PATH): 'delete_ldap_mapping',
}
ROUTES.update(LDAP_ROUTES)
# The permissions reference's user_manager: no view_ldap_mapping_info among
# them, so GET /v1/ldap_mappings/{uid} is refused it where the list is not.
USER_MANAGER_PERMISSIONS = {
    'config_ldap', 'create_ldap_mapping', 'create_new_user', 'create_role', 'create_redis_acl',
    'delete_ldap_mapping', 'delete_redis_acl', 'delete_role', 'delete_user', 'install_new_license',
    'update_ldap_mapping', 'update_proxy', 'update_role', 'update_redis_acl', 'update_user',
    'view_all_ldap_mappings_info', 'view_all_users_info', 'view_ldap_config', 'view_license', 'view_user_info',
} | ROLE_PERMISSIONS['cluster_viewer']
ROLE_PERMISSIONS['admin'] |= set(LDAP_ROUTES.values())
ROLE_PERMISSIONS['user_manager'] |= USER_MANAGER_PERMISSIONS
ROUTES.update(sim_databases.ROUTES)
DRY_RUNS |= sim_databases.DRY_RUNS
for _role in sim_databases.VIEWERS:
    ROLE_PERMISSIONS[_role] |= sim_databases.VIEWS | (sim_databases.WRITES if _role in sim_databases.WRITERS else set())

# The certificates a cluster generates, then the optional ones.
GENERATED_NAMES = ('api', 'cm', 'proxy', 'syncer', 'metrics_exporter', 'ccs_internode_encryption',
                   'data_internode_encryption')
CERTIFICATE_NAMES = GENERATED_NAMES + ('ldap_client', 'mtls_trusted_ca', 'sso_service', 'sso_issuer')
# A CA and an identity provider's certificate: the cluster holds no key for them.
KEYLESS_NAMES = ('mtls_trusted_ca', 'sso_issuer')

# The request headers each log entry keeps.
WIRE_HEADERS = ('Accept', 'Content-Type', 'User-Agent')

DEFAULT_CONFIG = {
    'ocsp_functionality': False,
    'query_frequency': 3600,
    'response_timeout': 1,
    'recovery_frequency': 60,
    'recovery_max_tries': 5,
}
RANGES = {
    'query_frequency': (60, 86400),
    'response_timeout': (1, 60),
    'recovery_frequency': (60, 86400),
    'recovery_max_tries': (1, 100),
}

DEFAULT_FAULTS = {
    # 406 ocsp_unsupported_by_capability on every OCSP call.
    'capability_406': False,
    # The next `count` API calls answer `status` (503: node not responding).
    'fail_next': {'count': 0, 'status': 503},
    # Seconds to wait before answering each API call.
    'delay': 0,
    # The next `count` API calls (of `method`, or any) close the connection
    # without an answer; for a write (PUT, POST, DELETE), `applied` says
    # whether it took effect.
    'drop_next': {'count': 0, 'method': None, 'applied': False},
    # The next `count` API calls answer 200 with an HTML page.
    'non_json_next': 0,
    # The next `count` API calls (of `method` and `path`, or any) answer this raw body and status instead.
    # Also: extra `headers` (a redirect's Location); the body sent `repeat` times (a huge
    # answer); a `length` announced larger than the body, the connection closed after it.
    'raw_next': {'count': 0, 'method': None, 'path': None, 'status': 200, 'body': '',
                 'content_type': 'application/json', 'headers': {}, 'repeat': 1, 'length': None},
    # The next `count` connections (stage 'handshake': before the TLS handshake) or API calls
    # (stage 'request': once the request is read) are accepted and never answered, until the
    # simulator stops.
    'hang_next': {'count': 0, 'stage': 'request'},
    # The next `count` API calls (of `method`, or any) are answered, then their kept-alive
    # connection is closed without notice, as a proxy's idle timeout does; their log entry
    # then holds closed=True.
    'close_after_next': {'count': 0, 'method': None},
    # PUT resets the writable fields its body omits to their defaults, as the
    # API reference warns a cluster may: on, so every test meets that cluster.
    'reset_omitted': True,
    # POST /v1/ocsp/test answers 500 with this error_code (task_queued_for_too_long, invalid_ocsp_response).
    'test_error': None,
    # Seconds POST /v1/ocsp/test takes, as the cluster's queue and a slow responder make it.
    'test_delay': 0,
    # GET /v1/ocsp/status answers 500 invalid_ocsp_response.
    'status_error': None,
    # A cluster older than 7.22.2: no PUT /v1/cluster/certificates (405), only PUT /v1/cluster/update_cert.
    'legacy_certificates': False,
    # The next `count` certificate writes answer 409 (not all nodes were updated); `applied`
    # says whether the write took effect all the same.
    'cert_conflict': {'count': 0, 'applied': False},
    # A certificate written with its chain is stored as the leaf alone.
    'store_leaf_only': False,
    # A PUT /v1/license refused (400, 406) leaves the cluster without a license, as the docs warn
    # ("the cluster behaves as if the license was deleted"); off, it keeps the one it had.
    'license_refusal_drops': False,
    # PUT /v1/license answers 200 and keeps the license the cluster had.
    'license_not_applied': False,
    # PUT /v1/license installs a license it would refuse with 406 (another cluster's, or one allowing fewer shards
    # than the cluster uses), and GET answers it expired: true: a cluster that finds it not valid once it holds it.
    'license_unchecked': False,
    # None, or a number n: once n more PUTs of /v1/license were taken, the next ones are refused (406).
    'license_puts_refused_after': None,
    # A certificate write answers 200 with no body ('empty', as the docs show none) or a JSON object.
    'write_answer': 'empty',
    # The responder's GOOD answer is out of date: its next_update is in the past.
    'responder_stale': False,
    # What DELETE /v1/cluster/certificates/{name} answers for an optional certificate that is not
    # installed: 404 or 200 (undocumented; the docs give 404 for an unknown name).
    'delete_absent_answer': 404,
    # The field of an error answer that holds its text: 'description' (with status_code), as the
    # vendor's OpenAPI spec has it, or 'message', as the prose pages of the API reference have it.
    'error_text': 'description',
    # The state a test set breaks the declaration of the API on purpose (numbers as text, a null,
    # fields it does not have, as some clusters and proxies answer): the answers are not checked
    # against it; the requests still are.
    'off_contract': False,
    # Seconds a certificate write takes before it answers (the spec allows it 900), the
    # certificate installed once they have passed.
    'write_delay': 0,
}

DEFAULT_FAULTS.update(sim_databases.FAULTS)
DEFAULT_FAULTS.update({
    # How GET /v1/cluster/ldap answers a field that is not set (never configured, cleared with an empty value,
    # or after DELETE): 'absent', left out, or 'empty', as '' (a string), [] (uris) or {} (a query).
    'ldap_unset': 'absent',
    # The users are answered with their role uids as text (["1"]), as some clusters and proxies answer numbers;
    # the answers are then not checked against the declaration.
    'uids_as_text': False,
})

# The declaration requests and answers are checked against: a Checker of
# tests/contract/checker.py once check_contract() switched it on; None,
# nothing is checked (and jsonschema, which the checker needs, not imported).
CONTRACT = None
# The violations of every cluster of this process, until take_violations().
_VIOLATIONS = []
_VIOLATIONS_LOCK = threading.Lock()


def check_contract(checker):
    """Check every request and answer of every cluster with checker (a
    tests/contract/checker.Checker), or nothing with None."""
    global CONTRACT  # pylint: disable=global-statement
    CONTRACT = checker


def take_violations():
    """The violations recorded since the last call, in order; forgotten."""
    with _VIOLATIONS_LOCK:
        found = list(_VIOLATIONS)
        del _VIOLATIONS[:]
    return found


def http_date(when):
    return when.strftime('%a, %d %b %Y %H:%M:%S GMT')


def fresh_status(cert_status='GOOD', responder_url=RESPONDER_URL, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return {
        'cert_status': cert_status,
        'responder_url': responder_url,
        'produced_at': http_date(now),
        'this_update': http_date(now),
        'next_update': http_date(now + datetime.timedelta(days=1)),
        'revocation_time': http_date(now - datetime.timedelta(days=3)) if cert_status == 'REVOKED' else '',
    }


# Test certificates, made with cryptography: EC P-256 keys, which take a
# fraction of a millisecond where RSA takes tens.

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


def cert_pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode('ascii')


def make_certificate(common_name, key, issuer=None, ocsp_url=None, days=365, not_before=None, ca=False,
                     sans=DEFAULT_SANS, eku=None):
    """A certificate of key, signed by issuer (certificate, key) or by key
    itself, naming ocsp_url as its OCSP responder when given; with an
    extended key usage of the OIDs eku when given (none by default, which
    allows every purpose)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'redis.enterprise simulator')])
    issuer_name, signer = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    start = not_before or utc_now() - datetime.timedelta(hours=1)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        names = []
        for name in sans:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                names.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if ocsp_url:
        builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))]), critical=False)
    return builder.sign(signer, hashes.SHA256())


class Pki:
    """A CA that issues certificates naming its OCSP responder: what the
    tests install on a simulated cluster (leaves, chains, expired ones)."""

    def __init__(self, ocsp_url=RESPONDER_URL, name='redis.enterprise test CA', issuer=None):
        self.key = new_key()
        self.ocsp_url = ocsp_url
        # An intermediate CA when issuer (a Pki) signs it.
        self.certificate = make_certificate(name, self.key, issuer=(issuer.certificate, issuer.key) if issuer
                                            else None, days=3650, ca=True)
        self.chain = [cert_pem(self.certificate)] + (issuer.chain if issuer else [])

    @property
    def ca_pem(self):
        return cert_pem(self.certificate)

    def issue(self, common_name='proxy.cluster.example.test', ocsp_url=True, days=365, not_before=None, key=None,
              **options):
        """(certificate PEM, key PEM) of a leaf this CA signs; ocsp_url True
        names the CA's responder, None names none; options: make_certificate's
        sans and eku."""
        key = key or new_key()
        url = self.ocsp_url if ocsp_url is True else ocsp_url
        leaf = make_certificate(common_name, key, issuer=(self.certificate, self.key), ocsp_url=url, days=days,
                                not_before=not_before, **options)
        return cert_pem(leaf), key_pem(key)

    def expired(self, common_name='expired.cluster.example.test'):
        return self.issue(common_name, days=30, not_before=utc_now() - datetime.timedelta(days=60))


def self_signed(common_name):
    """(certificate PEM, key PEM) as a fresh cluster generates them."""
    key = new_key()
    return cert_pem(make_certificate(common_name, key)), key_pem(key)


PEM_BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----\s.*?-----END \1-----', re.S)


def ocsp_url_of(text):
    """The OCSP responder the first certificate of text names, or ''."""
    certificate = x509.load_pem_x509_certificate(PEM_BLOCK.search(text).group(0).encode())
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return ''
    return next((d.access_location.value for d in access if d.access_method == AuthorityInformationAccessOID.OCSP), '')


def issuer_missing(text):
    """The issuer of the first certificate of text, as an RFC 4514 name,
    when no certificate of text signed it (it signs itself, or one after
    it did), else None. An OCSP request names a certificate by its issuer's
    name and key (RFC 6960 CertID): without that certificate, the cluster
    cannot ask the responder."""
    try:
        certificates = x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        # Not a certificate a test would staple: the other checks say what it is.
        return None
    leaf = certificates[0]
    for issuer in certificates:
        try:
            leaf.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return None
    return leaf.issuer.rfc4514_string()


_FRESH = {}
_FRESH_LOCK = threading.Lock()


def fresh_certificates(responder_url):
    """A fresh cluster's certificates, {name: {'cert': PEM, 'key': PEM}}:
    self-signed, but for a proxy certificate from a CA naming responder_url
    when one is given. Made once per process and responder URL."""
    with _FRESH_LOCK:
        if responder_url not in _FRESH:
            found = dict((name, self_signed('%s.cluster.example.test' % name)) for name in GENERATED_NAMES)
            if responder_url:
                # With its CA's certificate, which the cluster's OCSP requests need.
                ca = Pki(responder_url, name='redis.enterprise simulator proxy CA')
                cert, key = ca.issue()
                found['proxy'] = (cert + ca.ca_pem, key)
            _FRESH[responder_url] = dict((name, {'cert': cert, 'key': key}) for name, (cert, key) in found.items())
        return copy.deepcopy(_FRESH[responder_url])


class Cluster:
    """The state of one simulated cluster. responder_url: the OCSP responder
    its proxy certificate names when fresh (none: self-signed, as a fresh
    cluster's are)."""

    def __init__(self, name='cluster', responder_url=''):
        self.name = name
        self.lock = threading.Lock()
        self._responder_url = responder_url
        self.reset()

    def reset(self):
        with self.lock:
            self.fqdn = FQDN
            self.certificates = fresh_certificates(self._responder_url)
            # As on a cluster: the responder URL is the proxy certificate's.
            self.config = dict(DEFAULT_CONFIG, responder_url=ocsp_url_of(self.certificates['proxy']['cert']))
            self.faults = copy.deepcopy(DEFAULT_FAULTS)
            # What the responder would answer to POST /v1/ocsp/test.
            self.responder_cert_status = 'GOOD'
            # The last cached status; empty until a status was fetched.
            self.status = {'cert_status': '', 'responder_url': self._responder_url, 'produced_at': '',
                           'this_update': '', 'next_update': '', 'revocation_time': ''}
            self.log = []
            self.directory = Directory()
            # What broke the declaration: {'cluster', 'kind' (request or
            # answer), 'method', 'path', 'status', 'error'}.
            self.violations = []
            # Access control, by uid: the users (each with the password it
            # logs in with, never answered), the roles and the Redis ACLs.
            issued = http_iso(utc_now() - datetime.timedelta(days=30))
            self.users = dict((uid, {'uid': uid, 'email': email, 'name': name, 'password': password,
                                     'role_uids': [role], 'auth_method': 'regular', 'status': 'active',
                                     'email_alerts': True, 'cluster_email_alerts': False, 'bdbs_email_alerts': [],
                                     'password_issue_date': issued})
                              for uid, email, name, password, role in SEED_USERS)
            self.roles = dict((uid, {'uid': uid, 'name': name, 'management': management})
                              for uid, name, management in BUILTIN_ROLES)
            self.acls = dict((uid, {'uid': uid, 'name': name, 'acl': acl, 'min_version': '6.0'})
                             for uid, name, acl in BUILTIN_ACLS)
            # The installed license's text, or None (GET /v1/license: 404).
            self.license = license_text()
            self.clock = sim_databases.Clock()
            self.databases = sim_databases.Databases()
            # The texts PUT /v1/license installed, in order.
            self.licenses_installed = []

    def snapshot(self):
        with self.lock:
            return {'name': self.name, 'fqdn': self.fqdn, 'config': copy.deepcopy(self.config),
                    'status': dict(self.status), 'certificates': copy.deepcopy(self.certificates),
                    'faults': copy.deepcopy(self.faults), 'responder_cert_status': self.responder_cert_status,
                    'requests': list(self.log), 'violations': list(self.violations),
                    'users': [user_answer(self, user) for user in self.users.values()],
                    'roles': copy.deepcopy(list(self.roles.values())),
                    'redis_acls': copy.deepcopy(list(self.acls.values())),
                    'ldap': self.directory.snapshot(),
                    'license': license_facts(self.license) if self.license else None,
                    **sim_databases.snapshot(self)}

    def update(self, changes):
        """Merge changes in: config, status, faults, responder_cert_status,
        fqdn, and certificates ({name: {'cert': PEM, 'key': PEM}}, or None
        to take one away), which set the responder URL as installing them
        would."""
        with self.lock:
            if 'fqdn' in changes:
                self.fqdn = changes['fqdn']
            for name, pair in changes.get('certificates', {}).items():
                if pair is None:
                    self.certificates.pop(name, None)
                else:
                    self._install(name, pair['cert'], pair.get('key'))
            self.config.update(changes.get('config', {}))
            self.status.update(changes.get('status', {}))
            for key, value in changes.get('faults', {}).items():
                if isinstance(value, dict) and isinstance(self.faults.get(key), dict):
                    self.faults[key].update(value)
                else:
                    self.faults[key] = value
            if 'responder_cert_status' in changes:
                self.responder_cert_status = changes['responder_cert_status']
            if 'license' in changes:
                # A license's text, or a dict of license_text()'s arguments, or None: none installed.
                found = changes['license']
                self.license = license_text(**found) if isinstance(found, dict) else found
            self.directory.update(changes.get('ldap', {}))
            sim_databases.update(self, changes)

    def _install(self, name, cert, key):
        self.certificates[name] = {'cert': cert, 'key': key}
        if name == 'proxy':
            self.config['responder_url'] = ocsp_url_of(cert)

    def calls(self, query=False):
        """The API calls seen, as (method, path) pairs in order; with query,
        the path with its query string (?dry_run=true) when it had one."""
        with self.lock:
            return [(r['method'], r['path'] + ('?' + r['query'] if query and r.get('query') else ''))
                    for r in self.log]

    def writes(self):
        """The API calls seen that are no GET, with their query strings."""
        return [call for call in self.calls(query=True) if call[0] != 'GET']

    def user(self, email):
        """The user of an email address, as the cluster keeps it (password
        included), or None."""
        with self.lock:
            return next((copy.deepcopy(user) for user in self.users.values() if user['email'] == email), None)

    def role(self, name):
        with self.lock:
            return next((dict(role) for role in self.roles.values() if role['name'] == name), None)

    def acl(self, name):
        with self.lock:
            return next((dict(acl) for acl in self.acls.values() if acl['name'] == name), None)

    def bdb(self, name):
        """The first database of that name, as the cluster keeps it (secrets
        included), or None."""
        return next((bdb for bdb in self.bdbs() if bdb['name'] == name), None)

    def bdbs(self):
        """The databases as the cluster keeps them, by uid, brought up to
        the clock's now."""
        with self.lock:
            self.databases.advance(self.clock.time(), self.faults)
            return [copy.deepcopy(self.databases.bdbs[uid]) for uid in sorted(self.databases.bdbs)]

    def bdb_passwords(self, uid):
        """The default user's passwords of a database, which no answer holds."""
        with self.lock:
            return list(self.databases.passwords.get(uid, []))

    def login(self, email, password):
        """The management roles of the user that email and password log in
        as, or None: a user of the cluster, else one of the directory
        (DIRECTORY_USERS), through LDAP while control_plane is on, with the
        roles the LDAP mappings of its groups give (none: no login)."""
        with self.lock:
            user = next((user for user in self.users.values() if user['email'] == email), None)
            if user is not None:
                return managements(self, user['role_uids']) if user.get('password') == password else None
            known = DIRECTORY_USERS.get(email)
            config = self.directory.config
            if known is None or known[0] != password or not (config.get('uris') and config.get('control_plane')):
                return None
            groups = set(group.casefold() for group in known[1])
            role_uids = [uid for mapping in self.directory.mappings.values()
                         if str(mapping.get('dn', '')).casefold() in groups for uid in mapping.get('role_uids', [])]
            return managements(self, role_uids) or None

    def count(self, method=None, path=None):
        with self.lock:
            return sum(1 for r in self.log
                       if (method is None or r['method'] == method) and (path is None or r['path'] == path))

    def check_request(self, method, path, body, parsed=True, query=None):
        """Check a request body received (None: none) and its query
        parameters (as parse_qs gives them) against the declaration, when it
        is switched on."""
        checker = CONTRACT
        if checker is None:
            return
        errors = checker.request(method, path, body, query or {}) if parsed else [
            'the request body of %s %s is not JSON: send the body as JSON.' % (method, path)]
        self._violated('request', method, path, None, errors)

    def check_answer(self, method, path, status, payload):
        """Check an answer (payload None: no body) against the declaration,
        when it is switched on."""
        checker = CONTRACT
        if checker is not None:
            self._violated('answer', method, path, status, checker.answer(method, path, status, payload))

    def _violated(self, kind, method, path, status, errors):
        for error in errors:
            violation = {'cluster': self.name, 'kind': kind, 'method': method, 'path': path, 'status': status,
                         'error': error}
            with self.lock:
                self.violations.append(violation)
            with _VIOLATIONS_LOCK:
                _VIOLATIONS.append(violation)


def _error(status, code, description):
    """An error answer, as the vendor's OpenAPI spec gives the error object."""
    return status, {'error_code': code, 'description': description, 'status_code': status}


def _worded(status, payload, error_text):
    """An error answer with its text under the field the error_text switch
    names: 'message' is what the prose pages of the API reference show."""
    if status >= 400 and error_text == 'message' and isinstance(payload, dict) and 'description' in payload:
        return {'error_code': payload.get('error_code'), 'message': payload['description']}
    return payload


def _matches(template, path):
    """Whether path is template, its {placeholders} one path segment each."""
    parts = re.split(r'\{[^/{}]+\}', template)
    return re.match('^%s$' % '[^/]+'.join(re.escape(part) for part in parts), path) is not None


def _route(method, path):
    """The (method, path or template) of ROUTES a call is, or None; and
    whether another method is served on that path (405 rather than 404)."""
    matches = [key for key in ROUTES if _matches(key[1], path)]
    # A path itself before a template it also matches (/v1/users/role, /v1/users/{uid}).
    found = sorted((key for key in matches if key[0] == method), key=lambda key: key[1] != path)
    return (found[0] if found else None), bool(matches)


def _off_contract(faults, method, path):
    """Whether a fault switch makes the cluster's answer to this call break
    the declaration on purpose: those answers are the tests' own."""
    if faults['off_contract'] or faults['uids_as_text'] or sim_databases.off_contract(faults, path):
        return True
    return faults['write_answer'] != 'empty' and method == 'PUT' and path in (CERTIFICATES_PATH, UPDATE_CERT_PATH)


def _media_type(value):
    return (value or '').split(';', 1)[0].strip().lower()


def _accepts_json(accept):
    """Whether an Accept header admits application/json; the API answers
    nothing else, so a request without one is refused too."""
    ranges = [_media_type(item) for item in (accept or '').split(',')]
    return bool({'application/json', 'application/*', '*/*'} & set(ranges))


def _validate_put(body):
    """Validate a PUT /v1/ocsp body as the cluster does: 400 invalid_schema."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object'
    for key, value in body.items():
        if key == 'ocsp_functionality':
            if not isinstance(value, bool):
                return 'ocsp_functionality must be a boolean'
        elif key in RANGES:
            low, high = RANGES[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                return '%s must be an integer between %d and %d' % (key, low, high)
        elif key == 'responder_url':
            return 'responder_url is read-only'
        else:
            return 'unknown field %s' % key
    return None


def _only_pem(text):
    """Whether text holds PEM blocks and nothing else but white space."""
    return isinstance(text, str) and bool(PEM_BLOCK.search(text)) and not PEM_BLOCK.sub('', text).strip()


def _check_certificate(item, legacy):
    """Validate one certificate to write as the cluster does: (status,
    error) when it is refused, else None. Every one is checked before any
    is applied."""
    keyless = isinstance(item, dict) and item.get('name') in KEYLESS_NAMES
    fields = {'name', 'certificate'} if keyless else {'name', 'certificate', 'key'}
    if not isinstance(item, dict) or set(item) != fields:
        return _error(400, 'invalid_schema', 'a certificate is {"name", "certificate", "key"}, without "key" for '
                      '%s' % ' and '.join(KEYLESS_NAMES))
    if item['name'] not in CERTIFICATE_NAMES:
        return _error(403, 'unknown_certificate_name', 'Unknown certificate name %s' % item['name'])
    if not (_only_pem(item['certificate']) and (keyless or _only_pem(item['key']))):
        return _error(400, 'invalid_certificate', 'Only PEM blocks belong in a certificate or key')
    try:
        certificates = x509.load_pem_x509_certificates(item['certificate'].encode())
        key = None if keyless else serialization.load_pem_private_key(item['key'].encode(), password=None)
    except (ValueError, TypeError):
        return _error(400, 'invalid_certificate', 'The certificate or key cannot be read')
    der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key and key.public_key().public_bytes(*der) != certificates[0].public_key().public_bytes(*der):
        # update_cert has a 404 "invalid" of its own.
        return _error(404 if legacy else 400, 'invalid_certificate', 'The key does not match the certificate')
    if certificates[0].not_valid_after_utc <= datetime.datetime.now(datetime.timezone.utc):
        return _error(406, 'certificate_expired', 'The certificate has expired')
    return None


def _write_certificates(cluster, items, legacy):
    refused = [problem for problem in (_check_certificate(item, legacy) for item in items) if problem]
    if refused:
        return refused[0]
    if cluster.faults['write_delay']:
        # Outside the lock, as the cluster keeps serving meanwhile.
        cluster.lock.release()
        try:
            time.sleep(cluster.faults['write_delay'])
        finally:
            cluster.lock.acquire()
    conflict = cluster.faults['cert_conflict']
    conflicting = conflict['count'] > 0
    if conflicting:
        conflict['count'] -= 1
    if not conflicting or conflict['applied']:
        for item in items:
            text = item['certificate']
            if cluster.faults['store_leaf_only']:
                text = PEM_BLOCK.search(text).group(0) + '\n'
            cluster._install(item['name'], text, item.get('key'))  # pylint: disable=protected-access
    if conflicting:
        return _error(409, 'nodes_not_updated', 'Not all nodes were updated')
    if cluster.faults['write_answer'] == 'json':
        return 200, {'certificates': [item['name'] for item in items]}
    return 200, None


def _delete_certificate(cluster, name):
    """DELETE /v1/cluster/certificates/{name}: only an optional certificate
    goes. The docs give no error codes for it; these are the simulator's."""
    if name in GENERATED_NAMES:
        return _error(403, 'certificate_required', 'The %s certificate is generated by the cluster and cannot be '
                      'deleted' % name)
    if name not in CERTIFICATE_NAMES:
        return _error(404, 'unknown_certificate_name', 'Unknown certificate name %s' % name)
    if name not in cluster.certificates:
        if cluster.faults['delete_absent_answer'] == 200:
            return 200, None
        return _error(404, 'certificate_not_found', 'No %s certificate is installed' % name)
    del cluster.certificates[name]
    return 200, None


# LDAP: GET, PUT and DELETE /v1/cluster/ldap, and the LDAP mappings. --------

# What GET answers for bind_pass once one is set: never the password.
BIND_PASS_MASK = '********'
# A fresh cluster's configuration, and what DELETE leaves: the defaults of
# the fields that have one, no uris, both planes off.
DEFAULT_LDAP = {'control_plane': False, 'data_plane': False, 'starttls': False, 'cba': False, 'cache_ttl': 300,
                'directory_timeout_s': 5}
LDAP_BOOLEANS = ('control_plane', 'data_plane', 'starttls', 'cba')
LDAP_STRINGS = ('bind_dn', 'bind_pass', 'ca_cert', 'user_dn_template', 'dn_group_attr', 'cba_identity_oid')
LDAP_QUERIES = ('user_dn_query', 'dn_group_query')
# field -> (lowest, highest or None)
LDAP_RANGES = {'cache_ttl': (0, None), 'directory_timeout_s': (5, 60)}
LDAP_FIELDS = set(LDAP_BOOLEANS + LDAP_STRINGS + LDAP_QUERIES) | set(LDAP_RANGES) | {'uris', 'cba_identity_source'}
# Each pair: one of the two, never both.
LDAP_EXCLUSIVE = (('user_dn_template', 'user_dn_query'), ('dn_group_attr', 'dn_group_query'))
LDAP_URI = re.compile(r'(ldap|ldaps)://([A-Za-z0-9.%-]+|\[[0-9A-Fa-f:%]+\]):([0-9]{1,5})')


def _ldap_unset(value):
    """Whether a value of the configuration is none: empty, or null."""
    return value in (None, '', [], {})


def _ldap_problem(body):
    """Why the cluster refuses a PUT /v1/cluster/ldap body (400
    invalid_schema), or None. Each field is checked as sent: a partial body
    is merged into the configuration after."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object'
    for key, value in body.items():
        if key not in LDAP_FIELDS:
            return 'unknown field %s' % key
        if key in LDAP_BOOLEANS and not isinstance(value, bool):
            return '%s must be a boolean' % key
        if key in LDAP_STRINGS and not isinstance(value, str):
            return '%s must be a string' % key
        if key in LDAP_RANGES:
            low, high = LDAP_RANGES[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
                return '%s must be an integer of at least %d%s' % (key, low, ' and at most %d' % high if high else '')
        if key == 'cba_identity_source' and value not in ('subject_cn', 'subject_oid'):
            return 'cba_identity_source must be subject_cn or subject_oid'
        if key == 'uris':
            if not isinstance(value, list) or not all(isinstance(uri, str) for uri in value):
                return 'uris must be a list of strings'
            for uri in value:
                match = LDAP_URI.fullmatch(uri)
                if not match or not 0 < int(match.group(3)) < 65536:
                    return 'uris: %s is not scheme://host:port with scheme ldap or ldaps' % uri
        if key in LDAP_QUERIES:
            if not isinstance(value, dict) or set(value) - {'base', 'filter', 'scope'}:
                return '%s must be an object of base, filter and scope' % key
            if value and (set(value) != {'base', 'filter', 'scope'}
                          or not all(isinstance(item, str) for item in value.values())):
                return '%s must be empty or hold base, filter and scope, as strings' % key
            if value and value['scope'] not in ('base', 'one', 'subtree'):
                return '%s scope must be base, one or subtree' % key
    return None


def _ldap_mapping_problem(body, required):
    """Why the cluster refuses an LDAP mapping body (400), or None."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object'
    missing = [name for name in required if name not in body]
    if missing:
        return 'missing %s' % ', '.join(missing)
    for key, value in body.items():
        if key == 'name' and not (isinstance(value, str) and 0 < len(value) <= 255
                                  and re.fullmatch(r'[A-Za-z0-9_ \[\]()@,.;#-]+', value)):
            return 'name may contain only letters, numbers, spaces, and _ [] () @ , . ; # -'
        if key == 'dn' and not (isinstance(value, str) and value.strip()):
            return 'dn must contain at least one non-whitespace character'
        if key == 'email' and not (isinstance(value, str) and re.fullmatch(
                r'|[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+', value)):
            return 'email must be empty or a valid email address'
        if key == 'role_uids' and not (isinstance(value, list) and value and all(
                isinstance(uid, int) and not isinstance(uid, bool) for uid in value)):
            return 'role_uids must be a list of one or more role uids'
        if key in ('email_alerts', 'cluster_email_alerts') and not isinstance(value, bool):
            return '%s must be a boolean' % key
        if key == 'bdbs_email_alerts' and not (isinstance(value, list) and all(isinstance(uid, str) for uid in value)
                                               and len(set(value)) == len(value)):
            return 'bdbs_email_alerts must be a list of distinct database uids, as strings'
        if key == 'account_id' and (isinstance(value, bool) or not isinstance(value, int)):
            return 'account_id must be an integer'
        if key not in ('name', 'dn', 'email', 'role_uids', 'email_alerts', 'cluster_email_alerts',
                       'bdbs_email_alerts', 'account_id'):
            return 'unknown field %s' % key
    return None


class Directory:
    """A cluster's LDAP configuration and its LDAP mappings.

    config holds the set fields only (bind_pass as itself); received, the
    bodies of PUT /v1/cluster/ldap as they came, for the tests of what the
    collection sends."""

    def __init__(self):
        self.config = dict(DEFAULT_LDAP)
        self.mappings = {}
        self.next_uid = 1
        self.received = []

    def snapshot(self):
        return {'config': copy.deepcopy(self.config), 'mappings': copy.deepcopy(self.mappings),
                'received': copy.deepcopy(self.received)}

    def update(self, changes):
        """config: fields merged in (None takes one away); mappings: a list
        of mappings to add, each given a uid."""
        for key, value in changes.get('config', {}).items():
            if _ldap_unset(value):
                self.config.pop(key, None)
            else:
                self.config[key] = value
        for mapping in changes.get('mappings', []):
            self._add(mapping)

    def _add(self, mapping):
        mapping = dict({'email': '', 'email_alerts': True}, **mapping)
        mapping['uid'] = self.next_uid
        self.next_uid += 1
        self.mappings[mapping['uid']] = mapping
        return mapping

    def answer(self, unset):
        """The configuration as GET answers it: bind_pass masked; the fields
        not set left out, or with unset 'empty' given as empty values."""
        answer = copy.deepcopy(self.config)
        if 'bind_pass' in answer:
            answer['bind_pass'] = BIND_PASS_MASK
        if unset == 'empty':
            for name in ('bind_dn', 'ca_cert', 'user_dn_template', 'dn_group_attr', 'cba_identity_oid'):
                answer.setdefault(name, '')
            for name in LDAP_QUERIES:
                answer.setdefault(name, {})
            answer.setdefault('uris', [])
        return answer

    def put(self, body):
        self.received.append(copy.deepcopy(body))
        problem = _ldap_problem(body)
        if problem:
            return _error(400, 'invalid_schema', problem)
        merged = dict(self.config)
        for key, value in body.items():
            if _ldap_unset(value):
                merged.pop(key, None)
            else:
                merged[key] = value
        for one, other in LDAP_EXCLUSIVE:
            if one in merged and other in merged:
                return _error(400, 'illegal_fields_combination', '%s and %s cannot both be set' % (one, other))
        self.config = merged
        return None

    def mapping_call(self, method, path, body, roles):
        uid = None
        if path != LDAP_MAPPINGS_PATH:
            tail = path.rsplit('/', 1)[1]
            uid = int(tail) if tail.isdigit() else None
            if uid not in self.mappings:
                return _error(404, 'ldap_mapping_not_found', 'No LDAP mapping %s' % tail)
        if method == 'GET':
            if uid is None:
                return 200, [dict(self.mappings[key]) for key in sorted(self.mappings)]
            return 200, dict(self.mappings[uid])
        if method == 'DELETE':
            del self.mappings[uid]
            return 200, {'action_uid': 'ldap-mapping-delete-%d' % uid}
        problem = _ldap_mapping_problem(body, ('name', 'dn', 'role_uids') if uid is None else ())
        if problem:
            return _error(400, 'invalid_schema', problem)
        unknown = [role for role in body.get('role_uids', []) if role not in roles]
        if unknown:
            return _error(400, 'invalid_role_uid', 'No role with uid %s' % ', '.join(str(role) for role in unknown))
        if any(other['name'] == body.get('name') and other['uid'] != uid for other in self.mappings.values()):
            return _error(409, 'ldap_mapping_name_conflict', 'An LDAP mapping named %s exists' % body['name'])
        if uid is None:
            return 200, dict(self._add(body))
        self.mappings[uid].update(body)
        return 200, dict(self.mappings[uid])


def handle_ldap(cluster, route, path, body):
    """An LDAP call, its permission checked. The error codes of the
    mappings (404, 409, an unknown role) are the simulator's own: the spec
    gives their statuses only."""
    directory = cluster.directory
    method = route[0]
    unset = cluster.faults['ldap_unset']
    if route[1] != LDAP_PATH:
        return directory.mapping_call(method, path, body, cluster.roles)
    if method == 'DELETE':
        directory.config = dict(DEFAULT_LDAP)
        return 200, None
    if method == 'PUT':
        refused = directory.put(body)
        if refused:
            return refused
    return 200, directory.answer(unset)


# Access control: users, roles and Redis ACLs, as the spec describes them,
# with rules of the simulator's own where it says nothing:
#   - a password is at least 8 characters long and holds a letter and a
#     digit (400 password_not_complex); the answer never says the password;
#   - a Redis ACL rule is tokens separated by spaces, each one of: on, off,
#     allkeys, resetkeys, allchannels, resetchannels, allcommands,
#     nocommands, reset; a key pattern ~p, %R~p, %W~p or %RW~p; a channel
#     pattern &p; +command or -command (also command|subcommand); +@category
#     or -@category of a known category. Anything else (a password token
#     such as >secret among them) is refused, 400 invalid_acl;
#   - the built-in roles are neither changed nor removed, and a role that a
#     user holds is not removed (406); a user or role name, and a user's
#     email, are taken once (409).

def http_iso(when):
    return when.strftime('%Y-%m-%dT%H:%M:%SZ')


def managements(cluster, role_uids):
    """The management roles of role uids (those that still exist)."""
    return set(cluster.roles[uid]['management'] for uid in role_uids if uid in cluster.roles)


def permissions_of(role):
    """The permissions of a management role name, or of a set of them."""
    names = [role] if isinstance(role, str) else list(role or ())
    found = set()
    for name in names:
        found |= ROLE_PERMISSIONS.get(name, set())
    return found


def user_answer(cluster, user):
    """A user as the cluster answers it: never its password; role, the
    deprecated one, as the most its roles allow."""
    answer = dict((key, copy.deepcopy(value)) for key, value in user.items() if key != 'password')
    held = managements(cluster, user['role_uids']) or {'none'}
    answer['role'] = max(held, key=MANAGEMENT.index)
    if cluster.faults['uids_as_text']:
        answer['role_uids'] = [str(uid) for uid in answer['role_uids']]
    return answer


USER_NAME = re.compile(r'^[ -!#-%\'-;=?-~]+$')
USER_EMAIL = re.compile(r'^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$')
OBJECT_NAME = re.compile(r'^[a-zA-Z0-9_ \[\]()@,.;#-]+$')
AUTH_METHODS = ('regular', 'certificate', 'entraid', 'sso')
ACL_FLAGS = ('on', 'off', 'allkeys', 'resetkeys', 'allchannels', 'resetchannels', 'allcommands', 'nocommands', 'reset')
ACL_CATEGORIES = ('all', 'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap',
                  'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous',
                  'connection', 'transaction', 'scripting', 'json', 'search', 'timeseries', 'bloom', 'cuckoo',
                  'topk', 'cms', 'tdigest')
ACL_COMMAND = re.compile(r'^[+-][a-z][a-z0-9_.]*(\|[a-z][a-z0-9_-]*)?$')
ACL_PATTERN = re.compile(r'^(~|%R~|%W~|%RW~|&)\S+$')


def acl_problem(rule):
    """Why a Redis ACL rule is refused, or None."""
    if not isinstance(rule, str) or not rule.strip():
        return 'the ACL rule is empty'
    for token in rule.split():
        if token in ACL_FLAGS or ACL_PATTERN.match(token) or ACL_COMMAND.match(token):
            continue
        if token[:2] in ('+@', '-@'):
            if token[2:] in ACL_CATEGORIES:
                continue
            return 'unknown ACL category %s' % token[2:]
        return 'unknown ACL token %s' % token
    return None


def password_problem(password):
    if not isinstance(password, str):
        return 'password must be a string'
    if len(password) < 8 or not re.search(r'[A-Za-z]', password) or not re.search(r'[0-9]', password):
        return ('The password does not meet the password complexity requirements: at least 8 characters, with a '
                'letter and a digit')
    return None


def _type_problem(body, types):
    """The first field of body whose value is not of its type, as a message."""
    for name, kind in types.items():
        if name not in body:
            continue
        value = body[name]
        if kind == 'bool':
            good = isinstance(value, bool)
        elif kind == 'int':
            good = isinstance(value, int) and not isinstance(value, bool)
        elif kind == 'str':
            good = isinstance(value, str)
        else:
            item = {'ints': int, 'strs': str}[kind]
            good = isinstance(value, list) and all(isinstance(v, item) and not isinstance(v, bool) for v in value)
        if not good:
            return '%s must be %s' % (name, {'bool': 'a boolean', 'int': 'an integer', 'str': 'a string',
                                             'ints': 'a list of integers', 'strs': 'a list of strings'}[kind])
    return None


USER_FIELDS = {'uid': 'int', 'account_id': 'int', 'email': 'str', 'name': 'str', 'password': 'str',
               'password_hash_method': 'int', 'auth_method': 'str', 'role': 'str', 'role_uids': 'ints',
               'email_alerts': 'bool', 'cluster_email_alerts': 'bool', 'bdbs_email_alerts': 'strs',
               'certificate_subject_line': 'str'}
ROLE_FIELDS = {'uid': 'int', 'account_id': 'int', 'name': 'str', 'management': 'str'}
ACL_FIELDS = {'uid': 'int', 'account_id': 'int', 'name': 'str', 'acl': 'str'}
# What a cluster answers and never takes.
READ_ONLY = {'user': ('status', 'last_login', 'password_issue_date', 'action_uid'),
             'role': ('action_uid',), 'acl': ('action_uid', 'min_version', 'max_version')}


def _fields_problem(body, fields, kind):
    if not isinstance(body, dict):
        return 'the body must be a JSON object'
    for name in body:
        if name in READ_ONLY[kind]:
            return '%s is read-only' % name
        if name not in fields and not (kind == 'role' and name == 'resources'):
            return 'unknown field %s' % name
    return _type_problem(body, fields)


def _taken(objects, field, value, uid):
    return any(other[field] == value for other in objects.values() if other['uid'] != uid)


def _invalid(description):
    return _error(400, 'invalid_schema', description)


def _user_write(cluster, body, user, dry_run):
    """POST /v1/users (user None) or PUT /v1/users/{uid}."""
    problem = _fields_problem(body, USER_FIELDS, 'user')
    if problem:
        return _invalid(problem)
    uid = user['uid'] if user else body.get('uid') or max(list(cluster.users) + [0]) + 1
    if user and body.get('uid') not in (None, uid):
        return _invalid('uid cannot be changed')
    merged = dict(copy.deepcopy(user) if user else {
        'uid': uid, 'auth_method': 'regular', 'status': 'active', 'email_alerts': True,
        'cluster_email_alerts': False, 'bdbs_email_alerts': []}, **copy.deepcopy(body))
    if 'role' in body and 'role_uids' not in body:
        found = [r['uid'] for r in cluster.roles.values() if r['management'] == body['role']]
        merged['role_uids'] = found[:1]
    merged.pop('role', None)
    if 'email' not in merged or not USER_EMAIL.match(merged['email'] or ''):
        return _invalid('email must be an email address of ASCII characters')
    if not isinstance(merged.get('name'), str) or not 1 <= len(merged['name']) <= 255 \
            or not USER_NAME.match(merged['name']):
        return _invalid('name must be 1 to 255 ASCII characters, without &, <, > or "')
    # A method of an older cluster ("external") that the user already has is kept; a new one must be known.
    if 'auth_method' in body and merged['auth_method'] not in AUTH_METHODS:
        return _invalid('auth_method must be one of %s' % ', '.join(AUTH_METHODS))
    if body.get('role') is not None and body['role'] not in MANAGEMENT:
        return _invalid('role must be one of %s' % ', '.join(MANAGEMENT))
    roles = merged.get('role_uids')
    if not roles or len(set(roles)) != len(roles):
        return _invalid('role_uids must hold one or more role uids, each once')
    unknown = [r for r in roles if r not in cluster.roles]
    if unknown:
        return _error(400, 'role_not_found', 'No role with uid %s' % unknown[0])
    if len(set(merged['bdbs_email_alerts'])) != len(merged['bdbs_email_alerts']):
        return _invalid('bdbs_email_alerts must name each database once')
    if merged['auth_method'] == 'regular' and not (user or 'password' in body):
        return _invalid('password is required for a user of the regular auth_method')
    if merged['auth_method'] == 'certificate' and not merged.get('certificate_subject_line'):
        return _invalid('certificate_subject_line is required for a user of the certificate auth_method')
    if 'password' in body:
        problem = password_problem(body['password'])
        if problem:
            return _error(400, 'password_not_complex', problem)
    for field in ('email', 'name'):
        if _taken(cluster.users, field, merged[field], uid):
            return _error(409, 'user_already_exists', 'A user with the same %s already exists' % field)
    if 'password' in body:
        merged['password_issue_date'] = http_iso(utc_now())
    if not dry_run:
        cluster.users[uid] = merged
    return 200, user_answer(cluster, merged)


def _role_write(cluster, body, role, dry_run):
    problem = _fields_problem(body, ROLE_FIELDS, 'role')
    if problem:
        return _invalid(problem)
    if role and role['uid'] in dict((r[0], r) for r in BUILTIN_ROLES):
        return _error(406, 'builtin_role', 'The built-in role %s cannot be changed' % role['name'])
    uid = role['uid'] if role else body.get('uid') or max(list(cluster.roles) + [100]) + 1
    if role and body.get('uid') not in (None, uid):
        return _invalid('uid cannot be changed')
    merged = dict(copy.deepcopy(role or {'uid': uid}), **copy.deepcopy(body))
    if not isinstance(merged.get('name'), str) or not OBJECT_NAME.match(merged['name']):
        return _invalid('name must be letters, digits, spaces and _[]()@,.;#-')
    if merged.get('management') not in MANAGEMENT:
        return _invalid('management must be one of %s' % ', '.join(MANAGEMENT))
    if _taken(cluster.roles, 'name', merged['name'], uid):
        return _error(409, 'role_already_exists', 'A role named %s already exists' % merged['name'])
    if not dry_run:
        cluster.roles[uid] = merged
    return 200, copy.deepcopy(merged)


def _acl_write(cluster, body, acl, dry_run):
    problem = _fields_problem(body, ACL_FIELDS, 'acl')
    if problem:
        return _invalid(problem)
    uid = acl['uid'] if acl else body.get('uid') or max(list(cluster.acls) + [100]) + 1
    if acl and body.get('uid') not in (None, uid):
        return _invalid('uid cannot be changed')
    merged = dict(copy.deepcopy(acl or {'uid': uid, 'min_version': '6.0'}), **copy.deepcopy(body))
    if not isinstance(merged.get('name'), str) or not OBJECT_NAME.match(merged['name']):
        return _invalid('name must be letters, digits, spaces and _[]()@,.;#-')
    problem = acl_problem(merged.get('acl'))
    if problem:
        return _error(400, 'invalid_acl', 'Invalid Redis ACL: %s' % problem)
    if _taken(cluster.acls, 'name', merged['name'], uid):
        return _error(409, 'redis_acl_already_exists', 'A Redis ACL named %s already exists' % merged['name'])
    if not dry_run:
        cluster.acls[uid] = merged
    return 200, copy.deepcopy(merged)


def _action():
    return {'action_uid': '%08x-sim' % (int(time.monotonic() * 1000000) & 0xffffffff)}


def _delete(cluster, kind, uid, dry_run):
    objects = {'user': cluster.users, 'role': cluster.roles, 'acl': cluster.acls}[kind]
    if kind == 'role' and uid in dict((r[0], r) for r in BUILTIN_ROLES):
        return _error(406, 'builtin_role', 'The built-in role %s cannot be deleted' % objects[uid]['name'])
    if kind == 'role' and any(uid in user['role_uids'] for user in cluster.users.values()):
        return _error(406, 'role_in_use', 'The role %s is held by a user' % objects[uid]['name'])
    if not dry_run:
        del objects[uid]
    return 200, _action()


ACCESS = {USERS_PATH: ('user', 'users', user_answer, _user_write),
          ROLES_PATH: ('role', 'roles', None, _role_write),
          ACLS_PATH: ('acl', 'acls', None, _acl_write)}


def handle_access(cluster, method, path, body, dry_run):
    """The calls of /v1/users, /v1/roles and /v1/redis_acls, and of one of
    them by uid; the caller's permission was checked. The cluster's lock is
    held."""
    base, dummy, uid = path.partition('/v1/')[2].partition('/')
    kind, attribute, shown, write = ACCESS['/v1/' + base]
    objects = getattr(cluster, attribute)
    show = (lambda item: shown(cluster, item)) if shown else copy.deepcopy
    if not uid:
        if method == 'GET':
            return 200, [show(item) for uid_, item in sorted(objects.items())]
        return write(cluster, body, None, dry_run)
    if not uid.isdigit() or int(uid) not in objects:
        return _error(404, '%s_not_found' % kind, 'No %s with uid %s' % (kind, uid))
    item = objects[int(uid)]
    if method == 'GET':
        return 200, show(item)
    if method == 'PUT':
        return write(cluster, body, item, dry_run)
    return _delete(cluster, kind, int(uid), dry_run)


def _own(cluster, route, path, body, caller):
    """Whether a call is one a user may make on itself without the
    permission: read itself, or change itself but for its roles."""
    if caller is None or route not in (('GET', USER_PATH), ('PUT', USER_PATH)):
        return False
    user = next((user for user in cluster.users.values() if user['email'] == caller), None)
    if user is None or path.rsplit('/', 1)[1] != str(user['uid']):
        return False
    return not (isinstance(body, dict) and ({'role', 'role_uids'} & set(body)))


def dry_run_of(query):
    """Whether a query (as parse_qs gives it, blank values kept) asks for a
    dry run: dry_run=true, or dry_run alone (allowEmptyValue)."""
    values = (query or {}).get('dry_run')
    return bool(values) and values[-1].lower() in ('true', '1', '')


# The license: GET /v1/license answers its facts and its text (twice, as
# license and as key), 404 when none is installed; PUT takes {"license":
# text} only, 400 for a corrupt one, 406 for a license violation (another
# cluster's, or fewer shards than the cluster uses). A simulated license is
# its facts as JSON, signed, in base64 between the markers, so that any
# change to the text corrupts it.
LICENSE_START = '----- LICENSE START -----'
LICENSE_END = '----- LICENSE END -----'
_LICENSE_SECRET = b'redis-enterprise-simulator'
# The shards a simulated cluster uses (RAM, flash).
SHARDS_IN_USE = (4, 0)
LICENSE_FEATURES = ('bigstore', 'crdb', 'search', 'json', 'timeseries', 'bloom')


def iso(when):
    """A datetime as the license answers its dates: 2019-12-31T00:00:00Z."""
    return when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def license_text(owner='Example Inc.', days=365, cluster_name=FQDN, shards_limit=8, flash_shards_limit=0,
                 activated_days_ago=30, expires=None, features=LICENSE_FEATURES):
    """The text of a license valid for `days` from now (or until `expires`,
    a datetime), for cluster_name."""
    now = utc_now().replace(microsecond=0)
    facts = {'owner': owner, 'cluster_name': cluster_name, 'features': list(features),
             'activation_date': iso(now - datetime.timedelta(days=activated_days_ago)),
             'expiration_date': iso(expires or now + datetime.timedelta(days=days)),
             'shards_limit': shards_limit + flash_shards_limit, 'ram_shards_limit': shards_limit,
             'flash_shards_limit': flash_shards_limit}
    payload = json.dumps(facts, sort_keys=True).encode('utf-8')
    signed = json.dumps({'facts': facts, 'signature': base64.b64encode(
        hashlib.sha256(_LICENSE_SECRET + payload).digest()).decode('ascii')}, sort_keys=True)
    body = base64.b64encode(signed.encode('utf-8')).decode('ascii')
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return '\n'.join([LICENSE_START] + lines + [LICENSE_END]) + '\n'


def license_facts(text):
    """The facts of a license text, or None for a corrupt one."""
    if not isinstance(text, str):
        return None
    start, end = text.find(LICENSE_START), text.find(LICENSE_END)
    if start < 0 or end < start:
        return None
    try:
        signed = json.loads(base64.b64decode(''.join(text[start + len(LICENSE_START):end].split()), validate=True))
        facts = signed['facts']
        payload = json.dumps(facts, sort_keys=True).encode('utf-8')
        good = base64.b64encode(hashlib.sha256(_LICENSE_SECRET + payload).digest()).decode('ascii')
    except (ValueError, KeyError, TypeError):
        return None
    return dict(facts) if signed.get('signature') == good else None


def license_violation(cluster, facts):
    """What makes a license one the cluster cannot run under (406), or None."""
    if facts['cluster_name'] != cluster.fqdn:
        return 'The license is for the cluster %s, not for %s' % (facts['cluster_name'], cluster.fqdn)
    if facts['ram_shards_limit'] < SHARDS_IN_USE[0] or facts['flash_shards_limit'] < SHARDS_IN_USE[1]:
        return 'The license allows %d RAM shards; the cluster uses %d' % (facts['ram_shards_limit'], SHARDS_IN_USE[0])
    return None


def license_answer(cluster):
    facts = license_facts(cluster.license)
    expires = datetime.datetime.strptime(facts['expiration_date'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)
    # A license_unchecked cluster checks a license once it holds it: one with a violation is not valid.
    expired = expires <= utc_now() or bool(cluster.faults['license_unchecked'] and license_violation(cluster, facts))
    return dict(facts, license=cluster.license, key=cluster.license, expired=expired,
                ram_shards_in_use=SHARDS_IN_USE[0], flash_shards_in_use=SHARDS_IN_USE[1])


def handle_license(cluster, method, body):
    if method == 'GET':
        if not cluster.license:
            return _error(404, 'not_found', 'No license is installed')
        return 200, license_answer(cluster)
    if not isinstance(body, dict) or set(body) != {'license'} or not isinstance(body['license'], str):
        return _error(400, 'invalid_schema', 'the body is {"license": "..."}')
    facts = license_facts(body['license'])
    violation = facts and not cluster.faults['license_unchecked'] and license_violation(cluster, facts)
    refused_after = cluster.faults['license_puts_refused_after']
    if refused_after is not None and refused_after <= 0:
        problem = _error(406, 'license_violation', 'The cluster refuses a new license now')
    elif facts is None:
        problem = _error(400, 'invalid_license', 'The license key is corrupt')
    elif violation:
        problem = _error(406, 'license_violation', violation)
    else:
        if refused_after is not None:
            cluster.faults['license_puts_refused_after'] = refused_after - 1
        if not cluster.faults['license_not_applied']:
            cluster.license = body['license']
            cluster.licenses_installed.append(body['license'])
        return 200, license_answer(cluster)
    if cluster.faults['license_refusal_drops']:
        cluster.license = None
    return problem


def handle_api(cluster, method, path, body, role, query=None, caller=None):
    """Answer one authenticated API call: (status, JSON value or None for
    an answer without a body). role: the caller's management role, or a set
    of them; caller: its email, for the calls a user may make on itself;
    query: the query parameters, as parse_qs gives them. A query parameter
    a call does not take is ignored, as a cluster may: a dry_run sent to a
    DELETE that takes none deletes."""
    route, served = _route(method, path)
    if route is None:
        if served:
            return _error(405, 'method_not_allowed', 'Method not allowed')
        return _error(404, 'not_found', 'Not found')
    with cluster.lock:
        allowed = ROUTES[route] is None or ROUTES[route] in permissions_of(role) or _own(
            cluster, route, path, body, caller)
    if not allowed:
        return _error(403, 'insufficient_permissions', 'Insufficient permissions')
    if route == ('GET', OWN_ROLE_PATH):
        held = [role] if isinstance(role, str) else list(role or ()) or ['none']
        return 200, {'role': max(held, key=MANAGEMENT.index)}
    with cluster.lock:
        faults = cluster.faults
        if route in LDAP_ROUTES:
            return handle_ldap(cluster, route, path, body)
        if route[1] in ACCESS or route[1] in (USER_PATH, ROLE_PATH, ACL_PATH):
            return handle_access(cluster, method, path, body, route in DRY_RUNS and dry_run_of(query))
        if route == ('GET', CLUSTER_PATH):
            return 200, {'name': cluster.fqdn}
        if route[1] == LICENSE_PATH:
            return handle_license(cluster, method, body)
        if route in sim_databases.ROUTES:
            return sim_databases.handle(cluster, route, path, body, query, route in DRY_RUNS and dry_run_of(query),
                                        license_facts(cluster.license) if cluster.license else None)
        if route == ('DELETE', CERTIFICATE_PATH):
            return _delete_certificate(cluster, path.rsplit('/', 1)[1])
        if path == CERTIFICATES_PATH and method == 'GET':
            answer = {}
            for name, pair in cluster.certificates.items():
                answer['%s_cert' % name] = pair['cert']
                if pair.get('key') is not None:
                    answer['%s_key' % name] = pair['key']
            return 200, answer
        if path == CERTIFICATES_PATH:
            if faults['legacy_certificates']:
                return _error(405, 'method_not_allowed', 'Method not allowed')
            if not isinstance(body, dict) or set(body) != {'certificates'} or not isinstance(
                    body['certificates'], list) or not body['certificates']:
                return _error(400, 'invalid_schema', 'the body is {"certificates": [...]}')
            return _write_certificates(cluster, body['certificates'], legacy=False)
        if path == UPDATE_CERT_PATH:
            return _write_certificates(cluster, [body], legacy=True)
        if faults['capability_406']:
            return _error(406, 'ocsp_unsupported_by_capability', 'Not all nodes support OCSP capability')
        if method == 'GET' and path == '/v1/ocsp':
            return 200, dict(cluster.config)
        if method == 'PUT':
            problem = _validate_put(body)
            if problem:
                return _error(400, 'invalid_schema', problem)
            new = dict(cluster.config)
            if faults['reset_omitted']:
                # The writable fields the cluster has, omitted from the body.
                new.update((key, value) for key, value in DEFAULT_CONFIG.items() if key in new and key not in body)
            new.update(body)
            new['responder_url'] = cluster.config['responder_url']
            if new.get('ocsp_functionality') and not new['responder_url']:
                return _error(400, 'no_responder_url', 'Tried to enable OCSP with no responder URL configured')
            cluster.config = new
            return 200, dict(new)
        unaskable = _unaskable(cluster)
        if path == '/v1/ocsp/status':
            if faults['status_error']:
                return _error(500, faults['status_error'], 'OCSP status is not valid')
            if unaskable and cluster.config['ocsp_functionality']:
                # Stapling is on, and every query of the responder fails: no status for the certificate served.
                return _error(500, 'invalid_ocsp_response', unaskable)
            return 200, dict(cluster.status)
        # POST /v1/ocsp/test
        if not cluster.config['responder_url']:
            return _error(500, 'no_responder_url', 'No responder URL configured')
        if unaskable:
            return _error(500, 'invalid_ocsp_response', unaskable)
        if faults['test_delay']:
            # Outside the lock, as the cluster keeps serving meanwhile.
            cluster.lock.release()
            try:
                time.sleep(faults['test_delay'])
            finally:
                cluster.lock.acquire()
        if faults['test_error']:
            return _error(500, faults['test_error'], 'The OCSP query failed: %s' % faults['test_error'])
        now = utc_now() - (datetime.timedelta(days=2) if faults['responder_stale'] else datetime.timedelta(0))
        status = fresh_status(cluster.responder_cert_status, cluster.config['responder_url'], now=now)
        if cluster.config['ocsp_functionality']:
            cluster.status = dict(status)
        return 200, status


def _unaskable(cluster):
    """Why the cluster cannot build an OCSP request for its proxy
    certificate (its issuer's certificate is not installed with it), or
    None. POST /v1/ocsp/test answers it as a failed polling task."""
    proxy = cluster.certificates.get('proxy')
    missing = proxy and cluster.config['responder_url'] and issuer_missing(proxy['cert'])
    if not missing:
        return None
    return ('Cannot build an OCSP request for the proxy certificate: the certificate of its issuer %s is not installed '
            'with it' % missing)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'cnm_http/sim'
    sys_version = ''

    def setup(self):
        if self._hang('handshake', {'method': None, 'path': None, 'user_known': False, 'status': None}):
            raise ConnectionAbortedError('hung connection released')
        # The TLS handshake runs here, in the worker thread, so one slow or
        # failing client never holds up the accept loop.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _send(self, status, payload=None, raw=None, content_type='application/json', headers=None):
        data = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else b'')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _hang(self, stage, entry):
        """Hold the connection without a word while a hang_next of this stage is due."""
        cluster = self.server.cluster
        with cluster.lock:
            hang = cluster.faults['hang_next']
            due = hang['count'] > 0 and hang['stage'] == stage
            if due:
                hang['count'] -= 1
        if due:
            entry['status'] = 'hung'
            self._log(entry)
            self.server.stopping.wait(HANG_LIMIT)
            self.close_connection = True
        return due

    def _send_raw(self, raw):
        """Send a raw_next answer; returns the body bytes written before the client hung up."""
        body = raw['body'].encode()
        repeat = raw['repeat'] or 1
        length = raw['length'] or len(body) * repeat
        self.send_response(raw['status'])
        self.send_header('Content-Type', raw['content_type'])
        self.send_header('Content-Length', str(length))
        for key, value in (raw['headers'] or {}).items():
            self.send_header(key, value)
        self.end_headers()
        sent = 0
        try:
            for dummy in range(repeat):
                self.wfile.write(body)
                sent += len(body)
        except OSError:
            self.close_connection = True
        # An answer shorter than its Content-Length ends with the connection.
        if length > sent:
            self.close_connection = True
        return sent

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        if not raw:
            return None, True
        try:
            return json.loads(raw), True
        except ValueError:
            return None, False

    def _caller(self):
        """(email, its management roles) of the credentials sent, or (None,
        None): a user of the cluster, else one of the server's own table."""
        auth = self.headers.get('Authorization', '')
        if not auth.startswith('Basic '):
            return None, None
        try:
            user, dummy, password = base64.b64decode(auth[6:]).decode().partition(':')
        except (ValueError, UnicodeDecodeError):
            return None, None
        roles = self.server.cluster.login(user, password)
        if roles is not None:
            return user, roles
        if self.server.cluster.user(user) is None:
            known = self.server.users.get(user)
            if known and known[0] == password:
                return user, {known[1]}
        return None, None

    def _control(self, method, path):
        cluster = self.server.cluster
        if method == 'GET' and path == '/_sim/state':
            return self._send(200, cluster.snapshot())
        if method == 'PUT' and path == '/_sim/state':
            body, _ok = self._body()
            try:
                cluster.update(body or {})
            except ValueError as problem:
                # A clock set backwards, say: the test's mistake, told as such.
                return self._send(400, {'error_code': 'invalid_state', 'description': str(problem), 'status_code': 400})
            return self._send(200, cluster.snapshot())
        if method == 'POST' and path == '/_sim/reset':
            self._body()
            cluster.reset()
            return self._send(200, cluster.snapshot())
        return self._send(404, {'error_code': 'not_found', 'description': 'no such control call', 'status_code': 404})

    def _handle(self, method):
        path, dummy, raw_query = self.path.partition('?')
        if path.startswith('/_sim/'):
            return self._control(method, path)
        query = parse_qs(raw_query, keep_blank_values=True)
        cluster = self.server.cluster
        body, parsed = self._body()
        # What the collection sent, whatever the answer will be.
        cluster.check_request(method, path, body, parsed, query)
        caller, role = self._caller()
        if self._hang('request', {'method': method, 'path': path, 'query': raw_query, 'user_known': role is not None,
                                  'status': None}):
            return None
        with cluster.lock:
            faults = cluster.faults
            delay = faults['delay']
            drop = faults['drop_next']
            dropping = drop['count'] > 0 and drop['method'] in (None, method)
            if dropping:
                drop['count'] -= 1
            fail = faults['fail_next']
            failing = fail['count'] > 0
            if failing and not dropping:
                fail['count'] -= 1
            non_json = faults['non_json_next'] > 0 and not (dropping or failing)
            if non_json:
                faults['non_json_next'] -= 1
            raw = faults['raw_next']
            raw_answer = (raw['count'] > 0 and raw['method'] in (None, method) and raw.get('path') in (None, path)
                          and not (dropping or failing or non_json))
            if raw_answer:
                raw['count'] -= 1
                raw = dict(raw)
        entry = {'method': method, 'path': path, 'query': raw_query, 'user_known': role is not None, 'status': None,
                 'client_port': self.client_address[1],
                 # As received on the wire, for the tests of what the client sends.
                 'headers': {name: self.headers.get(name) for name in WIRE_HEADERS}}
        if delay:
            # Logged as it arrives: a client that gives up waiting is counted.
            entry['status'] = 'delayed'
            self._log(entry)
            time.sleep(delay)

        def record(status):
            if not delay:
                entry['status'] = status
                self._log(entry)

        if dropping:
            if method != 'GET' and drop['applied'] and role:
                handle_api(cluster, method, path, body, role, query, caller)
            record('dropped')
            self.close_connection = True
            self.request.shutdown(socket.SHUT_RDWR)
            return None
        # The answers of the fault switches above are broken on purpose; the
        # rest are the cluster's own, checked against the declaration.
        checked = not failing
        if failing:
            status, payload = _error(fail['status'], 'node_not_responding', 'The node is not responding')
        elif non_json:
            record(200)
            return self._send(200, raw=b'<html><body>Welcome</body></html>', content_type='text/html')
        elif raw_answer:
            record(raw['status'])
            entry['sent'] = self._send_raw(raw)
            return None
        elif role is None:
            cluster.check_answer(method, path, 401, None)
            record(401)
            return self._send(401, raw=b'', content_type='text/plain',
                              headers={'WWW-Authenticate': 'Basic realm="cnm"'})
        elif not _accepts_json(self.headers.get('Accept')):
            status, payload = _error(406, 'not_acceptable', 'This API answers application/json: send Accept: '
                                     'application/json')
        elif body is not None or not parsed:
            if _media_type(self.headers.get('Content-Type')) != 'application/json':
                status, payload = _error(415, 'unsupported_media_type', 'Send the body as Content-Type: '
                                         'application/json')
            elif not parsed:
                status, payload = _error(400, 'invalid_schema', 'The body is not valid JSON')
            else:
                status, payload = handle_api(cluster, method, path, body, role, query, caller)
        else:
            status, payload = handle_api(cluster, method, path, body, role, query, caller)
        payload = _worded(status, payload, faults['error_text'])
        if checked and not _off_contract(faults, method, path):
            cluster.check_answer(method, path, status, payload)
        record(status)
        self._send(status, payload)
        with cluster.lock:
            close = faults['close_after_next']
            closing = close['count'] > 0 and close['method'] in (None, method)
            if closing:
                close['count'] -= 1
        if closing:
            # At once, right behind the answer, rather than when the handler
            # returns; then the log says so.
            self.close_connection = True
            self.request.shutdown(socket.SHUT_RDWR)
            entry['closed'] = True
        return None

    def _log(self, entry):
        with self.server.cluster.lock:
            self.server.cluster.log.append(entry)

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self._handle('GET')

    def do_PUT(self):  # noqa: N802
        self._handle('PUT')

    def do_POST(self):  # noqa: N802
        self._handle('POST')

    def do_DELETE(self):  # noqa: N802
        self._handle('DELETE')


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, cluster, tls=True, host='127.0.0.1', port=0, users=None):
        self.cluster = cluster
        self.tls = tls
        # The api certificate and key presented, and their context: the
        # cluster's, looked at again for each connection.
        self._presented = None
        self._context = None
        # Set on stop: releases the connections a hang_next holds.
        self.stopping = threading.Event()
        # Who may log in besides the cluster's own users (SEED_USERS and
        # those created): email -> (password, management role).
        self.users = users or {}
        # The connections open now, which close_connections() cuts.
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__((host, port), Handler)

    @property
    def ssl_context(self):
        """The context a new connection gets: the cluster's api certificate
        as it is now, so that one written (PUT /v1/cluster/certificates,
        update_cert, the state, a reset) is what the next client meets,
        while the connections open go on with the one they got. A pair no
        server could present (a key of another certificate, none) leaves the
        last one, as a cluster refuses to install it."""
        if not self.tls:
            return None
        with self.cluster.lock:
            pair = self.cluster.certificates.get('api') or {}
            presented = (pair.get('cert'), pair.get('key'))
        if presented != self._presented:
            self._presented = presented
            try:
                self._context = serving_context(*presented)
            except (OSError, TypeError, ValueError):
                fresh = getattr(self.cluster, '_fresh_api', None)
                if self._context is None and fresh:
                    # None presented yet (a test set the pair first): the fresh cluster's.
                    self._context = serving_context(fresh['cert'], fresh['key'])
        return self._context

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            context = self.ssl_context
            if context is None:
                sock.close()
                raise OSError('the cluster holds no api certificate to present')
            sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self.connections_lock:
            self.connections.add(sock)
        return sock, addr

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Cut every open connection, kept-alive ones included, as a cluster
        that goes down does."""
        with self.connections_lock:
            found = list(self.connections)
        for sock in found:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # Clients that reject the certificate or hang up are part of the tests.
        pass

    @property
    def url(self):
        scheme = 'https' if self.tls else 'http'
        return '%s://127.0.0.1:%d' % (scheme, self.server_address[1])


class Certificates:
    """The simulator's CA, written to ca.pem in its directory, and the
    server certificates it issues: a fresh cluster's api certificate, the
    one its HTTPS port presents, and the broken ones of the TLS tests."""

    def __init__(self, directory):
        import trustme  # only the simulator needs it, never the modules

        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.ca = trustme.CA(organization_name='redis.enterprise simulator CA')
        self.ca_path = os.path.join(directory, 'ca.pem')
        self.ca.cert_pem.write_to_path(self.ca_path)

    def issue(self, kind='good', common_name='api.' + FQDN):
        """(certificate PEM, key PEM) of a server certificate: good (this
        CA's, for the cluster's names and loopback's), wrong_host (this CA's,
        for another host), expired (this CA's, in 2020) or self_signed (an
        unknown CA's, which no ca_path of the simulator's trusts)."""
        import trustme

        start = utc_now() - datetime.timedelta(hours=1)
        # A year, as a fresh cluster's own.
        names = {'common_name': common_name, 'organization_name': 'redis.enterprise simulator', 'not_before': start,
                 'not_after': start + datetime.timedelta(days=365)}
        if kind == 'self_signed':
            leaf = trustme.CA(organization_name='unknown CA').issue_cert('127.0.0.1', 'localhost', **names)
        elif kind == 'wrong_host':
            leaf = self.ca.issue_cert('cluster.other.example', **names)
        elif kind == 'expired':
            past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
            names.update(not_before=past, not_after=past + datetime.timedelta(days=30))
            leaf = self.ca.issue_cert('127.0.0.1', 'localhost', **names)
        else:
            leaf = self.ca.issue_cert(*DEFAULT_SANS, **names)
        # PKCS#8, as the cluster's other keys.
        key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
        return ''.join(blob.bytes().decode('ascii') for blob in leaf.cert_chain_pems), key_pem(key)

    def context(self, kind='good', common_name='server.' + FQDN):
        """A server SSLContext presenting a certificate of kind (see issue)."""
        return serving_context(*self.issue(kind, common_name))


@functools.lru_cache(maxsize=64)
def serving_context(cert, key):
    """A server SSLContext presenting cert (PEM: the leaf, then its chain)
    with key. ssl reads them from files only: a private directory for the
    moment it takes. One per pair, for every server that presents it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, 'pair.pem')
        with open(path, 'w') as handle:
            handle.write(key.strip() + '\n' + cert.strip() + '\n')
        context.load_cert_chain(path)
    return context


class ServedCluster(Cluster):
    """A cluster whose fresh api certificate is api, (certificate PEM, key
    PEM) of the simulator's CA, rather than a self-signed one: its clients
    verify it with the CA's file, as they would a cluster's own CA."""

    def __init__(self, name, responder_url, api):
        self._fresh_api = {'cert': api[0], 'key': api[1]}
        super().__init__(name, responder_url=responder_url)

    def reset(self):
        super().reset()
        with self.lock:
            self.certificates['api'] = dict(self._fresh_api)


class Simulator:
    """Several simulated clusters, one HTTPS port each, served by threads;
    each port presents its cluster's api certificate."""

    def __init__(self, cert_dir, clusters=1, responder_url='', tls=True, cert_kind='good', port=0):
        self.certs = Certificates(cert_dir)
        self.servers = []
        # One api certificate for every cluster: issuing one each costs a
        # key generation, seconds for a fleet.
        api = self.certs.issue(cert_kind)
        for index in range(clusters):
            cluster = ServedCluster('cluster%02d' % (index + 1), responder_url, api)
            self.servers.append(SimServer(cluster, tls=tls, port=port + index if port else 0))
        self.threads = []
        # The indexes of the clusters taken down.
        self.down = set()

    @property
    def ca_path(self):
        return self.certs.ca_path

    @property
    def urls(self):
        return [server.url for server in self.servers]

    @property
    def clusters(self):
        return [server.cluster for server in self.servers]

    def start(self, poll_interval=0.2):
        """Serve every cluster; a server looks at its stop flag every
        poll_interval seconds (a benchmark's fleet of a thousand polls less)."""
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': poll_interval},
                                      daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def take_down(self, index):
        """Cluster index goes down: its port refuses connections, and its open
        connections (kept-alive ones too) are cut. Its state is kept."""
        server = self.servers[index]
        server.shutdown()
        server.server_close()
        server.close_connections()
        self.down.add(index)

    def bring_up(self, index, poll_interval=0.2):
        """Cluster index, taken down, serves again on the same port, with the
        state it had."""
        old = self.servers[index]
        server = SimServer(old.cluster, tls=old.tls, port=old.server_address[1], users=old.users)
        self.servers[index] = server
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': poll_interval}, daemon=True)
        thread.start()
        self.threads.append(thread)
        self.down.discard(index)

    def stop(self):
        for server in self.servers:
            server.stopping.set()
        # Each shutdown waits for its server's next poll: in parallel, a fleet
        # stops in one poll interval rather than one per cluster.
        stoppers = [threading.Thread(target=server.shutdown) for server in self.servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self.servers:
            server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# What a tunnel keeps of the bytes the client sent through it, to show what
# the proxy could read.
SNIFF_LIMIT = 64 * 1024


class ProxyHandler(BaseHTTPRequestHandler):
    """One client of ConnectProxy: a CONNECT, then the bytes of the tunnel."""

    protocol_version = 'HTTP/1.1'
    server_version = 'sim-proxy'
    sys_version = ''
    # Unbuffered: nothing the client sends after its CONNECT may stay in a
    # read buffer instead of going through the tunnel.
    rbufsize = 0

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _refuse(self, status, headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header('Content-Length', '0')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True

    def do_CONNECT(self):  # noqa: N802 (the name http.server calls)
        proxy = self.server.proxy
        entry = proxy.record({'method': 'CONNECT', 'target': self.path,
                              'proxy_authorization': self.headers.get('Proxy-Authorization'),
                              'status': None, 'upstream_port': None, 'sent': b'', 'bytes_up': 0, 'bytes_down': 0,
                              'closed': False})
        if proxy.deny:
            entry['status'] = 403
            return self._refuse(403)
        if proxy.credentials is not None and entry['proxy_authorization'] != proxy.expected_authorization:
            entry['status'] = 407
            return self._refuse(407, {'Proxy-Authenticate': 'Basic realm="sim-proxy"'})
        host, dummy, port = self.path.rpartition(':')
        try:
            upstream = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
        except (OSError, ValueError):
            entry['status'] = 502
            return self._refuse(502)
        entry['status'] = 200
        entry['upstream_port'] = upstream.getsockname()[1]
        self.send_response(200, 'Connection established')
        self.end_headers()
        self.close_connection = True
        try:
            self._relay(upstream, entry)
        finally:
            upstream.close()
            # The client's side closes when this handler returns, right after.
            entry['closed'] = True
        return None

    def _relay(self, upstream, entry):
        """Copy bytes both ways until either side closes or the proxy stops."""
        client = self.connection
        client.settimeout(None)
        upstream.settimeout(None)
        peers = {client: (upstream, 'bytes_up'), upstream: (client, 'bytes_down')}
        while not self.server.stopping.is_set():
            readable = select.select(list(peers), [], [], 0.2)[0]
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b''
                if not data:
                    return
                other, counter = peers[sock]
                with self.server.proxy.lock:
                    entry[counter] += len(data)
                    if sock is client and len(entry['sent']) < SNIFF_LIMIT:
                        entry['sent'] += data[:SNIFF_LIMIT - len(entry['sent'])]
                try:
                    other.sendall(data)
                except OSError:
                    return

    def _forward(self):
        """A request to forward (GET http://host:port/path), as a proxy does for
        plain http: readable, so the proxy records what it relayed."""
        proxy = self.server.proxy
        entry = proxy.record({'method': self.command, 'target': self.path,
                              'proxy_authorization': self.headers.get('Proxy-Authorization'),
                              'status': None, 'upstream_port': None, 'sent': b'', 'bytes_up': 0, 'bytes_down': 0})
        if proxy.deny:
            entry['status'] = 403
            return self._refuse(403)
        target = urlsplit(self.path)
        if target.scheme != 'http' or not target.hostname:
            entry['status'] = 400
            return self._refuse(400)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if not k.lower().startswith('proxy-')}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=5)
        try:
            upstream.request(self.command, target.path or '/', body=body, headers=headers)
            entry['upstream_port'] = upstream.sock.getsockname()[1]
            answer = upstream.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            entry['status'] = 502
            return self._refuse(502)
        finally:
            upstream.close()
        entry.update(status=answer.status, sent=('%s %s' % (self.command, self.path)).encode() + b'\r\n'
                     + bytes(self.headers) + (body or b''), bytes_up=length, bytes_down=len(data))
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ('connection', 'transfer-encoding', 'content-length'):
                self.send_header(key, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None

    def do_GET(self):  # noqa: N802
        self._forward()

    def do_PUT(self):  # noqa: N802
        self._forward()

    def do_POST(self):  # noqa: N802
        self._forward()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy, host, port, ssl_context=None):
        self.proxy = proxy
        self.ssl_context = ssl_context
        # Set on stop: ends the tunnels still open.
        self.stopping = threading.Event()
        super().__init__((host, port), ProxyHandler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_context is not None:
            # An https:// proxy: TLS to the proxy, and the tunnel inside it.
            sock = self.ssl_context.wrap_socket(sock, server_side=True)
        return sock, addr

    def handle_error(self, request, client_address):
        # Clients that hang up mid-tunnel are part of the tests.
        pass


class ConnectProxy:
    """An HTTP proxy on loopback that opens tunnels (CONNECT host:port), as
    the proxies between an Ansible controller and a cluster do, and forwards
    plain http requests (GET http://host:port/path).

    log holds one entry per request: method, target (host:port),
    proxy_authorization (the header as received, or None), status (200,
    403, 405, 407, 502), upstream_port (the proxy's own port towards the
    target, which the cluster sees as its client's), the bytes relayed each
    way (bytes_up, bytes_down), the first bytes the client sent through
    the tunnel (sent) and whether the tunnel has ended (closed).

    credentials=(user, password): CONNECT without them is answered 407.
    deny=True: every request is answered 403.
    ssl_context: serve TLS, as an https:// proxy."""

    def __init__(self, credentials=None, deny=False, host='127.0.0.1', port=0, ssl_context=None):
        self.credentials = credentials
        self.deny = deny
        self.expected_authorization = None
        if credentials is not None:
            token = base64.b64encode(('%s:%s' % credentials).encode('utf-8')).decode('ascii')
            self.expected_authorization = 'Basic %s' % token
        self.lock = threading.Lock()
        self.log = []
        self.server = ProxyServer(self, host, port, ssl_context)
        self.scheme = 'https' if ssl_context is not None else 'http'
        self.thread = None

    @property
    def url(self):
        return '%s://%s:%d' % ((self.scheme,) + tuple(self.server.server_address[:2]))

    def url_with(self, user, password):
        """The url with credentials, percent-encoded as a user must write them."""
        return '%s://%s:%s@%s:%d' % ((self.scheme, quote(user, safe=''), quote(password, safe=''))
                                     + tuple(self.server.server_address[:2]))

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
        return entry

    def targets(self):
        """The CONNECT targets seen, in order."""
        with self.lock:
            return [entry['target'] for entry in self.log]

    def clear(self):
        with self.lock:
            del self.log[:]

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.stopping.set()
        if self.thread is not None:
            self.server.shutdown()
            self.thread = None
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def exports(sim, collections_path=None):
    """Shell lines that point the collection at the first simulated cluster."""
    variables = [('REDIS_ENTERPRISE_URL', sim.urls[0]), ('REDIS_ENTERPRISE_USERNAME', ADMIN_USER),
                 ('REDIS_ENTERPRISE_PASSWORD', ADMIN_PASSWORD), ('REDIS_ENTERPRISE_CA_PATH', sim.ca_path)]
    if collections_path:
        variables.insert(0, ('ANSIBLE_COLLECTIONS_PATH', collections_path))
    return '\n'.join("export %s='%s'" % pair for pair in variables)


# What the program tells a user, in --help and in the lines it prints at
# start, made from the tables the simulator serves by, so that neither
# drifts from what it does; the README quotes them, and
# tests/integration/test_readme.py holds it to them.

# The file of --cert-dir that holds a license the simulator accepts.
LICENSE_FILE = 'license.txt'
METHODS = ('GET', 'POST', 'PUT', 'DELETE')


def logins():
    """(email, password, management role) of every user who logs in to a
    fresh cluster."""
    management_of = dict((uid, management) for uid, dummy, management in BUILTIN_ROLES)
    return [(email, password, management_of[role]) for dummy, email, dummy, password, role in SEED_USERS]


def login_lines():
    """The logins as a table: email, password, management role."""
    found = logins()
    emails = max(len(email) for email, dummy, dummy in found) + 2
    passwords = max(len(password) for dummy, password, dummy in found) + 2
    return [email.ljust(emails) + password.ljust(passwords) + role for email, password, role in found]


def endpoint_lines():
    """One line per path of ROUTES, in their order: its methods, the path,
    and the methods that take ?dry_run."""
    paths = {}
    for method, path in ROUTES:
        paths.setdefault(path, []).append(method)
    paths = dict((path, sorted(methods, key=METHODS.index)) for path, methods in paths.items())
    first = max(len(', '.join(methods)) for methods in paths.values()) + 2
    width = max(len(path) for path in paths) + 2
    lines = []
    for path, methods in paths.items():
        dry = [method for method in methods if (method, path) in DRY_RUNS]
        served = path.ljust(width) + '?dry_run: ' + ', '.join(dry) if dry else path
        lines.append(', '.join(methods).ljust(first) + served)
    return lines


def accepted_license():
    """The text of license.txt: one the fresh cluster accepts, valid for
    longer than the one it holds, so that installing it changes something."""
    return license_text(days=730)


def _wrapped(text):
    return '\n'.join(textwrap.wrap(text, 78))


def help_epilog():
    indent = '\n  '
    return '\n\n'.join([
        _wrapped('Logins, the users of a fresh cluster (email, password, management role); the users created through '
                 'the API log in too:') + indent + indent.join(login_lines()),
        _wrapped('A license it accepts: at start it writes %s in --cert-dir, a license for %s valid for two years (the '
                 'one a fresh cluster holds is valid for one), and prints its path. Give its text to '
                 'redis.enterprise.license:' % (LICENSE_FILE, FQDN))
        + indent + "license: \"{{ lookup('ansible.builtin.file', '/path/to/cert-dir/%s') }}\"" % LICENSE_FILE,
        'Endpoints of the REST API (basic auth, as one of the logins):' + indent + indent.join(endpoint_lines())
        + '\n' + _wrapped('and, with no auth, the state of a cluster: GET, PUT /_sim/state; POST /_sim/reset.'),
        _wrapped("TLS: each port presents its cluster's api certificate. A fresh cluster's is issued by the CA of "
                 'ca.pem in --cert-dir (REDIS_ENTERPRISE_CA_PATH); an api certificate written (PUT '
                 '/v1/cluster/certificates or PUT /v1/cluster/update_cert) is the one that the connections opened '
                 'after it meet.'),
        _wrapped('It serves until interrupted (Ctrl-C or SIGTERM). Once it listens, it prints the shell lines that '
                 'point the collection at the first cluster, with absolute paths, its logins and the path of the '
                 'license; --ready-file gets {"urls": [...], "ca_path": ..., "license_path": ..., "pid": ...}. It '
                 'refuses to start, writing nothing, while another simulator serves from the same --cert-dir or '
                 'something listens on one of its ports.'),
    ])


def started(sim, license_path, collections_path=None):
    """What the program prints once it listens."""
    return '\n'.join([
        'Simulated cluster%s at %s. In another shell:' % ('s' if len(sim.urls) > 1 else '', ', '.join(sim.urls)),
        '', exports(sim, collections_path), '',
        'Its logins (email, password, management role), for REDIS_ENTERPRISE_USERNAME and REDIS_ENTERPRISE_PASSWORD:',
    ] + ['  ' + line for line in login_lines()] + [
        'A license it accepts, for redis.enterprise.license: %s' % license_path,
        '', 'Ctrl-C stops it.'])


def _write(path, text):
    """Write text to path at once: a reader never finds half of it."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        handle.write(text)
    os.replace(tmp, path)


def _port_in_use(port):

    """Whether something listens on 127.0.0.1:port already: bound as the
    simulator's servers bind, so a port in TIME_WAIT counts as free."""
    probe = socket.socket()
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(('127.0.0.1', port))
    except OSError:
        return True
    finally:
        probe.close()
    return False


def _hold(cert_dir):
    """The lock of cert_dir, held for as long as this process serves from
    it, or None when another simulator holds it: two simulators of one
    cert dir would write one ca.pem, the second over the first's CA."""
    import fcntl  # POSIX only, as the program is; the classes above need it not

    handle = open(os.path.join(cert_dir, 'simulator.lock'), 'a+')
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _refuse(what, cert_dir, stop='Stop that simulator (Ctrl-C in its shell)'):
    print('Not started: %s. %s, or start this one on another port with a cert dir of its own, e.g. make simulator '
          "SIMULATOR_ARGS='--port 10443 --cert-dir %s-10443'." % (what, stop, cert_dir), file=sys.stderr, flush=True)
    return 2


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=_wrapped('A simulated Redis Enterprise Software cluster, or several, one port each: the calls of '
                             'its REST API listed below, over HTTPS on 127.0.0.1, to try the redis.enterprise '
                             'collection against.'),
        epilog=help_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clusters', type=int, default=1, help='clusters to serve, one port each (default: 1)')
    parser.add_argument('--port', type=int, default=0, help='first port (default: any free port)')
    parser.add_argument('--cert-dir', required=True,
                        help='where to write the CA certificate (ca.pem) and a license it accepts (%s); one '
                             'simulator at a time per directory' % LICENSE_FILE)
    parser.add_argument('--ready-file', help='write {"urls": [...], "ca_path": ..., "license_path": ..., "pid": ...} '
                                             'here once listening')
    parser.add_argument('--responder-url', default='',
                        help='the OCSP responder URL that the proxy certificate names, which turning stapling on '
                             'needs (default: none, as on a fresh cluster); e.g. %s' % RESPONDER_URL)
    parser.add_argument('--config', default='{}', help="JSON object merged into every cluster's OCSP config")
    parser.add_argument('--collections-path', help='ANSIBLE_COLLECTIONS_PATH to print with the other variables')
    parser.add_argument('--check-contract', action='store_true',
                        help="check every request and answer against the collection's declaration of the API "
                             '(plugins/module_utils/_contract.py; needs jsonschema); GET /_sim/state lists the '
                             'violations')
    args = parser.parse_args(argv)
    if args.check_contract:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'contract'))
        import checker  # pylint: disable=import-outside-toplevel

        check_contract(checker.Checker())
    # Absolute: the lines it prints are for a shell in any directory.
    cert_dir = os.path.abspath(args.cert_dir)
    os.makedirs(cert_dir, exist_ok=True)
    running = os.path.join(cert_dir, 'simulator.json')
    lock = _hold(cert_dir)
    if lock is None:
        try:
            with open(running) as handle:
                other = json.load(handle)
            said = 'pid %s, %s' % (other['pid'], ', '.join(other['urls']))
        except (OSError, ValueError, KeyError, TypeError):
            said = 'starting'
        return _refuse('another simulator (%s) serves from %s, and its CA (%s) stays as it is'
                       % (said, cert_dir, os.path.join(cert_dir, 'ca.pem')), args.cert_dir.rstrip('/'))
    with lock:
        busy = [port for port in range(args.port, args.port + args.clusters) if args.port and _port_in_use(port)]
        if busy:
            return _refuse('127.0.0.1:%d is in use already, by another simulator or program; no CA was written to '
                           '%s' % (busy[0], cert_dir), args.cert_dir.rstrip('/'), 'Stop what listens there')
        try:
            sim = Simulator(cert_dir, clusters=args.clusters, port=args.port, responder_url=args.responder_url)
        except OSError as error:
            # Taken between the check and the bind.
            return _refuse('a port from %d could not be bound (%s)' % (args.port, error), args.cert_dir.rstrip('/'))
        for cluster in sim.clusters:
            cluster.update({'config': json.loads(args.config)})
        license_path = os.path.join(cert_dir, LICENSE_FILE)
        _write(license_path, accepted_license())
        sim.start()
        info = json.dumps({'urls': sim.urls, 'ca_path': sim.ca_path, 'license_path': license_path, 'pid': os.getpid()})
        for path in [running] + ([args.ready_file] if args.ready_file else []):
            _write(path, info + '\n')
        print(started(sim, license_path, args.collections_path), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        finally:
            sim.stop()
            os.remove(running)
    return 0


if __name__ == '__main__':
    sys.exit(main())

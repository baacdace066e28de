# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's named certificates as resources of the engine: one of them
enforced (redis.enterprise.certificate), all of them read
(redis.enterprise.certificate_info).

GET /v1/cluster/certificates answers every certificate with its private
key. The keys are dropped where that answer is read (read_certificates), so
nothing after it can print, diff or return them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from . import _ocsp, _x509
from ._api import RedisEnterpriseError
from ._engine import Plan, Resource, Spec

CERTIFICATES_PATH = '/v1/cluster/certificates'
# The only write before 7.22.2; deprecated since, "will be removed".
UPDATE_CERT_PATH = '/v1/cluster/update_cert'

# The documented names: those the cluster generates, then optional ones.
GENERATED = ('api', 'cm', 'proxy', 'syncer', 'metrics_exporter', 'ccs_internode_encryption',
             'data_internode_encryption')
NAMES = GENERATED + ('ldap_client', 'mtls_trusted_ca', 'sso_service', 'sso_issuer')

STAPLING_NEEDS_RESPONDER = (
    'OCSP stapling is on, and the new proxy certificate names no OCSP responder (its Authority Information Access '
    'has no OCSP URL): the cluster would have no responder to ask, and clients that check the staple would refuse '
    'every database. Nothing was written. Turn stapling off first (redis.enterprise.ocsp with '
    'ocsp_functionality: false), or use a certificate whose own Authority Information Access names an OCSP '
    'responder.')


INSTALLED_BUT = (
    'The proxy certificate is installed, but %s. OCSP stapling is on, so clients that check the staple refuse the '
    'handshake while the cluster has no GOOD status for the new certificate. %s Then ask again with '
    'redis.enterprise.ocsp_info (test_certificate: true), or turn stapling off (redis.enterprise.ocsp, '
    'ocsp_functionality: false).')


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def read_certificates(api, only=None, keys=True):
    """GET /v1/cluster/certificates as {name: (certificates, key_matches)}
    for every name the cluster answered a certificate for (or only that
    one): the certificates parsed, leaf first, and whether the cluster's key
    belongs to the leaf (None when it answered no key, or keys is false).
    The keys go no further than here."""
    answer = api.get(CERTIFICATES_PATH)
    found = {}
    try:
        for field in sorted(answer):
            if not field.endswith('_cert') or not answer[field]:
                continue
            name = field[:-len('_cert')]
            if only not in (None, name):
                continue
            try:
                certificates = _x509.load_certificates(answer[field], 'The %s certificate the cluster returned'
                                                       % name)[0]
            except ValueError as error:
                raise RedisEnterpriseError('%s. See it with "rladmin cluster certificate list" on a node.' % error)
            matches = None
            if keys and answer.get(name + '_key'):
                try:
                    matches = _x509.key_matches(_x509.load_key(answer[name + '_key'], 'key')[0], certificates[0])
                except ValueError:
                    matches = False
            found[name] = (certificates, matches)
    finally:
        answer.clear()
    return found


def describe(certificates):
    """The leaf described, with the subject and fingerprint of each
    certificate of its chain."""
    leaf = _x509.describe(certificates[0])
    leaf['chain'] = [dict(subject=c.subject.rfc4514_string(), sha256_fingerprint=_x509.fingerprint(c))
                     for c in certificates[1:]]
    return leaf


def explain_write(params, failure):
    """The documented statuses of a certificate write, each its own message."""
    name = params.get('name')
    said = failure.said
    if failure.status == 400:
        return ('The cluster refused the %s certificate or its key as invalid (HTTP 400, %s).%s Check that the '
                'certificate is PEM, leaf first, and the key its unencrypted private key.'
                % (name, failure.call, said))
    if failure.status == 403:
        return ('The cluster refused to write the %s certificate (HTTP 403, %s): this cluster version does not know '
                'that certificate name, or user %s is not an admin (writing certificates takes the admin role).%s'
                % (name, failure.call, failure.user, said))
    if failure.status == 404 and failure.path == UPDATE_CERT_PATH:
        return ('The cluster found the %s certificate invalid (HTTP 404, %s).%s Check that the key belongs to the '
                'certificate and that the chain is complete.' % (name, failure.call, said))
    if failure.status == 406:
        return ('The cluster refused the %s certificate as expired (HTTP 406, %s).%s Give a current certificate.'
                % (name, failure.call, said))
    if failure.status == 409:
        return ('Not all nodes of the cluster took the new %s certificate (HTTP 409, %s, %d tries with backoff): the '
                'nodes may now hold different %s certificates. Run the task again, which writes it to every node '
                'again.%s' % (name, failure.call, failure.tries, name, said))
    return None


class Certificate(Resource):
    """One named certificate of the cluster, compared by the leaf's SHA-256
    fingerprint and, where the cluster returns one, the chain's. Written
    with PUT /v1/cluster/certificates, or PUT /v1/cluster/update_cert on a
    cluster that answers the first with 404 or 405 (before 7.22.2)."""

    requires = ('cryptography',)
    # "Not all nodes were updated": the write is the same whole certificate
    # each time, so sending it again is safe.
    retry_statuses = {CERTIFICATES_PATH: (409,), UPDATE_CERT_PATH: (409,)}
    spec = Spec(dict(
        name=dict(type='str', required=True, choices=list(NAMES)),
        certificate=dict(type='str', required=True),
        key=dict(type='str', required=True, no_log=True),
    ))

    def desired(self, params):
        """The certificate and key, parsed and checked on the controller:
        what the documented requirements let the certificate alone show.
        Refused: an expired certificate or one not valid yet; for the names
        the cluster generates, an extended key usage without both serverAuth
        and clientAuth; for the internode ones, a key other than RSA. A
        certificate that expires within 30 days is taken, with a warning in
        warnings. Only the PEM blocks are kept, with \\n line endings."""
        name = params['name']
        try:
            certificates, pem = _x509.load_certificates(params['certificate'], 'certificate')
            key, key_pem = _x509.load_key(params['key'], 'key')
        except ValueError as error:
            raise RedisEnterpriseError('%s.' % error)
        if not _x509.key_matches(key, certificates[0]):
            others = [index for index, other in enumerate(certificates[1:], 2) if _x509.key_matches(key, other)]
            if others:
                raise RedisEnterpriseError(
                    'key belongs to certificate %d of the certificate option, not to the first: give the leaf first, '
                    'then its chain.' % others[0])
            raise RedisEnterpriseError(
                "key does not belong to the certificate (their public keys differ): give the certificate's own "
                'private key.')
        leaf, now = certificates[0], _now()
        expires = _x509.not_after(leaf)
        if expires <= now:
            raise RedisEnterpriseError(
                'The certificate expired on %s; the cluster refuses an expired certificate (HTTP 406). Give a '
                'current one.' % _x509.iso(expires))
        problems = [_x509.not_yet_valid(leaf, name, now)]
        # ldap_client, mtls_trusted_ca and sso_* are client, CA and IdP certificates: not the cluster's own.
        if name in GENERATED:
            problems.append(_x509.lacks_tls_purposes(leaf, name))
        if name in ('ccs_internode_encryption', 'data_internode_encryption'):
            problems.append(_x509.not_rsa(leaf, name))
        problems = [problem for problem in problems if problem]
        if problems:
            raise RedisEnterpriseError(' '.join(problems))
        warnings = [warning for warning in [_x509.expires_soon(leaf, name, now)] if warning]
        return dict(certificates=certificates, pem=pem, key=key_pem, warnings=warnings)

    def read(self, api, task):
        # Only the certificate to compare; its key is not needed for that.
        return read_certificates(api, only=task.params['name'], keys=False)

    def plan(self, task, state, want):
        for warning in want.get('warnings', ()):
            task.warn(warning)
        name = task.params['name']
        stored = state.get(name, (None,))[0]
        before = describe(stored) if stored else {}
        wanted = want['certificates']
        prints = [[_x509.fingerprint(c) for c in found] for found in (stored or [], wanted)]
        # A cluster that keeps the leaf alone has no chain to compare.
        same = bool(stored) and prints[0][0] == prints[1][0] and (len(stored) == 1 or prints[0] == prints[1])
        plan = Plan(before, before if same else describe(wanted),
                    body=dict(name=name, certificate=want['pem'], key=want['key']))
        plan.stapling = False
        return plan

    def prepare(self, api, task, state, plan):
        if task.params['name'] == 'proxy':
            plan.config = api.get(_ocsp.CONFIG_PATH)
            plan.stapling = bool(_ocsp.CONFIG.writable(plan.config).get('ocsp_functionality'))
            if plan.stapling and not plan.after['ocsp_responder_url']:
                raise RedisEnterpriseError(STAPLING_NEEDS_RESPONDER)
        return {}

    def write(self, api, task, state, plan):
        try:
            api.put(CERTIFICATES_PATH, dict(certificates=[plan.body]), empty_ok=True)
        except RedisEnterpriseError as error:
            # The API's own answer that it has no such write: before 7.22.2.
            if error.http_status not in (404, 405):
                raise
            api.put(UPDATE_CERT_PATH, plan.body, empty_ok=True)
        return state

    def after_write(self, api, task, state, plan):
        """A new proxy certificate while stapling is on: until its next query
        the cluster staples the status of the certificate it replaced, so it
        is asked at once, which also caches the answer."""
        if not plan.stapling:
            return {}
        installed = dict(changed=True, certificate=plan.after)
        try:
            status = _ocsp.ask_responder(api, task, plan.config)
        except RedisEnterpriseError as error:
            raise RedisEnterpriseError(
                INSTALLED_BUT % ('asking its OCSP responder failed (%s)' % error.msg.rstrip('.'),
                                 "Check that the cluster's nodes reach the responder."),
                http_status=error.http_status, error_code=error.error_code, keys=installed)
        problem = _ocsp.status_problem(status)
        if problem:
            raise RedisEnterpriseError(INSTALLED_BUT % problem, keys=dict(installed, ocsp_status=status))
        return dict(ocsp_status=status)

    def result(self, task, state, plan, written):
        return dict(certificate=plan.after)

    def explain(self, params, failure):
        if failure.method == 'PUT' and failure.path == CERTIFICATES_PATH and failure.status in (404, 405):
            # Not shown: the write goes to update_cert then.
            return 'PUT %s is not on this cluster (HTTP %d)' % (CERTIFICATES_PATH, failure.status)
        if failure.method == 'PUT':
            return explain_write(params, failure)
        return _ocsp.explain(params, failure)


class Info(Resource):
    """Every certificate of the cluster, described, with its days to expiry
    and whether the cluster's key belongs to it."""

    requires = ('cryptography',)
    spec = Spec({})

    def read(self, api, task):
        return read_certificates(api)

    def result(self, task, state, plan, written):
        now = _now()
        found = {}
        for name, (certificates, matches) in state.items():
            described = describe(certificates)
            left = _x509.not_after(certificates[0]) - now
            described.update(days_until_expiry=int(left.total_seconds() // 86400), expired=left.total_seconds() <= 0,
                             key_matches=matches)
            if name == 'proxy':
                described['ocsp_stapling_capable'] = bool(described['ocsp_responder_url'])
            found[name] = described
        return dict(certificates=found)


CERTIFICATE = Certificate()
INFO = Info()

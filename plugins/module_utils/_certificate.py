# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's named certificates and the databases' own proxy
certificates as resources of the engine: one of them enforced
(redis.enterprise.certificate, by the certificate's name or by the
database's), all of them read (redis.enterprise.certificate_info).

GET /v1/cluster/certificates answers every certificate with its private
key. The keys are dropped where that answer is read (read_certificates), so
nothing after it can print, diff or return them. A database's key is
write-only in the API: sent in the POST body, never answered."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from . import _contract, _database, _ocsp, _x509
from ._api import RedisEnterpriseError
from ._engine import Plan, Resource, Spec

CERTIFICATES_PATH = '/v1/cluster/certificates'
# The only write before 7.22.2; deprecated since, "will be removed".
UPDATE_CERT_PATH = '/v1/cluster/update_cert'

CLUSTER_PATH = '/v1/cluster'

# A database's own proxy certificate, and all of them.
BDB_CERTIFICATE_PATH = '/v1/bdbs/%s/certificates'
BDB_CERTIFICATES_PATH = '/v1/bdbs/certificates'
# Certificates per page of GET /v1/bdbs/certificates: a cluster with fewer answers in one GET.
PAGE_SIZE = 1000

# The documented names: those the cluster generates, then optional ones.
GENERATED = ('api', 'cm', 'proxy', 'syncer', 'metrics_exporter', 'ccs_internode_encryption',
             'data_internode_encryption')
OPTIONAL = ('ldap_client', 'mtls_trusted_ca', 'sso_service', 'sso_issuer')
NAMES = GENERATED + OPTIONAL
# A CA's and an identity provider's certificate: the cluster takes and keeps no key for them.
KEYLESS = ('mtls_trusted_ca', 'sso_issuer')
# How long a certificate write may take on the cluster: the API's own figure.
WRITE_SECONDS = _contract.timeout('PUT', CERTIFICATES_PATH)

NOT_ASKED_IN_CHECK_MODE = (
    "OCSP stapling is on, and the new proxy certificate's responder %s was not asked in check mode: it can only "
    'be asked once the certificate is installed. The real run asks it right after the install and fails if the '
    'answer is not a GOOD and current one, with the certificate installed.')

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


class Stored(object):
    """One certificate as the cluster answered it: its certificates parsed,
    leaf first, and whether the cluster's key belongs to the leaf (None when
    it answered no key, or the key was not asked for); or, for one that does
    not parse, error, which says why."""

    def __init__(self, certificates=None, matches=None, error=None):
        self.certificates = certificates
        self.matches = matches
        self.error = error

    def prints(self):
        return [_x509.fingerprint(c) for c in self.certificates or ()]

    def describe(self):
        return describe(self.certificates) if self.certificates else dict(error=self.error)


def _text(value, what):
    """value, when it is text; else ValueError, which says what the cluster
    answered instead, in JSON's words."""
    if isinstance(value, str):
        return value
    kind = ('a boolean' if isinstance(value, bool) else 'a number' if isinstance(value, (int, float))
            else 'a list' if isinstance(value, list) else 'an object' if isinstance(value, dict)
            else 'a %s' % type(value).__name__)
    raise ValueError('%s is %s, not PEM text' % (what, kind))


def _parsed(value, what):
    """The certificates of a PEM text the cluster answered, leaf first, or
    ValueError, which says why not."""
    certificates = _x509.load_certificates(_text(value, what), what)[0]
    for index, certificate in enumerate(certificates):
        # cryptography parses the extensions when first asked for them: one
        # that does not parse is found here, not when the certificate is
        # described.
        try:
            certificate.extensions  # pylint: disable=pointless-statement
        except ValueError as error:
            raise ValueError('%s: certificate %d of %d has an extension that cannot be read (%s)'
                             % (what, index + 1, len(certificates), error))
    return certificates


def read_certificates(api, only=None, keys=True):
    """GET /v1/cluster/certificates as {name: Stored} for every name the
    cluster answered a certificate for (or only that one). A certificate
    that does not parse, or that the answer gives as something else than
    text, is a Stored with its error: one bad entry must not hide the
    others, nor block its own replacement. A key that cannot be read does
    not match. The keys go no further than here."""
    answer = api.get(CERTIFICATES_PATH)
    found = {}
    try:
        for field in sorted(answer):
            # An empty or null one is a certificate the cluster does not have.
            if not field.endswith('_cert') or answer[field] in (None, ''):
                continue
            name = field[:-len('_cert')]
            if only not in (None, name):
                continue
            try:
                certificates = _parsed(answer[field], 'The %s certificate the cluster returned' % name)
            except ValueError as error:
                found[name] = Stored(error='%s' % error)
                continue
            matches = None
            key = answer.get(name + '_key') if keys else None
            if key not in (None, ''):
                try:
                    matches = _x509.key_matches(_x509.load_key(_text(key, 'key'), 'key')[0], certificates[0])
                except ValueError:
                    matches = False
            found[name] = Stored(certificates, matches)
    finally:
        answer.clear()
    return found


def _bdb_uid(value):
    """A database's uid as the collection gives it: an integer, from the
    text the certificates' answer gives it as."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def database_stored(answer, uid):
    """The Stored of one database's certificate as the cluster answered it
    (a BdbProxyCertificate): its cert parsed, or its error. The cluster
    never answers the key, so nothing says whether it matches."""
    what = 'The proxy certificate the cluster returned for the database of uid %s' % uid
    if answer.get('cert') in (None, ''):
        return Stored(error='%s holds no cert' % what)
    try:
        return Stored(_parsed(answer['cert'], what))
    except ValueError as error:
        return Stored(error='%s' % error)


def read_database_certificates(api, expires_before=None):
    """Every database's own proxy certificate (GET /v1/bdbs/certificates),
    or those that expire before expires_before (a datetime), as [(bdb_uid,
    Stored)] in the cluster's order; None when the cluster has no such call
    (HTTP 404 or 405: a cluster before per-database certificates).

    The pages are asked for PAGE_SIZE at a time: a cluster with fewer
    certificates answers in one GET. A page that comes back full is
    followed by the next; a page longer than asked for, or one that brings
    no database not seen yet, is a cluster that does not page, and the
    last."""
    found, seen, page = [], set(), 1
    while True:
        query = dict(page=str(page), page_size=str(PAGE_SIZE))
        if expires_before is not None:
            query['expires_before'] = _x509.iso(expires_before)
        try:
            answer = api.get(BDB_CERTIFICATES_PATH, query=query)
        except RedisEnterpriseError as error:
            if page == 1 and error.http_status in (404, 405):
                return None
            raise
        fresh = False
        # The transport has checked that each entry is an object.
        for entry in answer:
            uid = _bdb_uid(entry.get('bdb_uid'))
            if uid is not None and uid in seen:
                continue
            if uid is not None:
                seen.add(uid)
                fresh = True
            found.append((uid, database_stored(entry, uid)))
        if len(answer) != PAGE_SIZE or not fresh:
            return found
        page += 1


def database_names(api):
    """uid -> (name, label) of the cluster's databases (GET
    /v1/bdbs?fields=uid,name, as redis.enterprise.database finds one). The
    label names a database's certificate beside the cluster's: bdb:NAME, or
    bdb:NAME:UID when two databases answer to NAME (a database's name holds
    no colon)."""
    found = [(_bdb_uid(bdb.get('uid')), bdb.get('name')) for bdb in api.get(_database.PATH, query=_database.KEYS)]
    counts = {}
    for dummy, name in found:
        counts[name] = counts.get(name, 0) + 1
    return dict((uid, (name, 'bdb:%s:%s' % (name, uid) if counts[name] > 1 else 'bdb:%s' % name))
                for uid, name in found)


def describe(certificates):
    """The leaf described, with the subject and fingerprint of each
    certificate of its chain."""
    leaf = _x509.describe(certificates[0])
    leaf['chain'] = [dict(subject=c.subject.rfc4514_string(), sha256_fingerprint=_x509.fingerprint(c))
                     for c in certificates[1:]]
    return leaf


FORCE = 'Run the task again with force: true, which writes the certificate to every node again.'


def explain_write(params, failure):
    """The documented statuses of a certificate write, each its own message."""
    name = params.get('name')
    said = failure.said
    if failure.status == 400:
        return ('The cluster refused the %s certificate or its key as invalid (HTTP 400, %s).%s Nothing was '
                'written: the cluster checks every certificate before it applies any. Check that the certificate '
                'is PEM, leaf first, and the key its unencrypted private key.' % (name, failure.call, said))
    if failure.status == 403:
        return ('The cluster refused to write the %s certificate (HTTP 403, %s): this cluster version does not know '
                'that certificate name, or user %s lacks the update_cluster permission (writing certificates takes '
                'the admin role).%s' % (name, failure.call, failure.user, said))
    if failure.status == 404 and failure.path == UPDATE_CERT_PATH:
        return ('The cluster found the %s certificate invalid (HTTP 404, %s).%s Check that the key belongs to the '
                'certificate and that the chain is complete.' % (name, failure.call, said))
    if failure.status == 406:
        return ('The cluster refused the %s certificate as expired (HTTP 406, %s).%s Nothing was written. Give a '
                'current certificate.' % (name, failure.call, said))
    if failure.status == 409:
        return ('Not all nodes of the cluster took the new %s certificate (HTTP 409, %s, %d tries with backoff): '
                'the nodes may now hold different %s certificates, and a run that finds the new one on the node it '
                'asks will change nothing.%s %s' % (name, failure.call, failure.tries, name, said, FORCE))
    if failure.status >= 500:
        return ('The cluster answered the write of the %s certificate with HTTP %d (%s, error code %s).%s Whether '
                'its nodes took it is not known: they may now hold different %s certificates. %s'
                % (name, failure.status, failure.call, failure.code or 'none', said, name, FORCE))
    return None


def option_problem(params):
    """What is wrong with the combination of options, or None."""
    name, state = params['name'], params['state']
    if state == 'absent':
        if name not in OPTIONAL:
            return ('state=absent is only for the optional certificates (%s): the cluster cannot do without its '
                    '%s certificate. Give a new one with state=present instead.' % (', '.join(OPTIONAL), name))
        return None
    if name in KEYLESS and params.get('key') is not None:
        return ('key must not be given for %s: the cluster takes no private key for that certificate (a CA or an '
                "identity provider's certificate). Drop the key option." % name)
    # An empty one is given: _x509 says it is empty.
    if name not in KEYLESS and params.get('key') is None:
        return ("key is required for the %s certificate: give its unencrypted private key, e.g. with "
                "lookup('ansible.builtin.file', '%s.key')." % (name, name))
    return None


def explain_delete(params, failure):
    name = params.get('name')
    if failure.status == 403:
        return ('The cluster refused to remove the %s certificate (HTTP 403, %s): it is a certificate the cluster '
                'requires, or user %s lacks the update_cluster permission.%s'
                % (name, failure.call, failure.user, failure.said))
    return None


def checked(params, name, label, stapled=True):
    """The certificate and key of params, parsed and checked on the
    controller by the rules of the certificate name (a database's proxy
    certificate is checked as the cluster's proxy certificate is); label:
    how the messages name it ("proxy", "the orders database's proxy"),
    as in "The %s certificate"; stapled: whether OCSP stapling may ask
    about it (the cluster's proxy certificate). Raises RedisEnterpriseError
    for what is refused; what is taken with a warning is in warnings."""
    try:
        certificates, pem = _x509.load_certificates(params['certificate'], 'certificate', option=True)
        key, key_pem = (None, None) if name in KEYLESS else _x509.load_key(params['key'], 'key', option=True)
    except ValueError as error:
        raise RedisEnterpriseError('%s.' % error)
    if key is not None and not _x509.key_matches(key, certificates[0]):
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
    problems = [_x509.not_yet_valid(leaf, label, now)]
    # ldap_client, mtls_trusted_ca and sso_* are client, CA and IdP certificates: not the cluster's own.
    if name in GENERATED:
        problems.append(_x509.lacks_tls_purposes(leaf, label))
    if name in ('ccs_internode_encryption', 'data_internode_encryption'):
        problems.append(_x509.not_rsa(leaf, label))
    # The proxy certificate is the one OCSP stapling asks about; one that
    # names a responder is meant for it.
    refusal, chain_warnings = _x509.check_chain(
        certificates, 'The %s certificate' % label,
        responder=_x509.ocsp_url(leaf) if name == 'proxy' and stapled else None,
        anchor=name in KEYLESS)
    problems = [problem for problem in problems + [refusal] if problem]
    if problems:
        raise RedisEnterpriseError(' '.join(problems))
    warnings = [warning for warning in [_x509.expires_soon(leaf, label, now)] + chain_warnings if warning]
    return dict(certificates=certificates, pem=pem, key=key_pem, warnings=warnings,
                issuer_given=len(certificates) > 1 or _x509.signed_by(leaf, leaf) is not False)


# The options of redis.enterprise.certificate: a certificate of the cluster
# by its name, or a database's own (proxy) certificate by the database's.
SPEC = Spec(dict(
    name=dict(type='str', choices=list(NAMES)),
    database=dict(type='str'),
    # Public text, but no_log all the same: a private key given here by
    # mistake (or the whole PEM bundle) must not reach the invocation or
    # a log line, and ansible-core logs what is not no_log.
    certificate=dict(type='str', no_log=True),
    key=dict(type='str', no_log=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    force=dict(type='bool', default=False),
), required_one_of=[('name', 'database')], required_if=[('state', 'present', ['certificate'])])


class Certificate(Resource):
    """One named certificate of the cluster, compared by the SHA-256
    fingerprints of the leaf and of its chain as the cluster returns them.
    Written with PUT /v1/cluster/certificates, or PUT /v1/cluster/update_cert
    on a cluster that answers the first with 404 or 405 (before 7.22.2), then
    read back; an optional one is removed with DELETE."""

    requires = ('cryptography',)
    # "Not all nodes were updated": the write is the same whole certificate
    # each time, so sending it again is safe. Anything else may still be at
    # work on the cluster (a write may take WRITE_SECONDS): never sent again.
    retry_statuses = {CERTIFICATES_PATH: (409,), UPDATE_CERT_PATH: (409,)}
    slow_writes = (CERTIFICATES_PATH, UPDATE_CERT_PATH)

    def desired(self, params):
        """The certificate and key, parsed and checked on the controller:
        what the documented requirements let the certificate alone show.
        Refused: an expired certificate or one not valid yet; for the names
        the cluster generates, an extended key usage without both serverAuth
        and clientAuth; for the internode ones, a key other than RSA; a
        chain whose certificates do not each sign the one before them. A
        certificate that expires within 30 days, or whose last certificate's
        issuer is not given (but for a CA the cluster trusts as given), is
        taken, with a warning in warnings. Only the PEM blocks are kept, with
        \\n line endings."""
        problem = option_problem(params)
        if problem:
            raise RedisEnterpriseError(problem)
        if params['state'] == 'absent':
            return {}
        return checked(params, params['name'], params['name'])

    def read(self, api, task):
        # Only the certificate to compare; its key is not needed for that.
        return read_certificates(api, only=task.params['name'], keys=False)

    def plan(self, task, state, want):
        for warning in want.get('warnings', ()):
            task.warn(warning)
        name = task.params['name']
        stored = state.get(name)
        before = stored.describe() if stored else {}
        if task.params['state'] == 'absent':
            return Plan(before, {})
        wanted = want['certificates']
        body = dict(name=name, certificate=want['pem'])
        if want['key']:
            body['key'] = want['key']
        # The whole chain as the cluster returns it: one kept without its
        # intermediate is written again, the leaf alone being the same.
        same = bool(stored) and stored.prints() == [_x509.fingerprint(c) for c in wanted]
        forced = task.params['force']
        return Plan(before, before if same else describe(wanted), body=body, changed=True if forced else None,
                    want=want)

    @staticmethod
    def _stapling(plan):
        """Whether OCSP stapling is on, by the configuration prepare() read
        for a proxy certificate (none for another name)."""
        return bool(plan.related) and bool(_ocsp.CONFIG.writable(plan.related).get('ocsp_functionality'))

    def prepare(self, api, task, state, plan):
        name = task.params['name']
        if task.params['state'] == 'absent':
            return {}
        if name in GENERATED:
            self._check_names(api, task, plan)
        if name == 'proxy':
            try:
                plan.related = api.get(_ocsp.CONFIG_PATH)
            except RedisEnterpriseError as error:
                raise RedisEnterpriseError(
                    'The proxy certificate was not written: before writing one, the module reads the OCSP '
                    'configuration (GET %s) to check that OCSP stapling, if it is on, keeps a responder to ask, and '
                    'that read failed. %s' % (_ocsp.CONFIG_PATH, error.msg),
                    http_status=error.http_status, error_code=error.error_code)
            stapling = self._stapling(plan)
            if stapling and not plan.after.get('ocsp_responder_url'):
                raise RedisEnterpriseError(STAPLING_NEEDS_RESPONDER)
            if stapling and task.check_mode:
                task.warn(NOT_ASKED_IN_CHECK_MODE % plan.after['ocsp_responder_url'])
        return {}

    @staticmethod
    def _check_names(api, task, plan):
        """A warning for SANs that miss the cluster's FQDN: the docs' rule,
        which a certificate for another name may break on purpose."""
        try:
            fqdn = api.get(CLUSTER_PATH).get('name')
        except RedisEnterpriseError as error:
            task.warn('The subject alternative names were not checked against the cluster\'s FQDN: %s'
                      % error.msg)
            return
        if not fqdn:
            return
        missing = _x509.missing_names(plan.want['certificates'][0], fqdn)
        if missing:
            task.warn('The new %s certificate does not cover the cluster\'s FQDN %s: its subject alternative names '
                      'lack %s. The docs ("Create certificates") ask for DNS entries %s, *.%s, internal.%s and '
                      '*.internal.%s; clients that connect by those names will refuse it.'
                      % (task.params['name'], fqdn, ', '.join(missing), fqdn, fqdn, fqdn, fqdn))

    def write(self, api, task, state, plan):
        name = task.params['name']
        if task.params['state'] == 'absent':
            api.delete('%s/%s' % (CERTIFICATES_PATH, name), gone_ok=True)
            return self._read_back(api, task, plan, removed=True)
        waits = max(WRITE_SECONDS, task.params['timeout'])
        try:
            try:
                api.put(CERTIFICATES_PATH, dict(certificates=[plan.body]), empty_ok=True, read_timeout=waits)
            except RedisEnterpriseError as error:
                # The API's own answer that it has no such write: before 7.22.2.
                if error.http_status not in (404, 405):
                    raise
                api.put(UPDATE_CERT_PATH, plan.body, empty_ok=True, read_timeout=waits)
        except RedisEnterpriseError as error:
            if error.http_status is None and error.sent:
                return self._unanswered(api, task, plan, error)
            if error.http_status is not None and (error.http_status == 409 or error.http_status >= 500):
                # The cluster leaves it open whether (and on which nodes) it applied the write.
                error.keys = dict(error.keys, changed=True)
            raise
        return self._read_back(api, task, plan)

    def _unanswered(self, api, task, plan, error):
        """A write that went out and got no answer is not sent again: it may
        still be at work. What the cluster holds says whether it took."""
        try:
            state = read_certificates(api, only=task.params['name'], keys=False)
        except RedisEnterpriseError as reading:
            raise RedisEnterpriseError(
                'The write of the %s certificate got no answer (%s), and reading the certificates back failed too '
                '(%s): the outcome of the write is unknown. It was not sent again. Check with '
                'redis.enterprise.certificate_info once the cluster answers, then run the task again.'
                % (task.params['name'], error.msg.rstrip('.'), reading.msg.rstrip('.')), keys=dict(changed=True))
        stored = state.get(task.params['name'])
        if stored and stored.prints()[:1] == [plan.after['sha256_fingerprint']]:
            task.warn('The write of the %s certificate got no answer (%s), but the cluster holds the new '
                      'certificate now.' % (task.params['name'], error.msg.rstrip('.')))
            return self._read_back(api, task, plan, state=state)
        raise RedisEnterpriseError(
            'The write of the %s certificate got no answer, and the cluster does not hold the new certificate yet: '
            'the outcome of the write is unknown. It may still be at work on the cluster (a certificate write may '
            'take up to %d seconds) or have failed. It was not sent again. Check with '
            'redis.enterprise.certificate_info in a few minutes, then run the task again. The error: %s'
            % (task.params['name'], WRITE_SECONDS, error.msg), option=error.option,
            keys=dict(changed=True, certificate=stored.describe() if stored else {}))

    def _read_back(self, api, task, plan, removed=False, state=None):
        """What the cluster holds after the write: the result and the diff's
        after. A cluster that keeps less than was written is said, as every
        run will then write again."""
        name = task.params['name']
        if state is None:
            state = read_certificates(api, only=name, keys=False)
        stored = state.get(name)
        if removed:
            plan.after = stored.describe() if stored else {}
            return state
        written = plan.after
        plan.after = stored.describe() if stored else {}
        if not stored or stored.prints()[:1] != [written['sha256_fingerprint']]:
            raise RedisEnterpriseError(
                'The cluster accepted the write of the %s certificate, but it does not hold the new one when read '
                'back (GET %s): it holds %s. Check the cluster, then run again.'
                % (name, CERTIFICATES_PATH, 'none' if not stored else plan.after.get('sha256_fingerprint')
                   or plan.after.get('error')), keys=dict(changed=True, certificate=plan.after))
        if len(stored.certificates) < 1 + len(written['chain']):
            task.warn('The cluster kept less of the %s certificate than was written: %s of the %d certificates '
                      '(kept: %s). Every run will write it again, unless the task gives only what the cluster '
                      'keeps.' % (name, len(stored.certificates), 1 + len(written['chain']),
                                  '; '.join(c.subject.rfc4514_string() for c in stored.certificates)))
        return state

    def after_write(self, api, task, state, plan):
        """A new proxy certificate while stapling is on: until its next query
        the cluster staples the status of the certificate it replaced, so it
        is asked at once, which also caches the answer."""
        if not self._stapling(plan):
            return {}
        installed = dict(changed=True, certificate=plan.after)
        try:
            status = _ocsp.ask_responder(api, task, plan.related)
        except RedisEnterpriseError as error:
            check = ("Check that the cluster's nodes reach the responder." if plan.want['issuer_given'] else
                     "The certificate was given without its issuer's, which the cluster needs to ask (see the "
                     'warning): install it again with its chain, the intermediate that signed it first.')
            raise RedisEnterpriseError(
                INSTALLED_BUT % ('asking its OCSP responder failed (%s)' % error.msg.rstrip('.'), check),
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
        if failure.method == 'DELETE':
            return explain_delete(params, failure)
        return _ocsp.explain(params, failure)


def database_label(database):
    """How the messages name a database's proxy certificate, as in "The %s
    certificate"."""
    return "%s database's proxy" % database


NO_DATABASE = 'The cluster has no database named %s (GET /v1/bdbs?fields=uid,name).'


class DatabaseCertificate(Resource):
    """A database's own proxy certificate (GET, POST and DELETE
    /v1/bdbs/{uid}/certificates), the database found by its name as
    redis.enterprise.database finds it. Checked as the cluster's proxy
    certificate is, compared by the fingerprints of the leaf and its chain,
    written with one POST (?dry_run=true in check mode), then read back.
    The key is write-only: sent, never answered."""

    requires = ('cryptography',)

    def desired(self, params):
        database = params['database']
        if params.get('name') not in (None, 'proxy'):
            raise RedisEnterpriseError(
                'name is %s, and database is given: a database has one certificate of its own, its proxy '
                'certificate. Leave name out (or give name: proxy) for the certificate of the database %s; leave '
                'database out for the cluster\'s %s certificate.' % (params['name'], database, params['name']))
        if not _database.NAME.fullmatch(database):
            raise RedisEnterpriseError(
                'database must be the name of a database: letters, digits and hyphens, starting and ending with a '
                'letter or digit, at most 63 characters; got %r.' % database)
        if params['state'] == 'absent':
            return {}
        if params.get('key') is None:
            raise RedisEnterpriseError(
                "key is required for the proxy certificate of the database %s: give its unencrypted private key, "
                "e.g. with lookup('ansible.builtin.file', '%s.key')." % (database, database))
        # Stapling is the cluster's proxy certificate's: its checks are not made here.
        return checked(params, 'proxy', database_label(database), stapled=False)

    def read(self, api, task):
        name = task.params['database']
        found = [bdb for bdb in api.get(_database.PATH, query=_database.KEYS) if bdb.get('name') == name]
        if len(found) > 1:
            raise RedisEnterpriseError(
                'The cluster has %d databases named %s (uids %s): the task cannot tell whose certificate it '
                'manages. Nothing was written. Give all but one another name, in the Cluster Manager or with '
                'rladmin.' % (len(found), name, ', '.join(str(bdb.get('uid')) for bdb in found)))
        if not found:
            return dict(uid=None, stored=None)
        uid = found[0]['uid']
        try:
            answer = api.get(BDB_CERTIFICATE_PATH % uid)
        except RedisEnterpriseError as error:
            # The database has no certificate of its own.
            if error.http_status != 404:
                raise
            return dict(uid=uid, stored=None)
        return dict(uid=uid, stored=database_stored(answer, uid))

    def plan(self, task, state, want):
        params = task.params
        for warning in want.get('warnings', ()):
            task.warn(warning)
        if state['uid'] is None:
            said = NO_DATABASE % params['database']
            if params['state'] == 'absent':
                task.warn('%s It has no certificate to remove.' % said)
                return Plan({}, {}, changed=False)
            if not task.check_mode:
                raise RedisEnterpriseError(
                    '%s Nothing was written. Create the database first (redis.enterprise.database), or correct the '
                    'name.' % said)
            task.warn('%s In check mode this is no failure: an earlier task of this run may create it; the cluster '
                      'was not asked for a dry run of this write.' % said)
            return Plan({}, describe(want['certificates']), method='POST', want=want)
        stored = state['stored']
        before = stored.describe() if stored else {}
        path = BDB_CERTIFICATE_PATH % state['uid']
        if params['state'] == 'absent':
            return Plan(before, {}, method='DELETE', path=path)
        wanted = want['certificates']
        same = bool(stored) and stored.prints() == [_x509.fingerprint(c) for c in wanted]
        return Plan(before, before if same else describe(wanted), body=dict(cert=want['pem'], private_key=want['key']),
                    changed=True if params['force'] else None, method='POST', path=path, want=want,
                    secrets=('private_key',))

    def prepare(self, api, task, state, plan):
        if plan.path is None:
            return {}
        if plan.method == 'DELETE':
            if task.check_mode:
                task.warn('Check mode sends no DELETE: the API gives removing a database\'s proxy certificate no dry '
                          'run. The proxy certificate of the database %s (%s) would be removed.'
                          % (task.params['database'], plan.before.get('subject') or plan.before.get('error')))
            return {}
        self._check_names(api, task, state, plan)
        if task.check_mode:
            api.call('POST', plan.path, body=plan.body, dry_run=True)
        return {}

    @staticmethod
    def _check_names(api, task, state, plan):
        """A warning for an endpoint of the database that the certificate's
        subject alternative names do not cover: its clients connect by that
        name, and refuse a certificate that does not name it."""
        database = task.params['database']
        try:
            bdb = api.get('%s/%s' % (_database.PATH, state['uid']), query=dict(fields='endpoints'))
        except RedisEnterpriseError as error:
            task.warn('The subject alternative names were not checked against the endpoints of the database %s: %s'
                      % (database, error.msg))
            return
        names = sorted(set(endpoint.get('dns_name') for endpoint in bdb.get('endpoints') or ()
                           if isinstance(endpoint, dict) and endpoint.get('dns_name')))
        missing = _x509.uncovered(plan.want['certificates'][0], names)
        if missing:
            task.warn('The new proxy certificate of the database %s does not cover its endpoint%s %s: clients that '
                      'connect by %s will refuse it. Give it a subject alternative name (or a wildcard) for each.'
                      % (database, 's' if len(missing) > 1 else '', ', '.join(missing),
                         'these names' if len(missing) > 1 else 'that name'))

    def write(self, api, task, state, plan):
        database = task.params['database']
        if plan.method == 'DELETE':
            api.delete(plan.path, gone_ok=True)
            return self._read_back(api, task, state, plan, removed=True)
        try:
            api.call('POST', plan.path, body=plan.body, empty_ok=True)
        except RedisEnterpriseError as error:
            if error.http_status is None and error.sent:
                # Setting the same certificate again is harmless: the next run compares, and sends it if need be.
                raise RedisEnterpriseError(
                    'The write of the proxy certificate of the database %s got no answer: whether the cluster took '
                    'it is not known, and it was not sent again. Run the task again: it compares what the cluster '
                    'holds and writes only if the certificate differs. The error: %s' % (database, error.msg),
                    option=error.option, keys=dict(changed=True))
            if error.http_status is not None and error.http_status >= 500:
                error.keys = dict(error.keys, changed=True)
            raise
        return self._read_back(api, task, state, plan)

    def _read_back(self, api, task, state, plan, removed=False):
        """What the database holds after the write: the result and the
        diff's after."""
        database = task.params['database']
        try:
            stored = database_stored(api.get(plan.path), state['uid'])
        except RedisEnterpriseError as error:
            if error.http_status != 404:
                raise
            stored = None
        plan.after = stored.describe() if stored else {}
        if removed:
            return dict(state, stored=stored)
        written = describe(plan.want['certificates'])
        if not stored or stored.prints()[:1] != [written['sha256_fingerprint']]:
            raise RedisEnterpriseError(
                'The cluster accepted the proxy certificate of the database %s, but it does not hold it when read '
                'back (GET %s): it holds %s. Check the database, then run again.'
                % (database, plan.path, 'none' if not stored else plan.after.get('sha256_fingerprint')
                   or plan.after.get('error')), keys=dict(changed=True, certificate=plan.after))
        if len(stored.certificates) < 1 + len(written['chain']):
            task.warn('The cluster kept less of the proxy certificate of the database %s than was written: %s of '
                      'the %d certificates (kept: %s). Every run will write it again, unless the task gives only '
                      'what the cluster keeps.' % (
                          database, len(stored.certificates), 1 + len(written['chain']),
                          '; '.join(c.subject.rfc4514_string() for c in stored.certificates)))
        return dict(state, stored=stored)

    def result(self, task, state, plan, written):
        return dict(certificate=plan.after, database=dict(name=task.params['database'], uid=state['uid']))

    def explain(self, params, failure):
        # The engine's own messages say the rest (a 403 names the permission).
        if failure.method != 'POST' or failure.status in (401, 403):
            return None
        database = params.get('database')
        outcome = (' The cluster said so in a dry run of the write (check mode): nothing was written.'
                   if failure.dry_run else '')
        if failure.status == 400:
            said = ('The cluster refused the proxy certificate of the database %s or its key as invalid (HTTP 400, '
                    '%s).%s Check that the certificate is PEM, leaf first, and the key its unencrypted private key.'
                    % (database, failure.call, failure.said))
        elif failure.status == 404:
            said = ('The cluster has no such call, or no database of that uid any more (HTTP 404, %s): it has no '
                    'per-database certificates (Redis Enterprise 8 and later have them), or the database %s was '
                    'removed since it was found.%s' % (failure.call, database, failure.said))
        elif failure.status == 406:
            said = ('The cluster did not accept the proxy certificate of the database %s (HTTP 406, %s, error code '
                    '%s).%s Give a current certificate, of the database\'s endpoints.'
                    % (database, failure.call, failure.code or 'none', failure.said))
        elif failure.status >= 500:
            said = ('The cluster answered the write of the proxy certificate of the database %s with HTTP %d (%s, '
                    'error code %s).%s Whether it took it is not known: run the task again, which compares what it '
                    'holds.' % (database, failure.status, failure.call, failure.code or 'none', failure.said))
        else:
            return None
        return said + outcome


class Certificates(Resource):
    """redis.enterprise.certificate: a certificate of the cluster, by its
    name (Certificate), or a database's own proxy certificate, by the
    database's name (DatabaseCertificate). The task's options say which;
    every step goes to that one."""

    requires = ('cryptography',)
    spec = SPEC

    def __init__(self, cluster, database):
        self.cluster = cluster
        self.database = database
        self.retry_statuses = cluster.retry_statuses
        self.slow_writes = cluster.slow_writes

    def of(self, params):
        return self.database if params.get('database') is not None else self.cluster

    def desired(self, params):
        return self.of(params).desired(params)

    def read(self, api, task):
        return self.of(task.params).read(api, task)

    def plan(self, task, state, want):
        return self.of(task.params).plan(task, state, want)

    def guard(self, api, task, state, plan):
        return self.of(task.params).guard(api, task, state, plan)

    def prepare(self, api, task, state, plan):
        return self.of(task.params).prepare(api, task, state, plan)

    def write(self, api, task, state, plan):
        return self.of(task.params).write(api, task, state, plan)

    def after_write(self, api, task, state, plan):
        return self.of(task.params).after_write(api, task, state, plan)

    def result(self, task, state, plan, written):
        return self.of(task.params).result(task, state, plan, written)

    def explain(self, params, failure):
        return self.of(params).explain(params, failure)


def expiry(certificate, now):
    """(days_until_expiry, expired) of a certificate at now: the whole days
    left until its notAfter, negative once past, and whether it is past."""
    left = (_x509.not_after(certificate) - now).total_seconds()
    return int(left // 86400), left <= 0


class Info(Resource):
    """Every certificate of the cluster, described, with its days to expiry
    and whether the cluster's key belongs to it; and, unless the task says
    databases: false, every database's own proxy certificate, with its
    database's name and uid."""

    requires = ('cryptography',)
    spec = Spec(dict(databases=dict(type='bool', default=True)))

    def read(self, api, task):
        cluster = read_certificates(api)
        databases = read_database_certificates(api) if task.params['databases'] else None
        # The names, only for certificates to name.
        names = database_names(api) if databases else {}
        return dict(cluster=cluster, databases=databases, names=names)

    def result(self, task, state, plan, written):
        now = _now()
        found = {}
        for name, stored in sorted(state['cluster'].items()):
            if stored.error:
                task.warn('%s; it is returned with its error, and the other certificates are described. Replace it '
                          'with redis.enterprise.certificate, or see it with "rladmin cluster certificate list" on a '
                          'node.' % stored.error)
                found[name] = dict(error=stored.error)
                continue
            certificates, matches = stored.certificates, stored.matches
            described = describe(certificates)
            days, expired = expiry(certificates[0], now)
            described.update(days_until_expiry=days, expired=expired, key_matches=matches)
            if name == 'proxy':
                described['ocsp_stapling_capable'] = bool(described['ocsp_responder_url'])
            found[name] = described
        result = dict(certificates=found)
        if task.params['databases']:
            result['database_certificates'] = self._databases(task, state, now)
        return result

    @staticmethod
    def _databases(task, state, now):
        found = []
        for uid, stored in state['databases'] or ():
            name, label = state['names'].get(uid, (None, None))
            entry = dict(database=name, bdb_uid=uid)
            if stored.error:
                task.warn('%s; it is returned with its error, and the other certificates are described. Replace it '
                          'with redis.enterprise.certificate (database: %s).' % (stored.error, name or '...'))
                entry['error'] = stored.error
            else:
                entry.update(describe(stored.certificates))
                entry['days_until_expiry'], entry['expired'] = expiry(stored.certificates[0], now)
            entry['name'] = label or 'bdb:#%s' % uid
            found.append(entry)
        return found


CERTIFICATE = Certificates(Certificate(), DatabaseCertificate())
INFO = Info()

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An Event-Driven Ansible event source that watches Redis Enterprise
clusters: the OCSP staple, the certificates' expiry and the license's, the
databases' states, and whether each cluster answers. One event per cluster
and condition when the condition changes, never one per poll.

ansible-rulebook loads this file by its path (runpy.run_path), not as a
module of the collection, so the collection's own module_utils are imported
through the collections directory this file lies in (see _import)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
author: Redis Enterprise collection maintainers
version_added: 0.5.0
short_description: Watch Redis Enterprise clusters for a bad staple, expiring certificates or license, failing databases.
description:
  - An ansible-rulebook event source that polls the REST API of each cluster it is given every O(interval)
    seconds, and emits an event when a condition of a cluster changes, and one for each condition at start.
  - "Conditions: the OCSP staple (C(GET /v1/ocsp), and while stapling is on C(GET /v1/ocsp/status)), each
    certificate of the cluster (C(GET /v1/cluster/certificates)), each database's own proxy certificate that
    expires within O(certificate_days) (C(GET /v1/bdbs/certificates) with C(expires_before)), the license
    (C(GET /v1/license)), each database (C(GET /v1/bdbs), and the action of a database at work or with a new
    action), and the cluster itself: whether it answers."
  - "A database's certificate is named C(bdb:<database>) (C(bdb:<database>:<uid>) when two databases share the
    name), so that its condition, C(certificate:bdb:orders), is told from the cluster's C(certificate:proxy); its
    C(details) add C(database) and C(bdb_uid). As only those that expire soon are read, a database's certificate
    has its first event when it becomes C(expiring) (or C(expired), or C(error)), and an C(ok) one when it no
    longer expires within O(certificate_days): renewed, or removed. A cluster without per-database certificates
    (HTTP 404 or 405, before Redis Enterprise 8) has none of these conditions; another failure of that read is the
    C(error) of the certificates' read (C(name) null)."
  - "Each event is C(event.redis_enterprise), with the keys C(cluster) (its URL), C(kind) (C(staple),
    C(certificate), C(license), C(database) or C(cluster)), C(state) (C(ok), C(off), C(bad), C(expiring),
    C(expired), C(pending), C(stuck), C(failed), C(error) or C(unreachable)), C(name) (the certificate's or the
    database's name, on certificate and database events; null otherwise), C(condition) (the condition within its
    cluster, never null: the kind, and for one certificate or database a colon and its name, as in
    C(certificate:proxy), C(certificate:bdb:orders) or C(database:orders)), C(previous_state) (the state of the last event of the same
    condition; null on its first), C(details) (what the cluster said, dates in ISO 8601 UTC, days left, and a
    C(message)) and C(http_status) (on C(error) and C(unreachable), when the cluster answered one; null
    otherwise). The collection's guide, Event-Driven Ansible, describes each."
  - "Every condition's first state is an event, whatever it is. A condition that cannot be read is an C(error)
    event for that condition alone, with the HTTP status or what in the answer could not be read, and the
    others are read all the same; one certificate that does not parse, or that the answer gives as something
    else than PEM text, is an C(error) event for that certificate. The read of the certificates itself is the
    certificate event with C(name) null: its first state is an event when it is C(error), and its C(ok) comes
    only after an error of it, as while it never failed the certificates' own events tell that it succeeds. The
    same holds for the read of the databases, the database event with C(name) null."
  - "A database is C(ok) while active; C(pending) while the cluster is at work on it (a create, a change, a
    removal, an import); C(stuck) when pending for longer than O(database_stuck_minutes), counted from its
    action's C(creation_time) where the cluster gives one, else from when the source first saw it pending;
    C(failed) when it is C(creation-failed), or its last action failed, with the action's error in
    C(details.error) (a failed change or removal leaves the database active: it is C(failed) until its next
    action, C(pending) while that runs, then C(ok) unless that one fails too). A database that the cluster no
    longer has is an event too, C(ok) with C(details.removed) true, whatever its last state was."
  - "A poll costs C(GET /v1/ocsp), while stapling is on C(GET /v1/ocsp/status), C(GET /v1/cluster/certificates),
    C(GET /v1/license) and one C(GET /v1/bdbs) (of the fields C(uid), C(name), C(status) and C(action_uid)),
    plus one C(GET /v2/actions/{uid}) for each database that is not active, or whose C(action_uid) is new since
    the last poll, until its action has ended (an action that ended is read once; on a cluster without v2 the
    first read also asks C(/v1/actions/{uid}), and v1 alone after it). So at start one for every database that
    names an action, then none while nothing changes."
  - "To throttle a rule per condition, group by C(event.redis_enterprise.cluster) and
    C(event.redis_enterprise.condition), as the collection's rulebooks do: both are on every event, never null
    (C(name) is null but on certificate and database events, and a throttled rule of ansible-rulebook does not
    fire for an event that lacks an attribute it groups by)."
  - While a cluster is unreachable, or refuses the credentials (HTTP 401), its other conditions keep their last
    state and emit nothing; it is polled again after twice the wait each time, up to 4 times O(interval).
  - Each poll runs in a thread of a pool of at most 16, off the event loop, over one kept-alive HTTPS
    connection per cluster, with the collection's transport (TLS verified, O(ca_path), proxies, retries).
  - Never puts a password, a private key or the license text in an event or a log line.
  - Wrong options stop it at start with one line that says what is wrong, and no traceback.
requirements:
  - Python 3.9 or later, as ansible-rulebook needs.
  - ansible-core (2.16 or later), requests (2.25 or later) with urllib3 (1.26 or later), and cryptography
    (3.1 or later) in the Python of ansible-rulebook, that is in the decision environment.
options:
  clusters:
    description:
      - The clusters to watch. Each is the URL of its REST API (V(https://cluster.example.com:9443)) or a
        mapping with C(url) and optionally C(username), C(password), C(ca_path), C(validate_certs) and
        C(timeout), which override the options of the same name for that cluster.
      - If not set, the cluster of the E(REDIS_ENTERPRISE_URL) environment variable.
    type: list
    elements: raw
  username:
    description:
      - Email address of a cluster user, for every cluster that does not give its own.
      - The user needs the permissions C(view_ocsp_config), C(view_ocsp_status), C(view_cluster_info),
        C(view_license), C(view_all_bdbs_info) and C(view_status_of_cluster_action); of the built-in roles, only
        C(admin) holds them all (every role holds the last two). A user without one gets C(error) events (HTTP 403)
        for that condition.
      - If not set, the value of the E(REDIS_ENTERPRISE_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username), for every cluster that does not give its own. Never shown.
      - If not set, the value of the E(REDIS_ENTERPRISE_PASSWORD) environment variable is used.
    type: str
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the clusters' certificates, as for the modules.
      - If not set, the value of the E(REDIS_ENTERPRISE_CA_PATH) environment variable is used.
    type: path
  validate_certs:
    description:
      - Verify the clusters' TLS certificates, as for the modules. With V(false) and no O(ca_path), a warning
        is logged.
      - If not set, the value of the E(REDIS_ENTERPRISE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for a cluster to connect and to answer, for each try of a request, as for the modules.
      - A cluster that does not answer holds one thread of the pool for a few times this long.
      - If not set, the value of the E(REDIS_ENTERPRISE_TIMEOUT) environment variable is used.
    type: float
    default: 30
  interval:
    description:
      - Seconds between two polls of a cluster; fractions allowed. Every cluster is polled at the same ticks.
      - A poll that runs past the next tick makes its cluster skip that tick, and a round of polls that takes
        longer than O(interval) is logged as a warning.
    type: float
    default: 300
  certificate_days:
    description:
      - A certificate that expires within this many days is C(expiring).
      - The databases' certificates are read up to this many days ahead (C(expires_before)).
    type: int
    default: 30
  license_days:
    description:
      - A license that expires within this many days is C(expiring).
    type: int
    default: 30
  database_stuck_minutes:
    description:
      - A database pending for longer than this many minutes is C(stuck); 1 or more.
    type: int
    default: 30
    version_added: 0.6.0
notes:
  - A cluster without a license (C(GET /v1/license) answers 404) is C(expired), with C(details.installed)
    false, as the cluster then behaves as one whose license has expired.
  - A certificate that the cluster no longer has is forgotten; if its last state was not C(ok), an C(ok) event
    says so first.
  - "How long a database has been pending is measured on the cluster's clock (its action's C(creation_time))
    against this machine's: keep both on NTP. A failed action that the cluster no longer remembers (its
    C(GET /v2/actions/{uid}) and C(/v1) answer 404) is not known to have failed: a source started after that sees
    the database as it is, C(ok) when active."
'''

EXAMPLES = r'''
- name: Watch the Redis Enterprise clusters
  hosts: localhost
  sources:
    - redis.enterprise.cluster_events:
        clusters:
          - https://cluster-east.example.com:9443
          - url: https://cluster-west.example.com:9443
            ca_path: /etc/pki/redis/west-ca.pem
        ca_path: /etc/pki/redis/cluster-ca.pem
        interval: 300
        certificate_days: 30
        license_days: 45
        database_stuck_minutes: 30
  rules:
    - name: A staple that is not GOOD and current
      condition: event.redis_enterprise.kind == "staple" and event.redis_enterprise.state == "bad"
      action:
        run_playbook:
          name: redis.enterprise.check_staple
'''

import asyncio
import concurrent.futures
import datetime
import logging
import os
import sys
from urllib.parse import quote


def _import():
    """The collection's module_utils. Where they do not import (ansible-rulebook
    runs this file by its path, with no collection loader), through the
    directory that holds ansible_collections/redis/enterprise, which this file
    lies in: put first, so that this copy of the collection is the one used."""
    try:
        from ansible_collections.redis.enterprise.plugins.module_utils import (  # pylint: disable=import-outside-toplevel
            _api, _certificate, _connection, _database, _engine, _fields, _license, _ocsp, _wait, _x509)
    except ImportError as first:
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.abspath(os.path.join(here, *[os.pardir] * 7))
        if not os.path.isdir(os.path.join(root, 'ansible_collections', 'redis', 'enterprise')):
            raise ImportError(
                'redis.enterprise.cluster_events runs from the collection as installed (ansible-galaxy collection '
                'install redis.enterprise; the source named redis.enterprise.cluster_events in the rulebook), not '
                'from a copy of its file (%s): it imports the collection\'s own code. %s' % (__file__, first))
        if root not in sys.path:
            sys.path.insert(0, root)
        try:
            from ansible_collections.redis.enterprise.plugins.module_utils import (  # pylint: disable=import-outside-toplevel
                _api, _certificate, _connection, _database, _engine, _fields, _license, _ocsp, _wait, _x509)
        except ImportError as error:
            raise ImportError(
                'redis.enterprise.cluster_events needs ansible-core, requests and cryptography in the Python of '
                'ansible-rulebook (%s): install them in the decision environment (the collection\'s '
                'requirements.txt, and ansible-core). %s' % (sys.executable, error))
    return _api, _certificate, _connection, _database, _engine, _fields, _license, _ocsp, _wait, _x509


_api, _certificate, _connection, _database, _engine, _fields, _license, _ocsp, _wait, _x509 = _import()

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402
from ansible.module_utils.common.parameters import remove_values  # noqa: E402
from ansible.module_utils.errors import UnsupportedError  # noqa: E402

RedisEnterpriseError = _api.RedisEnterpriseError


class OptionError(ValueError):
    """What is wrong with the source's options, in one line.

    ansible-rulebook logs the exception that ends a source, then one line for
    each frame of its __traceback__: for a mistake in the options, lines
    about this code around the one that says what to fix. This error shows
    none: Python keeps its traceback where this attribute does not reach
    (raise and with_traceback() still work), and whoever reads
    __traceback__ gets None."""

    __traceback__ = property(lambda self: None, lambda self, value: None)


def _refused(text):
    return OptionError('redis.enterprise.cluster_events: %s' % text)


LOG = logging.getLogger('redis.enterprise.cluster_events')

# Polls at a time: bounded, so a fleet of thousands does not start thousands
# of threads; polls of a cluster are never concurrent.
MAX_WORKERS = 16
# A cluster found unreachable, or refusing the credentials, is polled after
# twice the wait each time, up to this many intervals.
MAX_BACKOFF = 4
# Answers that mean the cluster is not there (a node restarting, a proxy with no
# cluster behind it), as the transport retries them; no answer at all counts too.
OUTAGE_STATUSES = (502, 503, 504)
DAY = 86400
# What a reader of an answer meets in one that is not what the API
# describes (a field of another type, an object where text should be): that
# condition is in error, and the others are read all the same.
UNREADABLE = (TypeError, ValueError, AttributeError, KeyError, IndexError)
# What each condition is read from, for the messages.
READS = dict(staple='the OCSP configuration or status (GET %s, GET %s)' % (_ocsp.CONFIG_PATH, _ocsp.STATUS_PATH),
             certificate='the certificates (GET %s, GET %s)' % (
                 _certificate.CERTIFICATES_PATH, _certificate.BDB_CERTIFICATES_PATH),
             license='the license (GET %s)' % _license.LICENSE_PATH)
WHAT = dict(staple='OCSP staple', certificate='certificates', license='license')
# The fields that decide a state, typed as the modules type them.
FUNCTIONALITY = next(field for field in _ocsp.FIELDS if field.name == 'ocsp_functionality')
EXPIRED = _fields.Field('expired', 'bool')

# The databases: what a poll reads of each (GET /v1/bdbs?fields=...), and of
# a database's action only what decides its state.
DATABASE_FIELDS = ('uid', 'name', 'status', 'action_uid')
READS['database'] = 'the databases (GET %s)' % _database.PATH
WHAT['database'] = 'databases'
ACTIVE = 'active'
# The conditions whose read of a whole list is the event with name null:
# announced only when it fails, and after a failure when it succeeds again.
LISTS = (('certificate', None), ('database', None))

# The options and what each cluster of clusters may override.
OPTIONS = dict(
    clusters=dict(type='list', elements='raw'),
    interval=dict(type='float', default=300),
    certificate_days=dict(type='int', default=30),
    license_days=dict(type='int', default=30),
    database_stuck_minutes=dict(type='int', default=30),
)
CLUSTER_OPTIONS = ('url', 'username', 'password', 'ca_path', 'validate_certs', 'timeout')


def _spec(top):
    """The argument spec of the options (top) or of one mapping of clusters:
    the connection options of the modules, with their environment variables
    at the top and none in a mapping, whose unset options take the top's."""
    spec = _connection.connection_argument_spec()
    if top:
        del spec['url']
        spec.update(OPTIONS)
        return spec
    for option in spec.values():
        option.pop('fallback', None)
        option.pop('default', None)
    # A mapping of clusters names its cluster: no environment variable stands in for it.
    spec['url']['required'] = True
    return spec


def _validate(spec, given, what, secrets):
    """given validated against spec (as a module's options are), or
    OptionError that says what is wrong, no secret in it."""
    result = ArgumentSpecValidator(spec).validate(given)
    if result.error_messages:
        said = ' '.join(_connection.sentence(('Unsupported parameters: %s' if isinstance(error, UnsupportedError)
                                              else '%s') % error.msg) for error in result.errors)
        raise OptionError(remove_values('redis.enterprise.cluster_events: %s: %s' % (what, said), secrets))
    return result.validated_parameters


def settings(args):
    """(options, [per-cluster connection options]) of the source's arguments,
    or OptionError. ansible-rulebook's own arguments (eda_*) are left out."""
    # An option given as null is an option not given, as a rulebook's
    # "{{ var | default(None) }}" gives it: the environment variable then counts.
    given = dict((key, value) for key, value in args.items()
                 if not str(key).startswith('eda_') and value is not None)
    # Every password that may appear, masked in any message (and values
    # that are not text cannot be, but then they are no password either).
    secrets = set(value for value in [given.get('password'), os.environ.get(_connection.ENV['password'])]
                  + [item.get('password') for item in given.get('clusters') or [] if isinstance(item, dict)]
                  if isinstance(value, str) and value)
    options = _validate(_spec(top=True), given, 'the source arguments', secrets)
    interval = options['interval']
    if not 0 < interval <= DAY:
        raise _refused('interval must be a number of seconds greater than 0 and at most %d; got %r.'
                       % (DAY, interval))
    for name in ('certificate_days', 'license_days'):
        if options[name] < 0:
            raise _refused('%s must be 0 or more days; got %r.' % (name, options[name]))
    if options['database_stuck_minutes'] < 1:
        raise _refused('database_stuck_minutes must be 1 or more minutes (how long a database may stay pending before '
                       'it is stuck); got %r.' % options['database_stuck_minutes'])
    clusters = options['clusters']
    if clusters is None:
        url = os.environ.get(_connection.ENV['url'])
        if not url:
            raise _refused('give clusters, a list of the clusters\' REST API URLs (or mappings with url), or '
                           'set the %s environment variable.' % _connection.ENV['url'])
        clusters = [url]
    if not clusters:
        raise _refused('clusters is empty: list at least one cluster.')
    found, seen = [], set()
    for index, item in enumerate(clusters):
        what = 'clusters[%d]' % index
        if isinstance(item, str):
            item = dict(url=item)
        if not isinstance(item, dict):
            raise _refused('%s must be a URL or a mapping with url; got a %s.' % (what, type(item).__name__))
        own = _validate(_spec(top=False), item, what, secrets)
        if not own.get('url'):
            raise _refused('%s has no url.' % what)
        connection = dict((name, own[name] if own.get(name) is not None else options.get(name))
                          for name in CLUSTER_OPTIONS)
        try:
            connection['url'] = _api.parse_url(connection['url'])
        except RedisEnterpriseError as error:
            raise _refused('%s: %s' % (what, error.msg))
        if connection['url'] in seen:
            raise _refused('%s lists %s a second time.' % (what, connection['url']))
        seen.add(connection['url'])
        found.append(connection)
    return options, found


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _capital(text):
    return text[:1].upper() + text[1:]


class _Outage(Exception):
    """A poll that cannot go on: the cluster is unreachable, or refuses the
    credentials; its other conditions keep their state."""

    def __init__(self, state, error):
        super(_Outage, self).__init__(error.msg)
        self.state = state
        self.error = error


class _Calls(_engine.Resource):
    """The calls of a poll: the declared permissions in a 403's message, and
    OCSP's own error codes in theirs."""

    def explain(self, params, failure):
        return _ocsp.explain(params, failure)


def observation(kind, state, details, name=None, http_status=None):
    return dict(kind=kind, name=name, state=state, details=details, http_status=http_status)


def condition(kind, name):
    """What names a condition within its cluster, never null: the kind, and
    for one certificate its name after a colon (certificate:proxy). The
    rulebooks throttle by it and the cluster, which every event has: a
    throttled rule of ansible-rulebook never fires for an event without one
    of the attributes it groups by."""
    return kind if name is None else '%s:%s' % (kind, name)


class Cluster(object):
    """One watched cluster: its client (one requests Session, so one
    kept-alive connection), the last state of each of its conditions, and
    when it is due."""

    def __init__(self, connection, certificate_days, license_days, database_stuck_minutes=30):
        self.url = connection['url']
        self.certificate_days = certificate_days
        self.license_days = license_days
        self.database_stuck_minutes = database_stuck_minutes
        client = _api.Client(connection['url'], connection['username'], connection['password'],
                             validate_certs=connection['validate_certs'], ca_path=connection['ca_path'],
                             timeout=connection['timeout'])
        self.warnings = ['%s: %s' % (self.url, warning) for warning in client.warnings]
        self.client = client
        self.api = _engine.Api(client, _Calls(), {})
        # (kind, name) -> the state last emitted.
        self.states = {}
        self.failures = 0
        self.due = 0.0
        self.busy = False
        self._said = set()
        # The polls' own memory, which only they touch (one at a time): the
        # actions that ended (uid -> the action, or None where neither
        # version knows it), as an ended action never changes; when each
        # database was first seen pending (name -> (action or status, when));
        # and which version of the actions the cluster answers first.
        self._ended = {}
        self._pending = {}
        self._action_paths = list(_wait.ACTION_PATHS)

    def close(self):
        self.client.close()

    def warn(self, message):
        """What a reading of an answer has to say (a status date that is not
        one), logged once per cluster."""
        if message not in self._said:
            self._said.add(message)
            LOG.warning('%s: %s', self.url, message)

    # The poll, in a worker thread: it reads the cluster and nothing of the
    # states, which only the event loop's thread touches.

    def poll(self, now=None):
        """What the cluster says now (or at now, an aware datetime): a list
        of observations (kind, name, state, details, http_status), the
        cluster's first. A condition whose answer cannot be read is in
        error, alone: the others are read all the same."""
        now = now or _now()
        found = [observation('cluster', 'ok', dict(message='The cluster answers.'))]
        try:
            for kind, read in (('staple', self._staple), ('certificate', lambda: self._certificates(now)),
                               ('license', self._license),
                               ('database', lambda: self._databases(now))):
                try:
                    found.extend(read())
                except UNREADABLE as error:
                    found.append(self._unreadable(kind, error))
        except _Outage as outage:
            return [observation('cluster', outage.state, dict(message=outage.error.msg),
                                http_status=outage.error.http_status)]
        return found

    @staticmethod
    def _failed(error, kind, name=None):
        """An error answer of one call: the poll stops on an outage or a 401,
        else the call's condition is in error."""
        if error.http_status is None or error.http_status in OUTAGE_STATUSES:
            raise _Outage('unreachable', error)
        if error.http_status == 401:
            raise _Outage('error', error)
        details = dict(message=error.msg)
        if error.error_code:
            details['error_code'] = error.error_code
        return observation(kind, 'error', details, name=name, http_status=error.http_status)

    def _unreadable(self, kind, error):
        """An answer of the cluster that this code could not read: an error
        of its condition alone, and in the log how it came about."""
        LOG.debug('%s: reading the %s failed.', self.url, kind, exc_info=True)
        said = (READS[kind], type(error).__name__, error)
        return observation(kind, 'error', dict(message=(
            'The answer about %s could not be read (%s: %s): it is not what the REST API reference describes. '
            'Check the cluster\'s version, and any proxy between it and here.' % said)))

    @staticmethod
    def _malformed(kind, field, value, path, hint, name=None):
        """A field that decides a condition's state, answered with a value
        that is none of its type: the condition cannot be told."""
        what = WHAT[kind] if name is None else '%s %s' % (kind, name)
        return observation(kind, 'error', dict(message=(
            'The cluster answered %s=%r in GET %s, which is not %s, so the %s cannot be told. Check the cluster\'s '
            'version, and any proxy between it and here.' % (field, value, path, hint, what))), name=name)

    def _staple(self):
        try:
            config = self.api.get(_ocsp.CONFIG_PATH)
        except RedisEnterpriseError as error:
            return [self._failed(error, 'staple')]
        # As the modules read it: clusters and proxies may answer it as text.
        value = config.get('ocsp_functionality')
        try:
            stapling = value is not None and FUNCTIONALITY.coerce(value)
        except ValueError:
            return [self._malformed('staple', FUNCTIONALITY.name, value, _ocsp.CONFIG_PATH, FUNCTIONALITY.hint())]
        if not stapling:
            return [observation('staple', 'off', dict(
                ocsp_functionality=False, responder_url=config.get('responder_url') or None,
                message='OCSP stapling is off: the cluster staples no OCSP status.'))]
        try:
            status = _ocsp.with_iso_dates(self.api.get(_ocsp.STATUS_PATH), self)
        except RedisEnterpriseError as error:
            return [self._failed(error, 'staple')]
        if not isinstance(status.get('cert_status') or '', str):
            return [self._malformed('staple', 'cert_status', status['cert_status'], _ocsp.STATUS_PATH,
                                    'a status (GOOD, REVOKED or UNKNOWN)')]
        details = dict((name, status.get(name + '_iso')) for name in _ocsp.STATUS_DATES)
        details.update(ocsp_functionality=True, cert_status=status.get('cert_status') or None,
                       responder_url=status.get('responder_url') or config.get('responder_url') or None)
        problem = _ocsp.status_problem(status)
        if problem:
            details['message'] = '%s. %s' % (_capital(problem[0]), problem[1])
            return [observation('staple', 'bad', details)]
        details['message'] = 'The stapled OCSP status is GOOD, until its next update at %s.' % (
            details['next_update'] or 'an unknown time')
        return [observation('staple', 'ok', details)]

    def _certificates(self, now):
        try:
            # Each certificate that cannot be read is an entry with its error.
            stored = _certificate.read_certificates(self.api, keys=False)
        except RedisEnterpriseError as error:
            return [self._failed(error, 'certificate')]
        # The read itself, name null: its ok is what the certificates' own
        # events say, so it is an event only after an error (changes()).
        found = [observation('certificate', 'ok', dict(message='The certificates were read.'))]
        for name, entry in sorted(stored.items()):
            found.append(self._certificate(name, 'The %s certificate' % name, entry, now))
        try:
            # Only those that expire within certificate_days: the others, ok, make no condition.
            databases = _certificate.read_database_certificates(
                self.api, expires_before=now + datetime.timedelta(days=self.certificate_days))
            names = _certificate.database_names(self.api) if databases else {}
        except RedisEnterpriseError as error:
            failed = self._failed(error, 'certificate')
            failed['details']['message'] = "The databases' certificates could not be read: %s" % (
                failed['details']['message'])
            return [failed] + found[1:]
        for uid, entry in databases or ():
            if uid not in names:
                # Its database was removed since: the next poll does not find it.
                continue
            database, name = names[uid]
            found.append(self._certificate(name, 'The proxy certificate of the database %s' % database, entry, now,
                                           dict(database=database, bdb_uid=uid)))
        return found

    def _certificate(self, name, what, entry, now, more=None):
        """The observation of one certificate (entry, a Stored), named name,
        what in its message: a cluster's, or with more (the database's name
        and uid) a database's."""
        if entry.error:
            return observation('certificate', 'error', dict(more or {}, message=entry.error), name=name)
        details = _x509.describe(entry.certificates[0])
        days, expired = _certificate.expiry(entry.certificates[0], now)
        state = 'expired' if expired else 'expiring' if days < self.certificate_days else 'ok'
        details.update(more or {})
        details.update(days_until_expiry=days, expired=expired, message={
            'ok': '%s expires on %s, in %d days.',
            'expiring': '%s expires on %s, in %d days: renew it.',
            'expired': '%s expired on %s (%d days): renew it.',
        }[state] % (what, details['not_after'], days))
        return observation('certificate', state, details, name=name)

    def _license(self):
        try:
            # Its facts, the text (answered twice) dropped where it is read.
            found = _license.read(self.api, warn=self.warn)[0]
        except RedisEnterpriseError as error:
            return [self._failed(error, 'license')]
        if found is None:
            return [observation('license', 'expired', dict(
                installed=False, message='No license is installed: the cluster behaves as if its license had '
                                         'expired, and refuses most changes. Install one with '
                                         'redis.enterprise.license.'))]
        details = dict(found, installed=True)
        if details.get('expired') is not None:
            try:
                details['expired'] = EXPIRED.coerce(details['expired'])
            except ValueError:
                return [self._malformed('license', EXPIRED.name, details['expired'], _license.LICENSE_PATH,
                                        EXPIRED.hint())]
        days = details['days_until_expiry']
        if _license.problem(details):
            state = 'expired'
        elif days is None:
            details['message'] = ('The license has no expiration date that can be read (expiration_date: %r), so '
                                  'when it expires is not known.' % (details.get('expiration_date'),))
            return [observation('license', 'error', details)]
        else:
            state = 'expiring' if days < self.license_days else 'ok'
        details['message'] = {
            'ok': 'The license expires on %(expiration_date)s.',
            'expiring': 'The license expires on %(expiration_date)s, in %(days_until_expiry)s days: ask Redis for a '
                        'new one, and install it with redis.enterprise.license.',
            'expired': 'The license expired (%(expiration_date)s): the cluster refuses most changes until a new one is '
                       'installed with redis.enterprise.license.',
        }[state] % details
        return [observation('license', state, details)]

    def _databases(self, now):
        """Every database's state, from one GET /v1/bdbs of the fields that
        decide it, and the action of each database that is not active, or
        whose action is new since the last poll (it may have failed), until
        that action has ended."""
        try:
            bdbs = _database.read_all(self.api, DATABASE_FIELDS)
        except RedisEnterpriseError as error:
            return [self._failed(error, 'database')]
        named = {}
        for bdb in bdbs:
            name = bdb.get('name')
            if not isinstance(name, str) or not name:
                return [self._malformed('database', 'name', name, _database.PATH, 'a database\'s name')]
            named.setdefault(name, []).append(bdb)
        # The read itself, name null: an event only after an error of it (changes()).
        found = [observation('database', 'ok', dict(message='The databases were read.'))]
        for name, same in sorted(named.items()):
            if len(same) > 1:
                uids = [bdb.get('uid') for bdb in same]
                found.append(observation('database', 'error', dict(uids=uids, message=(
                    '%d databases are named %s (uids %s): the source tells databases by their names. Rename all '
                    'but one.' % (len(same), name, ', '.join(str(uid) for uid in uids)))), name=name))
                continue
            try:
                found.append(self._database(same[0], now))
            except RedisEnterpriseError as error:
                # Its action could not be read: an error of this database alone.
                found.append(self._failed(error, 'database', name))
        # Only what the databases name now is kept.
        named_actions = set(same[0].get('action_uid') for same in named.values())
        for uid in [uid for uid in self._ended if uid not in named_actions]:
            del self._ended[uid]
        # A database whose action could not be read this time may still be pending.
        settled = set(item['name'] for item in found if item['state'] in ('ok', 'failed'))
        for name in [name for name in self._pending if name not in named or name in settled]:
            del self._pending[name]
        return found

    def _database(self, bdb, now):
        """One database's observation: ok, pending, stuck or failed."""
        name, uid = bdb['name'], bdb.get('uid')
        status, action_uid = bdb.get('status'), bdb.get('action_uid')
        if not isinstance(status, str) or not status.strip():
            return self._malformed('database', 'status', status, _database.PATH, 'a database status', name)
        if action_uid is not None and not isinstance(action_uid, str):
            return self._malformed('database', 'action_uid', action_uid, _database.PATH, 'an action\'s uid', name)
        status, action_uid = status.strip().lower(), action_uid or None
        details = dict(uid=uid, status=status, action_uid=action_uid, action_status=None)
        action = None
        if action_uid in self._ended:
            action = self._ended[action_uid]
        elif action_uid:
            action = self._action(action_uid)
            if action is None or _wait.status_of(action) in _wait.ACTION_DONE + _wait.ACTION_FAILED:
                self._ended[action_uid] = action
        if action is not None:
            details['action_status'] = _wait.status_of(action) or None
        if status == _database.FAILED_STATUS or details['action_status'] in _wait.ACTION_FAILED:
            return self._failed_database(name, details, action)
        if status == ACTIVE:
            details['message'] = 'The database %s is active.' % name
            return observation('database', 'ok', details, name=name)
        return self._pending_database(name, details, action, now)

    @staticmethod
    def _failed_database(name, details, action):
        """creation-failed, or its last action failed: what the cluster said."""
        details['error'] = _wait.action_error(action) if action is not None else None
        if details['error']:
            said = details['error']
        elif action is not None:
            said = 'the action gives no error'
        elif details['action_uid']:
            said = 'the cluster no longer remembers its action %s' % details['action_uid']
        else:
            said = 'the cluster names no action of it'
        if details['status'] == _database.FAILED_STATUS:
            details['message'] = (
                'The database %s could not be created (creation-failed): %s. It stays so: remove it '
                '(redis.enterprise.database, state=absent) and create it again once the cause is fixed.' % (name, said))
        else:
            details['message'] = (
                'The last action of the database %s (%s) %s: %s. The database is %s: read what it holds '
                '(redis.enterprise.database_info), and send the change again once the cause is fixed.'
                % (name, details['action_uid'], details['action_status'], said, details['status']))
        return observation('database', 'failed', details, name=name)

    def _pending_database(self, name, details, action, now):
        """At work (pending, active-change-pending, delete-pending,
        import-pending, or a status of a newer release): pending, or stuck
        once longer than database_stuck_minutes since its action's
        creation_time where the cluster gives one, else since this source
        first saw it so (for the same action, or status without one)."""
        since = self._created(action, name)
        details['pending_since_from'] = 'action' if since else 'first_seen'
        if since is None:
            marker = details['action_uid'] or details['status']
            seen, first = self._pending.get(name, (None, None))
            since = first if seen == marker else now
            self._pending[name] = (marker, since)
        seconds = (now - since).total_seconds()
        details.update(pending_since=since.strftime('%Y-%m-%dT%H:%M:%SZ'), pending_minutes=max(0, int(seconds // 60)))
        running = ' (its action %s: %s)' % (details['action_uid'], details['action_status'] or 'no status') \
            if action is not None else ''
        if seconds > 60 * self.database_stuck_minutes:
            details['message'] = (
                'The database %s has been %s%s for %d minutes, since %s: longer than %d minutes '
                '(database_stuck_minutes). Look at what the cluster does with it (GET /v1/actions/bdb/%s, its '
                'logs): a shard that does not start, or a node short of memory, keeps a database pending.'
                % (name, details['status'], running, details['pending_minutes'], details['pending_since'],
                   self.database_stuck_minutes, details['uid']))
            return observation('database', 'stuck', details, name=name)
        details['message'] = 'The database %s is %s%s, since %s: the cluster is at work on it.' % (
            name, details['status'], running, details['pending_since'])
        return observation('database', 'pending', details, name=name)

    def _action(self, uid):
        """The action uid as the cluster answers it (v2, else v1), or None
        when neither knows it. Where v2 does not and v1 does, the cluster has
        no v2: v1 is asked first from then on."""
        for path in list(self._action_paths):
            try:
                action = self.api.get(path % quote(uid, safe=''))
            except RedisEnterpriseError as error:
                if error.http_status != 404:
                    raise
                continue
            if path != self._action_paths[0]:
                self._action_paths.remove(path)
                self._action_paths.insert(0, path)
            return action
        return None

    def _created(self, action, name):
        """When the action began (its creation_time: Unix seconds, or ISO
        8601), or None where it gives none that reads."""
        value = (action or {}).get('creation_time')
        if value in (None, ''):
            return None
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
            if isinstance(value, str) and value.strip().isdigit():
                return datetime.datetime.fromtimestamp(int(value.strip()), datetime.timezone.utc)
            return _license.iso_date(value)
        except (ValueError, TypeError, OverflowError, OSError):
            self.warn('The action of the database %s gives creation_time %r, which is not a time: how long it has '
                      'been pending is counted from when this source first saw it so.' % (name, value))
            return None

    # In the event loop's thread.

    def changes(self, found):
        """The events of a poll's observations: one for each condition whose
        state changed, none for the others. The states are updated: each is
        the state last announced, so that previous_state only ever names
        one that was."""
        events = []
        read = any(item['kind'] == 'certificate' and item['name'] is None and item['state'] == 'ok'
                   for item in found)
        observed = set((item['kind'], item['name']) for item in found)
        for item in found:
            key = (item['kind'], item['name'])
            previous = self.states.get(key)
            if item['state'] == previous:
                continue
            if key in LISTS and previous is None and item['state'] == 'ok':
                # The certificates (or databases) read, ok while it never
                # failed: their own events say so.
                continue
            self.states[key] = item['state']
            events.append(self.event(item, previous))
        if read:
            for key in sorted(k for k in self.states if k[0] == 'certificate' and k[1] is not None):
                if key in observed:
                    continue
                previous = self.states.pop(key)
                if previous != 'ok' and key[1].startswith('bdb:'):
                    # Read are only those that expire soon: this one was renewed, or is gone.
                    events.append(self.event(observation('certificate', 'ok', dict(message=(
                        'The %s certificate is no longer one that expires within %d days: it was renewed, or removed '
                        '(on its own or with its database).' % (key[1], self.certificate_days))), name=key[1]),
                        previous))
                elif previous != 'ok':
                    events.append(self.event(observation('certificate', 'ok', dict(
                        message='The cluster no longer has the %s certificate.' % key[1], removed=True),
                        name=key[1]), previous))
        if any(item['kind'] == 'database' and item['name'] is None and item['state'] == 'ok' for item in found):
            # A database is announced from its first poll on, so its removal
            # is an event whatever its last state was.
            for key in sorted(k for k in self.states if k[0] == 'database' and k[1] is not None):
                if key not in observed:
                    events.append(self.event(observation('database', 'ok', dict(
                        message='The cluster no longer has the database %s.' % key[1], removed=True),
                        name=key[1]), self.states.pop(key)))
        return events

    def event(self, item, previous):
        return dict(redis_enterprise=dict(
            cluster=self.url, kind=item['kind'], name=item['name'], condition=condition(item['kind'], item['name']),
            state=item['state'], previous_state=previous, details=item['details'], http_status=item['http_status']))

    def schedule(self, tick, interval, found):
        """When the cluster is due after the poll of tick: the next tick, or
        after a poll that found it unreachable or refusing the credentials,
        twice the wait of the last, up to MAX_BACKOFF intervals (failed
        logins count towards a lockout of the user)."""
        if found and found[0]['kind'] == 'cluster' and found[0]['state'] in ('unreachable', 'error'):
            self.failures += 1
            self.due = tick + interval * min(2 ** (self.failures - 1), MAX_BACKOFF)
        else:
            self.failures = 0
            self.due = tick + interval


class Watcher(object):
    """The clusters, polled at the ticks of interval, each poll in the pool."""

    def __init__(self, args):
        options, connections = settings(args)
        self.interval = options['interval']
        self.clusters = []
        for connection in connections:
            try:
                self.clusters.append(Cluster(connection, options['certificate_days'], options['license_days'],
                                             options['database_stuck_minutes']))
            except RedisEnterpriseError as error:
                self.close()
                raise _refused('%s: %s' % (connection['url'], error.msg))
        self.pool = None
        self.rounds = set()

    def close(self):
        for cluster in self.clusters:
            cluster.close()

    async def run(self, queue):
        for cluster in self.clusters:
            for warning in cluster.warnings:
                LOG.warning('%s', warning)
        loop = asyncio.get_running_loop()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(self.clusters)),
                                                          thread_name_prefix='redis-enterprise-poll')
        LOG.info('Watching %d cluster(s) every %s seconds.', len(self.clusters), self.interval)
        start = loop.time()
        number = 0
        try:
            while True:
                tick = start + number * self.interval
                due = [cluster for cluster in self.clusters if not cluster.busy and cluster.due <= tick]
                skipped = sum(1 for cluster in self.clusters if cluster.busy)
                if skipped:
                    LOG.debug('Round %d: %d cluster(s) still polled since an earlier round, skipped.', number, skipped)
                if due:
                    task = loop.create_task(self._round(loop, queue, number, tick, due))
                    self.rounds.add(task)
                    task.add_done_callback(self.rounds.discard)
                number += 1
                await asyncio.sleep(max(0.0, start + number * self.interval - loop.time()))
        finally:
            rounds = list(self.rounds)
            for task in rounds:
                task.cancel()
            # They end at once: each waits for its polls, and a poll's wait
            # for its thread is what the cancellation ends.
            await asyncio.gather(*rounds, return_exceptions=True)
            # Threads blocked in a request cannot be stopped: the pool lets
            # them end on their own, and starts nothing more.
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.close()

    async def _round(self, loop, queue, number, tick, due):
        began = loop.time()
        await asyncio.gather(*(self._poll(loop, queue, cluster, tick) for cluster in due))
        took = loop.time() - began
        LOG.debug('Round %d: %d cluster(s) polled in %.3f seconds.', number, len(due), took,
                  extra=dict(redis_enterprise_round=dict(number=number, clusters=len(due), seconds=took)))
        if took > self.interval:
            LOG.warning('Polling %d cluster(s) took %.1f seconds, longer than interval (%s seconds): their next polls '
                        'start late. Raise interval, give fewer clusters to one source, or lower timeout for '
                        'clusters that do not answer.', len(due), took, self.interval)

    async def _poll(self, loop, queue, cluster, tick):
        cluster.busy = True
        try:
            found = await loop.run_in_executor(self.pool, cluster.poll)
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A fault of this code, not of the cluster: said, and the cluster
            # polled again at its next tick with its states as they were.
            LOG.error('%s: the poll failed unexpectedly (%s: %s); it is polled again at the next interval.',
                      cluster.url, type(error).__name__, error)
            cluster.schedule(tick, self.interval, None)
            return
        finally:
            cluster.busy = False
        cluster.schedule(tick, self.interval, found)
        for event in cluster.changes(found):
            await queue.put(event)


async def main(queue, args):
    """The entry point ansible-rulebook calls: polls until cancelled."""
    missing = _api.missing_library()
    if missing:
        raise ImportError(missing[1])
    if not _x509.HAS_CRYPTOGRAPHY:
        raise ImportError(_x509.missing_cryptography())
    # Off the loop too: a client per cluster, each reading its ca_path, takes
    # a while for a fleet of thousands.
    watcher = await asyncio.get_running_loop().run_in_executor(None, Watcher, args)
    await watcher.run(queue)


if __name__ == '__main__':
    # By hand: the events printed, for the clusters of REDIS_ENTERPRISE_URL and its variables.
    class _Printer(object):
        async def put(self, event):
            print(event)

    try:
        asyncio.run(main(_Printer(), {'interval': float(os.environ.get('INTERVAL', '10'))}))
    except KeyboardInterrupt:
        pass

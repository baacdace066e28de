# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""OCSP as resources of the engine: the cluster's OCSP configuration
(redis.enterprise.ocsp), the view of it with the stapled status
(redis.enterprise.ocsp_info), and what both say about OCSP's own errors and
status dates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
from email.utils import parsedate_to_datetime

from ._api import RedisEnterpriseError
from ._engine import Resource, Spec
from ._fields import Field
from ._resources import SettingsResource

CONFIG_PATH = '/v1/ocsp'
STATUS_PATH = '/v1/ocsp/status'
TEST_PATH = '/v1/ocsp/test'

# The writable fields, with the ranges of the OCSP object's reference.
# responder_url is read-only (taken from the proxy certificate): neither an
# option nor ever part of a PUT body.
FIELDS = (
    Field('ocsp_functionality', 'bool'),
    Field('query_frequency', 'int', 60, 86400),
    Field('response_timeout', 'int', 1, 60),
    Field('recovery_frequency', 'int', 60, 86400),
    Field('recovery_max_tries', 'int', 1, 100),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)

# A test waits up to this long in the cluster's queue before it fails with
# task_queued_for_too_long, then up to response_timeout for the responder.
TEST_QUEUE_SECONDS = 5
# What the cluster's own work around a test may add.
TEST_MARGIN_SECONDS = 5
# The fields of the OCSP status object, empty while no status was fetched.
STATUS_FIELDS = ('cert_status', 'responder_url', 'produced_at', 'this_update', 'next_update', 'revocation_time')
# Its dates, as the cluster writes them (HTTP dates).
STATUS_DATES = ('produced_at', 'this_update', 'next_update', 'revocation_time')

# What counts is the OCSP URL in the Authority Information Access of the
# proxy certificate itself: one in its issuing CA's certificate does not.
NO_RESPONDER_URL = (
    'Cannot turn OCSP stapling on: the cluster has no OCSP responder URL (no_responder_url). '
    "The cluster takes it from the Authority Information Access of its proxy certificate itself (an OCSP URL "
    "there; one in the issuing CA's certificate does not count): install a proxy certificate whose own Authority "
    'Information Access names an OCSP responder (redis.enterprise.certificate with name=proxy), then run again. '
    'Turning OCSP off always works.')
RESPONDER_URL_GONE = (
    'OCSP stapling is on, but the cluster has no OCSP responder URL any more (no_responder_url): its proxy '
    'certificate names no OCSP responder in its own Authority Information Access, for example since it was '
    'replaced. Nothing was changed, as what the cluster does with a change in this state is not documented. '
    'Install a proxy certificate whose own Authority Information Access names an OCSP responder (one in the '
    "issuing CA's certificate does not count), or turn stapling off (ocsp_functionality: false), then run again.")


def explain(params, failure):
    """The messages of OCSP's own error codes, whichever call met them."""
    if failure.code == 'ocsp_unsupported_by_capability':
        return ('Not all nodes of the cluster support OCSP (HTTP %d, %s), for example while the cluster is being '
                'upgraded. Finish upgrading every node, then run again.%s'
                % (failure.status, failure.code, failure.said))
    if failure.code == 'task_queued_for_too_long':
        return ('The cluster did not get to %s in time (HTTP %d, %s): its task queue is busy. Run again later.%s'
                % (failure.call, failure.status, failure.code, failure.said))
    if failure.code == 'invalid_ocsp_response':
        return ('The OCSP responder gave the cluster an answer it cannot use (HTTP %d, %s, for %s). Check that the '
                'cluster nodes reach the responder URL of the proxy certificate and that it answers for that '
                'certificate.%s' % (failure.status, failure.code, failure.call, failure.said))
    return None


def test_timeout(config, planned=None):
    """Seconds to wait for the answer to POST /v1/ocsp/test: the cluster's
    queue, then the responder's response_timeout (60, the most, when the
    configuration does not say), whatever the timeout option says.

    planned: the configuration a run is about to write. Its response_timeout
    counts too: a task that raises it is waited for that long, and one that
    lowers it still gets the cluster's current one, which the cluster asks
    the responder under until the write."""
    field = FIELDS[2]
    sources = [config] + ([planned] if planned and field.name in planned else [])
    waits = []
    for source in sources:
        try:
            waits.append(field.coerce(source.get(field.name)))
        except ValueError:
            waits.append(field.high)
    return TEST_QUEUE_SECONDS + max(waits) + TEST_MARGIN_SECONDS


def iso_date(value):
    """An HTTP date of the status object ('Wed, 22 Dec 2021 12:50:11 GMT') as
    ISO 8601 in UTC ('2021-12-22T12:50:11Z'). That form sorts as text in time
    order, so a playbook can compare it with now(utc=True, fmt=...).

    None for an empty or missing date (no status fetched yet); ValueError for
    anything that is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        moment = parsedate_to_datetime(value)
        # An HTTP date without a zone (or with -0000) is GMT.
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        moment = moment.astimezone(datetime.timezone.utc)
    except (AttributeError, TypeError, ValueError, OverflowError):
        # Python 3.8 and 3.9 answer a string that is no date with TypeError;
        # not a string at all, AttributeError.
        raise ValueError('%r is not a date like "Wed, 22 Dec 2021 12:50:11 GMT"' % (value,))
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def with_iso_dates(status, task):
    """status with <date>_iso beside each date; a warning to task for a date
    that could not be read: one odd date should not hide the rest."""
    result = dict(status)
    for name in STATUS_DATES:
        try:
            result[name + '_iso'] = iso_date(status.get(name))
        except ValueError as error:
            result[name + '_iso'] = None
            task.warn('The OCSP status field %s: %s, so %s_iso is null.' % (name, error, name))
    return result


def ask_responder(api, task, config, planned=None):
    """POST /v1/ocsp/test: what the responder answers now for the proxy
    certificate, with the ISO dates. While stapling is off the cluster
    caches nothing of it; while on, it staples this answer. planned: the
    configuration the run is about to write (see test_timeout)."""
    return with_iso_dates(api.post(TEST_PATH, read_timeout=test_timeout(config, planned)), task)


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def status_problem(status):
    """(what the responder said, what to check) when its answer is not a GOOD
    and current one, the only answer clients that check the staple accept;
    else None."""
    cert_status = status.get('cert_status') or 'no status'
    url = status.get('responder_url') or 'of the proxy certificate'
    if cert_status == 'REVOKED':
        return ('the OCSP responder %s answered REVOKED for the proxy certificate (revoked at %s)'
                % (url, status.get('revocation_time_iso') or status.get('revocation_time') or 'an unknown time'),
                'The certificate is revoked: install a new proxy certificate (redis.enterprise.certificate).')
    if cert_status != 'GOOD':
        return ('the OCSP responder %s answered %s for the proxy certificate' % (url, cert_status),
                "Check that the cluster's nodes reach the responder (their route and firewall to it) and that the "
                "responder knows the certificate's issuer.")
    if status.get('next_update_iso') and status['next_update_iso'] < _now_iso():
        return ('the OCSP responder %s answered GOOD for the proxy certificate, but out of date: its next update was '
                '%s' % (url, status['next_update_iso']),
                'Check the responder: it answers with a status past its own next update.')
    return None


TURN_ON_REFUSED = (
    'Not turning OCSP stapling on: %s. While stapling is on, clients that check the staple refuse the handshake '
    'for such a status, so every database of the cluster would be cut off from them. %s Nothing was written. To '
    'turn stapling on all the same (for example while the responder is down on purpose), set '
    'require_good_status: false.')


class Config(SettingsResource):
    """The OCSP configuration object. Turning stapling on needs a responder
    URL, which the cluster takes from its proxy certificate, and (unless
    require_good_status is false) a GOOD and current answer of that
    responder, asked before the write."""

    def prepare(self, api, task, state, plan):
        was_on = plan.before.get('ocsp_functionality')
        if plan.after.get('ocsp_functionality') and not state.get('responder_url'):
            raise RedisEnterpriseError(RESPONDER_URL_GONE if was_on else NO_RESPONDER_URL,
                                       error_code='no_responder_url')
        if not plan.after.get('ocsp_functionality') or was_on or not task.params['require_good_status']:
            return {}
        try:
            status = ask_responder(api, task, state, plan.after)
        except RedisEnterpriseError as error:
            # No answer to rely on is no GOOD answer: said with the cause,
            # and the responder, as the other refusals name it.
            raise RedisEnterpriseError(
                TURN_ON_REFUSED % ('asking the OCSP responder %s failed (%s)'
                                   % (state['responder_url'], error.msg.rstrip('.')),
                                   "Check that the cluster's nodes reach the responder."),
                http_status=error.http_status, error_code=error.error_code)
        problem = status_problem(status)
        if problem:
            raise RedisEnterpriseError(TURN_ON_REFUSED % problem, keys=dict(ocsp_status=status))
        return dict(ocsp_status=status)


CONFIG = Config('OCSP configuration', CONFIG_PATH, FIELDS, result_key='ocsp', explain=explain,
                options=dict(require_good_status=dict(type='bool', default=True)))

NOT_TESTED_IN_CHECK_MODE = (
    'test_certificate was not done in check mode: POST /v1/ocsp/test contacts the OCSP responder and '
    "refreshes the cluster's cached status. The status returned is the cached one.")
CANNOT_TEST = (
    'Cannot test the certificate: the cluster has no OCSP responder URL (no_responder_url), so '
    'certificate_compatible is false. The responder URL comes from the Authority Information Access of the '
    "proxy certificate itself (one in the issuing CA's certificate does not count): install a proxy certificate "
    'whose own Authority Information Access names an OCSP responder, or run without test_certificate.')
CANNOT_TEST_IN_CHECK_MODE = (
    'test_certificate was not done in check mode, and a real run would fail: the cluster has no OCSP responder URL '
    '(no_responder_url), so certificate_compatible is false. In check mode that is no failure, as a proxy '
    'certificate that an earlier task of the same run would install is not installed yet. For a real run, the proxy '
    "certificate's own Authority Information Access must name an OCSP responder. The status returned is the "
    'cached one.')
NO_STATUS = ('The cluster has no OCSP responder URL, so no OCSP status; the status returned is empty. '
             'GET /v1/ocsp/status failed: %s')


class Info(Resource):
    """The OCSP configuration and the status of the proxy certificate: the
    cached one, or with test_certificate the responder's answer now."""

    spec = Spec(dict(test_certificate=dict(type='bool', default=False)))

    def read(self, api, task):
        test = task.params['test_certificate']
        config = api.get(CONFIG_PATH)
        compatible = bool(config.get('responder_url'))
        if test and not task.check_mode:
            if not compatible:
                raise RedisEnterpriseError(CANNOT_TEST, error_code='no_responder_url')
            return dict(ocsp=config, certificate_compatible=compatible, ocsp_status=ask_responder(api, task, config))
        if test:
            # The test is not made in check mode anyway; what it would need
            # may be what an earlier task of the run would install.
            task.warn(NOT_TESTED_IN_CHECK_MODE if compatible else CANNOT_TEST_IN_CHECK_MODE)
        try:
            status = api.get(STATUS_PATH)
        except RedisEnterpriseError as error:
            # What a cluster without a responder URL answers here is not
            # documented; it has no status to give, whatever it says.
            if compatible or error.http_status in (None, 401, 403):
                raise
            task.warn(NO_STATUS % error.msg)
            status = dict((name, '') for name in STATUS_FIELDS)
        return dict(ocsp=config, certificate_compatible=compatible, ocsp_status=with_iso_dates(status, task))

    def result(self, task, state, plan, written):
        return state

    def explain(self, params, failure):
        return explain(params, failure)


INFO = Info()

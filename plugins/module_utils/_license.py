# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster license on the engine: redis.enterprise.license installs it
(PUT /v1/license), redis.enterprise.license_info reads its facts (GET
/v1/license), and the cluster_events source watches its expiry.

GET answers the license's text twice, as license and as key, beside its
facts. The text is dropped where it is read: what leaves this file is the
facts and a digest to compare texts by, never the text. The one exception
stays inside it: redis.enterprise.license keeps the text it read before its
write in memory (Withheld), to install it again if the new license turns
out not valid."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib

from . import _contract
from ._api import RedisEnterpriseError
from ._engine import Plan, Resource, Spec

LICENSE_PATH = _contract.LICENSE_PATH
# The cluster's FQDN (its name), which a license is issued for.
CLUSTER_PATH = '/v1/cluster'
START = _contract.LICENSE_START
END = _contract.LICENSE_END
# The fields of GET /v1/license that hold the text.
TEXT_FIELDS = ('license', 'key')
# What the diff shows of a license: the facts that come with it, not those
# of the cluster that change on their own (the shards in use).
DIFF_FACTS = ('owner', 'cluster_name', 'activation_date', 'expiration_date', 'expired', 'features', 'shards_limit',
              'ram_shards_limit', 'flash_shards_limit')
DATES = ('activation_date', 'expiration_date')
UNKNOWN_UNTIL_INSTALLED = ('a new license: its owner, expiration and shard limits are known only once the cluster '
                           'has installed it')
EXPIRES_SOON = 'The license expires on %s, in %s: it is installed, but renew it before then.'
NOT_VALID = ('The cluster installed the new license, %s, but %s: under it, the cluster behaves as if it had no license, '
             'and refuses most changes to its databases. %s')
NO_NAME_CHECK = ("The new license's cluster_name was not checked against the cluster's FQDN: reading it (GET %s) failed: "
                 '%s')
NO_DRY_RUN = ('Check mode cannot tell whether the cluster accepts this license: PUT /v1/license has no dry run, and '
              'the cluster checks a license only when it installs it. A license it refuses leaves it as if it had '
              'none, which blocks most changes to its databases.')


def digest(text):
    """What two license texts compare by: the SHA-256 of the text without
    any whitespace (line breaks, indentation, CRLF), so that a text
    re-wrapped or read from a file with other line endings is the same."""
    return hashlib.sha256(''.join(text.split()).encode('utf-8')).hexdigest()


def iso_date(value):
    """An ISO 8601 date of the license (2019-12-31T00:00:00Z; an offset or
    fractions allowed) as an aware datetime in UTC, or ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError('%r is not a date like "2019-12-31T00:00:00Z"' % (value,))
    text = value.strip()
    if text[-1:] in ('Z', 'z'):
        text = text[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(text)
    except AttributeError:
        # Python 3.6 has no fromisoformat: the reference's own form.
        try:
            moment = datetime.datetime.strptime(text.replace('+00:00', '+0000'), '%Y-%m-%dT%H:%M:%S%z')
        except ValueError:
            raise ValueError('%r is not a date like "2019-12-31T00:00:00Z"' % (value,))
    except ValueError:
        raise ValueError('%r is not a date like "2019-12-31T00:00:00Z"' % (value,))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def facts(answer, now=None, warn=None):
    """The facts of a GET /v1/license answer, without its text: the dates in
    ISO 8601 (UTC), and days_until_expiry, the whole days left (negative
    once it expired; null when the date cannot be read, with a warning)."""
    found = dict((key, value) for key, value in answer.items() if key not in TEXT_FIELDS)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    found['days_until_expiry'] = None
    for name in DATES:
        if found.get(name) in (None, ''):
            continue
        try:
            moment = iso_date(found[name])
        except ValueError as error:
            if warn:
                warn('The license field %s: %s, so it is returned as the cluster gave it.' % (name, error))
            continue
        found[name] = moment.strftime('%Y-%m-%dT%H:%M:%SZ')
        if name == 'expiration_date':
            found['days_until_expiry'] = int((moment - now).total_seconds() // 86400)
    return found


class Withheld(object):
    """A license text kept in memory, to be sent again and nothing else: it
    shows as a placeholder wherever it is printed or formatted."""

    __slots__ = ('text',)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return '<license text withheld>'

    __str__ = __repr__


def _read(api, warn=None):
    """(facts, digest, Withheld text) of the installed license, or (None,
    None, None) when the cluster has none (404)."""
    try:
        answer = api.get(LICENSE_PATH)
    except RedisEnterpriseError as error:
        if error.http_status == 404:
            return None, None, None
        raise
    text = next((answer.get(name) for name in TEXT_FIELDS if isinstance(answer.get(name), str)), '')
    found = facts(answer, warn=warn)
    answer.clear()
    if not text.strip():
        return found, None, None
    return found, digest(text), Withheld(text)


def read(api, warn=None):
    """(facts, digest of its text) of the installed license, or (None,
    None) when the cluster has none (404)."""
    return _read(api, warn)[:2]


def shown(found):
    """What the diff shows of a license."""
    return dict((name, found[name]) for name in DIFF_FACTS if name in found) if found else {}


def _whose(found):
    return 'of %s, valid until %s' % (found.get('owner') or 'an unnamed owner',
                                      found.get('expiration_date') or 'an unknown date')


def _described(found):
    if not found:
        return 'no license (GET /v1/license answers 404)'
    return 'the license ' + _whose(found)


def _same_name(one, other):
    return one.strip().rstrip('.').lower() == other.strip().rstrip('.').lower()


def problem(found, fqdn=None):
    """Why an installed license is not one a cluster works under, or None:
    the cluster reports it expired (not valid, when its expiration date is
    still ahead), or its expiration date is past; given the cluster's FQDN,
    a license issued for another cluster_name."""
    days, said = found.get('days_until_expiry'), []
    name = found.get('cluster_name')
    if fqdn and isinstance(name, str) and name.strip() and not _same_name(name, fqdn):
        said.append('it is issued for the cluster %s, and this cluster is %s' % (name, fqdn))
    if found.get('expired') is True:
        if days is not None and days >= 0:
            said.append('the cluster reports it not valid (expired: true), though its expiration_date %s is ahead'
                        % found.get('expiration_date'))
        else:
            said.append('the cluster reports it expired (expiration_date %s)' % found.get('expiration_date'))
    elif days is not None and days < 0:
        said.append('its expiration_date %s is past' % found.get('expiration_date'))
    return ', and '.join(said) or None


def expires_soon(found, days, now=None):
    """The warning for a license that expires within days of now (but after
    it), else None."""
    try:
        expires = iso_date(found.get('expiration_date'))
    except ValueError:
        return None
    left = expires - (now or datetime.datetime.now(datetime.timezone.utc))
    if left > datetime.timedelta(days=days) or left.total_seconds() <= 0:
        return None
    whole = int(left.total_seconds() // 86400)
    return EXPIRES_SOON % (found['expiration_date'],
                           'less than a day' if whole == 0 else '%d day%s' % (whole, '' if whole == 1 else 's'))


class License(Resource):
    """The installed license: compared by its text, whitespace aside;
    installed only on a difference, then read back. One that the cluster
    then holds not valid (expired, or issued for another cluster) is
    replaced by the license installed before, whose text the read kept."""

    spec = Spec(dict(license=dict(type='str', required=True, no_log=True),
                     license_warning_days=dict(type='int', default=30)))

    def desired(self, params):
        days = params.get('license_warning_days')
        if days is not None and days < 0:
            raise RedisEnterpriseError('license_warning_days must be 0 or more (0: no warning); got %d. Nothing was '
                                       'sent to the cluster.' % days)
        text = params['license'] or ''
        start, end = text.find(START), text.rfind(END)
        if start < 0 or end < start or not text[start + len(START):end].strip():
            raise RedisEnterpriseError(
                'license must be the license text, from "%s" to "%s", as the vendor sends it; got %d characters '
                'without those markers. Nothing was sent to the cluster. To read the text from a file, give '
                "lookup('ansible.builtin.file', path), not the path." % (START, END, len(text)))
        # Sent as given, without the blank lines around it or CRLF line ends.
        return '\n'.join(line.rstrip() for line in text.strip().splitlines()) + '\n'

    def read(self, api, task):
        found, held, kept = _read(api, task.warn)
        return dict(facts=found, digest=held, kept=kept)

    @staticmethod
    def _warn_if_soon(task, found):
        days = task.params.get('license_warning_days')
        warning = found and days and expires_soon(found, days)
        if warning:
            task.warn(warning)

    def plan(self, task, state, want):
        before = shown(state['facts'])
        if state['digest'] == digest(want):
            self._warn_if_soon(task, state['facts'])
            return Plan(before, before, changed=False, want=want)
        return Plan(before, {'license': UNKNOWN_UNTIL_INSTALLED}, body={'license': want}, changed=True, want=want)

    def prepare(self, api, task, state, plan):
        if task.check_mode:
            task.warn(NO_DRY_RUN)
        return {}

    def write(self, api, task, state, plan):
        try:
            api.call('PUT', LICENSE_PATH, body=plan.body, empty_ok=True)
        except RedisEnterpriseError as error:
            if error.http_status not in (400, 406):
                raise
            # The docs warn that a cluster given a license it refuses may
            # behave as if it had none: say what it holds now, and put back
            # the one it held if it lost it.
            try:
                found, held = read(api)
            except RedisEnterpriseError as again:
                raise RedisEnterpriseError('%s The cluster now holds unknown: reading it back failed too (%s).'
                                           % (error.msg, again.msg), http_status=error.http_status,
                                           error_code=error.error_code)
            if state['kept'] is None or held == state['digest']:
                raise RedisEnterpriseError('%s The cluster now holds %s.' % (error.msg, _described(found)),
                                           http_status=error.http_status, error_code=error.error_code)
            back, restored = self._put_back(api, state)
            raise RedisEnterpriseError('%s With that, the cluster lost the license it held: it holds %s. %s'
                                       % (error.msg, _described(found), back), http_status=error.http_status,
                                       error_code=error.error_code, keys=dict(changed=not restored))
        found, held = read(api, task.warn)
        if held != digest(plan.want):
            raise RedisEnterpriseError(
                'The cluster took PUT %s without an error, but reading it back shows %s, not the license this task '
                'gave. Check the cluster\'s event log, then run the task again.' % (LICENSE_PATH, _described(found)))
        wrong = problem(found, self._fqdn(api, task, found))
        if wrong:
            back, restored = self._put_back(api, state)
            raise RedisEnterpriseError(NOT_VALID % (_whose(found), wrong, back),
                                       keys=dict(changed=not restored))
        self._warn_if_soon(task, found)
        plan.after = shown(found)
        return dict(state, facts=found, digest=held, kept=None)

    @staticmethod
    def _fqdn(api, task, found):
        """The cluster's FQDN, to check the license's cluster_name against,
        or None (a license without one, or the read failed: a warning)."""
        if not (found or {}).get('cluster_name'):
            return None
        try:
            return api.get(CLUSTER_PATH).get('name')
        except RedisEnterpriseError as error:
            task.warn(NO_NAME_CHECK % (CLUSTER_PATH, error.msg))
            return None

    @staticmethod
    def _put_back(api, state):
        """Install again the license read before the write: (what the
        failure then says, whether the cluster holds that license again)."""
        kept, before = state['kept'], _described(state['facts'])
        if kept is None:
            return ('There was no license before it to put back (the cluster held %s). Install a license that is valid '
                    'now.' % before, False)
        try:
            api.call('PUT', LICENSE_PATH, body={'license': kept.text}, empty_ok=True)
        except RedisEnterpriseError as error:
            try:
                now = _described(read(api)[0])
            except RedisEnterpriseError as again:
                now = 'unknown: reading it back failed (%s)' % again.msg.rstrip('.')
            return ('Putting back the license it replaced, %s, failed too: %s The cluster now holds %s. Install a '
                    'valid license at once.' % (before, error.msg, now), False)
        try:
            found, held = read(api)
        except RedisEnterpriseError as error:
            return ('The license it replaced, %s, was sent again, but reading it back failed (%s): check the cluster '
                    'with redis.enterprise.license_info.' % (before, error.msg), False)
        if held != state['digest']:
            return ('The license it replaced, %s, was sent again, but reading it back shows %s. Install a valid '
                    'license at once.' % (before, _described(found)), False)
        return ('The license it replaced is installed again: %s. Give this task a license that is valid now.'
                % _described(found), True)

    def result(self, task, state, plan, written):
        return {'license': state['facts'] or {}}

    def explain(self, params, failure):
        if failure.method != 'PUT':
            return None
        if failure.status == 400:
            return ('The cluster refused the license as corrupt or malformed (HTTP 400, %s, %s).%s Give the whole '
                    'license text as the vendor sent it.' % (failure.code or 'no error code', failure.call,
                                                             failure.said))
        if failure.status == 406:
            return ('The cluster refused the license: it violates the license terms for this cluster (HTTP 406, %s, '
                    '%s).%s A license is for one cluster name, and must allow the shards the cluster uses.'
                    % (failure.code or 'no error code', failure.call, failure.said))
        return None


class Info(Resource):
    """The installed license's facts, without its text."""

    spec = Spec({})

    def read(self, api, task):
        return read(api, task.warn)[0]

    def result(self, task, state, plan, written):
        return dict(installed=state is not None, license=state or {})


LICENSE = License()
INFO = Info()

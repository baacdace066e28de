# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's OCSP configuration object: its writable fields, their
ranges, and the compare/merge that decides whether and what to PUT."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean

from ._api import RedisEnterpriseError

CONFIG_PATH = '/v1/ocsp'
STATUS_PATH = '/v1/ocsp/status'
TEST_PATH = '/v1/ocsp/test'

# name: (type, lowest, highest); ranges from the OCSP object's reference.
# responder_url is read-only (taken from the proxy certificate), so it is
# neither an option nor ever part of a PUT body.
FIELDS = {
    'ocsp_functionality': ('bool', None, None),
    'query_frequency': ('int', 60, 86400),
    'response_timeout': ('int', 1, 60),
    'recovery_frequency': ('int', 60, 86400),
    'recovery_max_tries': ('int', 1, 100),
}
FIELD_NAMES = ('ocsp_functionality', 'query_frequency', 'response_timeout',
               'recovery_frequency', 'recovery_max_tries')

# A test waits up to this long in the cluster's queue before it fails with
# task_queued_for_too_long, then up to response_timeout for the responder.
TEST_QUEUE_SECONDS = 5
# What the cluster's own work around a test may add.
TEST_MARGIN_SECONDS = 5
# The fields of the OCSP status object, empty while no status was fetched.
STATUS_FIELDS = ('cert_status', 'responder_url', 'produced_at', 'this_update', 'next_update', 'revocation_time')

NO_RESPONDER_URL = (
    'Cannot turn OCSP stapling on: the cluster has no OCSP responder URL (no_responder_url). '
    "The responder URL comes from the cluster's proxy certificate: install a proxy certificate "
    'issued by a CA whose certificate carries an OCSP URI (PUT /v1/cluster/update_cert or '
    '"rladmin cluster certificate set proxy"), then run again. Turning OCSP off always works.')
RESPONDER_URL_GONE = (
    'OCSP stapling is on, but the cluster has no OCSP responder URL any more (no_responder_url): its proxy '
    'certificate carries no OCSP URI, for example since it was replaced. Nothing was changed, as what the '
    'cluster does with a change in this state is not documented. Install a proxy certificate issued by a CA '
    'whose certificate carries an OCSP URI, or turn stapling off (ocsp_functionality: false), then run again.')


def test_timeout(config):
    """Seconds to wait for the answer to POST /v1/ocsp/test: the cluster's
    queue, then the responder's response_timeout (60, the most, when the
    configuration does not say), whatever the timeout option says."""
    try:
        responder = _coerce('response_timeout', config.get('response_timeout'))
    except RedisEnterpriseError:
        responder = FIELDS['response_timeout'][2]
    return TEST_QUEUE_SECONDS + responder + TEST_MARGIN_SECONDS


def _hint(name):
    kind, low, high = FIELDS[name]
    return 'true or false' if kind == 'bool' else 'an integer from %d to %d' % (low, high)


def option_spec():
    """Options of the ocsp module: one per writable field, unset (None) means
    the field is not enforced."""
    return dict((name, dict(type=FIELDS[name][0])) for name in FIELD_NAMES)


def hints():
    """(text, sentence) pairs: what to add to an argument validation message
    that holds the text. A wrong option gets its range; a task with none of
    the options, which would read the cluster and enforce nothing, the likely
    cause."""
    found = [("'%s'" % name, '%s must be %s.' % (name, _hint(name))) for name in FIELD_NAMES]
    found.append(('one of the following is required',
                  'A task with none of them would only read the cluster and enforce nothing: check for a '
                  'misspelt option, or one templated to omit.'))
    return found


def range_errors(params):
    """Messages for the options outside their range, empty when all fit."""
    errors = []
    for name in FIELD_NAMES:
        kind, low, high = FIELDS[name]
        value = params.get(name)
        if kind == 'int' and value is not None and not low <= value <= high:
            errors.append('%s must be %s; got %s.' % (name, _hint(name), value))
    return errors


def _coerce(name, value):
    """A field value as the type it is documented with, or an error: some
    clusters and proxies answer numbers as strings ("3600")."""
    kind = FIELDS[name][0]
    if kind == 'bool':
        # rladmin's words for it, then whatever Ansible reads as a boolean.
        if isinstance(value, str) and value.strip().lower() in ('enabled', 'disabled'):
            return value.strip().lower() == 'enabled'
        try:
            return boolean(value)
        except TypeError:
            pass
    else:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    raise RedisEnterpriseError(
        'The cluster returned %s=%r in GET %s, which is not %s; the module cannot compare it. '
        'Check the cluster version and its OCSP configuration.' % (name, value, CONFIG_PATH, _hint(name)))


def writable(config):
    """The writable fields of a configuration, typed; unknown fields that a
    newer cluster returns and the read-only responder_url are left out."""
    return dict((name, _coerce(name, config[name])) for name in FIELD_NAMES
                if config.get(name) is not None)


def plan(current, desired):
    """Compare the current configuration with the desired fields.

    Returns (before, after): the writable fields now, and every writable
    field with the desired values merged in. after is the PUT body, so a
    cluster that resets omitted fields to defaults loses nothing. Nothing
    is to be written when before == after."""
    before = writable(current)
    after = dict(before)
    after.update((name, value) for name, value in desired.items() if value is not None)
    return before, after


def responder_problem(current, after):
    """The message that refuses after, or None: OCSP on without the
    responder URL that stapling needs, worded for the state the cluster is
    in (stapling off and to be turned on, or on already)."""
    if not after.get('ocsp_functionality') or current.get('responder_url'):
        return None
    return RESPONDER_URL_GONE if writable(current).get('ocsp_functionality') else NO_RESPONDER_URL

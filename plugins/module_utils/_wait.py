# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""Waiting for what the cluster does after it answers: the engine's one
waiter, for every resource whose writes go on as long-running actions.

A write answers before the cluster has done it. The waiter follows the
write's action (GET /v2/actions/{uid}, else /v1/actions/{uid} on a cluster
that has no v2 or no longer remembers it) until the action is over, then
polls the object until it is in a state its resource declares done (a
database's status active, or gone after a removal), all on one monotonic
clock and within one deadline (the task's wait_timeout). Polls start fast
and back off (DELAYS): a 2-second create costs a few requests, a 10-minute
one a request every few seconds. A call answered 409 (busy with another
change) is sent again with the same backoff, within the same deadline.

The status names differ between the pages of the API reference: a status
that is not declared final is still running until the deadline."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ._api import RedisEnterpriseError

# The options of every module that waits: the same names everywhere.
OPTIONS = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
)
MAX_WAIT = 86400

# The first pause between two polls, how much longer each next one is, and
# the longest.
FIRST_DELAY = 0.25
FACTOR = 2.0
LONGEST_DELAY = 5.0

ACTION_PATHS = ('/v2/actions/%s', '/v1/actions/%s')
# v2's completed and failed, v1's the same; the action object page's aborted
# and cancelled. Anything else (queued, running, pending, active, starting,
# cancelling, a name of a newer release) is still at work.
ACTION_DONE = ('completed',)
ACTION_FAILED = ('failed', 'aborted', 'cancelled')


class Clock(object):
    """Seconds on a monotonic clock, and a pause: the only two things the
    waiter takes from time."""

    @staticmethod
    def now():
        return time.monotonic()

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)


class TimedOut(RedisEnterpriseError):
    """The deadline passed; last: what was last seen (an action or the
    object), for the message."""

    def __init__(self, msg, last=None, keys=None):
        super(TimedOut, self).__init__(msg, keys=keys)
        self.last = last


class Waiter(object):
    """One deadline (timeout seconds from now) and the backoff of the polls
    within it."""

    def __init__(self, timeout, clock=None):
        self.clock = clock or Clock()
        self.timeout = timeout
        self.started = self.clock.now()
        self.deadline = self.started + timeout
        self.delay = FIRST_DELAY
        self.polls = 0

    def waited(self):
        """Seconds since the wait began, rounded for a result."""
        return round(self.clock.now() - self.started, 3)

    def pause(self):
        """Sleep the next delay of the backoff, never past the deadline;
        False once the deadline has passed."""
        left = self.deadline - self.clock.now()
        if left <= 0:
            return False
        self.clock.sleep(min(self.delay, left))
        self.delay = min(self.delay * FACTOR, LONGEST_DELAY)
        return True

    def until(self, read, settled, what):
        """read() again and again until settled(value) is true; the value.
        settled may raise to end the wait (a failed state). TimedOut when
        the deadline passes first; what: the thing waited for, in its
        message ('the database db1 to be active')."""
        while True:
            value = read()
            self.polls += 1
            if settled(value):
                return value
            if not self.pause():
                raise TimedOut('Gave up waiting for %s after %d seconds (wait_timeout).' % (what, self.timeout),
                               last=value)

    def retrying_busy(self, send, busy):
        """send() again, with the backoff, while it fails with an error that
        busy(error) says is a "busy, retry later" (HTTP 409)."""
        while True:
            try:
                return send()
            except RedisEnterpriseError as error:
                if not busy(error) or not self.pause():
                    raise


def follow_action(api, uid, waiter, what):
    """The action of uid as last read, once it is over (completed, failed,
    aborted, cancelled), or None when neither /v2 nor /v1 knows it (the
    cluster no longer remembers it, or answers none). Which of the two the
    cluster serves is learnt once per action."""
    paths = list(ACTION_PATHS)

    def read():
        while paths:
            try:
                return api.get(paths[0] % uid)
            except RedisEnterpriseError as error:
                if error.http_status != 404:
                    raise
                paths.pop(0)
        return None

    return waiter.until(read, lambda action: action is None or status_of(action) in ACTION_DONE + ACTION_FAILED,
                        'the action %s of %s to end' % (uid, what))


def status_of(action):
    """An action's status, lower case ('' for none)."""
    return str((action or {}).get('status') or '').strip().lower()


def action_error(action):
    """What a failed action says went wrong, or None: v2's
    additional_info.error, the action object's error_message, its
    error_code."""
    info = action.get('additional_info') if isinstance(action.get('additional_info'), dict) else {}
    for said in (info.get('error'), action.get('error_message'), action.get('error_code')):
        if isinstance(said, str) and said.strip():
            return said.strip()
    return None

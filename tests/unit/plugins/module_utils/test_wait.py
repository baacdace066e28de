# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The waiter: its backoff on a clock the test drives, its deadline, and the
statuses it takes as final."""

from __future__ import annotations

import pytest

from ansible_collections.redis.enterprise.plugins.module_utils import _wait
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError


class SteppedClock:
    """A clock that moves only when the waiter sleeps."""

    def __init__(self):
        self.time = 1000.0
        self.sleeps = []

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.time += seconds


def polls_until(done_after, timeout=600):
    """How many reads the waiter makes of a thing that is done after
    done_after seconds."""
    clock = SteppedClock()
    waiter = _wait.Waiter(timeout, clock)
    waiter.until(lambda: clock.time - 1000.0, lambda elapsed: elapsed >= done_after, 'it')
    return waiter.polls, clock.sleeps


def test_polls_start_fast_and_back_off_to_one_every_five_seconds():
    polls, sleeps = polls_until(600, timeout=900)
    assert sleeps[:6] == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0] and set(sleeps[6:]) == {5.0}
    # Reads at 0, 0.25, 0.75, 1.75, 3.75 and 7.75 seconds, then every 5: ten minutes take 125 reads.
    assert polls == 6 + 119
    assert polls_until(2)[0] == 5 and polls_until(0)[0] == 1 and polls_until(60)[0] == 17


def test_the_deadline_ends_the_wait_and_says_what_was_last_seen():
    clock = SteppedClock()
    waiter = _wait.Waiter(3, clock)
    with pytest.raises(_wait.TimedOut) as info:
        waiter.until(lambda: {'status': 'pending'}, lambda found: False, 'the database db1 to be active')
    assert str(info.value) == 'Gave up waiting for the database db1 to be active after 3 seconds (wait_timeout).'
    assert info.value.last == {'status': 'pending'}
    # Never past the deadline: the last pause is what was left of it.
    assert clock.sleeps == [0.25, 0.5, 1.0, 1.25]


def test_a_busy_answer_is_sent_again_with_the_backoff_and_anything_else_is_not():
    clock = SteppedClock()
    waiter = _wait.Waiter(60, clock)
    answers = [RedisEnterpriseError('busy', http_status=409, error_code='busy')] * 3 + [{'ok': True}]

    def send():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    assert waiter.retrying_busy(send, lambda error: error.http_status == 409) == {'ok': True}
    assert clock.sleeps == [0.25, 0.5, 1.0]

    def refused():
        raise RedisEnterpriseError('no', http_status=400)
    with pytest.raises(RedisEnterpriseError) as info:
        waiter.retrying_busy(refused, lambda error: error.http_status == 409)
    assert info.value.http_status == 400 and clock.sleeps == [0.25, 0.5, 1.0]


@pytest.mark.parametrize('status, over', [
    ('completed', True), ('failed', True), ('aborted', True), ('cancelled', True), ('Completed', True),
    # v2's, v1's, the action object page's, and a name no page has: still at work.
    ('queued', False), ('running', False), ('pending', False), ('active', False), ('starting', False),
    ('cancelling', False), ('rebalancing', False), (None, False),
])
def test_only_the_final_statuses_end_an_action(status, over):
    assert (_wait.status_of({'status': status}) in _wait.ACTION_DONE + _wait.ACTION_FAILED) is over


@pytest.mark.parametrize('action, said', [
    ({'status': 'failed', 'additional_info': {'error': 'not enough memory'}}, 'not enough memory'),
    ({'status': 'failed', 'error_message': 'port taken', 'error_code': 'port_unavailable'}, 'port taken'),
    ({'status': 'failed', 'error_code': 'port_unavailable'}, 'port_unavailable'),
    ({'status': 'failed', 'additional_info': 'text'}, None),
])
def test_a_failed_action_says_what_went_wrong_where_it_can(action, said):
    assert _wait.action_error(action) == said

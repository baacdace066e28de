# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The license's logic: texts compared whitespace aside, the dates of the
REST API reference (2019-12-31T00:00:00Z) read, the days left counted, the
text never among the facts, and a text without its markers refused."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.redis.enterprise.plugins.module_utils import _license
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError

TEXT = '----- LICENSE START -----\nabcd/EFGH+ijkl\nmnop==\n----- LICENSE END -----\n'
UTC = datetime.timezone.utc


def test_texts_compare_without_their_whitespace():
    reflowed = '\r\n  ----- LICENSE START -----\r\n  abcd/EF\r\n  GH+ijklmnop==\r\n  ----- LICENSE END -----\r\n\r\n'
    assert _license.digest(reflowed) == _license.digest(TEXT)
    assert _license.digest(TEXT.replace('ijkl', 'ijkL')) != _license.digest(TEXT)
    # A digest, not the text.
    assert 'abcd' not in _license.digest(TEXT) and len(_license.digest(TEXT)) == 64


@pytest.mark.parametrize('value, expected', [
    ('2019-12-31T00:00:00Z', datetime.datetime(2019, 12, 31, tzinfo=UTC)),
    ('2019-12-31T02:30:00+02:30', datetime.datetime(2019, 12, 31, tzinfo=UTC)),
    ('2019-12-31T00:00:00.250Z', datetime.datetime(2019, 12, 31, 0, 0, 0, 250000, tzinfo=UTC)),
    # Without a zone: UTC.
    ('2019-12-31T00:00:00', datetime.datetime(2019, 12, 31, tzinfo=UTC)),
])
def test_the_dates_of_the_reference_are_read(value, expected):
    assert _license.iso_date(value) == expected


@pytest.mark.parametrize('value', ['', 'soon', None, 20191231, '31/12/2019'])
def test_what_is_no_date_says_so(value):
    with pytest.raises(ValueError, match='is not a date like "2019-12-31T00:00:00Z"'):
        _license.iso_date(value)


def test_the_facts_lose_the_text_and_gain_the_days_left():
    now = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    answer = {'license': TEXT, 'key': TEXT, 'owner': 'Example Inc.', 'expired': False,
              'activation_date': '2026-11-01T00:00:00+00:00', 'expiration_date': '2027-01-02T11:59:59Z',
              'shards_limit': 8}
    found = _license.facts(answer, now=now)
    assert found == {'owner': 'Example Inc.', 'expired': False, 'activation_date': '2026-11-01T00:00:00Z',
                     'expiration_date': '2027-01-02T11:59:59Z', 'shards_limit': 8, 'days_until_expiry': 29}
    # Whole days: a second short of 30 is 29; past, negative.
    assert _license.facts({'expiration_date': '2026-12-02T12:00:00Z'}, now=now)['days_until_expiry'] == -1
    warned = []
    odd = _license.facts({'expiration_date': 'next year'}, now=now, warn=warned.append)
    assert odd == {'expiration_date': 'next year', 'days_until_expiry': None}
    assert warned == ['The license field expiration_date: \'next year\' is not a date like "2019-12-31T00:00:00Z", '
                      'so it is returned as the cluster gave it.']


def test_a_license_is_a_problem_once_expired_by_the_cluster_or_by_its_date():
    assert _license.problem({'expired': False, 'days_until_expiry': 0}) is None
    assert _license.problem({'expired': True, 'expiration_date': 'X'}) == 'the cluster reports it expired ' \
        '(expiration_date X)'
    assert _license.problem({'expired': False, 'days_until_expiry': -1, 'expiration_date': 'Y'}) == \
        'its expiration_date Y is past'


@pytest.mark.parametrize('text', ['/etc/redis/cluster.license', '', '----- LICENSE START -----\n',
                                  '----- LICENSE END -----\nabc\n----- LICENSE START -----',
                                  '----- LICENSE START -----\n \n----- LICENSE END -----'])
def test_a_text_without_its_markers_or_body_is_refused(text):
    with pytest.raises(RedisEnterpriseError, match='license must be the license text, from "----- LICENSE START'):
        _license.LICENSE.desired({'license': text})


def test_the_text_is_sent_without_blank_lines_around_it_or_crlf():
    assert _license.LICENSE.desired({'license': '\r\n' + TEXT.replace('\n', '\r\n') + '\r\n\r\n'}) == TEXT


def test_a_clusters_message_that_quotes_the_license_has_it_cut_out():
    from ansible_collections.redis.enterprise.plugins.module_utils import _api
    said = _api._without_pem('invalid key %s, rejected' % TEXT.strip())
    assert said == 'invalid key [license text], rejected'
    # Cut to the end when the quote is cut short.
    assert _api._without_pem('bad: ----- LICENSE START -----\nabcd/EFGH') == 'bad: [license text]'


def test_a_license_for_another_cluster_or_reported_not_valid_is_a_problem_saying_which():
    found = {'expired': False, 'days_until_expiry': 100, 'expiration_date': 'Z', 'cluster_name': 'other.example.test'}
    assert _license.problem(found) is None  # no FQDN to compare with: the event source's use
    assert _license.problem(found, 'cluster.example.test') == ('it is issued for the cluster other.example.test, and '
                                                               'this cluster is cluster.example.test')
    # The FQDN as DNS compares it: case aside, a trailing dot aside.
    assert _license.problem(dict(found, cluster_name='Cluster.Example.Test.'), 'cluster.example.test') is None
    assert _license.problem(dict(found, cluster_name=''), 'cluster.example.test') is None
    # Reported expired with days still ahead: the cluster finds it not valid.
    assert _license.problem(dict(found, expired=True), 'other.example.test') == (
        'the cluster reports it not valid (expired: true), though its expiration_date Z is ahead')
    assert _license.problem(dict(found, expired=True), 'cluster.example.test') == (
        'it is issued for the cluster other.example.test, and this cluster is cluster.example.test, and the cluster '
        'reports it not valid (expired: true), though its expiration_date Z is ahead')


@pytest.mark.parametrize('left, days, said', [
    (datetime.timedelta(days=9, hours=23), 30, 'in 9 days'),
    (datetime.timedelta(days=30), 30, 'in 30 days'),
    (datetime.timedelta(days=30, seconds=1), 30, None),
    (datetime.timedelta(days=1, hours=1), 30, 'in 1 day'),
    (datetime.timedelta(hours=5), 30, 'in less than a day'),
    (datetime.timedelta(days=9), 5, None),
    # Expired is the failure, not a warning.
    (-datetime.timedelta(hours=1), 30, None),
])
def test_a_license_within_its_warning_days_is_warned_of(left, days, said):
    now = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    expires = (now + left).strftime('%Y-%m-%dT%H:%M:%SZ')
    warning = _license.expires_soon({'expiration_date': expires}, days, now=now)
    if said is None:
        assert warning is None
    else:
        assert warning == 'The license expires on %s, %s: it is installed, but renew it before then.' % (expires, said)


def test_negative_warning_days_are_refused_before_any_request():
    with pytest.raises(RedisEnterpriseError) as info:
        _license.LICENSE.desired({'license': TEXT, 'license_warning_days': -1})
    assert info.value.msg == ('license_warning_days must be 0 or more (0: no warning); got -1. Nothing was sent to the '
                              'cluster.')


def test_the_text_kept_to_put_back_never_shows():
    kept = _license.Withheld(TEXT)
    assert kept.text == TEXT
    for shown in (repr(kept), str(kept), '%s' % kept, '%r' % [kept], '{}'.format({'kept': kept})):
        assert 'abcd' not in shown and 'LICENSE' not in shown

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ocsp_info module's flow, run in process against the simulator over
HTTPS, and the status date conversion it relies on."""

from __future__ import annotations

import datetime
from email.utils import format_datetime

import pytest
from hypothesis import given, strategies as st

import redis_enterprise_sim as simlib
from ansible.module_utils import basic
from ansible_collections.redis.enterprise.plugins.module_utils import _ocsp
from ansible_collections.redis.enterprise.plugins.modules import ocsp_info

UTC = datetime.timezone.utc
DATES = {
    'produced_at': 'Wed, 22 Dec 2021 12:50:11 GMT',
    'this_update': 'Wed, 22 Dec 2021 12:50:11 GMT',
    'next_update': 'Thu, 23 Dec 2021 12:50:11 GMT',
    'revocation_time': '',
}
ISO = {
    'produced_at_iso': '2021-12-22T12:50:11Z',
    'this_update_iso': '2021-12-22T12:50:11Z',
    'next_update_iso': '2021-12-23T12:50:11Z',
    'revocation_time_iso': None,
}
EMPTY_ISO = dict.fromkeys(ISO)
CHECK = pytest.mark.parametrize('check', [False, True])


# Date conversion (plugins/module_utils/_ocsp.py)

@pytest.mark.parametrize('value, expected', [
    ('Wed, 22 Dec 2021 12:50:11 GMT', '2021-12-22T12:50:11Z'),
    ('Fri, 31 Dec 2021 23:59:59 GMT', '2021-12-31T23:59:59Z'),
    ('Sat, 01 Jan 2022 01:30:00 +0200', '2021-12-31T23:30:00Z'),
    ('Wed, 22 Dec 2021 12:50:11', '2021-12-22T12:50:11Z'),
    ('Thu, 29 Feb 2024 00:00:00 GMT', '2024-02-29T00:00:00Z'),
    ('', None),
    ('   ', None),
    (None, None),
])
def test_iso_date(value, expected):
    assert _ocsp.iso_date(value) == expected


@pytest.mark.parametrize('value', ['soon', '2021-12-22T12:50:11Z', 'Wed, 32 Dec 2021 12:50:11 GMT',
                                   'Wed, 22 Foo 2021 12:50:11 GMT', 1640177411, ['Wed']])
def test_iso_date_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError, match='is not a date like "Wed, 22 Dec 2021 12:50:11 GMT"'):
        _ocsp.iso_date(value)


MOMENTS = st.datetimes(min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(9999, 12, 30),
                       timezones=st.just(UTC)).map(lambda moment: moment.replace(microsecond=0))


@given(MOMENTS)
def test_iso_date_is_the_same_moment(moment):
    assert _ocsp.iso_date(format_datetime(moment, usegmt=True)) == moment.strftime('%Y-%m-%dT%H:%M:%SZ')
    # fromisoformat reads a trailing Z only from Python 3.11 on.
    iso = _ocsp.iso_date(format_datetime(moment, usegmt=True))
    assert datetime.datetime.fromisoformat(iso.replace('Z', '+00:00')) == moment


@given(MOMENTS, MOMENTS)
def test_iso_dates_sort_as_text_in_time_order(first, second):
    as_text = [_ocsp.iso_date(format_datetime(m, usegmt=True)) for m in (first, second)]
    assert (as_text[0] < as_text[1]) == (first < second)


class Warned(object):
    """A task's warn(), as with_iso_dates() uses it."""

    def __init__(self):
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)


def test_with_iso_dates_keeps_the_status_and_adds_iso_dates():
    status = dict(DATES, cert_status='GOOD', responder_url=simlib.RESPONDER_URL)
    task = Warned()
    assert _ocsp.with_iso_dates(status, task) == dict(status, **ISO)
    assert task.warnings == []


def test_with_iso_dates_warns_about_one_odd_date_and_converts_the_rest():
    task = Warned()
    converted = _ocsp.with_iso_dates(dict(DATES, next_update='tomorrow'), task)
    warnings = task.warnings
    assert converted['next_update'] == 'tomorrow'
    assert converted['next_update_iso'] is None
    assert converted['this_update_iso'] == ISO['this_update_iso']
    assert warnings == ["The OCSP status field next_update: 'tomorrow' is not a date like "
                        '"Wed, 22 Dec 2021 12:50:11 GMT", so next_update_iso is null.']


# The module

@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


@pytest.fixture
def warnings(monkeypatch):
    """() -> the warnings the module gave in this test, in order. Taken at
    AnsibleModule.warn: where ansible-core sends them next depends on
    whether its controller side is loaded in the same process."""
    given = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: given.append(warning))
    return lambda: list(given)


@CHECK
def test_fresh_cluster_reads_config_and_empty_status_without_failing(
        run_module, cluster, connection, check, warnings):
    failed, result = run_module(ocsp_info, connection, check=check)
    assert not failed, result
    assert warnings() == []
    assert result['changed'] is False
    assert result['ocsp'] == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)
    assert result['certificate_compatible'] is True
    assert result['ocsp_status'] == dict(cluster.status, **EMPTY_ISO)
    assert result['ocsp_status']['cert_status'] == ''
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]


@CHECK
def test_cached_status_is_returned_with_iso_dates(run_module, cluster, connection, check):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': dict(DATES, cert_status='GOOD')})
    failed, result = run_module(ocsp_info, connection, check=check)
    assert not failed, result
    assert result['ocsp_status'] == dict(DATES, cert_status='GOOD', responder_url=simlib.RESPONDER_URL, **ISO)
    assert result['ocsp']['ocsp_functionality'] is True


def test_no_responder_url_means_not_compatible(run_module, cluster, connection):
    cluster.update({'config': {'responder_url': ''}})
    failed, result = run_module(ocsp_info, connection)
    assert not failed, result
    assert result['certificate_compatible'] is False
    assert result['ocsp']['responder_url'] == ''


@pytest.mark.parametrize('cert_status', ['GOOD', 'REVOKED', 'UNKNOWN'])
def test_test_certificate_posts_and_returns_the_fresh_status(run_module, cluster, connection, cert_status):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': dict(DATES, cert_status='GOOD'),
                    'responder_cert_status': cert_status})
    failed, result = run_module(ocsp_info, dict(connection, test_certificate=True))
    assert not failed, result
    assert result['changed'] is False
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('POST', '/v1/ocsp/test')]
    status = result['ocsp_status']
    assert status['cert_status'] == cert_status
    assert status['next_update_iso'] > status['this_update_iso'] > ISO['this_update_iso']
    assert (status['revocation_time_iso'] is not None) is (cert_status == 'REVOKED')
    # While OCSP is on the cluster caches what the responder said.
    assert cluster.status['cert_status'] == cert_status


def test_test_certificate_with_ocsp_off_returns_the_answer_without_failing(run_module, cluster, connection):
    failed, result = run_module(ocsp_info, dict(connection, test_certificate=True))
    assert not failed, result
    assert result['ocsp_status']['cert_status'] == 'GOOD'
    assert result['ocsp_status']['next_update_iso'] is not None
    assert cluster.status['cert_status'] == ''


def test_test_certificate_in_check_mode_returns_the_cached_status_and_warns(
        run_module, cluster, connection, warnings):
    cluster.update({'config': {'ocsp_functionality': True}, 'status': dict(DATES, cert_status='GOOD'),
                    'responder_cert_status': 'REVOKED'})
    failed, result = run_module(ocsp_info, dict(connection, test_certificate=True), check=True)
    assert not failed, result
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]
    assert result['ocsp_status']['cert_status'] == 'GOOD'
    assert result['ocsp_status']['next_update_iso'] == ISO['next_update_iso']
    assert warnings() == [_ocsp.NOT_TESTED_IN_CHECK_MODE]


def test_test_certificate_without_responder_url_fails_before_post(run_module, cluster, connection):
    cluster.update({'config': {'responder_url': ''}})
    failed, result = run_module(ocsp_info, dict(connection, test_certificate=True))
    assert failed
    assert result['error_code'] == 'no_responder_url'
    assert 'certificate_compatible is false' in result['msg'] and 'own Authority Information Access' in result['msg']
    assert cluster.calls() == [('GET', '/v1/ocsp')]


def test_test_certificate_without_responder_url_in_check_mode_warns_and_reads(
        run_module, cluster, connection, warnings):
    cluster.update({'config': {'responder_url': ''}})
    failed, result = run_module(ocsp_info, dict(connection, test_certificate=True), check=True)
    assert not failed, result
    assert result['certificate_compatible'] is False and result['ocsp']['responder_url'] == ''
    assert warnings() == [_ocsp.CANNOT_TEST_IN_CHECK_MODE]
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp/status')]


def test_odd_date_from_the_cluster_warns_and_does_not_fail(run_module, cluster, connection, warnings):
    cluster.update({'status': dict(DATES, cert_status='GOOD', next_update='later')})
    failed, result = run_module(ocsp_info, connection)
    assert not failed, result
    assert result['ocsp_status']['next_update'] == 'later'
    assert result['ocsp_status']['next_update_iso'] is None
    assert result['ocsp_status']['this_update_iso'] == ISO['this_update_iso']
    assert warnings() == ["The OCSP status field next_update: 'later' is not a date like "
                          '"Wed, 22 Dec 2021 12:50:11 GMT", so next_update_iso is null.']


def test_bad_test_certificate_fails_before_any_request(run_module, cluster, connection):
    failed, result = run_module(ocsp_info, dict(connection, test_certificate='perhaps'))
    assert failed
    assert 'test_certificate' in result['msg'] and 'bool' in result['msg']
    assert cluster.log == []

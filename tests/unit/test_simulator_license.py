# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's license, as the REST API reference gives GET and PUT
/v1/license: the text answered twice (license, key) beside its facts, 404
with none installed, PUT of {"license": text} only, 400 for a corrupt
license and 406 for a violation, with the permissions of the permissions
reference."""

from __future__ import annotations

import datetime

import redis_enterprise_sim as simlib

VIEWER = (simlib.VIEWER_USER, simlib.VIEWER_PASSWORD)
USER_MANAGER = (simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)


def test_get_answers_the_text_twice_beside_its_facts_and_404_without_one(api, cluster):
    answer = api('GET', '/v1/license')
    assert answer.status_code == 200
    found = answer.json()
    assert found['license'] == found['key'] == cluster.license
    assert found['license'].startswith('----- LICENSE START -----\n')
    assert found['license'].rstrip().endswith('----- LICENSE END -----')
    assert found['expired'] is False and found['cluster_name'] == simlib.FQDN
    expires = datetime.datetime.strptime(found['expiration_date'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)
    assert 364 <= (expires - simlib.utc_now()).days <= 365
    assert (found['ram_shards_in_use'], found['flash_shards_in_use']) == simlib.SHARDS_IN_USE
    cluster.update({'license': None})
    missing = api('GET', '/v1/license')
    assert (missing.status_code, missing.json()['error_code']) == (404, 'not_found')


def test_an_expired_license_is_answered_expired(api, cluster):
    cluster.update({'license': {'expires': simlib.utc_now() - datetime.timedelta(days=1)}})
    assert api('GET', '/v1/license').json()['expired'] is True


def test_put_installs_a_good_one_and_refuses_a_corrupt_one_or_a_violation(api, cluster):
    new = simlib.license_text(owner='New Owner Ltd.', days=90)
    assert api('PUT', '/v1/license', json={'license': new}).status_code == 200
    assert api('GET', '/v1/license').json()['owner'] == 'New Owner Ltd.'
    corrupt = new.replace(new.splitlines()[1], new.splitlines()[1][::-1])
    for body, status, code in (({'license': corrupt}, 400, 'invalid_license'),
                               ({'license': 'no markers'}, 400, 'invalid_license'),
                               ({'license': new, 'key': new}, 400, 'invalid_schema'),
                               ({'license': simlib.license_text(cluster_name='other.example.test')}, 406,
                                'license_violation'),
                               ({'license': simlib.license_text(shards_limit=2)}, 406, 'license_violation')):
        answer = api('PUT', '/v1/license', json=body)
        assert (answer.status_code, answer.json()['error_code']) == (status, code), body
    # Refused: the cluster keeps what it had, unless the switch drops it.
    assert cluster.license == new
    cluster.update({'faults': {'license_refusal_drops': True}})
    assert api('PUT', '/v1/license', json={'license': corrupt}).status_code == 400
    assert api('GET', '/v1/license').status_code == 404


def test_the_permissions_of_the_license(api, cluster):
    assert api('GET', '/v1/license', user=VIEWER).status_code == 403
    assert api('GET', '/v1/license', user=USER_MANAGER).status_code == 200
    text = simlib.license_text(days=10)
    assert api('PUT', '/v1/license', user=VIEWER, json={'license': text}).status_code == 403
    assert api('PUT', '/v1/license', user=USER_MANAGER, json={'license': text}).status_code == 200


def test_the_switches_of_a_license_checked_once_installed_and_of_puts_refused(api, cluster):
    old = cluster.license
    other = simlib.license_text(cluster_name='other.example.test')
    cluster.update({'faults': {'license_unchecked': True, 'license_puts_refused_after': 2}})
    # Installed, then reported not valid, though its expiration date is a year ahead.
    assert api('PUT', '/v1/license', json={'license': other}).status_code == 200
    answer = api('GET', '/v1/license').json()
    assert answer['cluster_name'] == 'other.example.test' and answer['expired'] is True
    assert api('PUT', '/v1/license', json={'license': old}).status_code == 200
    assert api('GET', '/v1/license').json()['expired'] is False
    # The third PUT is refused.
    refused = api('PUT', '/v1/license', json={'license': other})
    assert (refused.status_code, refused.json()['error_code']) == (406, 'license_violation')
    assert cluster.license == old and cluster.licenses_installed == [other, old]

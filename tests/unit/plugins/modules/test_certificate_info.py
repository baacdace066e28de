# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""certificate_info on the module path, for what a playbook cannot set up:
a cluster whose stored key does not parse; the databases' certificates
read page by page, from a cluster that does not page, with entries that
cannot be read, and from a cluster without them."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _certificate
from ansible_collections.redis.enterprise.plugins.modules import certificate_info


def test_a_key_the_cluster_holds_that_cannot_be_read_does_not_match(run_module, simulator, cluster, sim_url):
    certificate, key = simlib.Pki().issue()
    cluster.update({'certificates': {'api': {'cert': certificate, 'key': 'not a key'},
                                     'proxy': {'cert': certificate, 'key': key}}})
    failed, result = run_module(certificate_info, {'url': sim_url, 'username': simlib.ADMIN_USER,
                                                   'password': simlib.ADMIN_PASSWORD, 'ca_path': simulator.ca_path})
    assert not failed, result
    assert result['certificates']['api']['key_matches'] is False
    assert result['certificates']['proxy']['key_matches'] is True
    assert key not in str(result) and 'not a key' not in str(result)


def connection_of(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


def pages(cluster):
    """The query of each GET /v1/bdbs/certificates, as sent."""
    return [entry['query'] for entry in cluster.log if entry['path'] == '/v1/bdbs/certificates']


def test_the_databases_certificates_are_read_page_by_page(run_module, simulator, cluster, sim_url, monkeypatch):
    pki = simlib.Pki()
    issued = [pki.issue('db-%d.cluster.example.test' % number) for number in range(1, 6)]
    cluster.update({'bdbs': [{'name': 'db-%d' % number, 'certificate': {'cert': cert, 'key': key}}
                             for number, (cert, key) in enumerate(issued, 1)]})
    monkeypatch.setattr(_certificate, 'PAGE_SIZE', 2)
    failed, result = run_module(certificate_info, connection_of(simulator, sim_url))
    assert not failed, result
    # Two full pages, then one that is not: the last.
    assert pages(cluster) == ['page=1&page_size=2', 'page=2&page_size=2', 'page=3&page_size=2']
    assert [(entry['name'], entry['database'], entry['bdb_uid']) for entry in result['database_certificates']] == [
        ('bdb:db-%d' % number, 'db-%d' % number, number) for number in range(1, 6)]
    assert [entry['subject'] for entry in result['database_certificates']] == [
        'O=redis.enterprise simulator,CN=db-%d.cluster.example.test' % number for number in range(1, 6)]
    # The names, once for them all.
    assert cluster.calls().count(('GET', '/v1/bdbs')) == 1
    assert not any(key in str(result) for cert, key in issued)


@pytest.mark.parametrize('size, asked', [(2, 1), (3, 2)], ids=['longer-than-asked', 'the-same-page-again'])
def test_a_cluster_that_does_not_page_is_read_once(run_module, simulator, cluster, sim_url, monkeypatch, size,
                                                   asked):
    pki = simlib.Pki()
    issued = [pki.issue('db-%d.cluster.example.test' % number) for number in range(1, 4)]
    cluster.update({'bdbs': [{'name': 'db-%d' % number, 'certificate': {'cert': cert, 'key': key}}
                             for number, (cert, key) in enumerate(issued, 1)]})
    everything = [{'bdb_uid': str(number), 'cert': cert} for number, (cert, key) in enumerate(issued, 1)]
    # Every page answers all three, whatever it asks.
    cluster.update({'faults': {'raw_next': {'count': 5, 'method': 'GET', 'path': '/v1/bdbs/certificates',
                                            'body': json.dumps(everything)}}})
    monkeypatch.setattr(_certificate, 'PAGE_SIZE', size)
    failed, result = run_module(certificate_info, connection_of(simulator, sim_url))
    assert not failed, result
    assert len(pages(cluster)) == asked
    assert [entry['bdb_uid'] for entry in result['database_certificates']] == [1, 2, 3]


def test_one_bad_entry_of_a_database_hides_no_other(run_module, simulator, cluster, sim_url, monkeypatch):
    told = []
    # What the module warns, as it warns it (the test's run_module ends the module before exit_json adds them).
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: told.append(warning))
    pki = simlib.Pki()
    good, key = pki.issue('orders.cluster.example.test')
    cluster.update({'bdbs': [{'name': 'orders'}, {'name': 'sessions'}, {'name': 'twin'}, {'name': 'twin'}]})
    answer = [{'bdb_uid': '1', 'cert': good}, {'bdb_uid': '2', 'cert': 'not a certificate'}, {'bdb_uid': '3'},
              {'bdb_uid': '4', 'cert': 5}, {'cert': good}, {'bdb_uid': '9', 'cert': good}]
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'GET', 'path': '/v1/bdbs/certificates',
                                            'body': json.dumps(answer)}}})
    failed, result = run_module(certificate_info, connection_of(simulator, sim_url))
    assert not failed, result
    found = result['database_certificates']
    described = found[0]
    assert (described['name'], described['database'], described['days_until_expiry']) == (
        'bdb:orders', 'orders', 364)
    what = 'The proxy certificate the cluster returned for the database of uid %s'
    assert [(entry['name'], entry['database'], entry['bdb_uid'], entry['error']) for entry in found[1:4]] == [
        ('bdb:sessions', 'sessions', 2, (what % 2) + ' holds no PEM certificate (-----BEGIN CERTIFICATE-----)'),
        # Two databases of one name: each certificate named with its uid too.
        ('bdb:twin:3', 'twin', 3, (what % 3) + ' holds no cert'),
        ('bdb:twin:4', 'twin', 4, (what % 4) + ' is a number, not PEM text')]
    # One the answer gives no database, and one of a database removed since its certificate was read: no name,
    # still listed.
    assert [(entry['name'], entry['database'], entry['bdb_uid']) for entry in found[4:]] == [
        ('bdb:#None', None, None), ('bdb:#9', None, 9)]
    assert found[4]['sha256_fingerprint'] == found[5]['sha256_fingerprint'] == found[0]['sha256_fingerprint']
    # Each said in a warning.
    said = [warning for warning in told if 'for the database of uid' in warning]
    assert len(said) == 3 and all('it is returned with its error' in warning for warning in said)
    assert sorted(result['certificates']) == sorted(simlib.GENERATED_NAMES)


@pytest.mark.parametrize('status', [404, 405])
def test_a_cluster_without_database_certificates_lists_none(run_module, simulator, cluster, sim_url, status):
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'GET', 'path': '/v1/bdbs/certificates',
                                            'status': status, 'body': json.dumps({'error_code': 'not_found'})}}})
    failed, result = run_module(certificate_info, connection_of(simulator, sim_url))
    assert not failed, result
    assert result['database_certificates'] == [] and 'proxy' in result['certificates']
    assert cluster.calls() == [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates')]


def test_databases_false_reads_the_clusters_certificates_alone(run_module, simulator, cluster, sim_url):
    certificate, key = simlib.Pki().issue('orders.cluster.example.test')
    cluster.update({'bdbs': [{'name': 'orders', 'certificate': {'cert': certificate, 'key': key}}]})
    failed, result = run_module(certificate_info, dict(connection_of(simulator, sim_url), databases=False))
    assert not failed, result
    assert 'database_certificates' not in result and 'proxy' in result['certificates']
    assert cluster.calls() == [('GET', '/v1/cluster/certificates')]

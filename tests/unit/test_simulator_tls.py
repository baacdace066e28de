# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's HTTPS port presents its cluster's api certificate, the
one GET /v1/cluster/certificates answers as api_cert: on a fresh cluster
one its CA (ca.pem) issued, and after an api certificate is written the new
one, to the connections opened after the write, as a rotation on a cluster
does. What a client meets is read from the TLS handshake itself."""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import redis_enterprise_sim as simlib

JSON = {'Accept': 'application/json'}
AUTH = (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)


def presented(url, ca_path):
    """The certificate a new connection to url meets, verified with
    ca_path and for the host name of url, as the collection verifies it."""
    where = urlsplit(url)
    context = ssl.create_default_context(cafile=ca_path)
    with socket.create_connection((where.hostname, where.port), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname=where.hostname) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def leaf(pem):
    return x509.load_pem_x509_certificate(pem.encode())


def answered_api(url, ca_path):
    answer = requests.get(url + '/v1/cluster/certificates', auth=AUTH, headers=JSON, verify=ca_path, timeout=5)
    assert answer.status_code == 200
    return leaf(answer.json()['api_cert'])


@pytest.fixture(scope='module')
def pki():
    """Another CA, as a user's own, and a CA file that holds it."""
    return simlib.Pki(name='users own CA')


@pytest.fixture
def other_ca(pki, tmp_path):
    path = tmp_path / 'other-ca.pem'
    path.write_text(pki.ca_pem)
    return str(path)


def test_a_fresh_cluster_presents_its_api_certificate_which_its_ca_file_verifies(simulator, sim_url):
    served = presented(sim_url, simulator.ca_path)
    assert served == answered_api(sim_url, simulator.ca_path)
    with open(simulator.ca_path, 'rb') as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    assert served.issuer == ca.subject and served.issuer != served.subject
    served.verify_directly_issued_by(ca)
    # The names a cluster's certificate carries for its FQDN, and loopback's.
    names = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {'cluster.example.test', '*.cluster.example.test', 'localhost'} <= set(names.get_values_for_type(
        x509.DNSName))


def one(cert, key):
    return {'name': 'api', 'certificate': cert, 'key': key}


@pytest.mark.parametrize('path, body', [
    ('/v1/cluster/certificates', lambda cert, key: {'certificates': [one(cert, key)]}),
    ('/v1/cluster/update_cert', one),
])
def test_an_api_certificate_written_is_what_the_next_connection_meets(simulator, sim_url, cluster, pki, other_ca,
                                                                      path, body):
    fresh = presented(sim_url, simulator.ca_path)
    cert, key = pki.issue('api.cluster.example.test')
    session = requests.Session()
    # A connection opened before the write, kept alive across it.
    assert session.get(sim_url + '/v1/cluster', auth=AUTH, headers=JSON, verify=simulator.ca_path,
                       timeout=5).status_code == 200
    written = session.put(sim_url + path, json=body(cert, key), auth=AUTH, headers=JSON, verify=simulator.ca_path,
                          timeout=5)
    assert written.status_code == 200, written.text
    # The open connection goes on with the certificate it met, as it would on a cluster.
    again = session.get(sim_url + '/v1/cluster/certificates', auth=AUTH, headers=JSON, verify=simulator.ca_path,
                        timeout=5)
    assert again.status_code == 200 and leaf(again.json()['api_cert']) == leaf(cert)
    assert len({entry['client_port'] for entry in cluster.log}) == 1
    session.close()
    # A new one meets the new certificate: the old CA file no longer verifies the port, the new CA's does.
    with pytest.raises(ssl.SSLCertVerificationError):
        presented(sim_url, simulator.ca_path)
    assert presented(sim_url, other_ca) == leaf(cert) != fresh
    # A fresh cluster again presents the fresh certificate.
    cluster.reset()
    assert presented(sim_url, simulator.ca_path) == fresh


def test_a_certificate_set_in_the_state_is_presented_too(simulator, sim_url, cluster, pki, other_ca):
    cert, key = pki.issue('api.cluster.example.test')
    answer = requests.put(sim_url + '/_sim/state', json={'certificates': {'api': {'cert': cert, 'key': key}}},
                          verify=simulator.ca_path, timeout=5)
    assert answer.status_code == 200
    assert presented(sim_url, other_ca) == leaf(cert)


def test_an_api_pair_that_cannot_be_presented_leaves_the_last_one(simulator, sim_url, cluster, pki):
    fresh = presented(sim_url, simulator.ca_path)
    cert, dummy = pki.issue('api.cluster.example.test')
    other_key = serialization.load_pem_private_key(pki.issue()[1].encode(), password=None)
    # The API refuses such a pair; only the state can hold one, as it can hold a key that is no key.
    for key in (simlib.key_pem(other_key), 'not a key'):
        cluster.update({'certificates': {'api': {'cert': cert, 'key': key}}})
        assert presented(sim_url, simulator.ca_path) == fresh


def test_an_api_certificate_with_its_chain_is_presented_with_it(simulator, sim_url, cluster, tmp_path):
    root = simlib.Pki(name='users root CA')
    intermediate = simlib.Pki(name='users intermediate CA', issuer=root)
    cert, key = intermediate.issue('api.cluster.example.test')
    assert requests.put(sim_url + '/v1/cluster/certificates', json={'certificates': [
        {'name': 'api', 'certificate': cert + intermediate.ca_pem, 'key': key}]}, auth=AUTH, headers=JSON,
        verify=simulator.ca_path, timeout=5).status_code == 200
    # The root alone verifies it: the port sent the intermediate.
    root_file = tmp_path / 'root.pem'
    root_file.write_text(root.ca_pem)
    assert presented(sim_url, str(root_file)) == leaf(cert)

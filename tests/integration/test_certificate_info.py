# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.certificate_info through ansible-playbook and ansible,
and the fleet's certificate expiry audit of docs/examples."""

from __future__ import annotations

import datetime
import json
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtensionOID, NameOID

import redis_enterprise_sim as simlib
from runner import ROOT

ACTION = 'redis.enterprise.certificate_info'
AUDIT = os.path.join(ROOT, 'docs', 'examples', 'audit_certificates.yml')


def read(ansible, *options, **kwargs):
    return ansible(['ansible-playbook', 'certificate_info.yml'] + list(options), **kwargs)


@pytest.fixture(scope='module')
def pki():
    return simlib.Pki()


@pytest.mark.cycle
def test_a_fresh_cluster_has_its_generated_certificates_self_signed(ansible, cluster, simulator):
    run = read(ansible)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task(ACTION)['result']
    assert result['changed'] is False
    certificates = result['certificates']
    # Every name the simulator's fresh cluster generates, as the facts sheet lists them.
    assert sorted(certificates) == sorted(simlib.GENERATED_NAMES)
    for name, described in certificates.items():
        assert described['key_matches'] is True and described['expired'] is False
        assert described['days_until_expiry'] in (364, 365)
        if name != 'proxy':
            assert described['chain'] == [], name
        if name not in ('proxy', 'api'):
            assert described['subject'] == described['issuer'], name
            assert described['ocsp_responder_url'] is None
    # The one its HTTPS port presents: the simulator's CA issued it, so that its ca.pem verifies the port.
    with open(simulator.ca_path, 'rb') as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    assert certificates['api']['issuer'] == ca.subject.rfc4514_string()
    assert certificates['api']['ocsp_responder_url'] is None
    # The tests' cluster is one whose proxy certificate, from a CA, names a responder.
    assert certificates['proxy']['issuer'] == 'O=redis.enterprise simulator,CN=redis.enterprise simulator proxy CA'
    # With that CA's certificate, which the cluster's OCSP requests need.
    assert [c['subject'] for c in certificates['proxy']['chain']] == [certificates['proxy']['issuer']]
    assert certificates['proxy']['ocsp_responder_url'] == simlib.RESPONDER_URL
    # No database has a certificate of its own: their names are not read.
    assert result['database_certificates'] == []
    assert cluster.calls() == [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates')]


def test_proxy_stapling_capability_follows_its_ocsp_responder(ansible, cluster, pki):
    certificate, key = pki.issue()
    cluster.update({'certificates': {'proxy': {'cert': certificate + pki.ca_pem, 'key': key}}})
    proxy = read(ansible).task(ACTION)['result']['certificates']['proxy']
    assert proxy['ocsp_stapling_capable'] is True and proxy['ocsp_responder_url'] == simlib.RESPONDER_URL
    assert proxy['chain'][0]['subject'] == 'O=redis.enterprise simulator,CN=redis.enterprise test CA'
    cluster.update({'certificates': {'proxy': dict(zip(('cert', 'key'), simlib.self_signed('proxy')))}})
    proxy = read(ansible).task(ACTION)['result']['certificates']['proxy']
    assert proxy['ocsp_stapling_capable'] is False and proxy['ocsp_responder_url'] is None
    assert 'ocsp_stapling_capable' not in read(ansible).task(ACTION)['result']['certificates']['api']


def test_days_until_expiry_and_an_expired_certificate(ansible, cluster, pki):
    now = datetime.datetime.now(datetime.timezone.utc)
    expired, expired_key = pki.expired()
    soon, soon_key = pki.issue('soon.example.test', days=10, not_before=now - datetime.timedelta(days=1))
    cluster.update({'certificates': {'syncer': {'cert': expired, 'key': expired_key},
                                     'ldap_client': {'cert': soon, 'key': soon_key}}})
    certificates = read(ansible).task(ACTION)['result']['certificates']
    # Issued 60 days ago for 30: expired 30 days ago.
    assert certificates['syncer']['expired'] is True and certificates['syncer']['days_until_expiry'] == -31
    assert certificates['ldap_client']['days_until_expiry'] == 8
    assert certificates['ldap_client']['expired'] is False


def test_a_key_that_does_not_belong_to_its_certificate_is_said_and_never_shown(ansible, cluster, pki):
    certificate, dummy = pki.issue()
    other, other_key = pki.issue('other.example.test')
    cluster.update({'certificates': {'cm': {'cert': certificate, 'key': other_key}}})
    run = read(ansible, '-vvvv')
    certificates = run.task(ACTION)['result']['certificates']
    assert certificates['cm']['key_matches'] is False
    assert certificates['api']['key_matches'] is True
    assert 'key' not in certificates['cm'] and 'BEGIN PRIVATE KEY' not in run.output
    for line in other_key.splitlines()[1:-1]:
        if line not in other:
            assert line not in run.output


def test_a_viewer_may_read_the_certificates_the_databases_too(ansible, cluster, pki):
    certificate, key = pki.issue('orders.%s' % simlib.FQDN, days=20)
    cluster.update({'bdbs': [{'name': 'sessions'},
                             {'name': 'orders', 'certificate': {'cert': certificate, 'key': key}}]})
    run = read(ansible, env={'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                             'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task(ACTION)['result']
    assert 'proxy' in result['certificates']
    (entry,) = result['database_certificates']
    assert (entry['name'], entry['database'], entry['bdb_uid']) == ('bdb:orders', 'orders', 2)
    assert entry['days_until_expiry'] in (19, 20) and entry['expired'] is False
    assert entry['subject'] == 'O=redis.enterprise simulator,CN=orders.%s' % simlib.FQDN
    assert 'key' not in entry and 'BEGIN PRIVATE KEY' not in run.output
    assert cluster.calls() == [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates'),
                               ('GET', '/v1/bdbs')]


def test_ad_hoc_and_a_bad_answer(ansible, cluster):
    run = ansible(['ansible', 'localhost', '-m', ACTION])
    assert run.rc == 0 and '"days_until_expiry"' in run.stdout


@pytest.mark.both_paths
def test_a_stored_certificate_that_does_not_parse_is_an_entry_with_its_error(ansible, cluster):
    # One bad entry, the others as they are: they are still described.
    cluster.update({'certificates': {'cm': {'cert': 'not a certificate', 'key': 'x'}}})
    run = read(ansible)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task(ACTION)['result']
    found = result['certificates']
    assert found['cm'] == {'error': 'The cm certificate the cluster returned holds no PEM certificate '
                                    '(-----BEGIN CERTIFICATE-----)'}
    assert sorted(found) == sorted(cluster.certificates)
    assert all('days_until_expiry' in found[name] for name in found if name != 'cm')
    said = [w for w in result['warnings'] if w.startswith('The cm certificate the cluster returned')]
    assert len(said) == 1 and 'rladmin cluster certificate list' in said[0]


def unreadable_extension():
    """A certificate that parses, but whose subject alternative names do
    not: cryptography reads the extensions only when asked for them."""
    key = simlib.new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'odd.cluster.example.test')])
    now = simlib.utc_now()
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=90))
                   # An OCTET STRING where the names' SEQUENCE belongs.
                   .add_extension(x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b'\x04\x02zz'),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.both_paths
def test_entries_of_another_type_than_pem_text_are_entries_with_their_error(ansible, cluster):
    # What a cluster or a proxy in front of it might answer: numbers, a list, an object, a boolean,
    # a certificate whose extensions do not parse; a good certificate whose key is a number.
    proxy = cluster.certificates['proxy']['cert']
    answer = {'api_cert': 5, 'api_key': 'x', 'cm_cert': [proxy], 'syncer_cert': {'pem': proxy},
              'metrics_exporter_cert': False, 'ccs_internode_encryption_cert': unreadable_extension(),
              'proxy_cert': proxy, 'proxy_key': 5, 'data_internode_encryption_cert': proxy,
              'data_internode_encryption_key': cluster.certificates['proxy']['key'], 'ldap_client_cert': None,
              'sso_service_cert': ''}
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'GET', 'path': '/v1/cluster/certificates',
                                            'body': json.dumps(answer)}}})
    run = read(ansible)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task(ACTION)['result']
    found = result['certificates']
    errors = dict((name, entry['error']) for name, entry in found.items() if 'error' in entry)
    assert errors == {
        'api': 'The api certificate the cluster returned is a number, not PEM text',
        'cm': 'The cm certificate the cluster returned is a list, not PEM text',
        'syncer': 'The syncer certificate the cluster returned is an object, not PEM text',
        'metrics_exporter': 'The metrics_exporter certificate the cluster returned is a boolean, not PEM text',
        'ccs_internode_encryption': errors['ccs_internode_encryption']}
    assert errors['ccs_internode_encryption'].startswith(
        'The ccs_internode_encryption certificate the cluster returned: certificate 1 of 1 has an extension that '
        'cannot be read (')
    assert all(list(found[name]) == ['error'] for name in errors)
    # The others described; a key that cannot be read is not the certificate's.
    assert sorted(found) == sorted(list(errors) + ['data_internode_encryption', 'proxy'])
    assert found['proxy']['key_matches'] is False and found['proxy']['ocsp_responder_url'] == simlib.RESPONDER_URL
    assert found['data_internode_encryption']['key_matches'] is True
    assert found['proxy']['days_until_expiry'] in (364, 365)
    said = [warning for warning in result['warnings'] if 'it is returned with its error' in warning]
    assert sorted(warning.split(' ', 2)[1] for warning in said) == sorted(errors)
    assert 'BEGIN PRIVATE KEY' not in run.output


# The fleet's expiry audit, docs/examples/audit_certificates.yml, over three clusters.

def orders_expiry(cluster):
    """The notAfter of the orders database's certificate, as the cluster answers it."""
    (bdb,) = [bdb for bdb in cluster.snapshot()['bdbs'] if bdb['name'] == 'orders']
    return x509.load_pem_x509_certificate(bdb['certificate']['cert'].encode()).not_valid_after_utc.strftime(
        '%Y-%m-%dT%H:%M:%SZ')


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with simlib.Simulator(str(tmp_path_factory.mktemp('certificate-fleet')), clusters=3) as sim:
        yield sim


def test_the_expiry_audit_names_what_runs_out_and_what_cannot_staple(ansible, fleet, pki, tmp_path):
    for state in fleet.clusters:
        state.reset()
    healthy, expiring, unstapled = fleet.clusters
    for state in fleet.clusters:
        certificate, key = pki.issue()
        state.update({'certificates': {'proxy': {'cert': certificate + pki.ca_pem, 'key': key}}})
    now = datetime.datetime.now(datetime.timezone.utc)
    short, short_key = pki.issue('api.expiring.example.test', days=12, not_before=now - datetime.timedelta(days=2))
    expiring.update({'certificates': {'api': {'cert': short, 'key': short_key}}})
    unstapled.update({'certificates': {'proxy': dict(zip(('cert', 'key'), simlib.self_signed('proxy')))}})
    # Databases' own certificates: one that runs out, listed with the cluster's api certificate that does, and one
    # that does not.
    orders, orders_key = pki.issue('orders.expiring.example.test', days=20, not_before=now - datetime.timedelta(days=2))
    sessions, sessions_key = pki.issue('sessions.healthy.example.test')
    expiring.update({'bdbs': [{'name': 'orders', 'certificate': {'cert': orders, 'key': orders_key}}]})
    healthy.update({'bdbs': [{'name': 'sessions', 'certificate': {'cert': sessions, 'key': sessions_key}}]})
    # The first cluster's certificates are fine; its license runs out in 10 days.
    healthy.update({'license': {'days': 10}})
    inventory = tmp_path / 'redis_clusters.yml'
    hosts = dict((state.name, {'redis_url': url}) for state, url in zip(fleet.clusters, fleet.urls))
    # The healthy cluster once more, with a CA file that is not there: its line says so.
    missing = str(tmp_path / 'no-such-ca.pem')
    hosts['cluster-no-ca'] = {'redis_url': fleet.urls[0], 'redis_ca_path': missing}
    # cluster02 presents the api certificate of another CA: the fleet's CA file holds both.
    cas = tmp_path / 'fleet-cas.pem'
    with open(fleet.ca_path) as handle:
        cas.write_text(handle.read() + pki.ca_pem)
    inventory.write_text(json.dumps({'redis_clusters': {'hosts': hosts, 'vars': {'redis_ca_path': str(cas)}}}))
    run = ansible(['ansible-playbook', '-i', str(inventory), AUDIT, '-e', 'expiry_warning_days=30'],
                  env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None})
    assert run.rc == 2, run.stdout[-3000:] + run.stderr
    table = [r for r in run.records if r['action'] == 'ansible.builtin.debug'][0]['result']['msg']
    assert table[0].split()[:4] == ['cluster', 'certificate', 'expires', '(UTC)']
    rows = dict(((row[0], row[1]), row[2:]) for row in (line.split() for line in table[1:]))
    (unread,) = [line for line in table[1:] if line.startswith('cluster-no-ca')]
    assert unread.split()[:5] == ['cluster-no-ca', '-', 'could', 'not', 'be']
    assert 'ca_path %s is not a readable file' % missing in unread
    rows = dict(((row[0], row[1]), row[2:]) for row in (line.split() for line in table[1:] if line is not unread))
    assert sorted(rows) == sorted([(state.name, name) for state in fleet.clusters
                                   for name in simlib.GENERATED_NAMES + ('(license)',)]
                                  + [('cluster01', 'bdb:sessions'), ('cluster02', 'bdb:orders')])
    assert rows[('cluster02', 'bdb:orders')] == [
        orders_expiry(expiring), '17'] and int(rows[('cluster01', 'bdb:sessions')][1]) >= 364
    # The license: its expiration date and the whole days left.
    assert [rows[(state.name, '(license)')][1] for state in fleet.clusters] == ['9', '364', '364']
    rows = dict((key, value) for key, value in rows.items() if key[1] != '(license)')
    assert rows[('cluster02', 'api')][1] == '9'
    assert all(int(days) >= 364 for key, (dummy, days) in rows.items()
               if key not in (('cluster02', 'api'), ('cluster02', 'bdb:orders')))
    failed = dict((r['host'], r['result']['msg']) for r in run.records if r['status'] == 'failed')
    assert sorted(failed) == ['cluster-no-ca', 'cluster01', 'cluster02', 'cluster03']
    assert failed['cluster01'] == 'cluster01: the license expires in 9 days (%s)' % (
        healthy.snapshot()['license']['expiration_date'])
    assert failed['cluster-no-ca'].startswith('cluster-no-ca: could not be read: ca_path %s' % missing)
    assert failed['cluster02'].startswith('cluster02: api expires in 9 days')
    assert failed['cluster02'].endswith('; bdb:orders expires in 17 days (%s)' % orders_expiry(expiring))
    assert failed['cluster03'] == ('cluster03: the proxy certificate names no OCSP responder, so OCSP stapling '
                                   'cannot use it.')
    assert [state.calls() for state in fleet.clusters] == [
        [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates'), ('GET', '/v1/bdbs'),
         ('GET', '/v1/license')]] * 2 + [[('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates'),
                                          ('GET', '/v1/license')]]
    assert 'BEGIN PRIVATE KEY' not in run.output and simlib.LICENSE_START not in run.output

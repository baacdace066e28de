# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A database's own proxy certificate through ansible-playbook:
redis.enterprise.certificate with database, check, real, again and absent
in one run, with the calls of each step; what is refused before any write;
no private key in any output."""

from __future__ import annotations

import json

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

import redis_enterprise_sim as simlib

ACTION = 'redis.enterprise.certificate'
FIND = ('GET', '/v1/bdbs?fields=uid%2Cname')
GET_CERT = ('GET', '/v1/bdbs/1/certificates')
ENDPOINTS = ('GET', '/v1/bdbs/1?fields=endpoints')
POST = ('POST', '/v1/bdbs/1/certificates')
DRY_RUN = ('POST', '/v1/bdbs/1/certificates?dry_run=true')
DELETE = ('DELETE', '/v1/bdbs/1/certificates')
INFO = [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates?page=1&page_size=1000'), FIND]


@pytest.fixture(scope='module')
def pki():
    root = simlib.Pki(name='redis.enterprise test root CA')
    return simlib.Pki(name='redis.enterprise test issuing CA', issuer=root)


def fingerprint_of(pem):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    return ':'.join('%02X' % b for b in x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()))


def key_lines(pem, *public):
    """The secret lines of a PEM private key: not the armour, nor a line a
    public text holds too."""
    return [line for line in pem.splitlines()
            if line.strip() and not line.startswith('-----') and not any(line in text for text in public)]


def playbook(tmp_path, tasks, name='play.yml'):
    path = tmp_path / name
    path.write_text(json.dumps([{'name': 'A database certificate', 'hosts': 'localhost', 'gather_facts': False,
                                 'tasks': tasks}]))
    return str(path)


def files(tmp_path, **texts):
    """name -> the lookup of a file that holds text."""
    found = {}
    for name, text in texts.items():
        path = tmp_path / ('%s.pem' % name)
        path.write_text(text)
        found[name] = "{{ lookup('ansible.builtin.file', '%s') }}" % path
    return found


def steps(records):
    return dict((record['task'], record) for record in records)


@pytest.mark.cycle
@pytest.mark.both_paths
def test_check_real_again_then_absent_likewise_with_the_calls_of_each(ansible, cluster, pki, tmp_path):
    cluster.update({'bdbs': [{'name': 'orders'}]})
    certificate, key = pki.issue('orders.%s' % simlib.FQDN)
    chain = certificate + ''.join(pki.chain)
    given = files(tmp_path, cert=chain, key=key)
    present = {'database': 'orders', 'certificate': given['cert'], 'key': given['key']}
    absent = {'database': 'orders', 'state': 'absent'}
    tasks = [
        {'name': 'Check', ACTION: present, 'check_mode': True},
        {'name': 'Real', ACTION: present},
        {'name': 'Again', ACTION: present},
        {'name': 'Info', 'redis.enterprise.certificate_info': {}},
        {'name': 'Absent check', ACTION: absent, 'check_mode': True},
        {'name': 'Absent', ACTION: absent},
        {'name': 'Absent again', ACTION: absent},
    ]
    run = ansible(['ansible-playbook', '-vvvv', '--diff', playbook(tmp_path, tasks)])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    found = steps(run.records)
    # The calls of each step, in order, and what each answered.
    calls = cluster.calls(query=True)
    statuses = [entry['status'] for entry in cluster.log]
    expected = [
        ('Check', [FIND, GET_CERT, ENDPOINTS, DRY_RUN]),
        ('Real', [FIND, GET_CERT, ENDPOINTS, POST, GET_CERT]),
        ('Again', [FIND, GET_CERT]),
        ('Info', INFO),
        # Check mode sends no DELETE: the API gives it no dry run.
        ('Absent check', [FIND, GET_CERT]),
        ('Absent', [FIND, GET_CERT, DELETE, GET_CERT]),
        ('Absent again', [FIND, GET_CERT]),
    ]
    assert calls == [call for dummy, step in expected for call in step]
    # The database has no certificate of its own until the real run: check mode installed nothing.
    assert [status for call, status in zip(calls, statuses) if call == GET_CERT] == [404, 404, 200, 200, 200, 200,
                                                                                     404, 404]
    check, real, again = found['Check']['result'], found['Real']['result'], found['Again']['result']
    assert (check['changed'], real['changed'], again['changed']) == (True, True, False)
    assert check['diff'] == {'before': {}, 'after': real['certificate']}
    assert real['certificate']['sha256_fingerprint'] == fingerprint_of(certificate)
    assert len(real['certificate']['chain']) == 2 and real['database'] == {'name': 'orders', 'uid': 1}
    assert again['diff']['before'] == again['diff']['after'] == real['certificate']
    # Removed at the end.
    assert cluster.snapshot()['bdbs'][0]['certificate'] is None
    assert 'warnings' not in real and 'warnings' not in again
    listed = found['Info']['result']['database_certificates']
    assert len(listed) == 1
    entry = listed[0]
    assert (entry['name'], entry['database'], entry['bdb_uid']) == ('bdb:orders', 'orders', 1)
    assert entry['sha256_fingerprint'] == fingerprint_of(certificate) and entry['days_until_expiry'] in (364, 365)
    assert entry['expired'] is False and len(entry['chain']) == 2 and 'key_matches' not in entry
    gone_check, gone, gone_again = (found[name]['result'] for name in ('Absent check', 'Absent', 'Absent again'))
    assert (gone_check['changed'], gone['changed'], gone_again['changed']) == (True, True, False)
    assert gone_check['warnings'] == [
        "Check mode sends no DELETE: the API gives removing a database's proxy certificate no dry run. The proxy "
        "certificate of the database orders (%s) would be removed." % real['certificate']['subject']]
    assert gone_check['diff'] == {'before': real['certificate'], 'after': {}} == gone['diff']
    assert gone['certificate'] == {} and gone_again['diff'] == {'before': {}, 'after': {}}
    # The key was sent, and shows nowhere: not in the results, the diffs, nor what -vvvv printed.
    assert len(run.stdout) > 10000
    assert 'PRIVATE KEY' not in run.output
    assert [line for line in key_lines(key, chain) if line in run.output] == []
    # Not even masked: no result holds the key for ansible-core to mask.
    shown = json.dumps([record['result'] for record in run.records if record['action'] == ACTION])
    assert 'private_key' not in shown and '********' not in shown


def test_what_is_refused_writes_nothing(ansible, cluster, pki, tmp_path):
    cluster.update({'bdbs': [{'name': 'orders'}, {'name': 'twin'}, {'name': 'twin'}]})
    certificate, key = pki.issue('orders.%s' % simlib.FQDN)
    other, other_key = pki.issue('other.%s' % simlib.FQDN)
    stranger = simlib.Pki(name='an unrelated CA')
    server_only, server_only_key = pki.issue('orders.%s' % simlib.FQDN, eku=[ExtendedKeyUsageOID.SERVER_AUTH])
    expired, expired_key = pki.expired('orders.%s' % simlib.FQDN)
    given = files(tmp_path, cert=certificate + ''.join(pki.chain), key=key, broken=certificate + stranger.ca_pem,
                  other_key=other_key, server_only=server_only, server_only_key=server_only_key, expired=expired,
                  expired_key=expired_key)

    def task(title, check=False, **options):
        arguments = dict({'database': 'orders', 'certificate': given['cert'], 'key': given['key']}, **options)
        found = {'name': title, ACTION: arguments, 'ignore_errors': True}
        if check:
            found['check_mode'] = True
        return found

    tasks = [
        task('A chain that does not chain', certificate=given['broken']),
        task('The key of another certificate', key=given['other_key']),
        task('Server authentication only', certificate=given['server_only'], key=given['server_only_key']),
        task('Expired', certificate=given['expired'], key=given['expired_key']),
        task('A database the cluster does not have', database='nosuch'),
        task('A database the cluster does not have, in check mode', check=True, database='nosuch'),
        task('Two databases of that name', database='twin'),
        task('Another certificate name', name='api'),
        task('No database can have that name', database='no_such'),
        task('The cluster refuses the dry run', check=True),
    ]
    # The dry run's answer: the cluster's refusal.
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'POST', 'path': '/v1/bdbs/1/certificates',
                                            'status': 400, 'body': json.dumps({
                                                'error_code': 'invalid_certificate',
                                                'description': 'The certificate is not acceptable'})}}})
    run = ansible(['ansible-playbook', playbook(tmp_path, tasks)])
    found = dict((name, record['result']) for name, record in steps(run.records).items())
    statuses = dict((name, record['status']) for name, record in steps(run.records).items())
    label = "The orders database's proxy certificate"
    said = {
        'A chain that does not chain': label + ' is not a chain: certificate 2 (',
        'The key of another certificate': "key does not belong to the certificate (their public keys differ)",
        'Server authentication only': label + ' has an extended key usage without TLS Web Client Authentication',
        'Expired': 'The certificate expired on ',
        'A database the cluster does not have': (
            'The cluster has no database named nosuch (GET /v1/bdbs?fields=uid,name). Nothing was written. Create '
            'the database first (redis.enterprise.database), or correct the name.'),
        'Two databases of that name': 'The cluster has 2 databases named twin (uids 2, 3)',
        'Another certificate name': 'name is api, and database is given: a database has one certificate of its own',
        'No database can have that name': "database must be the name of a database: letters, digits and hyphens",
        'The cluster refuses the dry run': (
            'The cluster refused the proxy certificate of the database orders or its key as invalid (HTTP 400, POST '
            '/v1/bdbs/1/certificates?dry_run=true). The cluster said: The certificate is not acceptable'),
    }
    for name, words in said.items():
        assert statuses[name] == 'failed', (name, found[name])
        assert words in found[name]['msg'], (name, found[name]['msg'])
        assert 'Traceback' not in found[name]['msg']
    assert 'nothing was written' in found['The cluster refuses the dry run']['msg']
    assert found['The cluster refuses the dry run']['http_status'] == 400
    # In check mode an earlier task may create the database: a warning, and no dry run for it.
    unknown = found['A database the cluster does not have, in check mode']
    assert statuses['A database the cluster does not have, in check mode'] == 'ok' and unknown['changed'] is True
    assert unknown['warnings'][0].startswith('The cluster has no database named nosuch')
    assert 'In check mode this is no failure' in unknown['warnings'][0]
    assert unknown['database'] == {'name': 'nosuch', 'uid': None}
    # Nothing was written: the one write is the dry run the cluster refused.
    assert cluster.writes() == [DRY_RUN]
    assert all(bdb['certificate'] is None for bdb in cluster.snapshot()['bdbs'])
    assert 'PRIVATE KEY' not in run.output
    public = [certificate, other, server_only, expired] + pki.chain
    for secret in (key, other_key, server_only_key, expired_key):
        assert [line for line in key_lines(secret, *public) if line in run.output] == []

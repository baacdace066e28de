# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source redis.enterprise.cluster_events, its main(queue, args)
driven as ansible-rulebook drives it (loaded by its path, then cancelled),
against simulated clusters over HTTPS, without a rulebook."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json
import logging
import os
import runpy
import subprocess
import sys

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtensionOID, NameOID

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _api

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 6))
RELATIVE = os.path.join('extensions', 'eda', 'plugins', 'event_source', 'cluster_events.py')
SOURCE = os.path.join(ROOT, RELATIVE)
INTERVAL = 0.1
# Long enough for several polls at INTERVAL: what must not come in it, does not.
QUIET = 0.6
CERTIFICATES = sorted(simlib.GENERATED_NAMES)
KEYS = {'cluster', 'kind', 'name', 'condition', 'state', 'previous_state', 'details', 'http_status'}
ENV = ('REDIS_ENTERPRISE_URL', 'REDIS_ENTERPRISE_USERNAME', 'REDIS_ENTERPRISE_PASSWORD', 'REDIS_ENTERPRISE_CA_PATH',
       'REDIS_ENTERPRISE_VALIDATE_CERTS', 'REDIS_ENTERPRISE_TIMEOUT')


@pytest.fixture(scope='module')
def source():
    """The plugin's globals, loaded as ansible-rulebook loads it: by its
    path. Under ansible-test, whose collection loader claims every path of
    the collection (so runpy takes the file for a directory), as a module
    of the collection instead."""
    try:
        return runpy.run_path(SOURCE)
    except ImportError:
        return vars(importlib.import_module(
            'ansible_collections.redis.enterprise.extensions.eda.plugins.event_source.cluster_events'))


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with simlib.Simulator(str(tmp_path_factory.mktemp('eda-sim')), clusters=2,
                          responder_url=simlib.RESPONDER_URL) as sim:
        yield sim


@pytest.fixture
def sim(fleet, monkeypatch):
    """Two fresh clusters, the connection variables unset, the transport's
    backoff between retries off (the source's own backoff stays), and the
    declaration of the API checked where jsonschema is installed."""
    for index in sorted(fleet.down):
        fleet.bring_up(index)
    for cluster in fleet.clusters:
        cluster.reset()
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_api, 'BACKOFF_FACTOR', 0)
    try:
        import checker  # pylint: disable=import-outside-toplevel
        simlib.check_contract(checker.Checker())
    except ImportError:
        checker = None
    simlib.take_violations()
    yield fleet
    simlib.check_contract(None)
    assert not simlib.take_violations()


def args_for(sim, clusters=None, **more):
    args = dict(clusters=clusters or sim.urls[:1], username=simlib.ADMIN_USER, password=simlib.ADMIN_PASSWORD,
                ca_path=sim.ca_path, interval=INTERVAL)
    args.update(more)
    return args


class Run:
    """main(queue, args) running as a task, and its events as they come."""

    def __init__(self, source, args):
        self.queue = asyncio.Queue()
        self.task = asyncio.ensure_future(source['main'](self.queue, args))
        self.seen = []

    async def events(self, count, timeout=10.0):
        """The next count events (event.redis_enterprise of each)."""
        found = []
        for dummy in range(count):
            try:
                event = await asyncio.wait_for(self.queue.get(), timeout)
            except asyncio.TimeoutError:
                if self.task.done():
                    self.task.result()
                raise AssertionError('%d of %d events came within %s s: %s' % (len(found), count, timeout, found))
            found.append(event['redis_enterprise'])
        self.seen.extend(found)
        return found

    async def until(self, predicate, timeout=15.0):
        """The events up to and with the first that predicate accepts."""
        found = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError('no event came that the test waits for; got: %s' % found)
            found.extend(await self.events(1, timeout=left))
            if predicate(found[-1]):
                return found

    async def quiet(self, seconds=QUIET):
        """No event for seconds."""
        await asyncio.sleep(seconds)
        assert self.queue.empty(), [self.queue.get_nowait() for dummy in range(self.queue.qsize())]

    async def stop(self):
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def drive(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 60))


def kinds(events):
    return [(event['kind'], event['name'], event['state'], event['previous_state']) for event in events]


def first_round(url=None, staple='off', license='ok'):
    found = [('cluster', None, 'ok', None), ('staple', None, staple, None)]
    found += [('certificate', name, 'ok', None) for name in CERTIFICATES]
    return found + [('license', None, license, None)]


def stapling(cluster, cert_status='GOOD', **status):
    cluster.update({'config': {'ocsp_functionality': True},
                    'status': dict(simlib.fresh_status(cert_status), **status)})


def test_a_first_event_for_each_condition_then_none_while_nothing_changes(source, sim):
    async def scenario():
        run = Run(source, args_for(sim))
        events = await run.events(len(first_round()))
        await run.quiet()
        await run.stop()
        return events

    events = drive(scenario)
    assert kinds(events) == first_round()
    for event in events:
        assert set(event) == KEYS
        assert event['cluster'] == sim.urls[0]
        assert event['condition'] == (event['kind'] if event['name'] is None else 'certificate:' + event['name'])
        assert event['http_status'] is None
        assert event['details']['message']
    staple, proxy, license = events[1], events[2 + CERTIFICATES.index('proxy')], events[-1]
    assert staple['details'] == {'ocsp_functionality': False, 'responder_url': simlib.RESPONDER_URL,
                                 'message': 'OCSP stapling is off: the cluster staples no OCSP status.'}
    assert proxy['details']['ocsp_responder_url'] == simlib.RESPONDER_URL
    assert proxy['details']['days_until_expiry'] in (364, 365) and proxy['details']['expired'] is False
    assert proxy['details']['not_after'].endswith('Z')
    assert license['details']['installed'] is True and license['details']['days_until_expiry'] in (364, 365)
    assert license['details']['owner'] == 'Example Inc.' and license['details']['ram_shards_in_use'] == 4
    assert 'license' not in license['details'] and 'key' not in license['details']


def test_one_event_per_change_of_the_staple_and_its_recovery(source, sim):
    cluster = sim.clusters[0]
    stapling(cluster)

    async def scenario():
        run = Run(source, args_for(sim))
        first = await run.events(len(first_round()))
        stapling(cluster, 'REVOKED')
        bad = await run.events(1)
        await run.quiet()
        stapling(cluster, 'GOOD')
        good = await run.events(1)
        await run.quiet()
        await run.stop()
        return first, bad[0], good[0]

    first, bad, good = drive(scenario)
    assert kinds(first) == first_round(staple='ok')
    assert first[1]['details']['cert_status'] == 'GOOD' and first[1]['details']['next_update'].endswith('Z')
    assert (bad['kind'], bad['state'], bad['previous_state']) == ('staple', 'bad', 'ok')
    assert bad['details']['cert_status'] == 'REVOKED' and bad['details']['revocation_time'].endswith('Z')
    assert bad['details']['message'].startswith('The OCSP responder %s answered REVOKED' % simlib.RESPONDER_URL)
    assert (good['kind'], good['state'], good['previous_state']) == ('staple', 'ok', 'bad')


def test_a_staple_past_its_next_update_is_bad(source, sim):
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    stapling(sim.clusters[0], next_update=simlib.http_date(past))

    async def scenario():
        run = Run(source, args_for(sim))
        events = await run.events(len(first_round()))
        await run.stop()
        return events

    staple = drive(scenario)[1]
    assert (staple['state'], staple['details']['cert_status']) == ('bad', 'GOOD')
    assert 'out of date' in staple['details']['message']
    assert staple['details']['next_update'] == past.strftime('%Y-%m-%dT%H:%M:%SZ')


def test_stapling_turned_off_ends_the_staple_condition_and_then_says_nothing(source, sim):
    cluster = sim.clusters[0]
    stapling(cluster)

    async def scenario():
        run = Run(source, args_for(sim))
        await run.events(len(first_round()))
        cluster.update({'config': {'ocsp_functionality': False}})
        off = await run.events(1)
        # The cached status goes bad while stapling is off: no staple event.
        cluster.update({'status': simlib.fresh_status('REVOKED')})
        await run.quiet()
        await run.stop()
        return off[0]

    off = drive(scenario)
    assert (off['kind'], off['state'], off['previous_state']) == ('staple', 'off', 'ok')


def test_an_unreachable_cluster_then_back_keeps_its_other_conditions(source, sim):
    cluster = sim.clusters[0]

    async def scenario():
        run = Run(source, args_for(sim, clusters=sim.urls))
        await run.events(2 * len(first_round()))
        sim.take_down(0)
        down = await run.events(1)
        # What changes meanwhile is not seen while it is down, and the other cluster goes on.
        cluster.update({'license': {'days': 10}})
        await run.quiet()
        sim.bring_up(0)
        back = await run.until(lambda event: event['kind'] == 'license')
        await run.quiet()
        await run.stop()
        return down[0], back

    down, back = drive(scenario)
    assert (down['cluster'], down['kind'], down['state'], down['previous_state']) == (
        sim.urls[0], 'cluster', 'unreachable', 'ok')
    assert down['http_status'] is None and 'Cannot reach %s' % sim.urls[0] in down['details']['message']
    assert kinds(back) == [('cluster', None, 'ok', 'unreachable'), ('license', None, 'expiring', 'ok')]
    assert back[1]['details']['days_until_expiry'] in (9, 10)


def test_an_unreachable_cluster_or_refused_credentials_are_polled_with_backoff(source):
    cluster = source['Cluster'](dict(url='https://127.0.0.1:1', username='u', password='p', ca_path=None,
                                     validate_certs=True, timeout=1), 30, 30)
    down = [dict(kind='cluster', name=None, state='unreachable', details={}, http_status=None)]
    waits = []
    for dummy in range(5):
        cluster.schedule(100.0, 10.0, down)
        waits.append(cluster.due - 100.0)
    cluster.schedule(100.0, 10.0, [dict(down[0], state='ok')])
    assert waits == [10.0, 20.0, 40.0, 40.0, 40.0]
    assert cluster.due == 110.0
    # Refused credentials too: each failed login counts towards a lockout.
    refused = [dict(down[0], state='error', http_status=401)]
    for dummy in range(3):
        cluster.schedule(100.0, 10.0, refused)
    assert cluster.due == 140.0


def test_an_outage_answer_counts_as_unreachable(source, sim):
    cluster = sim.clusters[0]

    async def scenario():
        run = Run(source, args_for(sim))
        await run.events(len(first_round()))
        cluster.update({'faults': {'fail_next': {'count': 100, 'status': 503}}})
        down = await run.events(1)
        cluster.update({'faults': {'fail_next': {'count': 0}}})
        back = await run.events(1)
        await run.stop()
        return down[0], back[0]

    down, back = drive(scenario)
    assert (down['kind'], down['state'], down['http_status']) == ('cluster', 'unreachable', 503)
    assert (back['kind'], back['state'], back['previous_state']) == ('cluster', 'ok', 'unreachable')


def test_refused_credentials_are_an_error_of_the_cluster_with_its_status(source, sim, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = 'Wr0ng-Pa55word-Not-This-One'

    async def scenario():
        run = Run(source, args_for(sim, password=wrong))
        events = await run.events(1)
        await run.quiet()
        await run.stop()
        return events[0]

    event = drive(scenario)
    assert (event['kind'], event['state'], event['previous_state'], event['http_status']) == (
        'cluster', 'error', None, 401)
    assert 'Authentication failed' in event['details']['message']
    assert wrong not in caplog.text and wrong not in json.dumps(event)


def test_a_call_the_user_may_not_make_is_an_error_of_its_condition(source, sim):
    async def scenario():
        run = Run(source, args_for(sim, username=simlib.VIEWER_USER, password=simlib.VIEWER_PASSWORD))
        events = await run.events(len(first_round()))
        await run.stop()
        return events

    events = drive(scenario)
    staple, license = events[1], events[-1]
    assert kinds(events) == [('cluster', None, 'ok', None), ('staple', None, 'error', None)] + [
        ('certificate', name, 'ok', None) for name in CERTIFICATES] + [('license', None, 'error', None)]
    assert staple['http_status'] == 403 and 'view_ocsp_config' in staple['details']['message']
    assert license['http_status'] == 403 and 'view_license' in license['details']['message']


def call(sim, method, path, **kwargs):
    """A call of the first cluster's API as its admin: the JSON it answers."""
    answer = requests.request(method, sim.urls[0] + path, auth=(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD),
                              headers={'Accept': 'application/json'}, verify=sim.ca_path, timeout=5, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_read_refused_from_the_first_poll_is_announced_and_so_is_its_recovery(source, sim):
    # A user whose role, DB Viewer, holds none of view_ocsp_config, view_cluster_info and view_license.
    roles = dict((role['name'], role['uid']) for role in call(sim, 'GET', '/v1/roles'))
    email, password = 'watcher@example.com', 'W4tcher-S3cret-Pa55'
    user = call(sim, 'POST', '/v1/users', json={'email': email, 'name': 'Watcher', 'password': password,
                                                'role_uids': [roles['DB Viewer']]})

    def give(role):
        call(sim, 'PUT', '/v1/users/%d' % user['uid'], json={'role_uids': [roles[role]]})

    async def scenario():
        run = Run(source, args_for(sim, username=email, password=password))
        first = await run.events(4)
        # Cluster Viewer may read the certificates, still not the OCSP configuration nor the license.
        give('Cluster Viewer')
        back = await run.events(1 + len(CERTIFICATES))
        give('DB Viewer')
        again = await run.events(1)
        await run.quiet()
        await run.stop()
        return first, back, again

    first, back, again = drive(scenario)
    assert kinds(first) == [('cluster', None, 'ok', None), ('staple', None, 'error', None),
                            ('certificate', None, 'error', None), ('license', None, 'error', None)]
    read = first[2]
    assert (read['condition'], read['http_status']) == ('certificate', 403)
    assert 'view_cluster_info' in read['details']['message']
    # Its recovery names the error that was announced; each certificate then has its first event.
    assert kinds(back) == [('certificate', None, 'ok', 'error')] + [
        ('certificate', name, 'ok', None) for name in CERTIFICATES]
    assert back[0]['http_status'] is None
    assert kinds(again) == [('certificate', None, 'error', 'ok')]


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


def test_a_malformed_certificate_is_an_error_of_that_certificate_alone(source, sim):
    cluster = sim.clusters[0]
    proxy = cluster.certificates['proxy']['cert']
    # Each a value that is not PEM text, or a certificate that cannot be described; the
    # proxy certificate as it is, its key a number; unset ones null or empty.
    answer = {'api_cert': 5, 'cm_cert': [proxy], 'syncer_cert': {'pem': proxy}, 'metrics_exporter_cert': True,
              'ccs_internode_encryption_cert': unreadable_extension(), 'proxy_cert': proxy, 'proxy_key': 5,
              'ldap_client_cert': None, 'sso_service_cert': ''}
    cluster.update({'faults': {'raw_next': {'count': 1000, 'method': 'GET', 'path': '/v1/cluster/certificates',
                                            'body': json.dumps(answer)}}})

    async def scenario():
        run = Run(source, args_for(sim))
        events = await run.events(9)
        await run.quiet()
        await run.stop()
        return events

    events = drive(scenario)
    assert kinds(events) == [('cluster', None, 'ok', None), ('staple', None, 'off', None)] + [
        ('certificate', name, 'error', None) for name in ('api', 'ccs_internode_encryption', 'cm',
                                                          'metrics_exporter')] + [
        ('certificate', 'proxy', 'ok', None), ('certificate', 'syncer', 'error', None), ('license', None, 'ok', None)]
    said = dict((event['name'], event['details']['message']) for event in events if event['state'] == 'error')
    assert said == {
        'api': 'The api certificate the cluster returned is a number, not PEM text',
        'cm': 'The cm certificate the cluster returned is a list, not PEM text',
        'metrics_exporter': 'The metrics_exporter certificate the cluster returned is a boolean, not PEM text',
        'syncer': 'The syncer certificate the cluster returned is an object, not PEM text',
        'ccs_internode_encryption': said['ccs_internode_encryption']}
    assert said['ccs_internode_encryption'].startswith(
        'The ccs_internode_encryption certificate the cluster returned: certificate 1 of 1 has an extension that '
        'cannot be read (')
    assert all(event['http_status'] is None for event in events)
    assert events[6]['condition'] == 'certificate:proxy'
    assert events[6]['details']['ocsp_responder_url'] == simlib.RESPONDER_URL


def test_a_field_of_another_type_is_an_error_of_its_condition_alone(source, sim):
    cluster = sim.clusters[0]
    # Off the declaration on purpose: a stapling switch and a license's expired that are no booleans.
    license = {'expired': 'maybe', 'expiration_date': '2030-01-01T00:00:00Z', 'owner': 'Example Inc.'}
    cluster.update({'config': {'ocsp_functionality': 'sometimes'}, 'faults': {'off_contract': True, 'raw_next': {
        'count': 1000, 'method': 'GET', 'path': '/v1/license', 'body': json.dumps(license)}}})

    async def scenario():
        run = Run(source, args_for(sim))
        first = await run.events(len(first_round()))
        # rladmin's word for off, which the modules read as false too.
        cluster.update({'config': {'ocsp_functionality': 'disabled'}})
        off = await run.events(1)
        # On, with a stapled status whose cert_status is a number.
        status = dict(simlib.fresh_status(), cert_status=0.5)
        cluster.update({'config': {'ocsp_functionality': 'enabled'}, 'status': status})
        unread = await run.events(1)
        await run.stop()
        return first, off[0], unread[0]

    first, off, unread = drive(scenario)
    assert kinds(first) == first_round(staple='error', license='error')
    staple, license = first[1], first[-1]
    assert staple['details']['message'].startswith(
        "The cluster answered ocsp_functionality='sometimes' in GET /v1/ocsp, which is not true or false, so the "
        'OCSP staple cannot be told.')
    assert license['details']['message'].startswith(
        "The cluster answered expired='maybe' in GET /v1/license, which is not true or false, so the license cannot "
        'be told.')
    assert staple['http_status'] is None and license['http_status'] is None
    assert (off['kind'], off['state'], off['previous_state']) == ('staple', 'off', 'error')
    assert (unread['kind'], unread['state'], unread['previous_state']) == ('staple', 'error', 'off')
    assert unread['details']['message'].startswith(
        'The cluster answered cert_status=0.5 in GET /v1/ocsp/status, which is not a status (GOOD, REVOKED or '
        'UNKNOWN), so the OCSP staple cannot be told.')


def test_a_reader_that_fails_on_an_answer_leaves_the_other_conditions_read(source, sim, monkeypatch, caplog):
    # A fault of the reading this code did not foresee, in the license's.
    def unforeseen(api, warn=None):
        return {}['days_until_expiry'], None

    monkeypatch.setattr(source['_license'], 'read', unforeseen)
    caplog.set_level(logging.DEBUG)

    async def scenario():
        run = Run(source, args_for(sim))
        events = await run.events(len(first_round()))
        await run.stop()
        return events

    events = drive(scenario)
    assert kinds(events) == first_round(license='error')
    assert events[-1]['details']['message'] == (
        "The answer about the license (GET /v1/license) could not be read (KeyError: 'days_until_expiry'): it is not "
        "what the REST API reference describes. Check the cluster's version, and any proxy between it and here.")
    assert 'reading the license failed' in caplog.text and 'Traceback' in caplog.text


def test_expiring_and_expired_certificates(source, sim):
    cluster = sim.clusters[0]
    pki = simlib.Pki()
    soon, key = pki.issue('api.cluster.example.test', days=10)

    async def scenario():
        run = Run(source, args_for(sim, certificate_days=30))
        await run.events(len(first_round()))
        cluster.update({'certificates': {'api': {'cert': soon, 'key': key}}})
        expiring = await run.events(1)
        cert, key2 = pki.expired('cm.cluster.example.test')
        cluster.update({'certificates': {'cm': {'cert': cert, 'key': key2}}})
        expired = await run.events(1)
        cluster.update({'certificates': {'cm': None}})
        removed = await run.events(1)
        await run.quiet()
        await run.stop()
        return expiring[0], expired[0], removed[0]

    expiring, expired, removed = drive(scenario)
    assert (expiring['kind'], expiring['name'], expiring['state'], expiring['previous_state']) == (
        'certificate', 'api', 'expiring', 'ok')
    assert expiring['details']['days_until_expiry'] in (9, 10)
    assert 'CN=api.cluster.example.test' in expiring['details']['subject']
    assert (expired['name'], expired['state'], expired['details']['expired']) == ('cm', 'expired', True)
    assert expired['details']['days_until_expiry'] < 0
    assert (removed['name'], removed['state'], removed['previous_state']) == ('cm', 'ok', 'expired')
    assert removed['details']['removed'] is True


MIB = 1024 ** 2


def create(sim, name):
    """A database created on the first cluster: its action starts."""
    return call(sim, 'POST', '/v1/bdbs', json={'name': name, 'memory_size': 100 * MIB})


def change(sim, name, **fields):
    uid = sim.clusters[0].bdb(name)['uid']
    return call(sim, 'PUT', '/v1/bdbs/%d' % uid, json=fields)


def remove(sim, name):
    return call(sim, 'DELETE', '/v1/bdbs/%d' % sim.clusters[0].bdb(name)['uid'])


def test_every_state_of_a_database_and_its_removal(source, sim):
    cluster = sim.clusters[0]
    failing = 'shard 3 of the database did not start'
    cluster.update({'bdbs': [{'name': 'ok-db'}, {'name': 'change-db'}],
                    'faults': {'action_creation_time': 'iso', 'bdb_pending': 0,
                               'action_fail_next': {'count': 2, 'error': failing}}})
    # Its create fails: creation-failed. A change of another fails: it stays active, its last action failed.
    create(sim, 'broken-db')
    change(sim, 'change-db', max_connections=100)
    # Creates that stay pending: one whose action began 31 minutes ago, one that begins now.
    cluster.update({'faults': {'bdb_pending': 3600}, 'clock': {'offset': -1860}})
    create(sim, 'stuck-db')
    cluster.update({'clock': {'offset': 0}})
    create(sim, 'new-db')
    uids = dict((bdb['name'], bdb['uid']) for bdb in cluster.bdbs())
    failed_change = cluster.bdb('change-db')['action_uid']
    secrets = [bdb['authentication_admin_pass'] for bdb in cluster.bdbs()]

    async def scenario():
        run = Run(source, args_for(sim))
        first = await run.events(len(first_round()) + 5)
        # Their actions end.
        cluster.update({'clock': {'advance': 3600}, 'faults': {'bdb_pending': 0}})
        done = await run.events(2)
        # The failed change made again: the database is ok.
        change(sim, 'change-db', max_connections=100)
        fixed = await run.events(1)
        cluster.update({'faults': {'action_fail_next': {'count': 1, 'error': failing}}})
        change(sim, 'ok-db', max_connections=50)
        failed = await run.events(1)
        # Removed: a failed one, and one that was ok.
        remove(sim, 'broken-db')
        gone = await run.events(1)
        remove(sim, 'new-db')
        gone += await run.events(1)
        await run.quiet()
        await run.stop()
        return first, done, fixed[0], failed[0], gone

    first, done, fixed, failed, gone = drive(scenario)
    assert kinds(first) == first_round() + [
        ('database', 'broken-db', 'failed', None), ('database', 'change-db', 'failed', None),
        ('database', 'new-db', 'pending', None), ('database', 'ok-db', 'ok', None),
        ('database', 'stuck-db', 'stuck', None)]
    databases = dict((event['name'], event) for event in first if event['kind'] == 'database')
    for name, event in databases.items():
        assert event['condition'] == 'database:' + name and event['http_status'] is None
        assert event['details']['uid'] == uids[name]
    broken, changed = databases['broken-db']['details'], databases['change-db']['details']
    assert (broken['status'], broken['error'], broken['action_status']) == ('creation-failed', failing, 'failed')
    assert broken['message'].startswith('The database broken-db could not be created (creation-failed): %s.'
                                        % failing)
    assert (changed['status'], changed['error'], changed['action_status']) == ('active', failing, 'failed')
    assert changed['action_uid'] == failed_change
    assert 'The last action of the database change-db (%s) failed: %s.' % (changed['action_uid'], failing) in (
        changed['message'])
    # Pending since the action's creation_time (ISO 8601 here): 31 minutes, and none.
    stuck, new = databases['stuck-db']['details'], databases['new-db']['details']
    assert (stuck['status'], stuck['pending_since_from'], stuck['pending_minutes']) == ('pending', 'action', 31)
    assert stuck['action_status'] == 'running' and 'longer than 30 minutes (database_stuck_minutes)' in (
        stuck['message'])
    started = datetime.datetime.strptime(stuck['pending_since'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)
    assert 1855 <= (simlib.utc_now() - started).total_seconds() <= 1900
    assert (new['status'], new['pending_since_from'], new['pending_minutes']) == ('pending', 'action', 0)
    assert databases['ok-db']['details'] == {'uid': uids['ok-db'], 'status': 'active',
                                             'action_uid': None, 'action_status': None,
                                             'message': 'The database ok-db is active.'}

    assert sorted(kinds(done)) == [('database', 'new-db', 'ok', 'pending'), ('database', 'stuck-db', 'ok', 'stuck')]
    # A later action that ends well ends the failed state.
    assert kinds([fixed]) == [('database', 'change-db', 'ok', 'failed')]
    assert fixed['details']['action_status'] == 'completed'
    assert kinds([failed]) == [('database', 'ok-db', 'failed', 'ok')]
    assert (failed['details']['status'], failed['details']['error']) == ('active', failing)
    # A removal is an event whatever the last state was.
    assert kinds(gone) == [('database', 'broken-db', 'ok', 'failed'), ('database', 'new-db', 'ok', 'ok')]
    for event in gone:
        assert event['details'] == {'removed': True, 'message': 'The cluster no longer has the database %s.'
                                    % event['name']}
        assert event['condition'] == 'database:' + event['name']
    # The databases' admin passwords, which GET /v1/bdbs answers in clear, are not even read.
    assert len(secrets) == 5 and all(secrets)
    assert not [secret for secret in secrets if secret in json.dumps(first + done + [fixed, failed] + gone)]


def test_a_poll_reads_each_action_until_it_ended_and_v1_where_v2_is_missing(source, sim):
    cluster = sim.clusters[0]
    cluster.update({'bdbs': [{'name': 'ok-db'}], 'faults': {'bdb_pending': 3600}, 'clock': {'offset': -1860}})
    create(sim, 'db')
    cluster.update({'clock': {'offset': 0}})
    watched = source['Cluster'](dict(url=sim.urls[0], username=simlib.ADMIN_USER, password=simlib.ADMIN_PASSWORD,
                                     ca_path=sim.ca_path, validate_certs=True, timeout=5), 30, 30, 30)
    fields = '/v1/bdbs?fields=uid%2Cname%2Cstatus%2Caction_uid'
    base = [('GET', '/v1/ocsp'), ('GET', '/v1/cluster/certificates'), ('GET', '/v1/license'), ('GET', fields)]

    def poll():
        del cluster.log[:]
        found = [(item['state'], item['details']) for item in watched.poll() if item['name'] == 'db']
        calls = cluster.calls(query=True)
        # The databases' certificates that expire soon, at a date of the poll's own: once, after the cluster's.
        expiring = [call for call in calls if call[1].startswith('/v1/bdbs/certificates?')]
        assert len(expiring) == 1 and calls.index(expiring[0]) == 2, calls
        return found[0][0], found[0][1], [call for call in calls if call not in expiring]

    try:
        # Pending for 31 minutes by its action's creation_time, in Unix seconds.
        state, details, calls = poll()
        action = '/v2/actions/%s' % details['action_uid']
        assert (state, details['pending_since_from'], details['pending_minutes']) == ('stuck', 'action', 31)
        assert calls == base + [('GET', action)]
        # Its action ends (and the cluster still remembers it).
        cluster.update({'clock': {'advance': 1800}})
        state, details, calls = poll()
        assert (state, details['action_status'], calls) == ('ok', 'completed', base + [('GET', action)])
        # The action ended: read no more, while the database names it.
        assert poll()[::2] == ('ok', base)
        # A cluster without /v2/actions: v1 too, the first time, and v1 alone after.
        cluster.update({'faults': {'action_versions': ['v1']}})
        state, details, calls = poll()
        assert state == 'ok' and calls == base
        change(sim, 'db', max_connections=10)
        state, details, calls = poll()
        v2, v1 = '/v2/actions/%s' % details['action_uid'], '/v1/actions/%s' % details['action_uid']
        # v1 gives no creation_time: pending since the source first saw it so.
        assert (state, details['status'], details['action_status']) == ('pending', 'active-change-pending', 'pending')
        assert details['pending_since_from'] == 'first_seen'
        assert calls == base + [('GET', v2), ('GET', v1)]
        assert poll()[::2] == ('pending', base + [('GET', v1)])
        # An action answered as something else than an object: an error of that database alone.
        cluster.update({'faults': {'off_contract': True, 'raw_next': {'count': 1, 'method': 'GET', 'path': v1,
                                                                      'body': '["running"]'}}})
        found = dict((item['name'], item) for item in watched.poll() if item['kind'] == 'database')
        assert [(name, item['state']) for name, item in found.items()] == [
            (None, 'ok'), ('db', 'error'), ('ok-db', 'ok')]
        assert found['db']['http_status'] == 200 and found['db']['details']['message'].startswith(
            'The answer to GET %s (HTTP 200) is not a JSON object' % v1)
    finally:
        watched.close()


def test_pending_without_an_action_is_stuck_after_database_stuck_minutes_from_when_it_was_first_seen(source, sim):
    cluster = sim.clusters[0]
    # The cluster names no action in the database: how long it is pending is the source's own count.
    cluster.update({'faults': {'bdb_pending': 3600, 'action_uid_in': 'answer'}})
    create(sim, 'slow-db')
    watched = source['Cluster'](dict(url=sim.urls[0], username=simlib.ADMIN_USER, password=simlib.ADMIN_PASSWORD,
                                     ca_path=sim.ca_path, validate_certs=True, timeout=5), 30, 30, 10)
    seen = simlib.utc_now()
    events = []
    try:
        for minutes in (0, 9, 11, 12):
            found = watched.poll(now=seen + datetime.timedelta(minutes=minutes, seconds=1))
            events.extend(event['redis_enterprise'] for event in watched.changes(found))
        cluster.update({'clock': {'advance': 3600}})
        events.extend(event['redis_enterprise'] for event in watched.changes(watched.poll()))
    finally:
        watched.close()
    databases = [event for event in events if event['kind'] == 'database']
    assert kinds(databases) == [('database', 'slow-db', 'pending', None), ('database', 'slow-db', 'stuck', 'pending'),
                                ('database', 'slow-db', 'ok', 'stuck')]
    pending, stuck = databases[0]['details'], databases[1]['details']
    assert (pending['action_uid'], pending['pending_since_from'], pending['pending_minutes']) == (
        None, 'first_seen', 0)
    assert stuck['pending_since'] == pending['pending_since'] and stuck['pending_minutes'] == 11
    assert 'longer than 10 minutes (database_stuck_minutes)' in stuck['message']
    assert 'GET /v1/actions/bdb/%d' % cluster.bdb('slow-db')['uid'] in stuck['message']


def test_a_databases_read_refused_or_malformed_is_an_error_of_the_databases_alone(source, sim):
    cluster = sim.clusters[0]
    cluster.update({'bdbs': [{'name': 'ok-db'}]})
    # A user whose role grants nothing: not view_all_bdbs_info either.
    role = call(sim, 'POST', '/v1/roles', json={'name': 'Nothing', 'management': 'none'})
    roles = dict((found['name'], found['uid']) for found in call(sim, 'GET', '/v1/roles'))
    email, password = 'nobody@example.com', 'N0body-S3cret-Pa55'
    user = call(sim, 'POST', '/v1/users', json={'email': email, 'name': 'Nobody', 'password': password,
                                                'role_uids': [role['uid']]})

    def answer(body):
        cluster.update({'faults': {'off_contract': True, 'raw_next': {
            'count': 1000, 'method': 'GET', 'path': '/v1/bdbs', 'body': json.dumps(body)}}})

    async def scenario():
        run = Run(source, args_for(sim, username=email, password=password))
        refused = await run.events(5)
        call(sim, 'PUT', '/v1/users/%d' % user['uid'], json={'role_uids': [roles['DB Viewer']]})
        back = await run.events(2)
        answer({'uid': 1, 'name': 'ok-db'})
        unread = await run.events(1)
        answer([{'uid': 1, 'name': 'ok-db', 'status': 5}, {'uid': 2, 'name': 'twin'}, {'uid': 3, 'name': 'twin'}])
        odd = await run.events(3)
        answer([{'uid': 1, 'status': 'active'}])
        nameless = await run.events(1)
        await run.stop()
        return refused, back, unread[0], odd, nameless[0]

    refused, back, unread, odd, nameless = drive(scenario)
    assert kinds(refused) == [('cluster', None, 'ok', None), ('staple', None, 'error', None),
                              ('certificate', None, 'error', None), ('license', None, 'error', None),
                              ('database', None, 'error', None)]
    assert (refused[-1]['condition'], refused[-1]['http_status']) == ('database', 403)
    assert 'view_all_bdbs_info' in refused[-1]['details']['message']
    # Its recovery, then each database's first event; the others still refused emit nothing.
    assert kinds(back) == [('database', None, 'ok', 'error'), ('database', 'ok-db', 'ok', None)]
    # Not a list: the transport says so, with the status the cluster answered.
    assert kinds([unread]) == [('database', None, 'error', 'ok')] and unread['http_status'] == 200
    assert unread['details']['message'].startswith(
        'The answer to GET /v1/bdbs?fields=uid%2Cname%2Cstatus%2Caction_uid (HTTP 200) is not a JSON array')
    # One database's own field that does not read, two of one name: errors of those databases.
    assert kinds(odd) == [('database', None, 'ok', 'error'), ('database', 'ok-db', 'error', 'ok'),
                          ('database', 'twin', 'error', None)]
    assert odd[1]['details']['message'].startswith(
        'The cluster answered status=5 in GET /v1/bdbs, which is not a database status, so the database ok-db '
        'cannot be told.')
    assert odd[2]['details']['message'].startswith('2 databases are named twin (uids 2, 3)')
    assert kinds([nameless]) == [('database', None, 'error', 'ok')]
    assert nameless['details']['message'].startswith(
        "The cluster answered name=None in GET /v1/bdbs, which is not a database's name, so the databases cannot "
        'be told.')


def bdb_certificates_answer(status, code):
    """The next answers of GET /v1/bdbs/certificates: an error of status."""
    return {'faults': {'raw_next': {'count': 1000, 'method': 'GET', 'path': '/v1/bdbs/certificates', 'status': status,
                                    'body': json.dumps({'error_code': code, 'description': 'Not here'})}}}


def test_a_databases_expiring_certificate_is_its_own_condition(source, sim):
    cluster = sim.clusters[0]
    pki = simlib.Pki()
    soon, key = pki.issue('orders.cluster.example.test', days=10)
    later, later_key = pki.issue('sessions.cluster.example.test', days=365)
    # orders' certificate expires within certificate_days; sessions' does not, and is never a condition.
    cluster.update({'bdbs': [{'name': 'orders', 'certificate': {'cert': soon, 'key': key}},
                             {'name': 'sessions', 'certificate': {'cert': later, 'key': later_key}}]})

    async def scenario():
        run = Run(source, args_for(sim, certificate_days=30))
        # With the two databases' own conditions, ok.
        first = await run.events(len(first_round()) + 3)
        expired_pem, expired_key = pki.expired('orders.cluster.example.test')
        cluster.update({'bdbs': [{'uid': 1, 'certificate': {'cert': expired_pem, 'key': expired_key}}]})
        expired = await run.events(1)
        cluster.update({'bdbs': [{'uid': 1, 'certificate': {'cert': later, 'key': later_key}}]})
        renewed = await run.events(1)
        # A cluster without per-database certificates: nothing to say (and nothing more of the renewal).
        cluster.log.clear()
        cluster.update(bdb_certificates_answer(404, 'not_found'))
        await run.quiet()
        unsupported = cluster.calls(query=True)
        # Any other failure of that read is the certificates' read in error, the cluster's certificates still read.
        cluster.update(bdb_certificates_answer(500, 'internal_error'))
        failed = await run.events(1)
        cluster.update({'faults': {'raw_next': {'count': 0}}})
        back = await run.events(1)
        await run.quiet()
        await run.stop()
        return first, expired[0], renewed[0], unsupported, failed[0], back[0]

    first, expired, renewed, unsupported, failed, back = drive(scenario)
    assert kinds(first) == first_round()[:-1] + [('certificate', 'bdb:orders', 'expiring', None),
                                                 ('license', None, 'ok', None), ('database', 'orders', 'ok', None),
                                                 ('database', 'sessions', 'ok', None)]
    expiring = first[-4]
    assert expiring['condition'] == 'certificate:bdb:orders'
    assert (expiring['details']['database'], expiring['details']['bdb_uid']) == ('orders', 1)
    assert expiring['details']['days_until_expiry'] in (9, 10) and expiring['details']['expired'] is False
    assert 'CN=orders.cluster.example.test' in expiring['details']['subject']
    assert expiring['details']['message'].startswith('The proxy certificate of the database orders expires on ')
    assert (expired['condition'], expired['state'], expired['previous_state']) == (
        'certificate:bdb:orders', 'expired', 'expiring')
    assert expired['details']['expired'] is True and expired['details']['days_until_expiry'] < 0
    # Renewed, it is no longer among those the cluster answers: its condition ends, ok.
    assert (renewed['condition'], renewed['state'], renewed['previous_state']) == (
        'certificate:bdb:orders', 'ok', 'expired')
    assert renewed['details']['message'] == (
        'The bdb:orders certificate is no longer one that expires within 30 days: it was renewed, or removed (on its '
        'own or with its database).')
    # Each poll asks only for what expires before its day 30, and reads no names when nothing does.
    asked = [entry for entry in cluster.log if entry['path'] == '/v1/bdbs/certificates']
    assert asked and all('expires_before=' in entry['query'] and 'page_size=1000' in entry['query'] for entry in asked)
    assert [call for call in unsupported if call[1].startswith('/v1/bdbs/certificates?')]
    assert ('GET', '/v1/bdbs?fields=uid%2Cname') not in unsupported
    assert (failed['condition'], failed['state'], failed['previous_state'], failed['http_status']) == (
        'certificate', 'error', None, 500)
    assert failed['details']['message'].startswith("The databases' certificates could not be read: ")
    assert (back['condition'], back['state'], back['previous_state']) == ('certificate', 'ok', 'error')
    assert 'sessions' not in json.dumps([event for event in first + [expired, renewed, failed, back]
                                         if event['kind'] == 'certificate'])


def test_expiring_expired_and_missing_license(source, sim):
    cluster = sim.clusters[0]
    cluster.update({'license': {'days': 10}})

    async def scenario():
        run = Run(source, args_for(sim, license_days=30))
        first = await run.events(len(first_round()))
        cluster.update({'license': {'expires': simlib.utc_now() - datetime.timedelta(days=1)}})
        expired = await run.events(1)
        cluster.update({'license': None})
        await run.quiet()
        cluster.update({'license': {'days': 100}})
        ok = await run.events(1)
        await run.stop()
        return first[-1], expired[0], ok[0]

    expiring, expired, ok = drive(scenario)
    assert (expiring['state'], expiring['details']['days_until_expiry']) in (('expiring', 9), ('expiring', 10))
    assert 'redis.enterprise.license' in expiring['details']['message']
    assert (expired['state'], expired['previous_state'], expired['details']['expired']) == (
        'expired', 'expiring', True)
    # None installed is expired too: no event for the change from expired to none.
    assert (ok['state'], ok['previous_state'], ok['details']['installed']) == ('ok', 'expired', True)


def test_a_license_without_a_date_that_reads_is_an_error_and_its_text_shows_nowhere(source, sim, caplog):
    text = '----- LICENSE START -----\nU2ltdWxhdGVkIHRleHQ=\n----- LICENSE END -----\n'
    answer = {'expired': False, 'expiration_date': 'soon', 'owner': 'Example Inc.', 'license': text, 'key': text}
    sim.clusters[0].update({'faults': {'raw_next': {'count': 1000, 'method': 'GET', 'path': '/v1/license',
                                                    'body': json.dumps(answer)}}})

    async def scenario():
        run = Run(source, args_for(sim))
        events = await run.events(len(first_round()))
        await run.stop()
        return events[-1]

    event = drive(scenario)
    assert (event['kind'], event['state']) == ('license', 'error')
    assert "no expiration date that can be read (expiration_date: 'soon')" in event['details']['message']
    assert event['details']['owner'] == 'Example Inc.' and event['details']['days_until_expiry'] is None
    assert 'U2ltdWxhdGVkIHRleHQ=' not in json.dumps(event) and 'U2ltdWxhdGVkIHRleHQ=' not in caplog.text
    assert "The license field expiration_date: 'soon' is not a date" in caplog.text


def test_no_license_installed_is_expired(source, sim):
    sim.clusters[0].update({'license': None})

    async def scenario():
        run = Run(source, args_for(sim, license_days=30))
        events = await run.events(len(first_round()))
        await run.stop()
        return events[-1]

    event = drive(scenario)
    assert (event['kind'], event['state'], event['http_status']) == ('license', 'expired', None)
    assert event['details']['installed'] is False and 'No license is installed' in event['details']['message']


def test_cancelled_it_ends_cleanly(source, sim, caplog):
    caplog.set_level(logging.DEBUG)
    # Every answer takes a while, so a poll is under way when it is cancelled.
    sim.clusters[0].update({'faults': {'delay': 0.3}})

    async def scenario():
        before = asyncio.all_tasks()
        run = Run(source, args_for(sim))
        await asyncio.sleep(0.2)
        await run.stop()
        return asyncio.all_tasks() - before

    assert drive(scenario) == set()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_no_password_key_or_license_text_in_events_or_logs(source, sim, caplog):
    caplog.set_level(logging.DEBUG)
    cluster = sim.clusters[0]
    stapling(cluster, 'UNKNOWN')
    keys = [pair['key'] for pair in cluster.certificates.values() if pair.get('key')]
    text = cluster.license

    async def scenario():
        run = Run(source, args_for(sim, clusters=sim.urls))
        await run.events(2 * len(first_round()))
        sim.take_down(1)
        await run.until(lambda event: event['state'] == 'unreachable')
        sim.bring_up(1)
        await run.until(lambda event: event['previous_state'] == 'unreachable')
        await run.stop()
        return run.seen

    seen = json.dumps(drive(scenario))
    logged = caplog.text + ''.join(str(record.__dict__) for record in caplog.records)
    for secret in [simlib.ADMIN_PASSWORD, text, '-----BEGIN PRIVATE KEY-----'] + keys:
        assert secret not in seen and secret not in logged
    assert 'Round' in logged


@pytest.mark.parametrize('given, said', [
    (dict(interval=0), 'interval must be a number of seconds greater than 0'),
    (dict(interval='often'), "argument 'interval' is of type"),
    (dict(certificate_days=-1), 'certificate_days must be 0 or more days'),
    (dict(database_stuck_minutes=0), 'database_stuck_minutes must be 1 or more minutes'),
    (dict(database_stuck_minutes='long'), "argument 'database_stuck_minutes' is of type"),
    (dict(clusters=[]), 'clusters is empty'),
    (dict(clusters=[42]), 'clusters[0] must be a URL or a mapping with url; got a int'),
    (dict(clusters=[{'ca_path': '/x'}]), 'clusters[0]: missing required arguments: url'),
    (dict(clusters=['https://a.example.com:9443', 'https://a.example.com:9443/']), 'lists https://a.example.com:9443 a'),
    (dict(clusters=['https://user:pw@a.example.com']), 'must not contain a user name or password'),
    (dict(intervall=10), 'Unsupported parameters'),
    (dict(password=None), 'https://a.example.com:9443: username and password are required'),
    (dict(ca_path='/nonexistent/ca.pem'), 'https://a.example.com:9443: ca_path /nonexistent/ca.pem is not a readable'),
])
def test_arguments_refused_with_what_is_wrong(source, sim, given, said):
    args = args_for(sim, clusters=['https://a.example.com:9443'])
    args.update(given)
    with pytest.raises(ValueError) as info:
        source['Watcher'](args)
    assert said in str(info.value)
    assert str(info.value).startswith('redis.enterprise.cluster_events: ')


def test_a_password_is_masked_in_an_argument_error(source, sim):
    args = args_for(sim, clusters=[{'url': sim.urls[0], 'timeout': simlib.ADMIN_PASSWORD}])
    with pytest.raises(ValueError) as info:
        source['Watcher'](args)
    assert "clusters[0]: argument 'timeout'" in str(info.value)
    assert simlib.ADMIN_PASSWORD not in str(info.value)


def test_the_modules_environment_variables_and_per_cluster_options(source, sim, monkeypatch):
    monkeypatch.setenv('REDIS_ENTERPRISE_URL', sim.urls[0])
    monkeypatch.setenv('REDIS_ENTERPRISE_USERNAME', simlib.ADMIN_USER)
    monkeypatch.setenv('REDIS_ENTERPRISE_PASSWORD', simlib.ADMIN_PASSWORD)
    monkeypatch.setenv('REDIS_ENTERPRISE_CA_PATH', sim.ca_path)
    options, clusters = source['settings']({'interval': 1, 'eda_feedback_queue': object()})
    assert clusters == [dict(url=sim.urls[0], username=simlib.ADMIN_USER, password=simlib.ADMIN_PASSWORD,
                             ca_path=sim.ca_path, validate_certs=True, timeout=30.0)]
    options, clusters = source['settings']({'clusters': [sim.urls[1], {'url': sim.urls[0], 'timeout': 2,
                                                                       'username': 'other@example.com'}]})
    assert [(c['url'], c['username'], c['timeout']) for c in clusters] == [
        (sim.urls[1], simlib.ADMIN_USER, 30.0), (sim.urls[0], 'other@example.com', 2.0)]
    assert options['interval'] == 300


def test_validate_certs_false_is_logged_as_a_warning(source, sim, caplog):
    args = args_for(sim, ca_path=None, validate_certs=False)

    async def scenario():
        run = Run(source, args)
        events = await run.events(1)
        await run.stop()
        return events

    assert drive(scenario)[0]['state'] == 'ok'
    assert "validate_certs is false: the cluster's identity is not verified" in caplog.text


def test_loaded_by_its_path_outside_any_collection_loader(tmp_path):
    # As ansible-rulebook loads it: runpy.run_path, with no collection on
    # sys.path; it finds its collection by where it lies. Where this checkout
    # is not laid out as a collection itself (ansible-test's copy is), the
    # one linked under build/collections.
    collections = os.path.abspath(os.path.join(ROOT, *[os.pardir] * 3))
    if not ROOT.endswith(os.path.join('ansible_collections', 'redis', 'enterprise')):
        collections = os.path.join(ROOT, 'build', 'collections')
    path = os.path.join(collections, 'ansible_collections', 'redis', 'enterprise', RELATIVE)
    assert os.path.exists(path), 'link the collection under build/collections (make collection)'
    code = ('import runpy, sys; found = runpy.run_path(sys.argv[1]); '
            'print(found["main"].__name__, found["_api"].__file__)')
    env = dict((key, value) for key, value in os.environ.items() if key != 'ANSIBLE_COLLECTIONS_PATH')
    # What may give ansible_collections already (ansible-test's), left out; ansible-core stays.
    env['PYTHONPATH'] = os.pathsep.join(entry for entry in env.get('PYTHONPATH', '').split(os.pathsep)
                                        if entry and not os.path.isdir(os.path.join(entry, 'ansible_collections')))
    done = subprocess.run([sys.executable, '-c', code, path], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    name, where = done.stdout.split()
    assert name == 'main'
    assert where == os.path.join(collections, 'ansible_collections', 'redis', 'enterprise', 'plugins',
                                 'module_utils', '_api.py')


def test_its_documentation_is_yaml_that_names_every_option(source):
    # ansible-doc does not read event sources: nothing else parses these.
    documentation = yaml.safe_load(source['DOCUMENTATION'])
    assert sorted(documentation['options']) == sorted(source['_spec'](top=True))
    assert 'condition' in ' '.join(documentation['description'])
    assert yaml.safe_load(source['EXAMPLES'])[0]['sources'][0]['redis.enterprise.cluster_events']

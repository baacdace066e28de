# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator is as strict as a cluster may be, so that every test meets
that cluster: it wants Accept and Content-Type as the API reference gives
them, and a PUT resets the writable fields its body leaves out. It serves
the calls the collection declares, with their permissions, and the ones the
modules will make (GET /v1/cluster, DELETE /v1/cluster/certificates/{name})."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

import redis_enterprise_sim as simlib

AUTH = (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)


@pytest.fixture
def call(simulator, sim_url):
    def send(method, headers, **kwargs):
        return requests.request(method, sim_url + '/v1/ocsp', auth=AUTH, headers=headers, verify=simulator.ca_path,
                                timeout=5, **kwargs)
    return send


@pytest.mark.parametrize('accept, status', [
    (None, 406), ('text/html', 406), ('application/json', 200), ('text/html, application/json;q=0.9', 200),
    ('*/*', 200), ('application/*', 200),
])
def test_accept_must_admit_json(call, cluster, accept, status):
    # requests sends Accept: */* unless told otherwise; None takes it away.
    answer = call('GET', {'Accept': accept})
    assert answer.status_code == status
    if status == 406:
        assert answer.json()['error_code'] == 'not_acceptable'


@pytest.mark.parametrize('content_type, status', [
    ('text/plain', 415), (None, 415), ('application/json', 200), ('application/json; charset=utf-8', 200),
])
def test_a_body_must_be_json(call, cluster, content_type, status):
    answer = call('PUT', {'Accept': 'application/json', 'Content-Type': content_type},
                  data=b'{"query_frequency": 7200}')
    assert answer.status_code == status
    assert cluster.config['query_frequency'] == (7200 if status == 200 else 3600)


def test_a_put_resets_the_writable_fields_it_leaves_out(call, cluster):
    cluster.update({'config': {'query_frequency': 600, 'recovery_max_tries': 50, 'extra': 'kept'}})
    del cluster.config['recovery_frequency']
    answer = call('PUT', {'Accept': 'application/json'}, json={'response_timeout': 9})
    assert answer.status_code == 200
    assert cluster.config['response_timeout'] == 9
    # Reset to the defaults: what the module's full-body PUT exists for.
    assert (cluster.config['query_frequency'], cluster.config['recovery_max_tries']) == (3600, 5)
    # A field the cluster does not have stays absent; one it does not know stays.
    assert 'recovery_frequency' not in cluster.config and cluster.config['extra'] == 'kept'


def test_a_fresh_cluster_has_no_responder_url(tmp_path):
    # As a recorded GET /v1/ocsp of a fresh cluster: stapling off, responder_url "".
    with simlib.Simulator(str(tmp_path)) as sim:
        answer = requests.get(sim.urls[0] + '/v1/ocsp', auth=AUTH, headers={'Accept': 'application/json'},
                              verify=sim.ca_path, timeout=5)
        assert answer.json() == {'ocsp_functionality': False, 'query_frequency': 3600, 'recovery_frequency': 60,
                                 'recovery_max_tries': 5, 'responder_url': '', 'response_timeout': 1}
        # The documented status of a test without a responder URL: 500.
        test = requests.post(sim.urls[0] + '/v1/ocsp/test', auth=AUTH, headers={'Accept': 'application/json'},
                             verify=sim.ca_path, timeout=5)
        assert (test.status_code, test.json()['error_code']) == (500, 'no_responder_url')


def test_the_responder_cannot_be_asked_for_a_proxy_certificate_installed_without_its_issuer(api, cluster):
    # The fresh proxy certificate comes with its CA's: it can be asked about.
    assert api('POST', '/v1/ocsp/test').json()['cert_status'] == 'GOOD'
    pki = simlib.Pki()
    certificate, key = pki.issue()
    cluster.update({'certificates': {'proxy': {'cert': certificate, 'key': key}}})
    for method, path in (('POST', '/v1/ocsp/test'), ('GET', '/v1/ocsp/status')):
        if path.endswith('status'):
            # The cached status is the simulator's only while stapling is off; on, every query fails.
            assert api(method, path).status_code == 200
            cluster.update({'config': {'ocsp_functionality': True}})
        answer = api(method, path)
        assert (answer.status_code, answer.json()['error_code']) == (500, 'invalid_ocsp_response'), path
        assert answer.json()['description'] == (
            'Cannot build an OCSP request for the proxy certificate: the certificate of its issuer '
            'O=redis.enterprise simulator,CN=redis.enterprise test CA is not installed with it')
    cluster.update({'certificates': {'proxy': {'cert': certificate + pki.ca_pem, 'key': key}}})
    assert api('POST', '/v1/ocsp/test').json()['cert_status'] == 'GOOD'
    assert api('GET', '/v1/ocsp/status').json()['cert_status'] == 'GOOD'


@pytest.mark.parametrize('encoding, status', [('utf-8', 200), ('latin-1', 401)])
def test_the_utf8_admin_is_known_by_its_utf8_credentials(simulator, sim_url, encoding, status):
    # RFC 7617: the user name and password as UTF-8; Latin-1 ('replace' for
    # what it cannot hold) is not them.
    auth = (simlib.UTF8_ADMIN_USER.encode(encoding, 'replace'), simlib.UTF8_ADMIN_PASSWORD.encode(encoding, 'replace'))
    answer = requests.get(sim_url + '/v1/ocsp', auth=auth, headers={'Accept': 'application/json'},
                          verify=simulator.ca_path, timeout=5)
    assert answer.status_code == status


PROGRAM = simlib.__file__


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _start(cwd, *args):
    return subprocess.Popen([sys.executable, PROGRAM] + list(args), cwd=str(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _ready(process, ready_file, within=20):
    deadline = time.monotonic() + within
    while not ready_file.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, 'the simulator did not get ready'
        time.sleep(0.1)
    return json.loads(ready_file.read_text())


def test_as_a_program_it_prints_absolute_paths_and_keeps_a_running_ones_ca(tmp_path):
    port = _free_port()
    first = _start(tmp_path, '--cert-dir', 'build/simulator', '--port', str(port), '--ready-file', 'ready.json')
    try:
        info = _ready(first, tmp_path / 'ready.json')
        ca_path = str(tmp_path / 'build' / 'simulator' / 'ca.pem')
        assert info['ca_path'] == ca_path and info['urls'] == ['https://127.0.0.1:%d' % port]
        ca = (tmp_path / 'build' / 'simulator' / 'ca.pem').read_bytes()
        # A second one like it (make simulator twice) refuses, and says why, before writing anything.
        again = subprocess.run([sys.executable, PROGRAM, '--cert-dir', 'build/simulator', '--port', str(port)],
                               cwd=str(tmp_path), capture_output=True, text=True, timeout=30, check=False)
        assert again.returncode == 2
        assert ('Not started: another simulator (pid %d, https://127.0.0.1:%d) serves from %s, and its CA (%s) '
                'stays as it is' % (first.pid, port, os.path.dirname(ca_path), ca_path)) in again.stderr
        # The same port from another cert dir: refused too, no CA written there.
        other = subprocess.run([sys.executable, PROGRAM, '--cert-dir', 'other', '--port', str(port)],
                               cwd=str(tmp_path), capture_output=True, text=True, timeout=30, check=False)
        assert other.returncode == 2
        assert 'Not started: 127.0.0.1:%d is in use already' % port in other.stderr
        assert not (tmp_path / 'other' / 'ca.pem').exists()
        assert (tmp_path / 'build' / 'simulator' / 'ca.pem').read_bytes() == ca
        # The first one still serves, with the CA it printed.
        answer = requests.get(info['urls'][0] + '/v1/ocsp', auth=AUTH, headers={'Accept': 'application/json'},
                              verify=ca_path, timeout=5)
        assert answer.status_code == 200
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert "export REDIS_ENTERPRISE_CA_PATH='%s'" % ca_path in out


# The routes and their permissions are the collection's declaration.

def test_the_routes_are_the_declared_calls_with_their_permissions():
    from ansible_collections.redis.enterprise.plugins.module_utils import _contract

    declared = dict((key, endpoint['permission']) for key, endpoint in _contract.ENDPOINTS.items())
    assert simlib.ROUTES == declared


VIEWER = (simlib.VIEWER_USER, simlib.VIEWER_PASSWORD)


def test_get_cluster_answers_the_fqdn_as_its_name(api, cluster, sim_url, simulator):
    for user in (AUTH, VIEWER):
        answer = api('GET', '/v1/cluster', user=user)
        assert (answer.status_code, answer.json()['name']) == (200, simlib.FQDN)
    control = requests.put(sim_url + '/_sim/state', json={'fqdn': 'redis.prod.example.test'},
                           verify=simulator.ca_path, timeout=5)
    assert control.json()['fqdn'] == 'redis.prod.example.test'
    assert api('GET', '/v1/cluster').json()['name'] == 'redis.prod.example.test'
    cluster.reset()
    assert api('GET', '/v1/cluster').json()['name'] == simlib.FQDN


def test_delete_removes_an_installed_optional_certificate(api, cluster):
    certificate, key = simlib.self_signed('ldap.cluster.example.test')
    cluster.update({'certificates': {'ldap_client': {'cert': certificate, 'key': key}}})
    assert 'ldap_client_cert' in api('GET', '/v1/cluster/certificates').json()
    answer = api('DELETE', '/v1/cluster/certificates/ldap_client')
    assert (answer.status_code, answer.content) == (200, b'')
    assert 'ldap_client' not in cluster.certificates
    assert 'ldap_client_cert' not in api('GET', '/v1/cluster/certificates').json()
    # Gone, it is as one never installed.
    assert api('DELETE', '/v1/cluster/certificates/ldap_client').status_code == 404


@pytest.mark.parametrize('name', simlib.GENERATED_NAMES)
def test_delete_refuses_a_certificate_the_cluster_generates(api, cluster, name):
    answer = api('DELETE', '/v1/cluster/certificates/' + name)
    assert (answer.status_code, answer.json()['error_code']) == (403, 'certificate_required')
    assert name in cluster.certificates


@pytest.mark.parametrize('absent, status', [(404, 404), (200, 200)])
def test_delete_of_an_optional_certificate_not_installed_answers_the_switch(api, cluster, absent, status):
    cluster.update({'faults': {'delete_absent_answer': absent}})
    assert api('DELETE', '/v1/cluster/certificates/sso_issuer').status_code == status
    # An unknown name is 404 whatever the switch says.
    unknown = api('DELETE', '/v1/cluster/certificates/no_such_certificate')
    assert (unknown.status_code, unknown.json()['error_code']) == (404, 'unknown_certificate_name')


def test_delete_needs_update_cluster_and_is_the_only_method_there(api, cluster):
    certificate, key = simlib.self_signed('sso.cluster.example.test')
    cluster.update({'certificates': {'sso_service': {'cert': certificate, 'key': key}}})
    refused = api('DELETE', '/v1/cluster/certificates/sso_service', user=VIEWER)
    assert (refused.status_code, refused.json()['error_code']) == (403, 'insufficient_permissions')
    assert 'sso_service' in cluster.certificates
    assert api('POST', '/v1/cluster/certificates/sso_service').status_code == 405
    assert api('DELETE', '/v1/cluster/certificates/sso_service/more').status_code == 404


@pytest.mark.parametrize('error_text, fields', [
    ('description', {'error_code', 'description', 'status_code'}),
    ('message', {'error_code', 'message'}),
])
def test_error_answers_come_in_the_form_the_switch_names(api, cluster, error_text, fields):
    cluster.update({'faults': {'error_text': error_text, 'capability_406': True}})
    answer = api('GET', '/v1/ocsp').json()
    assert set(answer) == fields
    assert answer['error_code'] == 'ocsp_unsupported_by_capability'
    assert answer.get('status_code', 406) == 406
    assert answer.get('description', answer.get('message')) == 'Not all nodes support OCSP capability'


def test_the_simulator_imports_no_checker_while_the_contract_is_off():
    # ansible-test runs the unit tests without jsonschema, which only the
    # checker of the integration tests needs.
    program = (
        'import sys\n'
        'sys.path.insert(0, %r)\n'
        'import redis_enterprise_sim as simlib\n'
        'cluster = simlib.Cluster()\n'
        "cluster.check_request('PUT', '/v1/ocsp', {'responder_url': 'x'})\n"
        "status, payload = simlib.handle_api(cluster, 'GET', '/v1/ocsp', None, 'admin')\n"
        "cluster.check_answer('GET', '/v1/ocsp', status, payload)\n"
        "print(status, cluster.violations, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'checker')))\n" % os.path.dirname(simlib.__file__))
    done = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == '200 [] []'


# Users, roles and Redis ACLs, as the spec describes them, with the
# simulator's own rules where it says nothing.

USER_MANAGER = (simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)
NEW_USER = {'email': 'new@example.com', 'name': 'New User', 'password': 'N3w-user-pass', 'role_uids': [3]}


def test_a_fresh_cluster_has_the_built_in_roles_and_the_users_who_log_in(api, cluster):
    users = api('GET', '/v1/users').json()
    assert [(u['uid'], u['email'], u['role']) for u in users] == [
        (1, simlib.ADMIN_USER, 'admin'), (2, simlib.UTF8_ADMIN_USER, 'admin'), (3, simlib.VIEWER_USER, 'cluster_viewer'),
        (4, simlib.USER_MANAGER_USER, 'user_manager')]
    assert all('password' not in u and u['status'] == 'active' for u in users)
    roles = api('GET', '/v1/roles', user=VIEWER).json()
    assert [(r['name'], r['management']) for r in roles][0] == ('Admin', 'admin')
    assert {r['management'] for r in roles} == set(simlib.MANAGEMENT) - {'none'}
    assert [a['name'] for a in api('GET', '/v1/redis_acls', user=VIEWER).json()] == [
        'Full Access', 'Not Dangerous', 'Read Only']


@pytest.mark.parametrize('body, status, code', [
    (dict(NEW_USER, password='short1'), 400, 'password_not_complex'),
    (dict(NEW_USER, password='no-digits-here'), 400, 'password_not_complex'),
    (dict(NEW_USER, name='A <b>'), 400, 'invalid_schema'),
    (dict(NEW_USER, email='not an email'), 400, 'invalid_schema'),
    (dict(NEW_USER, auth_method='kerberos'), 400, 'invalid_schema'),
    (dict(NEW_USER, status='locked'), 400, 'invalid_schema'),
    (dict(NEW_USER, role_uids=[99]), 400, 'role_not_found'),
    (dict(NEW_USER, email_alerts='yes'), 400, 'invalid_schema'),
    (dict(NEW_USER, email=simlib.VIEWER_USER), 409, 'user_already_exists'),
    (dict(NEW_USER, name='Viewer'), 409, 'user_already_exists'),
])
def test_a_user_the_cluster_refuses_is_refused_in_a_dry_run_too(api, cluster, body, status, code):
    for query in ('?dry_run=true', ''):
        answer = api('POST', '/v1/users' + query, json=body)
        assert (answer.status_code, answer.json()['error_code']) == (status, code)
        assert body['password'] not in answer.text
    assert cluster.user(body['email']) is None or body['email'] == simlib.VIEWER_USER


def test_a_dry_run_answers_what_it_would_and_changes_nothing(api, cluster):
    answer = api('POST', '/v1/users?dry_run=true', json=NEW_USER)
    assert answer.status_code == 200 and answer.json()['email'] == NEW_USER['email']
    assert 'password' not in answer.json() and cluster.user(NEW_USER['email']) is None
    created = api('POST', '/v1/users', json=NEW_USER).json()
    assert cluster.user(NEW_USER['email'])['password'] == NEW_USER['password']
    assert api('PUT', '/v1/users/%d?dry_run' % created['uid'], json={'name': 'Renamed'}).json()['name'] == 'Renamed'
    assert cluster.user(NEW_USER['email'])['name'] == 'New User'
    assert cluster.calls(query=True)[-1] == ('PUT', '/v1/users/%d?dry_run' % created['uid'])
    role = api('POST', '/v1/roles', json={'name': 'Support', 'management': 'db_viewer'}).json()
    assert api('DELETE', '/v1/roles/%d?dry_run=true' % role['uid']).status_code == 200
    assert cluster.role('Support') is not None
    # DELETE of a user takes no dry_run: the parameter is ignored, as a cluster may ignore it.
    assert api('DELETE', '/v1/users/%d?dry_run=true' % created['uid']).status_code == 200
    assert cluster.user(NEW_USER['email']) is None


def test_the_permissions_of_the_access_calls(api, cluster):
    assert api('GET', '/v1/users', user=VIEWER).status_code == 403
    assert api('POST', '/v1/users', user=VIEWER, json=NEW_USER).status_code == 403
    created = api('POST', '/v1/users', user=USER_MANAGER, json=NEW_USER)
    assert created.status_code == 200
    assert api('PUT', '/v1/users/%d' % created.json()['uid'], user=USER_MANAGER, json={'name': 'N'}).status_code == 200
    # A user reads and changes itself without the permission, but not its roles.
    assert api('GET', '/v1/users/3', user=VIEWER).status_code == 200
    assert api('PUT', '/v1/users/3', user=VIEWER, json={'name': 'Me'}).status_code == 200
    assert api('PUT', '/v1/users/3', user=VIEWER, json={'role_uids': [1]}).status_code == 403
    assert api('PUT', '/v1/users/1', user=VIEWER, json={'name': 'Not me'}).status_code == 403
    # user_manager has no OCSP permission.
    assert api('GET', '/v1/ocsp', user=USER_MANAGER).status_code == 403


def test_roles_and_redis_acls(api, cluster):
    assert api('PUT', '/v1/roles/1', json={'management': 'db_viewer'}).json()['error_code'] == 'builtin_role'
    role = api('POST', '/v1/roles', json={'name': 'DBA', 'management': 'db_member'}).json()
    assert api('POST', '/v1/roles', json={'name': 'DBA', 'management': 'db_viewer'}).status_code == 409
    assert api('POST', '/v1/roles', json={'name': 'D<B>A', 'management': 'db_viewer'}).status_code == 400
    api('POST', '/v1/users', json=dict(NEW_USER, role_uids=[role['uid']]))
    held = api('DELETE', '/v1/roles/%d' % role['uid'])
    assert (held.status_code, held.json()['error_code']) == (406, 'role_in_use')
    for rule in ('', '+@read ~* >secret', '+@nosuchcategory', 'allkeys sometimes', '+GET'):
        answer = api('POST', '/v1/redis_acls?dry_run=true', json={'name': 'Cache', 'acl': rule})
        assert (answer.status_code, answer.json()['error_code']) == (400, 'invalid_acl'), rule
    good = '+@read +@write -flushdb +config|get ~cache:* %R~ro:* &events allchannels'
    acl = api('POST', '/v1/redis_acls', json={'name': 'Cache', 'acl': good}).json()
    assert acl['acl'] == good and acl['min_version'] == '6.0'
    assert api('PUT', '/v1/redis_acls/%d' % acl['uid'], json={'min_version': '7.0'}).status_code == 400
    assert api('DELETE', '/v1/redis_acls/%d' % acl['uid']).json()['action_uid']
    assert cluster.acl('Cache') is None

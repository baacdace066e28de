# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The REST layer against the simulator over real HTTPS on loopback."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import time
import warnings
from urllib.parse import urlsplit

import pytest
import requests
import trustme

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _api, _contract, _engine
from ansible_collections.redis.enterprise.plugins.module_utils._api import Client, RedisEnterpriseError


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    # The count of tries is what these tests check; test_backoff_schedule checks the waits.
    monkeypatch.setattr(_api, 'BACKOFF_FACTOR', 0)


@pytest.fixture
def client(simulator, sim_url):
    return Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=simulator.ca_path, timeout=5)


def failure(call, *args):
    with pytest.raises(RedisEnterpriseError) as info:
        call(*args)
    return info.value


def test_get_returns_the_object_with_basic_auth_and_json(client, cluster):
    assert client.get('/v1/ocsp') == dict(simlib.DEFAULT_CONFIG, responder_url=simlib.RESPONDER_URL)
    assert cluster.log[-1]['user_known'] is True


def test_put_sends_json(client, cluster):
    answer = client.put('/v1/ocsp', {'query_frequency': 7200})
    assert answer['query_frequency'] == 7200
    assert cluster.config['query_frequency'] == 7200


@pytest.mark.parametrize('storm, tries, ok', [(3, 4, True), (4, 4, False)])
@pytest.mark.parametrize('status', [502, 503, 504])
def test_retries_on_gateway_statuses_are_bounded(client, cluster, storm, tries, ok, status):
    cluster.update({'faults': {'fail_next': {'count': storm, 'status': status}}})
    if ok:
        assert client.get('/v1/ocsp')['query_frequency'] == 3600
    else:
        error = failure(client.get, '/v1/ocsp')
        assert error.http_status == status
        assert 'HTTP %d 4 times in a row' % status in error.msg
    assert cluster.count('GET') == tries


def test_post_is_not_retried(client, cluster):
    cluster.update({'faults': {'fail_next': {'count': 1, 'status': 503}}})
    error = failure(client.post, '/v1/ocsp/test')
    assert error.http_status == 503
    assert cluster.count('POST') == 1


def test_a_post_the_cluster_dropped_is_not_sent_again(client, cluster):
    # It reached the cluster: sending it twice could test the certificate twice.
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'POST'}}})
    error = failure(client.post, '/v1/ocsp/test')
    assert 'closed without an answer to POST /v1/ocsp/test' in error.msg
    assert 'The cluster may or may not have applied the POST.' in error.msg
    assert [(r['method'], r['status']) for r in cluster.log] == [('POST', 'dropped')]


@pytest.mark.parametrize('method', ['GET', 'PUT', 'POST'])
def test_a_refused_connection_is_tried_four_times_for_every_method(method, monkeypatch):
    # Nothing reached the cluster, so even a POST may be tried again. Nothing
    # listens to log the tries: urllib3's waits between them count them.
    waits = []
    monkeypatch.setattr(_api, 'BACKOFF_FACTOR', 0.5)
    monkeypatch.setattr(time, 'sleep', waits.append)
    client = Client('https://127.0.0.1:%d' % closed_port(), simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)
    error = failure(client.request, method, '/v1/ocsp', {} if method == 'PUT' else None)
    assert 'Connection refused' in error.msg
    assert waits == [1.0, 2.0]


def test_dropped_connection_is_retried(client, cluster):
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'GET'}}})
    assert client.get('/v1/ocsp')['recovery_max_tries'] == 5
    assert [r['status'] for r in cluster.log] == ['dropped', 200]


def test_401_says_check_credentials(simulator, sim_url, cluster):
    bad = Client(sim_url, simlib.ADMIN_USER, 'wrong-password', ca_path=simulator.ca_path)
    error = failure(bad.get, '/v1/ocsp')
    assert error.http_status == 401
    assert 'check username and password' in error.msg


@pytest.mark.parametrize('holders, said', [
    (('admin',), 'it needs the config_ocsp permission, which only the built-in admin role has. Use an admin user.'),
    (('admin', 'user_manager'), 'it needs the config_ocsp permission, which the built-in roles admin and '
     'user_manager have. Use a user of one of them.'),
    (('admin', 'db_viewer', 'user_manager'), 'which the built-in roles admin, db_viewer and user_manager have.'),
    (None, 'it needs the config_ocsp permission. Use a user whose role has it.'),
])
def test_403_names_the_permission_and_the_roles_that_hold_it(simulator, sim_url, cluster, holders, said):
    viewer = Client(sim_url, simlib.VIEWER_USER, simlib.VIEWER_PASSWORD, ca_path=simulator.ca_path)
    error = failure(viewer.request, 'PUT', '/v1/ocsp', {}, 'config_ocsp', None, None, False, None, False, holders)
    assert (error.http_status, error.error_code) == (403, 'insufficient_permissions')
    assert error.msg.startswith('User viewer@example.com may not PUT /v1/ocsp (HTTP 403): it needs the config_ocsp')
    assert said in error.msg


def test_404_says_not_a_rest_api(client):
    error = failure(client.get, '/v1/nothing')
    assert error.http_status == 404
    assert 'not point at a Redis Enterprise REST API' in error.msg


def test_406_capability(client, cluster):
    cluster.update({'faults': {'capability_406': True}})
    error = failure(client.get, '/v1/ocsp')
    assert (error.http_status, error.error_code) == (406, 'ocsp_unsupported_by_capability')
    assert 'Not all nodes' in error.msg


def test_400_carries_the_cluster_code_and_message(client):
    error = failure(client.put, '/v1/ocsp', {'query_frequency': 5})
    assert (error.http_status, error.error_code) == (400, 'invalid_schema')
    assert 'query_frequency must be an integer between 60 and 86400' in error.msg


def test_non_json_body(client, cluster):
    cluster.update({'faults': {'non_json_next': 1}})
    error = failure(client.get, '/v1/ocsp')
    assert error.http_status == 200
    assert 'is not JSON' in error.msg and 'text/html' in error.msg


def test_json_that_is_not_an_object(client, cluster):
    cluster.update({'faults': {'raw_next': {'count': 1, 'body': '[1, 2]'}}})
    assert 'not a JSON object' in failure(client.get, '/v1/ocsp').msg


def test_body_is_read_only_up_to_a_bound(client, cluster, monkeypatch):
    monkeypatch.setattr(_api, 'MAX_BODY_BYTES', 1000)
    cluster.update({'faults': {'raw_next': {'count': 1, 'body': '{"x": "%s"}' % ('a' * 5000)}}})
    assert 'larger than 1000 bytes' in failure(client.get, '/v1/ocsp').msg


def test_a_call_that_declares_its_answer_size_reads_that_much_and_others_the_default(client, cluster, monkeypatch):
    api = _engine.Api(client, _engine.Resource(), {})
    # A thousand databases answer GET /v1/bdbs with more than the default allows.
    cluster.update({'bdbs': {'count': 1000}})
    found = api.get('/v1/bdbs')
    body = json.dumps(found)
    assert len(found) == 1000 and len(body) > _api.MAX_BODY_BYTES
    assert _contract.max_bytes('GET', '/v1/bdbs') >= 16 * _api.MAX_BODY_BYTES
    # As large an answer to a call that declares nothing, one database's among them, is refused.
    for path in ('/v1/bdbs/1', '/v1/ocsp'):
        cluster.update({'faults': {'raw_next': {'count': 1, 'path': path, 'body': body}}})
        error = failure(api.get, path)
        assert error.msg == ('The answer to GET %s is larger than %d bytes, far more than this API sends; stopped '
                             'reading it.' % (path, _api.MAX_BODY_BYTES))
    # The declared size is the one read up to.
    monkeypatch.setitem(_contract.ENDPOINTS[('GET', '/v1/bdbs')], 'max_bytes', 100000)
    assert 'The answer to GET /v1/bdbs is larger than 100000 bytes' in failure(api.get, '/v1/bdbs').msg


@pytest.mark.parametrize('method, tries', [('GET', 2), ('PUT', 2), ('POST', 1)])
def test_a_timeout_says_it_applies_to_each_try_and_how_many_there_were(simulator, sim_url, cluster, method, tries):
    cluster.update({'faults': {'delay': 1.0}})
    slow = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=simulator.ca_path, timeout=0.2)
    error = failure(slow.request, method, '/v1/ocsp', {} if method != 'GET' else None)
    assert 'within the timeout of 0.2 seconds, which applies to each try (' in error.msg
    # A read that timed out is tried once more (READ_RETRIES); a POST never.
    assert ('%d tries, with backoff between them' % tries if tries > 1 else 'this call was tried once') in error.msg
    assert cluster.count(method) == tries
    assert error.option == 'timeout'


def test_a_read_timeout_of_its_own_lets_a_slow_call_finish(simulator, sim_url, cluster):
    cluster.update({'config': {'ocsp_functionality': True}, 'faults': {'test_delay': 0.6}})
    client = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=simulator.ca_path, timeout=0.2)
    assert client.post('/v1/ocsp/test', read_timeout=3)['cert_status'] == 'GOOD'
    error = failure(client.post, '/v1/ocsp/test')
    assert 'within the timeout of 0.2 seconds' in error.msg
    # The cluster finishes the test it was given, then logs it: not in the next test's log.
    deadline = time.time() + 10
    while cluster.count('POST') < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert cluster.count('POST') == 2


def test_the_cluster_said_ends_as_a_sentence(client, cluster):
    cluster.update({'faults': {'fail_next': {'count': 4, 'status': 503}}})
    error = failure(client.get, '/v1/ocsp')
    # The simulator's message has no stop of its own.
    assert 'The cluster said: The node is not responding. Check the cluster nodes' in error.msg


def test_plain_http_to_the_https_port_says_to_use_https(sim_url, cluster):
    plain = sim_url.replace('https://', 'http://')
    error = failure(Client(plain, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, timeout=5).get, '/v1/ocsp')
    assert 'The url uses http://, and the REST API answers HTTPS (on port 9443 by default): use %s.' % sim_url \
        in error.msg
    assert 'closed without an answer' in error.msg


@pytest.mark.parametrize('user, password', [
    (simlib.UTF8_ADMIN_USER, simlib.UTF8_ADMIN_PASSWORD),
    # Latin-1 holds these, and UTF-8 sends them otherwise: the same rule.
    ('latin@example.com', 'Pässwörd'),
])
def test_credentials_are_sent_as_utf8(simulator, sim_url, cluster, user, password, monkeypatch):
    monkeypatch.setitem(simulator.servers[0].users, user, (password, 'admin'))
    client = Client(sim_url, user, password, ca_path=simulator.ca_path, timeout=5)
    assert client.get('/v1/ocsp')['query_frequency'] == 3600
    assert cluster.log[-1]['user_known'] is True


@pytest.mark.parametrize('name, user, password, needle', [
    ('password', 'admin@example.com', 'bad\udcff', 'password is not valid text'),
    ('username', 'adm\udce9n@example.com', 'p', 'username is not valid text'),
    ('username', 'admin:root@example.com', 'p', 'username must not contain a colon'),
])
def test_credentials_that_are_not_text_are_refused_unechoed(sim_url, cluster, name, user, password, needle):
    error = failure(Client, sim_url, user, password)
    assert needle in error.msg and error.option == name
    assert 'udc' not in error.msg and '\udcff' not in error.msg and 'root' not in error.msg
    assert cluster.count() == 0


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_connection_refused():
    error = failure(Client('https://127.0.0.1:%d' % closed_port(), 'a', 'b').get, '/v1/ocsp')
    assert 'Connection refused' in error.msg and 'Cannot reach' in error.msg


def test_tls_failure_says_how_to_pass_ca_path(sim_url):
    error = failure(Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD).get, '/v1/ocsp')
    assert 'TLS verification' in error.msg and 'ca_path' in error.msg


CA_VARIABLES = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR']
REQUESTS_VARIABLES = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']


@pytest.fixture
def wrong_ca(tmp_path):
    """A CA file (and directory) that did not sign the simulator's certificate."""
    path = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def clean_ca_environment(monkeypatch):
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def ca_directory(pem, directory, url=None):
    """A directory in OpenSSL's SSL_CERT_DIR form holding the CA of pem;
    with url, checked to serve a TLS handshake with that server first."""
    directory.mkdir()
    shutil.copy(str(pem), str(directory / 'ca.pem'))
    subprocess.run(['openssl', 'rehash', str(directory)], check=True, capture_output=True)
    if url:
        context = ssl.create_default_context(capath=str(directory))
        with socket.create_connection(('127.0.0.1', urlsplit(url).port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname='127.0.0.1'):
                pass
    return str(directory)


def ca_value(variable, pem, tmp_path, url=None):
    # SSL_CERT_DIR names a directory of hashed names; the others a file.
    if variable == 'SSL_CERT_DIR':
        return ca_directory(pem, tmp_path / 'certs', url)
    return str(pem)


@pytest.mark.parametrize('variable', CA_VARIABLES)
def test_ca_path_wins_over_a_ca_variable_naming_another_ca(simulator, sim_url, cluster, monkeypatch, tmp_path,
                                                           clean_ca_environment, wrong_ca, variable):
    monkeypatch.setenv(variable, ca_value(variable, wrong_ca, tmp_path))
    good = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=simulator.ca_path)
    assert good.get('/v1/ocsp')['query_frequency'] == 3600


@pytest.mark.parametrize('variable', CA_VARIABLES)
def test_a_wrong_ca_path_fails_whatever_ca_variable_names_the_right_ca(simulator, sim_url, cluster, monkeypatch,
                                                                       tmp_path, clean_ca_environment, wrong_ca,
                                                                       variable):
    monkeypatch.setenv(variable, ca_value(variable, simulator.ca_path, tmp_path, sim_url))
    wrong = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=str(wrong_ca))
    error = failure(wrong.get, '/v1/ocsp')
    assert 'TLS verification of %s failed' % sim_url in error.msg
    assert cluster.count() == 0


@pytest.mark.parametrize('variable', REQUESTS_VARIABLES)
def test_without_ca_path_requests_variables_name_the_ca(simulator, sim_url, cluster, monkeypatch,
                                                        clean_ca_environment, variable):
    monkeypatch.setenv(variable, simulator.ca_path)
    trusting = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)
    assert trusting.get('/v1/ocsp')['query_frequency'] == 3600
    assert trusting.warnings == []


@pytest.mark.parametrize('variable', REQUESTS_VARIABLES)
def test_without_ca_path_a_requests_variable_naming_another_ca_fails(sim_url, cluster, monkeypatch,
                                                                     clean_ca_environment, wrong_ca, variable):
    monkeypatch.setenv(variable, str(wrong_ca))
    error = failure(Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD).get, '/v1/ocsp')
    assert 'TLS verification' in error.msg
    assert cluster.count() == 0


@pytest.mark.parametrize('variable', ['SSL_CERT_FILE', 'SSL_CERT_DIR'])
def test_without_ca_path_certifi_decides_not_openssl_variables(simulator, sim_url, cluster, monkeypatch, tmp_path,
                                                               clean_ca_environment, variable):
    # requests verifies against certifi's bundle, which OpenSSL's variables
    # do not change: naming the cluster's CA there does not make it trusted.
    monkeypatch.setenv(variable, ca_value(variable, simulator.ca_path, tmp_path, sim_url))
    error = failure(Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD).get, '/v1/ocsp')
    assert 'TLS verification' in error.msg
    assert cluster.count() == 0


@pytest.mark.parametrize('variable', CA_VARIABLES)
def test_validate_certs_false_wins_over_ca_variables(sim_url, cluster, monkeypatch, clean_ca_environment, tmp_path,
                                                     variable):
    monkeypatch.setenv(variable, str(tmp_path / 'missing.pem'))
    unverified = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, validate_certs=False)
    assert unverified.get('/v1/ocsp')['query_frequency'] == 3600
    assert 'not verified' in unverified.warnings[0]


def test_an_unverified_call_warns_once_in_the_result_and_leaves_the_process_filters_alone(sim_url, cluster):
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter('always')
        filters = list(warnings.filters)
        unverified = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, validate_certs=False)
        assert unverified.get('/v1/ocsp')['query_frequency'] == 3600
        # On the direct path this process is ansible's worker: nothing global changes.
        assert warnings.filters == filters
    assert [str(w.message) for w in shown] == []
    assert len(unverified.warnings) == 1


def test_validate_certs_false_with_ca_path_verifies_and_says_so(simulator, sim_url, cluster, tmp_path, wrong_ca):
    verified = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, validate_certs=False,
                      ca_path=simulator.ca_path)
    assert verified.get('/v1/ocsp')['query_frequency'] == 3600
    assert verified.warnings == [
        "validate_certs is false, but ca_path is set (by the option or REDIS_ENTERPRISE_CA_PATH): the cluster's "
        'certificate is verified against ca_path all the same. Drop validate_certs: false, which has no effect here.']
    # Verified indeed: a ca_path of another CA fails, validate_certs false or not.
    error = failure(Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, validate_certs=False,
                           ca_path=str(wrong_ca)).get, '/v1/ocsp')
    assert 'TLS verification of %s failed' % sim_url in error.msg
    assert cluster.count() == 1


def test_ca_path_with_a_broken_certificate_is_a_clear_error(sim_url, cluster, tmp_path):
    broken = tmp_path / 'broken.pem'
    broken.write_text('-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n')
    error = failure(Client, sim_url, 'a', 'b', True, str(broken))
    assert 'holds no certificate that can be loaded' in error.msg
    assert cluster.count() == 0


def test_missing_ca_path_file_is_a_clear_error(sim_url, tmp_path):
    error = failure(Client, sim_url, 'a', 'b', True, str(tmp_path / 'nope.pem'))
    assert 'is not a readable file' in error.msg


@pytest.mark.parametrize('url, needle', [
    ('cluster.example.com:9443', 'with its scheme'),
    ('https://cluster.example.com:9443/v1/ocsp', 'without a path'),
    ('https://admin:hunter2@cluster.example.com:9443', 'must not contain a user name or password'),
    ('admin:hunter2@cluster.example.com:9443', 'must not contain a user name or password'),
])
def test_bad_urls(url, needle):
    error = failure(_api.parse_url, url)
    assert needle in error.msg
    assert 'hunter2' not in error.msg


@pytest.mark.parametrize('url', ['https://cluster.example.com:94x3', 'https://cluster.example.com:99999',
                                 'https://cluster.example.com:0'])
def test_a_port_that_is_no_port_is_a_clear_error(url):
    error = failure(_api.parse_url, url)
    assert 'port number from 1 to 65535' in error.msg


def test_trailing_slash_is_fine():
    assert _api.parse_url('https://cluster.example.com:9443/') == 'https://cluster.example.com:9443'


@pytest.mark.parametrize('timeout', [0, -1, float('nan'), float('inf'), 1e400, 86401])
def test_a_timeout_that_is_no_wait_is_a_clear_error(sim_url, cluster, timeout):
    error = failure(Client, sim_url, 'a', 'b', True, None, timeout)
    assert 'timeout must be a number of seconds greater than 0 and at most 86400' in error.msg
    assert cluster.count() == 0


def test_missing_credentials(sim_url):
    error = failure(Client, sim_url, None, None)
    assert 'REDIS_ENTERPRISE_USERNAME' in error.msg


def test_redirects_are_not_followed(client, cluster):
    cluster.update({'faults': {'raw_next': {'count': 1, 'status': 302, 'body': ''}}})
    error = failure(client.get, '/v1/ocsp')
    assert error.http_status == 302 and 'not followed' in error.msg
    assert cluster.count() == 1


def test_get_and_put_share_one_connection(client, cluster):
    client.get('/v1/ocsp')
    client.put('/v1/ocsp', {'query_frequency': 7200})
    assert [r['method'] for r in cluster.log] == ['GET', 'PUT']
    assert cluster.log[0]['client_port'] == cluster.log[1]['client_port']


def test_a_connection_the_cluster_closed_is_not_reused(client, cluster):
    cluster.update({'faults': {'close_after_next': {'count': 1, 'method': 'GET'}}})
    client.get('/v1/ocsp')
    # Once the cluster has closed it (a PUT sent in the instant before would
    # meet a closed connection, as with any keep-alive client).
    deadline = time.time() + 5
    while not cluster.log[0].get('closed') and time.time() < deadline:
        time.sleep(0.01)
    client.put('/v1/ocsp', {'query_frequency': 7200})
    assert [(r['method'], r['status']) for r in cluster.log] == [('GET', 200), ('PUT', 200)]
    assert cluster.log[0]['client_port'] != cluster.log[1]['client_port']


def test_headers_on_the_wire(client, cluster):
    client.get('/v1/ocsp')
    client.put('/v1/ocsp', {'query_frequency': 7200})
    client.post('/v1/ocsp/test')
    # What the simulator received, as the API reference asks for it.
    assert [entry['headers'] for entry in cluster.log] == [
        {'Accept': 'application/json', 'Content-Type': None, 'User-Agent': _api.USER_AGENT},
        {'Accept': 'application/json', 'Content-Type': 'application/json', 'User-Agent': _api.USER_AGENT},
        {'Accept': 'application/json', 'Content-Type': None, 'User-Agent': _api.USER_AGENT},
    ]
    assert all(entry['user_known'] for entry in cluster.log)


def test_retries_are_urllib3_retry_with_the_documented_budget(client):
    adapter = client.session.get_adapter(client.base_url)
    retry = adapter.max_retries
    assert retry is client.retry
    assert (retry.total, retry.connect, retry.read, retry.status, retry.other, retry.redirect) == (3, 3, 1, 3, 0, 0)
    assert set(retry.allowed_methods) == {'GET', 'PUT'}
    assert set(retry.status_forcelist) == {502, 503, 504}
    assert retry.raise_on_status is False and retry.respect_retry_after_header is False


def test_retries_wait_as_urllib3_backoff_says(client, cluster, monkeypatch):
    # No wait after the first failure, then 0.5 * 2 ** (failures - 1) seconds.
    waits = []
    monkeypatch.setattr(_api, 'BACKOFF_FACTOR', 0.5)
    monkeypatch.setattr(time, 'sleep', waits.append)
    slow = Client(client.base_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=client.verify)
    cluster.update({'faults': {'fail_next': {'count': 3, 'status': 503}}})
    assert slow.get('/v1/ocsp')['query_frequency'] == 3600
    assert waits == [1.0, 2.0]
    assert cluster.count('GET') == 4


def test_a_drop_then_gateway_errors_share_one_budget(client, cluster):
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'GET'},
                               'fail_next': {'count': 5, 'status': 502}}})
    error = failure(client.get, '/v1/ocsp')
    # 4 tries in all; the message counts the 502s in a row, not the drop.
    assert cluster.count('GET') == 4
    assert 'HTTP 502 3 times in a row' in error.msg


def test_a_connection_closed_under_tls_is_retried_as_a_reset(client):
    """A kept-alive connection the cluster closes in the instant it is reused
    ends in an unexpected TLS EOF rather than a reset: a PUT sent then is
    sent again on a new connection, and a certificate that fails
    verification is not retried."""
    import urllib3

    eof = urllib3.exceptions.SSLError(ssl.SSLEOFError(8, 'EOF occurred in violation of protocol (_ssl.c:2406)'))
    again = client.retry.increment('PUT', '/v1/ocsp', error=eof)
    assert (again.read, again.total) == (client.retry.read - 1, client.retry.total - 1)
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        again.increment('PUT', '/v1/ocsp', error=eof)
    refused = urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(1, 'certificate verify failed'))
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        client.retry.increment('PUT', '/v1/ocsp', error=refused)
    # When it persists, the message says what happened, not that verification failed.
    error = requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, '/v1/ocsp', eof))
    msg = str(client._failed(error, client.base_url + '/v1/ocsp', 'PUT /v1/ocsp', 'PUT', 30))
    assert msg.startswith('The connection to %s closed without an answer to PUT /v1/ocsp' % client.base_url), msg
    assert 'TLS verification' not in msg and 'may or may not have applied the PUT' in msg


@pytest.mark.parametrize('version, too_old', [('1.25.11', True), ('1.21.1', True), ('1.26.0', False),
                                              ('2.8.0', False), ('2.0.0a1', False), ('dev', False)])
def test_a_urllib3_older_than_the_floor_is_named_with_its_version(monkeypatch, version, too_old):
    monkeypatch.setattr(_api.urllib3, '__version__', version)
    message = _api.urllib3_too_old()
    assert (message is not None) is too_old
    assert (_api.missing_library() is not None) is too_old
    if too_old:
        assert 'it has version %s (' % version in message and "pip install 'urllib3>=1.26'" in message
        assert _api.missing_library() == ('urllib3 1.26 or later', message)

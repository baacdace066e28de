# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The REST layer through a proxy named by the environment, as requests
takes it (https_proxy, http_proxy, all_proxy, no_proxy), against the
simulator and its proxy over real HTTPS on loopback."""

from __future__ import annotations

import base64
import importlib.util
import socket
import time
from urllib.parse import urlsplit

import pytest
import trustme

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _api
from ansible_collections.redis.enterprise.plugins.module_utils._api import Client, RedisEnterpriseError

PROXY_VARIABLES = ('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY',
                   'no_proxy', 'NO_PROXY')
PROXY_USER = 'proxy-user'
PROXY_PASSWORD = 'Pr0xy-S3cret-b41d'
# Characters a proxy URL must percent-encode: they arrive decoded.
ODD_PROXY_USER = 'corp\\ansible@example.com'
ODD_PROXY_PASSWORD = 'p@ss:w/rd%20 #?-S3cret'


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch):
    # The host's own proxy settings must not decide any of these tests.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(_api, 'BACKOFF_FACTOR', 0)


@pytest.fixture
def proxy():
    with simlib.ConnectProxy() as running:
        yield running


@pytest.fixture
def other_proxy():
    with simlib.ConnectProxy() as running:
        yield running


@pytest.fixture
def refusing_proxy():
    """A proxy that answers 403 to every CONNECT: reaching it fails the test's call."""
    with simlib.ConnectProxy(deny=True) as running:
        yield running


@pytest.fixture
def tls_proxy(simulator):
    """An https:// proxy whose certificate the simulator's CA signed."""
    with simlib.ConnectProxy(ssl_context=simulator.certs.context()) as running:
        yield running


@pytest.fixture
def auth_proxy():
    with simlib.ConnectProxy(credentials=(PROXY_USER, PROXY_PASSWORD)) as running:
        yield running


@pytest.fixture(scope='module')
def plain_simulator(tmp_path_factory):
    """A cluster served over plain http://."""
    with simlib.Simulator(str(tmp_path_factory.mktemp('plain-sim')), tls=False) as sim:
        yield sim


def target(url):
    """host:port of a url, as a CONNECT names it."""
    return urlsplit(url).netloc


def client_for(simulator, url, **kwargs):
    kwargs.setdefault('ca_path', simulator.ca_path)
    return Client(url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, timeout=5, **kwargs)


def failure(call, *args):
    with pytest.raises(RedisEnterpriseError) as info:
        call(*args)
    return info.value


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def basic(user, password):
    return 'Basic %s' % base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')


def test_get_and_put_go_through_https_proxy(simulator, sim_url, cluster, proxy, monkeypatch):
    monkeypatch.setenv('https_proxy', proxy.url)
    client = client_for(simulator, sim_url)
    assert client.get('/v1/ocsp')['query_frequency'] == 3600
    assert client.put('/v1/ocsp', {'query_frequency': 7200})['query_frequency'] == 7200
    assert cluster.config['query_frequency'] == 7200
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]
    # One tunnel, kept alive for both calls; the cluster's client was the proxy.
    assert proxy.targets() == [target(sim_url)]
    tunnel = proxy.log[0]
    assert (tunnel['method'], tunnel['status'], tunnel['proxy_authorization']) == ('CONNECT', 200, None)
    assert [r['client_port'] for r in cluster.log] == [tunnel['upstream_port']] * 2
    assert tunnel['bytes_up'] > 0 and tunnel['bytes_down'] > 0
    # TLS runs end to end: the proxy relayed a handshake, never the request or the password.
    assert tunnel['sent'].startswith(b'\x16\x03')
    for clear in (b'/v1/ocsp', b'Authorization', simlib.ADMIN_PASSWORD.encode(),
                  base64.b64encode(('%s:%s' % (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)).encode())):
        assert clear not in tunnel['sent']


def test_an_https_proxy_carries_the_tunnel_inside_its_own_tls(simulator, sim_url, cluster, tls_proxy, monkeypatch):
    monkeypatch.setenv('https_proxy', tls_proxy.url)
    client = client_for(simulator, sim_url)
    assert client.put('/v1/ocsp', {'response_timeout': 9})['response_timeout'] == 9
    assert [(t['method'], t['target'], t['status']) for t in tls_proxy.log] == [('CONNECT', target(sim_url), 200)]
    assert cluster.log[0]['client_port'] == tls_proxy.log[0]['upstream_port']


def test_an_https_proxy_with_an_unknown_certificate_is_a_tls_failure(simulator, sim_url, cluster, monkeypatch):
    other = trustme.CA().issue_cert('127.0.0.1')
    context = simlib.ssl.create_default_context(simlib.ssl.Purpose.CLIENT_AUTH)
    other.configure_cert(context)
    with simlib.ConnectProxy(ssl_context=context) as untrusted:
        monkeypatch.setenv('https_proxy', untrusted.url)
        error = failure(client_for(simulator, sim_url).get, '/v1/ocsp')
    assert error.msg.startswith('TLS verification of the proxy 127.0.0.1:'), error.msg
    assert 'CERTIFICATE_VERIFY_FAILED' in error.msg and 'ca_path' in error.msg
    assert cluster.count() == 0


def test_the_cluster_certificate_is_still_verified_through_the_proxy(simulator, sim_url, cluster, proxy,
                                                                     monkeypatch, tmp_path):
    monkeypatch.setenv('https_proxy', proxy.url)
    wrong = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(wrong))
    error = failure(client_for(simulator, sim_url, ca_path=str(wrong)).get, '/v1/ocsp')
    assert 'TLS verification of %s failed' % sim_url in error.msg
    assert proxy.targets() == [target(sim_url)]
    assert cluster.count() == 0


def test_upper_case_https_proxy_is_used(simulator, sim_url, cluster, proxy, monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', proxy.url)
    assert client_for(simulator, sim_url).get('/v1/ocsp')['recovery_max_tries'] == 5
    assert proxy.targets() == [target(sim_url)]
    assert cluster.calls() == [('GET', '/v1/ocsp')]


@pytest.mark.parametrize('order', [('HTTPS_PROXY', 'https_proxy'), ('https_proxy', 'HTTPS_PROXY')])
def test_lower_case_wins_over_upper_case(simulator, sim_url, cluster, proxy, other_proxy, monkeypatch, order):
    urls = {'https_proxy': proxy.url, 'HTTPS_PROXY': other_proxy.url}
    # Whichever was set first: the environment's order must not decide.
    for name in order:
        monkeypatch.setenv(name, urls[name])
    client_for(simulator, sim_url).get('/v1/ocsp')
    assert proxy.targets() == [target(sim_url)]
    assert other_proxy.log == []


def test_all_proxy_serves_when_https_proxy_is_unset(simulator, sim_url, cluster, proxy, monkeypatch):
    monkeypatch.setenv('ALL_PROXY', proxy.url)
    client_for(simulator, sim_url).get('/v1/ocsp')
    assert proxy.targets() == [target(sim_url)]


def test_https_proxy_wins_over_all_proxy(simulator, sim_url, cluster, proxy, refusing_proxy, monkeypatch):
    monkeypatch.setenv('all_proxy', refusing_proxy.url)
    monkeypatch.setenv('https_proxy', proxy.url)
    client_for(simulator, sim_url).get('/v1/ocsp')
    assert proxy.targets() == [target(sim_url)]
    assert refusing_proxy.log == []


def test_http_proxy_is_not_used_for_an_https_url(simulator, sim_url, cluster, refusing_proxy, monkeypatch):
    monkeypatch.setenv('http_proxy', refusing_proxy.url)
    assert client_for(simulator, sim_url).get('/v1/ocsp')['query_frequency'] == 3600
    assert refusing_proxy.log == []
    assert cluster.calls() == [('GET', '/v1/ocsp')]


def test_an_http_url_goes_through_http_proxy(plain_simulator, proxy, refusing_proxy, monkeypatch):
    plain = plain_simulator.clusters[0]
    plain.reset()
    url = plain_simulator.urls[0]
    monkeypatch.setenv('https_proxy', refusing_proxy.url)
    monkeypatch.setenv('http_proxy', proxy.url)
    client = Client(url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, timeout=5)
    assert client.put('/v1/ocsp', {'response_timeout': 3})['response_timeout'] == 3
    assert plain.calls() == [('PUT', '/v1/ocsp')]
    assert refusing_proxy.log == []
    # Forwarded in clear, as plain http is: what the url's warning is about.
    assert [(t['method'], t['target'], t['status']) for t in proxy.log] == [('PUT', url + '/v1/ocsp', 200)]
    assert b'Authorization: Basic ' in proxy.log[0]['sent']


def test_a_new_tunnel_when_the_cluster_closed_the_connection(simulator, sim_url, cluster, proxy, monkeypatch):
    monkeypatch.setenv('https_proxy', proxy.url)
    cluster.update({'faults': {'close_after_next': {'count': 1, 'method': 'GET'}}})
    client = client_for(simulator, sim_url)
    client.get('/v1/ocsp')
    # Once the proxy has ended the tunnel (a PUT sent in the instant before
    # would meet a closed connection, as with any keep-alive client).
    deadline = time.time() + 5
    while not proxy.log[0]['closed'] and time.time() < deadline:
        time.sleep(0.01)
    client.put('/v1/ocsp', {'query_frequency': 7200})
    assert [(r['method'], r['status']) for r in cluster.log] == [('GET', 200), ('PUT', 200)]
    assert proxy.targets() == [target(sim_url)] * 2
    assert [r['client_port'] for r in cluster.log] == [t['upstream_port'] for t in proxy.log]


@pytest.mark.parametrize('user, password', [(PROXY_USER, PROXY_PASSWORD), (ODD_PROXY_USER, ODD_PROXY_PASSWORD)],
                         ids=['plain', 'percent-encoded'])
def test_proxy_credentials_arrive_as_proxy_authorization(simulator, sim_url, cluster, monkeypatch, user, password):
    with simlib.ConnectProxy(credentials=(user, password)) as proxy:
        monkeypatch.setenv('https_proxy', proxy.url_with(user, password))
        assert client_for(simulator, sim_url).get('/v1/ocsp')['query_frequency'] == 3600
    assert [(t['status'], t['proxy_authorization']) for t in proxy.log] == [(200, basic(user, password))]
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    # Said to the proxy only: never to the cluster, inside the tunnel.
    assert b'Proxy-Authorization' not in proxy.log[0]['sent']


@pytest.mark.parametrize('password', [None, 'Wr0ng-Pr0xy-S3cret-0e2a'], ids=['missing', 'wrong'])
@pytest.mark.parametrize('method', ['GET', 'PUT'])
def test_a_proxy_refusing_the_credentials_is_a_clear_error(simulator, sim_url, cluster, auth_proxy, monkeypatch,
                                                           password, method):
    url = auth_proxy.url if password is None else auth_proxy.url_with(PROXY_USER, password)
    monkeypatch.setenv('https_proxy', url)
    client = client_for(simulator, sim_url)
    error = failure(client.request, method, '/v1/ocsp', {'query_frequency': 7200} if method == 'PUT' else None)
    assert error.msg.startswith('The proxy 127.0.0.1:%d did not open a tunnel to %s for %s /v1/ocsp'
                                % (auth_proxy.server.server_address[1], sim_url, method)), error.msg
    assert '407' in error.msg and 'no_proxy' in error.msg
    for secret in (PROXY_PASSWORD, password or PROXY_PASSWORD, simlib.ADMIN_PASSWORD):
        assert secret not in error.msg
    # Refused once, not retried, and the cluster never heard of it.
    expected = None if password is None else basic(PROXY_USER, password)
    assert [(t['status'], t['proxy_authorization']) for t in auth_proxy.log] == [(407, expected)]
    assert cluster.count() == 0


def test_a_proxy_refusing_the_tunnel_is_a_clear_error(simulator, sim_url, cluster, refusing_proxy, monkeypatch):
    monkeypatch.setenv('https_proxy', refusing_proxy.url)
    error = failure(client_for(simulator, sim_url).get, '/v1/ocsp')
    assert 'did not open a tunnel' in error.msg and '403' in error.msg
    assert [t['status'] for t in refusing_proxy.log] == [403]
    assert cluster.count() == 0


def test_a_cluster_the_proxy_cannot_reach_is_a_clear_error(proxy, monkeypatch):
    monkeypatch.setenv('https_proxy', proxy.url)
    url = 'https://127.0.0.1:%d' % closed_port()
    error = failure(Client(url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, timeout=5).get, '/v1/ocsp')
    assert 'did not open a tunnel to %s' % url in error.msg and '502' in error.msg
    assert [(t['target'], t['status']) for t in proxy.log] == [(target(url), 502)]


def test_a_proxy_that_never_answers_the_connect_is_named(simulator, sim_url, cluster, monkeypatch):
    # It accepts the connection and stays silent: the message names the
    # proxy along with the cluster.
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        monkeypatch.setenv('https_proxy', 'http://127.0.0.1:%d' % port)
        client = Client(sim_url, simlib.ADMIN_USER, simlib.ADMIN_PASSWORD, ca_path=simulator.ca_path, timeout=0.3)
        error = failure(client.get, '/v1/ocsp')
    assert error.msg.startswith('No answer to GET /v1/ocsp from %s through the proxy 127.0.0.1:%d within the '
                                'timeout of 0.3 seconds' % (sim_url, port)), error.msg
    assert 'timed out' in error.msg and 'Check that the cluster and the proxy are up' in error.msg
    assert cluster.count() == 0


def test_an_unreachable_proxy_is_a_clear_error(simulator, sim_url, cluster, monkeypatch):
    port = closed_port()
    monkeypatch.setenv('https_proxy', 'http://%s:%s@127.0.0.1:%d' % (PROXY_USER, PROXY_PASSWORD, port))
    error = failure(client_for(simulator, sim_url).get, '/v1/ocsp')
    assert error.msg.startswith('Cannot reach the proxy 127.0.0.1:%d' % port), error.msg
    assert 'Connection refused' in error.msg and 'no_proxy' in error.msg
    assert PROXY_PASSWORD not in error.msg
    assert cluster.count() == 0


@pytest.mark.parametrize('no_proxy', ['*', '127.0.0.1', '127.0.0.0/8', 'cluster.example.com, 127.0.0.1',
                                      ' example.com , 127.0.0.0/8 '])
@pytest.mark.parametrize('variable', ['no_proxy', 'NO_PROXY'])
def test_no_proxy_bypasses_the_proxy(simulator, sim_url, cluster, refusing_proxy, monkeypatch, no_proxy, variable):
    monkeypatch.setenv('https_proxy', refusing_proxy.url)
    monkeypatch.setenv(variable, no_proxy)
    assert client_for(simulator, sim_url).get('/v1/ocsp')['query_frequency'] == 3600
    assert refusing_proxy.log == []
    assert cluster.calls() == [('GET', '/v1/ocsp')]


@pytest.mark.parametrize('no_proxy', ['localhost', '.localhost', 'localhost:{port}'])
def test_no_proxy_bypasses_the_proxy_for_a_host_name(simulator, sim_url, cluster, refusing_proxy, monkeypatch,
                                                     no_proxy):
    port = urlsplit(sim_url).port
    monkeypatch.setenv('https_proxy', refusing_proxy.url)
    monkeypatch.setenv('no_proxy', no_proxy.format(port=port))
    client = client_for(simulator, 'https://localhost:%d' % port)
    assert client.get('/v1/ocsp')['query_frequency'] == 3600
    assert refusing_proxy.log == []


@pytest.mark.parametrize('no_proxy', ['127.0.0.2', '10.0.0.0/8', 'localhost', '127.0.0.0/32', 'cluster.example.com'])
def test_no_proxy_not_covering_the_cluster_keeps_the_proxy(simulator, sim_url, cluster, proxy, monkeypatch, no_proxy):
    monkeypatch.setenv('https_proxy', proxy.url)
    monkeypatch.setenv('no_proxy', no_proxy)
    client_for(simulator, sim_url).get('/v1/ocsp')
    assert proxy.targets() == [target(sim_url)]
    assert cluster.calls() == [('GET', '/v1/ocsp')]


@pytest.mark.parametrize('scheme', ['socks5', 'socks5h'])
def test_a_socks_proxy_without_pysocks_says_what_to_install(simulator, sim_url, cluster, monkeypatch, scheme):
    # requests takes SOCKS proxies only with PySocks, which the tests'
    # environment does not have (requirements-dev.txt).
    assert importlib.util.find_spec('socks') is None
    monkeypatch.setenv('https_proxy', '%s://%s:%s@127.0.0.1:1080' % (scheme, PROXY_USER, PROXY_PASSWORD))
    error = failure(client_for(simulator, sim_url).get, '/v1/ocsp')
    assert 'is a SOCKS proxy, which needs the PySocks library' in error.msg
    assert 'requests[socks]' in error.msg and 'no_proxy' in error.msg
    assert PROXY_PASSWORD not in error.msg
    assert cluster.count() == 0


@pytest.mark.parametrize('value', ['http://proxy.example.com:99999', 'http://proxy.example.com:31x8',
                                   'ftp://%s:%s@proxy.example.com:21' % (PROXY_USER, PROXY_PASSWORD)])
def test_a_proxy_url_requests_cannot_use_is_a_clear_error(simulator, sim_url, cluster, monkeypatch, value):
    monkeypatch.setenv('https_proxy', value)
    error = failure(client_for(simulator, sim_url).get, '/v1/ocsp')
    assert error.msg.startswith('The proxy that the proxy environment variables name for %s' % sim_url), error.msg
    assert 'no_proxy' in error.msg
    assert value not in error.msg and PROXY_PASSWORD not in error.msg
    assert cluster.count() == 0


def test_a_bad_proxy_variable_the_cluster_does_not_use_is_ignored(simulator, sim_url, cluster, monkeypatch):
    # http_proxy serves http:// urls only; no_proxy covers the cluster from a bad https_proxy.
    monkeypatch.setenv('http_proxy', 'socks5://proxy.example.com:1080')
    assert client_for(simulator, sim_url).get('/v1/ocsp')['query_frequency'] == 3600
    monkeypatch.setenv('https_proxy', 'socks5://proxy.example.com:1080')
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    assert client_for(simulator, sim_url).get('/v1/ocsp')['query_frequency'] == 3600
    assert cluster.calls() == [('GET', '/v1/ocsp')] * 2

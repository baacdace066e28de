# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.ocsp through ansible-playbook, reaching the cluster
through the HTTP proxy that HTTPS_PROXY names."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

import redis_enterprise_sim as simlib
from fault_matrix import DESIRED

# Proxies come from the environment, which each path reads in its own process.
pytestmark = [pytest.mark.both_paths, pytest.mark.core]

# Set by the tests alone: the host's own proxy settings must not reach the runs.
NO_PROXY_ENVIRONMENT = {name: None for name in ('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY',
                                                'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY')}


@pytest.fixture
def proxy():
    with simlib.ConnectProxy() as running:
        yield running


def test_the_module_goes_through_https_proxy_unless_no_proxy(ansible, sim_url, cluster, proxy):
    def run(**environment):
        return ansible(['ansible-playbook', 'ocsp.yml', '-e', json.dumps(DESIRED)],
                       env=dict(NO_PROXY_ENVIRONMENT, HTTPS_PROXY=proxy.url, **environment))

    apply = run()
    assert apply.rc == 0, apply.stdout + apply.stderr
    assert apply.task()['result']['changed'] is True
    assert {k: cluster.config[k] for k in DESIRED} == DESIRED
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]
    # One tunnel to the cluster carried both calls.
    assert proxy.targets() == [urlsplit(sim_url).netloc]
    assert [r['client_port'] for r in cluster.log] == [proxy.log[0]['upstream_port']] * 2

    proxy.clear()
    cluster.log.clear()
    again = run()
    assert again.rc == 0, again.stdout + again.stderr
    assert (again.task()['status'], again.task()['result']['changed']) == ('ok', False)
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    assert proxy.targets() == [urlsplit(sim_url).netloc]

    proxy.clear()
    cluster.log.clear()
    bypass = run(NO_PROXY='127.0.0.1')
    assert bypass.rc == 0, bypass.stdout + bypass.stderr
    assert (bypass.task()['status'], bypass.task()['result']['changed']) == ('ok', False)
    assert cluster.calls() == [('GET', '/v1/ocsp')]
    assert proxy.log == []

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by unit and integration tests: the cluster simulator."""

from __future__ import annotations

import os
import sys

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'simulator'))

import redis_enterprise_sim as simlib  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def simulator(tmp_path_factory):
    """One simulated cluster over HTTPS on loopback for the whole run, whose
    proxy certificate names an OCSP responder, so that stapling can be
    turned on; the tests of a fresh cluster (no responder URL, the
    simulator's default) take it away."""
    with simlib.Simulator(str(tmp_path_factory.mktemp('sim-certs')), responder_url=simlib.RESPONDER_URL) as sim:
        yield sim


@pytest.fixture
def cluster(simulator):
    """The simulated cluster, fresh for each test."""
    state = simulator.clusters[0]
    state.reset()
    return state


@pytest.fixture
def sim_url(simulator, cluster):
    """The URL of the simulated cluster, fresh for each test."""
    return simulator.urls[0]


@pytest.fixture
def api(simulator, sim_url):
    """A call of the simulated cluster's API, as its admin unless user is
    given: api(method, path, user=(email, password), json=...), answered as
    requests answers."""
    def send(method, path, user=(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD), **kwargs):
        return requests.request(method, sim_url + path, auth=user, headers={'Accept': 'application/json'},
                                verify=simulator.ca_path, timeout=5, **kwargs)
    return send

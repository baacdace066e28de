# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fleet: 100 inventory hosts, each its own simulated cluster, at forks 50,
converging twice. A correctness test: no timing is asserted."""

from __future__ import annotations

import os
import resource
import threading
import time

import pytest

import redis_enterprise_sim as simlib
from fault_matrix import DESIRED
from runner import write_inventory

# It depends on ansible-core itself: run on the oldest too (conftest.py).
pytestmark = pytest.mark.core

CLUSTERS = 100
FORKS = 50


def _open_files():
    return len(os.listdir('/proc/self/fd'))


def _settled(baseline, count, seconds=10):
    """count() once it is back to baseline, or its value after seconds: the
    simulator's handler threads end as the module processes hang up."""
    deadline = time.time() + seconds
    while count() > baseline and time.time() < deadline:
        time.sleep(0.1)
    return count()


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    # 100 listening sockets and up to 50 connections at once, in this process.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 1024:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    # Handler threads other tests left winding down may end later: counts
    # below are bounded from above, which is what a leak would break.
    before = threading.active_count()
    with simlib.Simulator(str(tmp_path_factory.mktemp('fleet')), clusters=CLUSTERS) as sim:
        yield sim, before


def test_fleet_converges_twice(fleet, ansible, tmp_path):
    fleet, threads_before = fleet
    # Fresh clusters: the other path's run converged them.
    for cluster in fleet.clusters:
        cluster.reset()
    inventory = write_inventory(tmp_path / 'fleet.yml', dict(
        ('cluster%03d' % index, {'cluster_url': url}) for index, url in enumerate(fleet.urls)), cluster_ca=fleet.ca_path)
    env = {'ANSIBLE_INVENTORY': inventory, 'REDIS_ENTERPRISE_USERNAME': simlib.ADMIN_USER,
           'REDIS_ENTERPRISE_PASSWORD': simlib.ADMIN_PASSWORD}
    files, threads = _open_files(), _settled(threads_before + CLUSTERS, threading.active_count)
    # One serving thread per cluster on top of what ran before, nothing more.
    assert threads <= threads_before + CLUSTERS

    first = ansible(['ansible-playbook', '--forks', str(FORKS), 'faults.yml'], env=env, connection=False, timeout=600)
    assert first.rc == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert len(first.records) == CLUSTERS
    odd = [(r['host'], r['status'], r['result'].get('msg')) for r in first.records
           if not (r['status'] == 'ok' and r['result']['changed'] is True)]
    assert odd == []
    for cluster in fleet.clusters:
        assert [(r['method'], r['status']) for r in cluster.log] == [('GET', 200), ('PUT', 200)], cluster.name
        assert dict(cluster.config, **DESIRED) == cluster.config
        cluster.log.clear()

    second = ansible(['ansible-playbook', '--forks', str(FORKS), 'faults.yml'], env=env, connection=False,
                     timeout=600)
    assert second.rc == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert len(second.records) == CLUSTERS
    odd = [(r['host'], r['status'], r['result'].get('msg')) for r in second.records
           if not (r['status'] == 'ok' and r['result']['changed'] is False)]
    assert odd == []
    assert 'changed=0' in second.stdout and 'changed=1' not in second.stdout
    for cluster in fleet.clusters:
        assert [(r['method'], r['status']) for r in cluster.log] == [('GET', 200)], cluster.name

    # Every connection closed and every handler thread ended: nothing leaks per host.
    assert _settled(threads, threading.active_count) <= threads
    assert _settled(files, _open_files) <= files

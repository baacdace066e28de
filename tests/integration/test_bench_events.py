# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""benchmarks/bench_events.py works: a tiny run of the event source over
three simulated clusters reports its rounds, CPU, memory, requests,
connections and the loop's lag, and writes its section of the page. A
benchmark, not a timed test: no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from runner import ROOT


@pytest.mark.files
def test_bench_events_runs_and_counts_requests(tmp_path, collections_path):
    results = tmp_path / 'bench-events.json'
    doc = tmp_path / 'performance.md'
    doc.write_text('before\n<!-- bench-events:begin -->\nold\n<!-- bench-events:end -->\nafter\n')
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('ANSIBLE_', 'REDIS_')))
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'benchmarks', 'bench_events.py'), '--clusters', '3', '--interval', '0.5',
         '--rounds', '2', '--slow-rounds', '1', '--slow-clusters', '1', '--slow-delay', '0.05',
         '--json', str(results), '--doc', str(doc)],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    result = json.loads(results.read_text())
    assert [(found['clusters'], found['slow']) for found in result['rounds']] == [(3, False), (3, False), (3, True)]
    for found in result['rounds']:
        assert found['seconds'] > 0 and found['cpu_seconds'] >= 0 and found['lag_max_ms'] >= 0
    # Six GETs per cluster and poll (the OCSP configuration and status, the certificates, the databases'
    # certificates that expire soon, the license, the databases, of which there are none), over one kept-alive
    # connection each.
    assert result['requests_per_cluster_round'] == {'min': 6, 'max': 6}
    assert result['connections_per_cluster'] == {'min': 1, 'max': 1}
    # One event per condition at start (cluster, staple, 7 certificates, license), none after.
    assert result['events'] == 3 * 10
    assert result['pool_threads_max'] == 3 and result['pool'] == 16
    assert result['peak_rss_mib'] >= result['rss_before_mib'] > 0
    assert result['within'] == (proc.returncode == 0)
    text = doc.read_text()
    assert text.startswith('before\n<!-- bench-events:begin -->\nRun of ') and text.endswith(
        '<!-- bench-events:end -->\nafter\n')
    for line in ('| round | clusters polled | duration (s) |', '- Every round ended within its interval: ',
                 '- Requests per cluster per round: 6 to 6; connections per cluster over the whole run: 1 to 1',
                 '- The event loop, ticking every 50 ms beside the polls: late by '):
        assert line in text, (line, text)

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""benchmarks/bench.py works: one tiny run prints its ratios and counts the
requests of each case, on both paths and over a small fleet; database_info
over a few databases makes one GET, and a create waited for polls as the
backoff says. A benchmark, not a timed test: no timing is asserted."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import pytest

from runner import ROOT


@pytest.mark.files
def test_bench_runs_and_counts_requests(tmp_path, collections_path):
    results = tmp_path / 'bench.json'
    doc = tmp_path / 'performance.md'
    doc.write_text('before\n<!-- bench:begin -->\nold\n<!-- bench:end -->\nafter\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'benchmarks', 'bench.py'), '-n', '1', '--rounds', '1', '--no-warm-up',
         '--fleet-sizes', '2,3', '--fleet-rounds', '1', '--forks', '2', '--databases', '20', '--database-rounds', '1',
         '--create-pending', '1', '--json', str(results), '--doc', str(doc)],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ('ocsp/ping = ', 'ocsp/uri = ', 'ocsp module/ping = ', 'certificate/ping = ', 'user/ping = ', 'database/ping = ',
                 'fleet ocsp/ping = ',
                 'fleet ocsp/uri = ', 'fleet ocsp growth = '):
        assert name in proc.stdout, (name, proc.stdout)

    result = json.loads(results.read_text())
    assert len(result['ratios']['ocsp/ping']) == len(result['ratios']['ocsp/uri']) == 1
    converged = dict(all=1, GET=1, PUT=0, connections=1)
    # GET and PUT share one connection; on both paths.
    drifted = dict(all=2, GET=1, PUT=1, connections=1)
    assert result['requests'] == {'ocsp': converged, 'ocsp_check_diff': converged, 'ocsp_drifted': drifted,
                                  'ocsp_module': converged, 'ocsp_module_drifted': drifted,
                                  'ocsp_variant': converged, 'certificate': converged,
                                  # The users and the roles its role names resolve through.
                                  'user': dict(all=2, GET=2, PUT=0, connections=1),
                                  # Found by its name (GET /v1/bdbs?fields=uid,name), then read.
                                  'database': dict(all=2, GET=2, PUT=0, connections=1)}
    assert len(result['ratios']['database/ping']) == 1
    # database_info over 20 databases: one GET; the direct run returns them all.
    (info,) = result['databases']['rounds']
    assert info['requests'] == {'GET /v1/bdbs': 1} and info['direct']['databases'] == 20
    assert info['peak_tree_pss_mib'] > 0 and info['direct']['rss_peak_mib'] > 0
    # A create whose action is pending 1 s: found by name first, one POST, the action polled at 0, 0.25, 0.75 and
    # 1.75 s (the waiter's backoff: 0.25 s, doubling), then the database read once.
    (create,) = result['databases']['creates']
    assert create['calls'] == {'GET /v1/bdbs?fields=uid,name': 1, 'POST /v1/bdbs': 1, 'GET /v2/actions/{uid}': 4,
                               'GET /v1/bdbs/{uid}': 1}
    assert create['action_polls'] == create['backoff_polls'] == 4 and create['backoff_last_poll_s'] == 1.75
    assert len(result['ratios']['variant/ocsp module']) == 1
    # The fleet curve: each size over its own first clusters, side by side.
    curve = result['fleet']
    assert [size['hosts'] for size in curve['sizes']] == [2, 3]
    for fleet in curve['sizes']:
        assert set(fleet['runs']) == {'empty', 'ping', 'uri', 'ocsp', 'ocsp_module', 'audit'}
        for case in ('uri', 'ocsp', 'ocsp_module'):
            (run,) = fleet['runs'][case]
            assert run['requests_min'] == run['requests_max'] == 1, (case, run)
            assert run['peak_tree_pss_mib'] > 0 and run['controller_peak_rss_mib'] > 0
        # The audit example: GET /v1/ocsp and GET /v1/ocsp/status per cluster.
        assert fleet['runs']['audit'][0]['requests_min'] == fleet['runs']['audit'][0]['requests_max'] == 2
        assert fleet['runs']['ping'][0]['requests_max'] == 0
        assert set(fleet['ratios']) == {'fleet ocsp/ping', 'fleet ocsp/uri', 'fleet ocsp module/ping',
                                        'fleet ocsp/ocsp module', 'fleet audit/ping'}
    # Growth: the per-host cost at the largest size over that at the one before (no timing is asserted).
    small, large = [statistics.median(size['per_host_ms']['ocsp']) for size in curve['sizes']]
    assert curve['growth'] == {'from': 2, 'to': 3, 'ocsp': pytest.approx(large / small)}

    text = doc.read_text()
    assert text.startswith('before\n<!-- bench:begin -->\nRun of ') and text.endswith('<!-- bench:end -->\nafter\n')
    assert '| redis.enterprise.database, converged, direct |' in text and '| database/ping |' in text
    assert '### database_info over a cluster of 20 databases' in text and '| 1 | 7 | ' in text
    assert 'old' not in text and '| ocsp/uri |' in text and '| fleet ocsp/uri |' in text and '| 3 | redis.enterprise.ocsp, direct |' in text

    # --reuse keeps an earlier run's loop and fleet figures and measures the databases again.
    again = tmp_path / 'again.json'
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'benchmarks', 'bench.py'), '--reuse', str(results), '--databases', '5',
         '--database-rounds', '1', '--create-pending', '', '--json', str(again), '--doc', str(doc)],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    redone = json.loads(again.read_text())
    assert redone['costs'] == result['costs'] and redone['fleet'] == result['fleet'] and redone['date'] == result['date']
    assert redone['databases']['databases'] == 5 and redone['databases']['creates'] == []
    assert redone['databases']['rounds'][0]['requests'] == {'GET /v1/bdbs': 1}
    text = doc.read_text()
    assert text.count('| redis.enterprise.database, converged, direct |') == 1 and '| fleet ocsp/uri |' in text
    assert '### database_info over a cluster of 5 databases' in text and '### Requests of a create' not in text
    assert text.index('| fleet ocsp/ping |') < text.index('| fleet audit/ping |')

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""benchmarks/bench.py works: one tiny run prints its ratios and counts the
requests of each case. A benchmark, not a timed test: no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from runner import ROOT


def test_bench_runs_and_counts_requests(tmp_path, collections_path):
    results = tmp_path / 'bench.json'
    doc = tmp_path / 'performance.md'
    doc.write_text('before\n<!-- bench:begin -->\nold\n<!-- bench:end -->\nafter\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'benchmarks', 'bench.py'), '-n', '1', '--rounds', '1',
         '--fleet-hosts', '3', '--forks', '2', '--json', str(results), '--doc', str(doc)],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'ocsp/ping = ' in proc.stdout, proc.stdout

    result = json.loads(results.read_text())
    assert len(result['ratios']['ocsp/ping']) == len(result['ratios']['ocsp/uri']) == 1
    converged = dict(all=1, GET=1, PUT=0, connections=1)
    assert result['requests']['ocsp'] == converged
    assert result['requests']['ocsp_check_diff'] == converged
    # GET and PUT share one connection.
    assert result['requests']['ocsp_drifted'] == dict(all=2, GET=1, PUT=1, connections=1)
    for key in ('ocsp', 'uri'):
        (fleet,) = result['fleet'][key]
        assert fleet['requests_min'] == fleet['requests_max'] == 1, fleet
        assert fleet['peak_tree_pss_mib'] > 0 and fleet['controller_peak_rss_mib'] > 0

    text = doc.read_text()
    assert text.startswith('before\n<!-- bench:begin -->\nRun of ') and text.endswith('<!-- bench:end -->\nafter\n')
    assert 'old' not in text and '| ocsp/uri |' in text

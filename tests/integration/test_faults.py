# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix through ansible-playbook: one inventory host per row, each
on its own simulated cluster, all in one run; one test per row checks the
result and the cluster's configuration afterwards."""

from __future__ import annotations

import time

import pytest

import fault_matrix
from fault_matrix import ROWS, Lab, seen
from runner import runner

RERUN = [row for row in ROWS if row['rerun']]
# One process for every test of the matrix: they share its runs (make test runs tests in parallel).
# The matrix is the transport's behaviour under HTTP faults (requests and urllib3
# under _api), which no ansible-core release changes: it runs on the newest only,
# where every module's own error tests run on the oldest too.
pytestmark = [pytest.mark.xdist_group('fault-matrix'), pytest.mark.once]


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    lab = Lab(str(tmp_path_factory.mktemp('faults')))
    yield lab
    lab.stop()


def first_run(lab, ansible):
    """The matrix run on ansible's path, once for the test module."""
    def run():
        lab.arm(ROWS)
        return lab.play(ansible, ROWS, '--diff')
    return lab.once((ansible.path, 'first'), run)


@pytest.fixture
def first(lab, ansible):
    return first_run(lab, ansible)


@pytest.fixture
def second(lab, ansible):
    """With the transient faults gone, the rows they hit run again, right
    after the matrix run of the same path."""
    def run():
        lab.runs.pop((ansible.path, 'first'), None)
        first_run(lab, ansible)
        lab.clear_faults(RERUN)
        # A timeout shortened for a slow-server row would be a fault of its own.
        return lab.play(ansible, RERUN, '--diff', '--extra-vars', 'cluster_timeout=30')
    return lab.once((ansible.path, 'second'), run)


@pytest.mark.parametrize('row', ROWS, ids=[row['id'] for row in ROWS])
def test_row(lab, first, row):
    lab.check(row, first)


@pytest.mark.parametrize('row', RERUN, ids=[row['id'] for row in RERUN])
def test_rerun_converges(lab, second, row):
    lab.check(row, second, rerun=True)
    assert [r['method'] for r in second.logs[row['id']]] == (
        ['GET', 'PUT'] if row['state'] == 'before' else ['GET'])


@pytest.fixture(scope='module')
def both(lab, tmp_path_factory, simulator, collections_path):
    """The matrix run on each path: {'direct': Run, 'module': Run}."""
    runs = {}
    for path in ('direct', 'module'):
        run = runner(tmp_path_factory.mktemp(path), simulator, simulator.urls[0], collections_path, path)
        runs[path] = first_run(lab, run)
    return runs


@pytest.mark.parametrize('row', ROWS, ids=[row['id'] for row in ROWS])
def test_both_paths_give_the_same_result(both, row):
    """Key for key: changed, diff, ocsp, msg, status, error_code, warnings,
    invocation with the password masked."""
    results = {}
    for path, run in both.items():
        (record,) = [r for r in run.records if r['host'] == row['id'] and r['action'] == 'redis.enterprise.ocsp']
        results[path] = (record['status'], record['result'])
    assert results['direct'] == results['module']
    # And the cluster saw the same calls (those of a try that timed out, as far as the server read them).
    calls = dict((path, [(r['method'], r['status']) for r in run.logs[row['id']]]) for path, run in both.items())
    if row['timed_out']:
        assert all(seen(row, calls[path]) == calls[path] for path in calls), calls
    else:
        assert calls['direct'] == calls['module']


def test_huge_answer_is_not_read_to_its_end(first):
    entry = first.logs['huge-body'][0]
    # The simulator notes what it wrote once the client hangs up on it.
    deadline = time.time() + 10
    while 'sent' not in entry and time.time() < deadline:
        time.sleep(0.1)
    total = fault_matrix.HUGE_CHUNK * fault_matrix.HUGE_REPEAT
    # Past the 1 MiB read, only what the socket buffers held was written.
    assert entry['sent'] < total // 4, entry['sent']


def test_a_silently_closed_connection_is_replaced(first):
    def ports(row):
        return [entry['client_port'] for entry in first.logs[row]]
    # Normally the PUT reuses the GET's connection; after the silent close, a new one.
    assert len(set(ports('url-trailing-slash'))) == 1
    assert len(set(ports('closed-after-read'))) == 2


def test_redirect_targets_were_never_called(first):
    assert first.logs['other_https'] == []
    assert first.logs['other_http'] == []


def test_the_run_failed_for_the_failing_rows_only(first):
    failed = sorted(r['host'] for r in first.records if r['status'] == 'failed')
    assert failed == sorted(row['id'] for row in ROWS if row['outcome'] == 'failed')
    assert first.rc == 2


def test_every_group_has_rows():
    assert sorted(set(row['group'] for row in ROWS)) == sorted(fault_matrix.GROUPS)
    assert len(set(row['id'] for row in ROWS)) == len(ROWS)


def test_reliability_doc_is_rendered_from_the_matrix():
    with open(fault_matrix.DOC) as handle:
        assert handle.read() == fault_matrix.render(), 'run make reliability-doc'

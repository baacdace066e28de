# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix through ansible-playbook: one inventory host per row, each
on its own simulated cluster, all in one run; one test per row checks the
result and the cluster's configuration afterwards. The runs are at -vvvv
with --diff, and no secret is in any of their output."""

from __future__ import annotations

import base64
import re
import time

import pytest

import fault_matrix
import redis_enterprise_sim as simlib
from fault_matrix import ROWS, URL_PASSWORD, WRONG_PASSWORD, Lab, seen
from runner import runner

RERUN = [row for row in ROWS if row['rerun']]
# One process for every test of the matrix: they share its runs (make test runs tests in parallel).
pytestmark = pytest.mark.xdist_group('fault-matrix')
# The matrix is the transport's behaviour under HTTP faults (requests and urllib3
# under _api), which no ansible-core release changes: it runs on the newest only,
# where every module's own error tests run on the oldest too. What ansible-core
# prints of it (test_no_secret_in_any_output) runs on the oldest too.
once = pytest.mark.once


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    lab = Lab(str(tmp_path_factory.mktemp('faults')))
    yield lab
    lab.stop()


# On the module path, ANSIBLE_DEBUG=1 prints what -vvvv prints and more: the
# matrix run there has it on, and stands for both.
DEBUG = {'direct': '0', 'module': '1'}


def matrix_run(lab, ansible, debug):
    """The matrix run on ansible's path at -vvvv with --diff, ANSIBLE_DEBUG
    off or on, once for the test module."""
    def run():
        lab.arm(ROWS)
        return lab.play(ansible, ROWS, '-vvvv', '--diff', env={'ANSIBLE_DEBUG': debug})
    return lab.once((ansible.path, 'first' if debug == DEBUG[ansible.path] else 'debug'), run)


def first_run(lab, ansible):
    """The matrix run on ansible's path, the one its results are checked on."""
    return matrix_run(lab, ansible, DEBUG[ansible.path])


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


@once
@pytest.mark.parametrize('row', ROWS, ids=[row['id'] for row in ROWS])
def test_row(lab, first, row):
    lab.check(row, first)


@once
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


@once
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


@once
def test_huge_answer_is_not_read_to_its_end(first):
    entry = first.logs['huge-body'][0]
    # The simulator notes what it wrote once the client hangs up on it.
    deadline = time.time() + 10
    while 'sent' not in entry and time.time() < deadline:
        time.sleep(0.1)
    total = fault_matrix.HUGE_CHUNK * fault_matrix.HUGE_REPEAT
    # Past the 1 MiB read, only what the socket buffers held was written.
    assert entry['sent'] < total // 4, entry['sent']


@once
def test_a_silently_closed_connection_is_replaced(first):
    def ports(row):
        return [entry['client_port'] for entry in first.logs[row]]
    # Normally the PUT reuses the GET's connection; after the silent close, a new one.
    assert len(set(ports('url-trailing-slash'))) == 1
    assert len(set(ports('closed-after-read'))) == 2


@once
def test_redirect_targets_were_never_called(first):
    assert first.logs['other_https'] == []
    assert first.logs['other_http'] == []


@once
def test_the_run_failed_for_the_failing_rows_only(first):
    failed = sorted(r['host'] for r in first.records if r['status'] == 'failed')
    assert failed == sorted(row['id'] for row in ROWS if row['outcome'] == 'failed')
    assert first.rc == 2


@once
def test_every_group_has_rows():
    assert sorted(set(row['group'] for row in ROWS)) == sorted(fault_matrix.GROUPS)
    assert len(set(row['id'] for row in ROWS)) == len(ROWS)


@once
def test_reliability_doc_is_rendered_from_the_matrix():
    with open(fault_matrix.DOC) as handle:
        assert handle.read() == fault_matrix.render(), 'run make reliability-doc'


def _basic(user, password):
    return base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


# Each password, and the Authorization header value it is sent in.
LEAKS = {
    'admin password': simlib.ADMIN_PASSWORD,
    'viewer password': simlib.VIEWER_PASSWORD,
    'password written in a url': URL_PASSWORD,
    'wrong password': WRONG_PASSWORD,
    'admin basic auth': _basic(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD),
    'wrong basic auth': _basic(simlib.ADMIN_USER, WRONG_PASSWORD),
}


# What ansible-core prints and masks: on the oldest ansible-core too.
@pytest.mark.core
@pytest.mark.parametrize('path, debug', [('direct', '0'), ('direct', '1'), ('module', '1')])
def test_no_secret_in_any_output(lab, ansible, debug):
    """Every row at -vvvv with --diff, with ANSIBLE_DEBUG off and on: the
    matrix runs the other tests check, and the direct path's once more."""
    run = matrix_run(lab, ansible, debug)
    # The scenarios really ran, each with the outcome the matrix asserts.
    for row in ROWS:
        lab.check(row, run)
    assert len(run.stdout) > 50000  # -vvvv (and debug) really were verbose
    # ANSIBLE_DEBUG lines read ' <pid> <time>: <message>'.
    assert bool(re.search(r'^ *\d+ \d+\.\d+: ', run.stdout, re.M)) is (debug == '1')
    # stdout and stderr hold every message, warning and exception Ansible
    # showed; the records hold every result as returned.
    output = run.output
    # On the module path, ansible-core's own debug line prints the arguments
    # it passes to any module: a password given as an option (or written
    # into url) shows there, before the module runs. Nowhere else; one given
    # through REDIS_ENTERPRISE_PASSWORD, as the documentation advises, not
    # even there. The direct path passes nothing to a module: no such line.
    core = [line for line in output.splitlines() if ': done with _execute_module (redis.enterprise.ocsp, {' in line]
    if debug == '1' and ansible.path == 'module':
        assert len(core) == len(ROWS)
        assert sum(WRONG_PASSWORD in line for line in core) == 1
        assert sum(URL_PASSWORD in line for line in core) == 1
        assert not any(LEAKS['admin password'] in line for line in core)
        output = '\n'.join(line for line in output.splitlines() if line not in core)
    else:
        assert core == []
    for what, secret in LEAKS.items():
        assert secret not in output, what
    masked = [r for r in run.records if r['host'] == 'url-with-credentials'][0]['result']
    # The user name and password both replaced, the rest of the url as given.
    expected = '://********@' + lab.url('url-with-credentials').split('://')[1]
    assert masked['invocation']['module_args']['url'].endswith(expected)

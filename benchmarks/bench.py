# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a converged enforcement run costs, next to ansible.builtin.ping and
the ansible.builtin.uri GET + conditional PUT it replaces, on both paths of
redis.enterprise.ocsp: direct execution in the controller's Python (the
default on the controller) and the module path (the module's own Python
process, redis_enterprise_direct_execution=false).

The loop case: the simulator starts with every cluster already as desired,
then the playbooks of benchmarks/playbooks run in turn, round after round
(empty, ping, uri, ocsp direct, --check --diff, drifted, ocsp module path,
drifted, the proxy certificate, a service user, a database; then again),
each looping n times over its task on localhost. A
case's per-item cost in a round is (its time - the empty playbook's time)
/ n; ratios are taken within a round and their median over the rounds is
reported, so that load on the machine shifts both sides of a ratio alike.
The simulator's request log gives the HTTP requests each task made.

The databases: redis.enterprise.database_info over a cluster of 1,000
databases, in rounds beside the empty playbook (its time, its peak memory,
the one GET it makes), and in a Python process of its own as direct
execution runs it in the worker (benchmarks/database_info_direct.py); and
the requests of a create waited for, its action pending 2 and 60 seconds on
the simulator's clock at real time, against the waiter's own backoff
schedule (plugins/module_utils/_wait.py).

The fleet curve: one task per host on 10, 100 and 1,000 hosts (one cluster
each, connection local) with 50 forks, for the empty playbook, ping, the uri
pair, ocsp direct, ocsp module path and the audit example
(docs/examples/audit_ocsp.yml), in rounds; per-host cost (time - empty) /
hosts, ratios within a round, and the peak memory of the controller's
process tree.

No network beyond loopback. Needs the collection linked under
build/collections (make does it); the chart needs matplotlib.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from urllib.parse import unquote

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, 'playbooks')
# A collection whose ocsp module is the floor of any module on requests.
FLOOR = os.path.join(HERE, 'floor')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))
sys.path.insert(0, os.path.join(ROOT, 'build', 'collections'))

import redis_enterprise_sim as simlib  # noqa: E402  pylint: disable=wrong-import-position
# The waiter's backoff, against which the polls of a waited create are counted.
from ansible_collections.redis.enterprise.plugins.module_utils import (  # noqa: E402  pylint: disable=wrong-import-position
    _wait)

DESIRED = {
    'ocsp_functionality': True,
    'query_frequency': 3600,
    'response_timeout': 2,
    'recovery_frequency': 60,
    'recovery_max_tries': 5,
}
# The database every cluster holds once converged, as the task gives it
# (benchmarks/playbooks/database.yml) and as the cluster keeps it.
DATABASE = {'name': 'sessions', 'memory_size': '100MB', 'replication': True, 'eviction_policy': 'allkeys-lru',
            'tags': {'team': 'web'}}
DATABASE_HELD = {'uid': 1, 'name': 'sessions', 'memory_size': 100 * 1024 ** 2, 'replication': True,
                 'eviction_policy': 'allkeys-lru', 'tags': [{'key': 'team', 'value': 'web'}]}
# The database a waited create makes (benchmarks/playbooks/database_create.yml).
CREATED = {'name': 'orders', 'memory_size': '100MB'}
DATABASES = 1000
DATABASE_ROUNDS = 5
CREATE_PENDING = '2,60'
# The variable that turns direct execution off.
SWITCH = 'redis_enterprise_direct_execution'
MODULE_PATH = {SWITCH: False}
# Loop cases, name: (playbook, extra ansible-playbook arguments, extra vars)
CASES = {
    'empty': ('empty.yml', [], {}),
    'ping': ('ping.yml', [], {}),
    'uri': ('uri.yml', [], {}),
    'ocsp': ('ocsp.yml', [], {}),
    'ocsp_check_diff': ('ocsp.yml', ['--check', '--diff'], {}),
    'ocsp_drifted': ('ocsp.yml', [], {'drift': True}),
    'ocsp_module': ('ocsp.yml', [], MODULE_PATH),
    'ocsp_module_drifted': ('ocsp.yml', [], dict(MODULE_PATH, drift=True)),
    'certificate': ('certificate.yml', [], {}),
    'user': ('user.yml', [], {}),
    'database': ('database.yml', [], {}),
}
LABELS = {
    'ping': 'ansible.builtin.ping',
    'uri': 'ansible.builtin.uri GET + skipped PUT',
    'ocsp': 'redis.enterprise.ocsp, converged, direct',
    'ocsp_check_diff': 'redis.enterprise.ocsp, converged, --check --diff, direct',
    'ocsp_drifted': 'redis.enterprise.ocsp, drifted (GET + PUT), direct',
    'ocsp_module': 'redis.enterprise.ocsp, converged, module path',
    'ocsp_module_drifted': 'redis.enterprise.ocsp, drifted (GET + PUT), module path',
    'certificate': 'redis.enterprise.certificate, proxy, converged, direct',
    'user': 'redis.enterprise.user, converged, direct',
    'database': 'redis.enterprise.database, converged, direct',
}
# Fleet cases: one task per host (the audit: the example's three tasks).
AUDIT = os.path.join(ROOT, 'docs', 'examples', 'audit_ocsp.yml')
FLEET_CASES = {
    'empty': ('empty.yml', {}),
    'ping': ('ping.yml', {'n': 1}),
    'uri': ('fleet_uri.yml', {}),
    'ocsp': ('fleet_ocsp.yml', {}),
    'ocsp_module': ('fleet_ocsp.yml', MODULE_PATH),
    'audit': (AUDIT, {}),
}
FLEET_LABELS = {
    'ping': 'ansible.builtin.ping',
    'uri': 'ansible.builtin.uri GET + skipped PUT',
    'ocsp': 'redis.enterprise.ocsp, direct',
    'ocsp_module': 'redis.enterprise.ocsp, module path',
    'audit': 'docs/examples/audit_ocsp.yml (ocsp_info, set_fact, debug), direct',
}
FLEET_RATIOS = ('fleet ocsp/ping', 'fleet ocsp/uri', 'fleet ocsp module/ping', 'fleet ocsp/ocsp module',
                'fleet audit/ping')
FLEET_SIZES = '10,100,1000'
FLEET_ROUNDS = '3,3,1'
# The fleet targets hold at the largest fleet; growth is its per-host cost
# over that of the fleet before it.
TARGETS = {
    'ocsp/ping': 0.08, 'ocsp/uri': 0.06, 'ocsp module/ping': 1.35, 'certificate/ping': 0.10, 'user/ping': 0.10,
    'database/ping': 0.10,
    'fleet ocsp/ping': 0.15, 'fleet ocsp/uri': 0.12, 'fleet ocsp growth': 1.10,
}
DOC_BEGIN = '<!-- bench:begin -->'
DOC_END = '<!-- bench:end -->'


def count_connections(sim):
    """Make each simulated cluster count the connections it accepts, to
    show that a GET and a PUT share one (HTTP keep-alive)."""
    for server in sim.servers:
        accept = server.get_request

        def counted(server=server, accept=accept):
            answer = accept()
            server.accepted += 1
            return answer

        server.accepted = 0
        server.get_request = counted


class Runner:
    """Runs the benchmark playbooks against a simulator, as a user would."""

    def __init__(self, sim, workdir, python=sys.executable, collections=None, variant=None):
        self.sim = sim
        self.variant = variant
        self.workdir = workdir
        self.python = python
        bindir = os.path.dirname(python)
        self.playbook = os.path.join(bindir, 'ansible-playbook')
        collections = collections or os.path.join(ROOT, 'build', 'collections')
        self.collections = collections
        if not os.path.isdir(os.path.join(collections, 'ansible_collections', 'redis', 'enterprise', 'plugins')):
            raise SystemExit('The collection is not linked under build/collections: run "make bench".')
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'))}
        self.env.update({
            'PATH': bindir + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_COLLECTIONS_PATH': collections,
            'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_HOST_KEY_CHECKING': '0',
        })
        # The proxy certificate every cluster holds once converged, with its CA's (which the cluster's OCSP
        # requests need), and its key.
        pki = simlib.Pki()
        leaf, self.proxy_key = pki.issue()
        self.proxy_certificate = leaf + pki.ca_pem
        common = {'cluster_ca': sim.ca_path, 'cluster_user': simlib.ADMIN_USER,
                  'cluster_password': simlib.ADMIN_PASSWORD, 'desired': DESIRED, 'service_user': simlib.VIEWER_USER,
                  'database': DATABASE,
                  'proxy_certificate': self.proxy_certificate, 'proxy_key': self.proxy_key}
        self.vars_file = os.path.join(workdir, 'vars.json')
        with open(self.vars_file, 'w') as handle:
            json.dump(dict(common, cluster_url=sim.urls[0]), handle)
        # Extra vars override host vars: the fleet's cluster_url is per host.
        self.fleet_vars_file = os.path.join(workdir, 'fleet-vars.json')
        with open(self.fleet_vars_file, 'w') as handle:
            json.dump(common, handle)
        self.inventory = os.path.join(workdir, 'localhost.ini')
        with open(self.inventory, 'w') as handle:
            handle.write('[bench]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n' % python)
        # The audit example reads redis_url, redis_username, redis_password
        # and redis_ca_path, from a group named redis_clusters.
        with open(self.fleet_vars_file, 'w') as handle:
            json.dump(dict(common, redis_username=common['cluster_user'], redis_password=common['cluster_password'],
                           redis_ca_path=common['cluster_ca']), handle)
        self.fleet_inventories = {}

    def fleet_inventory(self, hosts):
        """An inventory of the first `hosts` clusters, one host each."""
        if hosts not in self.fleet_inventories:
            path = os.path.join(self.workdir, 'fleet-%d.ini' % hosts)
            with open(path, 'w') as handle:
                handle.write('[bench]\n')
                for index, url in enumerate(self.sim.urls[:hosts]):
                    handle.write('cluster%04d ansible_connection=local ansible_python_interpreter=%s '
                                 'cluster_url=%s redis_url=%s\n' % (index + 1, self.python, url, url))
                handle.write('[redis_clusters:children]\nbench\n')
            self.fleet_inventories[hosts] = path
        return self.fleet_inventories[hosts]

    def converge(self, database=True):
        """Every cluster as desired (with the loop's database unless
        database is false), its request log empty."""
        for server in self.sim.servers:
            server.cluster.reset()
            server.cluster.update({'config': DESIRED,
                                   'certificates': {'proxy': {'cert': self.proxy_certificate, 'key': self.proxy_key}},
                                   'bdbs': [DATABASE_HELD] if database else []})
            server.cluster.log.clear()
            server.accepted = 0

    def command(self, playbook, args, extra, inventory=None, forks=1):
        vars_file = self.fleet_vars_file if inventory else self.vars_file
        return ([self.playbook, '-i', inventory or self.inventory, '-f', str(forks), '-e', '@' + vars_file,
                 '-e', json.dumps(extra)] + list(args) + [os.path.join(PLAYBOOKS, playbook)])

    def run(self, case, n=1, fleet=0, forks=1, watch=False):
        """Wall seconds the playbook of a case took, CPU seconds of its
        process tree (ansible-playbook, workers, modules: less disturbed by
        other load than wall time), and the peak memory when watched."""
        self.converge()
        if fleet:
            playbook, extra = FLEET_CASES[case]
            command = self.command(playbook, [], dict({'n': 1}, **extra), self.fleet_inventory(fleet), forks)
        else:
            playbook, args, extra = CASES[case.replace('_variant', '')]
            command = self.command(playbook, args, dict(extra, n=n))
        env = self.env
        if case == 'ocsp_variant':
            env = dict(env, ANSIBLE_COLLECTIONS_PATH=self.variant)
        return self.execute(case, command, env, watch)

    def run_playbook(self, playbook, extra, setup=None, watch=False):
        """A playbook of the databases' cases on the first cluster, converged
        then changed by setup (cluster.update's changes), as run() gives it."""
        self.converge(database=False)
        if setup:
            cluster = self.sim.clusters[0]
            cluster.update(setup)
            cluster.log.clear()
        return self.execute(playbook, self.command(playbook, [], extra), self.env, watch)

    def execute(self, case, command, env, watch):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        watcher = MemoryWatcher(proc.pid) if watch else None
        out, err = proc.communicate()
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if watcher:
            watcher.stop()
        if proc.returncode != 0:
            raise SystemExit('%s failed (rc %d):\n%s\n%s' % (case, proc.returncode, out[-3000:], err[-3000:]))
        return elapsed, cpu, watcher

    def direct_info(self):
        """benchmarks/database_info_direct.py against the first cluster, as
        it stands: its figures."""
        proc = subprocess.run(
            [self.python, os.path.join(HERE, 'database_info_direct.py'), '--url', self.sim.urls[0], '--username',
             simlib.ADMIN_USER, '--password', simlib.ADMIN_PASSWORD, '--ca-path', self.sim.ca_path,
             '--collections', self.collections], env=self.env, cwd=self.workdir, capture_output=True, text=True,
            check=False)
        if proc.returncode != 0:
            raise SystemExit('database_info_direct.py failed (rc %d):\n%s\n%s'
                             % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        return json.loads(proc.stdout)

    def requests(self, cluster=0):
        """API requests and TLS connections the cluster served since converge()."""
        log = self.sim.clusters[cluster].log
        return {'GET': sum(1 for r in log if r['method'] == 'GET'),
                'PUT': sum(1 for r in log if r['method'] == 'PUT'),
                'all': len(log), 'connections': self.sim.servers[cluster].accepted}


def _tree(root):
    """The pids of root and its descendants."""
    children = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as handle:
                ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def _kib(pid, path, field):
    try:
        with open('/proc/%d/%s' % (pid, path)) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatcher:
    """Samples the proportional set size (PSS: shared pages split between
    the processes sharing them, so forked workers are not counted twice) of
    the ansible-playbook process tree, modules included, the high-water
    RSS of ansible-playbook itself, and the highest high-water RSS of its
    descendants (the workers, which on the direct path run the task; pages
    they share with ansible-playbook since the fork count in it)."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.peak_tree_kib = 0
        self.peak_processes = 0
        self.controller_hwm_kib = 0
        self.worker_hwm_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True)
        self._thread.start()

    def _loop(self, interval):
        while not self._stop.is_set():
            pids = _tree(self.pid)
            total = sum(_kib(pid, 'smaps_rollup', 'Pss:') for pid in pids)
            self.peak_tree_kib = max(self.peak_tree_kib, total)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.controller_hwm_kib = max(self.controller_hwm_kib, _kib(self.pid, 'status', 'VmHWM:'))
            self.worker_hwm_kib = max([self.worker_hwm_kib] + [_kib(pid, 'status', 'VmHWM:') for pid in pids
                                                               if pid != self.pid])
            self._stop.wait(interval)

    def stop(self):
        self._stop.set()
        self._thread.join()


def measure(runner, n, rounds, log=print, warm_up=True):
    """Per-item wall and CPU milliseconds of every loop case, one value per
    round, and the requests and connections per item of each round.

    The empty playbook runs first in every round; what is subtracted is the
    median of its times over the rounds, so that one slow start of
    ansible-playbook does not distort a whole round."""
    cases = [c for c in CASES if c != 'empty'] + (['ocsp_variant'] if runner.variant else [])
    wall = {case: [] for case in ['empty'] + cases}
    used = {case: [] for case in ['empty'] + cases}
    requests = {case: [] for case in cases if case.startswith(('ocsp', 'certificate', 'user', 'database'))}
    loads = []
    if warm_up:
        log('warm-up (ansible caches, .pyc files)')
        for case in ['empty'] + cases:
            runner.run(case, 1)
    for index in range(rounds):
        line = []
        for case in ['empty'] + cases:
            elapsed, cpu = runner.run(case, n)[:2]
            wall[case].append(elapsed)
            used[case].append(cpu)
            if case in requests:
                requests[case].append(dict((k, v / float(n)) for k, v in runner.requests().items()))
            line.append('%s %.2fs' % (case, elapsed))
        loads.append(os.getloadavg()[0])
        log('round %d/%d: %s; load %.1f' % (index + 1, rounds, ', '.join(line), loads[-1]))
    empty_wall, empty_cpu = statistics.median(wall['empty']), statistics.median(used['empty'])
    costs = dict((case, [(t - empty_wall) * 1000.0 / n for t in wall[case]]) for case in cases)
    cpu = dict((case, [(t - empty_cpu) * 1000.0 / n for t in used[case]]) for case in cases)
    return costs, cpu, requests, {'wall_s': wall['empty'], 'cpu_s': used['empty'], 'load_per_round': loads}


def _over(costs, a, b):
    return [x / y for x, y in zip(costs[a], costs[b])]


def ratios(costs):
    """Ratios of the loop cases within each round, as lists over the rounds."""
    found = {
        'ocsp/ping': _over(costs, 'ocsp', 'ping'),
        'ocsp/uri': _over(costs, 'ocsp', 'uri'),
        'ocsp check+diff/ping': _over(costs, 'ocsp_check_diff', 'ping'),
        'ocsp drifted/ping': _over(costs, 'ocsp_drifted', 'ping'),
        'ocsp module/ping': _over(costs, 'ocsp_module', 'ping'),
        'ocsp module/uri': _over(costs, 'ocsp_module', 'uri'),
        'ocsp module drifted/ping': _over(costs, 'ocsp_module_drifted', 'ping'),
        'ocsp/ocsp module': _over(costs, 'ocsp', 'ocsp_module'),
        'certificate/ping': _over(costs, 'certificate', 'ping'),
        'user/ping': _over(costs, 'user', 'ping'),
        'database/ping': _over(costs, 'database', 'ping'),
    }
    if 'ocsp_variant' in costs:
        found.update({'variant/ping': _over(costs, 'ocsp_variant', 'ping'),
                      'variant/uri': _over(costs, 'ocsp_variant', 'uri'),
                      'variant/ocsp module': _over(costs, 'ocsp_variant', 'ocsp_module')})
    return found


def per_task_requests(rounds):
    """The requests per task, the same in every round, as one dict."""
    first = rounds[0]
    if any(r != first for r in rounds):
        raise SystemExit('requests per task differ between rounds: %r' % rounds)
    return first


def request_kinds(log):
    """The requests of a log by kind ('GET /v2/actions/{uid}': 3), the
    uids of the path replaced, its query kept."""
    found = {}
    for entry in log:
        path = re.sub(r'^(/v[12]/actions/)[^/]+$', r'\1{uid}', entry['path'])
        path = re.sub(r'^/v1/bdbs/[0-9]+', '/v1/bdbs/{uid}', path)
        kind = '%s %s%s' % (entry['method'], path, '?' + unquote(entry['query']) if entry.get('query') else '')
        found[kind] = found.get(kind, 0) + 1
    return found


def backoff_polls(pending):
    """(polls, seconds) of the waiter's backoff (_wait.py) for an action
    that ends `pending` seconds after its first poll: a poll at once, then
    one after each delay, until one comes at or after the end; seconds:
    when that last one comes, latencies left out."""
    at, delay, polls = 0.0, _wait.FIRST_DELAY, 1
    while at < pending:
        at += delay
        delay = min(delay * _wait.FACTOR, _wait.LONGEST_DELAY)
        polls += 1
    return polls, at


def databases(runner, count, rounds, pendings, log=print):
    """database_info over a cluster of `count` databases, in rounds beside
    the empty playbook, as a playbook (its time and peak memory, the
    requests) and as a direct run; then a create waited for at each pending
    time of pendings, on the simulator's clock at real time."""
    found = {'databases': count, 'rounds': [], 'creates': [], 'load_before': load_average(),
             'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
    for index in range(rounds if count else 0):
        empty = runner.run('empty', 1, watch=True)
        played = runner.run_playbook('database_info.yml', {}, setup={'bdbs': {'count': count}}, watch=True)
        calls = request_kinds(runner.sim.clusters[0].log)
        if calls != {'GET /v1/bdbs': 1}:
            raise SystemExit('database_info over %d databases made %r, not one GET of /v1/bdbs' % (count, calls))
        direct = runner.direct_info()
        if direct['databases'] != count:
            raise SystemExit('database_info returned %d databases of %d' % (direct['databases'], count))
        found['rounds'].append({
            'empty_wall_s': empty[0], 'wall_s': played[0], 'requests': calls, 'direct': direct,
            'peak_tree_pss_mib': played[2].peak_tree_kib / 1024.0,
            'controller_peak_rss_mib': played[2].controller_hwm_kib / 1024.0,
            'worker_peak_rss_mib': played[2].worker_hwm_kib / 1024.0,
            'empty_peak_tree_pss_mib': empty[2].peak_tree_kib / 1024.0,
            'empty_controller_peak_rss_mib': empty[2].controller_hwm_kib / 1024.0,
            'empty_worker_peak_rss_mib': empty[2].worker_hwm_kib / 1024.0})
        log('database_info over %d databases, round %d/%d: %.2fs (empty %.2fs), peak tree PSS %.0f MiB; direct '
            '%.3fs, RSS +%.1f MiB' % (count, index + 1, rounds, played[0], empty[0],
                                      found['rounds'][-1]['peak_tree_pss_mib'], direct['seconds'],
                                      direct['rss_growth_mib']))
    result_file = os.path.join(runner.workdir, 'created.json')
    for pending in pendings:
        if os.path.exists(result_file):
            os.unlink(result_file)
        elapsed = runner.run_playbook('database_create.yml', {'result_file': result_file, 'database': CREATED},
                                      setup={'faults': {'bdb_pending': pending}, 'clock': {'speed': 1}})[0]
        with open(result_file) as handle:
            made = json.load(handle)
        calls = request_kinds(runner.sim.clusters[0].log)
        polls, last = backoff_polls(pending)
        if made['database'].get('status') != 'active' or made['action'].get('status') != 'completed':
            raise SystemExit('the create at %g s was not waited for: %r' % (pending, made))
        found['creates'].append({
            'pending_s': pending, 'requests': sum(calls.values()), 'calls': calls,
            'action_polls': sum(number for kind, number in calls.items() if '/actions/' in kind),
            'backoff_polls': polls, 'backoff_last_poll_s': last, 'waited_s': made['waited'], 'playbook_s': elapsed})
        log('a create waited for, pending %g s: %d requests (%s), waited %.2fs'
            % (pending, found['creates'][-1]['requests'], ', '.join('%s %d' % item for item in sorted(calls.items())),
               made['waited']))
    found['load_after'] = load_average()
    return found


def fleet(runner, hosts, rounds, forks, log=print):
    """Per fleet case and round over the first `hosts` clusters: wall time,
    per-host cost, peak memory and the requests each cluster saw."""
    results = dict((case, []) for case in FLEET_CASES)
    for index in range(rounds):
        for case in FLEET_CASES:
            elapsed, _cpu, watcher = runner.run(case, fleet=hosts, forks=forks, watch=True)
            counted = [runner.requests(i)['all'] for i in range(hosts)]
            results[case].append({'wall_s': elapsed, 'peak_tree_pss_mib': watcher.peak_tree_kib / 1024.0,
                                  'controller_peak_rss_mib': watcher.controller_hwm_kib / 1024.0,
                                  'peak_processes': watcher.peak_processes,
                                  'requests_min': min(counted), 'requests_max': max(counted)})
            log('fleet of %d, round %d/%d %s: %.1fs, peak tree PSS %.0f MiB, controller peak RSS %.0f MiB'
                % (hosts, index + 1, rounds, case, elapsed, results[case][-1]['peak_tree_pss_mib'],
                   results[case][-1]['controller_peak_rss_mib']))
    empty = statistics.median(r['wall_s'] for r in results['empty'])
    per_host = dict((case, [(r['wall_s'] - empty) * 1000.0 / hosts for r in runs])
                    for case, runs in results.items() if case != 'empty')
    return {'hosts': hosts, 'forks': forks, 'runs': results, 'per_host_ms': per_host, 'ratios': {
        'fleet ocsp/ping': _over(per_host, 'ocsp', 'ping'),
        'fleet ocsp/uri': _over(per_host, 'ocsp', 'uri'),
        'fleet ocsp module/ping': _over(per_host, 'ocsp_module', 'ping'),
        'fleet ocsp/ocsp module': _over(per_host, 'ocsp', 'ocsp_module'),
        'fleet audit/ping': _over(per_host, 'audit', 'ping'),
    }}


def fleet_curve(sizes, rounds, forks, python=sys.executable, collections=None, log=print):
    """The fleet cases at each size, on one simulator of the largest fleet
    (its servers polling every 2 s rather than 0.2 s, so that a thousand idle
    ones cost next to nothing), and the growth of direct execution's per-host
    cost from the second largest size to the largest."""
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-bench-fleet-') as workdir:
        sim = simlib.Simulator(os.path.join(workdir, 'certs'), clusters=max(sizes),
                               responder_url=simlib.RESPONDER_URL)
        sim.start(poll_interval=2.0)
        try:
            count_connections(sim)
            runner = Runner(sim, workdir, python=python, collections=collections)
            curve = [fleet(runner, hosts, count, forks, log=log) for hosts, count in zip(sizes, rounds)]
        finally:
            sim.stop()
    growth = {}
    if len(curve) > 1:
        last, before = curve[-1], curve[-2]
        growth = {'from': before['hosts'], 'to': last['hosts'],
                  'ocsp': statistics.median(last['per_host_ms']['ocsp'])
                  / statistics.median(before['per_host_ms']['ocsp'])}
    return {'sizes': curve, 'growth': growth}


def load_average():
    """The 1, 5 and 15-minute load averages, as /proc/loadavg gives them."""
    try:
        with open('/proc/loadavg') as handle:
            return ' '.join(handle.read().split()[:3])
    except OSError:
        return '? ? ?'


def load_note():
    return 'load average %s, %d CPUs' % (load_average(), os.cpu_count() or 0)


def _met(name, value):
    target = TARGETS.get(name)
    if target is None:
        return '', ''
    return '≤ %.2f' % target, 'yes' if value <= target else '**no**'


def report(result):
    """The results as Markdown: per-item costs, ratios, requests, fleet."""
    costs, cpu, req = result['costs'], result['cpu'], result['requests']
    lines = [
        'Run of %s on %s, Python %s, ansible-core %s; loop: n=%d items per playbook, %d rounds; '
        'empty playbook %.2f s wall, %.2f s CPU (medians). Load before: %s; 1-minute load average after '
        'each round: %s; after: %s.' % (
            result['date'], result['machine'], result['python'], result['ansible'], result['n'],
            result['rounds'], statistics.median(result['empty']['wall_s']), statistics.median(result['empty']['cpu_s']),
            result['load_before'], ', '.join('%.1f' % x for x in result['empty']['load_per_round']),
            result['load_after']),
        '',
        '### Loop: one task on localhost, n items',
        '',
        '| case | wall ms per item, median | min | max | median ÷ ping median | CPU ms per item, median | '
        'requests per item | connections per item |',
        '|---|---:|---:|---:|---:|---:|---|---:|',
    ]
    ping = statistics.median(costs['ping'])
    labels = dict(LABELS)
    if 'ocsp_variant' in costs:
        labels['ocsp_variant'] = '%s, converged' % (result.get('variant_label') or 'variant ' + result['variant'])
    for case, label in labels.items():
        median = statistics.median(costs[case])
        counted = req.get(case)
        if counted:
            requests = '%g (GET %g, PUT %g)' % (counted['all'], counted['GET'], counted['PUT'])
            connections = '%g' % counted['connections']
        else:
            requests = connections = ''
        if case == 'uri':
            requests = '1 (GET), PUT skipped'
        lines.append('| %s | %.1f | %.1f | %.1f | %.3f | %.1f | %s | %s |' % (
            label, median, min(costs[case]), max(costs[case]), median / ping, statistics.median(cpu[case]),
            requests, connections))
    lines += ['', '| ratio: median over the rounds of the ratio within a round | wall time | target | met | '
              'CPU time |', '|---|---:|---:|---|---:|']
    for name, values in result['ratios'].items():
        value = statistics.median(values)
        target, met = _met(name, value)
        lines.append('| %s | %.3f | %s | %s | %.3f |' % (
            name, value, target, met, statistics.median(result['cpu_ratios'][name])))
    if result.get('databases'):
        lines += databases_report(result['databases'])
    if result.get('fleet'):
        lines += fleet_report(result['fleet'])
    if result.get('chart_missing'):
        lines += ['', 'No chart in this run: %s.' % result['chart_missing']]
    return '\n'.join(lines)


def _spread(values, form='%.2f'):
    return (form + ' (%s to %s)') % (statistics.median(values), form % min(values), form % max(values))


def databases_report(found):
    """The databases' figures as Markdown: database_info over many
    databases, as a playbook and as a direct run; the waited creates."""
    lines = []
    rounds = found['rounds']
    if rounds:
        count = found['databases']
        task = [r['wall_s'] - statistics.median(x['empty_wall_s'] for x in rounds) for r in rounds]
        direct = [r['direct'] for r in rounds]
        lines += [
            '', '### database_info over a cluster of %d databases' % count, '',
            'Every database active; %d round%s, each the empty playbook then one `database_info` task on localhost '
            '(direct execution), then the same read in a Python process of its own '
            '([benchmarks/database_info_direct.py](../benchmarks/database_info_direct.py)). Memory: the peak PSS of '
            "the playbook's process tree and the peak RSS of ansible-playbook and of its workers (sampled every "
            '50 ms; the task runs in a worker); for the direct run, its peak RSS (VmHWM) over its RSS before the '
            'run, and the peak of its Python allocations (tracemalloc, in a second run). Measured %s; load average '
            'before %s, '
            'after %s.' % (len(rounds), 's' if len(rounds) > 1 else '', found['date'], found['load_before'],
                           found['load_after']), '',
            '| run | wall s, median (min to max) | requests | peak PSS of the process tree, MiB | peak RSS of '
            'ansible-playbook, MiB | peak RSS of a worker, MiB |', '|---|---|---|---:|---:|---:|',
            '| empty playbook | %s |  | %.0f | %.0f | %.0f |' % (
                _spread([r['empty_wall_s'] for r in rounds]), max(r['empty_peak_tree_pss_mib'] for r in rounds),
                max(r['empty_controller_peak_rss_mib'] for r in rounds),
                max(r['empty_worker_peak_rss_mib'] for r in rounds)),
            '| `database_info`, %d databases | %s | %s | %.0f | %.0f | %.0f |' % (
                count, _spread([r['wall_s'] for r in rounds]),
                ', '.join('%d %s' % (number, kind) for kind, number in sorted(rounds[0]['requests'].items())),
                max(r['peak_tree_pss_mib'] for r in rounds), max(r['controller_peak_rss_mib'] for r in rounds),
                max(r['worker_peak_rss_mib'] for r in rounds)),
            '', "The task's own time, the playbook's minus the empty playbook's median: %s s." % _spread(task),
            '', '| direct run | seconds, median (min to max) | peak RSS over the RSS before the run, MiB (largest) | '
            'RSS before the run (Python, ansible-core, requests), MiB | Python allocations at their peak, MiB | '
            'databases returned | result as JSON, MiB |', '|---|---|---:|---:|---:|---:|---:|',
            '| `database_info`, %d databases | %s | %.1f | %.0f | %.1f | %d | %.1f |' % (
                count, _spread([d['seconds'] for d in direct], '%.3f'), max(d['rss_growth_mib'] for d in direct),
                statistics.median(d['rss_before_mib'] for d in direct),
                max(d['traced_peak_mib'] for d in direct), direct[0]['databases'],
                direct[0]['result_bytes'] / 1024.0 / 1024.0)]
    if found['creates']:
        lines += [
            '', '### Requests of a create waited for', '',
            "One `redis.enterprise.database` create (`wait: true`), its action pending on the simulator's clock "
            'at real time (speed 1); the polls the waiter made, against those its backoff schedule predicts '
            '(a poll at once, then after %g s, doubling up to %g s: `_wait.py`).'
            % (_wait.FIRST_DELAY, _wait.LONGEST_DELAY), '',
            '| action pending, s | requests | of which | action polls | polls the backoff predicts | the '
            "backoff's last poll at, s | waited, s (the task's `waited`) |", '|---:|---:|---|---:|---:|---:|---:|']
        for create in found['creates']:
            lines.append('| %g | %d | %s | %d | %d | %.2f | %.2f |' % (
                create['pending_s'], create['requests'],
                ', '.join('%d %s' % (number, kind) for kind, number in sorted(create['calls'].items())),
                create['action_polls'], create['backoff_polls'], create['backoff_last_poll_s'], create['waited_s']))
    return lines


def fleet_report(found):
    """The fleet curve as Markdown: per size, the cases side by side; then
    the ratios and the growth."""
    sizes = found['sizes']
    lines = ['', '### Fleet curve: one converged task per host (one simulated cluster each), connection local',
             '', 'Hosts %s, forks %s, rounds %s; one simulator serves every cluster. Per host: (the playbook\'s '
             'wall time − the empty playbook\'s over the same hosts) ÷ hosts.' % (
                 ', '.join('%d' % s['hosts'] for s in sizes), ', '.join('%d' % s['forks'] for s in sizes),
                 ', '.join('%d' % len(s['runs']['empty']) for s in sizes)), '',
             '| hosts | fleet case | wall s (median) | ms per host, median | ÷ ping | peak PSS of the controller '
             'process tree, MiB | peak RSS of ansible-playbook, MiB | requests per cluster |',
             '|---:|---|---:|---:|---:|---:|---:|---|']
    for size in sizes:
        runs = size['runs']
        lines.append('| %d | empty playbook | %.1f |  |  | %.0f | %.0f |  |' % (
            size['hosts'], statistics.median(r['wall_s'] for r in runs['empty']),
            max(r['peak_tree_pss_mib'] for r in runs['empty']), max(r['controller_peak_rss_mib'] for r in runs['empty'])))
        ping = statistics.median(size['per_host_ms']['ping'])
        for case, label in FLEET_LABELS.items():
            low = min(r['requests_min'] for r in runs[case])
            high = max(r['requests_max'] for r in runs[case])
            requests = '' if case == 'ping' else ('%d' % low) if low == high else '%d to %d' % (low, high)
            per_host = statistics.median(size['per_host_ms'][case])
            lines.append('| %d | %s | %.1f | %.1f | %.3f | %.0f | %.0f | %s |' % (
                size['hosts'], label, statistics.median(r['wall_s'] for r in runs[case]), per_host, per_host / ping,
                max(r['peak_tree_pss_mib'] for r in runs[case]),
                max(r['controller_peak_rss_mib'] for r in runs[case]), requests))
    largest = sizes[-1]
    lines += ['', '| fleet ratio: median over the rounds of the per-host ratio within a round | %s | target at %d '
              '| met |' % (' | '.join('%d hosts' % s['hosts'] for s in sizes), largest['hosts']),
              '|---|%s---:|---|' % ('---:|' * len(sizes))]
    for name in largest['ratios']:
        value = statistics.median(largest['ratios'][name])
        target, met = _met(name, value)
        lines.append('| %s | %s | %s | %s |' % (
            name, ' | '.join('%.3f' % statistics.median(s['ratios'][name]) for s in sizes), target, met))
    growth = found.get('growth')
    if growth:
        target, met = _met('fleet ocsp growth', growth['ocsp'])
        lines += ['', 'Growth of direct execution\'s per-host cost from %d to %d hosts: %.3f times (target %s; met: '
                  '%s).' % (growth['from'], growth['to'], growth['ocsp'], target, met)]
    peaks = ['%d hosts: %.0f MiB against %.0f MiB (%s)' % (
        s['hosts'], max(r['peak_tree_pss_mib'] for r in s['runs']['ocsp']),
        max(r['peak_tree_pss_mib'] for r in s['runs']['uri']),
        'below' if max(r['peak_tree_pss_mib'] for r in s['runs']['ocsp'])
        < max(r['peak_tree_pss_mib'] for r in s['runs']['uri']) else '**not below**') for s in sizes]
    lines += ['', 'Peak memory of the process tree, ocsp direct against the uri pair (target: below): %s.'
              % '; '.join(peaks)]
    return lines


def chart(result, path):
    import matplotlib  # only the chart needs it
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    loop = ['ping', 'uri', 'ocsp_module', 'ocsp', 'ocsp_check_diff', 'ocsp_drifted']
    names = {'ping': 'ping', 'uri': 'uri GET +\nskipped PUT', 'ocsp_module': 'ocsp\nmodule path',
             'ocsp': 'ocsp\ndirect', 'ocsp_check_diff': 'ocsp direct\n--check --diff',
             'ocsp_drifted': 'ocsp direct\ndrifted'}
    colors = {'ping': '#9e9e9e', 'uri': '#5c85d6', 'ocsp_module': '#ff7f0e', 'ocsp': '#d62728',
              'ocsp_check_diff': '#e377c2', 'ocsp_drifted': '#8c564b'}
    if 'ocsp_variant' in result['costs']:
        loop.insert(3, 'ocsp_variant')
        names['ocsp_variant'] = textwrap.fill((result.get('variant_label') or 'variant').split(',')[0], 16)
        colors['ocsp_variant'] = '#bcbd22'
    panels = [('Loop on localhost: wall ms per item', result['costs'], loop)]
    curve = result.get('fleet') and result['fleet']['sizes']
    fig, axes = plt.subplots(1, 2 if curve else 1, figsize=(13 if curve else 6.5, 4.8), dpi=100, squeeze=False)
    for ax, (title, data, cases) in zip(axes[0], panels):
        medians = [statistics.median(data[c]) for c in cases]
        ax.bar(range(len(cases)), medians, color=[colors[c] for c in cases], width=0.6)
        for i, case in enumerate(cases):
            ax.scatter([i + 0.2] * len(data[case]), data[case], color='black', s=8, zorder=3)
            ax.annotate('%.1f' % medians[i], (i, medians[i]), textcoords='offset points', xytext=(-8, 3),
                        ha='center', fontsize=9)
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([names[c] for c in cases], fontsize=8)
        ax.set_ylabel('ms')
        ax.set_title(title, fontsize=10)
    if curve:
        ax = axes[0][1]
        hosts = [s['hosts'] for s in curve]
        for case, label in (('ping', 'ping'), ('uri', 'uri pair'), ('ocsp_module', 'ocsp module path'),
                            ('ocsp', 'ocsp direct'), ('audit', 'audit example, direct')):
            values = [statistics.median(s['per_host_ms'][case]) for s in curve]
            ax.plot(hosts, values, marker='o', label=label, color=colors.get(case, '#2ca02c'))
            ax.annotate('%.1f' % values[-1], (hosts[-1], values[-1]), textcoords='offset points', xytext=(4, 0),
                        fontsize=8)
        ax.set_xscale('log')
        ax.set_xticks(hosts)
        ax.set_xticklabels(['%d' % h for h in hosts])
        ax.set_xlabel('hosts (forks %s)' % ', '.join('%d' % s['forks'] for s in curve))
        ax.set_ylabel('wall ms per host')
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
        ax.set_title('Fleet curve: wall ms per host, one task per host', fontsize=10)
    fig.suptitle('redis.enterprise.ocsp, converged, direct execution and module path, against ping and the uri '
                 'pair; bars: median, dots: rounds (n=%d, %d rounds)' % (result['n'], result['rounds']), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_doc(path, table, begin=DOC_BEGIN, end=DOC_END):
    """Replace what stands between the begin and end markers of path with table."""
    with open(path) as handle:
        text = handle.read()
    head, sep, rest = text.partition(begin)
    sep2, tail = rest.partition(end)[1:]
    if not (sep and sep2):
        raise SystemExit('%s lacks the %s ... %s markers' % (path, begin, end))
    with open(path, 'w') as handle:
        handle.write(head + begin + '\n' + table + '\n' + end + tail)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('-n', type=int, default=50, help='loop items per playbook (default 50)')
    parser.add_argument('--rounds', type=int, default=7, help='rounds of the interleaved cases (default 7)')
    parser.add_argument('--fleet-sizes', default=FLEET_SIZES,
                        help='hosts of the fleet curve, comma-separated (default %s), 0 to skip it' % FLEET_SIZES)
    parser.add_argument('--fleet-rounds', default=FLEET_ROUNDS,
                        help='rounds at each fleet size, comma-separated, or one for all (default %s)' % FLEET_ROUNDS)
    parser.add_argument('--forks', type=int, default=50, help='forks of the fleet cases (default 50)')
    parser.add_argument('--no-warm-up', dest='warm_up', action='store_false',
                        help='skip the warm-up round (for a check that the benchmark runs, not a measurement)')
    parser.add_argument('--collections', help='where redis.enterprise is (default: build/collections), '
                        'to measure a variant of the collection')
    parser.add_argument('--variant', default=FLOOR, help='also measure, interleaved, the converged ocsp task of the '
                        'collection found under this collections path; by default benchmarks/floor, whose module '
                        'only builds an AnsibleModule and makes one requests.get')
    parser.add_argument('--variant-label', default='floor: AnsibleModule + requests.get, module path',
                        help='how the tables name the variant')
    parser.add_argument('--databases', type=int, default=DATABASES,
                        help='databases of the cluster database_info reads (default %d), 0 to skip it' % DATABASES)
    parser.add_argument('--database-rounds', type=int, default=DATABASE_ROUNDS,
                        help='rounds of database_info (default %d)' % DATABASE_ROUNDS)
    parser.add_argument('--create-pending', default=CREATE_PENDING,
                        help='seconds the action of each waited create stays pending, comma-separated (default %s), '
                        'empty to skip them' % CREATE_PENDING)
    parser.add_argument('--reuse', metavar='JSON',
                        help="the --json of an earlier run: its loop and fleet figures are kept as they are, and only "
                        "the databases' are measured again (the page gives each its own date and load)")
    parser.add_argument('--json', help='write the raw results here')
    parser.add_argument('--chart', help='write the chart (PNG, needs matplotlib) here')
    parser.add_argument('--doc', help='replace the results between the bench markers of this Markdown file')
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.fleet_sizes.split(',') if int(size)]
    rounds = [int(count) for count in args.fleet_rounds.split(',')]
    if len(rounds) == 1:
        rounds *= len(sizes)
    if sizes and len(rounds) != len(sizes):
        parser.error('--fleet-rounds gives %d values for %d fleet sizes' % (len(rounds), len(sizes)))

    import ansible.release  # the ansible-core the playbooks run with

    pendings = [float(value) for value in args.create_pending.split(',') if value.strip()]
    if args.reuse:
        with open(args.reuse) as handle:
            result = json.load(handle)
        result.pop('databases', None)
        # In the order the tables give them, which the file's sorted keys lost.
        result.update(ratios=ratios(result['costs']), cpu_ratios=ratios(result['cpu']))
        for size in (result.get('fleet') or {}).get('sizes', ()):
            size['ratios'] = dict((name, size['ratios'][name]) for name in FLEET_RATIOS)
        sizes = [size['hosts'] for size in result['fleet']['sizes']] if result.get('fleet') else []
    else:
        result = {
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'machine': '%s %s' % (platform.system(), platform.machine()),
            'python': platform.python_version(), 'ansible': ansible.release.__version__,
            'n': args.n, 'rounds': args.rounds, 'load_before': load_note(), 'variant': args.variant,
            'variant_label': args.variant_label,
        }
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-bench-') as workdir:
        with simlib.Simulator(os.path.join(workdir, 'certs'), responder_url=simlib.RESPONDER_URL) as sim:
            count_connections(sim)
            runner = Runner(sim, workdir, collections=args.collections, variant=args.variant)
            if not args.reuse:
                costs, cpu, requests, empty = measure(runner, args.n, args.rounds, warm_up=args.warm_up)
                requests = dict((case, per_task_requests(r)) for case, r in requests.items())
                result.update(costs=costs, cpu=cpu, requests=requests, empty=empty, ratios=ratios(costs),
                              cpu_ratios=ratios(cpu))
            if args.databases or pendings:
                result['databases'] = databases(runner, args.databases, args.database_rounds, pendings)
    if sizes and not args.reuse:
        result['fleet'] = fleet_curve(sizes, rounds, args.forks, collections=args.collections)
    if not args.reuse:
        result['load_after'] = load_note()
    requests = result['requests']
    if args.chart:
        try:
            import matplotlib  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        except ImportError:
            # The figures stand without it; the chart is left as it was, and the page says so.
            result['chart_missing'] = 'matplotlib is not installed in the Python that ran it (%s)' % sys.executable
            args.chart = None
    table = report(result)
    print()
    print(table)
    print()
    found = dict((name, statistics.median(values)) for name, values in result['ratios'].items())
    if sizes:
        # The fleet ratios of the largest fleet, which the targets are for.
        found.update((name, statistics.median(values)) for name, values in result['fleet']['sizes'][-1]['ratios'].items())
        if result['fleet']['growth']:
            found['fleet ocsp growth'] = result['fleet']['growth']['ocsp']
    for name in TARGETS:
        if name in found:
            print('%s = %.3f' % (name, found[name]))
    for case in [c for c in requests if c.startswith(('ocsp', 'database'))]:
        print('requests per %s item: %g (GET %g, PUT %g), connections %g' % (
            case, requests[case]['all'], requests[case]['GET'], requests[case]['PUT'],
            requests[case]['connections']))
    for run in (result.get('databases') or {}).get('rounds', ())[:1]:
        print('database_info over %d databases: requests %s' % (result['databases']['databases'], run['requests']))
    for create in (result.get('databases') or {}).get('creates', ()):
        print('requests per waited create, pending %g s: %d (action polls %d, the backoff predicts %d)' % (
            create['pending_s'], create['requests'], create['action_polls'], create['backoff_polls']))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(result, handle, indent=1, sort_keys=True)
    if args.chart:
        chart(result, args.chart)
    if args.doc:
        write_doc(args.doc, table + '\n\n![Per-task cost of ping, uri and ocsp](%s)' % os.path.relpath(
            args.chart, os.path.dirname(os.path.abspath(args.doc))) if args.chart else table)
    return 0


if __name__ == '__main__':
    sys.exit(main())

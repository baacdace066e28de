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
drifted; then again), each looping n times over its task on localhost. A
case's per-item cost in a round is (its time - the empty playbook's time)
/ n; ratios are taken within a round and their median over the rounds is
reported, so that load on the machine shifts both sides of a ratio alike.
The simulator's request log gives the HTTP requests each task made.

The fleet case: one task on 100 hosts (one cluster each, connection local)
with 20 forks, for the empty playbook, ping, the uri pair, ocsp direct and
ocsp module path, in rounds; per-host cost (time - empty) / hosts, ratios
within a round, and the peak memory of the controller's process tree.

No network beyond loopback. Needs the collection linked under
build/collections (make does it); the chart needs matplotlib.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, 'playbooks')
# A collection whose ocsp module is the floor of any module on requests.
FLOOR = os.path.join(HERE, 'floor')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

import redis_enterprise_sim as simlib  # noqa: E402  pylint: disable=wrong-import-position

DESIRED = {
    'ocsp_functionality': True,
    'query_frequency': 3600,
    'response_timeout': 2,
    'recovery_frequency': 60,
    'recovery_max_tries': 5,
}
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
}
LABELS = {
    'ping': 'ansible.builtin.ping',
    'uri': 'ansible.builtin.uri GET + skipped PUT',
    'ocsp': 'redis.enterprise.ocsp, converged, direct',
    'ocsp_check_diff': 'redis.enterprise.ocsp, converged, --check --diff, direct',
    'ocsp_drifted': 'redis.enterprise.ocsp, drifted (GET + PUT), direct',
    'ocsp_module': 'redis.enterprise.ocsp, converged, module path',
    'ocsp_module_drifted': 'redis.enterprise.ocsp, drifted (GET + PUT), module path',
}
# Fleet cases: one task per host.
FLEET_CASES = {
    'empty': ('empty.yml', {}),
    'ping': ('ping.yml', {'n': 1}),
    'uri': ('fleet_uri.yml', {}),
    'ocsp': ('fleet_ocsp.yml', {}),
    'ocsp_module': ('fleet_ocsp.yml', MODULE_PATH),
}
FLEET_LABELS = {
    'ping': 'ansible.builtin.ping',
    'uri': 'ansible.builtin.uri GET + skipped PUT',
    'ocsp': 'redis.enterprise.ocsp, direct',
    'ocsp_module': 'redis.enterprise.ocsp, module path',
}
TARGETS = {
    'ocsp/ping': 0.08, 'ocsp/uri': 0.06, 'ocsp module/ping': 1.35,
    'fleet ocsp/ping': 0.15, 'fleet ocsp/uri': 0.12,
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
        common = {'cluster_ca': sim.ca_path, 'cluster_user': simlib.ADMIN_USER,
                  'cluster_password': simlib.ADMIN_PASSWORD, 'desired': DESIRED}
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
        self.fleet_inventory = os.path.join(workdir, 'fleet.ini')
        with open(self.fleet_inventory, 'w') as handle:
            handle.write('[bench]\n')
            for index, url in enumerate(sim.urls):
                handle.write('cluster%03d ansible_connection=local ansible_python_interpreter=%s cluster_url=%s\n'
                             % (index + 1, python, url))

    def converge(self):
        """Every cluster as desired, its request log empty."""
        for server in self.sim.servers:
            server.cluster.reset()
            server.cluster.update({'config': DESIRED})
            server.accepted = 0

    def command(self, playbook, args, extra, inventory=None, forks=1):
        vars_file = self.fleet_vars_file if inventory == self.fleet_inventory else self.vars_file
        return ([self.playbook, '-i', inventory or self.inventory, '-f', str(forks), '-e', '@' + vars_file,
                 '-e', json.dumps(extra)] + list(args) + [os.path.join(PLAYBOOKS, playbook)])

    def run(self, case, n=1, fleet=False, forks=1, watch=False):
        """Wall seconds the playbook of a case took, CPU seconds of its
        process tree (ansible-playbook, workers, modules: less disturbed by
        other load than wall time), and the peak memory when watched."""
        self.converge()
        if fleet:
            playbook, extra = FLEET_CASES[case]
            command = self.command(playbook, [], dict({'n': 1}, **extra), self.fleet_inventory, forks)
        else:
            playbook, args, extra = CASES[case.replace('_variant', '')]
            command = self.command(playbook, args, dict(extra, n=n))
        env = self.env
        if case == 'ocsp_variant':
            env = dict(env, ANSIBLE_COLLECTIONS_PATH=self.variant)
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
    the ansible-playbook process tree, modules included, and the high-water
    RSS of ansible-playbook itself."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.peak_tree_kib = 0
        self.peak_processes = 0
        self.controller_hwm_kib = 0
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
            self._stop.wait(interval)

    def stop(self):
        self._stop.set()
        self._thread.join()


def measure(runner, n, rounds, log=print):
    """Per-item wall and CPU milliseconds of every loop case, one value per
    round, and the requests and connections per item of each round.

    The empty playbook runs first in every round; what is subtracted is the
    median of its times over the rounds, so that one slow start of
    ansible-playbook does not distort a whole round."""
    cases = [c for c in CASES if c != 'empty'] + (['ocsp_variant'] if runner.variant else [])
    wall = {case: [] for case in ['empty'] + cases}
    used = {case: [] for case in ['empty'] + cases}
    requests = {case: [] for case in cases if case.startswith('ocsp')}
    loads = []
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


def fleet(runner, rounds, forks, log=print):
    """Per fleet case and round: wall time, per-host cost, peak memory and
    the requests each cluster saw."""
    hosts = len(runner.sim.clusters)
    results = dict((case, []) for case in FLEET_CASES)
    for index in range(rounds):
        for case in FLEET_CASES:
            elapsed, _cpu, watcher = runner.run(case, fleet=True, forks=forks, watch=True)
            counted = [runner.requests(i)['all'] for i in range(hosts)]
            results[case].append({'wall_s': elapsed, 'peak_tree_pss_mib': watcher.peak_tree_kib / 1024.0,
                                  'controller_peak_rss_mib': watcher.controller_hwm_kib / 1024.0,
                                  'peak_processes': watcher.peak_processes,
                                  'requests_min': min(counted), 'requests_max': max(counted)})
            log('fleet round %d/%d %s: %.1fs, peak tree PSS %.0f MiB, controller peak RSS %.0f MiB'
                % (index + 1, rounds, case, elapsed, results[case][-1]['peak_tree_pss_mib'],
                   results[case][-1]['controller_peak_rss_mib']))
    empty = statistics.median(r['wall_s'] for r in results['empty'])
    per_host = dict((case, [(r['wall_s'] - empty) * 1000.0 / hosts for r in runs])
                    for case, runs in results.items() if case != 'empty')
    return {'runs': results, 'per_host_ms': per_host, 'ratios': {
        'fleet ocsp/ping': _over(per_host, 'ocsp', 'ping'),
        'fleet ocsp/uri': _over(per_host, 'ocsp', 'uri'),
        'fleet ocsp module/ping': _over(per_host, 'ocsp_module', 'ping'),
        'fleet ocsp/ocsp module': _over(per_host, 'ocsp', 'ocsp_module'),
    }}


def load_note():
    try:
        with open('/proc/loadavg') as handle:
            load = handle.read().split()[:3]
    except OSError:
        load = ['?'] * 3
    return 'load average %s, %d CPUs' % (' '.join(load), os.cpu_count() or 0)


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
    if result.get('fleet'):
        found = result['fleet']
        runs = found['runs']
        lines += ['', '### Fleet: %d hosts (one simulated cluster each), connection local, forks %d, one converged '
                  'task per host, %d rounds' % (result['fleet_hosts'], result['forks'], len(runs['empty'])), '',
                  'Empty playbook over the fleet: %.1f s (median).' % statistics.median(
                      r['wall_s'] for r in runs['empty']), '',
                  '| fleet case | wall s (median) | ms per host, median | ÷ ping | peak PSS of the controller '
                  'process tree, MiB | peak RSS of ansible-playbook, MiB | requests per cluster |',
                  '|---|---:|---:|---:|---:|---:|---|']
        ping = statistics.median(found['per_host_ms']['ping'])
        for case, label in FLEET_LABELS.items():
            low = min(r['requests_min'] for r in runs[case])
            high = max(r['requests_max'] for r in runs[case])
            if case == 'ping':
                requests = ''
            else:
                requests = ('%d' % low) if low == high else '%d to %d' % (low, high)
            per_host = statistics.median(found['per_host_ms'][case])
            lines.append('| %s | %.1f | %.1f | %.3f | %.0f | %.0f | %s |' % (
                label, statistics.median(r['wall_s'] for r in runs[case]), per_host, per_host / ping,
                max(r['peak_tree_pss_mib'] for r in runs[case]), max(r['controller_peak_rss_mib'] for r in runs[case]),
                requests))
        lines += ['', '| fleet ratio: median over the rounds of the per-host ratio within a round | value | target '
                  '| met |', '|---|---:|---:|---|']
        for name, values in found['ratios'].items():
            value = statistics.median(values)
            target, met = _met(name, value)
            lines.append('| %s | %.3f | %s | %s |' % (name, value, target, met))
        peak = dict((case, max(r['peak_tree_pss_mib'] for r in runs[case])) for case in ('ocsp', 'uri'))
        met = 'yes' if peak['ocsp'] <= peak['uri'] else '**no**'
        lines += ['', 'Peak memory of the process tree, ocsp direct against the uri pair: %.0f MiB against %.0f MiB '
                  '(target: no more; met: %s).' % (peak['ocsp'], peak['uri'], met)]
    return '\n'.join(lines)


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
    if result.get('fleet'):
        panels.append(('Fleet of %d hosts, forks %d: wall ms per host' % (result['fleet_hosts'], result['forks']),
                       result['fleet']['per_host_ms'], ['ping', 'uri', 'ocsp_module', 'ocsp']))
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), dpi=100, squeeze=False)
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
    fig.suptitle('redis.enterprise.ocsp, converged, direct execution and module path, against ping and the uri '
                 'pair; bars: median, dots: rounds (n=%d, %d rounds)' % (result['n'], result['rounds']), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_doc(path, table):
    with open(path) as handle:
        text = handle.read()
    head, sep, rest = text.partition(DOC_BEGIN)
    sep2, tail = rest.partition(DOC_END)[1:]
    if not (sep and sep2):
        raise SystemExit('%s lacks the %s ... %s markers' % (path, DOC_BEGIN, DOC_END))
    with open(path, 'w') as handle:
        handle.write(head + DOC_BEGIN + '\n' + table + '\n' + DOC_END + tail)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('-n', type=int, default=50, help='loop items per playbook (default 50)')
    parser.add_argument('--rounds', type=int, default=7, help='rounds of the interleaved cases (default 7)')
    parser.add_argument('--fleet-hosts', type=int, default=100, help='hosts of the fleet case, 0 to skip it')
    parser.add_argument('--fleet-rounds', type=int, default=3, help='rounds of the fleet case (default 3)')
    parser.add_argument('--forks', type=int, default=20, help='forks of the fleet case (default 20)')
    parser.add_argument('--collections', help='where redis.enterprise is (default: build/collections), '
                        'to measure a variant of the collection')
    parser.add_argument('--variant', default=FLOOR, help='also measure, interleaved, the converged ocsp task of the '
                        'collection found under this collections path; by default benchmarks/floor, whose module '
                        'only builds an AnsibleModule and makes one requests.get')
    parser.add_argument('--variant-label', default='floor: AnsibleModule + requests.get, module path',
                        help='how the tables name the variant')
    parser.add_argument('--json', help='write the raw results here')
    parser.add_argument('--chart', help='write the chart (PNG, needs matplotlib) here')
    parser.add_argument('--doc', help='replace the results between the bench markers of this Markdown file')
    args = parser.parse_args(argv)

    import ansible.release  # the ansible-core the playbooks run with

    result = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'machine': '%s %s' % (platform.system(), platform.machine()),
        'python': platform.python_version(), 'ansible': ansible.release.__version__,
        'n': args.n, 'rounds': args.rounds, 'load_before': load_note(), 'variant': args.variant,
        'variant_label': args.variant_label,
    }
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-bench-') as workdir:
        with simlib.Simulator(os.path.join(workdir, 'certs'), clusters=max(1, args.fleet_hosts),
                              responder_url=simlib.RESPONDER_URL) as sim:
            count_connections(sim)
            runner = Runner(sim, workdir, collections=args.collections, variant=args.variant)
            costs, cpu, requests, empty = measure(runner, args.n, args.rounds)
            requests = dict((case, per_task_requests(r)) for case, r in requests.items())
            result.update(costs=costs, cpu=cpu, requests=requests, empty=empty, ratios=ratios(costs),
                          cpu_ratios=ratios(cpu))
            if args.fleet_hosts:
                result.update(fleet=fleet(runner, args.fleet_rounds, args.forks), fleet_hosts=args.fleet_hosts,
                              forks=args.forks)
    result['load_after'] = load_note()
    table = report(result)
    print()
    print(table)
    print()
    found = dict(result['ratios'], **(result['fleet']['ratios'] if args.fleet_hosts else {}))
    for name in TARGETS:
        if name in found:
            print('%s = %.3f' % (name, statistics.median(found[name])))
    for case in [c for c in requests if c.startswith('ocsp')]:
        print('requests per %s item: %g (GET %g, PUT %g), connections %g' % (
            case, requests[case]['all'], requests[case]['GET'], requests[case]['PUT'],
            requests[case]['connections']))
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

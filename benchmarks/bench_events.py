# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source redis.enterprise.cluster_events watching a fleet of
simulated clusters (1,000 by default) at interval 60: whether every poll
round ends within its interval, the CPU seconds and the peak memory it
takes, the requests and connections per cluster and round, and whether its
event loop keeps running while the polls' requests block.

The simulator serves the fleet from a process of its own (stapling on, no
database and no database's certificate, so a poll is its six GETs:
/v1/ocsp, /v1/ocsp/status, /v1/cluster/certificates, /v1/bdbs/certificates,
/v1/license, /v1/bdbs), so that its work is not counted as the source's. The source
runs here, in an event loop with a ticker task that wakes every 50 ms and
records how late it wakes: the loop's lag. First the normal rounds, the
first of which opens every connection; then the slow rounds, in which some
clusters take a second over each answer, so that requests block in the
pool's threads while the loop goes on.

Round durations come from the source's own record of each round (its debug
log); requests and connections from the simulator's request log (distinct
client ports per cluster). No network beyond loopback. Needs the collection
linked under build/collections (make does it).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import os
import platform
import resource
import runpy
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCE = os.path.join(ROOT, 'build', 'collections', 'ansible_collections', 'redis', 'enterprise', 'extensions', 'eda',
                      'plugins', 'event_source', 'cluster_events.py')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

import redis_enterprise_sim as simlib  # noqa: E402  pylint: disable=wrong-import-position

# benchmarks/bench.py, beside this file: its write_doc.
import bench  # noqa: E402  pylint: disable=wrong-import-position

DOC_BEGIN = '<!-- bench-events:begin -->'
DOC_END = '<!-- bench-events:end -->'
TICK = 0.05


def serve(clusters, ready_file, cert_dir):
    """The simulator of the fleet, in this process until stdin closes."""
    sim = simlib.Simulator(cert_dir, clusters=clusters, responder_url=simlib.RESPONDER_URL)
    for cluster in sim.clusters:
        cluster.update({'config': {'ocsp_functionality': True}, 'status': simlib.fresh_status('GOOD')})
    # Idle servers look at their stop flag every 2 s rather than 0.2 s: a thousand cost next to nothing.
    sim.start(poll_interval=2.0)
    with open(ready_file + '.tmp', 'w') as handle:
        json.dump({'urls': sim.urls, 'ca_path': sim.ca_path}, handle)
    os.replace(ready_file + '.tmp', ready_file)
    sys.stdin.read()
    sim.stop()
    return 0


class Simulated:
    """The simulator's process, and its control calls."""

    def __init__(self, clusters, workdir):
        ready = os.path.join(workdir, 'ready.json')
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--serve', str(clusters),
                                      '--ready-file', ready, '--cert-dir', os.path.join(workdir, 'certs')],
                                     stdin=subprocess.PIPE)
        deadline = time.monotonic() + 600
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the simulator did not start')
            time.sleep(0.2)
        with open(ready) as handle:
            found = json.load(handle)
        self.urls, self.ca_path = found['urls'], found['ca_path']
        self.control = requests.Session()

    def state(self, url, changes=None):
        if changes is None:
            answer = self.control.get(url + '/_sim/state', verify=self.ca_path, timeout=60)
        else:
            answer = self.control.put(url + '/_sim/state', json=changes, verify=self.ca_path, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.proc.pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def stop(self):
        self.control.close()
        self.proc.stdin.close()
        self.proc.wait(120)


class Rounds(logging.Handler):
    """The source's record of each round it ends, with the process's CPU
    time and the pool's threads then."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.rounds = []

    def emit(self, record):
        found = getattr(record, 'redis_enterprise_round', None)
        if found is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        pool = sum(1 for thread in threading.enumerate() if thread.name.startswith('redis-enterprise-poll'))
        self.rounds.append(dict(found, ended=time.monotonic(), cpu=usage.ru_utime + usage.ru_stime, pool_threads=pool))


class Queue:
    """What ansible-rulebook gives the source: events counted, then dropped."""

    def __init__(self):
        self.events = 0

    async def put(self, event):
        self.events += 1


async def watch(source, args, rounds_wanted, handler, lags, on_round=None):
    """The source running until it ended rounds_wanted rounds, a ticker beside it."""
    queue = Queue()
    task = asyncio.ensure_future(source['main'](queue, args))
    loop = asyncio.get_running_loop()
    seen = 0
    while len(handler.rounds) < rounds_wanted:
        if task.done():
            task.result()
            raise SystemExit('the source ended')
        before = loop.time()
        await asyncio.sleep(TICK)
        lags.append((len(handler.rounds), loop.time() - before - TICK))
        if on_round and len(handler.rounds) > seen:
            seen = len(handler.rounds)
            on_round(seen)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return queue.events


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(args):
    source = runpy.run_path(SOURCE)
    logger = logging.getLogger('redis.enterprise.cluster_events')
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = Rounds()
    logger.addHandler(handler)
    result = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
                  machine='%s %s, %d CPUs' % (platform.system(), platform.machine(), os.cpu_count() or 0),
                  python=platform.python_version(), clusters=args.clusters, interval=args.interval,
                  pool=source['MAX_WORKERS'], load_before=_load())
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-bench-events-') as workdir:
        sim = Simulated(args.clusters, workdir)
        try:
            watched = dict(clusters=sim.urls, username=simlib.ADMIN_USER, password=simlib.ADMIN_PASSWORD,
                           ca_path=sim.ca_path, interval=args.interval)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu_start, rss_start = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
            sim_cpu = [sim.cpu_seconds()]
            lags = []
            slow = sim.urls[:args.slow_clusters]

            def slow_down(ended):
                sim_cpu.append(sim.cpu_seconds())
                # The normal rounds done: some clusters slow down for the rest,
                # set from a thread, so that the loop's lag is the source's.
                if ended == args.rounds:
                    threading.Thread(target=lambda: [sim.state(url, {'faults': {'delay': args.slow_delay}})
                                                     for url in slow], daemon=True).start()

            events = asyncio.run(watch(source, watched, args.rounds + args.slow_rounds, handler, lags, slow_down))
            usage = resource.getrusage(resource.RUSAGE_SELF)
            peak_kib = usage.ru_maxrss
            logs = [sim.state(url)['requests'] for url in sim.urls]
        finally:
            sim.stop()
    rounds = handler.rounds
    cpu_marks = [cpu_start] + [r['cpu'] for r in rounds]
    for index, found in enumerate(rounds):
        found['cpu_seconds'] = cpu_marks[index + 1] - cpu_marks[index]
        found['simulator_cpu_seconds'] = sim_cpu[index + 1] - sim_cpu[index] if index + 1 < len(sim_cpu) else None
        found['slow'] = index >= args.rounds
        found['lag_max_ms'] = 1000 * max([lag for number, lag in lags if number == index] or [0.0])
    # A poll opens with GET /v1/ocsp: a cluster's polls, whichever rounds they were of.
    per_poll = [len(log) / len([e for e in log if (e['method'], e['path']) == ('GET', '/v1/ocsp')]) for log in logs]
    connections = [len(set(e.get('client_port') for e in log if e.get('client_port'))) for log in logs]
    result.update(
        rounds=rounds, events=events, peak_rss_mib=peak_kib / 1024.0, rss_before_mib=rss_start / 1024.0,
        requests_per_cluster_round=dict(min=min(per_poll), max=max(per_poll)),
        connections_per_cluster=dict(min=min(connections), max=max(connections)),
        lag_ms=dict(p50=1000 * percentile([lag for n, lag in lags], 0.5),
                    p99=1000 * percentile([lag for n, lag in lags], 0.99),
                    max=1000 * max(lag for n, lag in lags)),
        slow=dict(clusters=len(slow), delay=args.slow_delay), load_after=_load(),
        within=all(r['seconds'] <= args.interval for r in rounds),
        pool_threads_max=max(r['pool_threads'] for r in rounds))
    return result


def _load():
    with open('/proc/loadavg') as handle:
        return ' '.join(handle.read().split()[:3])


def report(result):
    lines = [
        'Run of %s on %s, Python %s: %d simulated clusters (stapling on, no database: six GETs per poll), '
        'interval %g s, a pool of %d threads. Load average before %s, after %s.' % (
            result['date'], result['machine'], result['python'], result['clusters'], result['interval'],
            result['pool'], result['load_before'], result['load_after']),
        '',
        '| round | clusters polled | duration (s) | within interval | CPU s (source) | CPU s (simulator) '
        '| loop lag max (ms) |',
        '|---|---|---|---|---|---|---|',
    ]
    for index, found in enumerate(result['rounds']):
        name = '%d%s' % (index + 1, ' (connections opened)' if index == 0 else
                         ' (%d clusters answer after %g s)' % (result['slow']['clusters'], result['slow']['delay'])
                         if found['slow'] else '')
        sim_cpu = found['simulator_cpu_seconds']
        lines.append('| %s | %d | %.2f | %s | %.2f | %s | %.1f |' % (
            name, found['clusters'], found['seconds'], 'yes' if found['seconds'] <= result['interval'] else '**no**',
            found['cpu_seconds'], '%.2f' % sim_cpu if sim_cpu is not None else '-', found['lag_max_ms']))
    steady = [r['cpu_seconds'] for index, r in enumerate(result['rounds']) if index and not r['slow']]
    lines += [
        '',
        '- Every round ended within its interval: %s.' % ('yes' if result['within'] else '**no**'),
        '- CPU seconds of the source per round, connections open: median %.2f (%.1f ms per cluster).' % (
            statistics.median(steady), 1000 * statistics.median(steady) / result['clusters']) if steady else
        '- CPU seconds of the source per round: see the table.',
        '- Peak memory (RSS high-water mark) of the source\'s process: %.0f MiB, %.0f MiB of it before the '
        'source started (Python, ansible-core, requests, cryptography and the simulator\'s client).' % (
            result['peak_rss_mib'], result['rss_before_mib']),
        '- Requests per cluster per round: %g to %g; connections per cluster over the whole run: %d to %d '
        '(one kept-alive connection each).' % (
            result['requests_per_cluster_round']['min'], result['requests_per_cluster_round']['max'],
            result['connections_per_cluster']['min'], result['connections_per_cluster']['max']),
        '- Events: %d (one for each condition of each cluster at start, none after: nothing changed).' % (
            result['events']),
        '- The event loop, ticking every %d ms beside the polls: late by %.1f ms at the median, %.1f ms at the 99th '
        'percentile, %.1f ms at most, also while %d clusters held the pool\'s threads for %g s a request; at most '
        '%d pool threads ran the polls.' % (
            1000 * TICK, result['lag_ms']['p50'], result['lag_ms']['p99'], result['lag_ms']['max'],
            result['slow']['clusters'], result['slow']['delay'], result['pool_threads_max']),
    ]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--clusters', type=int, default=1000, help='simulated clusters (default 1000)')
    parser.add_argument('--interval', type=float, default=60, help='the source\'s interval, seconds (default 60)')
    parser.add_argument('--rounds', type=int, default=4, help='normal rounds, the first opening the connections '
                        '(default 4)')
    parser.add_argument('--slow-rounds', type=int, default=2, help='rounds with slow clusters (default 2)')
    parser.add_argument('--slow-clusters', type=int, default=50, help='clusters slow in those (default 50)')
    parser.add_argument('--slow-delay', type=float, default=1.0, help='seconds each of their answers takes '
                        '(default 1)')
    parser.add_argument('--json', help='write the raw results here')
    parser.add_argument('--doc', help='replace the results between the bench-events markers of this Markdown file')
    parser.add_argument('--serve', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--ready-file', help=argparse.SUPPRESS)
    parser.add_argument('--cert-dir', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.ready_file, args.cert_dir)
    result = run(args)
    table = report(result)
    print(table)
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(result, handle, indent=1, sort_keys=True)
    if args.doc:
        bench.write_doc(args.doc, table, DOC_BEGIN, DOC_END)
    return 0 if result['within'] else 1


if __name__ == '__main__':
    sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a module's time goes, inside AnsiballZ: runs ansible.builtin.ping,
the uri GET and redis.enterprise.ocsp (converged, on the module path) once
through ansible with ANSIBLE_KEEP_REMOTE_FILES, then re-runs the kept AnsiballZ payloads
directly, interleaved, and prints their median wall time; with --importtime
or --pyinstrument, the imports or the profile of one ocsp payload run.

  python benchmarks/profile_module.py [--runs 15] [--importtime] [--pyinstrument]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402  pylint: disable=wrong-import-position

ADHOC = {
    'ping': ('ansible.builtin.ping', {}),
    'uri': ('ansible.builtin.uri', {'url': '{url}/v1/ocsp', 'url_username': '{user}', 'url_password': '{password}',
                                    'force_basic_auth': True, 'ca_path': '{ca}',
                                    'headers': {'Accept': 'application/json'}}),
    'ocsp': ('redis.enterprise.ocsp', dict(bench.DESIRED, url='{url}', username='{user}', password='{password}',
                                           ca_path='{ca}')),
}


def payloads(runner, workdir):
    """name: path of the kept AnsiballZ payload of that module."""
    found = {}
    values = dict(url=runner.sim.urls[0], user=bench.simlib.ADMIN_USER, password=bench.simlib.ADMIN_PASSWORD,
                  ca=runner.sim.ca_path)
    for name, (module, args) in ADHOC.items():
        remote = os.path.join(workdir, 'remote-' + name)
        env = dict(runner.env, ANSIBLE_KEEP_REMOTE_FILES='1', ANSIBLE_REMOTE_TMP=remote)
        args = dict((k, v.format(**values) if isinstance(v, str) else v) for k, v in args.items())
        # The module path, which is what leaves an AnsiballZ payload.
        proc = subprocess.run([os.path.join(os.path.dirname(runner.python), 'ansible'), 'bench', '-i',
                               runner.inventory, '-m', module, '-e', '%s=false' % bench.SWITCH]
                              + (['-a', json.dumps(args)] if args else []),
                              env=env, cwd=workdir, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit('%s failed:\n%s\n%s' % (module, proc.stdout, proc.stderr))
        found[name] = glob.glob(os.path.join(remote, '*', 'AnsiballZ_*.py'))[0]
    return found


STACKS = {
    'basic only': '',
    'http.client + ssl': 'import http.client, ssl',
    'urllib3': 'import urllib3',
    'ansible urls': 'import ansible.module_utils.urls',
    'requests': 'import requests',
}


def imports(runs):
    """CPU milliseconds of a Python that imports ansible's basic and then
    each HTTP stack, interleaved; the difference to basic alone is what the
    stack adds to every module run."""
    code = ('import resource, ansible.module_utils.basic; %s; u = resource.getrusage(resource.RUSAGE_SELF); '
            'print((u.ru_utime + u.ru_stime) * 1000)')
    cpu = dict((name, []) for name in STACKS)
    for dummy in range(runs):
        for name, statement in STACKS.items():
            out = subprocess.run([sys.executable, '-c', code % (statement or 'pass')], capture_output=True,
                                 text=True, check=True).stdout
            cpu[name].append(float(out))
    base = statistics.median(cpu['basic only'])
    for name, values in cpu.items():
        print('%-18s CPU median %.1f ms, +%.1f ms over basic alone (%d runs)'
              % (name, statistics.median(values), statistics.median(values) - base, runs))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--importtime', action='store_true', help='print the ocsp payload\'s -X importtime')
    parser.add_argument('--pyinstrument', action='store_true', help='profile the ocsp payload with pyinstrument')
    parser.add_argument('--imports', action='store_true',
                        help='only compare the cost of the HTTP stacks a module can import, on top of basic')
    args = parser.parse_args(argv)
    if args.imports:
        return imports(args.runs)
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-profile-') as workdir:
        with bench.simlib.Simulator(os.path.join(workdir, 'certs'), responder_url=bench.simlib.RESPONDER_URL) as sim:
            runner = bench.Runner(sim, workdir)
            runner.converge()
            found = payloads(runner, workdir)
            times = {name: [] for name in found}
            cpu = {name: [] for name in found}
            for dummy in range(args.runs):
                for name, path in found.items():
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    started = time.perf_counter()
                    subprocess.run([runner.python, path], capture_output=True, check=True)
                    times[name].append((time.perf_counter() - started) * 1000.0)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000.0)
            for name, values in times.items():
                print('%-5s payload: wall median %.1f ms (min %.1f, max %.1f), CPU median %.1f ms, %d runs'
                      % (name, statistics.median(values), min(values), max(values), statistics.median(cpu[name]),
                         len(values)))
            for label, data in (('wall', times), ('CPU', cpu)):
                print('%s: ocsp/ping %.3f, ocsp/uri %.3f (medians of the payloads alone)' % (
                    label, statistics.median(data['ocsp']) / statistics.median(data['ping']),
                    statistics.median(data['ocsp']) / statistics.median(data['uri'])))
            if args.importtime:
                proc = subprocess.run([runner.python, '-X', 'importtime', found['ocsp']], capture_output=True,
                                      text=True, check=True)
                print(proc.stderr)
            if args.pyinstrument:
                proc = subprocess.run([runner.python, '-m', 'pyinstrument', found['ocsp']],
                                      capture_output=True, text=True, check=False)
                print(proc.stdout + proc.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())

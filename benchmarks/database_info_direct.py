# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.database_info's run in a Python process of its own, as
direct execution runs it in the worker (plugin_utils/_direct.py's
run_direct: the arguments validated, the engine's run, the result masked),
without ansible-playbook around it: what the read of every database costs
the module itself.

Prints one JSON object: the seconds of the first run (the connection and its
TLS handshake included); the process's RSS before it and its peak RSS
(VmHWM) after it, whose difference bounds what the run added (the peak may
also be one of the imports before it); the peak of the Python allocations of
a second run traced with tracemalloc (which slows the run: its time is not
the one reported); the databases returned and the size of the result as
JSON.

  python benchmarks/database_info_direct.py --url URL --username U --password P --ca-path CA
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _status_mib(field):
    """A field of /proc/self/status (VmRSS, VmHWM), in MiB."""
    with open('/proc/self/status') as handle:
        for line in handle:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024.0
    raise SystemExit('/proc/self/status has no %s' % field)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--username', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--ca-path', required=True)
    parser.add_argument('--collections', default=os.path.join(ROOT, 'build', 'collections'))
    args = parser.parse_args(argv)
    sys.path.insert(0, args.collections)
    from ansible_collections.redis.enterprise.plugins.modules import database_info
    from ansible_collections.redis.enterprise.plugins.plugin_utils import _direct

    given = dict(url=args.url, username=args.username, password=args.password, ca_path=args.ca_path)
    internal = {'_ansible_check_mode': False, '_ansible_diff': False, '_ansible_inject_invocation': False}

    def run():
        # What the action plugin does in the worker: validate, run, mask.
        result = _direct.run_direct('redis.enterprise.database_info', database_info, given, internal)
        if result is None or result.get('failed'):
            raise SystemExit('database_info did not run directly: %r' % (result,))
        return result

    before = _status_mib('VmRSS')
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    after = _status_mib('VmHWM')
    size = len(json.dumps(result))
    count = len(result['databases'])
    del result
    tracemalloc.start()
    run()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({'seconds': seconds, 'rss_before_mib': before, 'rss_peak_mib': after,
                      'rss_growth_mib': after - before, 'traced_peak_mib': traced_peak / 1024.0 / 1024.0,
                      'databases': count, 'result_bytes': size}))
    return 0


if __name__ == '__main__':
    sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make demo: start the cluster simulator over HTTPS on loopback and run
docs/examples/enforce_ocsp.yml against it three times: --check --diff
(would change), for real (changed), and again (ok, nothing to do)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, 'simulator'))

import redis_enterprise_sim as simlib  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(ROOT, 'docs', 'examples', 'enforce_ocsp.yml')


def main():
    with tempfile.TemporaryDirectory(prefix='redis-enterprise-demo-') as tmp:
        # A cluster whose proxy certificate names an OCSP responder: the
        # playbook turns stapling on.
        with simlib.Simulator(os.path.join(tmp, 'certs'), responder_url=simlib.RESPONDER_URL) as sim:
            cluster = sim.clusters[0]
            env = dict(os.environ)
            env.update({
                'ANSIBLE_COLLECTIONS_PATH': os.path.join(ROOT, 'build', 'collections'),
                'ANSIBLE_LOCALHOST_WARNING': 'false',
                'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
                'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
                'REDIS_ENTERPRISE_URL': sim.urls[0],
                'REDIS_ENTERPRISE_USERNAME': simlib.ADMIN_USER,
                'REDIS_ENTERPRISE_PASSWORD': simlib.ADMIN_PASSWORD,
                'REDIS_ENTERPRISE_CA_PATH': sim.ca_path,
            })
            print('Simulated cluster at %s (CA %s)\n' % (sim.urls[0], sim.ca_path), flush=True)
            steps = [
                ('1. check mode with diff: shows what would change, changes nothing', ['--check', '--diff'], 1),
                ('2. the real run: changes the cluster', [], 1),
                ('3. again: the cluster already complies, nothing to do', [], 0),
            ]
            for title, options, expected_changed in steps:
                print('=== %s ===' % title, flush=True)
                cluster.log.clear()
                proc = subprocess.run(['ansible-playbook', PLAYBOOK] + options, env=env, cwd=tmp,
                                      capture_output=True, text=True, check=False)
                print(proc.stdout, proc.stderr, sep='', flush=True)
                calls = ' + '.join('%s %s' % call for call in cluster.calls())
                print('Requests the cluster saw: %s\n' % calls, flush=True)
                recap = re.search(r'changed=(\d+)\s+unreachable=0\s+failed=(\d+)', proc.stdout)
                if proc.returncode != 0 or not recap or recap.groups() != (str(expected_changed), '0'):
                    print('demo: step "%s" did not end as expected' % title, file=sys.stderr)
                    return 1
    print('demo: check mode predicted the change, the run made it, the re-run changed nothing.')
    print('To try the README\'s ad-hoc commands against a simulated cluster of your own, run "make simulator" '
          'in another shell: it prints the variables to export.')
    return 0


if __name__ == '__main__':
    sys.exit(main())

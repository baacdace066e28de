# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No secret in any output: every row of the fault matrix at -vvvv with
--diff, with ANSIBLE_DEBUG off and on."""

from __future__ import annotations

import base64
import json
import os
import re

import pytest

import redis_enterprise_sim as simlib
from fault_matrix import ROWS, URL_PASSWORD, WRONG_PASSWORD, Lab
from runner import ROOT

# Behaviour that depends on the path, in one process that shares the matrix's
# simulated clusters.
pytestmark = [pytest.mark.xdist_group('secrets'), pytest.mark.core]


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


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    lab = Lab(str(tmp_path_factory.mktemp('secrets')))
    yield lab
    lab.stop()


# On the module path, ANSIBLE_DEBUG=1 prints what -vvvv prints and more: the
# run with it stands for both there.
@pytest.mark.parametrize('path, debug', [('direct', '0'), ('direct', '1'), ('module', '1')])
def test_no_secret_in_any_output(lab, ansible, debug):
    lab.arm(ROWS)
    run = lab.play(ansible, ROWS, '-vvvv', '--diff', env={'ANSIBLE_DEBUG': debug})
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


@pytest.mark.parametrize('path', ['direct', 'module'])
def test_ansible_debug_shows_the_key_only_in_the_line_the_readme_names_on_the_module_path(ansible, cluster, tmp_path):
    """README, "Where a password or a key can show": on the module path,
    ANSIBLE_DEBUG=1 logs the arguments passed to the module, the
    certificate's key among them, in one line; nowhere else, and on the
    direct path nowhere at all."""
    certificate, key = simlib.Pki().issue('proxy-debug.cluster.example.test')
    (tmp_path / 'proxy.pem').write_text(certificate)
    (tmp_path / 'proxy.key').write_text(key)
    run = ansible(['ansible-playbook', 'certificate.yml', '-e', json.dumps({
        'cert_file': str(tmp_path / 'proxy.pem'), 'key_file': str(tmp_path / 'proxy.key')})],
        env={'ANSIBLE_DEBUG': '1'})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert bool(re.search(r'^ *\d+ \d+\.\d+: ', run.stdout, re.M))  # debug output really is on
    # The key's secret lines: its base64, but a line the certificate holds too (its public key).
    secret = [line for line in key.splitlines() if line and not line.startswith('-----') and line not in certificate]
    assert secret
    shown = [line for line in run.output.splitlines() if any(part in line for part in secret)]
    if ansible.path == 'module':
        assert len(shown) == 1 and ': done with _execute_module (redis.enterprise.certificate, {' in shown[0]
        assert "'key': '-----BEGIN PRIVATE KEY-----" in shown[0]
    else:
        assert shown == []
    # Where the README says it shows.
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        section = handle.read().split('## Where a password or a key can show', 1)[1].split('\n## ', 1)[0]
    section = ' '.join(section.split())
    assert 'On the module path, `ANSIBLE_DEBUG=1` logs the arguments' in section
    assert '`done with _execute_module (redis.enterprise.certificate, {...})`' in section
    assert "the certificate module's `key`, decrypted" in section
    assert 'Direct execution passes nothing to a module: neither line comes.' in section

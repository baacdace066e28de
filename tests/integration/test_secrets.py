# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a private key can show, and where it cannot, with ANSIBLE_DEBUG on.
The fault matrix's rows at -vvvv with --diff, with ANSIBLE_DEBUG off and on,
show no password in any output (test_faults.py)."""

from __future__ import annotations

import json
import os
import re

import pytest

import redis_enterprise_sim as simlib
from runner import ROOT

# Behaviour that depends on the path, and on ansible-core.
pytestmark = pytest.mark.core


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

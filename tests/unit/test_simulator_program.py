# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator as a program tells a new user, in --help and in what it
prints at start, how to get a license it accepts, every login it knows with
its password and role, and which calls it serves; and those are what it
does: the license it writes installs, and every call it lists, and no
other, is served."""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

import redis_enterprise_sim as simlib

PROGRAM = simlib.__file__
JSON = {'Accept': 'application/json'}
ENDPOINT = re.compile(r'^ {2}((?:GET|POST|PUT|DELETE)(?:, (?:GET|POST|PUT|DELETE))*) +(/v[0-9]+/\S*)(?: +\?dry_run: (.*))?$')
# Stand-ins for a path's {parameters}, of objects a fresh cluster has.
SAMPLES = {'{uid}': '1', '{name}': 'ldap_client'}


def listed(text):
    """{(method, path): takes ?dry_run} of the endpoint lines of text."""
    found = {}
    for line in text.splitlines():
        match = ENDPOINT.match(line)
        if match:
            dry = set((match.group(3) or '').split(', '))
            for method in match.group(1).split(', '):
                found[(method, match.group(2))] = method in dry
    return found


@pytest.fixture(scope='module')
def help_text():
    done = subprocess.run([sys.executable, PROGRAM, '--help'], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def test_help_says_what_it_is_in_whole_sentences(help_text):
    description = help_text.split('\n\n')[1]
    assert description.startswith('A simulated Redis Enterprise Software cluster')
    # Every paragraph but the tables and the option list ends its sentence.
    for paragraph in help_text.split('\n\n')[1:]:
        if not paragraph.startswith(('options:', 'Logins', 'Endpoints', 'A license')):
            assert paragraph.rstrip().endswith('.'), paragraph


def test_help_gives_every_login_with_its_password_and_role(help_text):
    lines = help_text.splitlines()
    for dummy, email, dummy, password, role_uid in simlib.SEED_USERS:
        role = dict((uid, management) for uid, dummy, management in simlib.BUILTIN_ROLES)[role_uid]
        assert [line.split() for line in lines if line.split()[:1] == [email]] == [[email, password, role]]


def test_help_says_how_to_get_a_license_it_accepts(help_text):
    text = ' '.join(help_text.split())
    assert 'at start it writes license.txt in --cert-dir' in text
    assert "license: \"{{ lookup('ansible.builtin.file', '/path/to/cert-dir/license.txt') }}\"" in help_text


def test_help_lists_every_call_it_serves_and_which_take_dry_run(help_text):
    found = listed(help_text)
    assert set(found) == set(simlib.ROUTES)
    assert set(key for key, dry in found.items() if dry) == simlib.DRY_RUNS


def test_the_calls_listed_are_served_and_no_others(simulator, sim_url, cluster, help_text, monkeypatch):
    """Asked by a login whose role allows nothing, a call served is refused
    for want of its permission (403) before it does anything, or answered
    where any login may make it on itself; a method not served on a path is
    405, a path not served 404."""
    monkeypatch.setitem(simulator.servers[0].users, 'nobody@example.com', ('N0body-Pa55-word', 'none'))
    found = listed(help_text)

    def state():
        # What the cluster holds, not its log or its clock.
        return dict((key, value) for key, value in cluster.snapshot().items() if key not in ('requests', 'clock'))

    before = state()

    def concrete(path):
        for name, sample in SAMPLES.items():
            path = path.replace(name, sample)
        return path

    def ask(method, path):
        answer = requests.request(method, sim_url + concrete(path), auth=('nobody@example.com', 'N0body-Pa55-word'),
                                  headers=JSON, json={} if method in ('PUT', 'POST') else None,
                                  verify=simulator.ca_path, timeout=5)
        return answer.status_code, answer.json().get('error_code')

    def served(method, path):
        """Whether a call listed is method on path, a {parameter} of a path
        listed standing for any name (PUT /v1/users/role is PUT
        /v1/users/{uid} where both are served)."""
        return any(method == listed_method and re.fullmatch(re.sub(r'\\{\w+\\}', '[^/]+', re.escape(template)),
                                                            concrete(path))
                   for listed_method, template in found)

    asked = {}
    for path in set(path for dummy, path in found):
        for method in ('GET', 'POST', 'PUT', 'DELETE'):
            asked[(method, path)] = ask(method, path)
    # Served: refused for the permission, or answered where a login may make the call on itself.
    assert dict((key, answer) for key, answer in asked.items() if served(*key) and answer[0] not in (200, 403)) == {}
    assert dict((key, answer) for key, answer in asked.items() if not served(*key)) == dict(
        (key, (405, 'method_not_allowed')) for key in asked if not served(*key))
    assert set(found) <= set(key for key in asked if served(*key))
    assert ask('GET', '/v1/nothing') == (404, 'not_found')
    # Nothing changed.
    assert state() == before


def _start(cwd, *args):
    return subprocess.Popen([sys.executable, PROGRAM] + list(args), cwd=str(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def printed_until_ready(process, within=30):
    """The lines the program printed, up to the last one of its start; a
    program that has not printed them within seconds is stopped."""
    lines = []
    watchdog = threading.Timer(within, process.kill)
    watchdog.start()
    try:
        while not lines or lines[-1] != 'Ctrl-C stops it.':
            line = process.stdout.readline()
            assert line, ('not started', lines, process.stderr.read())
            lines.append(line.rstrip('\n'))
    finally:
        watchdog.cancel()
    return lines


def expiry(facts):
    return datetime.datetime.strptime(facts['expiration_date'], '%Y-%m-%dT%H:%M:%SZ')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_as_a_program_it_prints_its_logins_and_writes_a_license_it_accepts(tmp_path):
    port = _free_port()
    program = _start(tmp_path, '--cert-dir', 'sim', '--port', str(port), '--ready-file', 'ready.json')
    try:
        lines = printed_until_ready(program)
        info = json.loads((tmp_path / 'ready.json').read_text())
        license_path = str(tmp_path / 'sim' / 'license.txt')
        assert info['license_path'] == license_path
        assert 'A license it accepts, for redis.enterprise.license: %s' % license_path in lines
        for dummy, email, dummy, password, role_uid in simlib.SEED_USERS:
            role = dict((uid, management) for uid, dummy, management in simlib.BUILTIN_ROLES)[role_uid]
            assert [line.split() for line in lines if line.split()[:1] == [email]] == [[email, password, role]]
            # Each logs in with it.
            answer = requests.get(info['urls'][0] + '/v1/cluster', auth=(email.encode(), password.encode()),
                                  headers=JSON, verify=info['ca_path'], timeout=5)
            assert answer.status_code == 200, email
        with open(license_path) as handle:
            text = handle.read()
        admin = (simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)
        before = requests.get(info['urls'][0] + '/v1/license', auth=admin, headers=JSON, verify=info['ca_path'],
                              timeout=5).json()
        installed = requests.put(info['urls'][0] + '/v1/license', json={'license': text}, auth=admin, headers=JSON,
                                 verify=info['ca_path'], timeout=5)
        assert installed.status_code == 200, installed.text
        after = installed.json()
        # Another license than the fresh cluster's, valid for two years.
        assert after['license'] == text != before['license'] and after['expired'] is False
        assert (expiry(after) - expiry(before)).days in (364, 365)
    finally:
        program.send_signal(signal.SIGTERM)
        dummy, err = program.communicate(timeout=30)
    assert program.returncode == 0, err
    assert not os.path.exists(tmp_path / 'sim' / 'simulator.json')

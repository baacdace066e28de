# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A new user's walk-through: the README's, against the simulator
("From a checkout"), each of its commands run as written, in the order it
gives them, in a checkout of the collection; and the api rotation of the
certificates guide that it points to. The README's logins, printed lines
and list of calls are the simulator's own."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes

import redis_enterprise_sim as simlib
from runner import BIN, HERE, ROOT, SECRETS, runner

# A block of the README that the walk-through runs or quotes: the HTML
# comment before it names what it is.
BLOCK = re.compile(r'^<!-- (walk-through|simulator)(?:: (\S+))? -->\n```(\w+)\n(.*?)^```\n', re.M | re.S)
# The placeholders of the lines the README shows as printed.
SHOWN_CHECKOUT = '/path/to/redis.enterprise'
SHOWN_PORT = 9443


def readme():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        return handle.read()


def section(text, heading):
    """A Markdown section of text, from its heading (e.g. '### From a
    checkout') to the next heading of its level or above."""
    start = text.index('\n%s\n' % heading) + 1
    end = re.compile(r'^#{1,%d} ' % heading.index(' '), re.M).search(text, start + len(heading))
    return text[start:end.start() if end else len(text)]


def walkthrough_blocks():
    """(kind, what, language, text) of the blocks of "From a checkout"."""
    return [match.groups() for match in BLOCK.finditer(section(readme(), '### From a checkout'))]


def login_rows(text):
    """(login, password, role) of the README's table of logins."""
    table = text[text.index('| login (`REDIS_ENTERPRISE_USERNAME`)'):].split('\n\n', 1)[0]
    return [tuple(cell.strip().strip('`') for cell in row.strip('|').split('|'))
            for row in table.splitlines()[2:]]


@pytest.mark.files
def test_the_readme_gives_the_simulators_logins_and_calls():
    text = section(readme(), '### From a checkout')
    assert login_rows(text) == simlib.logins()
    (endpoints,) = [body for kind, what, dummy, body in walkthrough_blocks()
                    if (kind, what) == ('simulator', 'endpoints')]
    assert endpoints.splitlines() == simlib.endpoint_lines(), (
        'the README lists other calls than the simulator serves; its block, as --help gives it:\n%s'
        % '\n'.join(simlib.endpoint_lines()))
    assert 'GET` and `PUT /_sim/state` and `POST /_sim/reset`' in text


@pytest.fixture
def checkout(tmp_path):
    """A checkout of the collection, as `git clone` leaves it: the files of
    this one, by links; its own build/ directory, and no .venv, for a
    newcomer's commands to make."""
    where = tmp_path / 'redis.enterprise'
    where.mkdir()
    for name in os.listdir(ROOT):
        if not name.startswith('.') and name != 'build':
            os.symlink(os.path.join(ROOT, name), str(where / name))
    return where


def shell_env(tmp_path):
    """The environment of a newcomer's shell once the README's first steps
    ran: the tests' ansible-core first on PATH; nothing of Ansible or of
    the collection set; Ansible's own files, and the records of what each
    task did, kept in the test's directory."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'))
           # Nor the flags of a make that runs the tests.
           and key not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    env.update({
        'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'record',
        'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
        'RECORD_FILE': str(tmp_path / 'records.jsonl'),
    })
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def simulator_command(checkout, env, port):
    """The command `make simulator` runs, with --port as the README's
    SIMULATOR_ARGS gives it, read from make itself (-n: printed, not run,
    so that make never builds the .venv it depends on), and run by the
    tests' Python, the one the .venv it names would hold."""
    shown = subprocess.run(['make', '-n', 'simulator', 'SIMULATOR_ARGS=--port %d' % port], cwd=str(checkout),
                           env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    (line,) = [line for line in shown.replace('\\\n', ' ').splitlines() if 'redis_enterprise_sim.py' in line]
    argv = shlex.split(line)
    assert argv[0] == '.venv/bin/python', line
    return [sys.executable] + argv[1:]


def printed_until_ready(process, within=60):
    """What the simulator printed, up to the last line of its start; one
    that has not printed it within seconds is stopped."""
    lines = []
    watchdog = threading.Timer(within, process.kill)
    watchdog.start()
    try:
        while not lines or lines[-1] != 'Ctrl-C stops it.':
            line = process.stdout.readline()
            assert line, ('the simulator did not start', lines, process.stderr.read())
            lines.append(line.rstrip('\n'))
    finally:
        watchdog.cancel()
    return lines


def state(url, ca_path):
    answer = requests.get(url + '/_sim/state', verify=ca_path, timeout=5)
    assert answer.status_code == 200
    return answer.json()


# The walk-through is the README's for its .venv (ansible-core 2.21): once, not again on 2.16.
@pytest.mark.once
def test_the_readme_walkthrough_runs_as_written(checkout, tmp_path):
    blocks = [block for block in walkthrough_blocks() if block[0] == 'walk-through']
    kinds = [(kind, what, language) for kind, what, language, dummy in blocks]
    assert kinds == [('walk-through', None, 'sh'), ('walk-through', 'printed', 'sh'), ('walk-through', None, 'sh'),
                     ('walk-through', 'try_license.yml', 'yaml'), ('walk-through', None, 'sh')]
    text = section(readme(), '### From a checkout')
    # Its first steps, from the clone on: make collection links the checkout where Ansible finds it.
    assert 'make collection ' in text.split('```sh\n', 1)[1].split('```', 1)[0]
    env = shell_env(tmp_path)
    subprocess.run(['make', 'collection'], cwd=str(checkout), env=env, capture_output=True, timeout=60, check=True)

    (start, printed), rest = blocks[:2], blocks[2:]
    assert start[3] == 'make simulator\n'
    port = free_port()
    simulator = subprocess.Popen(simulator_command(checkout, env, port), cwd=str(checkout), env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = printed_until_ready(simulator)
        # What it prints is what the README shows, in this checkout and on this port.
        exports = [line for line in lines if line.startswith('export ')]
        assert exports == printed[3].replace(SHOWN_CHECKOUT, str(checkout)).replace(
            ':%d' % SHOWN_PORT, ':%d' % port).splitlines()
        license_path = str(checkout / 'build' / 'simulator' / 'license.txt')
        assert 'A license it accepts, for redis.enterprise.license: %s' % license_path in lines
        assert '`build/simulator/license.txt`' in text
        url, ca_path = 'https://127.0.0.1:%d' % port, str(checkout / 'build' / 'simulator' / 'ca.pem')
        fresh = state(url, ca_path)['license']

        ran = []
        for kind, what, language, body in rest:
            if what:
                # A file the README says to save, under the name it gives.
                assert 'as `%s` at the checkout\'s root' % what in text
                (checkout / what).write_text(body)
                continue
            for command in [line for line in body.splitlines() if line.strip()]:
                record = tmp_path / 'records.jsonl'
                if record.exists():
                    record.unlink()
                done = subprocess.run(['bash', '-c', '\n'.join(exports + [command])], cwd=str(checkout), env=env,
                                      capture_output=True, text=True, timeout=120, check=False)
                records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
                ran.append((command, done, records, state(url, ca_path)['license']))
    finally:
        simulator.send_signal(signal.SIGTERM)
        dummy, err = simulator.communicate(timeout=30)
    assert simulator.returncode == 0, err

    with open(license_path) as handle:
        license_text = handle.read()
    secret = license_text.splitlines()[2]
    for command, done, records, dummy in ran:
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
        output = done.stdout + done.stderr + json.dumps(records)
        for bad in ('Traceback', 'MODULE FAILURE', secret) + SECRETS:
            assert bad not in output, (command, bad)
    results = [(command, [(r['action'], r['status'], r['result']) for r in records])
               for command, dummy, records, dummy in ran]
    (license_info, certificate_info, check, real) = results
    # As the admin: the fresh cluster's license, valid for a year.
    assert license_info[0] == 'ansible localhost -m redis.enterprise.license_info'
    [(action, status, result)] = license_info[1]
    assert (action, status, result['installed']) == ('redis.enterprise.license_info', 'ok', True)
    assert result['license']['expiration_date'] == fresh['expiration_date']
    # As the viewer, with its documented password: every certificate, the api one the simulator CA's.
    assert 'REDIS_ENTERPRISE_USERNAME=viewer@example.com' in certificate_info[0]
    [(action, status, result)] = certificate_info[1]
    assert (action, status) == ('redis.enterprise.certificate_info', 'ok')
    assert sorted(result['certificates']) == sorted(simlib.GENERATED_NAMES)
    with open(ca_path, 'rb') as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    assert result['certificates']['api']['issuer'] == ca.subject.rfc4514_string()
    # The license the simulator wrote: check mode installs nothing, the real run installs it.
    [(action, status, result)] = check[1]
    assert (action, status, result['changed']) == ('redis.enterprise.license', 'ok', True)
    assert ran[2][3] == fresh
    [(action, status, result)] = real[1]
    assert (action, status, result['changed']) == ('redis.enterprise.license', 'ok', True)
    assert ran[3][3] == simlib.license_facts(license_text) and ran[3][3] != fresh
    assert result['diff']['after']['expiration_date'] == ran[3][3]['expiration_date']


# The certificates guide: rotate the api certificate, and the ca_path after it.

def guide_section(title):
    with open(os.path.join(ROOT, 'docs', 'docsite', 'rst', 'certificates.rst')) as handle:
        text = handle.read()
    start = text.index('\n%s\n%s\n' % (title, '-' * len(title)))
    end = re.search(r'\n\S.*\n-{3,}\n', text[start + len(title) + 2:])
    return text[start:start + len(title) + 2 + end.start()] if end else text[start:]


def yaml_blocks(text):
    return [yaml.safe_load('\n'.join(line[2:] for line in block.splitlines()))
            for block in re.findall(r'\.\. code-block:: yaml\+jinja\n\n((?:  .*\n|\n)+)', text)]


def presented(url, ca_path):
    """The certificate a new connection to url meets, verified with ca_path."""
    where = urlsplit(url)
    context = ssl.create_default_context(cafile=ca_path)
    with socket.create_connection((where.hostname, where.port), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname=where.hostname) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


# What it shows is the simulator's and the transport's, which no ansible-core release changes.
@pytest.mark.once
def test_the_guides_api_rotation_with_the_ca_path_that_follows_it(tmp_path, collections_path, path):
    text = guide_section('Rotate the api certificate')
    (playbook,) = yaml_blocks(text)
    assert 'cat old-ca.pem new-ca.pem > rotation-ca.pem' in text
    root = simlib.Pki(ocsp_url=None, name='our root CA')
    ours = simlib.Pki(ocsp_url=None, name='our issuing CA', issuer=root)
    certificate, key = ours.issue('api.cluster.example.test', ocsp_url=None)
    certs = tmp_path / 'certs' / 'cluster-east'
    certs.mkdir(parents=True)
    (certs / 'api-chain.pem').write_text(certificate + ours.ca_pem)
    (certs / 'api.key').write_text(key)
    with simlib.Simulator(str(tmp_path / 'sim')) as sim:
        old_ca, new_ca, both = sim.ca_path, tmp_path / 'new-ca.pem', tmp_path / 'rotation-ca.pem'
        new_ca.write_text(root.ca_pem)
        with open(old_ca) as handle:
            both.write_text(handle.read() + root.ca_pem)
        inventory = tmp_path / 'redis_clusters.yml'
        inventory.write_text(json.dumps({'redis_clusters': {'hosts': {'cluster-east': {
            'redis_url': sim.urls[0], 'redis_rotation_ca_path': str(both), 'redis_new_ca_path': str(new_ca)}}}}))
        (tmp_path / 'rotate.yml').write_text(yaml.safe_dump(playbook))
        ansible = runner(tmp_path, sim, sim.urls[0], collections_path, path)
        runs = [ansible(['ansible-playbook', '-i', str(inventory), str(tmp_path / 'rotate.yml')],
                        env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None}) for dummy in range(2)]
        for run in runs:
            assert run.rc == 0, run.stdout[-3000:] + run.stderr
            for secret in SECRETS + (key.splitlines()[1],):
                assert secret not in run.output
        installed = x509.load_pem_x509_certificate(certificate.encode())
        assert presented(sim.urls[0], str(new_ca)) == installed
        # The old CA file no longer verifies the REST API.
        with pytest.raises(ssl.SSLCertVerificationError):
            presented(sim.urls[0], old_ca)
    first, again = ([r['result'] for r in run.records if r['action'].startswith('redis.enterprise.')]
                    for run in runs)
    assert [result['changed'] for result in first] == [True, False]
    assert [result['changed'] for result in again] == [False, False]
    # Read over the new certificate, verified with the new CA alone.
    fingerprint = installed.fingerprint(hashes.SHA256()).hex(':').upper()
    for dummy, info in (first, again):
        assert info['certificates']['api']['sha256_fingerprint'] == fingerprint

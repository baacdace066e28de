# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-rulebook itself, with the CLI rulebook of the collection and its
event source, against three simulated clusters: one whose OCSP responder
turns REVOKED, GOOD and REVOKED again mid-run, then two of whose
certificates expire (one renewed for real, with community.crypto), one whose
license expires in 10 days and whose database failed to be created, one that
goes down and comes back. The events,
in order and once per change, the rules' actions, once per condition within
the throttle's window, and no password anywhere in the output. Then
renew_certificate without community.crypto, and an option error of the
source as ansible-rulebook shows it.

ansible-rulebook needs a JDK 17 or later; `make eda` checks that before
it runs this, and installs ansible-rulebook (requirements/eda.txt) in
.venvs/rulebook and community.crypto (requirements/community-crypto.txt) in
.venvs/community-crypto. The tests that run it are marked eda, which the other
integration steps leave out; those of the files, files."""

from __future__ import annotations

import ast
import datetime
import os
import re
import signal
import sys
import subprocess
import threading
import time

import pytest
import requests
import yaml
from cryptography import x509

import redis_enterprise_sim as simlib
from runner import ROOT

RULEBOOK_BIN = os.environ.get('REDIS_ENTERPRISE_TEST_RULEBOOK_BIN', os.path.join(ROOT, '.venvs', 'rulebook', 'bin'))
# The collections directory that holds community.crypto, for renew_certificate (make eda makes it from
# requirements/community-crypto.txt).
CRYPTO_COLLECTIONS = os.environ.get('REDIS_ENTERPRISE_TEST_CRYPTO_COLLECTIONS',
                                    os.path.join(ROOT, '.venvs', 'community-crypto'))
# What renew_certificate says without it, as the guide and the decision environment name it.
MISSING_CRYPTO = ('redis.enterprise.renew_certificate needs the community.crypto collection (2.10.0 or later), '
                  'which the redis.enterprise collection does not install')
INTERVAL = 0.3
# How long a step may take before the test calls the run hung. The rules' playbooks run one at a time, each an
# ansible-playbook start of its own: on a busy machine (make test runs its steps side by side) several take minutes.
HANG = 300
CERTIFICATES = sorted(simlib.GENERATED_NAMES)
# A printed event: the banner, then the event as Python's pprint writes it.
EVENT = re.compile(r'\[received event\] \*+\nRuleset: [^\n]*\nEvent:\n(.*?)\n\*{20,}', re.S)


def first_round(staple='off', license='ok'):
    return ([('cluster', None, 'ok', None), ('staple', None, staple, None)]
            + [('certificate', name, 'ok', None) for name in CERTIFICATES] + [('license', None, license, None)])


class Rulebook:
    """ansible-rulebook running, its output read as it comes."""

    def __init__(self, args, env, cwd):
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line)

    @property
    def output(self):
        with self.lock:
            return ''.join(self.lines)

    def events(self):
        """Every event printed so far, event.redis_enterprise of each."""
        return [ast.literal_eval(found)['redis_enterprise'] for found in EVENT.findall(self.output)]

    def wait(self, what, predicate, timeout=None):
        """Until predicate(self) holds. A predicate may also answer what is still missing (a list, empty when
        done), which the failure then names. The deadline only ends a run that hangs: a passing run never
        waits it out, and on a loaded machine the playbooks the rules start take their time."""
        timeout = HANG if timeout is None else timeout
        deadline = time.monotonic() + timeout
        missing = None
        while time.monotonic() < deadline:
            missing = predicate(self)
            if missing is True or missing == []:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError('ansible-rulebook did not get to %s within %s s%s; its output:\n%s'
                             % (what, timeout, ' (still missing: %s)' % missing if missing else '', self.output))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.reader.join(10)


def of(events, cluster):
    return [(e['kind'], e['name'], e['state'], e['previous_state']) for e in events if e['cluster'] == cluster]


def rulebook_env(tmp_path, collections, sim):
    """ansible-rulebook's environment: nothing of the tests' own, the
    collections given, the simulator's admin and CA."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'EDA_')))
    env.update({
        'PATH': RULEBOOK_BIN + os.pathsep + env.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join(collections),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'REDIS_ENTERPRISE_USERNAME': simlib.ADMIN_USER,
        'REDIS_ENTERPRISE_PASSWORD': simlib.ADMIN_PASSWORD,
        'REDIS_ENTERPRISE_CA_PATH': sim.ca_path,
    })
    return env


def installed(path, what):
    assert os.path.exists(path), 'no %s at %s: run the test with make eda, which installs it' % (what, path)
    return path


def stapled(cluster, cert_status):
    cluster.update({'responder_cert_status': cert_status, 'status': simlib.fresh_status(cert_status)})


@pytest.mark.eda
def test_the_cli_rulebook_against_three_clusters(tmp_path, collections_path):
    ansible_rulebook = os.path.join(RULEBOOK_BIN, 'ansible-rulebook')
    assert os.access(ansible_rulebook, os.X_OK), (
        'no ansible-rulebook at %s: run the test with make eda, which installs it from requirements/eda.txt'
        % ansible_rulebook)
    crypto = installed(CRYPTO_COLLECTIONS, 'community.crypto (requirements/community-crypto.txt)')
    pki = simlib.Pki()
    (tmp_path / 'ca.pem').write_text(pki.ca_pem)
    (tmp_path / 'ca.key').write_text(simlib.key_pem(pki.key))
    with simlib.Simulator(str(tmp_path / 'certs'), clusters=3, responder_url=simlib.RESPONDER_URL) as sim:
        revoked, licensed, flaky = sim.clusters
        url_revoked, url_licensed, url_flaky = sim.urls
        # Later, two certificates of one cluster expire: each is a condition of its own, and starts its job.
        # The syncer certificate is renewed for real; the proxy one, with stapling on, is one
        # renew_certificate refuses (it must name a responder, which its own CA cannot write).
        expiring = {}
        for name in ('proxy', 'syncer'):
            certificate, key = pki.issue('%s.cluster.example.test' % name, days=10)
            # With its CA, which a cluster needs to ask the responder for the staple.
            expiring[name] = {'cert': certificate + pki.ca_pem, 'key': key}
        revoked.update({'config': {'ocsp_functionality': True}, 'status': simlib.fresh_status('GOOD')})
        licensed.update({'license': {'days': 10}, 'faults': {'bdb_pending': 0, 'action_fail_next': {
            'count': 1, 'error': 'not enough memory on the nodes'}}})
        created = requests.post(url_licensed + '/v1/bdbs', json={'name': 'orders', 'memory_size': 100 * 1024 ** 2},
                                auth=(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD), verify=sim.ca_path, timeout=10)
        assert created.status_code == 200, created.text
        (tmp_path / 'vars.yml').write_text(yaml.safe_dump({'redis_clusters': sim.urls, 'redis_interval': INTERVAL}))
        # The playbooks run on the inventory's localhost: the renewal's CA, as the guide has it, in its variables.
        (tmp_path / 'inventory.yml').write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {
            'ansible_connection': 'local', 'ansible_python_interpreter': os.path.join(RULEBOOK_BIN, 'python'),
            'redis_ca_certificate': str(tmp_path / 'ca.pem'), 'redis_ca_private_key': str(tmp_path / 'ca.key')}}}}))
        env = rulebook_env(tmp_path, [collections_path, crypto], sim)
        started = time.monotonic()
        run = Rulebook([ansible_rulebook, '-r', 'redis.enterprise.watch_clusters_cli', '-i', 'inventory.yml',
                        '-e', 'vars.yml', '--print-events'], env, str(tmp_path))
        try:
            run.wait('the first events of the three clusters', lambda r: len(r.events()) >= 3 * len(first_round()))
            # The responder turns REVOKED, and the cluster staples that; once check_staple asked it, GOOD
            # again, then REVOKED again: the same condition twice within the throttle's 10 minutes.
            stapled(revoked, 'REVOKED')
            run.wait('the bad staple', lambda r: ('staple', None, 'bad', 'ok') in of(r.events(), url_revoked))
            run.wait('the staple checked', lambda r: 'redis.enterprise staple check of %s' % url_revoked in r.output)
            stapled(revoked, 'GOOD')
            run.wait('the staple good', lambda r: ('staple', None, 'ok', 'bad') in of(r.events(), url_revoked))
            stapled(revoked, 'REVOKED')
            run.wait('the staple bad again', lambda r: of(r.events(), url_revoked).count(
                ('staple', None, 'bad', 'ok')) == 2)
            revoked.update({'certificates': expiring})
            run.wait('the certificates expiring', lambda r: ('certificate', 'syncer', 'expiring', 'ok') in of(
                r.events(), url_revoked))
            # While their jobs run, a cluster goes down and comes back.
            sim.take_down(2)
            run.wait('the cluster down', lambda r: ('cluster', None, 'unreachable', 'ok') in of(r.events(), url_flaky))
            sim.bring_up(2)
            run.wait('the cluster back', lambda r: ('cluster', None, 'ok', 'unreachable') in of(r.events(), url_flaky))
            # The actions run one at a time, in the order of their events: once the debug action of
            # the cluster down ran, any job the second bad staple started would have run too.
            actions = ('redis.enterprise staple check of %s' % url_revoked, 'redis.enterprise license of %s' % url_licensed,
                       'redis.enterprise syncer certificate of %s renewed' % url_revoked,
                       'Not renewed: %s has no proxy certificate' % url_revoked,
                       'redis.enterprise: the database orders of %s is failed' % url_licensed,
                       'redis.enterprise: %s is unreachable' % url_flaky)
            run.wait('the actions of the rules', lambda r: [line for line in actions if line not in r.output] + (
                [] if ('certificate', 'syncer', 'ok', 'expiring') in of(r.events(), url_revoked)
                else ['the event of the syncer certificate renewed']))
            # Polls go on: nothing more comes, as nothing more changes.
            time.sleep(6 * INTERVAL)
        finally:
            run.stop()
        took = time.monotonic() - started
        output = run.output
        events = run.events()
        asked = [entry for entry in revoked.log if (entry['method'], entry['path']) == ('POST', '/v1/ocsp/test')]
        written = [entry for entry in revoked.log if entry['method'] == 'PUT']
        renewed = x509.load_pem_x509_certificate(revoked.certificates['syncer']['cert'].encode())
        proxy = revoked.certificates['proxy']['cert']
        database_secret = licensed.bdb('orders')['authentication_admin_pass']

    assert of(events, url_revoked) == first_round(staple='ok') + [
        ('staple', None, 'bad', 'ok'), ('staple', None, 'ok', 'bad'), ('staple', None, 'bad', 'ok'),
        ('certificate', 'proxy', 'expiring', 'ok'), ('certificate', 'syncer', 'expiring', 'ok'),
        # Renewed.
        ('certificate', 'syncer', 'ok', 'expiring')], output
    assert of(events, url_licensed) == first_round(license='expiring') + [('database', 'orders', 'failed', None)], output
    assert of(events, url_flaky) == first_round() + [('cluster', None, 'unreachable', 'ok'),
                                                     ('cluster', None, 'ok', 'unreachable')], output
    assert len(events) == 3 * len(first_round()) + 9
    bad = [e for e in events if e['kind'] == 'staple' and e['state'] == 'bad'][0]
    assert bad['details']['cert_status'] == 'REVOKED' and bad['http_status'] is None
    assert bad['condition'] == 'staple'
    assert sorted(e['condition'] for e in events if e['state'] == 'expiring') == [
        'certificate:proxy', 'certificate:syncer', 'license']
    license = [e for e in events if e['kind'] == 'license' and e['cluster'] == url_licensed][0]
    assert license['details']['days_until_expiry'] in (9, 10)

    # The rules' actions ran, each once for each condition: check_staple once for the staple that went bad
    # twice (asked the responder again, and reported what it answers); renew_certificate for each of the
    # two certificates of one cluster, the syncer one renewed (a new RSA key, from the CA given), the
    # proxy one refused with nothing written; notify_license told; the debug action named the cluster down.
    assert len(asked) == 1
    assert ('redis.enterprise staple check of %s: the source saw REVOKED; the responder %s answers REVOKED'
            % (url_revoked, simlib.RESPONDER_URL)) in output
    assert 'The OCSP responder still answers REVOKED for the proxy certificate of %s' % url_revoked in output
    assert [(entry['path'], entry['status']) for entry in written] == [('/v1/cluster/certificates', 200)]
    assert renewed.issuer == pki.certificate.subject and renewed.public_key().key_size == 3072
    assert 360 <= (renewed.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days <= 366
    assert proxy == expiring['proxy']['cert']
    assert output.count('PLAY [Tell that a cluster\'s license expires]') == 1
    assert 'redis.enterprise license of %s: expiring. The license expires on' % url_licensed in output
    assert output.count('redis.enterprise: %s is unreachable: Cannot reach %s' % (url_flaky, url_flaky)) == 1
    assert output.count('redis.enterprise: the database orders of %s is failed: The database orders could not be '
                        'created (creation-failed): not enough memory on the nodes.' % url_licensed) == 1

    for secret in (simlib.ADMIN_PASSWORD, revoked.license, 'PRIVATE KEY', database_secret):
        assert secret not in output
    assert 'Traceback' not in output
    # The premise of "the same condition twice starts one job": both came within the throttle's 10 minutes.
    assert took < 600, 'the run outlasted the rulebooks\' throttle window of 600 s: %.0f s' % took


@pytest.mark.eda
def test_renew_certificate_without_community_crypto_stops_first_saying_so(tmp_path, collections_path, simulator,
                                                                          cluster, sim_url):
    event = {'ansible_eda': {'event': {'redis_enterprise': {
        'cluster': sim_url, 'kind': 'certificate', 'name': 'syncer', 'condition': 'certificate:syncer',
        'state': 'expiring'}}}}
    (tmp_path / 'event.yml').write_text(yaml.safe_dump(event))
    done = subprocess.run([os.path.join(RULEBOOK_BIN, 'ansible-playbook'), 'redis.enterprise.renew_certificate',
                           '-e', '@event.yml'], env=rulebook_env(tmp_path, [collections_path], simulator),
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=HANG, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert MISSING_CRYPTO in ' '.join(done.stdout.split()), done.stdout
    # Before anything else: not one call of the cluster.
    assert cluster.calls() == []


@pytest.mark.eda
def test_an_option_error_of_the_source_is_one_line_without_a_traceback(tmp_path, collections_path, simulator):
    (tmp_path / 'rulebook.yml').write_text(yaml.safe_dump([{
        'name': 'A misspelt option', 'hosts': 'all',
        'sources': [{'redis.enterprise.cluster_events': {'clusters': simulator.urls[:1], 'intervall': 5}}],
        'rules': [{'name': 'Any event', 'condition': 'event.redis_enterprise.kind == "cluster"',
                   'action': {'debug': None}}]}]))
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {
        'ansible_connection': 'local'}}}}))
    done = subprocess.run([os.path.join(RULEBOOK_BIN, 'ansible-rulebook'), '-r', 'rulebook.yml', '-i',
                           'inventory.yml'], env=rulebook_env(tmp_path, [collections_path], simulator),
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=HANG, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    said = ('redis.enterprise.cluster_events: the source arguments: Unsupported parameters: intervall. Supported '
            'parameters include: ca_path, certificate_days, clusters, database_stuck_minutes, interval, license_days, '
            'password, timeout, username, validate_certs (user).')
    # ansible-rulebook's own lines around it (the source failed, shut down, terminating), but no
    # line for a frame of the code that found the mistake.
    assert [line.split(' - ', 3)[-1] for line in output.splitlines() if said in line] == [
        "Source error: OptionError: Source plugin failed with error message: '%s'" % said,
        'OptionError: %s' % said]
    assert not re.search(r'\.py:\d+ ', output), output
    assert 'Traceback' not in output and simlib.ADMIN_PASSWORD not in output


def _java_env(tmp_path, java=None):
    """An environment whose PATH has what the check needs (bash, sed) and,
    given java (a script's text), that java in a JAVA_HOME of its own."""
    tools = tmp_path / 'tools'
    tools.mkdir()
    for tool in ('bash', 'sed'):
        found = subprocess.run(['bash', '-c', 'command -v %s' % tool], capture_output=True, text=True, check=True)
        os.symlink(found.stdout.strip(), str(tools / tool))
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('MAKE', 'MFLAGS', 'JAVA_HOME')))
    env['PATH'] = str(tools)
    if java is not None:
        home = tmp_path / 'jdk'
        (home / 'bin').mkdir(parents=True)
        (home / 'bin' / 'java').write_text(java)
        (home / 'bin' / 'java').chmod(0o755)
        env['JAVA_HOME'] = str(home)
    return env


@pytest.mark.eda
@pytest.mark.parametrize('java, said', [
    (None, 'no java on PATH, and JAVA_HOME is not set'),
    ('#!/bin/bash\necho "    java.specification.version = 11" >&2\n', 'is Java 11'),
    ('', 'is Java of a version it does not say'),
])
def test_without_java_17_make_test_fails_naming_jdk_17_and_java_home(tmp_path, java, said):
    make = subprocess.run(['bash', '-c', 'command -v make'], capture_output=True, text=True, check=True).stdout.strip()
    done = subprocess.run([make, '--no-print-directory', '-C', ROOT, 'java-check'], env=_java_env(tmp_path, java),
                          capture_output=True, text=True, timeout=HANG, check=False)
    assert done.returncode != 0
    assert said in done.stderr, done.stderr
    assert 'JDK 17 or later' in done.stderr and 'JAVA_HOME' in done.stderr, done.stderr


@pytest.mark.files
def test_make_test_checks_java_before_anything_else():
    with open(os.path.join(ROOT, 'Makefile')) as handle:
        makefile = handle.read()
    assert re.search(r'^test: java-check ', makefile, re.M)
    steps = re.search(r'^TEST_STEPS = (.*)$', makefile, re.M).group(1).split()
    assert 'eda' in steps
    assert re.search(r'^eda: java-check ', makefile, re.M)


@pytest.mark.files
def test_the_two_rulebooks_differ_only_in_their_actions():
    """watch_clusters.yml (EDA controller, job templates) and its CLI copy
    (playbooks) keep the same source and rules."""
    def load(name):
        with open(os.path.join(ROOT, 'extensions', 'eda', 'rulebooks', name)) as handle:
            return yaml.safe_load(handle)

    controller, cli = load('watch_clusters.yml'), load('watch_clusters_cli.yml')
    assert len(controller) == len(cli) == 1
    for ruleset in (controller[0], cli[0]):
        for rule in ruleset['rules']:
            action = rule.pop('action')
            if 'run_job_template' in action:
                rule['runs'] = action['run_job_template']['name']
            elif 'run_playbook' in action:
                rule['runs'] = action['run_playbook']['name']
            else:
                rule['runs'] = action
    templates = dict((rule['name'], rule.pop('runs')) for rule in controller[0]['rules'])
    playbooks = dict((rule['name'], rule.pop('runs')) for rule in cli[0]['rules'])
    assert controller == cli
    assert sorted(templates) == sorted(playbooks)
    for name, template in templates.items():
        playbook = playbooks[name]
        if isinstance(playbook, str):
            assert template.startswith('Redis Enterprise ') and playbook.startswith('redis.enterprise.')
            assert os.path.exists(os.path.join(ROOT, 'playbooks', playbook.split('.')[-1] + '.yml'))
        else:
            assert template == playbook


@pytest.mark.files
def test_the_guide_quotes_the_decision_environment_and_builds_its_context(tmp_path):
    import test_docs  # pylint: disable=import-outside-toplevel

    definition = os.path.join(ROOT, 'docs', 'decision-environment', 'decision-environment.yml')
    with open(definition) as handle:
        wanted = yaml.safe_load(handle)
    blocks = [yaml.safe_load(block) for block in test_docs.code_blocks('event_driven.rst', ('yaml',))]
    assert wanted in blocks
    # The same base image, Python and ansible-core as the execution environment's.
    with open(os.path.join(ROOT, 'docs', 'execution-environment', 'execution-environment.yml')) as handle:
        execution = yaml.safe_load(handle)
    assert wanted['images'] == execution['images']
    for key in ('python_interpreter', 'ansible_core', 'ansible_runner'):
        assert wanted['dependencies'][key] == execution['dependencies'][key]

    # ansible-builder makes its build context: the CA file beside it, as its comments ask.
    (tmp_path / 'files').mkdir()
    (tmp_path / 'files' / 'cluster-ca.pem').write_text('-----BEGIN CERTIFICATE-----\n')
    copy = tmp_path / 'decision-environment.yml'
    copy.write_text(open(definition).read())
    context = tmp_path / 'context'
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    done = subprocess.run(['ansible-builder', 'create', '-f', str(copy), '-c', str(context), '--output-filename',
                           'Containerfile'], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    containerfile = (context / 'Containerfile').read_text()
    assert 'COPY _build/configs/cluster-ca.pem /etc/pki/redis/cluster-ca.pem' in containerfile
    assert (context / '_build' / 'configs' / 'cluster-ca.pem').is_file()
    assert 'ansible-rulebook>=1.1,<2' in (context / '_build' / 'requirements.txt').read_text()
    assert 'java-21-openjdk-headless [platform:rpm]' in (context / '_build' / 'bindep.txt').read_text()
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert [c['name'] for c in galaxy['collections']] == ['redis.enterprise', 'community.crypto']


@pytest.mark.files
def test_the_guide_and_the_decision_environment_say_what_renew_certificate_stops_with():
    def words(*parts):
        with open(os.path.join(ROOT, *parts)) as handle:
            return ' '.join(line.strip().lstrip('#') for line in handle.read().splitlines()).split()

    with open(os.path.join(ROOT, 'playbooks', 'renew_certificate.yml')) as handle:
        playbook = yaml.safe_load(handle)[0]
    sentence = playbook['vars']['redis_crypto_missing']
    assert sentence.startswith(MISSING_CRYPTO)
    guide = ' '.join(words('docs', 'docsite', 'rst', 'event_driven.rst'))
    assert ' '.join(sentence.split()) in guide
    environment = ' '.join(words('docs', 'decision-environment', 'decision-environment.yml'))
    assert ' '.join(MISSING_CRYPTO.split()) in environment
    # Its first task, before anything is read: the check, which stops with that sentence.
    check = playbook['tasks'][0]
    assert check['rescue'] == [{'name': 'Stop, saying what is missing',
                                'ansible.builtin.fail': {'msg': '{{ redis_crypto_missing }}'}}]

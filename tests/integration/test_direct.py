# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the collection's tasks run: the path each task takes and why; what a
task says (keywords, module_defaults, environment, loops) applied on the
direct path as on the module path, with the same results; nothing of one
loop item left for the next in the worker; and an unexpected exception on the
direct path ending as a clean failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

import redis_enterprise_sim as simlib
from runner import HERE, SECRETS, SWITCH

# Behaviour that depends on the path: each test runs on both.
pytestmark = [pytest.mark.both_paths, pytest.mark.core]

DIRECT = "redis.enterprise.ocsp runs in the controller's Python (direct execution)"
AS_MODULE = 'redis.enterprise.ocsp runs as a module: '


def write_play(tmp_path, tasks, name='play.yml', **play):
    path = tmp_path / name
    path.write_text(yaml.safe_dump([dict({'name': 'Test play', 'hosts': 'localhost', 'gather_facts': False},
                                         tasks=tasks, **play)], sort_keys=False))
    return str(path)


def ocsp_task(**keywords):
    return dict({'name': 'Enforce', 'redis.enterprise.ocsp': {'response_timeout': 5}}, **keywords)


@pytest.fixture
def fake_requests(tmp_path):
    """A directory that, first on PYTHONPATH, makes `import requests` fail."""
    directory = tmp_path / 'no-requests'
    directory.mkdir()
    (directory / 'requests.py').write_text("raise ImportError('requests is not installed here')\n")
    return str(directory)


# name: (task keywords, environment, the -vvvv line)
PATHS = {
    'default': ({}, {}, DIRECT),
    'async': ({'async': 30, 'poll': 1}, {}, AS_MODULE + 'async is set'),
    'become': ({'become': True, 'become_method': 'ansible.builtin.su', 'become_user': 'root'}, {},
               AS_MODULE + 'become is set'),
    'connection': ({'vars': {'ansible_connection': 'sublocal'}},
                   {'ANSIBLE_CONNECTION_PLUGINS': os.path.join(HERE, 'connection_plugins')},
                   AS_MODULE + 'the connection is sublocal, not local'),
}


@pytest.mark.parametrize('name', sorted(PATHS))
def test_each_task_says_which_path_it_took_and_why(ansible_on, cluster, tmp_path, name):
    keywords, env, says = PATHS[name]
    run = ansible_on('direct')(['ansible-playbook', '-vvvv', write_play(tmp_path, [ocsp_task(**keywords)])], env=env)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert says in run.stdout
    assert (DIRECT in run.stdout) is (name == 'default')
    assert run.task()['result']['changed'] is True
    assert cluster.config['response_timeout'] == 5


def test_what_argument_validation_finds_the_module_says_itself(ansible_on, cluster, tmp_path):
    task = {'name': 'Enforce', 'redis.enterprise.ocsp': {'response_timeout': 5, 'colour': 'blue'}}
    run = ansible_on('direct')(['ansible-playbook', '-vvvv', write_play(tmp_path, [task])])
    assert AS_MODULE + 'argument validation has something to say, which the module says itself' in run.stdout
    result = run.task()['result']
    assert run.task()['status'] == 'failed'
    assert result['msg'].startswith('Unsupported parameters for (redis.enterprise.ocsp) module: colour.')
    assert cluster.log == []


def test_the_variable_turns_direct_execution_off(ansible_on, cluster, tmp_path):
    run = ansible_on('module')(['ansible-playbook', '-vvvv', write_play(tmp_path, [ocsp_task()])])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert AS_MODULE + 'redis_enterprise_direct_execution is false' in run.stdout
    # The module's own process, as ansible runs any module.
    assert 'AnsiballZ_ocsp.py' in run.stdout and DIRECT not in run.stdout
    assert cluster.config['response_timeout'] == 5


def test_without_requests_in_the_controller_the_module_path_says_what_to_install(ansible_on, cluster, tmp_path,
                                                                                 fake_requests):
    run = ansible_on('direct')(['ansible-playbook', '-vvvv', write_play(tmp_path, [ocsp_task()])],
                               env={'PYTHONPATH': fake_requests})
    assert AS_MODULE + "requests cannot be imported in the controller's Python" in run.stdout
    result = run.task()['result']
    assert run.task()['status'] == 'failed'
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert '-m pip install requests' in result['msg']
    assert cluster.log == []


KEYWORDS = [
    {'name': 'check_mode and diff as task keywords', 'redis.enterprise.ocsp': {'query_frequency': 900},
     'check_mode': True, 'diff': True, 'register': 'checked'},
    {'name': 'failed_when and changed_when', 'redis.enterprise.ocsp': {'query_frequency': 900},
     'register': 'applied', 'changed_when': False, 'failed_when': 'applied.ocsp.query_frequency != 900'},
    {'name': 'no_log', 'redis.enterprise.ocsp': {'query_frequency': 900}, 'no_log': True, 'register': 'hidden'},
    {'name': 'The user alias, with the password from the play', 'redis.enterprise.ocsp': {
        'recovery_max_tries': 9, 'user': simlib.VIEWER_USER, 'password': '{{ viewer_password }}'},
     'register': 'viewer', 'ignore_errors': True},
    {'name': 'What each task did', 'ansible.builtin.assert': {'that': [
        'checked is changed', "checked.diff.after.query_frequency == 900", 'applied is not changed',
        'applied.ocsp.query_frequency == 900', 'hidden is not changed', 'viewer is failed',
        "'User viewer@example.com may not GET /v1/ocsp' in viewer.msg"]}},
]


def test_task_keywords_apply_alike_on_both_paths(ansible_on, cluster, tmp_path):
    records = {}
    for path in ('direct', 'module'):
        cluster.reset()
        play = write_play(tmp_path, KEYWORDS, name='%s.yml' % path, module_defaults={
            'group/redis.enterprise.api': {'timeout': 10}}, vars={'viewer_password': simlib.VIEWER_PASSWORD})
        run = ansible_on(path)(['ansible-playbook', '--diff', play])
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        assert cluster.calls() == [('GET', '/v1/ocsp'), ('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp'),
                                   ('GET', '/v1/ocsp'), ('GET', '/v1/ocsp')]
        for secret in SECRETS:
            assert secret not in run.output
        records[path] = [(r['task'], r['status'], r['result']) for r in run.records]
        hidden = [r for r in run.records if r['task'] == 'no_log'][0]['result']
        assert 'ocsp' not in hidden and hidden.get('censored')
        # module_defaults gave the timeout, the play the password.
        viewer = [r for r in run.records if r['task'].startswith('The user alias')][0]['result']
        assert viewer['invocation']['module_args']['timeout'] == 10
        assert viewer['invocation']['module_args']['user'] == simlib.VIEWER_USER
        assert viewer['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert records['direct'] == records['module']


def test_async_runs_as_a_module_on_both_paths(ansible, cluster, tmp_path):
    run = ansible(['ansible-playbook', write_play(tmp_path, [ocsp_task(**{'async': 30, 'poll': 1})])])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    result = run.task()['result']
    assert result['changed'] is True and result['ocsp']['response_timeout'] == 5
    assert result['finished'] == 1
    assert cluster.calls() == [('GET', '/v1/ocsp'), ('PUT', '/v1/ocsp')]


def test_loop_items_keep_their_environment_to_themselves(ansible, cluster, tmp_path):
    with simlib.ConnectProxy(deny=True) as proxy:
        items = [
            {'timeout': 2, 'env': {'REDIS_ENTERPRISE_PASSWORD': 'not-the-password'}},
            {'timeout': 3, 'env': {}},
            {'timeout': 4, 'env': {'https_proxy': proxy.url}},
            {'timeout': 5, 'env': {}},
            {'timeout': 6, 'env': {'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                                   'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD}},
            {'timeout': 7, 'env': {}},
        ]
        task = {'name': 'Each item with its own environment', 'redis.enterprise.ocsp': {
            'response_timeout': '{{ item.timeout }}'}, 'environment': '{{ item.env }}', 'loop': items,
            'ignore_errors': True}
        run = ansible(['ansible-playbook', write_play(tmp_path, [task])],
                      env={'https_proxy': None, 'HTTPS_PROXY': None, 'no_proxy': None, 'NO_PROXY': None})
        assert [t['status'] for t in proxy.log] == [403]
    results = run.task()['result']['results']
    # A failed item has a message (ansible-core 2.19 and later drop its failed key here).
    assert [('msg' in r, r.get('http_status')) for r in results] == [
        (True, 401), (False, None), (True, None), (False, None), (True, 403), (False, None)]
    assert 'did not open a tunnel' in results[2]['msg']
    assert cluster.config['response_timeout'] == 7
    assert [c[0] for c in cluster.calls()] == ['GET', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'GET', 'PUT']


def test_a_password_in_the_environment_keyword_shows_at_vvv_only_on_the_module_path(ansible, cluster, tmp_path):
    task = ocsp_task(environment={'REDIS_ENTERPRISE_PASSWORD': '{{ redis_password }}'})
    run = ansible(['ansible-playbook', '-vvv', '-e', json.dumps({'redis_password': simlib.ADMIN_PASSWORD}),
                   write_play(tmp_path, [task])], env={'REDIS_ENTERPRISE_PASSWORD': None})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert cluster.config['response_timeout'] == 5
    # ansible-core prints a module's command line, environment included, at
    # -vvv: what the documentation warns of. The direct path runs no command.
    shown = 'REDIS_ENTERPRISE_PASSWORD=%s' % simlib.ADMIN_PASSWORD
    assert (shown in run.stdout) is (ansible.path == 'module')
    if ansible.path == 'direct':
        assert simlib.ADMIN_PASSWORD not in run.output


@pytest.fixture
def broken(ansible_on, collections_path):
    """ansible_on('direct') with the test-only collection testing.direct,
    whose module raises an exception naming the password."""
    run = ansible_on('direct')
    extra = os.pathsep.join([collections_path, os.path.join(HERE, 'collections')])
    return lambda args, env: run(args, env=dict(env, ANSIBLE_COLLECTIONS_PATH=extra))


@pytest.mark.parametrize('verbosity', [[], ['-vvv']], ids=['quiet', 'vvv'])
def test_an_unexpected_exception_is_a_clean_failure_and_the_worker_goes_on(broken, tmp_path, verbosity):
    task = {'name': 'Broken, then not', 'testing.direct.broken': {'explode': '{{ item }}'},
            'loop': [True, False], 'ignore_errors': True}
    # Tracebacks as ansible-core shows a module's: at -vvv before 2.19, with
    # display_traceback from 2.19 (which older releases ignore).
    run = broken(['ansible-playbook'] + verbosity + [write_play(tmp_path, [task])],
                 env={'ANSIBLE_DISPLAY_TRACEBACK': 'error' if verbosity else None})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    exploded, fine = run.task('testing.direct.broken')['result']['results']
    assert exploded['msg'].startswith("testing.direct.broken failed unexpectedly in the controller's Python: "
                                      'ZeroDivisionError: cannot divide ')
    assert 'set redis_enterprise_direct_execution=false to run it as a module' in exploded['msg']
    # The next item ran in the same worker.
    assert 'msg' not in fine and fine['exploded'] is False
    assert 'MODULE FAILURE' not in run.output
    assert simlib.ADMIN_PASSWORD not in run.output
    assert ('Traceback (most recent call last)' in exploded.get('exception', '')) is bool(verbosity)


def test_a_loop_that_mixes_both_paths_keeps_each_items_environment(ansible_on, simulator, cluster, tmp_path):
    """Item 1 runs as a module with an environment of its own; the items
    after it run in the worker with none. Before ansible-core 2.18 the
    connection's shell keeps every item's environment while the connection is
    reused, which it is once an item took the module path."""
    with simlib.Simulator(str(tmp_path / 'other-certs'), responder_url=simlib.RESPONDER_URL) as other:
        items = [
            {'timeout': 2, 'direct': False, 'env': {'REDIS_ENTERPRISE_PASSWORD': 'not-the-password'}},
            {'timeout': 3, 'direct': True, 'env': {}},
            {'timeout': 4, 'direct': False, 'env': {'REDIS_ENTERPRISE_URL': other.urls[0],
                                                    'REDIS_ENTERPRISE_CA_PATH': other.ca_path}},
            {'timeout': 5, 'direct': True, 'env': {}},
            {'timeout': 6, 'direct': True, 'env': {}},
        ]
        task = {'name': 'Each item on its own path', 'redis.enterprise.ocsp': {'response_timeout': '{{ item.timeout }}'},
                'environment': '{{ item.env }}', 'loop': items, 'ignore_errors': True,
                'vars': {SWITCH: '{{ item.direct }}'}}
        # No -e for the switch: the task's vars decide per item.
        run = ansible_on(None)(['ansible-playbook', '-vvvv', write_play(tmp_path, [task])])
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        results = run.task()['result']['results']
        assert [('msg' in r, r.get('http_status')) for r in results] == [
            (True, 401), (False, None), (False, None), (False, None), (False, None)]
        assert run.stdout.count(DIRECT) == 3
        assert run.stdout.count(AS_MODULE + 'redis_enterprise_direct_execution is false') == 2
        # Item 3 wrote to the other cluster, and only it did.
        assert other.clusters[0].config['response_timeout'] == 4
        assert [c[0] for c in other.clusters[0].calls()] == ['GET', 'PUT']
    assert cluster.config['response_timeout'] == 6
    assert [c[0] for c in cluster.calls()] == ['GET', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT']


@pytest.fixture
def bare_python(tmp_path):
    """A Python without requests, as /usr/bin/python3 may be."""
    bare = tmp_path / 'bare-python'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(bare)], check=True, timeout=120)
    return str(bare / 'bin' / 'python')


def test_an_interpreter_other_than_the_controllers_takes_the_module_path(ansible_on, cluster, tmp_path, bare_python):
    play = write_play(tmp_path, [ocsp_task()], vars={'ansible_python_interpreter': bare_python})
    run = ansible_on('direct')(['ansible-playbook', '-vvvv', play])
    assert (AS_MODULE + "ansible_python_interpreter is %s, not the controller's Python (%s)"
            % (bare_python, sys.executable)) in run.stdout
    # The module ran in that Python, which has no requests: it says so.
    result = run.task()['result']
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert bare_python in result['msg']
    assert cluster.log == []


def test_the_controllers_own_python_named_explicitly_runs_direct(ansible_on, cluster, tmp_path):
    play = write_play(tmp_path, [ocsp_task()], vars={'ansible_python_interpreter': '{{ ansible_playbook_python }}'})
    run = ansible_on('direct')(['ansible-playbook', '-vvvv', play])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert DIRECT in run.stdout


def test_a_failure_preparing_the_direct_run_takes_the_module_path(broken, tmp_path):
    task = {'name': 'Unprepared', 'testing.direct.unprepared': {'url': 'https://cluster.example.com:9443'}}
    run = broken(['ansible-playbook', '-vvvv', write_play(tmp_path, [task])], env={})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert ('testing.direct.unprepared runs as a module: preparing the direct run failed with AttributeError'
            in run.stdout)
    result = run.task('testing.direct.unprepared')['result']
    assert result['user'] == simlib.ADMIN_USER and 'AnsiballZ_unprepared.py' in run.stdout

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as AWX runs it: the credential type of docs/awx renders its
injectors the way AWX does (environment variables, the CA certificate as a
file in the job's private data directory), and ansible-runner runs the job
template's playbook over that directory: check with diff, for real, again;
directly, and as on an execution node, streamed through ansible-runner
transmit, worker and process."""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import redis_enterprise_sim as simlib
from runner import BIN, ROOT, SECRETS, SWITCH

# It depends on ansible-core itself: run on the oldest too (conftest.py).
pytestmark = pytest.mark.core

AWX = os.path.join(ROOT, 'docs', 'awx')


def load(name):
    with open(os.path.join(AWX, name)) as handle:
        return yaml.safe_load(handle)


def task_args(playbook, module):
    found = [task[module] for play in load(playbook) for task in play['tasks'] if module in task]
    assert found, (playbook, module)
    return found


def inject(credential_type, inputs, private_data_dir, mounted_at=None):
    """The env/envvars AWX gives a job for a credential: file injectors written
    to the private data directory first, their paths under tower.filename, then
    every env injector rendered in a sandbox with the credential's inputs.

    The paths are the ones the job sees: under mounted_at, if given, where the
    node that runs the job unpacks the directory (AWX: /runner, where the
    execution environment mounts it)."""
    missing = [name for name in credential_type['inputs']['required'] if not inputs.get(name)]
    assert not missing, missing
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, 'env')
    filenames = {}
    for label, template in credential_type['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as out:
            out.write(sandbox.from_string(template).render(**inputs))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if mounted_at is not None:
            path = os.path.join(mounted_at, os.path.relpath(path, private_data_dir))
        filenames[label.split('.', 1)[1]] = path
    namespace = dict(inputs, tower={'filename': filenames})
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type['injectors']['env'].items()}


def test_credential_type_injects_what_the_modules_read():
    credential_type = load('credential_type.yml')
    assert credential_type['kind'] == 'cloud'
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert fields['password'].get('secret') is True
    assert fields['ca_cert'].get('multiline') is True
    assert credential_type['injectors'] == {
        'file': {'template.ca_file': '{{ ca_cert }}'},
        'env': {
            'REDIS_ENTERPRISE_URL': '{{ url }}',
            'REDIS_ENTERPRISE_USERNAME': '{{ username }}',
            'REDIS_ENTERPRISE_PASSWORD': '{{ password }}',
            'REDIS_ENTERPRISE_CA_PATH': '{{ tower.filename.ca_file }}',
        },
    }
    # Every variable it sets is one the connection options fall back to.
    import ansible_collections.redis.enterprise.plugins.module_utils._api as api  # pylint: disable=import-outside-toplevel
    assert set(credential_type['injectors']['env']) <= set(api.ENV.values())


def test_create_playbook_sends_the_templates_unrendered(tmp_path):
    """The play var the awx.awx.credential_type task reads from, evaluated by
    Ansible, is the file's content with the injector templates left as written."""
    [args] = task_args('create_credential_type.yml', 'awx.awx.credential_type')
    assert args['inputs'] == '{{ redis_credential_type.inputs }}'
    assert args['injectors'] == '{{ redis_credential_type.injectors }}'
    expression = load('create_credential_type.yml')[0]['vars']['redis_credential_type']
    out = tmp_path / 'loaded.json'
    playbook = tmp_path / 'load.yml'
    playbook.write_text(yaml.safe_dump([{
        'hosts': 'localhost', 'gather_facts': False,
        'vars': {'redis_credential_type': expression},
        'tasks': [{'ansible.builtin.copy': {'content': '{{ redis_credential_type | ansible.builtin.to_json }}',
                                            'dest': str(out)}}],
    }]))
    shutil.copy(os.path.join(AWX, 'credential_type.yml'), str(tmp_path))
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_HOME=str(tmp_path / 'home'))
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local',
                           '-e', 'ansible_python_interpreter=%s' % sys.executable, str(playbook)],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out.read_text()) == load('credential_type.yml')


def test_job_templates_check_with_diff_then_enforce():
    by_type = {args['job_type']: args for args in task_args('job_template.yml', 'awx.awx.job_template')}
    assert set(by_type) == {'check', 'run'}
    assert by_type['check']['diff_mode'] is True
    for args in by_type.values():
        assert args['credentials'] == ['Redis Enterprise production']


def job_templates():
    """The job templates of docs/awx/job_template.yml by job type, the play's
    variables put in."""
    play_vars = load('job_template.yml')[0]['vars']
    sandbox = ImmutableSandboxedEnvironment()
    return {args['job_type']: {key: sandbox.from_string(value).render(**play_vars) if isinstance(value, str) else value
                               for key, value in args.items()}
            for args in task_args('job_template.yml', 'awx.awx.job_template')}


def cmdline(template):
    """The ansible-playbook options AWX adds for a job template's job type and diff mode."""
    return ' '.join((['--check'] if template['job_type'] == 'check' else [])
                    + (['--diff'] if template.get('diff_mode') else []))


def events(artifacts, event):
    found = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
        with open(path) as handle:
            data = json.load(handle)
        if data.get('event') == event and data['event_data'].get('task_action') == 'redis.enterprise.ocsp':
            found.append(data['event_data'])
    return found


def private_data_dir(root, simulator, sim_url, extravars, mounted_at=None):
    """The private data directory AWX writes under root for a job of the job
    templates with the credential: the project's playbook, the inventory, the
    credential's env/envvars (the CA certificate a file in env/, its path
    under mounted_at if given, see inject) and the job's extra variables: the
    directory, the playbook, the job templates and the envvars."""
    data = root / 'private_data_dir'
    for sub in ('env', 'inventory', 'project'):
        (data / sub).mkdir(parents=True)
    templates = job_templates()
    playbook = templates['check']['playbook']
    assert templates['run']['playbook'] == playbook
    (data / 'project' / os.path.dirname(playbook)).mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, playbook), str(data / 'project' / playbook))
    (data / 'inventory' / 'hosts').write_text(
        'localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    with open(simulator.ca_path) as handle:
        inputs = {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
                  'ca_cert': handle.read()}
    envvars = inject(load('credential_type.yml'), inputs, str(data),
                     mounted_at=None if mounted_at is None else str(mounted_at))
    (data / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))
    (data / 'env' / 'extravars').write_text(yaml.safe_dump(extravars))
    ca_file = data / os.path.relpath(envvars['REDIS_ENTERPRISE_CA_PATH'], str(data if mounted_at is None else mounted_at))
    assert ca_file.parent == data / 'env' and stat.S_IMODE(os.stat(ca_file).st_mode) == 0o600
    return data, playbook, templates, envvars


def runner_env(tmp_path, collections_path):
    """The environment of ansible-runner where it runs the job: the execution
    environment provides the collection; the credential is the only source of
    the connection."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('ANSIBLE_', 'REDIS_ENTERPRISE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'))}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_COLLECTIONS_PATH=collections_path,
               ANSIBLE_HOME=str(tmp_path / 'ansible-home'), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'))
    return env


def check_run_again(job, cluster, templates):
    """The check job with diff, the run job, the run job again, with
    job(ident, cmdline) -> the result of the playbook's OCSP task: what would
    change and no PUT, the change with one PUT, then nothing to do."""
    before = dict(cluster.config)
    check = job('check', cmdline(templates['check']))
    assert check['changed'] is True
    assert check['diff']['before']['response_timeout'] == 1 and check['diff']['after']['response_timeout'] == 2
    assert check['diff']['after']['ocsp_functionality'] is True
    assert cluster.count('PUT', '/v1/ocsp') == 0 and cluster.config == before

    applied = job('run', cmdline(templates['run']))
    assert applied['changed'] is True and applied['diff'] == check['diff']
    assert cluster.count('PUT', '/v1/ocsp') == 1
    assert cluster.config['ocsp_functionality'] is True and cluster.config['response_timeout'] == 2

    again = job('again', cmdline(templates['run']))
    assert again['changed'] is False
    assert cluster.count('PUT', '/v1/ocsp') == 1
    # The job turns stapling on: the responder is asked first, in check mode too.
    assert {(entry['method'], entry['path'], entry['status']) for entry in cluster.log} == {
        ('GET', '/v1/ocsp', 200), ('POST', '/v1/ocsp/test', 200), ('PUT', '/v1/ocsp', 200)}


def finished(artifacts):
    """The one OCSP result of a job that succeeded, from its artifacts."""
    with open(os.path.join(artifacts, 'status')) as handle:
        assert handle.read().strip() == 'successful'
    oks = events(artifacts, 'runner_on_ok')
    assert len(oks) == 1, oks
    return oks[0]['res']


def test_job_runs_under_ansible_runner_with_the_injected_credential(tmp_path, simulator, cluster, sim_url, collections_path,
                                                                    path):
    # The job's extra variables, as AWX writes them: here, the path.
    data, playbook, templates, dummy = private_data_dir(tmp_path, simulator, sim_url, {SWITCH: path == 'direct'})
    env = runner_env(tmp_path, collections_path)

    def job(ident, cmdline_flags):
        assert cmdline_flags in ('--check --diff', '--diff'), cmdline_flags
        proc = subprocess.run([os.path.join(BIN, 'ansible-runner'), 'run', str(data), '-p', playbook,
                               '--ident', ident, '--cmdline=' + cmdline_flags],
                              env=env, capture_output=True, text=True, check=False, timeout=300)
        artifacts = str(data / 'artifacts' / ident)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        result = finished(artifacts)
        assert_no_secret(artifacts, proc.stdout + proc.stderr)
        return result

    check_run_again(job, cluster, templates)


def unstream(data):
    """The messages of an ansible-runner stream, each with the files of the
    archive that follows it, if any: [(message, {name: content} or None)]."""
    stream = io.BytesIO(data)
    messages = []
    for line in iter(stream.readline, b''):
        message = json.loads(line)
        files = None
        if 'zipfile' in message:
            # The archive, base64-encoded, right after its line: zipfile is its size.
            encoded = stream.read(4 * -(-message['zipfile'] // 3))
            with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded, validate=True))) as archive:
                files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        messages.append((message, files))
    assert messages and messages[-1] == ({'eof': True}, None), messages[-1:]
    return messages


def where(secret, messages):
    """Where secret is in a stream: (status, event or first key of the
    message, its key) for a message, ('archive', name) for a file of an
    archive in it."""
    found = set()
    for message, files in messages:
        kind = message.get('status') or message.get('event') or next(iter(message))
        found.update((kind, key) for key, value in message.items() if secret in json.dumps(value))
        found.update(('archive', name) for name, content in (files or {}).items() if secret.encode() in content)
    return found


def test_job_runs_on_an_execution_node_through_the_runner_stream(tmp_path, simulator, cluster, sim_url,
                                                                 collections_path):
    """AWX's execution nodes: the control node transmits the job's private data
    directory as a stream, the node's worker unpacks it in a directory of its
    own and runs the job there, and the control node processes the events and
    artifacts the worker streams back. The credential travels in the stream:
    the worker's own environment has no connection variable."""
    node = tmp_path / 'execution-node' / 'runner'
    data, playbook, templates, envvars = private_data_dir(tmp_path / 'control-node', simulator, sim_url,
                                                          {SWITCH: True}, mounted_at=node)
    env = runner_env(tmp_path, collections_path)
    assert not [name for name in env if name.startswith('REDIS_ENTERPRISE_')]
    # The CA certificate the job is given is in the node's directory, which only the stream fills.
    assert os.path.dirname(envvars['REDIS_ENTERPRISE_CA_PATH']) == str(node / 'env') and not node.exists()
    received = tmp_path / 'control-node' / 'processed'

    def stage(args, stream=b''):
        proc = subprocess.run([os.path.join(BIN, 'ansible-runner')] + args, input=stream, env=env,
                              capture_output=True, check=False, timeout=300)
        assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr.decode(errors='replace'))
        return proc

    def job(ident, cmdline_flags):
        assert cmdline_flags in ('--check --diff', '--diff'), cmdline_flags
        # AWX writes the job's options to env/cmdline in the directory it transmits.
        (data / 'env' / 'cmdline').write_text(cmdline_flags)
        transmitted = stage(['transmit', str(data), '-p', playbook, '--ident', ident])
        worked = stage(['worker', '--private-data-dir', str(node), '--delete'], transmitted.stdout)
        processed = stage(['process', str(received), '--ident', ident], worked.stdout)
        # --delete: the job's directory, with the credential, is gone from the node.
        assert not node.exists()

        # The job's options, then its private data directory.
        sent, returned = unstream(transmitted.stdout), unstream(worked.stdout)
        [(options, dummy), (dummy, files), dummy] = sent
        assert options['kwargs']['playbook'] == playbook and options['kwargs']['ident'] == ident
        assert files['env/cmdline'].decode() == cmdline_flags and yaml.safe_load(files['env/envvars']) == envvars
        # What the worker ran: the job's options and the credential's
        # variables, which only the stream gave it.
        [starting] = [message for message, dummy in returned if message.get('status') == 'starting']
        assert ('--check' in starting['command']) == (cmdline_flags == '--check --diff')
        assert '--diff' in starting['command']
        assert {k: v for k, v in starting['env'].items() if k.startswith('REDIS_ENTERPRISE_')} == envvars
        # The password goes to the node in env/envvars only, and comes back
        # only where ansible-runner records the job's environment: the
        # starting status and the `command` artifact. AWX keeps the first as
        # the job's environment with the values of names like *PASS* hidden,
        # and deletes the second with the private data directory. No event
        # and no other artifact has it.
        assert [k for k, v in starting['env'].items() if simlib.ADMIN_PASSWORD in v] == ['REDIS_ENTERPRISE_PASSWORD']
        for secret in SECRETS:
            ours = secret == simlib.ADMIN_PASSWORD
            assert where(secret, sent) == ({('archive', 'env/envvars')} if ours else set())
            assert where(secret, returned) == ({('starting', 'env'), ('archive', 'command')} if ours else set())

        artifacts = str(received / 'artifacts' / ident)
        result = finished(artifacts)
        assert_no_secret(artifacts, (transmitted.stderr + worked.stderr + processed.stdout + processed.stderr).decode())
        return result

    check_run_again(job, cluster, templates)


def assert_no_secret(artifacts, output):
    """The password is in no output and no artifact but `command`, where
    ansible-runner records the job's environment, readable by its owner only
    (AWX deletes the private data directory after the job)."""
    for secret in SECRETS:
        assert secret not in output
    for path in glob.glob(os.path.join(artifacts, '**', '*'), recursive=True):
        if not os.path.isfile(path):
            continue
        if os.path.basename(path) == 'command':
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            continue
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        for secret in SECRETS:
            assert secret not in text, path

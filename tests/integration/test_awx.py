# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as AWX runs it: the credential type of docs/awx renders its
injectors the way AWX does (environment variables, the CA certificate as a
file in the job's private data directory), and ansible-runner runs the job
template's playbook over that directory: check with diff, for real, again."""

from __future__ import annotations

import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import redis_enterprise_sim as simlib
from runner import BIN, ROOT, SECRETS, SWITCH

AWX = os.path.join(ROOT, 'docs', 'awx')


def load(name):
    with open(os.path.join(AWX, name)) as handle:
        return yaml.safe_load(handle)


def task_args(playbook, module):
    found = [task[module] for play in load(playbook) for task in play['tasks'] if module in task]
    assert found, (playbook, module)
    return found


def inject(credential_type, inputs, private_data_dir):
    """The env/envvars AWX gives a job for a credential: file injectors written
    to the private data directory first, their paths under tower.filename, then
    every env injector rendered in a sandbox with the credential's inputs."""
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


def private_data_dir(root, simulator, sim_url, extravars):
    """The private data directory AWX writes under root for a job of the job
    templates with the credential: the project's playbook, the inventory, the
    credential's env/envvars (the CA certificate a file in env/) and the job's
    extra variables: the directory, the playbook, the job templates and the
    envvars."""
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
    envvars = inject(load('credential_type.yml'), inputs, str(data))
    (data / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))
    (data / 'env' / 'extravars').write_text(yaml.safe_dump(extravars))
    ca_file = envvars['REDIS_ENTERPRISE_CA_PATH']
    assert os.path.dirname(ca_file) == str(data / 'env') and stat.S_IMODE(os.stat(ca_file).st_mode) == 0o600
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
    assert {(entry['method'], entry['path'], entry['status']) for entry in cluster.log} == {
        ('GET', '/v1/ocsp', 200), ('PUT', '/v1/ocsp', 200)}


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

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documentation: every module renders in ansible-doc, the guides'
examples are valid YAML with FQCNs, say what the files they quote say, and the
fleet playbook of the guide does what the guide says."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess

import jinja2
import pytest
import yaml

import redis_enterprise_sim as simlib
from runner import BIN, ROOT, SECRETS

DOCSITE = os.path.join(ROOT, 'docs', 'docsite')
MODULES = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                 if not os.path.basename(path).startswith('_'))
# Keys of a task or play that are not module names.
KEYWORDS = {'name', 'hosts', 'gather_facts', 'tasks', 'vars', 'module_defaults', 'register', 'delegate_to',
            'when', 'loop', 'run_once', 'serial', 'block', 'check_mode', 'diff', 'become', 'environment',
            'ignore_errors', 'changed_when', 'failed_when', 'tags', 'notify', 'no_log', 'collections', 'loop_control',
            'handlers', 'force_handlers'}


def ansible_doc(collections_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=collections_path)
    return subprocess.run(['ansible-doc'] + list(args), env=env, capture_output=True, text=True, check=False,
                          timeout=120)


@pytest.fixture(scope='module')
def rendered(collections_path):
    """ansible-doc's text and JSON of every module, one call each."""
    names = ['redis.enterprise.' + module for module in MODULES]
    text = ansible_doc(collections_path, *names)
    assert text.returncode == 0 and not text.stderr.strip(), text.stderr
    dumped = ansible_doc(collections_path, '--json', *names)
    assert dumped.returncode == 0, dumped.stderr
    return text.stdout, json.loads(dumped.stdout)


@pytest.mark.files
@pytest.mark.parametrize('module', MODULES)
def test_module_renders_in_ansible_doc(module, rendered):
    name = 'redis.enterprise.' + module
    text, dumped = rendered
    # The text of this module: from its heading to the next module's.
    page = text.split('> MODULE ' + name, 1)[1].split('> MODULE ', 1)[0]
    assert 'REDIS_ENTERPRISE_URL' in page and 'ca_path' in page, page[:2000]
    doc = dumped[name]
    assert doc['doc']['short_description'] and doc['doc']['version_added']
    assert {'url', 'username', 'password', 'ca_path', 'validate_certs', 'timeout'} <= set(doc['doc']['options'])
    assert doc['return'], 'RETURN is empty'
    examples = yaml.safe_load(doc['examples'])
    assert examples and all(fqcn_tasks(task) for task in examples)
    assert_verified(doc['examples'])


@pytest.mark.files
def test_the_recovery_options_say_what_the_api_reference_says(collections_path):
    """Past recovery_max_tries the cluster goes back to its regular query
    frequency; nothing in the API reference invalidates the certificate."""
    dumped = ansible_doc(collections_path, '--json', 'redis.enterprise.ocsp')
    assert dumped.returncode == 0, dumped.stderr
    options = json.loads(dumped.stdout)['redis.enterprise.ocsp']['doc']['options']
    tries = ' '.join(options['recovery_max_tries']['description'])
    assert 'goes back to querying every O(query_frequency) seconds' in tries, tries
    assert 'invalidat' not in dumped.stdout


@pytest.mark.files
def test_nothing_says_the_issuing_cas_ocsp_uri_is_what_counts():
    """What stapling needs is an OCSP URL in the Authority Information
    Access of the proxy certificate itself; a CA's certificate with one
    issues leaves without it as well."""
    paths = [os.path.join(ROOT, 'README.md')] + [
        path for pattern in ('docs/**/*.rst', 'docs/**/*.yml', 'docs/**/*.md', 'plugins/**/*.py')
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True)]
    said = []
    for path in paths:
        with open(path, encoding='utf-8') as handle:
            text = ' '.join(handle.read().split())
        said += [os.path.relpath(path, ROOT) for phrase in ('whose certificate carries an OCSP', 'OCSP URI')
                 if phrase in text]
    assert said == []


def fqcn_tasks(task):
    """The module keys of a task (and its block) are fully qualified."""
    for key in task:
        if key not in KEYWORDS:
            assert '.' in key, 'not an FQCN: %s' % key
    for inner in task.get('block', []) + task.get('tasks', []) + task.get('handlers', []):
        fqcn_tasks(inner)
    return True


def assert_verified(text):
    assert not re.search(r'validate_certs\s*[:=]\s*(false|no|False)', text), text


def code_blocks(page, languages=('yaml', 'yaml+jinja')):
    """The code blocks of a guide page in one of languages, as text."""
    with open(os.path.join(DOCSITE, 'rst', page)) as handle:
        lines = handle.read().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        match = re.match(r'\.\. code-block:: (\S+)$', lines[index])
        index += 1
        if not match:
            continue
        body = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith('  ')):
            body.append(lines[index][2:])
            index += 1
        if match.group(1) in languages:
            blocks.append('\n'.join(body).strip() + '\n')
    return blocks


@pytest.mark.files
def test_guides_are_listed_and_their_examples_are_valid():
    with open(os.path.join(DOCSITE, 'extra-docs.yml')) as handle:
        listed = [page for section in yaml.safe_load(handle)['sections'] for page in section['toctree']]
    pages = sorted(os.path.basename(path)[:-4] for path in glob.glob(os.path.join(DOCSITE, 'rst', '*.rst')))
    assert sorted(listed) == pages == ['access_baseline', 'awx', 'certificates', 'databases', 'event_driven',
                                       'getting_started', 'ocsp_fleet', 'ocsp_stapling']
    for page in pages:
        blocks = code_blocks(page + '.rst')
        assert blocks, page
        for block in blocks:
            data = yaml.safe_load(block)
            assert_verified(block)
            if isinstance(data, list):
                assert all(fqcn_tasks(item) for item in data)


@pytest.mark.files
def test_no_example_turns_verification_off():
    examples = []
    for path in glob.glob(os.path.join(ROOT, 'docs', '**', '*.yml'), recursive=True):
        with open(path) as handle:
            examples.append(handle.read())
    with open(os.path.join(ROOT, 'README.md')) as handle:
        examples.extend(re.findall(r'^```(?:yaml|sh)\n(.*?)^```', handle.read(), re.S | re.M))
    assert len(examples) > 5
    for text in examples:
        assert_verified(text)


def load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


@pytest.mark.files
def test_awx_guide_quotes_the_files_it_names():
    blocks = [yaml.safe_load(block) for block in code_blocks('awx.rst')]
    credential_type = load('docs', 'awx', 'credential_type.yml')
    assert credential_type['inputs'] in blocks
    assert credential_type['injectors'] in blocks
    assert load('docs', 'execution-environment', 'execution-environment.yml') in blocks
    assert load('docs', 'awx', 'create_credential_type.yml') in blocks

    # The job template tasks, with the play's variables put in.
    [play] = load('docs', 'awx', 'job_template.yml')
    templates = [task for task in play['tasks'] if 'awx.awx.job_template' in task]

    def render(value):
        if isinstance(value, str):
            return jinja2.Template(value).render(**play['vars'])
        if isinstance(value, list):
            return [render(item) for item in value]
        if isinstance(value, dict):
            return {key: render(item) for key, item in value.items()}
        return value

    assert [render(task) for task in templates] in blocks


def github_anchor(heading):
    """The anchor GitHub and Galaxy give a Markdown or reStructuredText heading."""
    return re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')


@pytest.mark.files
def test_readme_has_what_galaxy_readers_look_for_and_links_that_work_there():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        readme = handle.read()
    sections = re.findall(r'^## (.*)$', readme, re.M)
    for expected in ('Description', 'Requirements', 'Tested ansible-core versions', 'Installation', 'Use cases',
                     'Testing', 'Contributing', 'Support', 'Release notes and roadmap', 'Licence'):
        assert expected in sections, expected
    # On the Galaxy page a relative link has no repository to point into.
    repository = load('galaxy.yml')['repository']
    headings = {github_anchor(heading) for heading in re.findall(r'^#+ (.*)$', readme, re.M)}
    links = re.findall(r'\]\(([^)\s]+)\)', readme)
    assert len(links) > 30
    for link in links:
        if link.startswith('#'):
            assert link[1:] in headings, link
            continue
        assert link.startswith(('https://', 'mailto:')), link
        if not link.startswith(repository + '/'):
            continue
        rest = link[len(repository) + 1:]
        if rest == 'issues':
            continue
        kind, branch, path = rest.split('/', 2)
        path, fragment = path.partition('#')[::2]
        assert branch == 'main', link
        assert kind == ('tree' if os.path.isdir(os.path.join(ROOT, path)) else 'blob'), link
        assert os.path.exists(os.path.join(ROOT, path)), link
        if fragment:
            with open(os.path.join(ROOT, path)) as handle:
                lines = handle.read().splitlines()
            titles = [lines[i] for i in range(len(lines) - 1)
                      if lines[i].strip() and re.fullmatch(r'([=\-~^"#*+])\1+', lines[i + 1])]
            assert fragment in {github_anchor(title) for title in titles}, link


@pytest.mark.files
def test_the_stapling_guide_quotes_the_workflow_it_names():
    (playbook,) = code_blocks('ocsp_stapling.rst', ('yaml+jinja',))
    assert yaml.safe_load(playbook) == load('docs', 'examples', 'enable_ocsp_stapling.yml')


@pytest.mark.files
def test_the_access_guide_quotes_the_baseline_it_names():
    (playbook,) = code_blocks('access_baseline.rst', ('yaml+jinja',))
    assert yaml.safe_load(playbook) == load('docs', 'examples', 'access_baseline.yml')


@pytest.mark.files
def test_fleet_playbook_of_the_guide(tmp_path, ansible):
    inventory_block, playbook_block = code_blocks('ocsp_fleet.rst', ('yaml', 'yaml+jinja'))[:2]
    guide_inventory = yaml.safe_load(inventory_block)
    # The guide quotes the playbook that docs/examples ships, which runs here.
    playbook = os.path.join(ROOT, 'docs', 'examples', 'enforce_ocsp_fleet.yml')
    assert yaml.safe_load(playbook_block) == load('docs', 'examples', 'enforce_ocsp_fleet.yml')
    with simlib.Simulator(str(tmp_path / 'certs'), clusters=3, responder_url=simlib.RESPONDER_URL) as fleet:
        # The guide's inventory with the simulated clusters' addresses and CA; the
        # credentials come from the environment as the unset vault variable allows.
        names = ['cluster-east', 'cluster-west', 'cluster-without-responder']
        inventory = {'redis_clusters': {
            'hosts': {name: {'redis_url': url} for name, url in zip(names, fleet.urls)},
            'vars': {'redis_ca_path': fleet.ca_path},
        }}
        assert set(guide_inventory['redis_clusters']['vars']) == {'redis_ca_path', 'redis_username', 'redis_password'}
        (tmp_path / 'redis_clusters.yml').write_text(yaml.safe_dump(inventory))
        east, west, bare = fleet.clusters
        bare.update({'config': {'responder_url': ''}})

        def run(*flags):
            result = ansible(['ansible-playbook', '-i', str(tmp_path / 'redis_clusters.yml'), playbook]
                             + list(flags))
            for secret in SECRETS:
                assert secret not in result.output
            return result

        check = run('--check', '--diff')
        assert check.rc != 0  # the cluster without a responder URL fails the play
        results = {r['host']: r for r in check.records if r['action'] == 'redis.enterprise.ocsp'}
        assert set(results) == {'cluster-east', 'cluster-west'}
        assert all(r['result']['changed'] for r in results.values())
        failed = [r for r in check.records if r['status'] == 'failed']
        assert [r['host'] for r in failed] == ['cluster-without-responder']
        assert 'no OCSP responder URL' in failed[0]['result']['msg']
        assert [c.count('PUT', '/v1/ocsp') for c in fleet.clusters] == [0, 0, 0]

        run('--diff')
        assert [c.count('PUT', '/v1/ocsp') for c in fleet.clusters] == [1, 1, 0]
        for cluster in (east, west):
            assert cluster.config['ocsp_functionality'] is True and cluster.config['response_timeout'] == 2
        assert bare.config['ocsp_functionality'] is False

        again = run()
        assert not [r for r in again.records if r['action'] == 'redis.enterprise.ocsp' and r['result']['changed']]
        assert [c.count('PUT', '/v1/ocsp') for c in fleet.clusters] == [1, 1, 0]

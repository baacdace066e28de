# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/examples/databases.yml over three simulated clusters, with the
guide's inventory, as the guide runs it: --check --diff, for real, and
again; the calls each run makes on each cluster, the endpoints it reports,
and no password in any output.

The clusters hold the access baseline first, as the guide has it run
before: the roles, Redis ACLs and service user that
docs/examples/access_baseline.yml declares, written through each cluster's
API (test_access_baseline.py runs that playbook itself)."""

from __future__ import annotations

import json
import os
import re

import pytest
import requests
import yaml

import redis_enterprise_sim as simlib
from runner import ROOT

EXAMPLE = os.path.join(ROOT, 'docs', 'examples', 'databases.yml')
BASELINE = os.path.join(ROOT, 'docs', 'examples', 'access_baseline.yml')
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'databases.rst')
ACTION = 'redis.enterprise.database'
SERVICE_PASSWORD = 'D3ploy-S3rvice-Pa55-91fe'
DATABASE_PASSWORDS = {'cache': 'Cache-Def4ult-Pa55-1a2b', 'metrics': 'Metr1cs-Def4ult-Pa55-3c4d',
                      'checkout': 'Ch3ckout-Def4ult-Pa55-5e6f'}
# A create's action stays pending 2 simulated seconds (the simulator's
# default), which at this speed pass in 40 ms: the runs never wait long.
FAST = {'clock': {'speed': 50}}
UNITS = {'MB': 1024 ** 2, 'GB': 1024 ** 3}
FIND = ('GET', '/v1/bdbs?fields=uid%2Cname')
NAMES = [('GET', '/v1/roles'), ('GET', '/v1/redis_acls')]


def code_blocks(path, language):
    """The bodies of an reStructuredText page's code blocks in language."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    pattern = r'^\.\. code-block:: %s\n\n((?:  .*\n|\n)+)' % re.escape(language)
    return ['\n'.join(line[2:] for line in body.splitlines()) for body in re.findall(pattern, text, re.M)]


def guide_inventory():
    [inventory] = [data for data in map(yaml.safe_load, code_blocks(GUIDE, 'yaml'))
                   if isinstance(data, dict) and 'redis_clusters' in data]
    return inventory


def load(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def baseline():
    """What the access baseline declares: its roles, its Redis ACLs and its
    service user, as the API takes them."""
    [play] = load(BASELINE)
    [user] = [task['redis.enterprise.user'] for task in play['tasks'] if 'redis.enterprise.user' in task]
    return play['vars']['baseline_roles'], play['vars']['baseline_redis_acls'], user


def keep_baseline(url, ca_path):
    """Write the access baseline to a cluster through its API, as its admin."""
    def post(path, body):
        answer = requests.post(url + path, json=body, auth=(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD),
                               verify=ca_path, timeout=5)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    roles, acls, user = baseline()
    uids = dict((role['name'], post('/v1/roles', role)['uid']) for role in roles)
    for acl in acls:
        post('/v1/redis_acls', acl)
    post('/v1/users', {'email': user['email'], 'name': user['name'], 'password': SERVICE_PASSWORD,
                       'role_uids': [uids[name] for name in user['roles']]})


def databases_of(inventory, host):
    """The databases the inventory declares for a host, as the guide says:
    the group's and the host's own, one per name (the host's fields over the
    group's), in the order of their names."""
    group = inventory['redis_clusters']
    merged = {}
    for database in group['vars']['fleet_databases'] + group['hosts'][host].get('cluster_databases', []):
        merged.setdefault(database['name'], {}).update(database)
    return [merged[name] for name in sorted(merged)]


def collapsed(calls):
    """The calls in order, a run of polls of one action counted once."""
    shown = []
    for method, path in calls:
        call = (method, re.sub(r'^/v2/actions/[^/?]+$', '/v2/actions/{uid}', path))
        if not shown or shown[-1] != call or call[1] != '/v2/actions/{uid}':
            shown.append(call)
    return shown


def expected_calls(step, databases):
    """What a run asks of a cluster, database by database (uid 1, 2, ... in
    their order): a check run finds it and its role and ACL names and asks
    the cluster for a dry run of its create; the real run creates it,
    follows its action, reads it back active and sets its default user's
    password; the run after it reads it and writes nothing."""
    calls = []
    for uid, database in enumerate(databases, 1):
        names = NAMES if database.get('roles_permissions') else []
        if step == 'check':
            calls += [FIND] + names + [('POST', '/v1/bdbs?dry_run=true')]
        elif step == 'real':
            calls += [FIND] + names + [('POST', '/v1/bdbs'), ('GET', '/v2/actions/{uid}'),
                                       ('GET', '/v1/bdbs/%d' % uid), ('PUT', '/v1/bdbs/%d/passwords' % uid)]
        else:
            calls += [FIND, ('GET', '/v1/bdbs/%d' % uid)] + names
    return calls


def in_bytes(size):
    """A memory_size with a unit, in bytes, as powers of 1024."""
    number, unit = re.fullmatch(r'([0-9]+)([MG]B)', size).groups()
    return int(number) * UNITS[unit]


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with simlib.Simulator(str(tmp_path_factory.mktemp('databases-fleet')), clusters=3) as sim:
        yield sim


def test_the_example_check_then_real_then_again_on_three_clusters(ansible, fleet, tmp_path):
    inventory = guide_inventory()
    hosts = inventory['redis_clusters']['hosts']
    clusters = dict(zip(hosts, fleet.clusters))
    for (host, state), url in zip(clusters.items(), fleet.urls):
        state.reset()
        state.update(FAST)
        keep_baseline(url, fleet.ca_path)
        hosts[host]['redis_url'] = url
    inventory['redis_clusters']['vars']['redis_ca_path'] = fleet.ca_path
    path = tmp_path / 'redis_clusters.yml'
    path.write_text(json.dumps(inventory))
    # From a file, as a vault file would give them: -vvvv prints the command line.
    vault = tmp_path / 'secrets.json'
    vault.write_text(json.dumps({'deploy_service_password': SERVICE_PASSWORD,
                                 'database_passwords': DATABASE_PASSWORDS}))
    runs = {}
    for step, options in (('check', ['--check', '--diff']), ('real', ['--diff']), ('again', ['--diff'])):
        for state in fleet.clusters:
            state.log.clear()
        # The example logs in as the baseline's service user: no admin login from the environment.
        run = ansible(['ansible-playbook', '-vvvv', '-i', str(path), EXAMPLE, '-e', '@%s' % vault] + options,
                      env={'REDIS_ENTERPRISE_URL': None, 'REDIS_ENTERPRISE_CA_PATH': None,
                           'REDIS_ENTERPRISE_USERNAME': None, 'REDIS_ENTERPRISE_PASSWORD': None})
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        runs[step] = run
        for host, state in clusters.items():
            declared = databases_of(inventory, host)
            [made] = [r for r in run.records if r['host'] == host and r['action'] == ACTION]
            results = made['result']['results']
            assert [item['item']['name'] for item in results] == [database['name'] for database in declared]
            assert [item['changed'] for item in results] == [step != 'again'] * len(declared), (host, step)
            assert collapsed(state.calls(query=True)) == expected_calls(step, declared), (host, step)
            [shown] = [r for r in run.records if r['host'] == host and r['action'] == 'ansible.builtin.debug']
            held = dict((bdb['name'], bdb) for bdb in state.bdbs())
            # The endpoints of each database, as the cluster holds them; none yet in check mode.
            assert shown['result']['msg'] == dict(
                (database['name'], ['%s:%s' % (endpoint['dns_name'], endpoint['port'])
                                    for endpoint in held[database['name']]['endpoints']] if step != 'check' else [])
                for database in declared), (host, step)
            if step == 'check':
                assert held == {}
                # The diff of a create: what the inventory gives, memory_size in bytes.
                assert [item['diff']['after']['memory_size'] for item in results] == [
                    in_bytes(database['memory_size']) for database in declared]
                assert all(item['diff']['before'] == {} for item in results)
            else:
                assert sorted(held) == sorted(database['name'] for database in declared)
                assert all(bdb['status'] == 'active' for bdb in held.values())
                for item in results:
                    assert item['database']['status'] == 'active', (host, step, item['item']['name'])
    # What the cluster holds is what the inventory declares, roles_permissions by the baseline's uids.
    for host, state in clusters.items():
        roles = dict((name, state.role(name)['uid']) for name in ('Deploy', 'Support Engineer'))
        acls = dict((name, state.acl(name)['uid']) for name in ('Cache Read Write', 'Metrics Read'))
        for database in databases_of(inventory, host):
            bdb = state.bdb(database['name'])
            assert bdb['memory_size'] == in_bytes(database['memory_size'])
            assert dict((tag['key'], tag['value']) for tag in bdb['tags']) == database['tags']
            assert bdb['data_persistence'] == database['data_persistence']
            assert sorted((item['role_uid'], item['redis_acl_uid']) for item in bdb['roles_permissions']) == sorted(
                (roles[item['role']], acls[item['redis_acl']]) for item in database['roles_permissions'])
            assert state.bdb_passwords(bdb['uid']) == [DATABASE_PASSWORDS[database['name']]]
    admin_passes = [bdb['authentication_admin_pass'] for state in fleet.clusters for bdb in state.bdbs()]
    for step, run in runs.items():
        assert len(run.stdout) > 20000, step  # -vvvv
        for secret in list(DATABASE_PASSWORDS.values()) + [SERVICE_PASSWORD, simlib.ADMIN_PASSWORD] + admin_passes:
            assert secret not in run.output, step


@pytest.mark.files
def test_the_guide_quotes_the_example():
    (playbook,) = code_blocks(GUIDE, 'yaml+jinja')
    assert yaml.safe_load(playbook) == load(EXAMPLE)

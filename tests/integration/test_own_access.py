# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No task cuts the access of the user it logs in as, through ansible-playbook
on direct execution (the reported cases on the module path too), in check
mode and for real: every way to lose it refused with
nothing written (not even a dry run), a password change of its own allowed
with a warning; and a user field of a value outside the documented choices
read as given, whatever the task does with the user."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib

OPS_USER, OPS_PASSWORD = 'ops@example.com', 'Op5-Adm1n-Pa55-8d1c'
LEGACY = 'legacy@example.com'
NEW_PASSWORD = 'N3w-Manag3r-Pa55-04af'


def login(user, password):
    return {'username': user, 'password': password}


ADMIN = login(simlib.ADMIN_USER, simlib.ADMIN_PASSWORD)
OPS = login(OPS_USER, OPS_PASSWORD)
MANAGER = login(simlib.USER_MANAGER_USER, simlib.USER_MANAGER_PASSWORD)
LDAP = login(simlib.LDAP_USER, simlib.LDAP_PASSWORD)

# (task name, module, arguments, the words of its refusal). Each would cut the
# access of the user the task logs in as; the arguments name that user.
REFUSED = [
    ('a role of the login loses its management', 'role', dict(OPS, name='Ops Admins', management='db_viewer'),
     'Not changing the management of the role Ops Admins: the user this task logs in as (%s) holds it, and would '
     'lose its admin management role (its roles would give db_viewer). Nothing was written.' % OPS_USER),
    ('a role of the login is removed', 'role', dict(OPS, name='Ops Admins', state='absent'),
     'Not removing the role Ops Admins: the user this task logs in as (%s) holds it, and would lose its admin '
     'management role (its roles would give none).' % OPS_USER),
    ('the login, its uids answered as text, loses admin', 'user',
     dict(ADMIN, email=simlib.ADMIN_USER, roles=['DB Viewer']),
     'Not changing the roles of the user %s: it is the user this task logs in as (username), and it would lose its '
     'admin management role (its roles would give db_viewer).' % simlib.ADMIN_USER),
    ('the login is removed', 'user', dict(ADMIN, email=simlib.ADMIN_USER, state='absent'),
     'Not removing the user %s: it is the user this task logs in as (username)' % simlib.ADMIN_USER),
    ('a user_manager login demotes itself', 'user', dict(MANAGER, email=simlib.USER_MANAGER_USER,
                                                         roles=['DB Viewer']),
     'would lose its user_manager management role (its roles would give db_viewer)'),
    ('the login moves off its password', 'user', dict(OPS, email=OPS_USER, auth_method='certificate',
                                                      certificate_subject_line='CN=ops'),
     'Not changing how the user %s logs in from regular (a password) to certificate: it is the user this task logs '
     'in as, with its password' % OPS_USER),
    ('an LDAP login removes the LDAP configuration', 'ldap', dict(LDAP, state='absent'),
     'Not removing the LDAP configuration: the user this task logs in as (%s) is no user of the cluster, so it logs '
     'in through LDAP, and would be locked out. Nothing was written.' % simlib.LDAP_USER),
    ('an LDAP login turns control_plane off', 'ldap', dict(LDAP, control_plane=False),
     'Not turning control_plane off in the LDAP configuration'),
    ('an LDAP login removes its mapping', 'ldap_mapping', dict(LDAP, name='Operators', state='absent'),
     'Not removing the LDAP mapping Operators: the user this task logs in as (%s) logs in through LDAP with the '
     'admin management role, which this mapping gives' % simlib.LDAP_USER),
    ('an LDAP login cuts the roles of its mapping', 'ldap_mapping', dict(LDAP, name='Operators', roles=['DB Viewer']),
     'Not changing the roles of the LDAP mapping Operators'),
    ('an LDAP login demotes the role its mapping gives', 'role',
     dict(LDAP, name='Ops Admins', management='cluster_viewer'),
     'which an LDAP mapping gives'),
]
# What the rule lets through: a login's own password (a warning), another
# admin role kept; and a user whose auth_method is outside the documented
# choices, changed and removed.
ALLOWED = [
    ('the login keeps admin through another role', 'user',
     dict(OPS, email=OPS_USER, roles=['Ops Admins', 'DB Viewer'])),
    ('a user of an unknown auth_method is changed', 'user', dict(ADMIN, email=LEGACY, name='Legacy Two')),
    ('a user of an unknown auth_method is removed', 'user', dict(ADMIN, email=LEGACY, state='absent')),
    ('the login changes its own password', 'user', dict(MANAGER, email=simlib.USER_MANAGER_USER,
                                                        user_password=NEW_PASSWORD, update_password='always')),
]


def seed(api, cluster):
    """A custom admin role and its user; LDAP with the directory's operators
    mapped to that role; a user of an auth_method the API no longer lists;
    the users' role uids answered as text."""
    role = api('POST', '/v1/roles', json={'name': 'Ops Admins', 'management': 'admin'}).json()
    api('POST', '/v1/users', json={'email': OPS_USER, 'name': 'Ops', 'password': OPS_PASSWORD,
                                   'role_uids': [role['uid']]}).raise_for_status()
    api('POST', '/v1/users', json={'email': LEGACY, 'name': 'Legacy', 'password': OPS_PASSWORD,
                                   'role_uids': [5]}).raise_for_status()
    cluster.update({'ldap': {'config': {'uris': ['ldaps://ldap.example.test:636'], 'control_plane': True,
                                        'bind_dn': 'cn=admin,dc=example,dc=test', 'user_dn_template': 'uid=%u'},
                             'mappings': [{'name': 'Operators', 'dn': simlib.LDAP_GROUP,
                                           'role_uids': [role['uid']]}]},
                    'faults': {'uids_as_text': True, 'off_contract': True}})
    with cluster.lock:
        next(user for user in cluster.users.values() if user['email'] == LEGACY)['auth_method'] = 'external'
    cluster.log.clear()


# On the module path, the reported bugs: a role's management lost, the uids
# answered as text, a user of an unknown auth_method. The rule is the engine's,
# the same on both paths; its every case runs on direct execution.
MODULE_PATH = ('a role of the login loses its management', 'the login, its uids answered as text, loses admin',
               'a user of an unknown auth_method is changed', 'a user of an unknown auth_method is removed')


def cases(path):
    """REFUSED and ALLOWED, of the tasks that run on path."""
    def runs(name):
        return path == 'direct' or name in MODULE_PATH
    return [case for case in REFUSED if runs(case[0])], [case for case in ALLOWED if runs(case[0])]


def play(tmp_path, refused, allowed):
    tasks = [{'name': name, 'redis.enterprise.' + module: arguments, 'ignore_errors': True}
             for name, module, arguments, dummy in refused]
    tasks += [{'name': name, 'redis.enterprise.' + module: arguments} for name, module, arguments in allowed]
    path = tmp_path / 'own_access.yml'
    path.write_text(json.dumps([{'name': 'Own access', 'hosts': 'localhost', 'gather_facts': False,
                                 'tasks': tasks}]))
    return str(path)


@pytest.mark.both_paths
def test_no_task_cuts_the_access_of_the_user_it_logs_in_as(ansible, cluster, api, tmp_path):
    seed(api, cluster)
    manager_uid = cluster.user(simlib.USER_MANAGER_USER)['uid']
    legacy_uid = cluster.user(LEGACY)['uid']
    ops_uid = cluster.user(OPS_USER)['uid']
    refused, allowed = cases(ansible.path)
    names = [case[0] for case in refused + allowed]
    for check in (True, False):
        cluster.log.clear()
        run = ansible(['ansible-playbook', play(tmp_path, refused, allowed), '--diff'] + (['--check'] if check else []))
        assert run.rc == 0, run.stdout[-4000:] + run.stderr
        found = dict((record['task'], record) for record in run.records)
        assert sorted(found) == sorted(names)
        for name, dummy, dummy, said in refused:
            record = found[name]
            assert record['status'] == 'failed' and said in record['result']['msg'], (name, record['result'])
            assert 'Traceback' not in json.dumps(record)
        for name, dummy, dummy in allowed:
            assert found[name]['status'] == 'ok' and found[name]['result']['changed'] is True, (name, found[name])
        # An unknown value is shown as the cluster gave it.
        legacy = found['a user of an unknown auth_method is changed']['result']['diff']
        assert legacy['before']['auth_method'] == legacy['after']['auth_method'] == 'external'
        query = '?dry_run=true' if check else ''
        # Nothing of the refused tasks went out, not even a dry run; a user's DELETE takes none.
        writes = [('PUT', '/v1/users/%d%s' % (legacy_uid, query))] + (
            [] if check else [('DELETE', '/v1/users/%d' % legacy_uid)])
        if ansible.path == 'direct':
            warnings = found['the login changes its own password']['result']['warnings']
            assert warnings[:1] == ['The task changes the password of %s, the user it logs in as: later tasks of '
                                    'the play that log in as %s need the new password.'
                                    % ((simlib.USER_MANAGER_USER,) * 2)], warnings
            writes = [('PUT', '/v1/users/%d%s' % (ops_uid, query))] + writes + [
                ('PUT', '/v1/users/%d%s' % (manager_uid, query))]
        assert cluster.writes() == writes
        assert cluster.role('Ops Admins')['management'] == 'admin'
        assert len(cluster.directory.mappings) == 1 and cluster.directory.config['control_plane'] is True
        assert cluster.user(simlib.ADMIN_USER)['role_uids'] == [1]
        assert NEW_PASSWORD not in run.output and OPS_PASSWORD not in run.output
    assert cluster.user(LEGACY) is None
    assert cluster.user(simlib.USER_MANAGER_USER)['password'] == (
        NEW_PASSWORD if ansible.path == 'direct' else simlib.USER_MANAGER_PASSWORD)

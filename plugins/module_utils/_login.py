# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The task's own access: no task ends or cuts the permissions of the user
it logs in as (the connection's username).

One rule for every access resource, which each consults before its write
(Resource.guard, in check mode alike): the task refuses, with nothing
written, a plan that would
  - remove the login user;
  - take away a management role it holds: by its roles, by a role's
    management, or by a role's removal;
  - move it off the password it logs in with (auth_method);
  - for a login through LDAP (a username that is no user of the cluster):
    remove the LDAP configuration, turn its control_plane off, or remove
    or cut the roles of an LDAP mapping that may give it its role. The
    cluster does not say which directory groups a user is in, so every
    mapping whose roles give the login's management role counts.
A change of the login user's own password is allowed, with a warning.

A management role is lost only when none of the roles kept covers it
(_contract.MANAGEMENT_COVERS): a user of admin and db_viewer loses nothing
without db_viewer. Uids compare through the engine's coercion, so a uid
answered as "1" is the user or role 1. The reads this needs are made only
for a plan that could cut the login's access."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from . import _contract
from ._api import RedisEnterpriseError
from ._fields import Field

USERS_PATH = '/v1/users'
ROLES_PATH = '/v1/roles'
LDAP_MAPPINGS_PATH = '/v1/ldap_mappings'
OWN_ROLE_PATH = '/v1/users/role'

_UID = Field('uid', 'int')

WHO = 'Run it as another user of the admin or user_manager role whom the change does not touch (username and password)'

MESSAGES = dict(
    removal="Not removing the user %(login)s: it is the user this task logs in as (username), and the task would "
            "lock itself out. Nothing was written. %(who)s.",
    roles="Not changing the roles of the user %(login)s: it is the user this task logs in as (username), and it "
          "would lose its %(lost)s management role%(s)s (its roles would give %(left)s). Nothing was written. Keep a "
          "role that gives %(lost)s in roles, or: %(who)s.",
    role="Not %(acting)s the role %(role)s: the user this task logs in as (%(login)s) holds it, and would lose its "
         "%(lost)s management role%(s)s (its roles would give %(left)s). Nothing was written. %(who)s.",
    auth="Not changing how the user %(login)s logs in from %(before)s to %(after)s: it is the user this task logs "
         "in as, with its password, and every later call of the task would be refused. Nothing was written. %(who)s.",
    ldap="Not %(acting)s: the user this task logs in as (%(login)s) is no user of the cluster, so it logs in "
         "through LDAP, and would be locked out. Nothing was written. Run it as a user of the cluster (not of the "
         "directory) with the admin or user_manager role (username and password).",
    mapping="Not %(acting)s the LDAP mapping %(mapping)s: the user this task logs in as (%(login)s) logs in "
            "through LDAP with the %(role)s management role, which this mapping gives, and the cluster does not say "
            "which mapping gives it its role: it would be locked out if this one does. Nothing was written. Run it "
            "as a user of the cluster (not of the directory) with the admin or user_manager role (username and "
            "password).",
    password="The task changes the password of %(login)s, the user it logs in as: later tasks of the play that "
             "log in as %(login)s need the new password.",
)


def uid(value):
    """A uid as the engine types it (1 for 1 or "1"), or None."""
    try:
        return _UID.coerce(value)
    except ValueError:
        return None


def uids(values):
    """The uids of a list, typed; items that are no uid left out."""
    found = [uid(value) for value in values or ()]
    return [value for value in found if value is not None]


def login_of(task):
    return (task.params.get('username') or '').strip()


def same_user(email, login):
    """Whether a user's email is the login's username: emails are not
    case-sensitive."""
    return isinstance(email, str) and bool(login) and email.strip().casefold() == login.casefold()


def managements(roles, role_uids):
    """The management roles of role uids, by the roles of GET /v1/roles."""
    by_uid = dict((uid(role.get('uid')), role.get('management')) for role in roles)
    return set(by_uid[value] for value in uids(role_uids) if by_uid.get(value))


def lost(before, after):
    """The management roles of before that none of after covers, most
    powerful first."""
    covered = set()
    for held in after:
        covered |= set(_contract.MANAGEMENT_COVERS.get(held, (held,)))
    return sorted((held for held in before if held not in covered and held != 'none'),
                  key=_contract.ROLE_MANAGEMENT.index, reverse=True)


def _refuse(message, **values):
    values.setdefault('who', WHO)
    raise RedisEnterpriseError(MESSAGES[message] % values)


def _loss(message, login, gone, after, **values):
    _refuse(message, login=login, lost=' and '.join(gone), s='s' if len(gone) > 1 else '',
            left=', '.join(sorted(after - {'none'}, key=_contract.ROLE_MANAGEMENT.index)) or 'none', **values)


def guard_user(api, task, state, plan):
    """A user's plan (redis.enterprise.user) when the user is the login."""
    login, current = login_of(task), state['object']
    if current is None or not same_user(current.get('email'), login):
        return
    if plan.method == 'DELETE':
        _refuse('removal', login=login)
    roles = state['lookups'][ROLES_PATH]
    if 'role_uids' in plan.body:
        pending = [value for value in plan.body['role_uids'] if uid(value) is None]
        before = managements(roles, current.get('role_uids'))
        after = managements(roles, plan.body['role_uids'])
        gone = lost(before, after)
        if gone and pending:
            task.warn('In check mode the roles %s are not on the cluster yet, so whether %s, the user this task logs '
                      'in as, keeps its %s management role is not known: the real run refuses the change if not.'
                      % (', '.join(str(name) for name in pending), login, ' and '.join(gone)))
        elif gone:
            _loss('roles', login, gone, after)
    method = current.get('auth_method') or 'regular'
    if plan.body.get('auth_method') not in (None, method) and method == 'regular':
        _refuse('auth', login=login, before='regular (a password)', after=plan.body['auth_method'])
    if 'password' in plan.secrets:
        task.warn(MESSAGES['password'] % dict(login=login))


def _login_user(api, task):
    """The login's user of GET /v1/users, or None: it logs in through LDAP."""
    login = login_of(task)
    return next((user for user in api.get(USERS_PATH) if same_user(user.get('email'), login)), None)


def guard_role(api, task, state, plan):
    """A role's plan (redis.enterprise.role): a change of its management, or
    its removal, when the login holds the role."""
    current = state['object']
    if current is None or (plan.method != 'DELETE' and 'management' not in plan.body):
        return
    new = None if plan.method == 'DELETE' else plan.body['management']
    if not lost({current.get('management')}, {new} if new else set()):
        return
    login, role = login_of(task), uid(current.get('uid'))
    user = _login_user(api, task)
    if user is None:
        _guard_ldap_roles(api, task, role, current.get('management'), new, 'role %s' % current.get('name'))
        return
    if role not in uids(user.get('role_uids')):
        return
    roles = api.get(ROLES_PATH)
    before = managements(roles, user.get('role_uids'))
    after_roles = [dict(item, management=new) for item in roles if uid(item.get('uid')) == role and new]
    after_roles += [item for item in roles if uid(item.get('uid')) != role]
    after = managements(after_roles, user.get('role_uids'))
    gone = lost(before, after)
    if gone:
        _loss('role', login, gone, after, role=current.get('name'),
              acting='removing' if new is None else 'changing the management of')


def _own_role(api):
    """The management role the cluster gives the login (GET /v1/users/role)."""
    return api.get(OWN_ROLE_PATH).get('role')


def _guard_ldap_roles(api, task, role, old, new, what):
    """A change of a role's management, for a login through LDAP: refused
    when a mapping gives the role, and the role's old management covered
    the login's and the new does not."""
    held = _own_role(api)
    if not held or lost({held}, {old}) or not lost({held}, {new} if new else set()):
        return
    if any(role in uids(mapping.get('role_uids')) for mapping in api.get(LDAP_MAPPINGS_PATH)):
        _refuse('ldap', login=login_of(task), acting='%s the %s, which an LDAP mapping gives'
                % ('removing' if new is None else 'changing the management of', what))


def guard_ldap_mapping(api, task, state, plan):
    """An LDAP mapping's plan (redis.enterprise.ldap_mapping), for a login
    through LDAP: its removal, or roles that no longer give the login's."""
    current = state['object']
    if current is None or (plan.method != 'DELETE' and 'role_uids' not in plan.body):
        return
    roles = state['lookups'][ROLES_PATH]
    before = managements(roles, current.get('role_uids'))
    after = set() if plan.method == 'DELETE' else managements(roles, plan.body['role_uids'])
    if not lost(before, after) or _login_user(api, task) is not None:
        return
    held = _own_role(api)
    if held and not lost({held}, before) and lost({held}, after):
        _refuse('mapping', login=login_of(task), mapping=current.get('name'), role=held,
                acting='removing' if plan.method == 'DELETE' else 'changing the roles of')


def guard_ldap(api, task, before, removing, plane_off):
    """The LDAP configuration's plan (redis.enterprise.ldap): its removal, or
    control_plane turned off, for a login through LDAP."""
    if not (removing or plane_off) or _login_user(api, task) is not None:
        return
    _refuse('ldap', login=login_of(task), acting='removing the LDAP configuration' if removing
            else 'turning control_plane off in the LDAP configuration')

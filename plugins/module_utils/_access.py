# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's access control as collections of named objects on the
engine: roles (redis.enterprise.role), Redis ACLs
(redis.enterprise.redis_acl) and users (redis.enterprise.user), each
declared once, with its own messages.

Which Redis ACL a role has in which database is the database's
roles_permissions, not one of these objects."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from . import _contract, _login
from ._engine import Resource, Spec
from ._fields import Field, Reference
from ._resources import CollectionResource

ROLES_PATH = '/v1/roles'
REDIS_ACLS_PATH = '/v1/redis_acls'
USERS_PATH = '/v1/users'

OBJECT_NAME = (_contract.OBJECT_NAME_PATTERN, 'letters, digits, spaces and the characters _ [ ] ( ) @ , . ; # -')

ROLE = CollectionResource(
    'role', ROLES_PATH, key=Field('name', 'str', pattern=OBJECT_NAME), result_key='role',
    fields=(Field('management', 'str', choices=_contract.ROLE_MANAGEMENT),),
    required=(('management', None),),
    messages=dict(
        not_acceptable='The cluster refused to %(act)s the role %(key)s (HTTP 406, %(code)s, %(call)s).%(said)s '
                       'A built-in role is neither changed nor removed, and a role that users hold is not removed: '
                       'give those users other roles first (redis.enterprise.user).%(outcome)s'),
    guard=_login.guard_role,
)

REDIS_ACL = CollectionResource(
    'Redis ACL', REDIS_ACLS_PATH, key=Field('name', 'str', pattern=OBJECT_NAME), result_key='redis_acl',
    fields=(Field('acl', 'str'),),
    required=(('acl', None),),
    messages=dict(
        refused='The cluster refused to %(act)s the Redis ACL %(key)s (HTTP %(status)d, %(code)s, %(call)s).%(said)s '
                'Check the acl rule: Redis ACL syntax, such as "+@read ~cache:*", without passwords.%(outcome)s',
        conflict='The cluster refused to %(act)s the Redis ACL %(key)s (HTTP 409, %(code)s, %(call)s).%(said)s '
                 'Another Redis ACL has that name, or a database uses this one.%(outcome)s'),
)

# What the spec's pattern allows in a user's name, in words.
USER_NAME = (_contract.USER_NAME_PATTERN, 'printable ASCII characters but &, <, > and "')

ROLES = Reference('role', ROLES_PATH)

USER_MESSAGES = dict(
    conflict='The cluster refused to %(act)s the user %(key)s (HTTP 409, %(code)s, %(call)s): another user has the '
             'same email or name.%(said)s Give this user a name of its own.%(outcome)s',
    refused='The cluster refused to %(act)s the user %(key)s (HTTP %(status)d, %(code)s, %(call)s).%(said)s If it is '
            "about the password, give one the cluster's password complexity rules accept.%(outcome)s",
)

# A user of the cluster, found by its email. The user the task logs in as keeps its access (_login).
USER = CollectionResource(
    'user', USERS_PATH, key=Field('email', 'str'), result_key='user',
    fields=(
        Field('name', 'str', pattern=USER_NAME, length=255),
        Field('roles', 'list', low=1, elements='str', unordered=True, api='role_uids', refers=ROLES),
        # Not password, which is the connection's (the user the task logs in
        # as), and which module_defaults of the action group give every task.
        Field('user_password', 'str', secret=True, api='password'),
        Field('auth_method', 'str', choices=_contract.AUTH_METHODS),
        Field('email_alerts', 'bool'),
        Field('cluster_email_alerts', 'bool'),
        Field('bdbs_email_alerts', 'list', elements='str', unordered=True),
        Field('certificate_subject_line', 'str'),
    ),
    required=(('name', None), ('roles', None),
              ('user_password', ('auth_method', ('certificate', 'entraid', 'sso')))),
    secret_option='update_password', messages=USER_MESSAGES, guard=_login.guard_user,
)


LDAP_MAPPINGS_PATH = '/v1/ldap_mappings'

# A directory group, by its DN, given roles: the roles of the cluster users
# who log in through LDAP as members of that group.
LDAP_MAPPING = CollectionResource(
    'LDAP mapping', LDAP_MAPPINGS_PATH, key=Field('name', 'str', pattern=OBJECT_NAME), result_key='ldap_mapping',
    fields=(
        Field('dn', 'str'),
        Field('roles', 'list', low=1, elements='str', unordered=True, api='role_uids', refers=ROLES),
        Field('email', 'str'),
        Field('email_alerts', 'bool'),
        Field('cluster_email_alerts', 'bool'),
        Field('bdbs_email_alerts', 'list', elements='str', unordered=True),
    ),
    required=(('dn', None), ('roles', None)),
    messages=dict(
        conflict='The cluster refused to %(act)s the LDAP mapping %(key)s (HTTP 409, %(code)s, %(call)s): another '
                 'LDAP mapping has that name.%(said)s Give this one a name of its own.%(outcome)s'),
    guard=_login.guard_ldap_mapping,
)


LDAP_PATH = '/v1/cluster/ldap'


def _named(item, names, drop=()):
    """item without the fields in drop, with roles: its role_uids by name."""
    found = dict((key, value) for key, value in item.items() if key not in drop)
    if 'role_uids' in found:
        found['roles'] = [names.get(uid, uid) for uid in found.get('role_uids') or ()]
    return found


class Info(Resource):
    """Who may do what on the cluster: every user, role and Redis ACL, the
    LDAP configuration and every LDAP mapping. No password: a user's is
    never answered, and the masked bind_pass is dropped where it is read."""

    spec = Spec({})

    def read(self, api, task):
        roles = api.get(ROLES_PATH)
        names = dict((role.get('uid'), role.get('name')) for role in roles)
        ldap = api.get(LDAP_PATH)
        ldap.pop('bind_pass', None)
        return dict(
            users=[_named(user, names, drop=('password',)) for user in api.get(USERS_PATH)],
            roles=roles,
            redis_acls=api.get(REDIS_ACLS_PATH),
            ldap=ldap,
            ldap_mappings=[_named(item, names) for item in api.get(LDAP_MAPPINGS_PATH)],
        )

    def result(self, task, state, plan, written):
        return state


INFO = Info()

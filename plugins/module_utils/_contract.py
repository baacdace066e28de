# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The collection's declaration of the REST API it calls: for each call, the
permission it needs, how long the cluster may take over it, what it takes
and what it answers, the bodies as JSON Schema.

One place for these facts: the engine names the permission of a 403 from
here, the tests check every request the collection sends and every answer
of the simulator against it, and `make contract` compares it with the
vendor's OpenAPI spec, where a known difference stands in
tests/contract/deviations.yml with its source.

Plain data in the collection's own words, from the REST API reference, the
vendor's OpenAPI spec and the facts sheets; read by the module on managed
hosts, so nothing here imports beyond the standard library."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The error object. The OpenAPI spec gives error_code, description and
# status_code, all three required; the prose pages of the REST API reference
# say error_code and message. A cluster may answer either form.
ERROR = {
    'type': 'object',
    'properties': {
        'error_code': {'type': 'string'},
        'description': {'type': 'string'},
        'status_code': {'type': 'integer'},
        'message': {'type': 'string'},
    },
    'required': ['error_code'],
    'anyOf': [{'required': ['description', 'status_code']}, {'required': ['message']}],
}

# GET and PUT /v1/ocsp. responder_url comes from the proxy certificate: it
# is answered, never taken.
OCSP_CONFIG = {
    'type': 'object',
    'properties': {
        'ocsp_functionality': {'type': 'boolean'},
        'query_frequency': {'type': 'integer', 'minimum': 60, 'maximum': 86400},
        'response_timeout': {'type': 'integer', 'minimum': 1, 'maximum': 60},
        'recovery_frequency': {'type': 'integer', 'minimum': 60, 'maximum': 86400},
        'recovery_max_tries': {'type': 'integer', 'minimum': 1, 'maximum': 100},
        'responder_url': {'type': 'string', 'readOnly': True},
    },
    'additionalProperties': False,
}

# GET /v1/ocsp/status and POST /v1/ocsp/test: strings, empty while no status
# was fetched; the dates are HTTP dates ("Wed, 22 Dec 2021 12:50:11 GMT").
OCSP_STATUS = {
    'type': 'object',
    'properties': dict((name, {'type': 'string'}) for name in (
        'cert_status', 'responder_url', 'produced_at', 'this_update', 'next_update', 'revocation_time')),
}

# The certificate names: those the cluster generates, then the optional
# ones, which DELETE /v1/cluster/certificates/{name} may remove.
GENERATED_CERTIFICATES = ('api', 'cm', 'proxy', 'syncer', 'metrics_exporter', 'ccs_internode_encryption',
                          'data_internode_encryption')
OPTIONAL_CERTIFICATES = ('ldap_client', 'mtls_trusted_ca', 'sso_service', 'sso_issuer')
# CA certificates the cluster trusts: answered without a key.
KEYLESS_CERTIFICATES = ('mtls_trusted_ca', 'sso_issuer')


def _certificate_fields():
    fields = {}
    for name in GENERATED_CERTIFICATES + OPTIONAL_CERTIFICATES:
        fields[name + '_cert'] = {'type': 'string'}
        if name not in KEYLESS_CERTIFICATES:
            fields[name + '_key'] = {'type': 'string'}
    return fields


# GET /v1/cluster/certificates: PEM text, each private key beside its
# certificate; a name without a certificate is left out.
CERTIFICATES = {'type': 'object', 'properties': _certificate_fields()}

# One certificate to write: PEM blocks only. The spec does not require the
# key (the CA certificates take none).
CERTIFICATE_UPDATE = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string'},
        'certificate': {'type': 'string'},
        'key': {'type': 'string'},
    },
    'additionalProperties': False,
}

CERTIFICATES_UPDATE = {
    'type': 'object',
    'properties': {'certificates': {'type': 'array', 'items': CERTIFICATE_UPDATE}},
    'additionalProperties': False,
}

# GET /v1/cluster: the collection reads the cluster's FQDN, its name; the
# many other fields are not declared.
CLUSTER = {
    'type': 'object',
    'properties': {'name': {'type': 'string'}},
    'required': ['name'],
}

# The management roles a role may have (the spec's RoleName), from the
# least to the most it allows.
ROLE_MANAGEMENT = ('none', 'db_viewer', 'cluster_viewer', 'db_member', 'cluster_member', 'user_manager', 'admin')
# The management roles whose permissions each one's include, by the
# permissions reference: admin holds every permission; a member role holds
# its viewer's; cluster_member db_member's; user_manager the views of
# cluster_viewer. A role lost is no loss of permissions where one kept
# covers it.
MANAGEMENT_COVERS = {
    'none': ('none',),
    'db_viewer': ('none', 'db_viewer'),
    'cluster_viewer': ('none', 'db_viewer', 'cluster_viewer'),
    'db_member': ('none', 'db_viewer', 'db_member'),
    'cluster_member': ('none', 'db_viewer', 'cluster_viewer', 'db_member', 'cluster_member'),
    'user_manager': ('none', 'db_viewer', 'cluster_viewer', 'user_manager'),
    'admin': ROLE_MANAGEMENT,
}

# What the pattern of the spec allows in a user's name: printable ASCII but
# the four characters & < > and the double quote, 1 to 255 of them.
USER_NAME_PATTERN = '^[ -!#-%\'-;=?-~]+$'
# A user's email address as a request may give it (ASCII), or empty.
USER_EMAIL_PATTERN = '(^$|^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$)'
# The names of roles and Redis ACLs.
OBJECT_NAME_PATTERN = '^[a-zA-Z0-9_ \\[\\]()@,.;#-]+$'
AUTH_METHODS = ('regular', 'certificate', 'entraid', 'sso')
USER_STATUSES = ('active', 'locked', 'password_expired')

_ROLE = {'type': 'string', 'enum': list(ROLE_MANAGEMENT)}
# A user's role, which role_uids replaces.
_USER_ROLE = dict(_ROLE, deprecated=True)
_DB_UIDS = {'type': 'array', 'items': {'type': 'string'}, 'uniqueItems': True}

# A user as the cluster answers it. The password is write-only: a cluster
# never answers it. status is the cluster's: read-only. role is deprecated
# for role_uids, and answered all the same.
USER = {
    'type': 'object',
    'properties': {
        'uid': {'type': 'integer'},
        'account_id': {'type': 'integer'},
        'action_uid': {'type': 'string'},
        'email': {'type': 'string'},
        'name': {'type': 'string'},
        'password': {'type': 'string', 'writeOnly': True},
        'password_issue_date': {'type': 'string', 'format': 'date-time'},
        'last_login': {'type': 'integer', 'format': 'int64'},
        'auth_method': {'type': 'string', 'enum': list(AUTH_METHODS)},
        'role': _USER_ROLE,
        'role_uids': {'type': 'array', 'items': {'type': 'integer'}},
        'status': {'type': 'string', 'enum': list(USER_STATUSES), 'readOnly': True},
        'email_alerts': {'type': 'boolean'},
        'cluster_email_alerts': {'type': 'boolean'},
        'bdbs_email_alerts': _DB_UIDS,
        'certificate_subject_line': {'type': 'string'},
    },
    'required': ['uid', 'name', 'role', 'role_uids', 'auth_method'],
}

# POST /v1/users and PUT /v1/users/{uid}: a partial body; the fields it
# leaves out keep their values.
USER_REQUEST = {
    'type': 'object',
    'properties': {
        'uid': {'type': 'integer', 'minimum': 1},
        'account_id': {'type': 'integer'},
        'email': {'type': 'string', 'pattern': USER_EMAIL_PATTERN},
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': USER_NAME_PATTERN},
        'password': {'type': 'string'},
        'password_hash_method': {'type': 'integer', 'enum': [1]},
        'auth_method': {'type': 'string', 'enum': list(AUTH_METHODS)},
        'role': _USER_ROLE,
        'role_uids': {'type': 'array', 'items': {'type': 'integer'}, 'minItems': 1, 'uniqueItems': True},
        'email_alerts': {'type': 'boolean'},
        'cluster_email_alerts': {'type': 'boolean'},
        'bdbs_email_alerts': _DB_UIDS,
        'certificate_subject_line': {'type': 'string'},
    },
}


def _role_body(**extra):
    properties = {
        'account_id': {'type': 'integer'},
        'name': {'type': 'string', 'pattern': OBJECT_NAME_PATTERN},
        'management': _ROLE,
        # What restricts the role to some databases.
        'resources': {'type': 'array', 'items': {'type': 'object', 'properties': {
            'type': {'type': 'string', 'enum': ['db']},
            'uids': {'type': 'array', 'items': {'type': 'string'}}}}},
    }
    properties.update(extra)
    return {'type': 'object', 'properties': properties}


# A role as the cluster answers it; POST takes the same fields and may
# choose the uid; PUT takes the fields that change.
ROLE = dict(_role_body(uid={'type': 'integer'}), required=['management', 'name', 'uid'])
ROLE_CREATE = _role_body(uid={'type': 'integer'})
ROLE_UPDATE = _role_body()

# A Redis ACL, answered and sent alike; the versions and action_uid are the
# cluster's.
REDIS_ACL = {
    'type': 'object',
    'properties': {
        'uid': {'type': 'integer'},
        'account_id': {'type': 'integer'},
        'name': {'type': 'string', 'pattern': OBJECT_NAME_PATTERN},
        'acl': {'type': 'string'},
        'action_uid': {'type': 'string', 'readOnly': True},
        'min_version': {'type': 'string', 'readOnly': True},
        'max_version': {'type': 'string', 'readOnly': True},
    },
}

# The answer of a DELETE of a user, role or Redis ACL: the action that
# removes it, which may still be at work.
DELETED = {'type': 'object', 'properties': {'action_uid': {'type': 'string'}}}


def _array(schema):
    return {'type': 'array', 'items': schema}


# A query parameter of the calls that validate without writing: true asks
# the cluster what it would answer, and changes nothing.
DRY_RUN = {'dry_run': {'type': 'boolean'}}

# Answers every call may give, whichever its own: wrong or missing
# credentials (401, which may carry no body at all), a role without the
# permission (403), a node that does not answer (503).
COMMON_ANSWERS = {401: ERROR, 403: ERROR, 503: ERROR}

# (method, path) -> the call. permission: the one it needs; timeout: the
# seconds the cluster may take over it, where declared; body: the JSON Schema
# of its request body, or None for none; query: name -> the JSON Schema of
# each query parameter it takes; answers: status -> the JSON Schema of the
# answer, or None for an answer without a body (an error answer may always
# come without one); deprecated: a call that will be removed; max_bytes: the
# largest answer the collection reads, where a call's answer grows with the
# cluster (a list of every database), else the transport's MAX_BODY_BYTES.
ENDPOINTS = {
    ('GET', '/v1/ocsp'): {
        'permission': 'view_ocsp_config',
        'answers': {200: OCSP_CONFIG, 406: ERROR, 500: ERROR},
    },
    ('PUT', '/v1/ocsp'): {
        'permission': 'config_ocsp',
        'body': OCSP_CONFIG,
        'answers': {200: OCSP_CONFIG, 400: ERROR, 406: ERROR, 500: ERROR},
    },
    ('GET', '/v1/ocsp/status'): {
        'permission': 'view_ocsp_status',
        'answers': {200: OCSP_STATUS, 406: ERROR, 500: ERROR},
    },
    ('POST', '/v1/ocsp/test'): {
        'permission': 'test_ocsp_status',
        'answers': {200: OCSP_STATUS, 406: ERROR, 500: ERROR},
    },
    ('GET', '/v1/cluster/certificates'): {
        'permission': 'view_cluster_info',
        'answers': {200: CERTIFICATES},
    },
    # 404 and 405: a cluster before 7.22.2, which has only update_cert.
    ('PUT', '/v1/cluster/certificates'): {
        'permission': 'update_cluster',
        'timeout': 900,
        'body': CERTIFICATES_UPDATE,
        'answers': {200: None, 400: ERROR, 403: ERROR, 404: ERROR, 405: ERROR, 406: ERROR, 409: ERROR,
                    500: ERROR},
    },
    ('PUT', '/v1/cluster/update_cert'): {
        'permission': 'update_cluster',
        'timeout': 900,
        'deprecated': True,
        'body': CERTIFICATE_UPDATE,
        'answers': {200: None, 400: ERROR, 403: ERROR, 404: ERROR, 406: ERROR, 409: ERROR, 500: ERROR},
    },
    # 403: a certificate the cluster generates, which cannot be removed.
    ('DELETE', '/v1/cluster/certificates/{name}'): {
        'permission': 'update_cluster',
        'answers': {200: None, 403: ERROR, 404: ERROR, 500: ERROR},
    },
    ('GET', '/v1/cluster'): {
        'permission': 'view_cluster_info',
        'answers': {200: CLUSTER},
    },
    ('GET', '/v1/users'): {
        'permission': 'view_all_users_info',
        'answers': {200: _array(USER)},
    },
    ('POST', '/v1/users'): {
        'permission': 'create_new_user',
        'query': DRY_RUN,
        'body': USER_REQUEST,
        'answers': {200: USER, 400: ERROR, 409: ERROR},
    },
    # The spec names no permission for these two, as users may read and
    # change themselves; for another user, the permissions reference's.
    ('GET', '/v1/users/{uid}'): {
        'permission': 'view_user_info',
        'answers': {200: USER, 404: ERROR},
    },
    ('PUT', '/v1/users/{uid}'): {
        'permission': 'update_user',
        'query': DRY_RUN,
        'body': USER_REQUEST,
        'answers': {200: USER, 400: ERROR, 404: ERROR, 406: ERROR, 409: ERROR},
    },
    # The management role of the user who calls it, which any user may ask.
    ('GET', '/v1/users/role'): {
        'permission': None,
        'answers': {200: {'type': 'object', 'properties': {'role': _ROLE}}},
    },
    ('DELETE', '/v1/users/{uid}'): {
        'permission': 'delete_user',
        'answers': {200: DELETED, 404: ERROR, 406: ERROR},
    },
    ('GET', '/v1/roles'): {
        'permission': 'view_all_roles_info',
        'answers': {200: _array(ROLE)},
    },
    ('POST', '/v1/roles'): {
        'permission': 'create_role',
        'query': DRY_RUN,
        'body': ROLE_CREATE,
        'answers': {200: ROLE, 400: ERROR, 409: ERROR},
    },
    ('GET', '/v1/roles/{uid}'): {
        'permission': 'view_role_info',
        'answers': {200: ROLE, 404: ERROR},
    },
    ('PUT', '/v1/roles/{uid}'): {
        'permission': 'update_role',
        'query': DRY_RUN,
        'body': ROLE_UPDATE,
        'answers': {200: ROLE, 400: ERROR, 404: ERROR, 406: ERROR, 409: ERROR},
    },
    ('DELETE', '/v1/roles/{uid}'): {
        'permission': 'delete_role',
        'query': DRY_RUN,
        'answers': {200: DELETED, 404: ERROR, 406: ERROR},
    },
    ('GET', '/v1/redis_acls'): {
        'permission': 'view_all_redis_acls_info',
        'answers': {200: _array(REDIS_ACL)},
    },
    ('POST', '/v1/redis_acls'): {
        'permission': 'create_redis_acl',
        'query': DRY_RUN,
        'body': REDIS_ACL,
        'answers': {200: REDIS_ACL, 400: ERROR, 409: ERROR},
    },
    ('GET', '/v1/redis_acls/{uid}'): {
        'permission': 'view_redis_acl_info',
        'answers': {200: REDIS_ACL, 404: ERROR},
    },
    ('PUT', '/v1/redis_acls/{uid}'): {
        'permission': 'update_redis_acl',
        'query': DRY_RUN,
        'body': REDIS_ACL,
        'answers': {200: REDIS_ACL, 400: ERROR, 404: ERROR, 409: ERROR},
    },
    ('DELETE', '/v1/redis_acls/{uid}'): {
        'permission': 'delete_redis_acl',
        'answers': {200: DELETED, 404: ERROR, 409: ERROR},
    },
}


# LDAP: the cluster's LDAP configuration and its LDAP mappings. --------------

# An LDAP server as the configuration names it: ldap:// or ldaps://, a host
# name or an address (an IPv6 one in brackets), and a port; nothing else.
LDAP_URI_PATTERN = r'^ldaps?://([A-Za-z0-9.%-]+|\[[0-9A-Fa-f:%]+\]):[0-9]{1,5}$'
LDAP_QUERY_SCOPES = ('base', 'one', 'subtree')

# A search of the directory: empty (no query), or base, filter and scope
# all three.
LDAP_QUERY = {
    'type': 'object',
    'properties': {
        'base': {'type': 'string'},
        'filter': {'type': 'string'},
        'scope': {'type': 'string', 'enum': list(LDAP_QUERY_SCOPES)},
    },
    'additionalProperties': False,
    'oneOf': [{'maxProperties': 0}, {'required': ['base', 'filter', 'scope']}],
}

# GET and PUT /v1/cluster/ldap; a PUT may hold any part of it. bind_pass is
# taken, and answered masked, never as itself: no schema can tell the two
# apart, so the masking is the tests' to check. user_dn_template excludes
# user_dn_query and dn_group_attr dn_group_query (the cluster answers 400
# illegal_fields_combination); an empty one ('' or {}) is none.
LDAP = {
    'type': 'object',
    'properties': {
        'uris': {'type': 'array', 'items': {'type': 'string', 'pattern': LDAP_URI_PATTERN}},
        'bind_dn': {'type': 'string'},
        'bind_pass': {'type': 'string'},
        'ca_cert': {'type': 'string'},
        'starttls': {'type': 'boolean'},
        'user_dn_template': {'type': 'string'},
        'user_dn_query': LDAP_QUERY,
        'dn_group_attr': {'type': 'string'},
        'dn_group_query': LDAP_QUERY,
        'control_plane': {'type': 'boolean'},
        'data_plane': {'type': 'boolean'},
        'cache_ttl': {'type': 'integer', 'minimum': 0},
        'directory_timeout_s': {'type': 'integer', 'minimum': 5, 'maximum': 60},
        'cba': {'type': 'boolean'},
        'cba_identity_source': {'type': 'string', 'enum': ['subject_cn', 'subject_oid']},
        'cba_identity_oid': {'type': 'string'},
    },
    'additionalProperties': False,
}


def _ldap_mapping(required=()):
    """An LDAP mapping (a directory group given roles). uid is the
    cluster's: answered, never sent; required: what a body must hold."""
    schema = {
        'type': 'object',
        'properties': {
            'uid': {'type': 'integer', 'readOnly': True},
            'name': {'type': 'string', 'maxLength': 255, 'pattern': r'^[A-Za-z0-9_ \[\]()@,.;#-]+$'},
            'dn': {'type': 'string', 'minLength': 1, 'pattern': r'\S'},
            'email': {'type': 'string', 'pattern': r'^$|^[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+$'},
            'role_uids': {'type': 'array', 'items': {'type': 'integer'}, 'minItems': 1},
            'email_alerts': {'type': 'boolean'},
            'cluster_email_alerts': {'type': 'boolean'},
            'bdbs_email_alerts': {'type': 'array', 'items': {'type': 'string'}, 'uniqueItems': True},
            'account_id': {'type': 'integer'},
        },
    }
    if required:
        schema['required'] = sorted(required)
    return schema


LDAP_MAPPING_CREATE = _ldap_mapping(('name', 'dn', 'role_uids'))
LDAP_MAPPING_UPDATE = _ldap_mapping()
# As answered: with the cluster's uid, email and email_alerts always, and
# action_uid when the change goes on as an action.
LDAP_MAPPING = _ldap_mapping(('uid', 'name', 'dn', 'email', 'email_alerts', 'role_uids'))
LDAP_MAPPING['properties']['action_uid'] = {'type': 'string'}
LDAP_MAPPINGS = {'type': 'array', 'items': LDAP_MAPPING}
ACTION = {'type': 'object', 'properties': {'action_uid': {'type': 'string'}}}

# config_ldap and view_ldap_config: the admin and user_manager roles.
LDAP_ENDPOINTS = {
    ('GET', '/v1/cluster/ldap'): {
        'permission': 'view_ldap_config',
        'answers': {200: LDAP, 500: ERROR},
    },
    ('PUT', '/v1/cluster/ldap'): {
        'permission': 'config_ldap',
        'body': LDAP,
        'answers': {200: LDAP, 400: ERROR, 500: ERROR},
    },
    ('DELETE', '/v1/cluster/ldap'): {
        'permission': 'config_ldap',
        'answers': {200: None, 500: ERROR},
    },
    ('GET', '/v1/ldap_mappings'): {
        'permission': 'view_all_ldap_mappings_info',
        'answers': {200: LDAP_MAPPINGS},
    },
    ('POST', '/v1/ldap_mappings'): {
        'permission': 'create_ldap_mapping',
        'body': LDAP_MAPPING_CREATE,
        'answers': {200: LDAP_MAPPING, 400: ERROR, 409: ERROR},
    },
    ('GET', '/v1/ldap_mappings/{uid}'): {
        'permission': 'view_ldap_mapping_info',
        'answers': {200: LDAP_MAPPING, 404: ERROR},
    },
    ('PUT', '/v1/ldap_mappings/{uid}'): {
        'permission': 'update_ldap_mapping',
        'body': LDAP_MAPPING_UPDATE,
        'answers': {200: LDAP_MAPPING, 400: ERROR, 404: ERROR, 409: ERROR},
    },
    ('DELETE', '/v1/ldap_mappings/{uid}'): {
        'permission': 'delete_ldap_mapping',
        'answers': {200: ACTION, 404: ERROR},
    },
}
ENDPOINTS.update(LDAP_ENDPOINTS)


# The license: not in the OpenAPI spec; from the REST API reference
# (requests/license). GET answers the text twice (license and key) beside
# its facts, 404 when none is installed; PUT takes the text alone, 400 for a
# corrupt license, 406 for a license violation. The reference does not show
# what a PUT answers with 200 (declared here as the license, as GET): the
# collection reads the license back instead of trusting it.
LICENSE_START = '----- LICENSE START -----'
LICENSE_END = '----- LICENSE END -----'
_COUNT = {'type': 'integer', 'minimum': 0}
LICENSE = {
    'type': 'object',
    'properties': {
        'license': {'type': 'string'},
        'key': {'type': 'string'},
        'expired': {'type': 'boolean'},
        'activation_date': {'type': 'string'},
        'expiration_date': {'type': 'string'},
        'features': {'type': 'array', 'items': {'type': 'string'}},
        'owner': {'type': 'string'},
        'cluster_name': {'type': 'string'},
        'shards_limit': _COUNT,
        'ram_shards_limit': _COUNT,
        'ram_shards_in_use': _COUNT,
        'flash_shards_limit': _COUNT,
        'flash_shards_in_use': _COUNT,
    },
}
LICENSE_UPDATE = {
    'type': 'object',
    'properties': {'license': {'type': 'string', 'minLength': 1}},
    'required': ['license'],
    'additionalProperties': False,
}
LICENSE_PATH = '/v1/license'
ENDPOINTS.update({
    ('GET', LICENSE_PATH): {
        'permission': 'view_license',
        'answers': {200: LICENSE, 404: ERROR},
    },
    ('PUT', LICENSE_PATH): {
        'permission': 'install_new_license',
        'body': LICENSE_UPDATE,
        'answers': {200: LICENSE, 400: ERROR, 406: ERROR},
    },
})


# The built-in roles that hold a permission, from the permissions reference,
# for a 403's message; a permission not here is named without them.
_USERS_ROLES = ('admin', 'user_manager')
_EVERY_ROLE = ('admin', 'cluster_member', 'cluster_viewer', 'db_member', 'db_viewer', 'user_manager')
HOLDERS = dict(
    [(name, ('admin',)) for name in ('view_ocsp_config', 'config_ocsp', 'view_ocsp_status', 'test_ocsp_status',
                                     'update_cluster')]
    + [(name, _USERS_ROLES) for name in ('view_all_users_info', 'view_user_info', 'create_new_user', 'update_user',
                                         'delete_user', 'create_role', 'update_role', 'delete_role',
                                         'create_redis_acl', 'update_redis_acl', 'delete_redis_acl',
                                         'view_ldap_config', 'config_ldap', 'view_all_ldap_mappings_info',
                                         'create_ldap_mapping', 'update_ldap_mapping', 'delete_ldap_mapping',
                                         'view_license', 'install_new_license')]
    + [(name, _EVERY_ROLE) for name in ('view_all_roles_info', 'view_all_redis_acls_info')])


def _pattern(template):
    parts = re.split(r'(\{[^/{}]+\})', template)
    return re.compile('^%s$' % ''.join('[^/]+' if part.startswith('{') else re.escape(part) for part in parts))


_TEMPLATES = [(key, _pattern(key[1])) for key in ENDPOINTS if '{' in key[1]]


def declared(method, path):
    """The (method, template) of ENDPOINTS that a call of method on path (a
    concrete path, /v1/cluster/certificates/ldap_client, or a template)
    is, or None when the collection declares no such call."""
    if (method, path) in ENDPOINTS:
        return (method, path)
    for key, pattern in _TEMPLATES:
        if key[0] == method and pattern.match(path):
            return key
    return None


def endpoint(method, path):
    """The declaration of a call, or None."""
    key = declared(method, path)
    return ENDPOINTS[key] if key else None


def permission(method, path):
    """The permission a call needs, for a 403's message; None when the call
    is not declared."""
    found = endpoint(method, path)
    return found['permission'] if found else None


def timeout(method, path):
    """The seconds the cluster may take over a call, or None when none is
    declared."""
    found = endpoint(method, path)
    return found.get('timeout') if found else None


def answers(method, path):
    """status -> schema (or None) of every answer a call may give: its own
    and those of every call."""
    found = endpoint(method, path)
    if not found:
        return {}
    result = dict(COMMON_ANSWERS)
    result.update(found['answers'])
    return result


def holders(permission):
    """The built-in roles that hold permission, or None when the
    collection does not know them."""
    return HOLDERS.get(permission)


def max_bytes(method, path):
    """The largest answer of a call the collection reads, in bytes, or
    None for the transport's default."""
    found = endpoint(method, path)
    return found.get('max_bytes') if found else None


def takes(method, path, name):
    """Whether a call takes the query parameter name (dry_run)."""
    found = endpoint(method, path)
    return bool(found) and name in found.get('query', {})


def answers_array(method, path):
    """Whether a call's success answer is a JSON array (a collection's
    list) rather than an object."""
    schema = answers(method, path).get(200)
    return isinstance(schema, dict) and schema.get('type') == 'array'


# Databases (bdbs) and the cluster's long-running actions. ----------------
#
# /v1/bdbs and the actions are not in the OpenAPI spec: from the REST API
# reference (requests/bdbs, requests/actions, objects/bdb, objects/action)
# and the databases' facts sheet. The default user's passwords and the
# per-database proxy certificate are in the spec, and declared as it has them.

# A database's name: letters, digits and hyphens, starting and ending with a
# letter or digit, up to 63 characters (databases/configure).
BDB_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$'
BDB_STATUSES = ('pending', 'active', 'active-change-pending', 'delete-pending', 'import-pending', 'creation-failed',
                'recovery')
_TEXT = {'type': 'string'}
_FLAG = {'type': 'boolean'}
_NUMBER = {'type': 'integer'}
_SIZE = {'type': 'integer', 'minimum': 0}


def _items(**fields):
    return {'type': 'array', 'items': {'type': 'object', 'properties': fields}}


def _choice(*values):
    return {'type': 'string', 'enum': list(values)}


# The fields of a bdb the collection reads or writes; a cluster has many
# more, which the declaration leaves open. The read-only ones are the
# cluster's: answered, never sent.
BDB_FIELDS = {
    'uid': _NUMBER,
    'name': {'type': 'string', 'pattern': BDB_NAME_PATTERN},
    'type': _choice('redis', 'memcached'),
    # Bytes; 0 is unlimited.
    'memory_size': _SIZE,
    # 0 when the cluster chose it: the port is then endpoints[].port.
    'port': {'type': 'integer', 'minimum': 0, 'maximum': 65535},
    'status': dict(_choice(*BDB_STATUSES), readOnly=True),
    # The running (or last) action, where the cluster gives it.
    'action_uid': {'type': 'string', 'readOnly': True},
    'version': {'type': 'string', 'readOnly': True},
    'redis_version': _TEXT,
    'endpoints': {'type': 'array', 'readOnly': True, 'items': {'type': 'object', 'properties': {
        'uid': _TEXT, 'dns_name': _TEXT, 'port': _NUMBER, 'addr': {'type': 'array', 'items': _TEXT},
        'addr_type': _choice('internal', 'external'), 'proxy_policy': _TEXT}}},
    'replication': _FLAG,
    'sharding': _FLAG,
    'shards_count': {'type': 'integer', 'minimum': 1, 'maximum': 512},
    'shard_list': {'type': 'array', 'readOnly': True, 'items': _NUMBER},
    'shard_key_regex': _items(regex=_TEXT),
    'shards_placement': _choice('dense', 'sparse'),
    'oss_cluster': _FLAG,
    'proxy_policy': _choice('single', 'all-master-shards', 'all-nodes'),
    'data_persistence': _choice('disabled', 'snapshot', 'aof'),
    'aof_policy': _choice('appendfsync-every-sec', 'appendfsync-always'),
    'snapshot_policy': _items(secs=_NUMBER, writes=_NUMBER),
    'eviction_policy': _choice('volatile-lru', 'volatile-ttl', 'volatile-random', 'allkeys-lru', 'allkeys-random',
                               'noeviction', 'volatile-lfu', 'allkeys-lfu'),
    'module_list': _items(module_name=_TEXT, module_args={'type': ['string', 'null']}, module_id=_TEXT,
                          semantic_version=_TEXT),
    'tls_mode': _choice('enabled', 'disabled', 'replica_ssl'),
    # Deprecated for tls_mode, and answered beside it.
    'ssl': _FLAG,
    'enforce_client_authentication': _choice('enabled', 'disabled'),
    'authentication_ssl_client_certs': _items(client_cert=_TEXT),
    'roles_permissions': _items(role_uid=_NUMBER, redis_acl_uid=_NUMBER),
    'tags': _items(key=_TEXT, value=_TEXT),
    'backup': _FLAG,
    'backup_interval': _SIZE,
    'backup_location': {'type': 'object', 'properties': {'type': _choice('url', 'sftp', 's3', 'gs', 'abs',
                                                                         'mount_point')}},
    'max_connections': _SIZE,
    'default_user': _FLAG,
    'resp3': _FLAG,
    # Active-Active: such a database belongs to the CRDB API.
    'crdt': {'type': 'boolean', 'readOnly': True},
    'internal': {'type': 'boolean', 'readOnly': True},
    # A secret: answered in clear unless the cluster masks credentials, so
    # the collection drops it where it reads a bdb.
    'authentication_admin_pass': _TEXT,
    'hash_slots_policy': _choice('legacy', '16k'),
    'oss_sharding': _FLAG,
    'created_time': {'type': 'string', 'readOnly': True},
    'last_changed_time': {'type': 'string', 'readOnly': True},
}
# As answered: ?fields may leave out any of them, so none is required.
BDB = {'type': 'object', 'properties': BDB_FIELDS}
BDB_CREATE = {'type': 'object', 'properties': BDB_FIELDS, 'required': ['name', 'memory_size']}
_UPDATE_FIELDS = dict(BDB_FIELDS)
# In the path of a PUT, never in its body.
_UPDATE_FIELDS['uid'] = {'type': 'integer', 'readOnly': True}
BDB_UPDATE = {'type': 'object', 'properties': _UPDATE_FIELDS}
# DELETE /v1/bdbs/{uid}: the delete's action, where the cluster gives it.
BDB_DELETED = {'type': 'object', 'properties': {'action_uid': _TEXT}}

# The status sets differ between the pages: requests/actions gives pending,
# active, completed and failed; objects/action queued, starting, running,
# cancelling, cancelled, completed and failed; the facts sheet v2's queued
# and running. So any string: an unknown one is still running. progress is
# documented as a number, and answered as the string "100".
_PROGRESS = {'type': ['number', 'string']}
ACTION_V1 = {
    'type': 'object',
    'properties': {
        'action_uid': _TEXT, 'task_id': _TEXT, 'name': _TEXT, 'node_uid': _TEXT, 'object_name': _TEXT,
        'state': _TEXT, 'progress': _PROGRESS, 'status': _TEXT, 'pending_ops': {'type': 'object'},
        'error_code': _TEXT, 'error_message': _TEXT,
    },
    'required': ['action_uid', 'name', 'status', 'progress'],
}
ACTION_V2 = {
    'type': 'object',
    'properties': {
        'action_uid': _TEXT, 'action_type': _choice('task', 'state-machine', 'other'),
        # Unix seconds, as requests/actions documents it; an ISO 8601 time is read too.
        'creation_time': {'type': ['integer', 'string']},
        'name': _TEXT, 'progress': _PROGRESS, 'status': _TEXT,
        'additional_info': {'type': 'object', 'properties': {
            'description': _TEXT, 'error': _TEXT, 'object_type': _TEXT, 'object_uid': _TEXT,
            'pending_ops': {'type': 'object'}}},
        'error_code': _TEXT, 'error_message': _TEXT,
    },
    'required': ['action_uid', 'name', 'status', 'progress'],
}

# The spec's BdbPasswordRequest: the password to add, reset to or remove.
BDB_PASSWORD = {'type': 'object', 'properties': {'password': _TEXT}, 'required': ['password']}
# The spec's BdbProxyCertificate: the dates are the certificate's own, and
# the private key is taken, never answered.
BDB_CERTIFICATE = {
    'type': 'object',
    'properties': {
        'bdb_uid': {'type': 'string', 'readOnly': True},
        'cert': _TEXT,
        'not_after': {'type': 'string', 'format': 'date-time', 'readOnly': True},
        'not_before': {'type': 'string', 'format': 'date-time', 'readOnly': True},
        'private_key': {'type': 'string', 'writeOnly': True},
    },
}
BDB_CERTIFICATE_SET = {'type': 'object', 'properties': {'cert': _TEXT, 'private_key': _TEXT},
                       'required': ['cert', 'private_key']}

# The largest list of every database (or of their proxy certificates) that
# the collection reads. A bdb object is a few kB, more with the fields each
# release adds: the transport's default (1 MiB) holds a few hundred, this
# some thousands.
BDBS_MAX_BYTES = 64 * 1024 * 1024

DATABASE_ENDPOINTS = {
    # 403: the license expired (requests/bdbs); 409: the uid is taken.
    # Every database in one answer: several MiB for a thousand of them.
    ('GET', '/v1/bdbs'): {
        'permission': 'view_all_bdbs_info',
        'max_bytes': BDBS_MAX_BYTES,
        'query': {'fields': _TEXT, 'extended': _FLAG},
        'answers': {200: _array(BDB)},
    },
    ('POST', '/v1/bdbs'): {
        'permission': 'create_bdb',
        'query': DRY_RUN,
        'body': BDB_CREATE,
        'answers': {200: BDB, 400: ERROR, 406: ERROR, 409: ERROR},
    },
    ('GET', '/v1/bdbs/{uid}'): {
        'permission': 'view_bdb_info',
        'query': {'fields': _TEXT, 'extended': _FLAG},
        'answers': {200: BDB, 404: ERROR},
    },
    # 409: busy with another change, a temporary condition; retry later.
    ('PUT', '/v1/bdbs/{uid}'): {
        'permission': 'update_bdb',
        'query': DRY_RUN,
        'body': BDB_UPDATE,
        'answers': {200: BDB, 400: ERROR, 404: ERROR, 406: ERROR, 409: ERROR},
    },
    # No dry_run: the docs give DELETE none. 403: an internal database;
    # 409: not active, or busy.
    ('DELETE', '/v1/bdbs/{uid}'): {
        'permission': 'delete_bdb',
        'answers': {200: BDB_DELETED, 404: ERROR, 409: ERROR},
    },
    # requests/actions names view_status_of_cluster_action for both versions.
    # 404: neither running nor remembered (or, for v2, a cluster without it).
    ('GET', '/v1/actions/{uid}'): {
        'permission': 'view_status_of_cluster_action',
        'answers': {200: ACTION_V1, 404: ERROR},
    },
    ('GET', '/v2/actions/{uid}'): {
        'permission': 'view_status_of_cluster_action',
        'answers': {200: ACTION_V2, 404: ERROR},
    },
    ('POST', '/v1/bdbs/{uid}/passwords'): {
        'permission': 'update_bdb',
        'body': BDB_PASSWORD,
        'answers': {200: None, 404: ERROR, 406: ERROR},
    },
    ('PUT', '/v1/bdbs/{uid}/passwords'): {
        'permission': 'update_bdb',
        'body': BDB_PASSWORD,
        'answers': {200: None, 404: ERROR, 406: ERROR},
    },
    ('DELETE', '/v1/bdbs/{uid}/passwords'): {
        'permission': 'update_bdb',
        'body': BDB_PASSWORD,
        'answers': {200: None, 404: ERROR, 406: ERROR},
    },
    ('GET', '/v1/bdbs/{uid}/certificates'): {
        'permission': 'view_bdb_info',
        'answers': {200: BDB_CERTIFICATE, 404: ERROR},
    },
    # 400: a certificate or key that does not parse, or a key that is not
    # the certificate's; 406: an expired certificate.
    ('POST', '/v1/bdbs/{uid}/certificates'): {
        'permission': 'update_bdb',
        'query': DRY_RUN,
        'body': BDB_CERTIFICATE_SET,
        'answers': {200: BDB_CERTIFICATE, 400: ERROR, 404: ERROR, 406: ERROR, 500: ERROR},
    },
    ('DELETE', '/v1/bdbs/{uid}/certificates'): {
        'permission': 'update_bdb',
        'answers': {200: None, 404: ERROR},
    },
    # 404, 405: a cluster before per-database certificates (Redis Enterprise 8), which has no such call.
    ('GET', '/v1/bdbs/certificates'): {
        'permission': 'view_all_bdbs_info',
        'max_bytes': BDBS_MAX_BYTES,
        'query': {'page': _NUMBER, 'page_size': _NUMBER, 'expires_before': _TEXT,
                  'tls_mode': _choice('disabled', 'replica_ssl', 'enabled')},
        'answers': {200: _array(BDB_CERTIFICATE), 400: ERROR, 404: ERROR, 405: ERROR, 500: ERROR},
    },
}
ENDPOINTS.update(DATABASE_ENDPOINTS)
_TEMPLATES.extend((key, _pattern(key[1])) for key in DATABASE_ENDPOINTS if '{' in key[1])
_BDB_WRITERS = ('admin', 'cluster_member', 'db_member')
HOLDERS.update([(name, _EVERY_ROLE) for name in ('view_all_bdbs_info', 'view_bdb_info',
                                                 'view_status_of_cluster_action')]
               + [(name, _BDB_WRITERS) for name in ('create_bdb', 'update_bdb', 'delete_bdb')])

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: access_info
short_description: Read who may do what on a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's users (C(GET /v1/users)), roles (C(GET /v1/roles)), Redis ACLs (C(GET /v1/redis_acls)), LDAP
    configuration (C(GET /v1/cluster/ldap)) and LDAP mappings (C(GET /v1/ldap_mappings)), and returns them.
  - Each user and each LDAP mapping has C(roles), the names of its C(role_uids).
  - Returns no password. The cluster never answers a user's; the LDAP configuration's C(bind_pass), which it answers
    masked, is dropped where it is read.
  - Changes nothing. It is the audit of the access baseline that M(redis.enterprise.user), M(redis.enterprise.role),
    M(redis.enterprise.redis_acl), M(redis.enterprise.ldap) and M(redis.enterprise.ldap_mapping) enforce.
author:
  - Redis Enterprise collection maintainers (@redis-enterprise-ansible)
extends_documentation_fragment:
  - redis.enterprise.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - redis.enterprise.connection.attributes
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
options: {}
notes:
  - Needs C(view_all_users_info), C(view_all_roles_info), C(view_all_redis_acls_info), C(view_ldap_config) and
    C(view_all_ldap_mappings_info), which the built-in roles C(admin) and C(user_manager) hold. A 403 names the one
    missing.
seealso:
  - module: redis.enterprise.user
  - module: redis.enterprise.role
  - module: redis.enterprise.redis_acl
  - module: redis.enterprise.ldap
  - module: redis.enterprise.ldap_mapping
'''

EXAMPLES = r'''
- name: Read who may do what
  redis.enterprise.access_info:
    url: https://cluster.example.com:9443
    username: usermanager@example.com
    password: "{{ vault_redis_user_manager_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
  delegate_to: localhost
  register: access

- name: No one but the service accounts and the directory's groups is an admin
  ansible.builtin.assert:
    that: "'Admin' not in item.roles or item.email in redis_service_accounts"
    fail_msg: "{{ item.email }} is an admin"
    quiet: true
  loop: "{{ access.users }}"
  loop_control:
    label: "{{ item.email }}"
'''

RETURN = r'''
users:
  description: Every user, as the cluster answers it (never a password), with C(roles), the names of its C(role_uids).
  returned: success
  type: list
  elements: dict
  sample:
    - {uid: 1, email: admin@example.com, name: Admin, role_uids: [1], roles: [Admin], status: active,
       auth_method: regular}
roles:
  description: Every role, as the cluster answers it (C(uid), C(name), C(management)).
  returned: success
  type: list
  elements: dict
  sample: [{uid: 1, name: Admin, management: admin}]
redis_acls:
  description: Every Redis ACL, as the cluster answers it (C(uid), C(name), C(acl)).
  returned: success
  type: list
  elements: dict
  sample: [{uid: 1, name: Full Access, acl: "+@all ~*"}]
ldap:
  description: The LDAP configuration, as the cluster answers it, without C(bind_pass).
  returned: success
  type: dict
  sample: {uris: ["ldaps://ldap.example.com:636"], bind_dn: "cn=redis,dc=example,dc=com", control_plane: true,
           data_plane: false}
ldap_mappings:
  description: Every LDAP mapping, as the cluster answers it, with C(roles), the names of its C(role_uids).
  returned: success
  type: list
  elements: dict
  sample: [{uid: 1, name: Operators, dn: "cn=redis-operators,ou=groups,dc=example,dc=com", role_uids: [1],
            roles: [Admin]}]
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 403
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
'''

from ..module_utils import _access, _engine

# Everything of the cluster's access control, read.
RESOURCE = _access.INFO


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

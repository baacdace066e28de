#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: role
short_description: Enforce a role of a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's roles (C(GET /v1/roles)), finds the one named O(name), and creates it
    (C(POST /v1/roles)), changes its O(management) (C(PUT /v1/roles/{uid})) or, with O(state=absent), removes it
    (C(DELETE /v1/roles/{uid})), only when it differs from what the task asks.
  - Only the options that are set are enforced; the others keep the cluster's values. A change sends only
    the fields that change.
  - A role's access to databases is not set here. Which Redis ACL a role has in which database is the database's
    C(roles_permissions), which this collection does not cover; give the role's users with M(redis.enterprise.user).
  - The cluster refuses to change or remove its built-in roles, and to remove a role that users still hold.
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
    details:
      - Makes the reads of a real run and writes nothing.
      - When the run would change something, the cluster is asked; the create, change or removal is sent with
        C(?dry_run=true), which the cluster validates and does not apply. A refusal (a name taken, a built-in role,
        a role that users hold) is the check-mode result, a failure with the cluster's message.
  diff_mode:
    support: full
    details: The role's O(name) and O(management) before and after.
options:
  name:
    description:
      - The role's name, its key on the cluster.
      - "Letters, digits, spaces, square brackets, parentheses and the characters C(_ @ , . ; # -), as the API
        allows; anything else is refused before any request."
    type: str
    required: true
  management:
    description:
      - What the role may manage in the cluster, one of the management roles of the API, from the least to the
        most it allows.
      - V(none) manages nothing (a role for database access only), V(db_viewer) and V(cluster_viewer) read, V(db_member)
        and V(cluster_member) change databases and the cluster, V(user_manager) manages users, roles, Redis ACLs and
        LDAP, and V(admin) everything.
      - Required to create a role.
    type: str
    choices: [none, db_viewer, cluster_viewer, db_member, cluster_member, user_manager, admin]
  state:
    description:
      - V(present) creates the role or makes it as the task says; V(absent) removes it, and does nothing when the
        cluster has no role of that name.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Reading the roles takes C(view_all_roles_info), which every built-in role but V(none) holds. Creating, changing
    and removing them takes C(create_role), C(update_role) and C(delete_role), which the built-in roles C(admin) and
    C(user_manager) hold.
  - No task cuts the access of the user it logs in as (O(username)). A change of O(management), or a removal, that
    would take a management role away from that user (one it holds through this role, and no other role of its
    covers) is refused with nothing written, in check mode too; for a user that logs in through LDAP, so is one of
    a role that an LDAP mapping gives, when it would no longer give the user's own role. Run such a change as
    another user. To know, such a change reads the users (C(GET /v1/users)), and for an LDAP login its own role
    (C(GET /v1/users/role)) and the LDAP mappings.
seealso:
  - module: redis.enterprise.user
  - module: redis.enterprise.redis_acl
  - name: Roles requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/roles/
'''

EXAMPLES = r'''
- name: Give the connection once for every module of the collection
  module_defaults:
    group/redis.enterprise.api:
      url: https://cluster.example.com:9443
      username: admin@example.com
      password: "{{ vault_redis_password }}"
      ca_path: /etc/pki/redis/cluster-ca.pem
  block:
    - name: Support engineers read the cluster
      redis.enterprise.role:
        name: Support Engineer
        management: cluster_viewer
      delegate_to: localhost

    - name: The application role manages nothing; its database access is set on each database
      redis.enterprise.role:
        name: App
        management: none
      delegate_to: localhost

    - name: The old role is gone
      redis.enterprise.role:
        name: Legacy Operators
        state: absent
      delegate_to: localhost
'''

RETURN = r'''
role:
  description:
    - The role after the run, as the cluster answered it; empty once removed.
    - In check mode, the role the run would have produced (without a C(uid) for one it would create).
  returned: success
  type: dict
  sample:
    uid: 101
    name: Support Engineer
    management: cluster_viewer
diff:
  description: The role's O(name) and O(management) before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The role as it was; empty when there was none.
      type: dict
      returned: success, in diff mode
    after:
      description: The role after the run (or as it would be, in check mode); empty once removed.
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options, a refusal of the module's own).
  returned: failure, when the cluster answered
  type: int
  sample: 409
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: role_already_exists
'''

from ..module_utils import _access, _engine

# The cluster's roles, as the engine finds, compares, creates, changes and removes them.
RESOURCE = _access.ROLE


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

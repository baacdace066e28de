#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: redis_acl
short_description: Enforce a Redis ACL of a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's Redis ACLs (C(GET /v1/redis_acls)), finds the one named O(name), and creates it
    (C(POST /v1/redis_acls)), changes its rule (C(PUT /v1/redis_acls/{uid})) or, with O(state=absent), removes it
    (C(DELETE /v1/redis_acls/{uid})), only when it differs from what the task asks.
  - A Redis ACL is a named rule of Redis ACL syntax (commands, key and channel patterns). It takes effect where a
    database gives it to a role, in the database's C(roles_permissions), which this collection does not cover.
  - The rule is compared as text, as the cluster returns it. A rule the cluster rewrites (spaces, the order of its
    parts) is written again on every run; give it as the cluster returns it.
  - The cluster checks the rule; the module sends it as given.
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
      - A create or a change is sent with C(?dry_run=true), which the cluster validates and does not apply, so a rule
        it refuses fails in check mode with the cluster's message.
      - A removal is not, as C(DELETE /v1/redis_acls/{uid}) takes no dry run. Check mode reports that the ACL would be
        removed; whether the cluster lets it go (a database may still use it, HTTP 409) only the real run can tell.
  diff_mode:
    support: full
    details: The Redis ACL's O(name) and O(acl) before and after.
options:
  name:
    description:
      - The Redis ACL's name, its key on the cluster.
      - "Letters, digits, spaces, square brackets, parentheses and the characters C(_ @ , . ; # -), as the API
        allows; anything else is refused before any request."
    type: str
    required: true
  acl:
    description:
      - The rule, in Redis ACL syntax, for example C(+@read ~cache:*) or C(+@all -@dangerous ~*).
      - It holds no passwords; the cluster gives the database users theirs.
      - Required to create a Redis ACL.
    type: str
  state:
    description:
      - V(present) creates the Redis ACL or makes its rule O(acl); V(absent) removes it, and does nothing when the
        cluster has none of that name.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Reading the Redis ACLs takes C(view_all_redis_acls_info), which every built-in role but V(none) holds. Creating,
    changing and removing them takes C(create_redis_acl), C(update_redis_acl) and C(delete_redis_acl), which the
    built-in roles C(admin) and C(user_manager) hold.
seealso:
  - module: redis.enterprise.role
  - name: Redis ACLs requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/redis_acls/
'''

EXAMPLES = r'''
- name: The cache service reads and writes its own keys
  redis.enterprise.redis_acl:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    name: Cache Read Write
    acl: +@read +@write ~cache:*
  delegate_to: localhost

- name: The old rule is gone
  redis.enterprise.redis_acl:
    name: Legacy
    state: absent
  delegate_to: localhost
'''

RETURN = r'''
redis_acl:
  description:
    - The Redis ACL after the run, as the cluster answered it; empty once removed.
    - In check mode, the Redis ACL the run would have produced (without a C(uid) for one it would create).
  returned: success
  type: dict
  sample:
    uid: 101
    name: Cache Read Write
    acl: +@read +@write ~cache:*
diff:
  description: The Redis ACL's O(name) and O(acl) before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The Redis ACL as it was; empty when there was none.
      type: dict
      returned: success, in diff mode
    after:
      description: The Redis ACL after the run (or as it would be, in check mode); empty once removed.
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 400
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: invalid_acl
'''

from ..module_utils import _access, _engine

# The cluster's Redis ACLs, as the engine finds, compares, creates, changes and removes them.
RESOURCE = _access.REDIS_ACL


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

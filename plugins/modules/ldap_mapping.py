#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ldap_mapping
short_description: Enforce an LDAP mapping of a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's LDAP mappings (C(GET /v1/ldap_mappings)) and roles (C(GET /v1/roles)), finds the mapping
    named O(name), and creates it (C(POST /v1/ldap_mappings)), changes it (C(PUT /v1/ldap_mappings/{uid})) or, with
    O(state=absent), removes it (C(DELETE /v1/ldap_mappings/{uid})), only when it differs from what the task asks.
  - A mapping gives the members of a directory group (O(dn)) roles of the cluster. The directory itself is
    M(redis.enterprise.ldap).
  - Only the options that are set are enforced; the others keep the cluster's values. A change sends only the fields
    that change. O(roles) and O(bdbs_email_alerts) compare as sets; their order does not count.
  - O(roles) names roles, which the module looks up once per task. A role name the cluster does not have fails the
    task before any write, and the message lists the roles there are. In check mode it is a warning, as an
    earlier task of the run may create the role. Create roles with
    M(redis.enterprise.role).
author:
  - Redis Enterprise collection maintainers (@redis-enterprise-ansible)
extends_documentation_fragment:
  - redis.enterprise.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - redis.enterprise.connection.attributes
attributes:
  check_mode:
    support: partial
    details:
      - Makes the reads of a real run, resolves O(roles), checks the options, and writes nothing.
      - The API offers no dry run for LDAP mappings, so check mode cannot say whether the cluster takes the write
        (a name another mapping has, a DN it refuses); the real run can still fail there.
  diff_mode:
    support: full
    details: The mapping before and after, its roles by name.
options:
  name:
    description:
      - The mapping's name, its key on the cluster.
      - "Letters, digits, spaces, square brackets, parentheses and the characters C(_ @ , . ; # -), as the API
        allows; anything else is refused before any request."
    type: str
    required: true
  dn:
    description:
      - The distinguished name of the directory group whose members the mapping gives O(roles).
      - Required to create a mapping.
    type: str
  roles:
    description:
      - The names of the roles the group's members get. Required to create a mapping.
    type: list
    elements: str
  email:
    description: The address that gets the mapping's alert emails.
    type: str
  email_alerts:
    description: Whether the mapping's address gets alert emails.
    type: bool
  cluster_email_alerts:
    description: Whether the mapping's address gets the cluster's alert emails.
    type: bool
  bdbs_email_alerts:
    description: The uids of the databases whose alert emails the mapping's address gets, as strings.
    type: list
    elements: str
  state:
    description:
      - V(present) creates the mapping or makes it as the task says; V(absent) removes it, and does nothing when the
        cluster has no mapping of that name.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Reading the mappings takes C(view_all_ldap_mappings_info), and the roles C(view_all_roles_info). Creating,
    changing and removing mappings takes C(create_ldap_mapping), C(update_ldap_mapping) and C(delete_ldap_mapping),
    which the built-in roles C(admin) and C(user_manager) hold.
  - No task cuts the access of the user it logs in as (O(username)). For a user that logs in through LDAP (one
    that is no user of the cluster), removing a mapping, or changing its O(roles), so that it no longer gives that
    user's management role is refused with nothing written, in check mode too, as the cluster does not say which
    directory groups a user is in, so any mapping that gives the role counts. Run such a change as a user of the
    cluster. To know, a removal or a change of O(roles) reads the users (C(GET /v1/users)), and for an LDAP login
    its own role (C(GET /v1/users/role)).
seealso:
  - module: redis.enterprise.ldap
  - module: redis.enterprise.role
  - name: LDAP mappings requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/ldap_mappings/
'''

EXAMPLES = r'''
- name: The directory's operators administer the cluster, its support staff read it
  redis.enterprise.ldap_mapping:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    name: "{{ item.name }}"
    dn: "{{ item.dn }}"
    roles: "{{ item.roles }}"
  loop:
    - {name: Operators, dn: "cn=redis-operators,ou=groups,dc=example,dc=com", roles: [Admin]}
    - {name: Support, dn: "cn=redis-support,ou=groups,dc=example,dc=com", roles: [Support Engineer]}
  delegate_to: localhost
'''

RETURN = r'''
ldap_mapping:
  description:
    - The mapping after the run, as the cluster answered it (its roles as C(role_uids)); empty once removed. The
      diff names the roles.
    - In check mode, the mapping the run would have produced (without a C(uid) for one it would create).
  returned: success
  type: dict
  sample:
    uid: 1
    name: Operators
    dn: cn=redis-operators,ou=groups,dc=example,dc=com
    role_uids: [1]
    email: ''
    email_alerts: true
diff:
  description: The mapping before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
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
'''

from ..module_utils import _access, _engine

# The cluster's LDAP mappings, as the engine finds, compares, creates, changes and removes them.
RESOURCE = _access.LDAP_MAPPING


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

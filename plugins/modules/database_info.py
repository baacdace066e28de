#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: database_info
short_description: Read the databases of a Redis Enterprise cluster, without their secrets
version_added: 0.6.0
description:
  - Reads every database of the cluster in one C(GET /v1/bdbs), or the one named O(name), and returns each as the
    cluster holds it, with its endpoints as C(dns_name:port), its status, the uid of its running or last action
    (C(action_uid)), its shards and modules, and its C(roles_permissions) by names (C(GET /v1/roles) and
    C(GET /v1/redis_acls), read only when a database has some).
  - A database that is not C(active) (pending, changing, being removed, or C(creation-failed)) also comes with its
    action (RV(databases[].action)), read with one C(GET /v2/actions/{uid}) each (C(/v1/actions/{uid}) on a cluster
    without C(/v2)), which says what it is at, or the error it failed with, as the status alone does not. An active
    database gives its C(action_uid) only, so that a cluster of active databases costs one request whatever their
    number.
  - No secret, whether or not the cluster masks them (its C(mask_bdb_credentials)); dropped where the answer is read
    are C(authentication_admin_pass), C(authentication_redis_pass), the credentials of C(backup_location), and the
    C(client_key) of the sources a database syncs from (C(replica_sources), C(sync_sources), C(crdt_sources)); the
    user and password in a URL of these are shown as C(********).
  - Changes nothing.
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
options:
  name:
    description:
      - The name of one database to read; without it, every database. A name the cluster does not have gives an empty
        list.
    type: str
notes:
  - Reading the databases takes C(view_all_bdbs_info), their roles_permissions by name C(view_all_roles_info) and
    C(view_all_redis_acls_info), and the actions C(view_status_of_cluster_action); every built-in role holds them,
    C(cluster_viewer) and C(db_viewer) among them.
  - The list of every database is read up to 64 MiB, some thousands of databases; any other answer up to 1 MiB.
seealso:
  - module: redis.enterprise.database
'''

EXAMPLES = r'''
- name: Every database of the cluster
  redis.enterprise.database_info:
  delegate_to: localhost
  register: found

- name: The ones that are not active, and what their action is at
  ansible.builtin.debug:
    msg: "{{ item.name }} is {{ item.status }}; its action {{ (item.action or {}).status | default('is not known') }}"
  loop: "{{ found.databases | rejectattr('status', 'equalto', 'active') | list }}"
  loop_control:
    label: "{{ item.name }}"
'''

RETURN = r'''
databases:
  description:
    - The databases, by uid, as the cluster holds them, without their secrets, each with C(endpoint_addresses), its
      endpoints as C(dns_name:port), and C(roles_permissions_by_name), its C(roles_permissions) as C(role) and
      C(redis_acl) names.
  returned: success
  type: list
  elements: dict
  sample:
    - uid: 1
      name: sessions
      status: active
      action_uid: 3ff7e0ba-9c08-4f27-8d1c-4b4c4b7ac5d2
      memory_size: 2147483648
      endpoint_addresses: [redis-12000.cluster.example.com:12000]
      shards_count: 2
      shard_list: [1, 2, 3, 4]
      module_list:
        - module_name: search
      roles_permissions_by_name:
        - role: App
          redis_acl: Cache Read Write
    - uid: 2
      name: orders
      status: pending
      action_uid: 7d1c5e2a-41b3-4c55-9a0e-2f4e8b7c6d10
      action:
        action_uid: 7d1c5e2a-41b3-4c55-9a0e-2f4e8b7c6d10
        action_type: state-machine
        name: SMCreateBDB
        status: running
        progress: 40.0
      endpoint_addresses: [redis-12001.cluster.example.com:12001]
      roles_permissions_by_name: []
  contains:
    action:
      description:
        - The action of a database that is not C(active), as the cluster answers C(GET /v2/actions/{uid}) (or
          C(/v1/actions/{uid}) on a cluster without C(/v2)); its C(status) and, once failed, its error
          (C(additional_info.error) on v2, C(error_message)).
        - V(null) when the database gives no C(action_uid), or the cluster no longer remembers the action.
      returned: for each database that is not active
      type: dict
http_status:
  description: The HTTP status of the failed call to the cluster.
  returned: failure, when the cluster answered
  type: int
  sample: 403
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: insufficient_permissions
'''

from ..module_utils import _database, _engine

# Every database, as the engine reads it; nothing is written.
RESOURCE = _database.INFO


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

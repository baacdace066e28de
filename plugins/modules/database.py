#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: database
short_description: Enforce a database of a Redis Enterprise cluster, waited for, never at the cost of its data
version_added: 0.6.0
description:
  - Finds the database named O(name) (C(GET /v1/bdbs?fields=uid,name), then C(GET /v1/bdbs/{uid})), and creates it
    (C(POST /v1/bdbs)), changes the fields that differ from what the task gives (one C(PUT /v1/bdbs/{uid})) or, with
    O(state=absent), removes it (C(DELETE /v1/bdbs/{uid})).
  - Only the options the task gives are compared; the others keep what the cluster has. What the cluster fills in by
    itself never makes a change, among it the port it chose (answered as C(0), the real one in its endpoints), the
    modules Redis 8 adds to every database, C(aof_policy) and C(backup_interval) while their feature is off, empty
    lists answered for none, and numbers answered as text.
  - The cluster's work goes on after it answers. With O(wait=true), the default, the task follows the write's action
    (C(GET /v2/actions/{uid}), or C(/v1/actions/{uid}) on a cluster that has no v2 or no longer remembers it) until it
    is over, then waits for the database to be C(active) (or gone, after a removal), then reads it back. Polls start
    at a quarter of a second and back off to one every 5 seconds, all within O(wait_timeout). A write the cluster
    answers C(409) (busy with another change) is sent again with the same backoff.
  - "The data is never lost by the module: a field that only a create sets (O(type), O(port), O(modules),
    O(redis_version)) and that differs on an existing database is refused, naming the way there (a new database, or
    an upgrade); fewer O(shards_count), O(sharding) turned off, a shard count that is not a multiple of the current
    one, and a change of O(shard_key_regex) (or of C(hash_slots_policy) or C(oss_sharding) in O(extra)), which needs
    the database flushed, are refused. All of these before any write, in check mode too. The module never removes a
    database to create it again, and never flushes one."
  - A create whose answer is lost is never sent again blindly. The task reads the databases by name, and reports
    C(changed) where the create may have happened.
  - A database left C(creation-failed) is reported as such on every later run, until it is removed and created
    again.
  - Secrets are dropped where a database is read, whether or not the cluster masks them (its
    C(mask_bdb_credentials)). That covers C(authentication_admin_pass), C(authentication_redis_pass), and the
    credentials of C(backup_location).
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
      - Makes the reads and the checks of a real run, the data-safety rules among them, and writes nothing.
      - A create or a change is sent with C(?dry_run=true), which the cluster validates and does not apply, so what it
        refuses (a port taken, too little memory, a version it does not run, an expired license) fails the check run
        with its message.
      - A removal is not sent at all, C(?dry_run) or not, as the API gives C(DELETE /v1/bdbs/{uid}) no dry run; check
        mode reports it with a warning.
      - Check mode does not wait; the result is the database as the cluster would hold it, without what only the
        cluster can fill in (its uid, port and endpoints, for a new one).
      - The default user's password (O(default_user_password)) and the backup credentials are not validated, as the
        API has no dry run for them.
  diff_mode:
    support: full
    details:
      - The fields the task gives, before and after, by option name (O(memory_size) in bytes, O(roles_permissions) by
        names); all of them for a removal.
      - A secret the run sends shows as sent, never as itself.
options:
  name:
    description:
      - The database's name, its key on the cluster. The module finds the database by it.
      - Letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters; case-sensitive.
      - Two databases of this name are a refusal that names both uids.
    type: str
    required: true
  state:
    description:
      - V(present) creates the database or makes it as the task says; V(absent) removes it, with its data, and waits
        until it is gone. V(absent) does nothing when the cluster has no database of that name, takes no other option
        of the database, and refuses an Active-Active (CRDB) database, which belongs to the CRDB API.
    type: str
    choices: [present, absent]
    default: present
  memory_size:
    description:
      - The memory limit of the database, for all its shards and replicas together.
      - An integer of bytes (V(104857600)), or a string of a number and a unit V(B), V(KB), V(MB), V(GB) or V(TB), as
        powers of 1024 (V(100MB) is 104857600 bytes), as the Kubernetes operator's C(memorySize) takes it. V(0) is no
        limit.
      - Required to create a database.
    type: raw
  type:
    description:
      - V(redis) (the cluster's default) or V(memcached). Set only when the database is created; a different one on an
        existing database is refused.
    type: str
    choices: [redis, memcached]
  port:
    description:
      - The port of the database's endpoint. Set only when the database is created; without it, the cluster chooses
        one, which this module then reads from the endpoints. A different one on an existing database is refused.
    type: int
  modules:
    description:
      - The modules of the database, by name (C(search), C(ReJSON), C(timeseries), C(bf)), sent as C(module_list).
        Set only when the database is created.
      - Compared as a set, their case aside. A database with more modules than these is no difference, as Redis 8 adds
        its bundled modules to every database. One missing on an existing database is refused.
    type: list
    elements: str
  redis_version:
    description:
      - The Redis version of a new database, major.minor (V(7.4)); the cluster refuses a patch version. Set only when
        the database is created; a database of another version is refused, naming the upgrade it takes (C(rladmin
        upgrade db)), which this module does not make.
    type: str
  replication:
    description: Whether each shard has a replica.
    type: bool
  sharding:
    description:
      - Whether the database is spread over several shards (O(shards_count)). Turning it off once on is refused, as a
        sharded database is not made unsharded in place.
    type: bool
  shards_count:
    description:
      - The number of primary shards, from 1 to 512. It only grows, and by a multiple of the current count; fewer,
        or a count that is not a multiple, is refused before any write.
    type: int
  shard_key_regex:
    description:
      - The rules that pick the part of a key that decides its shard, as regular expressions with a named group
        C(tag), in order, sent as C([{regex}]).
      - Changing them on an existing database needs the database flushed, which loses its data, and is refused.
    type: list
    elements: str
  shards_placement:
    description: V(dense) places shards on as few nodes as it can, V(sparse) on as many.
    type: str
    choices: [dense, sparse]
  oss_cluster:
    description: Whether the database speaks the OSS Cluster API.
    type: bool
  proxy_policy:
    description: Which nodes' proxies serve the database.
    type: str
    choices: [single, all-master-shards, all-nodes]
  data_persistence:
    description: V(snapshot) (with O(snapshot_policy)), V(aof) (with O(aof_policy)) or V(disabled).
    type: str
    choices: [disabled, snapshot, aof]
  aof_policy:
    description: How often the append-only file is written to disk.
    type: str
    choices: [appendfsync-every-sec, appendfsync-always]
  snapshot_policy:
    description: When a snapshot is taken, compared as a set.
    type: list
    elements: dict
    suboptions:
      secs:
        description: A snapshot after this many seconds...
        type: int
        required: true
      writes:
        description: ...when at least this many writes were made.
        type: int
        required: true
  eviction_policy:
    description: What the database evicts when it is full.
    type: str
    choices: [noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random,
              volatile-ttl]
  tls_mode:
    description: TLS for the database's clients (V(enabled)), for its replication only (V(replica_ssl)), or none.
    type: str
    choices: [disabled, enabled, replica_ssl]
  enforce_client_authentication:
    description: Whether a TLS client must present a certificate (C(enabled) or C(disabled) in the API).
    type: bool
  client_certificates:
    description:
      - The certificates of the clients that may connect, as PEM texts, sent as C(authentication_ssl_client_certs).
      - Compared as a set, by the SHA-256 fingerprint of each certificate.
    type: list
    elements: str
  roles_permissions:
    description:
      - Which Redis ACL each role has in this database, by their names, compared as a set. The names are looked up
        once per task (C(GET /v1/roles), C(GET /v1/redis_acls)); a name the cluster does not have fails the task
        before any write (in check mode, a warning, as an earlier task may create it).
    type: list
    elements: dict
    suboptions:
      role:
        description: The name of a role (M(redis.enterprise.role)).
        type: str
        required: true
      redis_acl:
        description: The name of a Redis ACL (M(redis.enterprise.redis_acl)).
        type: str
        required: true
  tags:
    description: Tags of the database, a mapping of keys to text values, sent as C([{key, value}]).
    type: dict
  backup:
    description: Whether the database is backed up every O(backup_interval) seconds to O(backup_location).
    type: bool
  backup_interval:
    description: Seconds between two backups.
    type: int
  backup_location:
    description:
      - Where backups go, without its credentials (C(type) and, for its type, C(bucket_name), C(subdir), C(path),
        C(url)...), as the API's C(backup_location). Compared on the keys given.
      - A credential here (a key whose name says secret, password, token, credential or key) is refused; give it in
        O(backup_credentials).
      - Sent whole, with O(backup_credentials), when it differs, when the database is created, or with
        O(update_password=always).
    type: dict
  backup_credentials:
    description:
      - The credentials of O(backup_location), merged into it when it is sent (C(access_key_id) and
        C(secret_access_key) for S3, C(private_key) for Google Cloud, C(account_key) or C(sas_token) for Azure, C(key)
        for SFTP). Never read back, compared or shown.
    type: dict
  max_connections:
    description: The most client connections each proxy accepts for the database; V(0) for no limit.
    type: int
  default_user:
    description: Whether the database's default user (password only, no user name) may log in.
    type: bool
  resp3:
    description: Whether clients may use the RESP3 protocol.
    type: bool
  default_user_password:
    description:
      - The password of the database's default user, set with C(PUT /v1/bdbs/{uid}/passwords), which leaves it the
        only one.
      - It cannot be read back and is never compared. It is sent when the database is created, and with
        O(update_password=always) on every run, which then reports a change.
    type: str
  update_password:
    description:
      - V(on_create) sends O(default_user_password) and O(backup_credentials) only when the database is created (and
        the credentials whenever O(backup_location) is sent); V(always) on every run.
    type: str
    choices: [on_create, always]
    default: on_create
  extra:
    description:
      - Further fields of the database, by their names in the API (C(email_alerts), C(rack_aware),
        C(data_internode_encryption)...), compared and written as given; a number or a boolean given as text compares
        with the same answered otherwise.
      - Refused are the fields the options manage, those the cluster answers and never takes (C(status),
        C(endpoints)...), and any secret (a password, a key, a token), which O(extra) would show in the diff.
    type: dict
  wait:
    description:
      - Wait for the cluster to have done the write, then read the database back. With V(false), the task returns
        once the cluster took the write, with its action's uid and a warning that says so.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for a write, its C(409) retries included, from 1 to 86400. On timeout the task fails with
        what it last saw, and the cluster goes on.
    type: int
    default: 600
notes:
  - Reading the databases takes C(view_all_bdbs_info) and C(view_bdb_info), which every built-in role holds; waiting,
    C(view_status_of_cluster_action). Creating, changing and removing them takes C(create_bdb), C(update_bdb) and
    C(delete_bdb), which the built-in roles C(admin), C(cluster_member) and C(db_member) hold.
  - A cluster whose license has expired refuses to create or change databases (HTTP 403); the message says so.
  - Certificates of the database's own proxy are M(redis.enterprise.certificate) with
    O(redis.enterprise.certificate#module:database).
seealso:
  - module: redis.enterprise.database_info
  - module: redis.enterprise.role
  - module: redis.enterprise.redis_acl
  - name: Database requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/bdbs/
  - name: Actions requests of the Redis Enterprise REST API
    description: The long-running actions it waits for.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/actions/
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
    - name: The sessions cache, replicated, on two shards, waited for
      redis.enterprise.database:
        name: sessions
        memory_size: 2GB
        replication: true
        sharding: true
        shards_count: 2
        eviction_policy: allkeys-lru
        tags:
          team: web
        roles_permissions:
          - role: App
            redis_acl: Cache Read Write
        default_user: false
      delegate_to: localhost
      register: sessions

    - name: Its endpoint
      ansible.builtin.debug:
        msg: "{{ sessions.database.endpoint_addresses | first }}"

    - name: An old database is gone, with its data
      redis.enterprise.database:
        name: legacy-cache
        state: absent
      delegate_to: localhost
'''

RETURN = r'''
database:
  description:
    - The database as the cluster holds it after the run (after the wait), without its secrets, with
      C(endpoint_addresses) (its endpoints as C(dns_name:port)) and, when the task gives O(roles_permissions),
      C(roles_permissions_by_name); empty once removed.
    - In check mode, the database as the cluster would hold it.
  returned: success
  type: dict
  sample:
    uid: 3
    name: sessions
    status: active
    memory_size: 2147483648
    port: 0
    endpoints:
      - dns_name: redis-12000.cluster.example.com
        port: 12000
    endpoint_addresses: [redis-12000.cluster.example.com:12000]
    shards_count: 2
    shard_list: [5, 6, 7, 8]
    module_list:
      - module_name: search
action:
  description:
    - The action the task followed, as last read (C(action_uid), C(status), C(progress), ...); with O(wait=false), only
      its C(action_uid), where the cluster gave one.
  returned: after a create, change or removal
  type: dict
  sample:
    action_uid: 3ff7e0ba-9c08-4f27-8d1c-4b4c4b7ac5d2
    status: completed
waited:
  description: Seconds the task waited for the cluster.
  returned: after a create, change or removal
  type: float
  sample: 2.25
diff:
  description: The fields the task gives, before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The database as it was; empty when there was none.
      type: dict
      returned: success, in diff mode
    after:
      description: The database after the run (or as it would be, in check mode); empty once removed.
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options, a refusal of the module's own).
  returned: failure, when the cluster answered
  type: int
  sample: 406
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: port_unavailable
'''

from ..module_utils import _database, _engine

# The cluster's databases, as the engine finds, compares, creates, changes, removes and waits for them.
RESOURCE = _database.DATABASE


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

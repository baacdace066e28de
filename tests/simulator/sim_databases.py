# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The databases of a simulated cluster and the long-running actions that
create, change and delete them, on the cluster's clock; the default user's
passwords and the per-database proxy certificate. redis_enterprise_sim.py
routes these calls here and keeps a Clock and a Databases on each Cluster.

Served, as the REST API reference (requests/bdbs, requests/actions,
objects/bdb, objects/action) and the vendor's OpenAPI spec (the passwords
and certificates) describe them:
  GET /v1/bdbs (?fields=a,b), POST /v1/bdbs (?dry_run), GET, PUT (?dry_run)
  and DELETE /v1/bdbs/{uid}; GET /v1/actions/{uid} and /v2/actions/{uid};
  POST, PUT and DELETE /v1/bdbs/{uid}/passwords; GET, POST (?dry_run) and
  DELETE /v1/bdbs/{uid}/certificates, GET /v1/bdbs/certificates.

The clock: each cluster's now() is the real UTC time plus an offset,
advancing at `speed` simulated seconds per real second. Tests set it with
cluster.update({'clock': {'speed': 50}}), {'advance': 120} (a jump forward)
or {'offset': -1860} (relative to real time), or the same under "clock" in
PUT /_sim/state. There is no background thread: whatever a request reads is
first brought up to the clock's now (Databases.advance).

Every create, change and delete starts an action that stays pending for the
bdb_pending fault's simulated seconds, then completes, or fails when
action_fail_next says so: a failed create leaves the database
creation-failed, a failed change leaves it as it was, active, a failed
delete leaves it active. A change is applied when it is accepted (GET
shows it while the status is active-change-pending) and taken back if its
action fails. While an action runs, another write of that database, a
dry run among them, is refused 409 busy. GET takes ?extended=true and
answers no module configuration objects: the simulator has none.

Tests seed databases with cluster.update({'bdbs': [{...bdb fields, 'keys':
N, 'passwords': [...], 'certificate': {'cert', 'key'}}]}) (an entry whose
uid exists is merged into that database: {'uid': 1, 'keys': 10}) or
{'bdbs': {'count': 1000}}; they read them with cluster.bdb(name),
cluster.bdbs() and cluster.bdb_passwords(uid), as the cluster keeps them.

Error codes where the reference names none are the simulator's own:
  406 flush_required        a change of shard_key_regex, hash_slots_policy
                            or oss_sharding on a database holding keys (the
                            reference: "To change the hashing policy the
                            database must be flushed"); nothing is written
  406 field_cannot_change   a change of type, port or module_list
  409 bdb_not_active        a change or delete of a database that is not
                            active and runs no action (creation-failed)
  403 internal_bdb          a delete of an internal database
  403 license_expired, license_missing   a create or change without a valid
                            license ("redislabs license expired")
  406 role_not_found, redis_acl_not_found   roles_permissions naming a role
                            or Redis ACL the cluster does not have
  404 bdb_not_found, action_not_found, certificate_not_found
  406 password_not_found, password_exists   a password DELETE or POST
Schema errors (a field of the wrong type or value, an unknown or read-only
field, a bad name) are 400 invalid_schema, as the simulator's other calls.

Secrets: authentication_admin_pass is generated at create and answered in
clear, as a cluster answers it, unless the mask_bdb_credentials fault is
on (then '********'); backup_location credentials likewise. The default
user's passwords are never answered: cluster.bdb_passwords(uid) and the
snapshot hold them. A database's private key is never answered either."""

from __future__ import annotations

import copy
import datetime
import hashlib
import re
import secrets
import time
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

BDBS_PATH = '/v1/bdbs'
BDB_PATH = '/v1/bdbs/{uid}'
PASSWORDS_PATH = '/v1/bdbs/{uid}/passwords'
BDB_CERTIFICATE_PATH = '/v1/bdbs/{uid}/certificates'
BDB_CERTIFICATES_PATH = '/v1/bdbs/certificates'
ACTION_V1_PATH = '/v1/actions/{uid}'
ACTION_V2_PATH = '/v2/actions/{uid}'

# (method, path or template) -> permission. The simulator takes the first
# route a path matches, so /v1/bdbs/certificates comes before /v1/bdbs/{uid}.
# The actions' permission is view_status_of_cluster_action, which the REST
# API reference (requests/actions) names for both versions.
ROUTES = {
    ('GET', BDB_CERTIFICATES_PATH): 'view_all_bdbs_info',
    ('GET', BDBS_PATH): 'view_all_bdbs_info',
    ('POST', BDBS_PATH): 'create_bdb',
    ('GET', BDB_PATH): 'view_bdb_info',
    ('PUT', BDB_PATH): 'update_bdb',
    ('DELETE', BDB_PATH): 'delete_bdb',
    ('POST', PASSWORDS_PATH): 'update_bdb',
    ('PUT', PASSWORDS_PATH): 'update_bdb',
    ('DELETE', PASSWORDS_PATH): 'update_bdb',
    ('GET', BDB_CERTIFICATE_PATH): 'view_bdb_info',
    ('POST', BDB_CERTIFICATE_PATH): 'update_bdb',
    ('DELETE', BDB_CERTIFICATE_PATH): 'update_bdb',
    ('GET', ACTION_V1_PATH): 'view_status_of_cluster_action',
    ('GET', ACTION_V2_PATH): 'view_status_of_cluster_action',
}
DRY_RUNS = {('POST', BDBS_PATH), ('PUT', BDB_PATH), ('POST', BDB_CERTIFICATE_PATH)}
# The permissions reference: the views are every built-in role's, the
# writes those of admin, cluster_member and db_member.
VIEWS = {'view_all_bdbs_info', 'view_bdb_info', 'view_status_of_cluster_action'}
WRITES = {'create_bdb', 'update_bdb', 'delete_bdb'}
VIEWERS = ('admin', 'user_manager', 'cluster_viewer', 'cluster_member', 'db_viewer', 'db_member')
WRITERS = ('admin', 'cluster_member', 'db_member')

GIB = 1024 ** 3
FAULTS = {
    # Simulated seconds each create, change and delete stays pending.
    'bdb_pending': 2,
    # Simulated seconds after its end that an action is still answered; then 404.
    'action_forget_after': 600,
    # The action calls the cluster serves: 'v1', 'v2' (a cluster without one answers 404 there).
    'action_versions': ['v1', 'v2'],
    # Where a write's action_uid appears: 'answer' (the write's answer), 'bdb' (the database's own
    # action_uid field), 'both' or 'neither'.
    'action_uid_in': 'both',
    # A status the action pages do not agree on (starting, cancelling...), answered by both versions
    # for the first `seconds` of every action.
    'action_unknown_status': {'name': None, 'seconds': 0},
    # The next `count` actions fail with this error (a failed create leaves the database creation-failed).
    'action_fail_next': {'count': 0, 'code': 'internal_error', 'error': 'The state machine failed: a shard did '
                         'not start'},
    # v2's creation_time: 'unix' (integer seconds, as requests/actions gives it) or 'iso' (ISO 8601).
    'action_creation_time': 'unix',
    # The cluster's default redis_version and the ones it has; on 8 and later, a Redis database gets the
    # bundled modules (search, ReJSON, timeseries, bf) whatever module_list asks for.
    'redis_version': '8.0',
    'redis_versions': ['7.2', '7.4', '8.0'],
    # Normalisations of the answers, on as a cluster answers: port 0 when the cluster chose it;
    # aof_policy and backup_interval present while their feature is off; [] for the empty lists
    # ('null' or 'absent' instead: off the declaration).
    'bdb_port_zero': True,
    'bdb_inactive_fields': True,
    'bdb_lists': 'empty',
    # Numbers answered as strings ("104857600"), as some clusters do: off the declaration.
    'bdb_numbers_as_strings': False,
    # The cluster's mask_bdb_credentials: authentication_admin_pass and backup credentials answered masked.
    'mask_bdb_credentials': False,
    # The memory the cluster has for its databases' memory_size, in bytes.
    'memory_capacity': 64 * GIB,
    # DELETE of a creation-failed database: allowed (True), or 409 as for any database not active.
    'delete_creation_failed': True,
}

MASK = '********'
NAME = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
REDIS_VERSION = re.compile(r'^[0-9]+\.[0-9]+$')
# The full versions a cluster runs for each major.minor.
FULL_VERSIONS = {'6.2': '6.2.18', '7.2': '7.2.7', '7.4': '7.4.2', '8.0': '8.0.2', '8.2': '8.2.1'}
# The modules a cluster has: (module_name, semantic_version). Redis 8 bundles all four.
CLUSTER_MODULES = (('search', '8.0.1'), ('ReJSON', '8.0.1'), ('timeseries', '8.0.1'), ('bf', '8.0.1'))
# The shard_key_regex rules a sharded database gets by default (objects/bdb).
DEFAULT_RULES = [{'regex': '.*\\{(?<tag>.*)\\}.*'}, {'regex': '(?<tag>.*)'}]
# Ports the cluster itself listens on.
RESERVED_PORTS = (3333, 3334, 3335, 3336, 3337, 3338, 3339, 8001, 8070, 8071, 8080, 8443, 9081, 9125, 9443)
FIRST_PORT = 12000
LISTS = ('shard_key_regex', 'roles_permissions', 'tags', 'authentication_ssl_client_certs')
# backup_location: the fields that are credentials, by location type (objects/bdb/backup_location).
BACKUP_SECRETS = ('access_key_id', 'secret_access_key', 'key', 'private_key', 'private_key_id', 'account_key',
                  'sas_token')
BACKUP_TYPES = ('url', 'sftp', 's3', 'gs', 'abs', 'mount_point')
URL_CREDENTIALS = re.compile(r'^([a-z]+://)([^@/]*)@')

PROXY_POLICIES = ('single', 'all-master-shards', 'all-nodes')
EVICTION_POLICIES = ('volatile-lru', 'volatile-ttl', 'volatile-random', 'allkeys-lru', 'allkeys-random', 'noeviction',
                     'volatile-lfu', 'allkeys-lfu')
PERSISTENCE = ('disabled', 'snapshot', 'aof')
# field -> its kind: bool, int, str, list (of objects, with their fields and whether each is required), object,
# or a tuple of the values it takes.
FIELDS = {
    'uid': 'int', 'name': 'str', 'type': ('redis', 'memcached'), 'memory_size': 'int', 'port': 'int',
    'redis_version': 'str', 'replication': 'bool', 'sharding': 'bool', 'shards_count': 'int',
    'shard_key_regex': ('list', {'regex': 'str'}), 'shards_placement': ('dense', 'sparse'), 'oss_cluster': 'bool',
    'proxy_policy': PROXY_POLICIES, 'data_persistence': PERSISTENCE,
    'aof_policy': ('appendfsync-every-sec', 'appendfsync-always'),
    'snapshot_policy': ('list', {'secs': 'int', 'writes': 'int'}), 'eviction_policy': EVICTION_POLICIES,
    'module_list': ('list', {'module_name': 'str', 'module_args': 'str?', 'module_id': 'str?',
                             'semantic_version': 'str?'}),
    'tls_mode': ('enabled', 'disabled', 'replica_ssl'), 'ssl': 'bool',
    'enforce_client_authentication': ('enabled', 'disabled'),
    'authentication_ssl_client_certs': ('list', {'client_cert': 'str'}),
    'client_cert_subject_validation_type': ('disabled', 'san_cn', 'full_subject'),
    'authorized_subjects': 'list',
    'roles_permissions': ('list', {'role_uid': 'int', 'redis_acl_uid': 'int'}),
    'tags': ('list', {'key': 'str', 'value': 'str'}),
    'backup': 'bool', 'backup_interval': 'int', 'backup_interval_offset': 'int', 'backup_history': 'int',
    'backup_location': 'object', 'max_connections': 'int', 'default_user': 'bool', 'resp3': 'bool',
    'authentication_admin_pass': 'str', 'authentication_redis_pass': 'str',
    'hash_slots_policy': ('legacy', '16k'), 'oss_sharding': 'bool', 'implicit_shard_key': 'bool',
    'email_alerts': 'bool', 'rack_aware': 'bool', 'data_internode_encryption': 'bool', 'slave_ha': 'bool',
    'slave_ha_priority': 'int', 'max_aof_file_size': 'int', 'max_aof_load_time': 'int', 'repl_backlog_size': 'str',
    'disabled_commands': 'str', 'mkms': 'bool', 'shard_block_crossslot_keys': 'bool',
    'shard_block_foreign_keys': 'bool', 'oss_cluster_api_preferred_ip_type': ('internal', 'external'),
    'recovery_wait_time': 'int', 'db_conns_auditing': 'bool', 'metrics_export_all': 'bool', 'avoid_nodes': 'list',
    'use_nodes': 'list', 'account_id': 'int',
}
# What the cluster answers and never takes here (crdt: through the CRDB API).
READ_ONLY = ('status', 'action_uid', 'endpoints', 'version', 'shard_list', 'created_time', 'last_changed_time',
             'crdt', 'internal')
# Kept, never answered: the deprecated single password, now one of the default user's passwords.
WRITE_ONLY = ('authentication_redis_pass',)
CREATE_ONLY = ('type', 'port', 'module_list')
# Changing these re-hashes every key: the database must be flushed first.
HASHING = ('shard_key_regex', 'hash_slots_policy', 'oss_sharding')
# The status of a database while each kind of action runs.
RUNNING_STATUS = {'create': 'pending', 'update': 'active-change-pending', 'delete': 'delete-pending'}
STATE_MACHINES = {'create': 'SMCreateBDB', 'update': 'SMUpdateBDB', 'delete': 'SMDeleteBDB'}


def _error(status, code, description):
    """An error answer, in the form of the simulator's others."""
    return status, {'error_code': code, 'description': description, 'status_code': status}


def _invalid(description):
    return _error(400, 'invalid_schema', description)


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Clock:
    """Simulated UTC time: the real time plus an offset, advancing at speed
    simulated seconds per real second."""

    def __init__(self):
        self.speed = 1.0
        self._real = time.time()
        self._simulated = self._real

    def time(self):
        """The simulated time, seconds since the epoch."""
        return self._simulated + (time.time() - self._real) * self.speed

    def now(self):
        return datetime.datetime.fromtimestamp(self.time(), datetime.timezone.utc)

    def set(self, speed=None, advance=None, offset=None):
        """offset: seconds from the real time, set first; advance: seconds
        to jump forward; speed: simulated seconds per real second from now."""
        real = time.time()
        simulated = self.time() if offset is None else real + offset
        if advance is not None:
            if advance < 0:
                raise ValueError('the clock only jumps forward: advance must be 0 or more, not %r' % advance)
            simulated += advance
        if speed is not None and speed < 0:
            raise ValueError('speed must be 0 or more simulated seconds per real second, not %r' % speed)
        self._real, self._simulated = real, simulated
        if speed is not None:
            self.speed = float(speed)

    def state(self):
        now = self.time()
        return {'now': iso(now), 'offset': now - time.time(), 'speed': self.speed}


def _kind_problem(name, value, kind):
    """Why value is not of kind (FIELDS), or None."""
    if kind == 'bool':
        good = isinstance(value, bool)
    elif kind == 'int':
        good = isinstance(value, int) and not isinstance(value, bool)
    elif kind in ('str', 'str?'):
        good = isinstance(value, str) or (kind == 'str?' and value is None)
    elif kind == 'object':
        good = isinstance(value, dict)
    elif kind == 'list':
        good = isinstance(value, list)
    elif kind[0] == 'list':
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return '%s must be a list of objects' % name
        for item in value:
            unknown = sorted(set(item) - set(kind[1]))
            if unknown:
                return '%s: an item has the unknown field %s' % (name, unknown[0])
            for field, sub in kind[1].items():
                if field not in item:
                    if not sub.endswith('?'):
                        return '%s: every item needs %s' % (name, field)
                    continue
                problem = _kind_problem('%s[].%s' % (name, field), item[field], sub)
                if problem:
                    return problem
        return None
    else:
        good = value in kind
        if not good:
            return '%s must be one of %s, not %r' % (name, ', '.join(kind), value)
    if good:
        return None
    return '%s must be %s' % (name, {'bool': 'a boolean', 'int': 'an integer', 'str': 'a string',
                                     'str?': 'a string or null', 'object': 'an object', 'list': 'a list'}[kind])


def _body_problem(body, create):
    """Why a POST (create) or PUT body is refused 400 invalid_schema, or None."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object of bdb fields'
    for name, value in body.items():
        if name in READ_ONLY:
            return '%s is read-only' % name
        if name not in FIELDS:
            return 'unknown field %s' % name
        if name == 'uid' and not create:
            continue
        problem = _kind_problem(name, value, FIELDS[name])
        if problem:
            return problem
    if 'name' in body and not NAME.match(body['name']):
        return ('name must be letters, digits and hyphens, starting and ending with a letter or digit, up to 63 '
                'characters: %r is not' % body['name'])
    for name in ('memory_size', 'max_connections', 'backup_interval', 'backup_history'):
        if name in body and body[name] < 0:
            return '%s must be 0 or more' % name
    if 'shards_count' in body and not 1 <= body['shards_count'] <= 512:
        return 'shards_count must be 1 to 512'
    if 'port' in body and not 0 <= body['port'] <= 65535:
        return 'port must be a TCP port, 1 to 65535 (0: the cluster chooses)'
    if 'uid' in body and create and body['uid'] < 1:
        return 'uid must be 1 or more'
    location = body.get('backup_location')
    if location and location.get('type') not in BACKUP_TYPES:
        return 'backup_location type must be one of %s' % ', '.join(BACKUP_TYPES)
    return None


def _certificate_problem(pem, now):
    """(status, code, text) of a client certificate the cluster refuses, or None."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, TypeError):
        return 406, 'invalid_certificate', 'An SSL client certificate is not a PEM certificate'
    if certificate.not_valid_after_utc.timestamp() <= now:
        return 406, 'certificate_expired', 'An SSL client certificate has expired'
    return None


def _fingerprint(pem):
    try:
        return x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256())
    except (ValueError, TypeError):
        return pem


def _module_list(given, redis_type, redis_version):
    """module_list as the cluster keeps it: the modules asked for, and on
    Redis 8 and later the bundled ones too."""
    names = dict((name.lower(), (name, version)) for name, version in CLUSTER_MODULES)
    found = []
    for item in given or []:
        name, version = names[item['module_name'].lower()]
        found.append({'module_id': hashlib.md5(name.encode()).hexdigest(), 'module_name': name,
                      'module_args': item.get('module_args') or '', 'semantic_version': version})
    if redis_type == 'redis' and int(redis_version.split('.')[0]) >= 8:
        have = set(item['module_name'] for item in found)
        found.extend({'module_id': hashlib.md5(name.encode()).hexdigest(), 'module_name': name, 'module_args': '',
                      'semantic_version': version} for name, version in CLUSTER_MODULES if name not in have)
    return found


class Databases:
    """A cluster's databases by uid (their fields as the cluster keeps
    them), their keys, passwords and certificates, and the actions."""

    def __init__(self):
        self.bdbs = {}
        # Per database: keys held (a change of the hashing policy needs 0), the default user's
        # passwords, its proxy certificate ({'cert', 'key'}) and whether the cluster chose its port.
        self.keys = {}
        self.passwords = {}
        self.certificates = {}
        self.chosen_ports = set()
        # uid -> action: kind, bdb_uid, start, end (simulated seconds), error, code, previous (the fields
        # a failed change restores), done.
        self.actions = {}
        self.running = []
        self.next_shard = 1
        # The bodies of the creates and changes received (not the dry runs), for the tests of what is sent.
        self.received = []

    # State on the clock ---------------------------------------------------

    def advance(self, now, faults):
        """Finish the actions whose time has come, and forget those ended
        longer ago than action_forget_after."""
        for uid in [uid for uid in self.running if self.actions[uid]['end'] <= now]:
            self.running.remove(uid)
            self._finish(self.actions[uid])
        forget = faults['action_forget_after']
        for uid in [uid for uid, action in self.actions.items() if action['done'] and action['end'] + forget <= now]:
            del self.actions[uid]

    def _finish(self, action):
        action['done'] = True
        bdb = self.bdbs.get(action['bdb_uid'])
        if bdb is None:
            return
        if action['kind'] == 'create':
            bdb['status'] = 'creation-failed' if action['error'] else 'active'
        elif action['kind'] == 'update':
            if action['error']:
                bdb.update(action['previous'])
            # The failed action stays the database's own, so that a reader finds its error.
            bdb.update(status='active', action_uid=action['uid'])
        elif action['error']:
            bdb['status'] = 'active'
        else:
            self._remove(bdb['uid'])

    def _remove(self, uid):
        del self.bdbs[uid]
        for kept in (self.keys, self.passwords, self.certificates):
            kept.pop(uid, None)
        self.chosen_ports.discard(uid)

    def _start(self, kind, bdb, now, faults, previous=None):
        fail = faults['action_fail_next']
        failing = fail['count'] > 0
        if failing:
            fail['count'] -= 1
        uid = str(uuid.uuid4())
        self.actions[uid] = {'uid': uid, 'kind': kind, 'bdb_uid': bdb['uid'], 'start': now,
                             'end': now + faults['bdb_pending'], 'error': fail['error'] if failing else None,
                             'code': fail['code'] if failing else None, 'previous': previous, 'done': False}
        self.running.append(uid)
        bdb['status'] = RUNNING_STATUS[kind]
        bdb['action_uid'] = uid
        return uid

    def busy(self, uid):
        return any(self.actions[action]['bdb_uid'] == uid for action in self.running)

    # The bdb object ---------------------------------------------------------

    def _port(self, wanted, uid):
        taken = set(bdb['port'] for other, bdb in self.bdbs.items() if other != uid)
        if wanted:
            return wanted if wanted not in taken and wanted not in RESERVED_PORTS else None
        port = FIRST_PORT
        while port in taken or port in RESERVED_PORTS:
            port += 1
        return port

    def _shards(self, bdb, previous=()):
        wanted = bdb['shards_count'] * (2 if bdb['replication'] else 1)
        shards = list(previous)[:wanted]
        while len(shards) < wanted:
            shards.append(self.next_shard)
            self.next_shard += 1
        return shards

    def _derive(self, bdb, fqdn):
        """The fields the cluster derives from the others."""
        bdb['ssl'] = bdb['tls_mode'] == 'enabled'
        bdb['endpoints'] = [{'uid': '%d:1' % bdb['uid'], 'dns_name': 'redis-%d.%s' % (bdb['port'], fqdn),
                             'port': bdb['port'], 'addr': ['192.0.2.11'], 'addr_type': 'external',
                             'proxy_policy': bdb['proxy_policy'], 'oss_cluster_api_preferred_ip_type': 'internal'}]
        bdb['shard_list'] = self._shards(bdb, bdb.get('shard_list', ()))

    def new(self, body, uid, port, now, faults, fqdn):
        """A database as a create of body makes it, its uid and port given."""
        kind = body.get('type', 'redis')
        redis_version = body.get('redis_version', faults['redis_version'])
        sharding = body.get('sharding', False)
        oss_cluster = body.get('oss_cluster', False)
        bdb = {
            'uid': uid, 'name': body['name'], 'type': kind, 'memory_size': body['memory_size'], 'port': port,
            'status': 'pending', 'redis_version': redis_version,
            'version': FULL_VERSIONS.get(redis_version, redis_version + '.0'), 'replication': False,
            'sharding': sharding, 'shards_count': 1, 'shard_key_regex': copy.deepcopy(DEFAULT_RULES) if sharding
            else [], 'shards_placement': 'dense', 'oss_cluster': oss_cluster,
            'proxy_policy': 'all-master-shards' if oss_cluster else 'single', 'data_persistence': 'disabled',
            'aof_policy': 'appendfsync-every-sec', 'snapshot_policy': [],
            'eviction_policy': 'allkeys-lru' if kind == 'memcached' else 'volatile-lru',
            'module_list': _module_list(body.get('module_list'), kind, redis_version), 'tls_mode': 'disabled',
            'enforce_client_authentication': 'enabled', 'authentication_ssl_client_certs': [],
            'roles_permissions': [], 'tags': [], 'backup': False, 'backup_interval': 86400, 'backup_location': {},
            'max_connections': 0, 'default_user': True, 'resp3': True, 'crdt': False, 'internal': False,
            'hash_slots_policy': '16k', 'oss_sharding': False,
            'authentication_admin_pass': secrets.token_urlsafe(24), 'created_time': iso(now),
            'last_changed_time': iso(now),
        }
        changes = dict((key, copy.deepcopy(value)) for key, value in body.items()
                       if key not in ('module_list', 'uid', 'port') + WRITE_ONLY)
        if 'ssl' in body and 'tls_mode' not in body:
            changes['tls_mode'] = 'enabled' if body['ssl'] else 'disabled'
        bdb.update(changes)
        self._derive(bdb, fqdn)
        return bdb

    def answer(self, bdb, faults, fields=None, written=False):
        """A database as the cluster answers it: to a read, or to the write
        that started its action (written)."""
        found = dict((key, copy.deepcopy(value)) for key, value in bdb.items() if key not in WRITE_ONLY)
        placement = faults['action_uid_in']
        if placement == 'neither' or placement == ('bdb' if written else 'answer'):
            found.pop('action_uid', None)
        if faults['bdb_port_zero'] and bdb['uid'] in self.chosen_ports:
            found['port'] = 0
        if faults['mask_bdb_credentials']:
            found['authentication_admin_pass'] = MASK
            if 'backup_location' in found:
                found['backup_location'] = _masked(found['backup_location'])
        if not faults['bdb_inactive_fields']:
            if found.get('data_persistence') != 'aof':
                found.pop('aof_policy', None)
            if not found.get('backup'):
                found.pop('backup_interval', None)
        if faults['bdb_lists'] != 'empty':
            for name in LISTS:
                if found.get(name) == []:
                    if faults['bdb_lists'] == 'null':
                        found[name] = None
                    else:
                        del found[name]
        if faults['bdb_numbers_as_strings']:
            for name, value in found.items():
                if name != 'uid' and isinstance(value, int) and not isinstance(value, bool):
                    found[name] = str(value)
        if fields:
            found = dict((key, value) for key, value in found.items() if key in fields)
        return found

    # Writes -----------------------------------------------------------------

    def _semantic_problem(self, cluster, body, bdb, now):
        """(status, code, text) of a valid body the cluster refuses all the
        same, or None; bdb: the database a PUT changes, None for a create."""
        faults = cluster.faults
        merged = dict(bdb or {}, **body)
        kind = merged.get('type', 'redis')
        modules = body.get('module_list') or []
        if kind == 'memcached' and modules:
            return 406, 'memcached_cannot_use_modules', 'A memcached database cannot have modules'
        known = set(name.lower() for name, dummy in CLUSTER_MODULES)
        missing = [item['module_name'] for item in modules if item['module_name'].lower() not in known]
        if missing:
            return 406, 'missing_module', 'The cluster has no module %s (it has %s)' % (
                missing[0], ', '.join(name for name, dummy in CLUSTER_MODULES))
        if 'redis_version' in body and not (bdb and body['redis_version'] == bdb['redis_version']):
            version = body['redis_version']
            if bdb:
                return 406, 'invalid_version', ('redis_version %s: a database changes version through an upgrade '
                                                '(POST /v1/bdbs/{uid}/upgrade), not a PUT' % version)
            if not REDIS_VERSION.match(version) or version not in faults['redis_versions']:
                return 406, 'invalid_version', 'Invalid redis_version %s: the cluster has %s (major.minor)' % (
                    version, ', '.join(faults['redis_versions']))
        sharding, count = merged.get('sharding', False), merged.get('shards_count', 1)
        if bdb:
            if bdb['sharding'] and not sharding:
                return 406, 'invalid_sharding', 'Sharding cannot be turned off'
            if count < bdb['shards_count']:
                return 406, 'invalid_sharding', 'Shards cannot be removed: shards_count %d is fewer than %d' % (
                    count, bdb['shards_count'])
            if count % bdb['shards_count']:
                return 406, 'invalid_sharding', 'shards_count %d is not a multiple of the current %d' % (
                    count, bdb['shards_count'])
        if count > 1 and not sharding:
            return 406, 'invalid_sharding', 'shards_count %d needs sharding' % count
        if merged.get('data_persistence') == 'snapshot' and not merged.get('snapshot_policy'):
            return 406, 'invalid_data_persistence', 'Snapshot persistence needs a snapshot_policy'
        tags = [tag['key'] for tag in merged.get('tags') or []]
        if len(set(tags)) != len(tags):
            return 406, 'invalid_bdb_tags', 'Tags with the same key were passed'
        certificates = [item['client_cert'] for item in body.get('authentication_ssl_client_certs') or []]
        for pem in certificates:
            problem = _certificate_problem(pem, now)
            if problem:
                return problem
        if len(set(_fingerprint(pem) for pem in certificates)) != len(certificates):
            return 406, 'duplicated_certs', 'An SSL client certificate appears more than once'
        for item in body.get('roles_permissions') or []:
            if item['role_uid'] not in cluster.roles:
                return 406, 'role_not_found', 'roles_permissions: no role with uid %d' % item['role_uid']
            if item['redis_acl_uid'] not in cluster.acls:
                return 406, 'redis_acl_not_found', 'roles_permissions: no Redis ACL with uid %d' % item[
                    'redis_acl_uid']
        if 'memory_size' in body:
            used = sum(other['memory_size'] for uid, other in self.bdbs.items() if not bdb or uid != bdb['uid'])
            if used + body['memory_size'] > faults['memory_capacity']:
                return 406, 'insufficient_resources', ('Not enough memory in the cluster for memory_size %d: %d of '
                                                       '%d bytes are free' % (body['memory_size'],
                                                                              max(faults['memory_capacity'] - used, 0),
                                                                              faults['memory_capacity']))
        return None

    def create(self, cluster, body, dry_run, now):
        faults = cluster.faults
        if not dry_run:
            self.received.append(copy.deepcopy(body))
        problem = _body_problem(body, create=True)
        if problem:
            return _invalid(problem)
        if 'name' not in body:
            return _error(406, 'missing_db_name', 'A database needs a name')
        if 'memory_size' not in body:
            return _error(406, 'missing_memory_size', 'A database needs a memory_size, in bytes')
        uid = body.get('uid') or max(list(self.bdbs) + [0]) + 1
        if uid in self.bdbs:
            return _error(409, 'uid_exists', 'A database with uid %d exists' % uid)
        refused = self._semantic_problem(cluster, body, None, now)
        if refused:
            return _error(*refused)
        port = self._port(body.get('port'), uid)
        if port is None:
            return _error(406, 'port_unavailable', 'Port %d is reserved or taken by another database' % body['port'])
        bdb = self.new(body, uid, port, now, faults, cluster.fqdn)
        if dry_run:
            return 200, self.answer(bdb, faults, written=True)
        self.bdbs[uid] = bdb
        if not body.get('port'):
            self.chosen_ports.add(uid)
        self.keys[uid] = 0
        self.passwords[uid] = [body['authentication_redis_pass']] if body.get('authentication_redis_pass') else []
        self._start('create', bdb, now, faults)
        return 200, self.answer(bdb, faults, written=True)

    def change(self, cluster, bdb, body, dry_run, now):
        faults = cluster.faults
        if not dry_run:
            self.received.append(copy.deepcopy(body))
        problem = _body_problem(body, create=False)
        if problem:
            return _invalid(problem)
        if body.get('uid', bdb['uid']) != bdb['uid']:
            return _invalid('uid cannot be changed')
        if self.busy(bdb['uid']):
            return _error(409, 'busy', 'The database is busy with another change: try again later')
        if bdb['status'] != 'active':
            return _error(409, 'bdb_not_active', 'The database is %s: only an active database changes'
                          % bdb['status'])
        for name in CREATE_ONLY:
            if name in body and not self._unchanged(bdb, name, body[name]):
                return _error(406, 'field_cannot_change', '%s is set when a database is created and cannot change'
                              % name)
        if self.keys.get(bdb['uid']):
            changing = [name for name in HASHING if name in body and body[name] != bdb.get(name)]
            if changing:
                return _error(406, 'flush_required', 'Changing %s re-hashes the keys: the database holds %d keys '
                              'and must be flushed first' % (changing[0], self.keys[bdb['uid']]))
        refused = self._semantic_problem(cluster, body, bdb, now)
        if refused:
            return _error(*refused)
        changes = dict((key, copy.deepcopy(value)) for key, value in body.items()
                       if key not in CREATE_ONLY + ('uid',) + WRITE_ONLY)
        if 'ssl' in body and 'tls_mode' not in body:
            changes['tls_mode'] = 'enabled' if body['ssl'] else 'disabled'
        if changes.get('sharding') and not bdb['sharding'] and not bdb['shard_key_regex'] \
                and 'shard_key_regex' not in changes:
            changes['shard_key_regex'] = copy.deepcopy(DEFAULT_RULES)
        if changes.get('oss_cluster', bdb['oss_cluster']) != bdb['oss_cluster'] and 'proxy_policy' not in changes:
            changes['proxy_policy'] = 'all-master-shards' if changes['oss_cluster'] else 'single'
        after = dict(copy.deepcopy(bdb), **changes)
        after['last_changed_time'] = iso(now)
        self._derive(after, cluster.fqdn)
        if dry_run:
            after.pop('action_uid', None)
            return 200, self.answer(after, faults, written=True)
        previous = copy.deepcopy(bdb)
        if body.get('authentication_redis_pass'):
            self.passwords[bdb['uid']] = [body['authentication_redis_pass']]
        bdb.update(after)
        self._start('update', bdb, now, faults, previous)
        return 200, self.answer(bdb, faults, written=True)

    def _unchanged(self, bdb, name, value):
        """Whether a create-only field's value in a PUT leaves it as it is:
        the modules by name, a port of 0 where the cluster chose it."""
        if name == 'module_list':
            return set(item['module_name'].lower() for item in value) == set(
                item['module_name'].lower() for item in bdb['module_list'])
        if name == 'port' and value == 0:
            return bdb['uid'] in self.chosen_ports
        return value == bdb[name]

    def delete(self, cluster, bdb, now):
        if bdb.get('internal'):
            return _error(403, 'internal_bdb', 'The database %s is internal to the cluster and cannot be deleted'
                          % bdb['name'])
        if self.busy(bdb['uid']):
            return _error(409, 'busy', 'The database is busy with another change: try again later')
        deletable = ('active', 'creation-failed') if cluster.faults['delete_creation_failed'] else ('active',)
        if bdb['status'] not in deletable:
            return _error(409, 'bdb_not_active', 'The database is %s: only an active database is deleted'
                          % bdb['status'])
        uid = self._start('delete', bdb, now, cluster.faults)
        return 200, ({'action_uid': uid} if cluster.faults['action_uid_in'] in ('answer', 'both') else {})

    # Seeds --------------------------------------------------------------------

    def seed(self, cluster, entries, now):
        """Databases a test sets: a list of bdb fields (uid of an existing
        one: merged into it) with keys, passwords and certificate
        ({'cert', 'key'}) beside them; or {'count': N, ...fields}, N
        databases named db-0001... as quickly as possible."""
        if isinstance(entries, dict):
            template = dict(entries)
            count = template.pop('count')
            prefix = template.pop('prefix', 'db')
            entries = [dict(template, name='%s-%04d' % (prefix, number)) for number in range(1, count + 1)]
        for entry in entries:
            entry = copy.deepcopy(entry)
            extra = dict((name, entry.pop(name)) for name in ('keys', 'passwords', 'certificate') if name in entry)
            if entry.get('uid') in self.bdbs:
                bdb = self.bdbs[entry['uid']]
                bdb.update(entry)
                self._derive(bdb, cluster.fqdn)
            else:
                uid = entry.get('uid') or max(list(self.bdbs) + [0]) + 1
                port = self._port(entry.get('port'), uid) or entry['port']
                body = dict((key, value) for key, value in entry.items() if key in FIELDS)
                body.setdefault('name', 'db-%d' % uid)
                body.setdefault('memory_size', 100 * 1024 ** 2)
                bdb = self.new(body, uid, port, now, cluster.faults, cluster.fqdn)
                bdb['status'] = 'active'
                bdb.update((key, value) for key, value in entry.items() if key not in FIELDS or key in READ_ONLY)
                self._derive(bdb, cluster.fqdn)
                self.bdbs[uid] = bdb
                if not entry.get('port'):
                    self.chosen_ports.add(uid)
                self.keys[uid], self.passwords[uid] = 0, []
            uid = bdb['uid']
            self.keys[uid] = extra.get('keys', self.keys.get(uid, 0))
            self.passwords[uid] = list(extra.get('passwords', self.passwords.get(uid, [])))
            if extra.get('certificate'):
                self.certificates[uid] = dict(extra['certificate'])

    # Actions ------------------------------------------------------------------

    def action_answer(self, action, version, now, faults):
        """GET /v1/actions/{uid} (version 'v1') or /v2/actions/{uid}."""
        span = action['end'] - action['start']
        progress = 100 if action['done'] else int(min(max(now - action['start'], 0) / span, 1) * 100) if span else 0
        unknown = faults['action_unknown_status']
        if action['done']:
            status = 'failed' if action['error'] else 'completed'
        elif unknown['name'] and now < action['start'] + unknown['seconds']:
            status = unknown['name']
        elif now < action['start'] + span / 4:
            status = 'queued' if version == 'v2' else 'pending'
        else:
            status = 'running' if version == 'v2' else 'active'
        name = STATE_MACHINES[action['kind']]
        if version == 'v1':
            found = {'action_uid': action['uid'], 'task_id': action['uid'], 'name': name, 'node_uid': '1',
                     'object_name': 'bdb:%d' % action['bdb_uid'], 'progress': str(progress), 'status': status}
        else:
            created = int(action['start'])
            found = {'action_uid': action['uid'], 'action_type': 'state-machine', 'name': name,
                     'creation_time': iso(created) if faults['action_creation_time'] == 'iso' else created,
                     'progress': float(progress), 'status': status,
                     'additional_info': {'description': '%s of database %d' % (action['kind'], action['bdb_uid']),
                                         'object_type': 'bdb', 'object_uid': str(action['bdb_uid'])}}
            if status == 'failed':
                found['additional_info']['error'] = action['error']
        if status == 'failed':
            found.update(error_code=action['code'], error_message=action['error'])
        return found

    # Passwords and certificates -------------------------------------------

    def password_call(self, method, uid, body):
        if not isinstance(body, dict) or set(body) != {'password'} or not isinstance(body['password'], str) \
                or not body['password']:
            return _error(406, 'invalid_schema', 'The body is {"password": "..."}, a password that is not empty')
        password = body['password']
        kept = self.passwords.setdefault(uid, [])
        if method == 'PUT':
            kept[:] = [password]
        elif method == 'POST':
            if password in kept:
                return _error(406, 'password_exists', 'The default user has that password already')
            kept.append(password)
        else:
            if password not in kept:
                return _error(406, 'password_not_found', 'The default user has no such password')
            kept.remove(password)
        return 200, None

    def certificate_answer(self, uid, pem=None):
        """The certificate of a database (pem, the one a write gives it) as
        the cluster answers it: never its key."""
        pem = pem or self.certificates[uid]['cert']
        certificate = x509.load_pem_x509_certificate(pem.encode())
        return {'bdb_uid': str(uid), 'cert': pem,
                'not_before': iso(certificate.not_valid_before_utc.timestamp()),
                'not_after': iso(certificate.not_valid_after_utc.timestamp())}

    def certificate_call(self, method, uid, body, dry_run, now):
        if method == 'GET' or method == 'DELETE':
            if uid not in self.certificates:
                return _error(404, 'certificate_not_found', 'The database has no proxy certificate of its own')
            if method == 'GET':
                return 200, self.certificate_answer(uid)
            del self.certificates[uid]
            return 200, None
        if not isinstance(body, dict) or set(body) != {'cert', 'private_key'} or not all(
                isinstance(value, str) for value in body.values()):
            return _error(400, 'invalid_schema', 'The body is {"cert": PEM, "private_key": PEM}')
        try:
            certificate = x509.load_pem_x509_certificates(body['cert'].encode())[0]
            key = serialization.load_pem_private_key(body['private_key'].encode(), password=None)
        except (ValueError, TypeError):
            return _error(400, 'invalid_certificate', 'The certificate or the private key cannot be read as PEM')
        der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        if key.public_key().public_bytes(*der) != certificate.public_key().public_bytes(*der):
            return _error(400, 'invalid_certificate', 'The private key does not match the certificate')
        if certificate.not_valid_after_utc.timestamp() <= now:
            return _error(406, 'certificate_expired', 'The certificate has expired')
        if not dry_run:
            self.certificates[uid] = {'cert': body['cert'], 'key': body['private_key']}
        return 200, self.certificate_answer(uid, body['cert'])

    def certificates_list(self, query):
        """GET /v1/bdbs/certificates: page (from 1), page_size,
        expires_before (ISO 8601 or Unix seconds), tls_mode."""
        values = dict((name, found[-1]) for name, found in query.items() if found)
        try:
            page = int(values.get('page', 1))
            size = int(values['page_size']) if 'page_size' in values else None
        except ValueError:
            return _invalid('page and page_size must be integers')
        if page < 1 or (size is not None and size < 1):
            return _invalid('page and page_size must be 1 or more')
        before = None
        if 'expires_before' in values:
            text = values['expires_before']
            try:
                before = float(text) if text.isdigit() else datetime.datetime.fromisoformat(
                    text.replace('Z', '+00:00')).timestamp()
            except ValueError:
                return _invalid('expires_before must be an ISO 8601 time or Unix seconds, not %r' % text)
        mode = values.get('tls_mode')
        if mode is not None and mode not in FIELDS['tls_mode']:
            return _invalid('tls_mode must be one of %s' % ', '.join(FIELDS['tls_mode']))
        found = []
        for uid in sorted(self.certificates):
            if uid not in self.bdbs or (mode is not None and self.bdbs[uid]['tls_mode'] != mode):
                continue
            answer = self.certificate_answer(uid)
            expires = datetime.datetime.strptime(answer['not_after'], '%Y-%m-%dT%H:%M:%SZ').replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if before is None or expires < before:
                found.append(answer)
        if size is not None:
            found = found[(page - 1) * size:page * size]
        return 200, found


def _masked(location):
    if not location:
        return location
    found = dict(location)
    for name in BACKUP_SECRETS:
        if found.get(name):
            found[name] = MASK
    for name in ('url', 'sftp_url'):
        if isinstance(found.get(name), str):
            found[name] = URL_CREDENTIALS.sub(lambda match: match.group(1) + MASK + '@', found[name])
    return found


def license_problem(facts, now):
    """Why a create or change is refused 403 for the license, or None;
    facts: the installed license's, None without one."""
    if facts is None:
        return _error(403, 'license_missing', 'The cluster has no valid license: install one (PUT /v1/license)')
    expires = datetime.datetime.strptime(facts['expiration_date'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if expires <= now:
        return _error(403, 'license_expired', 'The cluster license expired on %s: install a valid one'
                      % facts['expiration_date'])
    return None


def _uid_of(path, position):
    part = path.split('/')[position]
    return int(part) if part.isdigit() else None


def handle(cluster, route, path, body, query, dry_run, license_facts):
    """A call of ROUTES, its permission checked, the cluster's lock held.
    license_facts: the installed license's facts, or None."""
    databases, faults = cluster.databases, cluster.faults
    now = cluster.clock.time()
    databases.advance(now, faults)
    method, template = route
    if template in (ACTION_V1_PATH, ACTION_V2_PATH):
        version = template[1:3]
        action = databases.actions.get(path.rsplit('/', 1)[1])
        if version not in faults['action_versions']:
            return _error(404, 'not_found', 'Not found')
        if action is None:
            return _error(404, 'action_not_found', 'No action %s: it is neither running nor remembered'
                          % path.rsplit('/', 1)[1])
        return 200, databases.action_answer(action, version, now, faults)
    if template == BDB_CERTIFICATES_PATH:
        return databases.certificates_list(query or {})
    fields = None
    if method == 'GET' and (query or {}).get('fields'):
        fields = set(name.strip() for name in query['fields'][-1].split(',') if name.strip())
    if template == BDBS_PATH:
        if method == 'GET':
            return 200, [databases.answer(databases.bdbs[uid], faults, fields) for uid in sorted(databases.bdbs)]
        refused = license_problem(license_facts, now)
        return refused or databases.create(cluster, body, dry_run, now)
    uid = _uid_of(path, 3)
    bdb = databases.bdbs.get(uid)
    if bdb is None:
        return _error(404, 'bdb_not_found', 'No database with uid %s' % path.split('/')[3])
    if template == PASSWORDS_PATH:
        return databases.password_call(method, uid, body)
    if template == BDB_CERTIFICATE_PATH:
        return databases.certificate_call(method, uid, body, dry_run, now)
    if method == 'GET':
        return 200, databases.answer(bdb, faults, fields)
    if method == 'PUT':
        refused = license_problem(license_facts, now)
        return refused or databases.change(cluster, bdb, body, dry_run, now)
    return databases.delete(cluster, bdb, now)


def update(cluster, changes):
    """cluster.update's part: clock ({'speed', 'advance', 'offset'}) and
    bdbs (Databases.seed). The cluster's lock is held."""
    if 'clock' in changes:
        cluster.clock.set(**changes['clock'])
    if 'bdbs' in changes:
        now = cluster.clock.time()
        cluster.databases.advance(now, cluster.faults)
        cluster.databases.seed(cluster, changes['bdbs'], now)


def snapshot(cluster):
    """cluster.snapshot's part: the clock, the databases as kept (secrets
    included: this is no API answer), their keys, passwords and
    certificates, and the actions."""
    databases = cluster.databases
    databases.advance(cluster.clock.time(), cluster.faults)
    return {'clock': cluster.clock.state(),
            'bdbs': [dict(copy.deepcopy(databases.bdbs[uid]), keys=databases.keys.get(uid, 0),
                          passwords=list(databases.passwords.get(uid, [])),
                          certificate=copy.deepcopy(databases.certificates.get(uid)))
                     for uid in sorted(databases.bdbs)],
            'actions': [dict((key, value) for key, value in action.items() if key != 'previous')
                        for action in databases.actions.values()]}


def off_contract(faults, path):
    """Whether the database switches make an answer break the declaration
    on purpose: numbers as strings, null for the empty lists."""
    return path.startswith(BDBS_PATH) and (faults['bdb_numbers_as_strings'] or faults['bdb_lists'] == 'null')

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's databases (bdbs) on the engine: redis.enterprise.database
enforces one, found by its name; redis.enterprise.database_info reads them;
the event source watches them.

A database is the one object where a wrong write loses data, so the rules
come before the write, in check mode too: a field that only a create sets
(type, port, modules, redis_version) and that differs is refused, naming the
way there (a new database, an upgrade); fewer shards, sharding turned off, a
shard count that is not a multiple, and a change of the hashing policy
(which needs a flush) are refused; nothing is ever deleted to be created
again, nor flushed; state=absent removes by name only, never an
Active-Active database, and sends no DELETE in check mode.

Only what the task gives is compared: what the cluster fills in (the port it
chose, the modules Redis 8 bundles, aof_policy and backup_interval while
their feature is off, empty lists for null, numbers as text) never makes a
change. A change is one PUT of the fields that differ, a create one POST;
check mode sends them with ?dry_run. After a write the task waits for the
cluster (_wait.py): the action, then the database's status, then reads it
back.

Secrets are dropped where a database is read: authentication_admin_pass,
authentication_redis_pass and the backup location's credentials, whether or
not the cluster masks them. The default user's password goes only to
/v1/bdbs/{uid}/passwords."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible.module_utils.common.text.formatters import human_to_bytes

from . import _contract, _wait
from ._api import RedisEnterpriseError
from ._engine import Plan, Resource, Spec
from ._fields import Field, Unreadable, as_given
from ._resources import SECRET_SENT

PATH = '/v1/bdbs'
# What finding a database by its name reads of every database.
KEYS = dict(fields='uid,name')
ROLES_PATH = '/v1/roles'
REDIS_ACLS_PATH = '/v1/redis_acls'
NAME = re.compile(_contract.BDB_NAME_PATTERN)
# What a database's read leaves out: its secrets, answered in clear unless
# the cluster masks credentials.
SECRETS = ('authentication_admin_pass', 'authentication_redis_pass', 'authentication_sasl_pass')
# A backup location's credentials, by their names (objects/bdb/backup_location).
CREDENTIAL = re.compile(r'(secret|password|passwd|passphrase|token|credential|(^|_)key($|_))', re.I)
URL_USERINFO = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]*@')
# The sources a database syncs from (objects/bdb/syncer_sources: Replica Of,
# and its deprecated name; an Active-Active database's peers): each a URI
# that may carry the source's password, and a TLS client_key.
SOURCES = ('replica_sources', 'sync_sources', 'crdt_sources')
# The statuses a database is at work in; creation-failed has no next.
BUSY_STATUSES = ('pending', 'active-change-pending', 'delete-pending', 'import-pending', 'recovery')
FAILED_STATUS = 'creation-failed'
UNITS = 'B, KB, MB, GB or TB (powers of 1024)'
# What the diff shows for a secret the run sends.
SENT = SECRET_SENT


def drop_secrets(bdb):
    """A database as read, without its secrets: the passwords' fields, and
    the credentials of its backup location and of the sources it syncs
    from, a URL's user and password among them."""
    found = dict((key, value) for key, value in bdb.items() if key not in SECRETS)
    location = found.get('backup_location')
    if isinstance(location, dict):
        found['backup_location'] = location_shown(location)
    for key in SOURCES:
        if isinstance(found.get(key), list):
            found[key] = [location_shown(item) if isinstance(item, dict) else item for item in found[key]]
    return found


def location_shown(location):
    """A backup location without its credentials."""
    shown = {}
    for key, value in location.items():
        if CREDENTIAL.search(str(key)):
            continue
        if isinstance(value, str):
            value = URL_USERINFO.sub(lambda match: match.group(1) + '********@', value)
        shown[key] = value
    return shown


def endpoints(bdb):
    """The database's endpoints as dns_name:port."""
    found = []
    for endpoint in bdb.get('endpoints') or ():
        if isinstance(endpoint, dict) and endpoint.get('dns_name') and endpoint.get('port') is not None:
            found.append('%s:%s' % (endpoint['dns_name'], endpoint['port']))
    return found


def ports(bdb):
    """The ports a database answers on: its port, or when the cluster chose
    it (answered as 0) its endpoints'."""
    port = Field('port', 'int').typed(bdb.get('port'))
    found = set([port]) if isinstance(port, int) and port else set()
    for endpoint in bdb.get('endpoints') or ():
        value = Field('port', 'int').typed(endpoint.get('port')) if isinstance(endpoint, dict) else None
        if isinstance(value, int):
            found.add(value)
    return found


def module_names(bdb):
    return set(str(item.get('module_name', '')).casefold() for item in bdb.get('module_list') or ()
               if isinstance(item, dict))


def read_all(api, fields=None):
    """Every database of the cluster, its secrets dropped, in one GET."""
    return [drop_secrets(bdb) for bdb in api.get(PATH, query=dict(fields=','.join(fields)) if fields else None)]


def described(bdb, names=None):
    """A database as the info module and the task's result give it: as the
    cluster holds it (no secret), with its endpoints as dns_name:port, and
    its roles_permissions by name when names (roles, Redis ACLs by uid)."""
    found = drop_secrets(bdb)
    found['endpoint_addresses'] = endpoints(bdb)
    if names is not None:
        found['roles_permissions_by_name'] = [
            dict(role=names[0].get(_uid(item.get('role_uid')), item.get('role_uid')),
                 redis_acl=names[1].get(_uid(item.get('redis_acl_uid')), item.get('redis_acl_uid')))
            for item in bdb.get('roles_permissions') or () if isinstance(item, dict)]
    return found


def _uid(value):
    return as_given(Field('uid', 'int').typed(value))


def lookup_names(api):
    """(role uid -> name, Redis ACL uid -> name): two GETs."""
    return tuple(dict((_uid(item.get('uid')), item.get('name')) for item in api.get(path))
                 for path in (ROLES_PATH, REDIS_ACLS_PATH))


class Option(object):
    """One option of the module and the bdb field it sets.

    option(): its argument spec; check(value): what is wrong with a given
    value (before any request), or None; sent(value, names): the value the
    API takes; have(bdb, names) and want(value, names): the two forms that
    compare; shown(compared): the diff's. create_only: set at create only."""

    def __init__(self, name, api=None, spec=None, create_only=False):
        self.name = name
        self.api = api or name
        self.spec = spec or dict(type='str')
        self.create_only = create_only

    def option(self):
        return copy.deepcopy(self.spec)

    def check(self, value):
        return None

    def sent(self, value, names):
        return value

    def have(self, bdb, names):
        value = bdb.get(self.api)
        return None if value is None else self.typed(value)

    def typed(self, value):
        return value

    def want(self, value, names):
        return self.typed(self.sent(value, names))

    def same(self, have, want):
        return have == want

    def shown(self, value):
        return as_given(value)


class Scalar(Option):
    """A bool, an int (low to high) or a str (one of choices), typed as the
    engine types every field (numbers answered as text are numbers)."""

    def __init__(self, name, kind, low=None, high=None, choices=None, create_only=False, api=None):
        spec = dict(type=kind)
        if choices:
            spec['choices'] = list(choices)
        super(Scalar, self).__init__(name, api=api, spec=spec, create_only=create_only)
        self.field = Field(name, kind, low=low, high=high, choices=choices)

    def check(self, value):
        return self.field.range_error(value)

    def typed(self, value):
        return self.field.typed(value)


class Switch(Option):
    """A bool option for a field the API gives as enabled or disabled."""

    def __init__(self, name):
        super(Switch, self).__init__(name, spec=dict(type='bool'))

    def sent(self, value, names):
        return 'enabled' if value else 'disabled'

    def typed(self, value):
        return Field(self.name, 'bool').typed(value)

    def want(self, value, names):
        return bool(value)


class MemorySize(Option):
    """Bytes, or a number with a unit (100MB, 1GB), as powers of 1024."""

    def __init__(self):
        super(MemorySize, self).__init__('memory_size', spec=dict(type='raw'))

    @staticmethod
    def parse(value):
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int):
            return value
        return human_to_bytes(str(value).strip())

    def check(self, value):
        try:
            size = self.parse(value)
        except (ValueError, TypeError):
            size = -1
        if size < 0:
            return ('memory_size must be a number of bytes, or a number with a unit %s like 100MB or 1GB; got %r.'
                    % (UNITS, value))
        return None

    def sent(self, value, names):
        return self.parse(value)

    def typed(self, value):
        return Field('memory_size', 'int').typed(value)


class RedisVersion(Option):
    """major.minor: a cluster that answers major.minor.patch runs it."""

    def __init__(self):
        super(RedisVersion, self).__init__('redis_version', create_only=True)

    def check(self, value):
        if value is not None and not re.match(r'^[0-9]+\.[0-9]+$', value):
            return ('redis_version must be a major.minor version, like 7.4 (the cluster refuses a patch version '
                    'such as 7.4.2); got %r.' % value)
        return None

    def same(self, have, want):
        return isinstance(have, str) and (have == want or have.startswith(want + '.'))


class Port(Scalar):
    """The port, create-only; the one the cluster chose is answered as 0."""

    def __init__(self):
        super(Port, self).__init__('port', 'int', 1, 65535, create_only=True)

    def have(self, bdb, names):
        return ports(bdb) or None

    def same(self, have, want):
        return bool(have) and want in have

    def shown(self, value):
        return sorted(value)[0] if isinstance(value, set) and value else as_given(value)


class Modules(Option):
    """The modules by name, create-only; Redis 8 adds its bundled modules
    to every database, so the cluster having more is no difference."""

    def __init__(self):
        super(Modules, self).__init__('modules', api='module_list', spec=dict(type='list', elements='str'),
                                      create_only=True)

    def sent(self, value, names):
        return [dict(module_name=name) for name in value]

    def have(self, bdb, names):
        return sorted(str(item.get('module_name')) for item in bdb.get('module_list') or () if isinstance(item, dict))

    def want(self, value, names):
        return sorted(value)

    def same(self, have, want):
        return set(name.casefold() for name in want) <= set(name.casefold() for name in have or ())


class Texts(Option):
    """A list of strings sent as objects of one key ([{regex}]), in order."""

    def __init__(self, name, key):
        # No secret, though shard_key_regex says key: without no_log=False ansible-core warns of it.
        super(Texts, self).__init__(name, spec=dict(type='list', elements='str', no_log=False))
        self.key = key

    def sent(self, value, names):
        return [{self.key: text} for text in value]

    def have(self, bdb, names):
        return [str(item.get(self.key)) for item in bdb.get(self.api) or () if isinstance(item, dict)]

    def want(self, value, names):
        return list(value)


class SnapshotPolicy(Option):
    """[{secs, writes}], compared as a set."""

    def __init__(self):
        super(SnapshotPolicy, self).__init__('snapshot_policy', spec=dict(
            type='list', elements='dict', options=dict(secs=dict(type='int', required=True),
                                                       writes=dict(type='int', required=True))))

    def sent(self, value, names):
        return [dict(secs=item['secs'], writes=item['writes']) for item in value]

    def have(self, bdb, names):
        number = Field('n', 'int')
        found = set()
        for item in bdb.get('snapshot_policy') or ():
            if isinstance(item, dict):
                found.add((as_given(number.typed(item.get('secs'))), as_given(number.typed(item.get('writes')))))
        return found

    def want(self, value, names):
        return set((item['secs'], item['writes']) for item in value)

    def shown(self, value):
        return [dict(secs=secs, writes=writes) for secs, writes in sorted(value, key=str)]


class Tags(Option):
    """A mapping, sent as [{key, value}]."""

    def __init__(self):
        super(Tags, self).__init__('tags', spec=dict(type='dict'))

    def check(self, value):
        if value is not None and not all(isinstance(item, str) or isinstance(item, (int, float)) and
                                         not isinstance(item, bool) for item in value.values()):
            return 'tags must be a mapping of keys to text values; got %r.' % value
        return None

    def sent(self, value, names):
        return [dict(key=str(key), value=str(text)) for key, text in sorted(value.items())]

    def have(self, bdb, names):
        return dict((str(item.get('key')), str(item.get('value'))) for item in bdb.get('tags') or ()
                    if isinstance(item, dict))

    def want(self, value, names):
        return dict((str(key), str(text)) for key, text in value.items())


class ClientCertificates(Option):
    """PEM texts, sent as [{client_cert}], compared as a set by SHA-256
    fingerprint."""

    def __init__(self):
        super(ClientCertificates, self).__init__('client_certificates', api='authentication_ssl_client_certs',
                                                 spec=dict(type='list', elements='str'))

    def check(self, value):
        from . import _x509  # pylint: disable=import-outside-toplevel
        for index, pem in enumerate(value or ()):
            try:
                _x509.load_certificates(pem, 'client_certificates[%d]' % index)
            except ValueError as error:
                return '%s.' % error
        return None

    @staticmethod
    def _print(pem):
        from . import _x509  # pylint: disable=import-outside-toplevel
        try:
            return _x509.fingerprint(_x509.load_certificates(pem, 'a client certificate')[0][0])
        except (ValueError, TypeError):
            return 'unreadable: %s' % (pem[:40] if isinstance(pem, str) else type(pem).__name__)

    def sent(self, value, names):
        from . import _x509  # pylint: disable=import-outside-toplevel
        return [dict(client_cert=_x509.load_certificates(pem, 'a client certificate')[1]) for pem in value]

    def have(self, bdb, names):
        return set(self._print(item.get('client_cert')) for item in bdb.get(self.api) or () if isinstance(item, dict))

    def want(self, value, names):
        return set(self._print(pem) for pem in value)

    def shown(self, value):
        return sorted(value)


class RolesPermissions(Option):
    """[{role, redis_acl}] by names, sent as [{role_uid, redis_acl_uid}],
    compared as a set; the names are resolved once per task."""

    def __init__(self):
        super(RolesPermissions, self).__init__('roles_permissions', spec=dict(
            type='list', elements='dict', options=dict(role=dict(type='str', required=True),
                                                       redis_acl=dict(type='str', required=True))))

    def sent(self, value, names):
        roles, acls = [dict((name, uid) for uid, name in table.items()) for table in names]
        return [dict(role_uid=roles[item['role']], redis_acl_uid=acls[item['redis_acl']]) for item in value]

    def have(self, bdb, names):
        return set((names[0].get(_uid(item.get('role_uid')), _uid(item.get('role_uid'))),
                    names[1].get(_uid(item.get('redis_acl_uid')), _uid(item.get('redis_acl_uid'))))
                   for item in bdb.get(self.api) or () if isinstance(item, dict))

    def want(self, value, names):
        return set((item['role'], item['redis_acl']) for item in value)

    def shown(self, value):
        return [dict(role=role, redis_acl=acl) for role, acl in sorted(value, key=str)]


class BackupLocation(Option):
    """The backup location without its credentials, which backup_credentials
    give (no_log); compared on the keys the task gives."""

    def __init__(self):
        super(BackupLocation, self).__init__('backup_location', spec=dict(type='dict'))

    def check(self, value):
        found = sorted(key for key in value or () if CREDENTIAL.search(str(key)))
        if found:
            return ('backup_location holds %s, a credential: give it in backup_credentials, which is never shown, '
                    'and the rest of the location in backup_location.' % ', '.join(found))
        return None

    def have(self, bdb, names):
        location = bdb.get(self.api)
        return location_shown(location) if isinstance(location, dict) else None

    def same(self, have, want):
        return isinstance(have, dict) and all(_loose(have.get(key), value) for key, value in want.items())


def _loose(have, want):
    """Whether a value the cluster answered is the one given: equal, or the
    same number or word as text ("3600" and 3600, "true" and true)."""
    if have == want:
        return True
    if isinstance(have, (dict, list)) or isinstance(want, (dict, list)) or have is None or want is None:
        return False
    if isinstance(want, bool) or isinstance(have, bool):
        return str(have).strip().lower() == str(want).strip().lower()
    return str(have).strip() == str(want).strip()


OPTIONS = (
    MemorySize(),
    Scalar('type', 'str', choices=('redis', 'memcached'), create_only=True),
    Port(),
    Modules(),
    RedisVersion(),
    Scalar('replication', 'bool'),
    Scalar('sharding', 'bool'),
    Scalar('shards_count', 'int', 1, 512),
    Texts('shard_key_regex', 'regex'),
    Scalar('shards_placement', 'str', choices=('dense', 'sparse')),
    Scalar('oss_cluster', 'bool'),
    Scalar('proxy_policy', 'str', choices=('single', 'all-master-shards', 'all-nodes')),
    Scalar('data_persistence', 'str', choices=('disabled', 'snapshot', 'aof')),
    Scalar('aof_policy', 'str', choices=('appendfsync-every-sec', 'appendfsync-always')),
    SnapshotPolicy(),
    Scalar('eviction_policy', 'str', choices=('noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random',
                                              'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl')),
    Scalar('tls_mode', 'str', choices=('disabled', 'enabled', 'replica_ssl')),
    Switch('enforce_client_authentication'),
    ClientCertificates(),
    RolesPermissions(),
    Tags(),
    Scalar('backup', 'bool'),
    Scalar('backup_interval', 'int', 1, 86400 * 366),
    BackupLocation(),
    Scalar('max_connections', 'int', 0, 2 ** 31 - 1),
    Scalar('default_user', 'bool'),
    Scalar('resp3', 'bool'),
)
BY_NAME = dict((option.name, option) for option in OPTIONS)
# The fields that extra may not set: those of the options, the key, what the
# cluster answers and never takes, and its secrets.
MANAGED = set(option.api for option in OPTIONS) | set(['name', 'uid', 'ssl'])
READ_ONLY = ('status', 'action_uid', 'endpoints', 'version', 'shard_list', 'crdt', 'crdt_guid', 'internal',
             'created_time', 'last_changed_time')
# A change of these re-hashes every key: the database must be flushed first.
HASHING = ('shard_key_regex', 'hash_slots_policy', 'oss_sharding')

MESSAGES = dict(
    port_unavailable='The port the task gives is taken (by another database or the cluster itself). Give another '
                     'port, or none for the cluster to choose one.',
    insufficient_resources='The cluster has not the memory (or the shards) for this database: give a smaller '
                           'memory_size or fewer shards, or add nodes to the cluster.',
    invalid_version='The cluster does not run this redis_version: give a major.minor version it has (GET '
                    '/v1/cluster answers them as redis_versions on most releases), like 7.4, not a patch version.',
    memcached_cannot_use_modules='A memcached database takes no modules: drop modules, or create a Redis '
                                 'database.',
    missing_module='The cluster does not have a module the task names: check the names (search, ReJSON, '
                   'timeseries, bf) and the modules installed on the cluster.',
    invalid_sharding='The cluster refused the sharding: a database grows by a multiple of its shard count, and '
                     'sharding is not turned off once on.',
    license_expired="The cluster's license has expired: it creates and changes no database until a valid license "
                    'is installed (redis.enterprise.license).',
    license_missing='The cluster has no license: it creates and changes no database until one is installed '
                    '(redis.enterprise.license).',
    busy='The database is busy with another change, and stayed so until wait_timeout: run the task again once that '
         'change is done, or raise wait_timeout.',
    flush_required='The change needs the database flushed, which loses its data: the module never flushes.',
)

ABSENT_OPTIONS = ('state=absent removes the database by its name and takes no other option of the database; got '
                  '%s. Nothing was sent to the cluster. Drop them, or use state=present.')


class Database(Resource):
    """One database, found by its name."""

    spec = None

    def __init__(self):
        options = dict((option.name, option.option()) for option in OPTIONS)
        options.update(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            default_user_password=dict(type='str', no_log=True),
            backup_credentials=dict(type='dict', no_log=True),
            # Not a secret, though its name says password.
            update_password=dict(type='str', default='on_create', choices=['on_create', 'always'], no_log=False),
            extra=dict(type='dict'),
        )
        options.update(copy.deepcopy(_wait.OPTIONS))
        hints = [("'%s'" % option.name, '%s must be %s.' % (option.name, option.field.hint()))
                 for option in OPTIONS if isinstance(option, Scalar)]
        self.spec = Spec(options, hints=hints)

    # Before any request -----------------------------------------------------

    def desired(self, params):
        name = params['name']
        if not NAME.fullmatch(name or ''):
            raise RedisEnterpriseError(
                'name must be letters, digits and hyphens, starting and ending with a letter or digit, at most 63 '
                'characters; got %r.' % name)
        given = [option.name for option in OPTIONS if params.get(option.name) is not None]
        given += [key for key in ('default_user_password', 'backup_credentials', 'extra') if params.get(key)]
        if params['state'] == 'absent':
            if given:
                raise RedisEnterpriseError(ABSENT_OPTIONS % ', '.join(given))
            return {}
        errors = [option.check(params[option.name]) for option in OPTIONS if params.get(option.name) is not None]
        errors += self._extra_problems(params.get('extra') or {})
        if params.get('backup_credentials') and params.get('backup_location') is None:
            errors.append('backup_credentials go with backup_location: give both.')
        timeout = params['wait_timeout']
        if not 1 <= timeout <= _wait.MAX_WAIT:
            errors.append('wait_timeout must be an integer of seconds from 1 to %d; got %d.'
                          % (_wait.MAX_WAIT, timeout))
        errors = [error for error in errors if error]
        if errors:
            raise RedisEnterpriseError(' '.join(errors) + ' Nothing was sent to the cluster.')
        return dict((option.name, params[option.name]) for option in OPTIONS if params.get(option.name) is not None)

    @staticmethod
    def _extra_problems(extra):
        problems = []
        managed = sorted(key for key in extra if key in MANAGED)
        if managed:
            options = ', '.join(next((option.name for option in OPTIONS if option.api == key), key) for key in managed)
            problems.append('extra sets %s, which the module manages: give %s as the option%s of the same name.'
                            % (', '.join(managed), options, 's' if len(managed) > 1 else ''))
        read_only = sorted(key for key in extra if key in READ_ONLY)
        if read_only:
            problems.append('extra sets %s, which the cluster answers and never takes.' % ', '.join(read_only))
        secret = sorted(key for key in extra if key in SECRETS or CREDENTIAL.search(str(key)) or 'pass' in str(key))
        if secret:
            problems.append('extra sets %s, a secret: extra is shown in the diff and the result; give the default '
                            "user's password as default_user_password, and a backup location's credentials as "
                            'backup_credentials.' % ', '.join(secret))
        return problems

    # The read ---------------------------------------------------------------

    def read(self, api, task):
        name = task.params['name']
        found = [bdb for bdb in api.get(PATH, query=KEYS) if bdb.get('name') == name]
        if len(found) > 1:
            raise RedisEnterpriseError(
                'The cluster has %d databases named %s (uids %s): the task cannot tell which one it manages. '
                'Nothing was written. Give all but one another name, in the Cluster Manager or with rladmin.'
                % (len(found), name, ', '.join(str(bdb.get('uid')) for bdb in found)))
        current = drop_secrets(api.get('%s/%s' % (PATH, found[0]['uid']))) if found else None
        names = None
        if task.params.get('roles_permissions') is not None:
            names = lookup_names(api)
        return dict(bdb=current, names=names)

    # The plan ---------------------------------------------------------------

    def plan(self, task, state, want):
        params = task.params
        current, names = state['bdb'], state['names']
        if params['state'] == 'absent':
            if current is None:
                return Plan({}, {}, changed=False)
            if current.get('crdt') or current.get('crdt_guid'):
                raise RedisEnterpriseError(
                    'Not removing the database %s (uid %s): it is an Active-Active database, which belongs to the '
                    'CRDB API (crdb-cli crdb delete), not to /v1/bdbs. Nothing was written.'
                    % (current['name'], current['uid']))
            return Plan(self.shown(current, names, want=None), {}, method='DELETE',
                        path='%s/%s' % (PATH, current['uid']), want=want)
        if names is not None:
            self._resolve(task, want, names)
        if current is None:
            return self._create(task, want, names)
        if current.get('status') == FAILED_STATUS:
            raise RedisEnterpriseError(
                'The database %s (uid %s) is %s: its create failed, and it holds nothing. It is not changed, and '
                'every run says so until it is removed (state: absent) and created again.%s'
                % (current['name'], current['uid'], FAILED_STATUS, _last_action(current)))
        return self._change(task, want, current, names)

    def _resolve(self, task, want, names):
        """Every role and Redis ACL roles_permissions names is on the
        cluster; in check mode a name missing is a warning (an earlier task
        of the run may create it) and no dry run is asked."""
        missing = []
        for item in want.get('roles_permissions') or ():
            for key, table, what in (('role', names[0], 'role'), ('redis_acl', names[1], 'Redis ACL')):
                if item[key] not in table.values():
                    missing.append('%s "%s"' % (what, item[key]))
        if not missing:
            return
        said = ('The cluster has no %s, which roles_permissions names. Nothing was written. Create it first '
                '(redis.enterprise.role, redis.enterprise.redis_acl), or correct the name.' % ', '.join(missing))
        if not task.check_mode:
            raise RedisEnterpriseError(said)
        task.warn('%s In check mode this is no failure: an earlier task of this run may create it; the cluster was '
                  'not asked for a dry run of this write.' % said)
        want['_unresolved'] = True

    def shown(self, bdb, names, want, extra=None):
        """The managed fields of bdb, as the diff shows them: the ones the
        task gives (all of them for a removal, want None), by option name,
        and the extra fields the task gives, by their API names."""
        found = {'name': bdb.get('name')}
        if extra:
            found['extra'] = dict((key, bdb.get(key)) for key in extra)
        for option in OPTIONS:
            if want is not None and option.name not in want:
                continue
            if option.name == 'roles_permissions' and names is None:
                continue
            have = option.have(bdb, names)
            if have is not None:
                found[option.name] = option.shown(have)
        return found

    def _create(self, task, want, names):
        params = task.params
        if 'memory_size' not in want:
            raise RedisEnterpriseError('memory_size is required to create the database %s (its size in bytes, or '
                                       'with a unit: 100MB, 1GB). Nothing was written.' % params['name'])
        if want.get('type') == 'memcached' and want.get('modules'):
            raise RedisEnterpriseError('A memcached database takes no modules: drop modules, or give type: redis. '
                                       'Nothing was written.')
        unresolved = want.pop('_unresolved', False)
        body = dict(name=params['name'])
        after = {'name': params['name']}
        for option in OPTIONS:
            if option.name in want:
                body[option.api] = (option.sent(want[option.name], names) if not unresolved
                                    or option.name != 'roles_permissions' else [])
                after[option.name] = option.shown(option.want(want[option.name], names) if not unresolved or
                                                  option.name != 'roles_permissions' else
                                                  set((i['role'], i['redis_acl']) for i in want[option.name]))
        if params.get('extra'):
            body.update(params['extra'])
            after['extra'] = dict(params['extra'])
        self._credentials(params, body)
        secrets = []
        if params.get('default_user_password') is not None:
            secrets.append('default_user_password')
            after['default_user_password'] = SENT
        plan = Plan({}, after, body=body, method='POST', path=PATH, secrets=secrets, want=want)
        plan.related = dict(unresolved=unresolved)
        return plan

    @staticmethod
    def _credentials(params, body):
        if params.get('backup_credentials') and 'backup_location' in body:
            body['backup_location'] = dict(body['backup_location'], **params['backup_credentials'])

    def _change(self, task, want, current, names):
        params = task.params
        unresolved = want.pop('_unresolved', False)
        before = self.shown(current, names, want)
        after = dict(before)
        body, refused = {}, []
        for option in OPTIONS:
            if option.name not in want:
                continue
            given = want[option.name]
            have = option.have(current, names)
            wanted = (option.want(given, names) if not (unresolved and option.name == 'roles_permissions')
                      else set((i['role'], i['redis_acl']) for i in given))
            if have is not None and not isinstance(have, Unreadable) and option.same(have, wanted):
                continue
            if option.create_only:
                refused.append(_create_only(option, current, have, given))
                continue
            body[option.api] = option.sent(given, names) if not unresolved or option.name != 'roles_permissions' \
                else []
            after[option.name] = option.shown(wanted)
        if params.get('extra'):
            before['extra'] = dict((key, current.get(key)) for key in params['extra'])
            after['extra'] = dict(params['extra'])
        for key, value in sorted((params.get('extra') or {}).items()):
            if not _loose(current.get(key), value):
                body[key] = value
        refused.extend(_data_safety(current, body))
        if refused:
            raise RedisEnterpriseError(' '.join(refused) + ' Nothing was written.')
        if 'backup_location' in body or (params.get('backup_credentials') and params['update_password'] == 'always'):
            body['backup_location'] = dict(params['backup_location'], **(params.get('backup_credentials') or {}))
            after.setdefault('backup_location', before.get('backup_location'))
        secrets = []
        if params.get('default_user_password') is not None and params['update_password'] == 'always':
            secrets.append('default_user_password')
            after['default_user_password'] = SENT
        if params.get('backup_credentials') and params['update_password'] == 'always':
            after['backup_credentials'] = SENT
        plan = Plan(before, after, body=body, method='PUT', path='%s/%s' % (PATH, current['uid']),
                    changed=bool(body) or bool(secrets), secrets=secrets, want=want)
        plan.related = dict(unresolved=unresolved)
        return plan

    # Check mode, the write, the wait ----------------------------------------

    def prepare(self, api, task, state, plan):
        if not task.check_mode:
            return {}
        if plan.method == 'DELETE':
            task.warn('Check mode sends no DELETE: the API gives removing a database no dry run. The database %s '
                      '(uid %s) would be removed, with its data.' % (task.params['name'], state['bdb']['uid']))
            return {}
        if plan.body and not (plan.related or {}).get('unresolved') and (plan.method == 'POST' or len(plan.body)):
            waiter = _wait.Waiter(task.params['wait_timeout'])
            waiter.retrying_busy(lambda: api.call(plan.method, plan.path, body=plan.body, dry_run=True),
                                 busy_for(plan.method))
        return {}

    def write(self, api, task, state, plan):
        params = task.params
        waiter = _wait.Waiter(params['wait_timeout'])
        answer = None
        created = plan.method == 'POST'
        if plan.body or plan.method == 'DELETE':
            try:
                answer = waiter.retrying_busy(lambda: api.call(plan.method, plan.path, body=plan.body,
                                                               empty_ok=plan.method == 'DELETE'),
                                              busy_for(plan.method))
            except RedisEnterpriseError as error:
                if plan.method == 'DELETE' and error.http_status == 404:
                    answer = {}
                elif created and error.http_status is None and error.sent:
                    answer = self._lost(api, task, error)
                else:
                    if error.http_status is None and error.sent:
                        error.keys = dict(error.keys, changed=True)
                    raise
        uid = (answer or {}).get('uid') if created else state['bdb']['uid']
        result = dict(waited=0.0)
        if answer is None:
            # Only the default user's password to send: the database itself does not change.
            self._password(api, task, waiter, uid)
            bdb = drop_secrets(api.get('%s/%s' % (PATH, uid)))
            plan.after = dict(self.shown(bdb, state['names'], plan.want, params.get('extra')),
                              default_user_password=SENT)
            return dict(state, bdb=bdb, outcome=result, written=True)
        if plan.method == 'DELETE':
            outcome = self._wait_gone(api, task, waiter, uid, answer or {}) if params['wait'] else None
            state = dict(state, bdb=None, outcome=outcome, written=True)
            return state
        if params['wait']:
            bdb, action = self._wait_active(api, task, waiter, uid, answer or {}, created)
            result.update(waited=waiter.waited(), action=action)
        else:
            bdb = drop_secrets(api.get('%s/%s' % (PATH, uid)))
            action_uid = (answer or {}).get('action_uid') or bdb.get('action_uid')
            result.update(action=dict(action_uid=action_uid) if action_uid else None)
            task.warn('wait is false: the task returned once the cluster took the %s, without waiting for it to be '
                      'done (the database is %s; its action is %s). Follow it with redis.enterprise.database_info.'
                      % ('create' if created else 'change', bdb.get('status'), action_uid or 'not given'))
        if plan.secrets:
            self._password(api, task, waiter, uid)
        plan.after = self.shown(bdb, state['names'], plan.want, params.get('extra'))
        if plan.secrets:
            plan.after['default_user_password'] = SENT
        return dict(state, bdb=bdb, outcome=result, written=True)

    def _lost(self, api, task, error):
        """A create whose answer was lost: never sent again. The database of
        its name, if the cluster has it now, is the one it created."""
        name = task.params['name']
        try:
            found = [bdb for bdb in api.get(PATH, query=KEYS) if bdb.get('name') == name]
        except RedisEnterpriseError as reading:
            found, error.msg = [], '%s Reading the databases back failed too: %s' % (error.msg, reading.msg)
        if not found:
            raise RedisEnterpriseError(
                'The create of the database %s got no answer, and the cluster has no database of that name: the '
                'create may or may not have happened, and was not sent again, so that no second database is made. '
                'Run the task again: it finds the database if it was created. The error: %s' % (name, error.msg),
                keys=dict(changed=True))
        task.warn('The create of the database %s got no answer (%s), but the cluster has it now (uid %s): it was '
                  'not sent again.' % (name, error.msg.rstrip('.'), found[0]['uid']))
        return dict(uid=found[0]['uid'])

    def _wait_active(self, api, task, waiter, uid, answer, created):
        """The database once its action is over and its status active, with
        the action as last read."""
        name = task.params['name']
        action_uid = answer.get('action_uid')
        if not action_uid:
            action_uid = api.get('%s/%s' % (PATH, uid)).get('action_uid')
        action = None
        try:
            if action_uid:
                action = _wait.follow_action(api, action_uid, waiter, 'the database %s' % name)
                if action is not None and _wait.status_of(action) in _wait.ACTION_FAILED:
                    bdb = drop_secrets(api.get('%s/%s' % (PATH, uid)))
                    raise RedisEnterpriseError(
                        'The cluster %s the database %s (uid %s) and the action %s %s: %s. The database is %s. %s'
                        % ('took the create of' if created else 'took the change of', name, uid, action_uid,
                           _wait.status_of(action), _wait.action_error(action) or 'it gave no error', bdb.get('status'),
                           'Remove it (state: absent) and create it again.' if bdb.get('status') == FAILED_STATUS
                           else 'The next run compares with what the cluster holds.'),
                        keys=dict(changed=True, database=described(bdb), action=action))

            def settled(bdb):
                if bdb.get('status') == FAILED_STATUS:
                    raise RedisEnterpriseError(
                        'The database %s (uid %s) is %s: its create failed.%s Remove it (state: absent) and create '
                        'it again.' % (name, uid, FAILED_STATUS, _last_action(bdb, action)),
                        keys=dict(changed=True, database=described(bdb)))
                return bdb.get('status') == 'active'
            bdb = waiter.until(lambda: drop_secrets(api.get('%s/%s' % (PATH, uid))), settled,
                               'the database %s to be active' % name)
        except _wait.TimedOut as timeout:
            last = timeout.last or {}
            raise RedisEnterpriseError(
                '%s The database %s (uid %s) was last seen %s%s; the cluster goes on with it. Run the task again '
                'later, or raise wait_timeout.' % (timeout.msg, name, uid,
                                                   last.get('status') or 'with its action %s' % _wait.status_of(last),
                                                   ' (action %s)' % action_uid if action_uid else ''),
                keys=dict(changed=True))
        return bdb, action

    def _wait_gone(self, api, task, waiter, uid, answer):
        name = task.params['name']
        action_uid = answer.get('action_uid')
        try:
            if action_uid:
                action = _wait.follow_action(api, action_uid, waiter, 'the removal of the database %s' % name)
                if action is not None and _wait.status_of(action) in _wait.ACTION_FAILED:
                    raise RedisEnterpriseError(
                        'The removal of the database %s (uid %s) failed: %s.' % (
                            name, uid, _wait.action_error(action) or 'the action gave no error'),
                        keys=dict(changed=True))

            def read():
                try:
                    return api.get('%s/%s' % (PATH, uid))
                except RedisEnterpriseError as error:
                    if error.http_status == 404:
                        return None
                    raise
            waiter.until(read, lambda bdb: bdb is None, 'the database %s to be gone' % name)
        except _wait.TimedOut as timeout:
            raise RedisEnterpriseError('%s The database %s (uid %s) is still %s.' % (
                timeout.msg, name, uid, (timeout.last or {}).get('status')), keys=dict(changed=True))
        return dict(waited=waiter.waited())

    def _password(self, api, task, waiter, uid):
        path = '%s/%s/passwords' % (PATH, uid)
        waiter.retrying_busy(lambda: api.call('PUT', path, body=dict(password=task.params['default_user_password']),
                                              empty_ok=True), busy_for('PUT'))

    def result(self, task, state, plan, written):
        bdb = state.get('bdb')
        outcome = state.get('outcome') or {}
        if plan is not None and plan.changed and not written:
            # Check mode: what the cluster would hold.
            if plan.method == 'DELETE':
                return dict(database={})
            found = dict(bdb or {}, **dict((key, value) for key, value in (plan.body or {}).items()
                                           if key not in ('backup_location',)))
            return dict(database=described(found))
        found = dict(database=described(bdb, state.get('names')) if bdb else {})
        found.update((key, value) for key, value in outcome.items() if value is not None)
        return found

    def explain(self, params, failure):
        if failure.method == 'GET':
            return None
        if failure.status == 403 and failure.code not in ('license_expired', 'license_missing', 'internal_bdb'):
            return None
        act = {'POST': 'create', 'PUT': 'change', 'DELETE': 'remove'}.get(failure.method, failure.method)
        if failure.path.endswith('/passwords'):
            act = "set the default user's password of"
        what = MESSAGES.get(failure.code)
        if failure.code == 'internal_bdb':
            what = 'It is an internal database of the cluster, which is not removed.'
        outcome = (' The cluster said so in a dry run of the write (check mode): nothing was written.'
                   if failure.dry_run else '')
        return 'The cluster refused to %s the database %s (HTTP %d, %s, %s).%s%s%s' % (
            act, params.get('name'), failure.status, failure.code or 'no error code', failure.call, failure.said,
            ' ' + what if what else '', outcome)


def busy_for(method):
    """Whether an error of a call of method means "busy with another
    change, retry later": a 409 of a change or a removal (requests/bdbs:
    busy, or not active yet), or of a create that says busy (a create's 409
    is otherwise a uid taken)."""
    def busy(error):
        return error.http_status == 409 and (method != 'POST' or error.error_code == 'busy')
    return busy


def _last_action(bdb, action=None):
    uid = (action or {}).get('action_uid') or bdb.get('action_uid')
    if action and _wait.action_error(action):
        return ' Its action %s said: %s.' % (uid, _wait.action_error(action))
    return ' Its last action: %s.' % uid if uid else ''


def _create_only(option, current, have, given):
    """Why a create-only field that differs is refused, and the way there."""
    way = {
        'type': 'A database does not change its type: create a new database of the other type, and move the data.',
        'port': 'A database keeps the port it was created with: create a new database on that port, and move the '
                'clients.',
        'modules': 'Modules are added only when a database is created: create a new database with them, and move '
                   'the data.',
        'redis_version': 'A database changes its Redis version by an upgrade (rladmin upgrade db, or POST '
                         '/v1/bdbs/{uid}/upgrade), which this module does not make.',
    }[option.name]
    return ('%s is %s on the database %s (uid %s), and the task gives %s: only a create sets it. %s'
            % (option.name, option.shown(have) if have is not None else 'not set', current['name'], current['uid'],
               given, way))


def _data_safety(current, body):
    """Why a change would lose data or cannot be made in place: fewer shards,
    sharding turned off, a count not a multiple of the current one, a
    change of the hashing policy."""
    refused = []
    shards = as_given(Field('shards_count', 'int').typed(current.get('shards_count')))
    sharding = as_given(Field('sharding', 'bool').typed(current.get('sharding')))
    if body.get('sharding') is False and sharding is True:
        refused.append('sharding is on for the database %s, and the task turns it off: a sharded database is not '
                       'made unsharded in place (its keys are spread over its shards). Create a new database and move '
                       'the data.' % current['name'])
    wanted = body.get('shards_count')
    if isinstance(wanted, int) and isinstance(shards, int) and wanted != shards:
        if wanted < shards:
            refused.append('shards_count is %d on the database %s, and the task gives %d: shards are never removed '
                           'from a database. Keep %d, or create a new database and move the data.'
                           % (shards, current['name'], wanted, shards))
        elif wanted % shards:
            refused.append('shards_count is %d on the database %s, and the task gives %d: a database grows by a '
                           'multiple of its shard count (%d, %d, ...).'
                           % (shards, current['name'], wanted, shards * 2, shards * 3))
    for field in HASHING:
        if field in body and current.get(field) not in (None, [], '') and field in current:
            refused.append('The task changes %s of the database %s: a change of the hashing policy needs the '
                           'database flushed, which loses its data, and the module never flushes. Flush it yourself '
                           'first (PUT /v1/bdbs/{uid}/flush), if losing the data is meant.' % (field, current['name']))
    return refused


DATABASE = Database()


def read_action(api, uid, paths):
    """The action of uid as the cluster answers it, or None when none of
    paths (/v2, then /v1) knows it. A path that answered 404 where a later
    one knew the action is dropped from paths: on a cluster without /v2,
    the next actions cost one GET each."""
    for index, path in enumerate(paths):
        try:
            action = api.get(path % uid)
        except RedisEnterpriseError as error:
            if error.http_status != 404:
                raise
            continue
        del paths[:index]
        return action
    return None


class Info(Resource):
    """Every database, or one by name, with its endpoints, status, running
    action and roles_permissions by name; no secret.

    All in one GET of /v1/bdbs, and the names of roles and Redis ACLs when a
    database has roles_permissions. A database that is not active also gets
    its action, one GET each: its status says that it is pending or that
    its create failed, its action what it is at or why it failed. An active
    one keeps its action_uid alone, so that a cluster of active databases
    costs one GET whatever their number."""

    spec = Spec(dict(name=dict(type='str')))

    def read(self, api, task):
        databases = read_all(api)
        name = task.params.get('name')
        if name is not None:
            databases = [bdb for bdb in databases if bdb.get('name') == name]
        names = lookup_names(api) if any(bdb.get('roles_permissions') for bdb in databases) else ({}, {})
        paths = list(_wait.ACTION_PATHS)
        found = []
        for bdb in databases:
            shown = described(bdb, names)
            if bdb.get('status') != 'active':
                shown['action'] = read_action(api, bdb['action_uid'], paths) if bdb.get('action_uid') else None
            found.append(shown)
        return found

    def result(self, task, state, plan, written):
        return dict(databases=state)


INFO = Info()

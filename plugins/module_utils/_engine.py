# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The engine every module of the collection runs on.

A module declares its resource: its options and their constraints (Spec),
its own error codes and their messages, and how to read, compare and write
it; the calls it makes, with the permission each needs, are declared once
for the collection (_contract.py). The engine does the rest, alike as a
module and in the controller's worker (direct execution): the checks that
need no cluster, the read, the comparison, check mode, diff, the write, and
every failure as a message.

A resource sees its task through one small interface, the same on both
paths: params, given (the options the task's arguments name), check_mode,
diff and warn(). On the module path the task is the AnsibleModule; on the
direct path, plugin_utils/_direct.py's Task.

Its parts, each importing only those before it: _connection.py (the
connection options), _api.py (the transport), this file (the flow: Spec,
Plan, Resource, Api, run, main), _fields.py (typed fields), _resources.py
(the two shapes declared as data: SettingsResource, one settings object, and
CollectionResource, a collection of named objects) and _wait.py (waiting for
what the cluster does after it answers)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import AnsibleModule

from . import _api, _connection, _contract
from ._api import Client, RedisEnterpriseError


class Spec(object):
    """A module's options with every constraint on them, one object for
    AnsibleModule on the module path and ArgumentSpecValidator on the direct
    path.

    options: the module's own options (the connection's are added);
    constraints: mutually_exclusive, required_together, required_one_of,
    required_if, required_by, as AnsibleModule takes them; hints: (text,
    sentence) pairs, the sentence added to an argument validation message
    that holds the text (an option's range with its type error)."""

    CONSTRAINTS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')

    def __init__(self, options, hints=(), **constraints):
        unknown = sorted(set(constraints) - set(self.CONSTRAINTS))
        if unknown:
            raise TypeError('not a constraint of an argument spec: %s' % ', '.join(unknown))
        self.options = options
        self.hints = tuple(hints)
        self.constraints = constraints

    def argument_spec(self):
        spec = _connection.connection_argument_spec()
        spec.update(copy.deepcopy(self.options))
        return spec

    def validator_kwargs(self):
        """The keyword arguments of ArgumentSpecValidator."""
        return dict(self.constraints, argument_spec=self.argument_spec())

    def module_kwargs(self):
        """The keyword arguments of AnsibleModule."""
        return dict(self.validator_kwargs(), supports_check_mode=True)


class Failure(object):
    """An HTTP error answer of the cluster, as explain() sees it."""

    def __init__(self, method, path, status, code, said, tries, user, dry_run=False):
        self.method = method
        self.path = path
        # A call made with ?dry_run=true: nothing was written.
        self.dry_run = dry_run
        self.call = '%s %s%s' % (method, path, '?dry_run=true' if dry_run else '')
        self.status = status
        self.code = code
        self.said = said
        self.tries = tries
        self.user = user


class Plan(object):
    """What a run would change, and what its write needs; these fields and
    no others.

    before, after: the object as the diff shows them. A write may set after
    to what the cluster holds once it is written: the diff shows after as
    it stands once the run is over.
    body: what the write sends (a settings object's PUT body; for a named
    object, the fields of its POST, or those of its PUT that change).
    method, path: the write's call, for a resource whose write may be one
    of several (a named object's POST, PUT or DELETE).
    want: what desired() made of the task, for the checks and the write
    (a certificate's parsed chain).
    related: what prepare() read besides the object, for the write and
    after_write (the OCSP configuration a proxy certificate depends on).
    secrets: the names of the write-only fields the write sends (a user's
    password), never their values.
    changed: a write that is due although before and after read the same
    (a write forced by the task); by default, whether they differ."""

    __slots__ = ('before', 'after', 'body', 'method', 'path', 'want', 'related', 'secrets', '_changed')

    def __init__(self, before, after, body=None, changed=None, method=None, path=None, want=None, secrets=()):
        self.before = before
        self.after = after
        self.body = body
        self.method = method
        self.path = path
        self.want = want
        self.related = None
        self.secrets = tuple(secrets)
        self._changed = changed

    @property
    def changed(self):
        return self.before != self.after if self._changed is None else self._changed


class Resource(object):
    """What a module declares. The engine calls, in this order:

      desired(params)                  the state asked for; raises for bad options, before any request
      read(api, task)                  the state on the cluster, secrets dropped
      plan(task, state, want)          a Plan, or None for a read-only resource
      guard(api, task, state, plan)    raises for a change the task must not make (_login: one that would
                                       cut the access of the user it logs in as), in check mode too
      prepare(api, task, state, plan)  what must hold before the write, in check mode too
      write(api, task, state, plan)    the write (not in check mode); the state after it
      after_write(api, task, state, plan)
      result(task, state, plan, written)

    prepare, after_write and result return result keys. explain(params,
    failure) gives a resource's own message for an HTTP error answer.

    requires: the libraries its code imports beyond requests
    ('cryptography'); retry_statuses: path -> the statuses a call to that
    path is also retried on; slow_writes: the paths of those whose PUT may
    still be at work when its answer is late, which is sent again only on
    those statuses, never once it went out unanswered. The permission each
    call needs, named in a 403's message, is the declaration's
    (_contract.py)."""

    spec = None
    requires = ()
    retry_statuses = {}
    slow_writes = ()

    def desired(self, params):
        return None

    def read(self, api, task):
        raise NotImplementedError

    def plan(self, task, state, want):
        return None

    def guard(self, api, task, state, plan):
        """Raises for a planned change the task must not make."""

    def prepare(self, api, task, state, plan):
        return {}

    def write(self, api, task, state, plan):
        raise NotImplementedError

    def after_write(self, api, task, state, plan):
        return {}

    def result(self, task, state, plan, written):
        return {}

    def explain(self, params, failure):
        return None


class Api(object):
    """The calls of one resource for one task: the Client, with the
    declared permissions and answer sizes, and the resource's retries and
    messages."""

    def __init__(self, client, resource, params):
        self.client = client
        self.resource = resource
        self.params = params
        for path, statuses in resource.retry_statuses.items():
            client.retry_also(path, statuses, once=path in resource.slow_writes)

    def call(self, method, path, body=None, read_timeout=None, empty_ok=False, dry_run=False, query=None):
        """One call; dry_run: with ?dry_run=true, which the declaration must
        give the call (the cluster validates it and changes nothing); query:
        other query parameters (name -> text) the declaration gives it."""
        query = dict(query or {})
        if dry_run:
            query['dry_run'] = 'true'
        undeclared = sorted(name for name in query if not _contract.takes(method, path, name))
        if undeclared:
            raise ValueError('%s %s takes no %s' % (method, path, ', '.join(undeclared)))

        def explain(status, code, said, tries):
            failure = Failure(method, path, status, code, said, tries, self.client.username, dry_run)
            return self.resource.explain(self.params, failure)
        permission = _contract.permission(method, path)
        return self.client.request(method, path, body=body, permission=permission, read_timeout=read_timeout,
                                   explain=explain, empty_ok=empty_ok, query=query or None,
                                   array=_contract.answers_array(method, path), holders=_contract.holders(permission),
                                   max_bytes=_contract.max_bytes(method, path))

    def get(self, path, query=None):
        return self.call('GET', path, query=query)

    def put(self, path, body, empty_ok=False, read_timeout=None):
        return self.call('PUT', path, body=body, empty_ok=empty_ok, read_timeout=read_timeout)

    def delete(self, path, gone_ok=False):
        """DELETE path; with gone_ok, a 404 (removed by another hand since
        the read) is the removal done."""
        try:
            return self.call('DELETE', path, empty_ok=True)
        except RedisEnterpriseError as error:
            if not gone_ok or error.http_status != 404:
                raise
            return None

    def post(self, path, body=None, read_timeout=None):
        return self.call('POST', path, body=body, read_timeout=read_timeout)


def missing_library(resource):
    """(name, message) of a library the resource needs that this Python
    lacks, or None."""
    missing = _api.missing_library()
    if missing:
        return missing
    if 'cryptography' in resource.requires:
        from . import _x509  # pylint: disable=import-outside-toplevel
        if not _x509.HAS_CRYPTOGRAPHY:
            return 'cryptography', _x509.missing_cryptography()
    return None


def connect(task):
    """The Client of a task's connection options; its warnings go to the
    task, and its failures say which environment variable a bad value came
    from."""
    p = task.params
    found = _connection.origins(task)
    try:
        client = Client(p['url'], p['username'], p['password'], validate_certs=p['validate_certs'],
                        ca_path=p['ca_path'], timeout=p['timeout'],
                        reword=lambda error: _connection.where(error, found))
    except RedisEnterpriseError as error:
        raise _connection.where(error, found)
    for warning in client.warnings:
        task.warn(warning)
    return client


def run(resource, task):
    """One run of resource for task: the result, or RedisEnterpriseError."""
    want = resource.desired(task.params)
    with connect(task) as client:
        api = Api(client, resource, task.params)
        state = resource.read(api, task)
        plan = resource.plan(task, state, want)
        if plan is None:
            return dict(resource.result(task, state, None, False), changed=False)
        result = dict(changed=plan.changed)
        written = plan.changed and not task.check_mode
        if plan.changed:
            resource.guard(api, task, state, plan)
            result.update(resource.prepare(api, task, state, plan))
        if written:
            state = resource.write(api, task, state, plan)
            result.update(resource.after_write(api, task, state, plan))
        if task.diff:
            result['diff'] = dict(before=plan.before, after=plan.after)
        result.update(resource.result(task, state, plan, written))
    return result


class RedisEnterpriseModule(AnsibleModule):
    """AnsibleModule with the connection options and a resource's Spec: the
    task of the module path."""

    def __init__(self, spec):
        # Only for the messages of argument validation, in __init__.
        self._hints = spec.hints
        self.given = frozenset()
        super(RedisEnterpriseModule, self).__init__(**spec.module_kwargs())
        self._hints = None

    def _load_params(self):
        super(RedisEnterpriseModule, self)._load_params()
        # The options the task gave, before fallbacks and defaults fill in the rest.
        self.given = frozenset(name for name in self.params if not name.startswith('_ansible_'))

    @property
    def diff(self):
        return self._diff

    def fail_json(self, msg, **kwargs):
        if self._hints is not None:
            validation = getattr(self, 'validation_result', None)
            msg = _connection.validation_message(msg, self, validation.errors if validation else (), self._hints)
        # Never a secret written into the url, in the invocation returned.
        if isinstance(self.params, dict) and 'url' in self.params:
            self.params['url'] = _connection.redact_url(self.params['url'])
        super(RedisEnterpriseModule, self).fail_json(msg=msg, **kwargs)


def main(resource):
    """The module path: a run of resource with the module as its task."""
    module = RedisEnterpriseModule(resource.spec)
    missing = missing_library(resource)
    if missing:
        module.fail_json(msg=missing[1])
    failure = None
    try:
        result = run(resource, module)
    except RedisEnterpriseError as error:
        failure = error.result()
    # Outside the except block: AnsibleModule would attach the traceback
    # of an error that its message already explains.
    if failure:
        module.fail_json(**failure)
    module.exit_json(**result)

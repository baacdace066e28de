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

Two shapes are declared as data: SettingsResource, one settings object
(/v1/ocsp), and CollectionResource, a collection of named objects (users,
roles, Redis ACLs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.parsing.convert_bool import boolean

from . import _api, _connection, _contract
from ._api import RedisEnterpriseError


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
    declared permissions and the resource's retries and messages."""

    def __init__(self, client, resource, params):
        self.client = client
        self.resource = resource
        self.params = params
        for path, statuses in resource.retry_statuses.items():
            client.retry_also(path, statuses, once=path in resource.slow_writes)

    def call(self, method, path, body=None, read_timeout=None, empty_ok=False, dry_run=False):
        """One call; dry_run: with ?dry_run=true, which the declaration must
        give the call (the cluster validates it and changes nothing)."""
        if dry_run and not _contract.takes(method, path, 'dry_run'):
            raise ValueError('%s %s takes no dry_run' % (method, path))

        def explain(status, code, said, tries):
            failure = Failure(method, path, status, code, said, tries, self.client.username, dry_run)
            return self.resource.explain(self.params, failure)
        permission = _contract.permission(method, path)
        return self.client.request(method, path, body=body, permission=permission, read_timeout=read_timeout,
                                   explain=explain, empty_ok=empty_ok, query={'dry_run': 'true'} if dry_run else None,
                                   array=_contract.answers_array(method, path), holders=_contract.holders(permission))

    def get(self, path):
        return self.call('GET', path)

    def put(self, path, body, empty_ok=False, read_timeout=None):
        return self.call('PUT', path, body=body, empty_ok=empty_ok, read_timeout=read_timeout)

    def delete(self, path):
        return self.call('DELETE', path, empty_ok=True)

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


def run(resource, task):
    """One run of resource for task: the result, or RedisEnterpriseError."""
    want = resource.desired(task.params)
    with _connection.connect(task) as client:
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


class Reference(object):
    """Other named objects of the cluster that a field names: given by
    their key (a role's name), sent as their uids (role_uids). what: their
    name in messages ('role'); path: the collection they are listed in."""

    def __init__(self, what, path, key='name'):
        self.what = what
        self.path = path
        self.key = key


class Field(object):
    """A writable field of a settings object or of a named object, typed as
    the API reference gives it: kind 'bool', 'int' (from low to high when
    given), 'str' (one of choices when given; matching pattern, a (regular
    expression, what it allows) pair, and at most length characters, when
    given) or 'list' (of elements, 'str' or 'int').

    unordered: a list compared as a set, where the API marks its items
    unique or their order means nothing. secret: write-only (a password):
    a no_log option, never read back, compared, shown or returned. api: the
    field's name in the API, when the option's differs (roles, sent as
    role_uids). refers: the Reference whose objects a list names."""

    def __init__(self, name, kind, low=None, high=None, choices=None, elements=None, unordered=False, pattern=None,
                 length=None, secret=False, api=None, refers=None):
        self.name = name
        self.kind = kind
        self.low = low
        self.high = high
        self.choices = tuple(choices) if choices else None
        self.elements = elements
        self.unordered = unordered
        self.pattern = pattern
        self.length = length
        self.secret = secret
        self.api = api or name
        self.refers = refers

    def option(self):
        option = dict(type=self.kind)
        if self.choices:
            option['choices'] = list(self.choices)
        if self.elements:
            option['elements'] = self.elements
        if self.secret:
            option['no_log'] = True
        return option

    def hint(self):
        if self.kind == 'bool':
            return 'true or false'
        if self.kind == 'int':
            return 'an integer from %d to %d' % (self.low, self.high) if self.low is not None else 'an integer'
        if self.kind == 'list':
            return 'a list of %s%s' % ('integers' if self.elements == 'int' else 'strings',
                                       ' with at least %d of them' % self.low if self.low else '')
        if self.choices:
            return 'one of %s' % ', '.join(self.choices)
        if self.pattern:
            return '%s%s' % (self.pattern[1], ', at most %d of them' % self.length if self.length else '')
        return 'a string'

    def range_error(self, value):
        """What is wrong with a value a task gives, or None: out of its
        range, or not what its pattern allows (the value itself is not
        shown for a secret)."""
        if self.kind == 'int' and value is not None and self.low is not None and not self.low <= value <= self.high:
            return '%s must be %s; got %s.' % (self.name, self.hint(), value)
        if self.kind == 'list' and isinstance(value, list) and self.low and len(value) < self.low:
            return '%s must be %s; got %d.' % (self.name, self.hint(), len(value))
        if self.kind == 'str' and isinstance(value, str) and self.pattern:
            # fullmatch: the spec's patterns are ECMA-262's, where $ does not match before a final newline.
            if not re.fullmatch(self.pattern[0], value) or (self.length and len(value) > self.length):
                return '%s must be %s; got %s.' % (self.name, self.hint(), '%d characters' % len(value)
                                                   if self.secret else repr(value))
        return None

    def coerce(self, value):
        """value as the cluster answered it, in the documented type, or
        ValueError: some clusters and proxies answer numbers as strings."""
        if self.kind == 'list':
            if not isinstance(value, list):
                raise ValueError(value)
            # A reference's items are the uids of the objects it names.
            element = Field(self.name, 'int' if self.refers else self.elements or 'str')
            return [element.coerce(item) for item in value]
        if self.kind == 'bool':
            # rladmin's words for it, then whatever Ansible reads as a boolean.
            if isinstance(value, str) and value.strip().lower() in ('enabled', 'disabled'):
                return value.strip().lower() == 'enabled'
            try:
                return boolean(value)
            except TypeError:
                pass
        elif self.kind == 'int':
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().isdigit():
                return int(value)
            if isinstance(value, float) and value.is_integer():
                return int(value)
        elif isinstance(value, str) and (not self.choices or value in self.choices):
            return value
        raise ValueError(value)

    def compared(self, value):
        """A typed value in the form two values compare in: a set-like
        list sorted."""
        if self.kind == 'list' and self.unordered and isinstance(value, list):
            return sorted(value, key=lambda item: (str(type(item)), item))
        return value

    def typed(self, value):
        """value as the cluster answered it, typed and in the form it
        compares in; or, for a value that is not of the documented type (a
        choice a newer or older cluster has, a field a proxy mangled),
        Unreadable(value): shown as given, and different from any value a
        task sets."""
        try:
            return self.compared(self.coerce(value))
        except ValueError:
            return Unreadable(value)


class Unreadable(object):
    """A value of the cluster's that is not of its field's documented type:
    never equal to a value a task sets, so that the task's write replaces
    it; shown as the cluster gave it."""

    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None


def as_given(value):
    """What a diff, a result or a body holds of a value: an Unreadable one
    as the cluster gave it."""
    return value.value if isinstance(value, Unreadable) else value


class SettingsResource(Resource):
    """A settings object of the cluster: GET path answers it, PUT path takes
    it. Only the options a task sets are enforced. The write sends every
    writable field, the current values with the desired ones merged in, so
    that a cluster that resets omitted fields to their defaults loses
    nothing. Fields beyond the declared ones (read-only ones, those of a
    newer cluster) are returned, never compared or sent.

    what: the object's name in messages; result_key: its return key;
    options: the module's options beyond the fields; explain: the object's
    own error messages."""

    def __init__(self, what, path, fields, result_key, options=None, explain=None):
        self.what = what
        self.path = path
        self.fields = tuple(fields)
        self.result_key = result_key
        self._explain = explain
        names = [field.name for field in self.fields]
        hints = [("'%s'" % field.name, '%s must be %s.' % (field.name, field.hint())) for field in self.fields]
        hints.append(('one of the following is required',
                      'A task with none of them would only read the cluster and enforce nothing: check for a '
                      'misspelt option, or one templated to omit.'))
        spec = dict((field.name, field.option()) for field in self.fields)
        spec.update(options or {})
        self.spec = Spec(spec, hints=hints, required_one_of=[names])

    def desired(self, params):
        errors = [field.range_error(params.get(field.name)) for field in self.fields]
        errors = [error for error in errors if error]
        if errors:
            raise RedisEnterpriseError(' '.join(errors))
        return dict((field.name, params[field.name]) for field in self.fields if params.get(field.name) is not None)

    @staticmethod
    def unset(value):
        """Whether a field answered so is not set: left out or null (an
        object may count empty values as unset too)."""
        return value is None

    def writable(self, current):
        """The declared fields of current, typed; those not set left out. A
        value that is not of its field's documented type stays as the
        cluster gave it: a task that does not set the field keeps it, and
        one that does replaces it."""
        found = {}
        for field in self.fields:
            value = current.get(field.name)
            if self.unset(value):
                continue
            try:
                found[field.name] = field.coerce(value)
            except ValueError:
                found[field.name] = value
        return found

    def read(self, api, task):
        return api.get(self.path)

    def plan(self, task, state, want):
        before = self.writable(state)
        after = dict(before, **want)
        plan = Plan(before, after, body=after)
        # The write sends every field back: one the cluster answered in a form
        # the API does not take can be neither sent nor left out (a PUT
        # resets what it omits). Only a run that writes needs it.
        odd = [field for field in self.fields if field.name in before and field.name not in want
               and isinstance(field.typed(before[field.name]), Unreadable)]
        if odd and plan.changed:
            raise RedisEnterpriseError(
                'The cluster returned %s in GET %s, which is not %s; a write sends every field of the %s back (a PUT '
                'resets the fields it leaves out), and cannot send this one. Nothing was written. Set %s in the task '
                'too, or check the cluster version.' % (
                    ', '.join('%s=%r' % (field.name, before[field.name]) for field in odd), self.path,
                    ', '.join(field.hint() for field in odd), self.what, ' and '.join(field.name for field in odd)))
        return plan

    def write(self, api, task, state, plan):
        return api.put(self.path, plan.body)

    def result(self, task, state, plan, written):
        # Not written (check mode, converged): what the cluster would hold.
        return {self.result_key: state if written else dict(state, **plan.after)}

    def explain(self, params, failure):
        return self._explain(params, failure) if self._explain else None


# The messages of a collection of named objects, which a declaration may
# replace one by one. Their fields: what (the object, 'user'), key (its key's
# value), field (the key's name), call, status, code, said (the cluster's
# text), act (create, change, remove) and outcome (what became of the write).
COLLECTION_MESSAGES = {
    'refused': 'The cluster refused to %(act)s the %(what)s %(key)s (HTTP %(status)d, %(code)s, %(call)s).%(said)s'
               '%(outcome)s',
    'conflict': 'The cluster refused to %(act)s the %(what)s %(key)s (HTTP 409, %(code)s, %(call)s): another %(what)s '
                'has the same name.%(said)s%(outcome)s',
    'not_acceptable': 'The cluster refused to %(act)s the %(what)s %(key)s (HTTP 406, %(code)s, %(call)s).%(said)s'
                      '%(outcome)s',
    'gone': 'The %(what)s %(key)s was removed from the cluster while the task ran (HTTP 404, %(call)s).%(said)s Run '
            'the task again.',
    'many': 'The cluster has %(count)d %(what)ss whose %(field)s is %(key)s (uids %(uids)s): the task cannot tell which '
            'one it manages. Nothing was written.',
    'missing': 'The cluster has no %(named)s %(missing)s, which the option %(option)s names (its %(refs)s: '
               '%(known)s). Nothing was written. Create the %(ref)s first, or correct the name.',
    'required': '%(option)s is required to create the %(what)s %(key)s%(unless)s. Nothing was written.',
}
DRY_RUN_OUTCOME = ' The cluster said so in a dry run of the write (check mode): nothing was written.'
# What a diff's after shows for a secret the run sends (a password): never the secret.
SECRET_SENT = '(sent by this run; never shown or compared)'
REFUSED_OUTCOME = ' Nothing was written.'
ACTS = {'POST': 'create', 'PUT': 'change', 'DELETE': 'remove'}


class _Pending(str):
    """A name a reference could not resolve in check mode, standing for its
    uid in a plan that is never sent."""


class CollectionResource(Resource):
    """A collection of named objects: GET path lists them, each found by its
    key (a name, a user's email); POST path creates one, PUT path/{uid}
    changes it, DELETE path/{uid} removes it, as the option state says
    (present, the default, or absent).

    Only the fields a task sets are enforced; the others keep what the
    cluster has. A PUT sends the fields that change and no others (these
    PUTs take a partial body). A list marked unordered compares as a set. A
    field that refers to other objects (a user's roles) is given by their
    names, resolved to uids with one GET of their collection per task; a
    name the cluster does not have is the task's failure before any write,
    in check mode too.

    A secret field (a user's password) is never read back or compared: it
    is sent when the object is created, and, with the option secret_option
    (update_password) set to always, on every run, which then reports a
    change.

    Check mode asks the cluster where it can: a run that would write sends
    the write with ?dry_run=true when the declaration (_contract.py) gives
    the call that parameter, and the cluster's refusal is the task's
    failure. Where the call takes none, check mode predicts what the
    controller can know.

    what: the object's name in messages ('user'); key: the Field of its
    key; fields: its writable Fields; result_key: the return key of the
    object; required: (option, unless) pairs, an option a create needs,
    unless (another option, its values) holds; messages: this resource's
    own, over COLLECTION_MESSAGES; secret_option: the option that says when
    the secrets are sent (update_password: on_create or always); options:
    the module's options beyond these; guard: guard(api, task, state,
    plan), which raises for a change the task must not make (_login)."""

    def __init__(self, what, path, key, fields, result_key, required=(), messages=None, secret_option=None,
                 options=None, guard=None):
        self.what = what
        self._guard = guard
        self.path = path
        self.key = key
        self.fields = tuple(fields)
        self.result_key = result_key
        self.required = tuple(required)
        self.messages = dict(COLLECTION_MESSAGES, **(messages or {}))
        self.secret_option = secret_option
        spec = dict((field.name, field.option()) for field in self.fields)
        spec[key.name] = dict(key.option(), required=True)
        spec['state'] = dict(type='str', default='present', choices=['present', 'absent'])
        if secret_option:
            # Not a secret, though its name says password: without no_log=False ansible-core warns of it.
            spec[secret_option] = dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False)
        spec.update(options or {})
        hints = [("'%s'" % field.name, '%s must be %s.' % (field.name, field.hint()))
                 for field in (key,) + self.fields if not field.secret]
        self.spec = Spec(spec, hints=hints)

    def say(self, message, **values):
        return self.messages[message] % dict(dict(what=self.what, field=self.key.name), **values)

    def desired(self, params):
        """The fields the task sets, by option name, checked on the
        controller (ranges, patterns); for state absent, none."""
        if params['state'] == 'absent':
            return {}
        errors = [field.range_error(params.get(field.name)) for field in (self.key,) + self.fields]
        errors = [error for error in errors if error]
        if errors:
            raise RedisEnterpriseError(' '.join(errors))
        return dict((field.name, params[field.name]) for field in self.fields if params.get(field.name) is not None)

    def read(self, api, task):
        """The object of the task's key, its secrets dropped (or None), and
        the objects each reference names, one GET each."""
        value = task.params[self.key.name]
        found = [item for item in api.get(self.path) if item.get(self.key.api) == value]
        if len(found) > 1:
            raise RedisEnterpriseError(self.say('many', key=value, count=len(found),
                                                uids=', '.join(str(item.get('uid')) for item in found)))
        current = found[0] if found else None
        if current is not None:
            for field in self.fields:
                if field.secret:
                    current.pop(field.api, None)
        lookups = {}
        for field in self.fields:
            if field.refers and field.refers.path not in lookups:
                lookups[field.refers.path] = api.get(field.refers.path)
        return dict(object=current, lookups=lookups)

    def _names(self, field, state):
        """uid -> key of the objects field refers to, their uids typed as a
        task's are (a uid answered as "5" is 5)."""
        uid = Field('uid', 'int')
        return dict((as_given(uid.typed(item.get('uid'))), item.get(field.refers.key))
                    for item in state['lookups'][field.refers.path])

    def shown(self, item, state):
        """An object as the diff shows it: its key and the declared fields
        it has, by option name, references by name, sets sorted, no secret.
        A value that is not of its field's documented type is shown as the
        cluster gave it: only a field the task sets is compared, and
        removing an object works whatever its other fields hold."""
        key = item.get(self.key.api)
        found = {self.key.name: key}
        for field in self.fields:
            if field.secret or item.get(field.api) is None:
                continue
            value = item[field.api]
            if field.refers and isinstance(value, list):
                # A name check mode could not resolve stands as itself.
                pending = [uid for uid in value if isinstance(uid, _Pending)]
                names = self._names(field, state)
                typed = field.typed([uid for uid in value if uid not in pending])
                if not isinstance(typed, Unreadable):
                    value = field.compared([names.get(uid, uid) for uid in typed] + pending)
            else:
                value = as_given(field.typed(value))
            found[field.name] = value
        return found

    def resolve(self, field, names, state, task=None):
        """The uids of the objects names name, in their order; a name the
        cluster does not have fails the task. In check mode it is a
        warning, and the name stands for its uid: an earlier task of the
        same run may create it (a role, then the users who hold it), which
        check mode cannot see. The real run fails if it is still missing."""
        uids = dict((name, uid) for uid, name in self._names(field, state).items())
        missing = [name for name in names if name not in uids]
        if missing:
            said = self.say(
                'missing', option=field.name, missing=', '.join('"%s"' % name for name in missing),
                named=field.refers.what + ('s' if len(missing) > 1 else ''), ref=field.refers.what,
                refs=field.refers.what + 's', known=', '.join(sorted(str(name) for name in uids)) or 'none')
            if task is None or not task.check_mode:
                raise RedisEnterpriseError(said)
            task.warn('%s In check mode this is no failure: an earlier task of this run may create the %s; the '
                      'cluster was not asked for a dry run of this write, which it would refuse.'
                      % (said, field.refers.what))
        return [uids[name] if name in uids else _Pending(name) for name in names], missing

    def wanted(self, want, state, task=None):
        """The fields the task sets, by API name, references as uids; the
        secrets apart; and the names that could not be resolved (in check
        mode only)."""
        body, secrets, unresolved = {}, {}, []
        for field in self.fields:
            if field.name not in want:
                continue
            value = want[field.name]
            if field.unordered:
                # A set: each item once, as the API takes it.
                value = [item for index, item in enumerate(value) if item not in value[:index]]
            if field.refers:
                value, missing = self.resolve(field, value, state, task)
                unresolved.extend(missing)
            (secrets if field.secret else body)[field.api] = value
        return body, secrets, unresolved

    def plan(self, task, state, want):
        params = task.params
        key = params[self.key.name]
        current = state['object']
        before = self.shown(current, state) if current else {}
        if params['state'] == 'absent':
            if current is None:
                return Plan({}, {})
            return Plan(before, {}, method='DELETE', path='%s/%s' % (self.path, current['uid']))
        body, secrets, unresolved = self.wanted(want, state, task)
        if current is None:
            self._check_required(params, key)
            body = dict({self.key.api: key}, **body)
            plan = Plan({}, self.sent(self.shown(body, state), secrets), body=dict(body, **secrets), method='POST',
                        path=self.path, secrets=sorted(secrets))
            plan.related = dict(unresolved=unresolved)
            return plan
        changes = {}
        for field in self.fields:
            if field.secret or field.api not in body:
                continue
            have = field.typed(current[field.api]) if current.get(field.api) is not None else None
            if have != field.compared(body[field.api]):
                changes[field.api] = body[field.api]
        sent = secrets if self.secret_option and params.get(self.secret_option) == 'always' else {}
        after = self.sent(self.shown(dict(current, **changes), state), sent)
        plan = Plan(before, after, body=dict(changes, **sent), method='PUT',
                    path='%s/%s' % (self.path, current['uid']), secrets=sorted(sent))
        plan.related = dict(unresolved=unresolved)
        return plan

    def sent(self, shown, secrets):
        """shown, with each secret the write sends marked as sent (by option
        name), never its value."""
        names = dict((field.api, field.name) for field in self.fields if field.secret)
        return dict(shown, **dict((names[api], SECRET_SENT) for api in secrets))

    def _check_required(self, params, key):
        for option, unless in self.required:
            if params.get(option) is not None:
                continue
            if unless and params.get(unless[0]) in unless[1]:
                continue
            said = ', unless %s is %s or %s' % (unless[0], ', '.join(unless[1][:-1]), unless[1][-1]) if unless else ''
            raise RedisEnterpriseError(self.say('required', option=option, key=key, unless=said))

    def guard(self, api, task, state, plan):
        if self._guard:
            self._guard(api, task, state, plan)

    def prepare(self, api, task, state, plan):
        unresolved = (plan.related or {}).get('unresolved')
        if task.check_mode and not unresolved and _contract.takes(plan.method, plan.path, 'dry_run'):
            api.call(plan.method, plan.path, body=plan.body if plan.method != 'DELETE' else None,
                     empty_ok=plan.method == 'DELETE', dry_run=True)
        return {}

    def write(self, api, task, state, plan):
        if plan.method == 'DELETE':
            try:
                api.delete(plan.path)
            except RedisEnterpriseError as error:
                # Gone already, by another hand since the read.
                if error.http_status != 404:
                    raise
            return dict(state, object=None)
        answer = api.call(plan.method, plan.path, body=plan.body)
        for field in self.fields:
            if field.secret:
                answer.pop(field.api, None)
        plan.after = self.sent(self.shown(answer, state), plan.secrets)
        return dict(state, object=answer)

    def result(self, task, state, plan, written):
        current = state['object']
        if written or not plan.changed:
            found = current or {}
        elif plan.method == 'DELETE':
            found = {}
        else:
            # Check mode: what the cluster would hold, never a secret.
            found = dict(current or {}, **dict((k, v) for k, v in plan.body.items() if k not in plan.secrets))
        return {self.result_key: found}

    def explain(self, params, failure):
        message = {400: 'refused', 406: 'not_acceptable', 409: 'conflict'}.get(failure.status)
        if failure.method == 'GET':
            return None
        if failure.status == 404:
            message = 'gone'
        if message is None:
            return None
        return self.say(message, key=params.get(self.key.name), act=ACTS.get(failure.method, failure.method),
                        call=failure.call, status=failure.status, code=failure.code or 'no error code',
                        said=failure.said, outcome=DRY_RUN_OUTCOME if failure.dry_run else REFUSED_OUTCOME)


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

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The two shapes of resource the engine runs, declared as data:
SettingsResource, one settings object (/v1/ocsp, /v1/cluster/ldap), and
CollectionResource, a collection of named objects (users, roles, Redis ACLs,
LDAP mappings, databases), with the messages every collection shares."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from . import _contract
from ._api import RedisEnterpriseError
from ._engine import Plan, Resource, Spec
from ._fields import Field, Unreadable, as_given


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
            api.delete(plan.path, gone_ok=True)
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

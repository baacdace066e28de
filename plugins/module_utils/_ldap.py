# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The cluster's LDAP configuration (/v1/cluster/ldap) as a resource of the
engine: redis.enterprise.ldap.

Unlike the OCSP configuration, its PUT takes a partial body and merges it,
so a write sends only the fields that change. Two pairs of fields exclude
each other (user_dn_template or user_dn_query, dn_group_attr or
dn_group_query): a task that sets one clears the other on the cluster in
the same write, with the empty value the API takes for none ('' for a
string, {} for a query). A field answered empty, null or not at all is
none, whichever way a cluster answers it.

bind_pass cannot be read back (GET answers it masked): it is dropped where
it is read, never compared, and sent only when update_bind_pass says so.
The configuration has no create; it counts as new while it has no uris."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from . import _contract, _login
from ._api import RedisEnterpriseError
from ._engine import Plan, Spec
from ._fields import Field
from ._resources import SECRET_SENT, SettingsResource

PATH = '/v1/cluster/ldap'
SCOPES = _contract.LDAP_QUERY_SCOPES
URI = re.compile(_contract.LDAP_URI_PATTERN)
# Each pair: the cluster holds one of the two, never both.
EXCLUSIVE = (('user_dn_template', 'user_dn_query'), ('dn_group_attr', 'dn_group_query'))
# What the diff's after shows for a bind_pass this run sends: the password
# itself goes nowhere but into the write.
BIND_PASS_SENT = SECRET_SENT


class AtLeast(Field):
    """An integer with a lowest value and no highest."""

    def __init__(self, name, low):
        super(AtLeast, self).__init__(name, 'int', low)

    def hint(self):
        return 'an integer of at least %d' % self.low

    def range_error(self, value):
        if value is not None and value < self.low:
            return '%s must be %s; got %s.' % (self.name, self.hint(), value)
        return None


class Uris(Field):
    """The LDAP servers, in the order the cluster tries them."""

    def __init__(self, name):
        super(Uris, self).__init__(name, 'list')

    def option(self):
        return dict(type='list', elements='str')

    def hint(self):
        return ('a list of LDAP server URIs, each scheme://host:port with scheme ldap or ldaps '
                '(ldaps://ldap.example.com:636)')

    def empty(self):
        return []

    def range_error(self, value):
        bad = [uri for uri in value or () if not _uri_ok(uri)]
        if bad:
            return '%s must be %s, with nothing after the port; got %s.' % (self.name, self.hint(), ', '.join(bad))
        return None

    def coerce(self, value):
        if isinstance(value, list) and all(isinstance(uri, str) for uri in value):
            return list(value)
        raise ValueError(value)


def _uri_ok(uri):
    match = URI.fullmatch(uri)
    return bool(match) and 0 < int(uri.rsplit(':', 1)[1]) < 65536


class Query(Field):
    """A search of the directory: base, filter and scope, all three."""

    PARTS = ('base', 'filter', 'scope')

    def __init__(self, name):
        super(Query, self).__init__(name, 'dict')

    def option(self):
        # Not required one by one: a query of none of them is the empty one,
        # which clears it; a partial one is refused in desired().
        return dict(type='dict', options=dict(base=dict(type='str'), filter=dict(type='str'),
                                              scope=dict(type='str', choices=list(SCOPES))))

    def hint(self):
        return 'a query of base (a DN), filter (an RFC 4515 filter) and scope (%s)' % ', '.join(SCOPES)

    def empty(self):
        return {}

    def given(self, value):
        """A task's query as the cluster holds it: None for an empty one."""
        if value is None or all(value.get(part) is None for part in self.PARTS):
            return None
        return dict((part, value[part]) for part in self.PARTS)

    def range_error(self, value):
        if value is None:
            return None
        missing = [part for part in self.PARTS if value.get(part) is None]
        if missing and len(missing) < len(self.PARTS):
            return ('%s must be %s, all three, or none of them to clear it; %s missing.'
                    % (self.name, self.hint(), ' and '.join(missing)))
        return None

    def coerce(self, value):
        if (isinstance(value, dict) and set(value) == set(self.PARTS)
                and all(isinstance(part, str) for part in value.values()) and value['scope'] in SCOPES):
            return dict(value)
        raise ValueError(value)


class Text(Field):
    """A string; ca_cert compared without the white space around it."""

    def __init__(self, name, choices=None, strip=False):
        super(Text, self).__init__(name, 'str', choices=choices)
        self.strip = strip

    def empty(self):
        return ''

    def coerce(self, value):
        value = super(Text, self).coerce(value)
        return value.strip() if self.strip else value


# The configuration's writable fields with the ranges of its reference;
# bind_pass is an option of its own.
FIELDS = (
    Uris('uris'),
    Text('bind_dn'),
    Text('ca_cert', strip=True),
    Field('starttls', 'bool'),
    Text('user_dn_template'),
    Query('user_dn_query'),
    Text('dn_group_attr'),
    Query('dn_group_query'),
    Field('control_plane', 'bool'),
    Field('data_plane', 'bool'),
    AtLeast('cache_ttl', 0),
    Field('directory_timeout_s', 'int', 5, 60),
    Field('cba', 'bool'),
    Text('cba_identity_source', choices=('subject_cn', 'subject_oid')),
    Text('cba_identity_oid'),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)


def _none(value):
    """Whether a value of the configuration, as answered, is none."""
    return value is None or value == '' or value == [] or value == {}


def configured(writable):
    """Whether a configuration (its writable fields) is there: what
    state=absent takes away. None is no uris, both planes off."""
    return bool(writable.get('uris') or writable.get('control_plane') or writable.get('data_plane'))


NOT_ABSENT = ('state=absent removes the whole LDAP configuration and takes none of its options; got %s. Drop them, '
              'or use state=present.')
BIND_PASS_AGAIN = ('bind_pass was sent, but the cluster has no uris and the task sets none: the LDAP configuration '
                   'counts as new while it has no uris, so every run sends bind_pass again (update_bind_pass: '
                   'on_create). Set uris in the same task.')
FORBIDDEN = ('User %s may not %s (HTTP 403): it needs the %s permission, which the built-in admin and user_manager '
             'roles hold. Use a user of one of them.%s')
ILLEGAL = ('The cluster refused %s (HTTP 400, illegal_fields_combination): it holds one of user_dn_template and '
           'user_dn_query, and one of dn_group_attr and dn_group_query, never both.%s The write sent the one the '
           'task sets and cleared the other (an empty value), which this cluster does not take in one write: clear '
           "the other first (give it empty, '' or a query of none of base, filter and scope), then run the task "
           'again. Nothing was changed.')


def explain(params, failure):
    """The LDAP configuration's own messages: the roles that hold its
    permissions, and a pair of fields the cluster will not hold together."""
    if failure.status == 403:
        return FORBIDDEN % (failure.user, failure.call, _contract.permission(failure.method, failure.path),
                            failure.said)
    if failure.status == 400 and failure.code == 'illegal_fields_combination':
        return ILLEGAL % (failure.call, failure.said)
    return None


class LdapPlan(Plan):
    """A Plan of the LDAP configuration: delete for state=absent; body, the
    partial PUT; predicted, the configuration a write would leave."""

    def __init__(self, before, after, body=None, changed=None, delete=False, predicted=None):
        super(LdapPlan, self).__init__(before, after, body=body, changed=changed)
        self.delete = delete
        self.predicted = predicted


class Ldap(SettingsResource):
    """The cluster's LDAP configuration: only the options a task sets are
    enforced, and only what differs is sent."""

    def __init__(self):
        super(Ldap, self).__init__(
            'LDAP configuration', PATH, FIELDS, result_key='ldap', explain=explain,
            options=dict(
                bind_pass=dict(type='str', no_log=True),
                update_bind_pass=dict(type='str', choices=['on_create', 'always'], default='on_create',
                                      no_log=False),
                state=dict(type='str', choices=['present', 'absent'], default='present'),
            ))
        hints = tuple(hint for hint in self.spec.hints if hint[0] != 'one of the following is required') + (
            ('state is present but any of the following are missing',
             'A task with none of them would only read the cluster and enforce nothing: check for a misspelt '
             'option, or one templated to omit.'),
            ('mutually exclusive',
             'The cluster holds one of user_dn_template and user_dn_query, and one of dn_group_attr and '
             'dn_group_query: set the one to use, and the module clears the other on the cluster.'),
        )
        self.spec = Spec(self.spec.options, hints=hints,
                         mutually_exclusive=[list(pair) for pair in EXCLUSIVE],
                         required_if=[('state', 'present', list(FIELD_NAMES) + ['bind_pass'], True),
                                      ('update_bind_pass', 'always', ['bind_pass'])])

    def desired(self, params):
        """name -> the value the task sets, as the cluster holds it (None:
        none, for an empty one, which clears the field)."""
        given = [name for name in FIELD_NAMES + ('bind_pass',) if params.get(name) is not None]
        if params['state'] == 'absent':
            if given:
                raise RedisEnterpriseError(NOT_ABSENT % ', '.join(given))
            return {}
        errors = [field.range_error(params.get(field.name)) for field in self.fields]
        errors = [error for error in errors if error]
        if errors:
            raise RedisEnterpriseError(' '.join(errors))
        want = {}
        for field in self.fields:
            value = params.get(field.name)
            if value is None:
                continue
            if isinstance(field, Query):
                value = field.given(value)
            elif isinstance(field, Text) and field.strip:
                value = value.strip()
            want[field.name] = None if _none(value) else value
        return want

    @staticmethod
    def unset(value):
        """Answered empty, null or not at all: a cluster may answer a field it
        does not hold either way."""
        return _none(value)

    def read(self, api, task):
        state = api.get(self.path)
        # Masked, it says nothing; dropped before anything can show it.
        state.pop('bind_pass', None)
        return state

    def plan(self, task, state, want):
        before = self.writable(state)
        if task.params['state'] == 'absent':
            return LdapPlan(before, {}, changed=configured(before), delete=True, predicted={})
        fields = dict((field.name, field) for field in self.fields)
        after = copy.deepcopy(before)
        body = {}
        for name, value in want.items():
            if value != before.get(name):
                body[name] = fields[name].empty() if value is None else value
            if value is None:
                after.pop(name, None)
            else:
                after[name] = value
        for pair in EXCLUSIVE:
            for one, other in (pair, pair[::-1]):
                if want.get(one) is not None and other in after:
                    body[other] = fields[other].empty()
                    del after[other]
        predicted = dict((key, value) for key, value in state.items() if key not in fields)
        predicted.update(after)
        new = not before.get('uris')
        bind_pass = task.params.get('bind_pass')
        if bind_pass is not None and (task.params['update_bind_pass'] == 'always' or new):
            body['bind_pass'] = bind_pass
            after['bind_pass'] = BIND_PASS_SENT
            if new and task.params['update_bind_pass'] == 'on_create' and not after.get('uris'):
                task.warn(BIND_PASS_AGAIN)
        return LdapPlan(before, after, body=body, changed=bool(body), predicted=predicted)

    def guard(self, api, task, state, plan):
        """A login through LDAP keeps it: no removal of the configuration, and
        control_plane not turned off (_login)."""
        plane_off = plan.before.get('control_plane') is True and (plan.body or {}).get('control_plane') is False
        _login.guard_ldap(api, task, plan.before, plan.delete, plane_off)

    def write(self, api, task, state, plan):
        if plan.delete:
            api.delete(self.path)
            return {}
        answer = api.put(self.path, plan.body)
        answer.pop('bind_pass', None)
        # The diff's after: what the cluster holds once written.
        after = self.writable(answer)
        if 'bind_pass' in plan.body:
            after['bind_pass'] = BIND_PASS_SENT
        plan.after = after
        return answer

    def result(self, task, state, plan, written):
        if written or not plan.changed:
            return {self.result_key: state}
        return {self.result_key: plan.predicted}


CONFIG = Ldap()

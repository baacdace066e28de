# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The fields of the objects the collection manages, typed as the API
reference gives them: how a task gives each (its option), how a cluster's
answer is read (coerce: numbers answered as text are numbers), how two values
compare (sets sorted), and a value of another type shown as the cluster gave
it (Unreadable). Reference: the objects a field names (a user's roles).

Used by the shapes of _resources.py and by every resource that declares
fields; imports nothing of the engine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.parsing.convert_bool import boolean


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

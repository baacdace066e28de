# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests and answers checked against the collection's declaration of the
REST API (plugins/module_utils/_contract.py), with jsonschema.

The simulator calls a Checker, once a test suite switches it on, for every
request body it receives and every answer of its own handling; each method
returns the violations as messages, an empty list when all is well.

What jsonschema does not do by itself is done here: readOnly and writeOnly
are mere annotations to it, so a readOnly field in a request body (or a
writeOnly one in an answer) is looked for; formats are checked only with a
FormatChecker, which is given."""

from __future__ import annotations

import copy
import importlib.util
import os
import re

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DECLARATION = os.path.join(ROOT, 'plugins', 'module_utils', '_contract.py')
FIX = ('Either the collection (or the simulator) is wrong, or the declaration is: check the call against the REST API '
       'reference and the vendor spec (make contract), then correct the one that is wrong.')


def load_declaration(path=DECLARATION):
    """plugins/module_utils/_contract.py, read from its file: it imports
    nothing of Ansible, and a checkout need not have the collection linked
    where Ansible finds it."""
    spec = importlib.util.spec_from_file_location('redis_enterprise_contract', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def marked(schema, value, flag, where=''):
    """The places in value of the fields that schema marks with flag
    (readOnly, writeOnly), as 'a.b[0].c'."""
    found = []
    if not isinstance(schema, dict):
        return found
    if isinstance(value, dict):
        for name, item in value.items():
            field = schema.get('properties', {}).get(name)
            if field is None:
                continue
            place = '%s.%s' % (where, name) if where else name
            if field.get(flag):
                found.append(place)
            found.extend(marked(field, item, flag, place))
    elif isinstance(value, list) and isinstance(schema.get('items'), dict):
        for index, item in enumerate(value):
            found.extend(marked(schema['items'], item, flag, '%s[%d]' % (where, index)))
    return found


class Checker:
    """Checks against a declaration: the module's own, or endpoints given
    (a changed copy of its ENDPOINTS, to show what a missing field does)."""

    def __init__(self, endpoints=None, declaration=None):
        self.declaration = declaration or load_declaration()
        self.endpoints = self.declaration.ENDPOINTS if endpoints is None else endpoints
        format_checker = jsonschema.FormatChecker()
        # One validator per schema, made once: the simulator checks every call.
        self.validators = {}
        for endpoint in list(self.endpoints.values()) + [{'answers': self.declaration.COMMON_ANSWERS}]:
            schemas = [endpoint.get('body')] + list(endpoint['answers'].values()) + list(
                endpoint.get('query', {}).values())
            for schema in schemas:
                if schema is not None and id(schema) not in self.validators:
                    jsonschema.Draft202012Validator.check_schema(schema)
                    self.validators[id(schema)] = jsonschema.Draft202012Validator(schema,
                                                                                  format_checker=format_checker)

    def changed(self, change):
        """A Checker of a copy of the endpoints, change(copy) applied."""
        endpoints = copy.deepcopy(self.endpoints)
        change(endpoints)
        return Checker(endpoints, self.declaration)

    def _endpoint(self, method, path):
        return self.endpoints.get(self.declaration.declared(method, path))

    def _answers(self, method, path):
        answers = dict(self.declaration.COMMON_ANSWERS)
        answers.update(self._endpoint(method, path)['answers'])
        return answers

    def _invalid(self, schema, value):
        errors = sorted(self.validators[id(schema)].iter_errors(value), key=lambda error: [str(part) for part in error.absolute_path])
        # An anyOf names no branch by itself: what each of them lacks.
        return ['%s%s (at %s)' % (error.message, ' (%s)' % '; or '.join(sub.message for sub in error.context)
                                  if error.context else '',
                                  '/'.join(str(part) for part in error.absolute_path) or 'the top')
                for error in errors]

    def request(self, method, path, body, query=None):
        """The violations of a request: a call the declaration does not have,
        a query parameter it does not take or a value of the wrong type, a
        body where it declares none (or none where it declares one), a body
        its schema refuses, a readOnly field sent. query: name -> the values
        of each query parameter, as parse_qs gives them."""
        call = '%s %s' % (method, path)
        endpoint = self._endpoint(method, path)
        if endpoint is None:
            return ['%s is not declared in plugins/module_utils/_contract.py: declare the call (permission, body, '
                    'answers) from the REST API reference, or do not make it.' % call]
        found = self._query(call, endpoint.get('query', {}), query or {})
        schema = endpoint.get('body')
        if schema is None:
            return found + ([] if body is None else ['%s was sent a body, but the declaration takes none: send none. '
                                                     '%s' % (call, FIX)])
        if body is None:
            return found + ['%s was sent no body, but the declaration takes one. %s' % (call, FIX)]
        found.extend('the request body of %s: %s. %s' % (call, error, FIX) for error in self._invalid(schema, body))
        found.extend('the request body of %s holds %s, which is read-only: never send it.' % (call, place)
                     for place in marked(schema, body, 'readOnly'))
        return found

    def _query(self, call, declared, query):
        """The violations of a request's query parameters: one the call does
        not take, given more than once, or a value its type refuses (a
        boolean is true or false, as the collection sends it)."""
        found = []
        for name, values in sorted(query.items()):
            if name not in declared:
                found.append('%s was sent the query parameter %s, which the declaration does not take. %s'
                             % (call, name, FIX))
                continue
            if len(values) != 1:
                found.append('%s was sent the query parameter %s %d times: send it once.' % (call, name, len(values)))
                continue
            value = values[0]
            if declared[name].get('type') == 'boolean':
                if value not in ('true', 'false'):
                    found.append('%s was sent %s=%s, which is not true or false. %s' % (call, name, value, FIX))
            elif declared[name].get('type') == 'integer':
                # On the wire every value is text: an integer's is its digits.
                if not re.match(r'^-?[0-9]+$', value):
                    found.append('%s was sent %s=%s, which is not an integer. %s' % (call, name, value, FIX))
                else:
                    found.extend('the query parameter %s of %s: %s. %s' % (name, call, error, FIX)
                                 for error in self._invalid(declared[name], int(value)))
            else:
                found.extend('the query parameter %s of %s: %s. %s' % (name, call, error, FIX)
                             for error in self._invalid(declared[name], value))
        return found

    def answer(self, method, path, status, payload):
        """The violations of an answer (payload: its JSON, or None for no
        body): a status the declaration does not list for the call, a body
        where it declares none (or none where it declares one), a body its
        schema refuses, a writeOnly field answered. A call the declaration
        does not have is the request's violation, not repeated here."""
        call = '%s %s' % (method, path)
        if self._endpoint(method, path) is None:
            return []
        answers = self._answers(method, path)
        if status not in answers:
            return ['%s was answered HTTP %d, which the declaration does not list for it (%s). %s'
                    % (call, status, ', '.join(str(s) for s in sorted(answers)), FIX)]
        schema = answers[status]
        if payload is None:
            # An error answer may come without a body; a success must have
            # the body its schema declares.
            if schema is None or status >= 400:
                return []
            return ['the HTTP %d answer of %s has no body, but the declaration gives it one. %s' % (status, call, FIX)]
        if schema is None:
            return ['the HTTP %d answer of %s has a body, but the declaration gives it none. %s' % (status, call, FIX)]
        found = ['the HTTP %d answer of %s: %s. %s' % (status, call, error, FIX)
                 for error in self._invalid(schema, payload)]
        found.extend('the HTTP %d answer of %s holds %s, which is write-only: a cluster never answers it. %s'
                     % (status, call, place, FIX) for place in marked(schema, payload, 'writeOnly'))
        return found

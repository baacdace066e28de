# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's declaration of the REST API (plugins/module_utils/_contract.py)
against a vendor OpenAPI 3 spec: every difference, each marked registered
when tests/contract/deviations.yml holds it with its source.

    python tests/contract/compare.py SPEC [--deviations FILE]

`make contract SPEC=path` runs it. It compares the endpoints the collection
calls: whether the spec has them, their permission, timeout
(x-timeout-seconds) and deprecation, their query parameters (presence and
schema), their request body and the statuses and bodies of their answers,
field by field, with every keyword of a schema either side may carry:
type and nullable, format, enum and const, default, multipleOf, minimum,
maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength,
pattern, items, minItems, maxItems, uniqueItems, properties, required,
additionalProperties, minProperties, maxProperties, oneOf, anyOf, allOf,
not, readOnly, writeOnly and deprecated. A keyword not named here is
compared too, by its value, so that none goes unseen; only annotations
(title, description, example, examples, externalDocs, xml, $comment) and
x- extensions are not compared.

The two dialects are read alike: OpenAPI 3.0's nullable as a type that
admits null, its boolean exclusiveMinimum and exclusiveMaximum as the
bound they make exclusive, a const as an enum of one value, a keyword at
its neutral value (minLength 0, uniqueItems false) as none, allOf merged
into one schema. The branches of a oneOf or anyOf are paired whatever
their order, one the other side lacks reported as such; the anyOf
branches that only require fields are part of required. Patterns are
compared as written: one written differently for the same strings is a
registered difference, and tests/integration/test_contract.py holds every
registered pattern to the spec's over sample strings.

The error object is compared once, as "error object"; the answers the
declaration gives every call (401, 403, 503) once each, as "every call",
with the calls whose spec lacks them.

Exit status: 0 when every difference is registered and every register
entry matches one, 1 when a difference is not registered or an entry
matches none (the spec or the declaration changed, or the comparison lost
a keyword: drop or update the entry), 2 when a file cannot be read."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from checker import load_declaration  # noqa: E402  pylint: disable=wrong-import-position

DEVIATIONS = os.path.join(HERE, 'deviations.yml')
# The keywords compared by value, in this order; any other keyword that is
# neither a subschema nor an annotation is compared after them.
ASPECTS = ('type', 'nullable', 'format', 'enum', 'default', 'multipleOf', 'minimum', 'exclusiveMinimum', 'maximum',
           'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems',
           'required', 'additionalProperties', 'minProperties', 'maxProperties', 'readOnly', 'writeOnly',
           'deprecated')
# The keywords that hold subschemas, compared schema by schema.
SUBSCHEMAS = ('properties', 'items', 'oneOf', 'anyOf', 'not')
# What says nothing about the values a schema admits.
ANNOTATIONS = ('title', 'description', 'example', 'examples', 'externalDocs', 'xml', '$comment')
# A keyword left out is the same as at this value.
NEUTRAL = {'nullable': False, 'minLength': 0, 'minItems': 0, 'minProperties': 0, 'uniqueItems': False,
           'readOnly': False, 'writeOnly': False, 'deprecated': False}
KEYS = ('endpoint', 'where', 'field', 'aspect', 'declared', 'spec')
ERROR_OBJECT = 'error object'
EVERY_CALL = 'every call'


class Difference:
    """One difference: what (endpoint, where, field, aspect) and the two
    values, the declaration's and the spec's."""

    def __init__(self, endpoint, where, aspect, declared, spec, field=''):
        self.endpoint = endpoint
        self.where = where
        self.field = field
        self.aspect = aspect
        self.declared = declared
        self.spec = spec

    def key(self):
        return tuple(_canonical(getattr(self, name)) for name in KEYS)

    def __str__(self):
        place = ' '.join(part for part in (self.endpoint, self.where, self.field) if part)
        return '%s: %s declared %s, spec %s' % (place, self.aspect, _shown(self.declared), _shown(self.spec))


def _canonical(value):
    return json.dumps(value, sort_keys=True)


def _shown(value):
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _normal_path(path):
    """A path with its template placeholders unnamed: {name} and
    {certificate_name} are the same segment."""
    return re.sub(r'\{[^/{}]+\}', '{}', path)


class Spec:
    """An OpenAPI 3 document, its local $refs resolved."""

    def __init__(self, document):
        self.document = document
        self.operations = {}
        for path, item in document.get('paths', {}).items():
            for method, operation in item.items():
                if method.lower() in ('get', 'put', 'post', 'delete', 'patch'):
                    self.operations[(method.upper(), _normal_path(path))] = (path, operation)

    def resolve(self, node, seen=()):
        """node with every $ref replaced by what it names (a cycle is left
        as the $ref), and allOf merged into one schema."""
        if isinstance(node, list):
            return [self.resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        if '$ref' in node:
            ref = node['$ref']
            if ref in seen or not ref.startswith('#/'):
                return {'$ref': ref}
            target = self.document
            for part in ref[2:].split('/'):
                target = target[part.replace('~1', '/').replace('~0', '~')]
            return self.resolve(target, seen + (ref,))
        resolved = dict((key, self.resolve(value, seen)) for key, value in node.items())
        if 'allOf' in resolved:
            resolved = _merged(resolved)
        return resolved

    def operation(self, method, path):
        found = self.operations.get((method, _normal_path(path)))
        return (found[0], self.resolve(found[1])) if found else (None, None)


def _merged(schema):
    """An allOf flattened: properties and required joined, the rest of each
    branch laid over. (Validating against allOf branches with
    additionalProperties false would refuse each other's fields; compared,
    the fields are what matters.)"""
    merged = dict((key, value) for key, value in schema.items() if key != 'allOf')
    for branch in schema['allOf']:
        for key, value in branch.items():
            if key == 'properties':
                merged.setdefault('properties', {}).update(value)
            elif key == 'required':
                merged['required'] = sorted(set(merged.get('required', [])) | set(value))
            else:
                merged.setdefault(key, value)
    return merged


def _json_schema(content):
    """The application/json schema of a requestBody or response, or None."""
    if not isinstance(content, dict):
        return None
    media = content.get('content', {}).get('application/json')
    return media.get('schema') if isinstance(media, dict) else None


def _required_only(branch):
    """An anyOf branch that only requires fields: part of required."""
    return isinstance(branch, dict) and set(branch) == {'required'}


def _normal(schema):
    """The keywords of a schema in one form for either dialect, annotations
    and x- extensions left out (see the module's docstring)."""
    if schema is True or schema is None:
        schema = {}
    elif schema is False:
        schema = {'not': {}}
    if 'allOf' in schema:
        schema = _merged(schema)
    normal = dict((key, value) for key, value in schema.items()
                  if key not in ANNOTATIONS and not key.startswith('x-'))
    kinds = normal.get('type')
    if isinstance(kinds, list):
        named = sorted(set(kinds) - {'null'})
        if 'null' in kinds and named:
            normal['nullable'] = True
        normal['type'] = (named[0] if len(named) == 1 else named) if named else 'null'
    for bound in ('minimum', 'maximum'):
        exclusive = 'exclusive' + bound.capitalize()
        # OpenAPI 3.0: a boolean that makes minimum (maximum) exclusive.
        if isinstance(normal.get(exclusive), bool):
            if normal.pop(exclusive) and bound in normal:
                normal[exclusive] = normal.pop(bound)
    if 'const' in normal and 'enum' not in normal:
        normal['enum'] = [normal.pop('const')]
    for name, neutral in NEUTRAL.items():
        if name in normal and normal[name] == neutral:
            del normal[name]
    if normal.get('additionalProperties') in (True, {}):
        del normal['additionalProperties']
    return normal


def _aspect(schema, name):
    """An aspect of a normal schema in one form for either side."""
    if name == 'required':
        required = sorted(schema.get('required', []))
        alternatives = [sorted(branch['required']) for branch in schema.get('anyOf', []) if _required_only(branch)]
        if alternatives:
            required.append('one of: %s' % ' or '.join('+'.join(names) for names in alternatives))
        return required
    if name == 'additionalProperties':
        value = schema.get(name, True)
        return value if isinstance(value, bool) else 'a schema'
    if isinstance(NEUTRAL.get(name), bool):
        return bool(schema.get(name, False))
    if name == 'enum' and name in schema:
        return sorted(schema[name], key=_canonical)
    return schema.get(name)


def _place(field, part):
    return '%s %s' % (field, part) if field else part


def _branches(keyword, ours, theirs, endpoint, where, field):
    """The differences of two lists of alternatives (oneOf, anyOf): a
    branch of one side paired with a branch of the other that has no
    difference from it, whatever their order, the rest in their order."""
    found = []
    unpaired = list(range(len(theirs)))
    left = []
    for number, branch in enumerate(ours):
        twin = next((index for index in unpaired
                     if not compare_schemas(branch, theirs[index], endpoint, where, field)), None)
        if twin is None:
            left.append(number)
        else:
            unpaired.remove(twin)
    for number, index in zip(left, unpaired):
        found.extend(compare_schemas(ours[number], theirs[index], endpoint, where,
                                     _place(field, '(%s %d)' % (keyword, number + 1))))
    for number in left[len(unpaired):]:
        found.append(Difference(endpoint, where, 'presence', 'present', 'absent',
                                _place(field, '(%s %d)' % (keyword, number + 1))))
    for index in unpaired[len(left):]:
        found.append(Difference(endpoint, where, 'presence', 'absent', 'present',
                                _place(field, "(%s, the spec's %d)" % (keyword, index + 1))))
    return found


def compare_schemas(declared, spec, endpoint, where, field=''):
    """The differences of two schemas, keyword by keyword and field by
    field."""
    found = []
    declared, spec = _normal(declared), _normal(spec)
    others = sorted((set(declared) | set(spec)) - set(ASPECTS) - set(SUBSCHEMAS))
    for name in ASPECTS + tuple(others):
        ours, theirs = _aspect(declared, name), _aspect(spec, name)
        # As JSON: Python holds false equal to 0.
        if _canonical(ours) != _canonical(theirs):
            found.append(Difference(endpoint, where, name, ours, theirs, field))
    ours, theirs = declared.get('properties', {}), spec.get('properties', {})
    for name in sorted(set(ours) | set(theirs)):
        place = '%s.%s' % (field, name) if field else name
        if name not in theirs:
            found.append(Difference(endpoint, where, 'presence', 'present', 'absent', place))
        elif name not in ours:
            found.append(Difference(endpoint, where, 'presence', 'absent', 'present', place))
        else:
            found.extend(compare_schemas(ours[name], theirs[name], endpoint, where, place))
    if isinstance(declared.get('items'), dict) or isinstance(spec.get('items'), dict):
        found.extend(compare_schemas(declared.get('items') or {}, spec.get('items') or {}, endpoint, where,
                                     field + '[]'))
    ours, theirs = declared.get('additionalProperties'), spec.get('additionalProperties')
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found.extend(compare_schemas(ours, theirs, endpoint, where, field + '{}'))
    for keyword in ('oneOf', 'anyOf'):
        ours = [branch for branch in declared.get(keyword, []) if keyword == 'oneOf' or not _required_only(branch)]
        theirs = [branch for branch in spec.get(keyword, []) if keyword == 'oneOf' or not _required_only(branch)]
        found.extend(_branches(keyword, ours, theirs, endpoint, where, field))
    if 'not' in declared or 'not' in spec:
        place = _place(field, '(not)')
        if 'not' in declared and 'not' in spec:
            found.extend(compare_schemas(declared['not'], spec['not'], endpoint, where, place))
        else:
            found.append(Difference(endpoint, where, 'presence', 'present' if 'not' in declared else 'absent',
                                    'present' if 'not' in spec else 'absent', place))
    return found


def _bodies(declared, spec, endpoint, where, declaration, errors):
    """The differences of a body: one side with none, or the schemas'."""
    if declared is None or spec is None:
        if (declared is None) != (spec is None):
            return [Difference(endpoint, where, 'body', 'none' if declared is None else 'present',
                               'none' if spec is None else 'present')]
        return []
    if declared is declaration.ERROR:
        # The error object once, whichever answers carry it.
        errors.setdefault(_canonical(spec), compare_schemas(declared, spec, ERROR_OBJECT, 'schema'))
        return []
    return compare_schemas(declared, spec, endpoint, where)


def _queries(declared, operation, call):
    """The differences of the query parameters of a call, by name."""
    theirs = dict((parameter.get('name'), parameter.get('schema') or {})
                  for parameter in operation.get('parameters', []) or []
                  if isinstance(parameter, dict) and parameter.get('in') == 'query')
    found = []
    for name in sorted(set(declared) | set(theirs)):
        if name not in theirs:
            found.append(Difference(call, 'query', 'presence', 'present', 'absent', name))
        elif name not in declared:
            found.append(Difference(call, 'query', 'presence', 'absent', 'present', name))
        else:
            found.extend(compare_schemas(declared[name], theirs[name], call, 'query', name))
    return found


def _scopes(operation):
    return sorted(set(scope for requirement in operation.get('security', []) or []
                      for scopes in requirement.values() for scope in scopes))


def compare(declaration, document):
    """Every difference of the declaration (the _contract module) from an
    OpenAPI document (a dict)."""
    spec = Spec(document)
    found = []
    errors = {}
    lacking = dict((status, []) for status in declaration.COMMON_ANSWERS)
    for (method, path), endpoint in sorted(declaration.ENDPOINTS.items()):
        call = '%s %s' % (method, path)
        dummy, operation = spec.operation(method, path)
        if operation is None:
            found.append(Difference(call, 'endpoint', 'presence', 'present', 'absent'))
            continue
        # None: a call any user may make on itself, as the spec's empty scopes say.
        if ([endpoint['permission']] if endpoint['permission'] else []) != _scopes(operation):
            found.append(Difference(call, 'permission', 'permission', endpoint['permission'], _scopes(operation)))
        if endpoint.get('timeout') != operation.get('x-timeout-seconds'):
            found.append(Difference(call, 'timeout', 'x-timeout-seconds', endpoint.get('timeout'),
                                    operation.get('x-timeout-seconds')))
        if bool(endpoint.get('deprecated')) != bool(operation.get('deprecated')):
            found.append(Difference(call, 'deprecated', 'deprecated', bool(endpoint.get('deprecated')),
                                    bool(operation.get('deprecated'))))
        found.extend(_queries(endpoint.get('query', {}), operation, call))
        found.extend(_bodies(endpoint.get('body'), _json_schema(operation.get('requestBody')), call, 'request',
                             declaration, errors))
        theirs = dict((int(status), answer) for status, answer in operation.get('responses', {}).items()
                      if str(status).isdigit())
        ours = endpoint['answers']
        for status in sorted(set(ours) | set(theirs) | set(declaration.COMMON_ANSWERS)):
            where = 'answer %d' % status
            if status not in theirs:
                if status in ours:
                    found.append(Difference(call, where, 'status', 'present', 'absent'))
                else:
                    lacking[status].append(call)
                continue
            if status in ours:
                schema = ours[status]
            elif status in declaration.COMMON_ANSWERS:
                schema = declaration.COMMON_ANSWERS[status]
            else:
                found.append(Difference(call, where, 'status', 'absent', 'present'))
                continue
            found.extend(_bodies(schema, _json_schema(theirs[status]), call, where, declaration, errors))
    for status, calls in sorted(lacking.items()):
        if calls:
            found.append(Difference(EVERY_CALL, 'answer %d' % status, 'status', 'present',
                                    'absent in ' + ', '.join(calls)))
    for differences in errors.values():
        found.extend(differences)
    unique = {}
    for difference in found:
        unique.setdefault(difference.key(), difference)
    return list(unique.values())


def load_register(path):
    """The register: a list of entries, each with the keys of a difference
    (field may be left out) and its source and reason."""
    with open(path) as handle:
        data = yaml.safe_load(handle) or {}
    entries = data.get('deviations', []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError('%s must hold a mapping with a list under "deviations"' % path)
    for number, entry in enumerate(entries, 1):
        missing = [name for name in KEYS + ('source', 'reason') if name != 'field' and name not in entry]
        if missing:
            raise ValueError('entry %d of %s (%s) lacks %s: every deviation says what differs, which page or fact '
                             'sheet says so (source) and why the declaration keeps it (reason)'
                             % (number, path, entry.get('endpoint'), ', '.join(missing)))
        entry.setdefault('field', '')
    return entries


def _entry_key(entry):
    return tuple(_canonical(entry[name]) for name in KEYS)


def stale_entries(differences, register):
    """The register entries that match no difference."""
    keys = set(difference.key() for difference in differences)
    return [entry for entry in register if _entry_key(entry) not in keys]


def report(differences, register, out=sys.stdout):
    """Print every difference, registered or not, and the register entries
    that match none. Returns the unregistered differences."""
    known = dict((_entry_key(entry), entry) for entry in register)
    unregistered = []
    for difference in sorted(differences, key=lambda d: (d.endpoint, d.where, d.field, d.aspect)):
        entry = known.get(difference.key())
        if entry:
            out.write('  registered    %s\n                (%s)\n' % (difference, entry['source']))
        else:
            unregistered.append(difference)
            out.write('  NOT REGISTERED %s\n' % difference)
    stale = stale_entries(differences, register)
    for entry in stale:
        out.write('  stale entry   %s: matches no difference any more; drop it from the register, or correct it\n'
                  % ' '.join(part for part in (entry['endpoint'], entry['where'], entry['field'], entry['aspect'])
                             if part))
    out.write('%d differences: %d registered, %d not registered; %d stale register entries.\n'
              % (len(differences), len(differences) - len(unregistered), len(unregistered), len(stale)))
    if unregistered:
        out.write('A difference not registered means the declaration (plugins/module_utils/_contract.py) or the spec '
                  'changed: correct the declaration, or, when the cluster does differ from the spec, add the '
                  'difference to %s with its source and reason (the fields above: endpoint, where, field, aspect, '
                  'declared, spec).\n' % os.path.relpath(DEVIATIONS))
    return unregistered


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('spec', help="the vendor's OpenAPI 3 spec, JSON")
    parser.add_argument('--deviations', default=DEVIATIONS,
                        help='the register of known differences (default: %(default)s)')
    parser.add_argument('--declaration', help='the declaration to compare (default: plugins/module_utils/_contract.py)')
    args = parser.parse_args(argv)
    try:
        with open(args.spec) as handle:
            document = json.load(handle)
        register = load_register(args.deviations)
    except (OSError, ValueError) as error:
        sys.stderr.write('make contract: %s\n' % error)
        return 2
    declaration = load_declaration(args.declaration) if args.declaration else load_declaration()
    info = document.get('info', {})
    sys.stdout.write('The declaration against %s (%s %s):\n' % (args.spec, info.get('title', 'no title'),
                                                                info.get('version', '')))
    differences = compare(declaration, document)
    return 1 if report(differences, register) or stale_entries(differences, register) else 0


if __name__ == '__main__':
    sys.exit(main())

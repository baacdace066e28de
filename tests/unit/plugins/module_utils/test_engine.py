# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine: a resource declared to it is a working module, with check
mode, diff and the engine's messages; and the declarations it refuses."""

from __future__ import annotations

import json
import types

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _access, _engine, _resources, _x509
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError
from ansible_collections.redis.enterprise.plugins.module_utils._engine import Spec
from ansible_collections.redis.enterprise.plugins.module_utils._fields import Field
from ansible_collections.redis.enterprise.plugins.module_utils._resources import SettingsResource
from ansible_collections.redis.enterprise.plugins.modules import certificate, certificate_info

# A settings endpoint declared as the next module would declare it, here
# over /v1/ocsp, which the simulator serves: two of its fields, and a str
# field with choices to show how those are declared.
TIMINGS = SettingsResource(
    'OCSP timings', '/v1/ocsp', result_key='timings',
    fields=(Field('query_frequency', 'int', 60, 86400), Field('response_timeout', 'int', 1, 60)))
POLICY = SettingsResource(
    'cluster policy', '/v1/cluster/policy', result_key='policy',
    fields=(Field('default_shards_placement', 'str', choices=('dense', 'sparse')), Field('rack_aware', 'bool'),
            Field('name', 'str')))


def as_module(resource):
    """What a module file holds beyond its documentation."""
    return types.SimpleNamespace(main=lambda: _engine.main(resource))


@pytest.fixture
def connection(simulator, sim_url):
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path}


@pytest.mark.parametrize('check', [False, True])
def test_a_declared_settings_endpoint_is_a_working_module(run_module, cluster, connection, check):
    failed, result = run_module(as_module(TIMINGS), dict(connection, query_frequency=600), check=check, diff=True)
    assert not failed, result
    assert result['changed'] is True
    # Every declared field goes into the PUT, the current values merged in; nothing else is compared.
    assert result['diff'] == {'before': {'query_frequency': 3600, 'response_timeout': 1},
                              'after': {'query_frequency': 600, 'response_timeout': 1}}
    assert result['timings']['query_frequency'] == 600
    assert [r['method'] for r in cluster.log] == (['GET'] if check else ['GET', 'PUT'])
    assert cluster.config['query_frequency'] == (3600 if check else 600)

    failed, again = run_module(as_module(TIMINGS), dict(connection, query_frequency=cluster.config['query_frequency']))
    assert not failed and again['changed'] is False


def test_a_declared_module_gets_the_engines_messages(run_module, cluster, connection):
    failed, result = run_module(as_module(TIMINGS), dict(connection, response_timeout=0))
    assert failed and result['msg'] == 'response_timeout must be an integer from 1 to 60; got 0.'
    failed, result = run_module(as_module(TIMINGS), connection)
    assert failed and 'one of the following is required: query_frequency, response_timeout' in result['msg']
    assert 'enforce nothing' in result['msg']
    assert cluster.log == []
    cluster.update({'faults': {'fail_next': {'count': 1, 'status': 403}}})
    failed, result = run_module(as_module(TIMINGS), dict(connection, query_frequency=600))
    assert failed and result['http_status'] == 403 and 'view_ocsp_config' in result['msg'], result


def test_str_fields_with_choices():
    spec = POLICY.spec.argument_spec()
    assert spec['default_shards_placement'] == {'type': 'str', 'choices': ['dense', 'sparse']}
    assert spec['name'] == {'type': 'str'} and 'url' in spec and spec['password']['no_log'] is True
    assert dict(POLICY.spec.hints)["'default_shards_placement'"] == 'default_shards_placement must be one of dense, sparse.'
    assert dict(POLICY.spec.hints)["'name'"] == 'name must be a string.'
    made = POLICY.plan(None, {'default_shards_placement': 'dense', 'rack_aware': 'enabled', 'name': 'a', 'other': 1},
                       POLICY.desired({'default_shards_placement': 'sparse', 'rack_aware': None, 'name': None}))
    assert made.before == {'default_shards_placement': 'dense', 'rack_aware': True, 'name': 'a'}
    assert made.after == dict(made.before, default_shards_placement='sparse') == made.body
    # A value outside the documented choices (a newer cluster's) is read as given: kept while the task does not
    # set the field, replaced when it does.
    kept = POLICY.plan(None, {'default_shards_placement': 'wide', 'name': 'a'}, POLICY.desired({'name': 'a'}))
    assert kept.before == kept.after == {'default_shards_placement': 'wide', 'name': 'a'} and not kept.changed
    replaced = POLICY.plan(None, {'default_shards_placement': 'wide'},
                           POLICY.desired({'default_shards_placement': 'dense'}))
    assert (replaced.before, replaced.after, replaced.changed) == (
        {'default_shards_placement': 'wide'}, {'default_shards_placement': 'dense'}, True)


def test_a_constraint_the_argument_spec_does_not_know_is_refused_when_declared():
    with pytest.raises(TypeError) as info:
        Spec({}, required_one_of=[['a']], requierd_if=[['a', 1, ['b']]])
    assert str(info.value) == 'not a constraint of an argument spec: requierd_if'
    spec = Spec({'a': {'type': 'int'}}, mutually_exclusive=[['a', 'url']], required_by={'a': 'url'})
    assert spec.module_kwargs()['mutually_exclusive'] == [['a', 'url']]
    assert spec.validator_kwargs()['required_by'] == {'a': 'url'} and spec.module_kwargs()['supports_check_mode']


def test_a_resource_must_say_how_it_reads():
    resource = _engine.Resource()
    with pytest.raises(NotImplementedError):
        resource.read(None, None)
    with pytest.raises(NotImplementedError):
        resource.write(None, None, None, None)


@pytest.mark.parametrize('module', [certificate, certificate_info], ids=['certificate', 'certificate_info'])
def test_without_cryptography_the_module_path_says_what_to_install(run_module, monkeypatch, cluster, connection,
                                                                   module):
    monkeypatch.setattr(_x509, 'HAS_CRYPTOGRAPHY', False)
    args = dict(connection, name='proxy', certificate='x', key='y') if module is certificate else connection
    failed, result = run_module(module, args)
    assert failed and 'cryptography' in result['msg'] and 'pip install' in result['msg'], result
    assert cluster.log == []


def test_the_certificate_modules_run_as_modules(run_module, cluster, connection):
    failed, result = run_module(certificate_info, connection)
    assert not failed, result
    assert set(result['certificates']) >= {'proxy', 'api', 'cm', 'syncer'}
    assert result['certificates']['proxy']['sha256_fingerprint'].count(':') == 31
    # The databases' certificates too: none, so their databases' names are not read.
    reads = [('GET', '/v1/cluster/certificates'), ('GET', '/v1/bdbs/certificates')]
    assert cluster.calls() == reads and result['database_certificates'] == []
    failed, result = run_module(certificate, dict(connection, name='proxy', certificate='not a certificate', key='x'))
    assert failed and 'PEM' in result['msg'], result
    # Refused before any request.
    assert cluster.calls() == reads


# A collection of named objects: the users, roles and Redis ACLs modules
# are their declarations, run here as modules against the simulator.

ROLES = [{'uid': 1, 'name': 'Admin', 'management': 'admin'},
         {'uid': 3, 'name': 'Cluster Viewer', 'management': 'cluster_viewer'},
         {'uid': 4, 'name': 'DB Member', 'management': 'db_member'}]
JANE = {'uid': 9, 'email': 'jane@example.com', 'name': 'Jane', 'role_uids': [3, 4], 'auth_method': 'regular',
        'bdbs_email_alerts': ['1', '2'], 'email_alerts': True, 'status': 'active'}


def planned(resource, current, check=False, lookups=None, **params):
    """The Plan of a task with params, against current (None: no such object)."""
    params = dict(dict((field.name, None) for field in resource.fields), state='present', username=simlib.ADMIN_USER,
                  **params)
    if resource.secret_option:
        params.setdefault(resource.secret_option, 'on_create')
    task = types.SimpleNamespace(params=params, check_mode=check, warnings=[])
    task.warn = task.warnings.append
    state = dict(object=None if current is None else dict(current),
                 lookups=lookups if lookups is not None else {'/v1/roles': ROLES})
    plan = resource.plan(task, state, resource.desired(params))
    plan.related = dict(plan.related or {}, warnings=task.warnings)
    return plan


def test_lists_compare_as_sets_where_order_means_nothing():
    same = planned(_access.USER, JANE, email=JANE['email'], roles=['DB Member', 'Cluster Viewer'],
                   bdbs_email_alerts=['2', '1', '2'])
    assert (same.changed, same.body) == (False, {})
    assert same.after['roles'] == ['Cluster Viewer', 'DB Member']
    # One role more is a change, sent as the uids of every role named, each once.
    more = planned(_access.USER, JANE, email=JANE['email'], roles=['Admin', 'DB Member', 'Cluster Viewer', 'Admin'])
    assert more.changed and more.body == {'role_uids': [1, 4, 3]}


def test_an_ordered_list_compares_in_order():
    ordered = _resources.CollectionResource('thing', '/v1/things', key=Field('name', 'str'), result_key='thing',
                                            fields=(Field('steps', 'list', elements='str'),))
    current = {'uid': 1, 'name': 'a', 'steps': ['x', 'y']}
    assert not planned(ordered, current, lookups={}, name='a', steps=['x', 'y']).changed
    assert planned(ordered, current, lookups={}, name='a', steps=['y', 'x']).body == {'steps': ['y', 'x']}


def test_a_put_holds_only_the_fields_that_change():
    plan = planned(_access.USER, JANE, email=JANE['email'], name='Jane Doe', email_alerts=True,
                   roles=['Cluster Viewer', 'DB Member'], cluster_email_alerts=False)
    assert (plan.method, plan.path) == ('PUT', '/v1/users/9')
    # cluster_email_alerts is not on the cluster's object: set, it is a change too.
    assert plan.body == {'name': 'Jane Doe', 'cluster_email_alerts': False}
    assert plan.before['name'] == 'Jane' and plan.after['name'] == 'Jane Doe'
    assert plan.after['bdbs_email_alerts'] == ['1', '2'] and 'status' not in plan.after


def test_a_role_name_the_cluster_lacks_fails_and_names_those_it_has():
    said = ('The cluster has no role "Operators", which the option roles names (its roles: Admin, Cluster Viewer, '
            'DB Member). Nothing was written. Create the role first, or correct the name.')
    with pytest.raises(RedisEnterpriseError) as info:
        planned(_access.USER, None, email='new@example.com', name='New', roles=['DB Member', 'Operators'],
                user_password='N3w-user-pass')
    assert str(info.value) == said


def test_in_check_mode_a_role_name_the_cluster_lacks_warns_and_asks_no_dry_run():
    # An earlier task of the run may create it: the plan names it, and says it is unresolved.
    plan = planned(_access.USER, None, check=True, email='new@example.com', name='New',
                   roles=['DB Member', 'Operators'], user_password='N3w-user-pass')
    assert sorted(plan.after['roles']) == ['DB Member', 'Operators'] and plan.related['unresolved'] == ['Operators']
    (warning,) = plan.related['warnings']
    assert warning.startswith(said_missing('Operators')) and 'In check mode this is no failure' in warning


def said_missing(name):
    return 'The cluster has no role "%s", which the option roles names' % name


def test_a_create_sends_the_key_the_fields_and_the_secret_but_shows_no_secret():
    plan = planned(_access.USER, None, email='new@example.com', name='New', roles=['DB Member'],
                   user_password='N3w-user-pass')
    assert (plan.method, plan.path, plan.secrets) == ('POST', '/v1/users', ('password',))
    assert plan.body == {'email': 'new@example.com', 'name': 'New', 'role_uids': [4], 'password': 'N3w-user-pass'}
    assert plan.before == {} and plan.after == {'email': 'new@example.com', 'name': 'New', 'roles': ['DB Member'],
                                                'user_password': _resources.SECRET_SENT}
    assert 'N3w-user-pass' not in json.dumps(plan.after)


@pytest.mark.parametrize('update_password, changed, body', [
    ('on_create', False, {}),
    ('always', True, {'password': 'An0ther-pass'}),
])
def test_a_secret_is_sent_on_create_or_always_and_never_compared(update_password, changed, body):
    plan = planned(_access.USER, dict(JANE, password='***'), email=JANE['email'], user_password='An0ther-pass',
                   update_password=update_password)
    assert (plan.changed, plan.body) == (changed, body)
    # Sent always, it is a change the diff shows as sent, never as itself.
    assert plan.after == dict(plan.before, **({'user_password': _resources.SECRET_SENT} if changed else {}))
    assert 'password' not in plan.after and 'An0ther-pass' not in json.dumps(plan.after)
    assert plan.secrets == (('password',) if changed else ())


def test_a_plan_takes_only_the_fields_it_declares():
    plan = _engine.Plan({}, {'a': 1}, body={'a': 1}, method='POST', path='/v1/things')
    assert plan.changed and plan.related is None and plan.secrets == ()
    with pytest.raises(AttributeError):
        plan.leaf = 'not a field of Plan'  # pylint: disable=assigning-non-slot


def as_access_module(resource):
    return types.SimpleNamespace(main=lambda: _engine.main(resource))


@pytest.mark.parametrize('args, calls', [
    # Converged: reads only, no dry run.
    ({'name': 'Cluster Viewer', 'management': 'cluster_viewer'}, [('GET', '/v1/roles')]),
    ({'name': 'DBA', 'management': 'db_member'}, [('GET', '/v1/roles'), ('POST', '/v1/roles?dry_run=true')]),
    # A role's removal may cut the access of the user the task logs in as: the users are read to know (_login).
    ({'name': 'Cluster Viewer', 'state': 'absent'}, [('GET', '/v1/roles'), ('GET', '/v1/users'),
                                                     ('DELETE', '/v1/roles/3?dry_run=true')]),
])
def test_check_mode_asks_for_a_dry_run_only_when_a_change_is_planned(run_module, cluster, connection, args, calls):
    failed, result = run_module(as_access_module(_access.ROLE), dict(connection, **args), check=True)
    assert cluster.calls(query=True) == calls, result
    if len(calls) == 1:
        assert not failed and result['changed'] is False
    elif args.get('state') == 'absent':
        # The dry run of removing a built-in role: refused, and that is check mode's answer.
        assert failed and result['error_code'] == 'builtin_role' and 'dry run' in result['msg']
    else:
        assert not failed and result['changed'] is True and cluster.role('DBA') is None


def test_a_removal_without_a_dry_run_is_predicted_in_check_mode(run_module, cluster, connection):
    failed, result = run_module(as_access_module(_access.USER), dict(connection, email=simlib.VIEWER_USER,
                                                                     state='absent'), check=True, diff=True)
    assert not failed and result['changed'] is True and result['user'] == {}
    assert result['diff']['before']['email'] == simlib.VIEWER_USER and result['diff']['after'] == {}
    assert cluster.calls(query=True) == [('GET', '/v1/users'), ('GET', '/v1/roles')]
    assert cluster.user(simlib.VIEWER_USER) is not None


def test_a_password_the_cluster_refuses_fails_check_mode_without_showing_it(run_module, cluster, connection):
    args = dict(connection, email='new@example.com', name='New', roles=['DB Viewer'], user_password='weak')
    failed, result = run_module(as_access_module(_access.USER), args, check=True, diff=True)
    assert failed and result['error_code'] == 'password_not_complex' and 'POST /v1/users?dry_run=true' in result['msg']
    assert 'weak' not in json.dumps(result)
    assert cluster.writes() == [('POST', '/v1/users?dry_run=true')] and cluster.user('new@example.com') is None


def test_the_user_the_task_logs_in_as_is_neither_removed_nor_demoted(run_module, cluster, connection):
    for args in ({'state': 'absent'}, {'roles': ['DB Viewer']}):
        failed, result = run_module(as_access_module(_access.USER), dict(connection, email=simlib.ADMIN_USER, **args))
        assert failed and 'the user this task logs in as' in result['msg'], result
    assert cluster.writes() == []
    # Another admin role besides the one taken away keeps it an admin.
    failed, result = run_module(as_access_module(_access.USER), dict(connection, email=simlib.ADMIN_USER,
                                                                     roles=['Admin', 'DB Viewer']))
    assert not failed and result['changed'] is True and cluster.writes() == [('PUT', '/v1/users/1')]


@pytest.mark.parametrize('resource, args, needle', [
    (_access.USER, {'email': 'x@example.com', 'name': 'Tom & Jerry'},
     'name must be printable ASCII characters but &, <, > and ", at most 255 of them; got \'Tom & Jerry\'.'),
    (_access.USER, {'email': 'x@example.com', 'name': 'é' * 3}, "got 'ééé'"),
    (_access.USER, {'email': 'x@example.com', 'name': 'a' * 256}, 'at most 255 of them'),
    (_access.USER, {'email': 'x@example.com', 'roles': []}, 'roles must be a list of strings with at least 1 of them; '
                                                            'got 0.'),
    (_access.ROLE, {'name': 'Ops/Admins'}, 'name must be letters, digits, spaces and the characters'),
    # As the spec's pattern is read (ECMA-262): no newline before its end either.
    (_access.ROLE, {'name': 'Ops\n'}, 'name must be letters, digits, spaces and the characters'),
])
def test_what_the_pattern_of_the_api_refuses_fails_before_any_request(run_module, cluster, connection, resource,
                                                                      args, needle):
    failed, result = run_module(as_access_module(resource), dict(connection, **args))
    assert failed and needle in result['msg'], result
    assert cluster.log == []


def test_the_engines_parts_import_one_way():
    """No cycle among the files of module_utils: each imports only those it
    stands on (_connection nothing, _api only _connection, ...)."""
    import ast  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel
    here = os.path.dirname(_engine.__file__)
    imports = {}
    for name in sorted(os.listdir(here)):
        if name.endswith('.py') and name != '__init__.py':
            tree = ast.parse(open(os.path.join(here, name)).read())
            found = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 1:
                    found.update([node.module] if node.module else [alias.name for alias in node.names])
            imports[name[:-3]] = found
    assert imports['_connection'] == set() and imports['_api'] == {'_connection'}

    def reaches(start, seen=()):
        for other in imports.get(start, ()):
            assert other not in seen + (start,), 'an import cycle: %s' % ' -> '.join(seen + (start, other))
            reaches(other, seen + (start,))
    for name in imports:
        reaches(name)


class Answering(object):
    """A client whose every request fails with the HTTP status given."""

    username = 'admin@example.com'

    def __init__(self, status):
        self.status = status
        self.sent = []

    def retry_also(self, path, statuses, once=False):
        pass

    def request(self, method, path, **kwargs):
        self.sent.append((method, path))
        raise RedisEnterpriseError('HTTP %d' % self.status, http_status=self.status)


@pytest.mark.parametrize('status', [404, 500])
def test_a_delete_gone_already_is_done_only_where_the_caller_says_so(status):
    # A 404 to a DELETE: removed by another hand since the read, which only the caller can call done.
    client = Answering(status)
    api = _engine.Api(client, _engine.Resource(), {})
    if status == 404:
        assert api.delete('/v1/roles/101', gone_ok=True) is None
    else:
        with pytest.raises(RedisEnterpriseError, match='HTTP 500'):
            api.delete('/v1/roles/101', gone_ok=True)
    with pytest.raises(RedisEnterpriseError, match='HTTP %d' % status):
        api.delete('/v1/roles/101')
    assert client.sent == [('DELETE', '/v1/roles/101')] * 2

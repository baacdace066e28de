# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options: where a value came from, the url as a result
shows it, the messages of argument validation, and the engine's connect() of them."""

from __future__ import annotations

import types

import pytest
from ansible.module_utils.errors import RequiredError, UnsupportedError

from ansible_collections.redis.enterprise.plugins.module_utils import _connection, _engine
from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseError


def failure(call, *args):
    with pytest.raises(RedisEnterpriseError) as info:
        call(*args)
    return info.value


@pytest.mark.parametrize('url, redacted', [
    ('https://u:p@cluster:9443', 'https://********@cluster:9443'),
    ('https://a@cluster:9443', 'https://********@cluster:9443'),
    ('u:p@cluster:9443', '********@cluster:9443'),
    ('https://u:p@ss@cluster', 'https://********@cluster'),
    ('https://cluster:9443', 'https://cluster:9443'),
    (None, None),
])
def test_redact_url_hides_what_stands_before_the_at(url, redacted):
    assert _connection.redact_url(url) == redacted


class Given(object):
    """A task as from_environment sees it."""

    def __init__(self, *given):
        self.given = given


@pytest.mark.parametrize('given, variable', [
    ((), 'REDIS_ENTERPRISE_TIMEOUT'),
    (('timeout',), None),
    (('url',), 'REDIS_ENTERPRISE_TIMEOUT'),
])
def test_from_environment_names_the_variable_only_when_the_option_is_not_given(monkeypatch, given, variable):
    monkeypatch.setenv('REDIS_ENTERPRISE_TIMEOUT', '0')
    assert _connection.from_environment(Given(*given), 'timeout') == variable


def test_from_environment_knows_aliases_and_unset_variables(monkeypatch):
    monkeypatch.setenv('REDIS_ENTERPRISE_USERNAME', 'a@example.com')
    monkeypatch.delenv('REDIS_ENTERPRISE_URL', raising=False)
    assert _connection.from_environment(Given('user'), 'username') is None
    assert _connection.from_environment(Given(), 'username') == 'REDIS_ENTERPRISE_USERNAME'
    assert _connection.from_environment(Given(), 'url') is None


@pytest.mark.parametrize('variable, value, option, needle', [
    ('REDIS_ENTERPRISE_TIMEOUT', '0', 'timeout', 'timeout must be a number of seconds greater than 0'),
    ('REDIS_ENTERPRISE_URL', 'cluster:9443', 'url',
     "with its scheme, like https://cluster.example.com:9443; got 'cluster:9443'."),
])
def test_connect_says_which_variable_a_bad_value_came_from(sim_url, monkeypatch, variable, value, option, needle):
    monkeypatch.setenv(variable, value)
    params = dict(url=sim_url, username='a', password='b', validate_certs=True, ca_path=None, timeout=30)
    params[option] = float(value) if option == 'timeout' else value
    task = types.SimpleNamespace(params=params, given=frozenset(), warn=None)
    error = failure(_engine.connect, task)
    assert needle in error.msg
    assert error.msg.endswith('%s came from the %s environment variable: correct it there, or give the %s '
                              'option.' % (option, variable, option))
    # Given in the task, it is the task's value: no word of the variable.
    task.given = frozenset([option])
    assert variable not in failure(_engine.connect, task).msg


def test_validation_message_puts_an_unknown_option_first():
    errors = [RequiredError('one of the following is required: a, b'),
              UnsupportedError('respnse_timeout. Supported parameters include: a, b')]
    task = types.SimpleNamespace(given=frozenset(['respnse_timeout']), _name='redis.enterprise.ocsp')
    msg = _connection.validation_message('one of the following is required: a, b', task, errors)
    assert msg == ('Unsupported parameters for (redis.enterprise.ocsp) module: respnse_timeout. Supported parameters '
                   'include: a, b. one of the following is required: a, b')


def test_validation_message_names_the_url_variable_when_the_url_is_missing(monkeypatch):
    monkeypatch.delenv('REDIS_ENTERPRISE_URL', raising=False)
    msg = _connection.validation_message('missing required arguments: url', types.SimpleNamespace(given=frozenset()))
    assert msg == ('missing required arguments: url. Give the url option, or set the REDIS_ENTERPRISE_URL environment '
                   "variable, to the address of the cluster's REST API, like https://cluster.example.com:9443.")

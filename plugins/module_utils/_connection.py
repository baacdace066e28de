# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The connection options every module takes: their argument spec and
environment variables, where each value of a task came from, the url as a
result may show it, and the messages
of argument validation completed with what the options know.

The transport (_api.py) knows HTTP; this file knows the options that feed
it, and imports nothing of the collection: the engine makes the Client of a
task (_engine.connect)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.errors import UnsupportedError

ENV = dict(
    url='REDIS_ENTERPRISE_URL',
    username='REDIS_ENTERPRISE_USERNAME',
    password='REDIS_ENTERPRISE_PASSWORD',
    validate_certs='REDIS_ENTERPRISE_VALIDATE_CERTS',
    ca_path='REDIS_ENTERPRISE_CA_PATH',
    timeout='REDIS_ENTERPRISE_TIMEOUT',
)


def connection_argument_spec():
    """The connection options every module takes; mirrored by the
    redis.enterprise.connection doc fragment."""
    spec = dict(
        # Required, from the option or REDIS_ENTERPRISE_URL: the Client says so when neither gives it.
        url=dict(type='str'),
        username=dict(type='str', aliases=['user']),
        password=dict(type='str', no_log=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
    )
    for name, option in spec.items():
        option['fallback'] = (env_fallback, [ENV[name]])
    return spec


def sentence(text):
    """text as a sentence: a cluster's message does not always end with a stop."""
    text = text.strip()
    return text if text.endswith(('.', '!', '?')) else text + '.'


def from_environment(task, name):
    """The environment variable that connection option name took its value
    from, or None: the variable is set and the task's arguments (with its
    module_defaults) do not give the option under any of its names."""
    variable = ENV.get(name)
    given = getattr(task, 'given', None)
    if variable is None or given is None or os.environ.get(variable) is None:
        return None
    names = set([name] + connection_argument_spec()[name].get('aliases', []))
    return None if names & set(given) else variable


def origins(task):
    """option -> the environment variable its value came from, or None, for
    every connection option of task."""
    return dict((name, from_environment(task, name)) for name in ENV)


def where(error, found):
    """error (a RedisEnterpriseError), saying where the value of its option
    came from when that was an environment variable (found: origins()): a
    user looks for it in the task otherwise."""
    variable = found.get(error.option)
    if variable:
        error.msg = '%s %s came from the %s environment variable: correct it there, or give the %s option.' % (
            sentence(error.msg), error.option, variable, error.option)
        error.args = (error.msg,)
    return error


def redact_url(url):
    """url with whatever stands before an @ (a user name, a password or a
    token written into it by mistake) replaced by ********, for the
    invocation Ansible returns: url is not a no_log option, and masking its
    secret as a no_log value would blot that text out of every message."""
    if not isinstance(url, str) or '@' not in url:
        return url
    match = re.match(r'([A-Za-z][A-Za-z0-9+.-]*://)?.*@([^@]*)$', url.strip(), re.S)
    return '%s********@%s' % (match.group(1) or '', match.group(2))


MISSING_URL = ("Give the url option, or set the %s environment variable, to the address of the cluster's REST "
               'API, like https://cluster.example.com:9443.' % ENV['url'])
# The task's failure when neither gives it.
URL_REQUIRED = 'url is required, and neither the task nor the environment gives it. ' + MISSING_URL


def validation_message(msg, task, errors=(), hints=()):
    """An argument validation message, completed: an unsupported (perhaps
    misspelt) option first, even when another error came before it; the
    environment variable a bad value came from; the sentence of each hint,
    a (text, sentence) pair of the module's, whose text the message holds."""
    unsupported = [error for error in errors if isinstance(error, UnsupportedError)]
    if unsupported and 'Unsupported parameters' not in msg:
        msg = 'Unsupported parameters for (%s) module: %s %s' % (
            getattr(task, '_name', 'this'), sentence(unsupported[0].msg), msg)
    said = [text_sentence for text, text_sentence in hints if text in msg]
    for name, variable in ENV.items():
        if "argument '%s'" % name in msg and from_environment(task, name):
            said.append('%s came from the %s environment variable: correct it there, or give the %s option.'
                        % (name, variable, name))
    if re.search(r'missing required arguments:.*\burl\b', msg):
        said.append(MISSING_URL)
    return ' '.join([sentence(msg)] + said) if said else msg

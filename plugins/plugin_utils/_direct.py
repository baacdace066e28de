# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""Direct execution: the action plugins of the collection's modules run the
module's own logic in the worker when the task runs on the controller, and
hand the task to the module (as ansible.builtin.normal does) otherwise.

On the direct path the module's argument spec is validated by ansible-core's
ArgumentSpecValidator, the module's run() does the work, and the result is
masked with remove_values, as AnsibleModule does it. Nothing global is
changed: no class is patched, nothing is printed, the task's environment is
set for the run and put back after it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import platform
import shutil
import sys
import traceback
from contextlib import contextmanager

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.display import Display

from ansible_collections.redis.enterprise.plugins.module_utils import _api, _connection, _engine

display = Display()

# The variable that turns direct execution off, like ansible.netcommon's
# ansible_network_import_modules.
SWITCH = 'redis_enterprise_direct_execution'
# The internal arguments run_direct() reads, which ansible-core gives a module.
INTERNAL = ('_ansible_check_mode', '_ansible_diff', '_ansible_verbosity')


class Task(object):
    """What a module's run() sees on the direct path, as it sees its
    AnsibleModule on the module path: params, given (the options the task's
    arguments name), check_mode, diff, warn()."""

    def __init__(self, params, given, check_mode, diff):
        self.params = params
        self.given = frozenset(given)
        self.check_mode = check_mode
        self.diff = diff
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)


@contextmanager
def environment(variables):
    """os.environ with the task's environment set, as the module's process
    would have it; every variable put back as it was afterwards."""
    saved = dict((name, os.environ.get(name)) for name in variables)
    try:
        for name, value in variables.items():
            os.environ[name] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


UNEXPECTED = ("%s failed unexpectedly in the controller's Python: %s. For the traceback, run with -vvv (with "
              'ANSIBLE_DISPLAY_TRACEBACK=error from ansible-core 2.19); set ' + SWITCH + '=false to run it as '
              'a module.')


def wants_traceback(internal):
    """Whether a failure carries its traceback, as a module's would: from
    ansible-core 2.19 when display_traceback names errors, before it at -vvv."""
    if '_ansible_tracebacks_for' in internal:
        return 'error' in internal['_ansible_tracebacks_for']
    return internal['_ansible_verbosity'] >= 3


SAYS_SOMETHING = 'argument validation has something to say, which the module says itself'


def _no_log_options(spec, params):
    """The values of spec's no_log options in params, nested ones too: what
    the masking must cover at the least."""
    found = set()
    for name, option in spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        if option.get('no_log') and isinstance(value, str) and value:
            found.add(value)
        if option.get('options'):
            for item in value if isinstance(value, list) else [value]:
                found.update(_no_log_options(option['options'], item))
    return found


def validate(resource, args):
    """(params, no_log_values) for args, validated as AnsibleModule
    validates them, or the reason the module must run instead: validation
    has something to say (an error, a warning, a deprecation), which the
    module then says word for word, or this ansible-core's validation result
    does not have what direct execution needs.

    ansible-core has no public way to get a ValidationResult's warnings,
    deprecations and no_log values: AnsibleModule reads the same private
    attributes. So they are read here, where a failure of any kind, or a
    no_log value the result leaves out, hands the task to the module path
    rather than failing it or leaking a secret."""
    kwargs = resource.spec.validator_kwargs()
    validated = ArgumentSpecValidator(**kwargs).validate(args)
    if validated.error_messages:
        return SAYS_SOMETHING
    try:
        # pylint: disable=protected-access
        said = validated._warnings or validated._deprecations
        no_log_values = validated._no_log_values
        # pylint: enable=protected-access
    except AttributeError as error:
        return "this ansible-core's argument validation result has no %s" % (
            getattr(error, 'name', None) or 'attribute that direct execution reads')
    if said:
        return SAYS_SOMETHING
    params = validated.validated_parameters
    if not isinstance(no_log_values, (set, frozenset)) or not all(isinstance(v, str) for v in no_log_values):
        return "this ansible-core's argument validation gives its no_log values in another form"
    if not _no_log_options(kwargs['argument_spec'], params) <= no_log_values:
        return "this ansible-core's argument validation leaves no_log values out"
    return params, frozenset(no_log_values)


def run_direct(name, module, args, internal, validated=None):
    """The module's result for args, or None when the module must say it
    (see validate).

    internal: the _ansible_* arguments the module would get; validated:
    what validate() gave for args, when the caller validated them."""
    resource = module.RESOURCE
    if validated is None:
        validated = validate(resource, args)
        if isinstance(validated, str):
            return None
    params, no_log_values = validated
    task = Task(params, args, internal['_ansible_check_mode'], internal['_ansible_diff'])
    try:
        result = _engine.run(resource, task)
    except _api.RedisEnterpriseError as error:
        result = dict(error.result(), failed=True)
    except Exception as error:  # pylint: disable=broad-exception-caught
        # A fault of this code, not of the cluster: said plainly, masked
        # below like the rest, the traceback only when asked for, and the
        # worker goes on.
        result = dict(failed=True, msg=UNEXPECTED % (name, '%s: %s' % (type(error).__name__, error)))
        if wants_traceback(internal):
            result['exception'] = traceback.format_exc()
    if task.warnings:
        result['warnings'] = task.warnings
    if internal.get('_ansible_inject_invocation', True):
        # As the module returns it: never a secret written into the url.
        result['invocation'] = {'module_args': dict(params, url=_connection.redact_url(params.get('url')))}
    # As AnsibleModule returns it: no_log values masked, booleans and None kept.
    kept = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
    result = remove_values(result, no_log_values)
    result.update(kept)
    return result


def is_controller_python(interpreter):
    """Whether an ansible_python_interpreter names the Python this worker
    runs in: the same path, or another name for it in the same directory
    (python and python3 of one virtual environment). A symbolic link to the
    same binary elsewhere is another Python: a virtual environment's python
    links to the system's, whose libraries differ."""
    path = interpreter if os.path.isabs(interpreter) else (shutil.which(interpreter) or interpreter)
    path, here = os.path.abspath(path), os.path.abspath(sys.executable)
    return path == here or (os.path.dirname(path) == os.path.dirname(here)
                            and os.path.realpath(path) == os.path.realpath(here))


def why_not_direct(switch, transport, become, async_val, interpreter, system, missing=None):
    """Why a task must run as a module, or None when it can run in the worker.

    switch: the variable's value, None when unset; interpreter: the
    ansible_python_interpreter of the host the task runs on, None when
    unset; system: platform.system(); missing: a library the module needs
    that the controller's Python lacks."""
    if switch is False:
        return '%s is false' % SWITCH
    if transport != 'local':
        return 'the connection is %s, not local' % transport
    if become:
        return 'become is set'
    if async_val:
        return 'async is set'
    if missing:
        return "%s cannot be imported in the controller's Python" % missing
    if interpreter and not interpreter.startswith('auto') and not is_controller_python(interpreter):
        return ("ansible_python_interpreter is %s, not the controller's Python (%s): the module runs there, with "
                'that Python\'s requests and CA bundle' % (interpreter, sys.executable))
    if switch is None and system == 'Darwin':
        # Seen as "A worker was found in a dead state": requests' proxy
        # lookup calls macOS's system configuration framework (_scproxy),
        # which must not run in a process forked without exec.
        return ("the controller is macOS, where requests' look-up of the system proxy settings can kill a forked "
                'worker; set %s=true to run in the worker all the same' % SWITCH)
    return None


class DirectAction(NormalAction):
    """The action plugin of one of the collection's modules (MODULE)."""

    MODULE = None

    def _why_not_direct(self, task_vars):
        """Why the task must run as a module, or None when it can run here."""
        switch = task_vars.get(SWITCH)
        if switch is not None:
            switch = boolean(self._templar.template(switch), strict=False)
        # The variables of the host the task runs on: the delegated one's
        # with delegate_to, as ansible-core picks the module's interpreter.
        host_vars = task_vars
        if self._task.delegate_to:
            host_vars = task_vars.get('ansible_delegated_vars', {}).get(self._task.delegate_to, task_vars)
        interpreter = host_vars.get('ansible_python_interpreter')
        if interpreter is not None:
            interpreter = str(self._templar.template(interpreter))
        return why_not_direct(switch, self._connection.transport, self._play_context.become, self._task.async_val,
                              interpreter, platform.system(),
                              (_engine.missing_library(self.MODULE.RESOURCE) or [None])[0])

    def _prepare(self, tmp, task_vars):
        """What the module would get: (result so far, arguments, internal
        arguments, environment). Leans on ansible-core's own methods, which
        may change between releases: any failure here sends the task to
        the module path."""
        result = ActionBase.run(self, tmp, task_vars)
        # The same internal arguments the module would get: check and diff
        # mode, verbosity, whether to return the invocation.
        args = dict(self._task.args)
        self._update_module_args(self._task.action, args, task_vars)
        internal = dict((key, args.pop(key)) for key in list(args) if key.startswith('_ansible_'))
        missing = [key for key in INTERNAL if key not in internal]
        if missing:
            raise KeyError(missing[0])
        # The environment the module's command line would set: the task's
        # own, templated for this loop item, and nothing else. (Before
        # ansible-core 2.18 the connection's shell gathers every loop item's
        # environment in shell.env while the connection is reused.)
        variables = {}
        self._compute_environment_string(variables)
        return result, args, internal, variables

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        name = self._task.action
        host = task_vars.get('inventory_hostname')
        try:
            reason = self._why_not_direct(task_vars)
            if not reason:
                result, args, internal, variables = self._prepare(tmp, task_vars)
                # In the task's environment: the connection options fall back to its variables.
                with environment(variables):
                    validated = validate(self.MODULE.RESOURCE, args)
                if isinstance(validated, str):
                    reason = validated
        except Exception as error:  # pylint: disable=broad-exception-caught
            # Only the type: the text of an error in templating may quote a value.
            reason = 'preparing the direct run failed with %s' % type(error).__name__
        if reason:
            display.vvvv('%s runs as a module: %s' % (name, reason), host=host)
            return super(DirectAction, self).run(tmp, task_vars)
        try:
            with environment(variables):
                outcome = run_direct(name, self.MODULE, args, internal, validated)
        except Exception as error:  # pylint: disable=broad-exception-caught
            result.update(failed=True, msg=UNEXPECTED % (name, type(error).__name__))
            if wants_traceback(internal):
                result['exception'] = traceback.format_exc()
            return result
        display.vvvv("%s runs in the controller's Python (direct execution): connection local, no become, "
                     'no async' % name, host=host)
        result.update(outcome)
        return result

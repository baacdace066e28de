# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook and ansible, as a user would, against the simulator."""

from __future__ import annotations

import os
import subprocess

import pytest

import redis_enterprise_sim as simlib
from runner import BIN, PATHS, ROOT, TARBALL, runner


@pytest.fixture(scope='session')
def collections_path():
    path = os.path.join(ROOT, 'build', 'collections')
    assert os.path.isdir(os.path.join(path, 'ansible_collections', 'redis', 'enterprise', 'plugins')), \
        'run through make, which links the collection under build/collections'
    return path


@pytest.fixture(scope='session')
def tarball(tmp_path_factory):
    """The collection's tarball: the one `make build` wrote when make runs the
    tests (REDIS_ENTERPRISE_TEST_TARBALL), else one built once for the run."""
    given = os.environ.get('REDIS_ENTERPRISE_TEST_TARBALL')
    if given:
        assert os.path.basename(given) == TARBALL and os.path.isfile(given), given
        return given
    out = tmp_path_factory.mktemp('tarball')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(out), ROOT],
                   env=env, cwd=str(out), check=True, capture_output=True, timeout=300)
    return str(out / TARBALL)


def pytest_generate_tests(metafunc):
    """The path a test runs on: direct execution, the default on the
    controller; both paths for a test marked both_paths, whose behaviour
    depends on the path (the action layer, environment, secrets), and for
    every test with REDIS_ENTERPRISE_TEST_PATHS=both; a test that
    parametrizes path itself names its own."""
    given = [name.strip() for marker in metafunc.definition.iter_markers('parametrize')
             for name in (marker.args[0].split(',') if isinstance(marker.args[0], str) else marker.args[0])]
    if 'path' in metafunc.fixturenames and 'path' not in given:
        both = os.environ.get('REDIS_ENTERPRISE_TEST_PATHS') == 'both' or metafunc.definition.get_closest_marker(
            'both_paths')
        metafunc.parametrize('path', PATHS if both else PATHS[:1])


def narrowed_away(item, repeat):
    """Whether item is a case that its both_paths(module=...) marker leaves to
    direct execution on the newest ansible-core: on the module path, or on
    any path in a repeat on another ansible-core."""
    marker = item.get_closest_marker('both_paths')
    params = getattr(getattr(item, 'callspec', None), 'params', {})
    only = marker.kwargs.get('module', {}) if marker else {}
    return (repeat or params.get('path') == 'module') and any(params.get(name) != value
                                                              for name, value in only.items())


def pytest_collection_modifyitems(config, items):
    """A run that repeats the suite on another ansible-core
    (REDIS_ENTERPRISE_TEST_REPEAT=1, as make integration-2.16 sets it) runs
    again what depends on ansible-core: the tests marked cycle (each
    module's check, real and again, on the paths its test takes: through the
    action plugin and, where marked both_paths, as a module too) and those
    marked core (direct execution itself and its choice of path, the task
    environment and proxies, the installation, ansible-runner, what
    ansible-core prints and masks). The others check a resource's own logic
    (its refusals, messages, secrets it never returns), which is the same on
    every release: each check runs once. Never the tests marked once (the
    contract's own tools, the transport under HTTP faults). The checks of
    files (marked files) are make release-checks'.

    A test marked both_paths(module={name: value}) runs on the module path,
    and in a repeat at all, with those parameters only: the rest of its cases
    check the resource's logic, which direct execution runs the same."""
    repeat = os.environ.get('REDIS_ENTERPRISE_TEST_REPEAT') == '1'
    narrowed = [item for item in items if narrowed_away(item, repeat)]
    if narrowed:
        config.hook.pytest_deselected(items=narrowed)
        items[:] = [item for item in items if item not in narrowed]
    if not repeat:
        return
    again = [item for item in items if not item.get_closest_marker('once')
             and (item.get_closest_marker('cycle') or item.get_closest_marker('core'))]
    left = [item for item in items if item not in again]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = again


@pytest.fixture
def ansible(tmp_path, simulator, sim_url, collections_path, path):
    """The runner of the test's path (see pytest_generate_tests)."""
    return runner(tmp_path, simulator, sim_url, collections_path, path)


@pytest.fixture
def ansible_on(tmp_path, simulator, sim_url, collections_path):
    """ansible_on(path) -> the runner of that path, for tests that compare both."""
    return lambda path: runner(tmp_path / (path or 'default'), simulator, sim_url, collections_path, path)


@pytest.fixture(scope='session')
def contract_checker():
    """The checker of the collection's declaration of the API (jsonschema
    is a test requirement of this suite, not of the unit tests)."""
    import checker  # pylint: disable=import-outside-toplevel

    return checker.Checker()


@pytest.fixture(scope='module', autouse=True)
def _contract_on(contract_checker):
    """Every simulated cluster checks what the collection sends and what it
    answers against the declaration, from before a test module's own
    fixtures start simulators and runs until after they stop."""
    simlib.check_contract(contract_checker)
    yield
    simlib.check_contract(None)
    _assert_kept(simlib.take_violations(), 'the fixtures of this module')


@pytest.fixture(autouse=True)
def _contract_kept(_contract_on):
    """After each test: no request or answer broke the declaration."""
    yield
    _assert_kept(simlib.take_violations(), 'this test')


def _assert_kept(violations, during):
    lines = ['%(kind)s of %(method)s %(path)s on %(cluster)s%(said)s: %(error)s'
             % dict(violation, said=' (HTTP %s)' % violation['status'] if violation['status'] else '')
             for violation in violations]
    assert not lines, ('%d request(s) or answer(s) during %s broke the declaration of the API '
                       '(plugins/module_utils/_contract.py):\n  %s' % (len(lines), during, '\n  '.join(lines)))

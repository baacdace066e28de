# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook and ansible, as a user would, against the simulator."""

from __future__ import annotations

import os

import pytest

from runner import PATHS, ROOT, runner


@pytest.fixture(scope='session')
def collections_path():
    path = os.path.join(ROOT, 'build', 'collections')
    assert os.path.isdir(os.path.join(path, 'ansible_collections', 'redis', 'enterprise', 'plugins')), \
        'run through make, which links the collection under build/collections'
    return path


@pytest.fixture(params=PATHS)
def path(request):
    return request.param


@pytest.fixture
def ansible(tmp_path, simulator, sim_url, collections_path, path):
    """The runner of the test's path: every test that uses it runs twice."""
    return runner(tmp_path, simulator, sim_url, collections_path, path)


@pytest.fixture
def ansible_on(tmp_path, simulator, sim_url, collections_path):
    """ansible_on(path) -> the runner of that path, for tests that compare both."""
    return lambda path: runner(tmp_path / (path or 'default'), simulator, sim_url, collections_path, path)

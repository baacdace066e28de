# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rule of the task's own access: which management roles a change
takes away, and which user a login is."""

from __future__ import annotations

import pytest

from ansible_collections.redis.enterprise.plugins.module_utils import _contract, _login

ROLES = [{'uid': 1, 'management': 'admin'}, {'uid': '3', 'management': 'cluster_viewer'},
         {'uid': 4, 'management': 'db_member'}, {'uid': 5, 'management': 'db_viewer'},
         {'uid': 6, 'management': 'user_manager'}, {'uid': 2, 'management': 'cluster_member'}]


@pytest.mark.parametrize('before, after, gone', [
    # What the permissions reference gives each role: a viewer's permissions are its member's too.
    ({'admin', 'db_viewer'}, {'admin'}, []),
    ({'cluster_member', 'db_member'}, {'cluster_member'}, []),
    ({'cluster_viewer'}, {'cluster_member'}, []),
    ({'user_manager', 'cluster_viewer'}, {'user_manager'}, []),
    ({'admin'}, {'user_manager', 'cluster_member'}, ['admin']),
    ({'user_manager'}, {'cluster_member'}, ['user_manager']),
    ({'user_manager', 'cluster_member'}, {'user_manager'}, ['cluster_member']),
    ({'db_member'}, {'cluster_viewer'}, ['db_member']),
    ({'admin', 'user_manager'}, set(), ['admin', 'user_manager']),
    ({'none'}, set(), []),
])
def test_a_management_role_is_lost_only_when_none_kept_covers_it(before, after, gone):
    assert _login.lost(before, after) == gone


def test_every_management_role_covers_itself_and_admin_covers_all():
    for role in _contract.ROLE_MANAGEMENT:
        assert role in _contract.MANAGEMENT_COVERS[role] and role in _contract.MANAGEMENT_COVERS['admin']


@pytest.mark.parametrize('role_uids, held', [
    ([1], {'admin'}), (['1'], {'admin'}), ([3], {'cluster_viewer'}), (['3', 5.0], {'cluster_viewer', 'db_viewer'}),
    ([99, 'x', None], set()),
])
def test_role_uids_compare_as_the_engine_types_them(role_uids, held):
    assert _login.managements(ROLES, role_uids) == held


@pytest.mark.parametrize('email, login, same', [
    ('admin@example.com', 'Admin@Example.com', True), (' admin@example.com', 'admin@example.com', True),
    ('admin@example.com', 'other@example.com', False), (None, 'admin@example.com', False),
    ('admin@example.com', '', False),
])
def test_a_login_is_the_user_of_its_email_whatever_its_case(email, login, same):
    assert _login.same_user(email, login) is same

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.database_info: in the controller's Python when the task runs there,
as a module otherwise (plugins/plugin_utils/_direct.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redis.enterprise.plugins.modules import database_info
from ansible_collections.redis.enterprise.plugins.plugin_utils._direct import DirectAction


class ActionModule(DirectAction):
    MODULE = database_info

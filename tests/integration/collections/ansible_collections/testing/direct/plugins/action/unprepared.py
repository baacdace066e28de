# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.testing.direct.plugins.modules import unprepared
from ansible_collections.redis.enterprise.plugins.plugin_utils._direct import DirectAction


class ActionModule(DirectAction):
    MODULE = unprepared

    def _prepare(self, tmp, task_vars):
        # As on an ansible-core release that moved one of the private
        # methods the direct run leans on.
        raise AttributeError("'ActionModule' object has no attribute '_update_module_args'")

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.testing.direct.plugins.modules import broken
from ansible_collections.redis.enterprise.plugins.plugin_utils._direct import DirectAction


class ActionModule(DirectAction):
    MODULE = broken

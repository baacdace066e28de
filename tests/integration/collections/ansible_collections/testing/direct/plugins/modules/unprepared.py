# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: unprepared
short_description: Test-only; its action plugin cannot prepare the direct run
description: Test-only.
author: Redis Enterprise collection maintainers (@redis-enterprise-ansible)
options: {}
extends_documentation_fragment:
  - redis.enterprise.connection
'''

from ansible_collections.redis.enterprise.plugins.module_utils import _engine


class Unprepared(_engine.Resource):
    spec = _engine.Spec({})

    def read(self, api, task):
        return dict(user=task.params['username'])

    def result(self, task, state, plan, written):
        return state


RESOURCE = Unprepared()


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

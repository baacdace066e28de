# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: broken
short_description: Test-only; raises an unexpected exception naming the password when explode is true
description: Test-only.
author: Redis Enterprise collection maintainers (@redis-enterprise-ansible)
options:
  explode:
    description: Raise instead of returning.
    type: bool
    default: true
extends_documentation_fragment:
  - redis.enterprise.connection
'''

from ansible_collections.redis.enterprise.plugins.module_utils import _engine


class Broken(_engine.Resource):
    spec = _engine.Spec(dict(explode=dict(type='bool', default=True)))

    def read(self, api, task):
        if task.params['explode']:
            # A bug of the kind that would otherwise end as a traceback, with a
            # secret in its text.
            raise ZeroDivisionError('cannot divide %s by zero' % task.params['password'])
        return dict(exploded=False)

    def result(self, task, state, plan, written):
        return state


RESOURCE = Broken()


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

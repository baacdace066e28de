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

from ansible_collections.redis.enterprise.plugins.module_utils._api import RedisEnterpriseModule

DEFINITION = dict(argument_spec=dict(explode=dict(type='bool', default=True)))


def run(task):
    if task.params['explode']:
        # A bug of the kind that would otherwise end as a traceback, with a
        # secret in its text.
        raise ZeroDivisionError('cannot divide %s by zero' % task.params['password'])
    return dict(changed=False, exploded=False)


def main():
    RedisEnterpriseModule(DEFINITION).run(run)


if __name__ == '__main__':
    main()

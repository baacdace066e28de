# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only connection: ansible.builtin.local under another name, so that a
test can run a task on a connection other than local without a remote host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = """
    name: sublocal
    short_description: ansible.builtin.local under another name, for the collection's tests
    description:
        - Runs tasks on the controller, as ansible.builtin.local does, with the transport name sublocal.
    author: Redis Enterprise collection maintainers (@redis-enterprise-ansible)
    options:
        become_success_timeout:
            type: int
            default: 10
            description: As for ansible.builtin.local.
            vars:
                - name: ansible_local_become_success_timeout
        become_strip_preamble:
            type: bool
            default: true
            description: As for ansible.builtin.local.
            vars:
                - name: ansible_local_become_strip_preamble
    extends_documentation_fragment:
        - connection_pipelining
"""


class Connection(LocalConnection):
    transport = 'sublocal'

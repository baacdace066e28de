# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""certificate_info on the module path, for what a playbook cannot set up:
a cluster whose stored key does not parse."""

from __future__ import annotations

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.modules import certificate_info


def test_a_key_the_cluster_holds_that_cannot_be_read_does_not_match(run_module, simulator, cluster, sim_url):
    certificate, key = simlib.Pki().issue()
    cluster.update({'certificates': {'api': {'cert': certificate, 'key': 'not a key'},
                                     'proxy': {'cert': certificate, 'key': key}}})
    failed, result = run_module(certificate_info, {'url': sim_url, 'username': simlib.ADMIN_USER,
                                                   'password': simlib.ADMIN_PASSWORD, 'ca_path': simulator.ca_path})
    assert not failed, result
    assert result['certificates']['api']['key_matches'] is False
    assert result['certificates']['proxy']['key_matches'] is True
    assert key not in str(result) and 'not a key' not in str(result)

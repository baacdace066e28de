# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""certificate with database on the module path, for the answers a playbook
run would take long to set up one by one: a write of a database's
certificate that the cluster fails (404, 500) or leaves unanswered."""

from __future__ import annotations

import json

import pytest

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.modules import certificate

PATH = '/v1/bdbs/1/certificates'


@pytest.fixture
def arguments(simulator, sim_url, cluster):
    cluster.update({'bdbs': [{'name': 'orders'}]})
    pem, key = simlib.Pki().issue('orders.%s' % simlib.FQDN)
    return {'url': sim_url, 'username': simlib.ADMIN_USER, 'password': simlib.ADMIN_PASSWORD,
            'ca_path': simulator.ca_path, 'database': 'orders', 'certificate': pem, 'key': key}


def answer(cluster, status, code):
    cluster.update({'faults': {'raw_next': {'count': 1, 'method': 'POST', 'path': PATH, 'status': status,
                                            'body': json.dumps({'error_code': code, 'description': 'No'})}}})


@pytest.mark.parametrize('check', [False, True], ids=['real', 'check'])
def test_a_404_says_the_cluster_may_have_no_database_certificates(run_module, cluster, arguments, check):
    answer(cluster, 404, 'not_found')
    failed, result = run_module(certificate, arguments, check=check)
    assert failed and result['http_status'] == 404
    assert ('The cluster has no such call, or no database of that uid any more (HTTP 404, POST %s%s): it has no '
            'per-database certificates (Redis Enterprise 8 and later have them), or the database orders was removed '
            'since it was found.' % (PATH, '?dry_run=true' if check else '')) in result['msg']
    assert ('nothing was written' in result['msg']) is check and not result.get('changed')
    assert cluster.snapshot()['bdbs'][0]['certificate'] is None


def test_a_500_leaves_the_outcome_open(run_module, cluster, arguments):
    answer(cluster, 500, 'internal_error')
    failed, result = run_module(certificate, arguments)
    assert failed and result['http_status'] == 500 and result['changed'] is True
    assert 'Whether it took it is not known: run the task again, which compares what it holds.' in result['msg']


def test_a_write_without_an_answer_is_not_sent_again(run_module, cluster, arguments):
    # The connection closes once the POST is read; the cluster took it.
    cluster.update({'faults': {'drop_next': {'count': 1, 'method': 'POST', 'applied': True}}})
    failed, result = run_module(certificate, arguments)
    assert failed and result['changed'] is True
    assert result['msg'].startswith('The write of the proxy certificate of the database orders got no answer: '
                                    'whether the cluster took it is not known, and it was not sent again.')
    assert cluster.count('POST', PATH) == 1
    assert arguments['key'] not in json.dumps(result)
    # The next run finds it there: nothing to write.
    cluster.log.clear()
    failed, result = run_module(certificate, arguments)
    assert not failed and result['changed'] is False and cluster.writes() == []

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""redis.enterprise.license and license_info through ansible-playbook:
check mode, for real, then again, with the calls the simulator saw; what
the cluster refuses; and no license text in any output at -vvvv."""

from __future__ import annotations

import datetime
import json

import pytest

import redis_enterprise_sim as simlib

LICENSE, INFO = 'redis.enterprise.license', 'redis.enterprise.license_info'
# The facts GET /v1/license gives with a license (the REST API reference, requests/license), beside days_until_expiry.
FACTS = {'owner', 'cluster_name', 'activation_date', 'expiration_date', 'expired', 'features', 'shards_limit',
         'ram_shards_limit', 'ram_shards_in_use', 'flash_shards_limit', 'flash_shards_in_use', 'days_until_expiry'}
DIFF_FACTS = FACTS - {'ram_shards_in_use', 'flash_shards_in_use', 'days_until_expiry'}
UNKNOWN = ('a new license: its owner, expiration and shard limits are known only once the cluster has installed it')


def write_play(tmp_path, tasks, name='license.yml'):
    play = tmp_path / name
    play.write_text(json.dumps([{'name': 'License', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]))
    return str(play)


def texts_in(output, *texts):
    """The lines of license texts (each 64 characters of it, and the whole
    text without line breaks) found in output."""
    found = []
    for text in texts:
        body = text.splitlines()[1:-1]
        found += [line for line in body if line in output]
        if ''.join(body) in output.replace('\\n', '').replace('\n', ''):
            found.append('the whole text')
    return found


@pytest.mark.both_paths
def test_check_then_real_then_again_with_the_calls_and_no_text_at_vvvv(ansible, cluster, tmp_path):
    old = cluster.license
    new = simlib.license_text(owner='New Owner Ltd.', days=90)
    (tmp_path / 'vars.json').write_text(json.dumps({'new_license': new}))
    play = write_play(tmp_path, [
        {'name': 'Install', LICENSE: {'license': '{{ new_license }}'}, 'register': 'installed'},
        {'name': 'Read', INFO: {}, 'register': 'found'},
        {'name': 'Show the results', 'ansible.builtin.debug': {'var': 'item'},
         'loop': ['{{ installed }}', '{{ found }}']},
    ])
    steps = [(['--check', '--diff'], True, [('GET', '/v1/license'), ('GET', '/v1/license')]),
             (['--diff'], True, [('GET', '/v1/license'), ('PUT', '/v1/license'), ('GET', '/v1/license'),
                                 ('GET', '/v1/license')]),
             (['--diff'], False, [('GET', '/v1/license'), ('GET', '/v1/license')])]
    for step, (options, changed, calls) in enumerate(steps):
        cluster.log.clear()
        run = ansible(['ansible-playbook', '-vvvv', '-e', '@' + str(tmp_path / 'vars.json'), play] + options)
        assert run.rc == 0, run.stdout[-3000:] + run.stderr
        installed, found = run.task(LICENSE)['result'], run.task(INFO)['result']
        assert installed['changed'] is changed, step
        assert cluster.calls() == calls, step
        assert texts_in(run.output, old, new) == [], step
        assert len(run.stdout) > 10000  # -vvvv really was verbose
        owner = 'Example Inc.' if step == 0 else 'New Owner Ltd.'
        assert found['installed'] is True and found['license']['owner'] == owner
        assert set(found['license']) == FACTS and installed['license'] == found['license']
        assert cluster.license == (old if step == 0 else new)
        if step == 0:
            assert set(installed['diff']['before']) == DIFF_FACTS
            assert installed['diff']['before']['owner'] == 'Example Inc.'
            assert installed['diff']['after'] == {'license': UNKNOWN}
            said = 'Check mode cannot tell whether the cluster accepts this license'
            assert [w for w in installed['warnings'] if w.startswith(said)]
        if step == 1:
            assert installed['diff']['before']['owner'] == 'Example Inc.'
            assert set(installed['diff']['after']) == DIFF_FACTS
            assert installed['diff']['after']['owner'] == 'New Owner Ltd.'
            # Installed with 90 days to run, seconds ago: 89 whole days are left.
            assert found['license']['days_until_expiry'] == 89 and found['license']['expired'] is False
        if step == 2:
            assert installed['diff']['before'] == installed['diff']['after']


def test_a_text_reformatted_is_the_same_license(ansible, cluster, tmp_path):
    """Whitespace aside: the text re-wrapped, indented and with CRLF ends."""
    text = cluster.license
    body = ''.join(text.splitlines()[1:-1])
    lines = ['  ' + body[i:i + 40] for i in range(0, len(body), 40)]
    reformatted = '\r\n'.join(['', '  ' + simlib.LICENSE_START] + lines + ['  ' + simlib.LICENSE_END, '', ''])
    (tmp_path / 'vars.json').write_text(json.dumps({'same': reformatted}))
    run = ansible(['ansible-playbook', '-e', '@' + str(tmp_path / 'vars.json'),
                   write_play(tmp_path, [{'name': 'Same', LICENSE: {'license': '{{ same }}'}}])])
    assert run.rc == 0 and run.task(LICENSE)['result']['changed'] is False, run.stdout[-3000:]
    assert cluster.writes() == []


REFUSED = {
    'no markers': ('license must be the license text, from "----- LICENSE START -----" to "----- LICENSE END -----", '
                   'as the vendor sends it; got 25 characters without those markers. Nothing was sent to the '
                   "cluster. To read the text from a file, give lookup('ansible.builtin.file', path), not the path."),
    'corrupt': ('The cluster refused the license as corrupt or malformed (HTTP 400, invalid_license, PUT /v1/license). '
                'The cluster said: The license key is corrupt. Give the whole license text as the vendor sent it. '
                'The cluster now holds the license of Example Inc., valid until '),
    'another cluster': ('The cluster refused the license: it violates the license terms for this cluster (HTTP 406, '
                        'license_violation, PUT /v1/license). The cluster said: The license is for the cluster '
                        'other.example.test, not for cluster.example.test.'),
    'expired': ('The cluster installed the license, but the cluster reports it expired (expiration_date '),
}


@pytest.mark.parametrize('check', [False, True], ids=['real', 'check'])
def test_what_the_cluster_refuses_fails_and_says_what_it_holds(ansible, cluster, tmp_path, check):
    good = simlib.license_text()
    corrupt = good.replace(good.splitlines()[2], good.splitlines()[2][::-1])
    texts = {'no markers': 'licenses/prod.license.txt', 'corrupt': corrupt,
             'another cluster': simlib.license_text(cluster_name='other.example.test'),
             'expired': simlib.license_text(expires=simlib.utc_now() - datetime.timedelta(days=1))}
    (tmp_path / 'vars.json').write_text(json.dumps({'texts': texts}))
    play = write_play(tmp_path, [{'name': name, LICENSE: {'license': '{{ texts[%r] }}' % name}, 'ignore_errors': True}
                                 for name in texts])
    old = cluster.license
    run = ansible(['ansible-playbook', '-vvvv', '-e', '@' + str(tmp_path / 'vars.json'), play]
                  + (['--check'] if check else []))
    found = dict((record['task'], record) for record in run.records)
    assert texts_in(run.output, old, *list(texts.values())[1:]) == []
    assert 'Traceback' not in run.output
    if check:
        # Only what needs no cluster is known in check mode: the markers.
        assert [name for name in texts if found[name]['status'] == 'failed'] == ['no markers']
        assert found['no markers']['result']['msg'] == REFUSED['no markers']
        assert cluster.writes() == [] and cluster.license == old
        return
    for name, message in REFUSED.items():
        assert found[name]['status'] == 'failed', name
        assert found[name]['result']['msg'].startswith(message), (name, found[name]['result']['msg'])
    assert (found['corrupt']['result']['http_status'], found['another cluster']['result']['http_status']) == (400, 406)
    # No request for the text without markers; one PUT for each of the others.
    assert cluster.writes() == [('PUT', '/v1/license')] * 3
    assert cluster.license == texts['expired']


def test_a_refusal_that_drops_the_license_says_so_and_info_finds_none(ansible, cluster, tmp_path):
    """The docs warn that a cluster given a license it refuses may behave
    as if it had none: the message says what the cluster holds then."""
    cluster.update({'faults': {'license_refusal_drops': True}})
    (tmp_path / 'vars.json').write_text(json.dumps({'other': simlib.license_text(cluster_name='other.example.test')}))
    run = ansible(['ansible-playbook', '-e', '@' + str(tmp_path / 'vars.json'), write_play(tmp_path, [
        {'name': 'Refused', LICENSE: {'license': '{{ other }}'}, 'ignore_errors': True},
        {'name': 'Read', INFO: {}}])])
    refused = run.task(LICENSE)['result']
    assert run.task(LICENSE)['status'] == 'failed' and refused['msg'].endswith(
        'The cluster now holds no license (GET /v1/license answers 404).'), refused['msg']
    assert run.task(INFO)['result'] == dict(run.task(INFO)['result'], installed=False, license={})


def test_a_user_without_view_license_is_told_which_roles_have_it(ansible, cluster, tmp_path):
    run = ansible(['ansible-playbook', write_play(tmp_path, [{'name': 'Read', INFO: {}}])],
                  env={'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                       'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD})
    result = run.task(INFO)['result']
    assert result['http_status'] == 403
    assert ('User viewer@example.com may not GET /v1/license (HTTP 403): it needs the view_license permission, which '
            'the built-in roles admin and user_manager have.') in result['msg']

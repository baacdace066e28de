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


@pytest.mark.cycle
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
             # Read back, with the cluster's FQDN the license's cluster_name must be.
             (['--diff'], True, [('GET', '/v1/license'), ('PUT', '/v1/license'), ('GET', '/v1/license'),
                                 ('GET', '/v1/cluster'), ('GET', '/v1/license')]),
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
}


@pytest.mark.parametrize('check', [False, True], ids=['real', 'check'])
def test_what_the_cluster_refuses_fails_and_says_what_it_holds(ansible, cluster, tmp_path, check):
    good = simlib.license_text()
    corrupt = good.replace(good.splitlines()[2], good.splitlines()[2][::-1])
    texts = {'no markers': 'licenses/prod.license.txt', 'corrupt': corrupt,
             'another cluster': simlib.license_text(cluster_name='other.example.test')}
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
    assert cluster.writes() == [('PUT', '/v1/license')] * 2
    assert cluster.license == old


def corrupted(text):
    """text with one line of it reversed: its signature no longer holds."""
    line = text.splitlines()[2]
    return text.replace(line, line[::-1])


def dates(found):
    return 'valid until %s' % found['expiration_date']


@pytest.mark.both_paths
def test_a_license_that_fails_once_installed_is_replaced_by_the_one_before_and_one_near_expiry_warns(
        ansible, cluster, tmp_path):
    """Each way a new license can fail after its PUT, one task each: the
    license read before it installed again, the message naming both
    licenses' dates; where putting it back is refused, that too. And a
    license within license_warning_days installs with a warning. No text in
    any output at -vvvv."""
    now = simlib.utc_now()
    texts = {
        'soon': simlib.license_text(owner='Soon Ltd.', days=10),
        'expired': simlib.license_text(owner='Expired Ltd.', expires=now - datetime.timedelta(days=1)),
        # Installed by the cluster, which then reports it not valid: too few shards for what it runs.
        'too few shards': simlib.license_text(owner='Small Ltd.', shards_limit=2),
        'another cluster': simlib.license_text(owner='Other Ltd.', cluster_name='other.example.test'),
        'corrupt': corrupted(simlib.license_text(owner='Corrupt Ltd.')),
        'expired, put-back refused': simlib.license_text(owner='Late Ltd.', expires=now - datetime.timedelta(days=2)),
    }
    old = cluster.license
    # A cluster that checks a license once it holds it; that drops its license on a refusal, as the docs warn; and
    # that refuses the PUTs after the ninth: the put-back of the last case.
    cluster.update({'faults': {'license_unchecked': True, 'license_refusal_drops': True,
                               'license_puts_refused_after': 9}})
    (tmp_path / 'vars.json').write_text(json.dumps({'texts': texts}))
    tasks = [{'name': 'soon', LICENSE: {'license': '{{ texts.soon }}'}},
             {'name': 'soon again', LICENSE: {'license': '{{ texts.soon }}'}},
             {'name': 'soon again, 5 days', LICENSE: {'license': '{{ texts.soon }}', 'license_warning_days': 5}}]
    tasks += [{'name': name, LICENSE: {'license': '{{ texts[%r] }}' % name}, 'ignore_errors': True}
              for name in list(texts)[1:]]
    tasks.append({'name': 'Read', INFO: {}, 'ignore_errors': True})
    run = ansible(['ansible-playbook', '-vvvv', '-e', '@' + str(tmp_path / 'vars.json'), write_play(tmp_path, tasks)])
    found = dict((record['task'], record) for record in run.records)
    assert sorted(found) == sorted(task['name'] for task in tasks), run.stdout[-3000:]
    assert texts_in(run.output, old, *texts.values()) == [] and len(run.stdout) > 10000
    assert 'Traceback' not in run.output
    soon = simlib.license_facts(texts['soon'])

    # Within 30 days: installed with a warning; given again, the warning again; under 5 days, none.
    said = 'The license expires on %s, in 9 days: it is installed, but renew it before then.' % soon['expiration_date']
    assert (found['soon']['status'], found['soon']['result']['changed']) == ('ok', True)
    assert found['soon']['result']['warnings'] == [said]
    assert (found['soon again']['result']['changed'], found['soon again']['result']['warnings']) == (False, [said])
    assert not found['soon again, 5 days']['result'].get('warnings')

    back = ('The license it replaced is installed again: the license of Soon Ltd., %s. Give this task a license that '
            'is valid now.' % dates(soon))
    messages = {}
    for name in list(texts)[1:]:
        assert found[name]['status'] == 'failed', name
        messages[name] = found[name]['result']['msg']
    facts = dict((name, simlib.license_facts(text)) for name, text in texts.items() if name != 'corrupt')
    for name, wrong in (('expired', 'the cluster reports it expired (expiration_date %s)'
                         % facts['expired']['expiration_date']),
                        ('too few shards', 'the cluster reports it not valid (expired: true), though its '
                         'expiration_date %s is ahead' % facts['too few shards']['expiration_date']),
                        ('another cluster', 'it is issued for the cluster other.example.test, and this cluster is '
                         'cluster.example.test, and the cluster reports it not valid (expired: true)')):
        owner = facts[name]['owner']
        assert messages[name].startswith('The cluster installed the new license, of %s, %s, but %s'
                                         % (owner, dates(facts[name]), wrong)), messages[name]
        assert ': under it, the cluster behaves as if it had no license, and refuses most changes to its databases. ' \
            in messages[name]
        assert messages[name].endswith(back), messages[name]
        assert found[name]['result'].get('changed') is False
    # Refused, and the refusal took the old license away: put back too.
    assert messages['corrupt'].startswith('The cluster refused the license as corrupt or malformed (HTTP 400')
    assert ('With that, the cluster lost the license it held: it holds no license (GET /v1/license answers 404). '
            + back) in messages['corrupt']
    # The put-back refused: said, with why and what the cluster holds then.
    late = facts['expired, put-back refused']
    assert messages['expired, put-back refused'].startswith(
        'The cluster installed the new license, of Late Ltd., %s, but the cluster reports it expired' % dates(late))
    assert ('Putting back the license it replaced, the license of Soon Ltd., %s, failed too: The cluster refused the '
            'license: it violates the license terms for this cluster (HTTP 406, license_violation, PUT /v1/license). '
            'The cluster said: The cluster refuses a new license now.' % dates(soon)) in messages['expired, put-back refused']
    assert messages['expired, put-back refused'].endswith(
        'The cluster now holds no license (GET /v1/license answers 404). Install a valid license at once.')
    assert found['expired, put-back refused']['result']['changed'] is True
    # The old text, installed again after each failing case: what the cluster installed, in order.
    assert cluster.licenses_installed == [texts['soon'], texts['expired'], texts['soon'], texts['too few shards'],
                                          texts['soon'], texts['another cluster'], texts['soon'], texts['soon'],
                                          texts['expired, put-back refused']]
    assert cluster.license is None and found['Read']['result']['installed'] is False


def test_a_user_without_view_license_is_told_which_roles_have_it(ansible, cluster, tmp_path):
    run = ansible(['ansible-playbook', write_play(tmp_path, [{'name': 'Read', INFO: {}}])],
                  env={'REDIS_ENTERPRISE_USERNAME': simlib.VIEWER_USER,
                       'REDIS_ENTERPRISE_PASSWORD': simlib.VIEWER_PASSWORD})
    result = run.task(INFO)['result']
    assert result['http_status'] == 403
    assert ('User viewer@example.com may not GET /v1/license (HTTP 403): it needs the view_license permission, which '
            'the built-in roles admin and user_manager have.') in result['msg']

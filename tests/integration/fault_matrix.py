# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix: every fault and bad input the ocsp module is tested
against, what it must do for each, and the table of docs/reliability.md
rendered from it.

Run as a program (or `make reliability-doc`) to rewrite docs/reliability.md;
test_faults.py fails when the file differs from what this renders.

A row:
  id        the inventory host name of the row in the matrix run
  group     the section of the table
  fault     what goes wrong, for the table
  server    the simulator serving the row: good, self_signed, wrong_host,
            expired (HTTPS with that certificate) or http (plain http)
  faults    the simulator fault switches armed before the run
  config    fields merged into the cluster's OCSP configuration first
  drop      fields removed from the configuration first
  conn      connection host variables; in their text, <url>, <hostport>,
            <ca>, <other_ca>, <missing>, <tmpdir>, <not_pem>,
            <other_https>, <other_http> and <url_password> stand for the
            row's cluster, CA files and the redirect targets
  outcome   changed, ok (nothing to change) or failed
  says      text the failure message (or, for a success, a warning) holds
  status, error_code   the result's status and error_code on failure
  state     before (the configuration untouched) or desired
  calls     the (method, status) of each API call the cluster saw ('delayed'
            for a call answered late, logged as it arrived)
  after     fields the cluster holds afterwards beyond the desired ones (a
            default it filled in for a field the PUT left out)
  rerun     with the fault gone, a second run must converge
  note      what the module does, for the table
"""

from __future__ import annotations

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DOC = os.path.join(ROOT, 'docs', 'reliability.md')

# What every row's task asks for (tests/integration/playbooks/faults.yml).
DESIRED = {'query_frequency': 7200, 'response_timeout': 2}
# A password written into a url by mistake; it must never be shown.
URL_PASSWORD = 'Url-Emb3dded-S3cret-4c1d'
WRONG_PASSWORD = 'Wr0ng-But-Still-S3cret-77e0'

GET_PUT = [('GET', 200), ('PUT', 200)]
HUGE_CHUNK = 64 * 1024
HUGE_REPEAT = 1024  # 64 MiB


def _storm(status, count, method=None):
    if method is None:
        return {'fail_next': {'count': count, 'status': status}}
    body = '{"error_code": "node_not_responding", "message": "The node is not responding"}'
    return {'raw_next': {'count': count, 'method': method, 'status': status, 'body': body}}


# A configuration that breaks the declaration of the API on purpose (numbers
# as text, a null, fields the declaration does not have): what some clusters
# and proxies answer, so the simulator's answers are not held to it.
OFF_CONTRACT = {'off_contract': True}


def _raw(body, **extra):
    return {'raw_next': dict({'count': 1, 'method': 'GET', 'status': 200, 'body': body}, **extra)}


def _row(id, group, fault, note, outcome, state, says=None, server='good', faults=None, config=None, drop=(),
         conn=None, status=None, error_code=None, calls=None, after=None, rerun=False, timed_out=False):
    # pylint: disable=redefined-builtin
    # timed_out: the client gives up on each try after the timeout, so a try it gave up on before the
    # server read its request (a loaded machine) is not in the server's log. The tries are the
    # client's own count, in the message (says); the log holds the first of the calls, as many as it read.
    return dict(id=id, group=group, fault=fault, note=note, outcome=outcome, state=state, says=says,
                server=server, faults=faults or {}, config=config or {}, drop=list(drop), conn=conn or {},
                status=status, error_code=error_code, calls=calls, after=after or {}, rerun=rerun,
                timed_out=timed_out)


BUSY = 'The cluster is busy or restarting'
SLOW = 'The cluster is slow or silent'
BROKEN = 'The connection breaks'
ANSWER = 'The answer is not what the API sends'
CONFIG = 'The configuration has unexpected content'
REDIRECT = 'Redirects'
TLS = 'TLS and ca_path'
URL = 'The url option'
AUTH = 'Credentials'
GROUPS = (BUSY, SLOW, BROKEN, ANSWER, CONFIG, REDIRECT, TLS, URL, AUTH)

ROWS = [
    _row('storm-503-short', BUSY, '3 answers HTTP 503, then normal service',
         'retries with backoff, then writes', 'changed', 'desired', faults=_storm(503, 3),
         calls=[('GET', 503)] * 3 + GET_PUT),
    _row('storm-503-long', BUSY, 'HTTP 503 on every try of the read',
         'gives up after 4 tries, before writing', 'failed', 'before', faults=_storm(503, 4),
         says='The cluster answered GET /v1/ocsp with HTTP 503 4 times in a row (error code node_not_responding)',
         status=503, error_code='node_not_responding', calls=[('GET', 503)] * 4, rerun=True),
    _row('storm-503-write', BUSY, 'HTTP 503 on every try of the write',
         'gives up after 4 tries; nothing was applied', 'failed', 'before', faults=_storm(503, 4, 'PUT'),
         says='The cluster answered PUT /v1/ocsp with HTTP 503 4 times in a row', status=503,
         error_code='node_not_responding', calls=[('GET', 200)] + [('PUT', 503)] * 4, rerun=True),
    _row('storm-502-short', BUSY, '2 answers HTTP 502 (proxy), then normal service',
         'retries, then writes', 'changed', 'desired', faults=_storm(502, 2),
         calls=[('GET', 502)] * 2 + GET_PUT),
    _row('storm-502-long', BUSY, 'HTTP 502 on every try', 'gives up after 4 tries', 'failed', 'before',
         faults=_storm(502, 4), says='with HTTP 502 4 times in a row', status=502,
         error_code='node_not_responding', calls=[('GET', 502)] * 4, rerun=True),
    _row('storm-504-short', BUSY, '3 answers HTTP 504 (gateway timeout), then normal service',
         'retries, then writes', 'changed', 'desired', faults=_storm(504, 3),
         calls=[('GET', 504)] * 3 + GET_PUT),
    _row('storm-504-long', BUSY, 'HTTP 504 on every try', 'gives up after 4 tries', 'failed', 'before',
         faults=_storm(504, 4), says='with HTTP 504 4 times in a row', status=504,
         error_code='node_not_responding', calls=[('GET', 504)] * 4, rerun=True),

    _row('slow-server', SLOW, 'every answer takes 2 s; timeout is 0.5 s',
         'tries twice, then gives up', 'failed', 'before', faults={'delay': 2}, conn={'cluster_timeout': 0.5},
         says='No answer to GET /v1/ocsp from <url> within the timeout of 0.5 seconds, which applies to each '
              'try (2 tries, with backoff between them)',
         calls=[('GET', 'delayed')] * 2, rerun=True, timed_out=True),
    _row('silent-after-request', SLOW, 'reads the request and never answers',
         'tries twice, then gives up', 'failed', 'before', faults={'hang_next': {'count': 2, 'stage': 'request'}},
         conn={'cluster_timeout': 0.5},
         says='within the timeout of 0.5 seconds, which applies to each try (2 tries, with backoff between them)',
         calls=[('GET', 'hung')] * 2, rerun=True, timed_out=True),
    _row('silent-after-accept', SLOW, 'accepts the connection and never speaks (no TLS handshake)',
         'tries twice, then gives up', 'failed', 'before',
         faults={'hang_next': {'count': 2, 'stage': 'handshake'}}, conn={'cluster_timeout': 0.5},
         says='within the timeout of 0.5 seconds', calls=[(None, 'hung')] * 2, rerun=True),

    _row('drop-read-once', BROKEN, 'the connection closes once after the GET is sent',
         'retries the read, then writes', 'changed', 'desired',
         faults={'drop_next': {'count': 1, 'method': 'GET'}}, calls=[('GET', 'dropped')] + GET_PUT),
    _row('closed-after-read', BROKEN, 'the kept-alive connection closes silently after the GET is answered',
         'opens a new connection for the PUT', 'changed', 'desired',
         faults={'close_after_next': {'count': 1, 'method': 'GET'}}, calls=GET_PUT),
    _row('drop-read-twice', BROKEN, 'the connection closes after every try of the GET',
         'gives up after 2 tries, before writing', 'failed', 'before',
         faults={'drop_next': {'count': 2, 'method': 'GET'}},
         says='The connection to <url> closed without an answer to GET /v1/ocsp',
         calls=[('GET', 'dropped')] * 2, rerun=True),
    _row('drop-write-once-lost', BROKEN, 'the connection closes once after the PUT is received, not applied',
         'sends the PUT again, which applies it', 'changed', 'desired',
         faults={'drop_next': {'count': 1, 'method': 'PUT', 'applied': False}},
         calls=[('GET', 200), ('PUT', 'dropped'), ('PUT', 200)]),
    _row('drop-write-once-applied', BROKEN, 'the connection closes once after the PUT is received and applied',
         'sends the same PUT again, harmless', 'changed', 'desired',
         faults={'drop_next': {'count': 1, 'method': 'PUT', 'applied': True}},
         calls=[('GET', 200), ('PUT', 'dropped'), ('PUT', 200)]),
    _row('drop-write-twice-lost', BROKEN, 'the connection closes after every try of the PUT, not applied',
         'gives up after 2 tries, saying the PUT may or may not be applied', 'failed', 'before',
         faults={'drop_next': {'count': 2, 'method': 'PUT', 'applied': False}},
         says='closed without an answer to PUT /v1/ocsp (retries included): Remote end closed connection '
              'without response. Check the cluster nodes and any proxy in between, then run again. '
              'The cluster may or may not have applied the PUT.',
         calls=[('GET', 200)] + [('PUT', 'dropped')] * 2, rerun=True),
    _row('drop-write-twice-applied', BROKEN, 'the connection closes after every try of the PUT, applied',
         'gives up after 2 tries, saying the PUT may or may not be applied', 'failed', 'desired',
         faults={'drop_next': {'count': 2, 'method': 'PUT', 'applied': True}},
         says='The cluster may or may not have applied the PUT.',
         calls=[('GET', 200)] + [('PUT', 'dropped')] * 2, rerun=True),
    _row('cut-body', BROKEN, 'the answer stops before its Content-Length',
         'stops, before writing', 'failed', 'before',
         faults=_raw('{"ocsp_functionality": false, "query_fr', length=400),
         says='The answer to GET /v1/ocsp from <url> broke off before its end: IncompleteRead',
         calls=[('GET', 200)], rerun=True),

    _row('truncated-json', ANSWER, 'HTTP 200 with truncated JSON', 'stops, before writing', 'failed', 'before',
         faults=_raw('{"ocsp_functionality": false, "query_fr'),
         says='The answer to GET /v1/ocsp (HTTP 200, application/json) is not JSON', status=200,
         calls=[('GET', 200)], rerun=True),
    _row('html-page', ANSWER, 'HTTP 200 with an HTML page', 'stops, before writing', 'failed', 'before',
         faults={'non_json_next': 1}, says='The answer to GET /v1/ocsp (HTTP 200, text/html) is not JSON',
         status=200, calls=[('GET', 200)], rerun=True),
    _row('empty-body', ANSWER, 'HTTP 200 with an empty body', 'stops, before writing', 'failed', 'before',
         faults=_raw(''), says='The answer to GET /v1/ocsp (HTTP 200) is not a JSON object', status=200,
         calls=[('GET', 200)], rerun=True),
    _row('json-array', ANSWER, 'HTTP 200 with a JSON array instead of the object',
         'stops, before writing', 'failed', 'before',
         faults=_raw('[{"ocsp_functionality": false, "query_frequency": 3600}]'),
         says='The answer to GET /v1/ocsp (HTTP 200) is not a JSON object', status=200,
         calls=[('GET', 200)], rerun=True),
    _row('huge-body', ANSWER, 'a 64 MiB answer', 'stops reading at 1 MiB, before writing', 'failed', 'before',
         faults=_raw('x' * HUGE_CHUNK, repeat=HUGE_REPEAT),
         says='The answer to GET /v1/ocsp is larger than 1048576 bytes', status=200,
         calls=[('GET', 200)], rerun=True),

    _row('numbers-as-text', CONFIG, 'numbers given as text ("3600")',
         'reads them as numbers and writes numbers', 'changed', 'desired',
         config={'query_frequency': '3600', 'recovery_max_tries': '5'}, faults=OFF_CONTRACT, calls=GET_PUT),
    _row('numbers-as-text-equal', CONFIG, 'the desired values, as text ("7200")',
         'sees nothing to change and does not write', 'ok', 'before',
         config={'query_frequency': '7200', 'response_timeout': '2'}, faults=OFF_CONTRACT, calls=[('GET', 200)]),
    _row('value-of-wrong-type', CONFIG, 'a value that is no number ("hourly") in a field the task does not set',
         'stops, before writing, naming the field: the write must send it back', 'failed', 'before',
         config={'recovery_frequency': 'hourly'}, faults=OFF_CONTRACT,
         says="The cluster returned recovery_frequency='hourly' in GET /v1/ocsp, which is not an integer from "
              '60 to 86400; a write sends every field', calls=[('GET', 200)]),
    _row('value-of-wrong-type-set', CONFIG, 'a value that is no number ("hourly") in a field the task sets',
         'replaces it with the desired value', 'changed', 'desired', config={'query_frequency': 'hourly'},
         faults=OFF_CONTRACT, calls=GET_PUT),
    _row('missing-fields', CONFIG, 'fields missing (an older cluster)',
         'writes the fields it knows with the desired ones; the missing stay missing', 'changed', 'desired',
         drop=('ocsp_functionality', 'recovery_frequency', 'recovery_max_tries'), calls=GET_PUT),
    _row('null-field', CONFIG, 'a field that is null',
         'treats it as missing and leaves it out of the write; the cluster fills in its default', 'changed',
         'desired', config={'recovery_frequency': None}, after={'recovery_frequency': 60}, faults=OFF_CONTRACT,
         calls=GET_PUT),
    _row('unknown-fields', CONFIG, 'fields this module does not know (a newer cluster)',
         'leaves them out of the write; the cluster keeps them', 'changed', 'desired',
         config={'ocsp_stapling_mode': 'strict', 'extra': {'nested': [1, 2]}}, faults=OFF_CONTRACT, calls=GET_PUT),

    _row('redirect-other-host', REDIRECT, 'HTTP 302 to another host',
         'does not follow it; the other host gets nothing', 'failed', 'before',
         faults=_raw('', status=302, headers={'Location': '<other_https>/v1/ocsp'}),
         says='GET /v1/ocsp was answered by a redirect (HTTP 302) to <other_https>/v1/ocsp, which is not '
              'followed so that credentials go only to the url given', status=302,
         calls=[('GET', 302)], rerun=True),
    _row('redirect-plain-http', REDIRECT, 'HTTP 301 to plain http',
         'does not follow it; nothing is sent in clear', 'failed', 'before',
         faults=_raw('', status=301, headers={'Location': '<other_http>/v1/ocsp'}),
         says='redirect (HTTP 301) to <other_http>/v1/ocsp, which is not followed', status=301,
         calls=[('GET', 301)], rerun=True),
    _row('redirect-write', REDIRECT, 'HTTP 307 in answer to the PUT', 'does not follow it', 'failed', 'before',
         faults=_raw('', method='PUT', status=307, headers={'Location': '<other_https>/v1/ocsp'}),
         says='PUT /v1/ocsp was answered by a redirect (HTTP 307)', status=307,
         calls=[('GET', 200), ('PUT', 307)], rerun=True),

    _row('tls-self-signed', TLS, 'a self-signed certificate, no ca_path',
         'refuses the connection, says to give ca_path', 'failed', 'before', server='self_signed',
         conn={'cluster_ca': None}, says='TLS verification of <url> failed: [SSL: CERTIFICATE_VERIFY_FAILED]',
         calls=[]),
    _row('tls-not-verified', TLS, 'a self-signed certificate, validate_certs false',
         'works, and warns that the cluster is not verified', 'changed', 'desired', server='self_signed',
         conn={'cluster_ca': None, 'cluster_validate_certs': False},
         says="validate_certs is false: the cluster's identity is not verified", calls=GET_PUT),
    _row('tls-wrong-ca', TLS, 'ca_path holds another CA', 'refuses the connection', 'failed', 'before',
         conn={'cluster_ca': '<other_ca>'},
         says='certificate verify failed: unable to get local issuer certificate', calls=[]),
    _row('tls-wrong-host', TLS, 'a certificate for another host name', 'refuses the connection', 'failed',
         'before', server='wrong_host', says="certificate is not valid for '127.0.0.1'", calls=[]),
    _row('tls-expired', TLS, 'an expired certificate', 'refuses the connection', 'failed', 'before',
         server='expired', says='certificate verify failed: certificate has expired', calls=[]),
    _row('ca-path-missing', TLS, 'ca_path names no file', 'stops before connecting', 'failed', 'before',
         conn={'cluster_ca': '<missing>'}, says='ca_path <missing> is not a readable file', calls=[]),
    _row('ca-path-directory', TLS, 'ca_path names a directory', 'stops before connecting', 'failed', 'before',
         conn={'cluster_ca': '<tmpdir>'}, says='ca_path <tmpdir> is not a readable file', calls=[]),
    _row('ca-path-not-pem', TLS, 'ca_path names a file with no PEM certificate', 'stops before connecting',
         'failed', 'before', conn={'cluster_ca': '<not_pem>'},
         says='ca_path <not_pem> holds no PEM certificate', calls=[]),
    _row('ca-path-broken-pem', TLS, 'ca_path names a PEM file whose certificate is damaged',
         'stops before connecting', 'failed', 'before', conn={'cluster_ca': '<broken_pem>'},
         says='ca_path <broken_pem> holds no certificate that can be loaded', calls=[]),

    _row('url-no-scheme', URL, 'no scheme (host:port)', 'stops before connecting', 'failed', 'before',
         conn={'cluster_url': '<hostport>'}, says='The url option must be the address of the cluster REST API '
                                                  'with its scheme', calls=[]),
    _row('url-with-path', URL, 'with a path (/v1/ocsp)', 'stops before connecting', 'failed', 'before',
         conn={'cluster_url': '<url>/v1/ocsp'}, says='must be the base address of the cluster REST API '
                                                     'without a path', calls=[]),
    _row('url-trailing-slash', URL, 'with a trailing slash', 'accepts it', 'changed', 'desired',
         conn={'cluster_url': '<url>/'}, calls=GET_PUT),
    _row('url-with-credentials', URL, 'with user:password@ inside',
         'stops before connecting and never shows the password', 'failed', 'before',
         conn={'cluster_url': 'https://admin%40example.com:<url_password>@<hostport>'},
         says='The url option must not contain a user name or password', calls=[]),
    _row('url-plain-http', URL, 'plain http://', 'works, and warns that the password travels in clear',
         'changed', 'desired', server='http', says='url uses http://: the password travels in clear',
         conn={'cluster_ca': None}, calls=GET_PUT),

    _row('wrong-password', AUTH, 'a wrong password', 'stops, before writing; the password is not shown',
         'failed', 'before', conn={'cluster_password': WRONG_PASSWORD},
         says='Authentication failed for GET /v1/ocsp (HTTP 401): check username and password', status=401,
         calls=[('GET', 401)]),
]


def plain(config):
    """A configuration with numbers given as text read as numbers, to compare
    what the cluster holds with what was asked."""
    return dict((key, int(value) if isinstance(value, str) and value.isdigit() else value)
                for key, value in config.items())


class Lab:
    """The simulated clusters of the matrix, one per row, on simulators for
    each kind of server, plus two redirect targets that must never be called."""

    KINDS = {'good': {}, 'self_signed': {'cert_kind': 'self_signed'}, 'wrong_host': {'cert_kind': 'wrong_host'},
             'expired': {'cert_kind': 'expired'}, 'http': {'tls': False}}

    def __init__(self, directory, rows=None):
        import trustme  # pylint: disable=import-outside-toplevel
        import redis_enterprise_sim as simlib  # pylint: disable=import-outside-toplevel

        self.simlib = simlib
        self.directory = directory
        self.rows = list(rows or ROWS)
        self.where = {}
        needed = dict((kind, 0) for kind in self.KINDS)
        for row in self.rows:
            self.where[row['id']] = (row['server'], needed[row['server']])
            needed[row['server']] += 1
        self.where['other_https'] = ('good', needed['good'])
        self.where['other_http'] = ('http', needed['http'])
        needed['good'] += 1
        needed['http'] += 1
        self.sims = {}
        for kind, count in needed.items():
            if count:
                sim = simlib.Simulator(os.path.join(directory, kind), clusters=count, **self.KINDS[kind])
                self.sims[kind] = sim.start()
        self.files = {
            'other_ca': os.path.join(directory, 'other-ca.pem'),
            'missing': os.path.join(directory, 'missing.pem'),
            'tmpdir': directory,
            'not_pem': os.path.join(directory, 'not-a-certificate.pem'),
            'broken_pem': os.path.join(directory, 'broken-certificate.pem'),
        }
        trustme.CA().cert_pem.write_to_path(self.files['other_ca'])
        with open(self.files['not_pem'], 'w') as handle:
            handle.write('not a certificate\n')
        with open(self.files['broken_pem'], 'w') as handle:
            handle.write('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n')
        self.initial = {}
        self.runs = {}

    def stop(self):
        for sim in self.sims.values():
            sim.stop()

    def cluster(self, name):
        kind, index = self.where[name]
        return self.sims[kind].clusters[index]

    def url(self, name):
        kind, index = self.where[name]
        return self.sims[kind].urls[index]

    def fill(self, value, row):
        """A row's value with its placeholders replaced."""
        if isinstance(value, dict):
            return dict((key, self.fill(item, row)) for key, item in value.items())
        if not isinstance(value, str):
            return value
        url = self.url(row['id'])
        places = dict(self.files, url=url, hostport=url.split('://', 1)[1],
                      ca=self.sims[row['server']].ca_path, other_https=self.url('other_https'),
                      other_http=self.url('other_http'), url_password=URL_PASSWORD)
        for name, text in places.items():
            value = value.replace('<%s>' % name, text)
        return value

    def arm(self, rows):
        """Fresh clusters for rows with their configuration and faults set."""
        for name in ('other_https', 'other_http'):
            self.cluster(name).reset()
        for row in rows:
            cluster = self.cluster(row['id'])
            cluster.reset()
            cluster.update({'config': row['config'], 'faults': self.fill(row['faults'], row)})
            with cluster.lock:
                for name in row['drop']:
                    del cluster.config[name]
                self.initial[row['id']] = dict(cluster.config)

    def clear_faults(self, rows):
        for row in rows:
            cluster = self.cluster(row['id'])
            with cluster.lock:
                cluster.faults = copy.deepcopy(self.simlib.DEFAULT_FAULTS)
            del cluster.log[:]

    def inventory(self, rows):
        from runner import write_inventory  # pylint: disable=import-outside-toplevel

        hosts = {}
        for row in rows:
            host = {'cluster_url': '<url>', 'cluster_ca': '<ca>'}
            host.update(row['conn'])
            hosts[row['id']] = dict((key, self.fill(value, row)) for key, value in host.items() if value is not None)
        return write_inventory(os.path.join(self.directory, 'inventory-%d.yml' % len(self.runs)), hosts)

    def play(self, ansible, rows, *options, env=None):
        """ansible-playbook faults.yml over rows, all hosts at once."""
        full_env = {'ANSIBLE_INVENTORY': self.inventory(rows),
                    'REDIS_ENTERPRISE_USERNAME': self.simlib.ADMIN_USER,
                    'REDIS_ENTERPRISE_PASSWORD': self.simlib.ADMIN_PASSWORD}
        full_env.update(env or {})
        run = ansible(['ansible-playbook', '--forks', str(len(rows))] + list(options) + ['faults.yml'],
                      env=full_env, connection=False)
        # What each cluster holds and saw right after the run, whatever runs next.
        names = [row['id'] for row in rows] + ['other_https', 'other_http']
        run.logs = dict((name, list(self.cluster(name).log)) for name in names)
        run.configs = dict((name, copy.deepcopy(self.cluster(name).config)) for name in names)
        return run

    def once(self, key, make):
        if key not in self.runs:
            self.runs[key] = make()
        return self.runs[key]

    def check(self, row, run, rerun=False):
        """Assert what the module did for row in run, and the cluster's state."""
        found = [r for r in run.records if r['host'] == row['id'] and r['action'] == 'redis.enterprise.ocsp']
        assert len(found) == 1, (row['id'], run.stdout[-3000:], run.stderr[-3000:])
        record = found[0]
        result = record['result']
        text = json.dumps(result)
        for bad in ('Traceback', 'MODULE FAILURE', 'module_stderr'):
            assert bad not in text, (bad, text)
        # Ansible's placeholder when a module failed without an exception.
        assert result.get('exception') in (None, '(traceback unavailable)'), text
        config = run.configs[row['id']]
        initial = self.initial[row['id']]
        desired = plain(dict(initial, **dict(DESIRED, **row['after'])))
        if rerun:
            assert record['status'] == 'ok', text
            assert result['changed'] is (row['state'] == 'before'), text
            assert plain(config) == desired
            return result
        if row['outcome'] == 'failed':
            assert record['status'] == 'failed', text
            assert self.fill(row['says'], row) in result['msg'], (result['msg'], row['says'])
            assert result.get('http_status') == row['status'], text
            assert result.get('error_code') == row['error_code'], text
        else:
            assert record['status'] == 'ok', text
            assert result['changed'] is (row['outcome'] == 'changed'), text
            assert result['diff']['after'] == dict(plain(result['diff']['before']), **DESIRED)
        warnings = result.get('warnings') or []
        if row['says'] and row['outcome'] != 'failed':
            assert any(row['says'] in w for w in warnings), warnings
        else:
            assert warnings == [], warnings
        if row['state'] == 'before':
            assert config == initial
        else:
            assert plain(config) == desired
        if row['calls'] is not None:
            calls = [(r['method'], r['status']) for r in run.logs[row['id']]]
            assert calls == seen(row, calls), (row['id'], calls, row['calls'])
        return result


def seen(row, calls):
    """What the server's log must hold of the row's calls, given calls it holds: all of them, or for a
    row whose tries time out (timed_out) the first of them, as many as the server read."""
    expected = row['calls']
    if row['timed_out'] and len(calls) < len(expected):
        return expected[:len(calls)]
    return expected


def _outcome(row):
    if row['outcome'] == 'failed':
        return 'fails: `%s`' % row['says']
    text = 'changed' if row['outcome'] == 'changed' else 'ok, not changed'
    if row['says']:
        text += ', warns: `%s`' % row['says']
    return text


def render():
    """docs/reliability.md, from the rows and the limits of the REST layer."""
    from ansible_collections.redis.enterprise.plugins.module_utils import (  # pylint: disable=import-outside-toplevel
        _api, _contract)

    lines = [
        '<!-- Generated from tests/integration/fault_matrix.py by `make reliability-doc`; do not edit. -->',
        '# Reliability of redis.enterprise.ocsp',
        '',
        'What the module does when the network, the cluster or the input misbehaves. Every row is a',
        'test (`tests/integration/test_faults.py`): the module runs through `ansible-playbook` against',
        'the simulated cluster, on both paths (direct execution and the module path), and the test',
        'checks the result and the cluster\'s configuration afterwards; another test finds both paths\'',
        'results equal, key for key, row by row. The runs are at `-vvvv --diff`, with `ANSIBLE_DEBUG`',
        'off and on, and show that the password, and its basic-auth form, appear in no output.',
        '',
        'The simulated cluster is as strict as a cluster may be: it refuses a request that does not',
        'accept `application/json` or a body that is not sent as it, and a PUT resets the writable',
        'fields its body leaves out to their defaults.',
        '',
        'Under every fault the module either makes the change or leaves the configuration as it was,',
        'and says why; it never ends in a traceback or `MODULE FAILURE`. The one exception is a',
        'write whose answer is lost: the cluster may have applied it or not, the module says so, and',
        'running it again converges.',
        '',
        '## Limits',
        '',
        '- Every request has the `timeout` option (default 30 seconds) for connecting and for each read.',
        '- HTTP %s and failed connections are tried %d times more (GET and PUT), with an exponential'
        % (', '.join(str(s) for s in _api.RETRY_STATUSES), _api.RETRIES),
        '  backoff (factor %s seconds); POST is never sent twice.' % _api.BACKOFF_FACTOR,
        '- A request that was sent but not answered (a timeout, a closed connection) is tried %d more'
        % _api.READ_RETRIES,
        '  time: a silent cluster costs two timeouts.',
        '- Redirects are never followed, so credentials go only to the url given.',
        '- An answer is read up to %d bytes (%d MiB), then the module stops reading; the list of every'
        % (_api.MAX_BODY_BYTES, _api.MAX_BODY_BYTES // (1024 * 1024)),
        '  database (`GET /v1/bdbs`), which grows with the cluster, up to %d MiB.'
        % (_contract.max_bytes('GET', '/v1/bdbs') // (1024 * 1024)),
        '',
        '## Secrets',
        '',
        '- The password is a `no_log` option; the basic-auth header built from it is never shown.',
        '- A password written into `url` (`https://user:password@host`) is refused, and masked',
        '  (`********`) wherever Ansible shows the url, such as the `invocation` of the result.',
        '- With `ANSIBLE_DEBUG=1`, ansible-core itself prints the arguments it passes to every module,',
        '  before the module runs: on the module path, a password given as the `password` option (or',
        '  written into `url`) shows there, and so does the private key given to',
        '  `redis.enterprise.certificate` (its `key` option). Give the password through',
        '  `REDIS_ENTERPRISE_PASSWORD` on the controller to keep it out of debug output too. Direct',
        '  execution passes nothing to a module, and the line never comes.',
        '- At `-vvv`, ansible-core prints a module\'s command line with the task\'s `environment:`: a',
        '  password given through that keyword shows there on the module path. Direct execution runs',
        '  no command (`tests/integration/test_direct.py`).',
        '',
        '## Many clusters',
        '',
        '`tests/integration/test_load.py` runs a play over 100 inventory hosts, each its own simulated',
        'cluster, with `forks: 50`, twice: every host changes on the first run, none on the second,',
        'which makes exactly one GET per cluster and no PUT.',
        '',
        '## Faults and bad inputs',
        '',
        'Each task in these tests asks for `%s`. In the messages, `<url>` stands for the url of the'
        % ', '.join('%s: %s' % (k, v) for k, v in sorted(DESIRED.items())),
        'cluster, `<other_https>` and `<other_http>` for the redirect targets, and `<missing>`,',
        '`<tmpdir>` and `<not_pem>` for the paths given as `ca_path`.',
        '',
    ]
    for group in GROUPS:
        lines += ['### %s' % group, '', '| fault or input | what the module does | result | cluster afterwards |',
                  '|---|---|---|---|']
        for row in ROWS:
            if row['group'] != group:
                continue
            after = 'as before' if row['state'] == 'before' else 'as desired'
            if row['rerun']:
                after += '; a re-run converges'
            lines.append('| %s | %s | %s | %s |' % (row['fault'], row['note'], _outcome(row), after))
        lines.append('')
    return '\n'.join(lines)


def main():
    sys.path[:0] = [os.path.join(ROOT, 'build', 'collections')]
    with open(DOC, 'w') as handle:
        handle.write(render())
    print('wrote %s' % DOC)


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The one request layer of redis.enterprise: connection options, an HTTPS
connection with bounded retries, and every failure mapped to one exception.

Built on the Python standard library (http.client, ssl) alone, so the
modules need nothing installed beyond ansible-core, and a run that changes
nothing costs little more than any module task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import http.client
import json
import os
import re
import select
import socket
import ssl
import time
from urllib.parse import unquote, urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback

# Retries cover connection failures and the statuses a cluster answers while
# a node restarts or the proxy is busy. GET and PUT of a whole object are
# idempotent, so both may be sent again; POST is not retried once sent.
RETRIES = 3
# A call that timed out or whose connection broke after it was sent is tried
# once more only: a hung cluster should cost two timeouts, not four.
READ_RETRIES = 1
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 120
RETRY_STATUSES = (502, 503, 504)
RETRY_METHODS = ('GET', 'PUT')
# Answers of this API are a few hundred bytes; anything past this is not one.
MAX_BODY_BYTES = 1024 * 1024
USER_AGENT = 'ansible-collection-redis.enterprise'

ENV = dict(
    url='REDIS_ENTERPRISE_URL',
    username='REDIS_ENTERPRISE_USERNAME',
    password='REDIS_ENTERPRISE_PASSWORD',
    validate_certs='REDIS_ENTERPRISE_VALIDATE_CERTS',
    ca_path='REDIS_ENTERPRISE_CA_PATH',
    timeout='REDIS_ENTERPRISE_TIMEOUT',
)


def connection_argument_spec():
    """The connection options every module takes; mirrored by the
    redis.enterprise.connection doc fragment."""
    spec = dict(
        url=dict(type='str', required=True),
        username=dict(type='str', aliases=['user']),
        password=dict(type='str', no_log=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
    )
    for name, option in spec.items():
        option['fallback'] = (env_fallback, [ENV[name]])
    return spec


class RedisEnterpriseError(Exception):
    """Every failure of a call to the cluster, with what a user needs to act."""

    def __init__(self, msg, status=None, error_code=None):
        super(RedisEnterpriseError, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.error_code = error_code

    def result(self):
        return dict(msg=self.msg, status=self.status, error_code=self.error_code)


def parse_url(url):
    """Check the url option and return it as scheme://host[:port].

    Refuses credentials inside the url without echoing them."""
    parts = urlsplit(url.strip())
    # Checked on the whole string: without a scheme, urlsplit does not see
    # 'user:pass@host' as a netloc, and the messages below echo the url.
    if '@' in url:
        raise RedisEnterpriseError(
            'The url option must not contain a user name or password; give them with '
            'username and password (or %s and %s) instead.' % (ENV['username'], ENV['password']))
    if parts.scheme not in ('https', 'http') or not parts.netloc:
        raise RedisEnterpriseError(
            'The url option must be the address of the cluster REST API with its scheme, '
            'like https://cluster.example.com:9443; got %r.' % url)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise RedisEnterpriseError(
            'The url option must end with a port number from 1 to 65535, or no port; got %r.' % url)
    if parts.path.strip('/') or parts.query or parts.fragment:
        raise RedisEnterpriseError(
            'The url option must be the base address of the cluster REST API without a path, '
            'like %s://%s; got %r.' % (parts.scheme, parts.netloc, url))
    return '%s://%s' % (parts.scheme, parts.netloc)


def url_secrets(url):
    """The password (or token) written into a url, as given and decoded.

    Masked like a no_log value: Ansible echoes a module's arguments in its
    result, and url is not a secret option."""
    if not isinstance(url, str) or '@' not in url:
        return set()
    userinfo = re.sub(r'^[A-Za-z][A-Za-z0-9+.-]*://', '', url.strip()).rpartition('@')[0]
    user, colon, secret = userinfo.partition(':')
    secret = secret if colon else user
    return set(text for text in (secret, unquote(secret)) if text)


def _check_ca_file(ca_path):
    """Refuse a ca_path that cannot serve, before any request: otherwise
    TLS reports it as a verification failure of the cluster."""
    fix = ("give the path of a PEM file holding the certificate of the CA that signed the "
           "cluster's certificate.")
    try:
        with open(ca_path, 'rb') as handle:
            pem = handle.read()
    except (IOError, OSError):
        raise RedisEnterpriseError('ca_path %s is not a readable file: %s' % (ca_path, fix))
    if b'-----BEGIN CERTIFICATE-----' not in pem:
        raise RedisEnterpriseError('ca_path %s holds no PEM certificate (-----BEGIN CERTIFICATE-----): %s'
                                   % (ca_path, fix))


def _bypassed(host, port, no_proxy):
    """Whether no_proxy (comma-separated: *, host names and their domains,
    .domain, host:port, IP addresses and networks like 10.0.0.0/8, [IPv6]:port)
    covers the cluster. An IP address matches only an address or a network."""
    import ipaddress  # pylint: disable=import-outside-toplevel  # only when a proxy is set

    host = host.lower().strip('[]')
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in no_proxy.lower().replace(' ', '').split(','):
        entry_port = None
        if entry.startswith('['):
            entry, dummy, rest = entry[1:].partition(']')
            if rest[:1] == ':' and rest[1:].isdigit():
                entry_port = int(rest[1:])
        elif entry.count(':') == 1 and entry.rpartition(':')[2].isdigit():
            entry, dummy, number = entry.rpartition(':')
            entry_port = int(number)
        entry = entry.lstrip('.')
        if not entry or (entry_port is not None and entry_port != port):
            continue
        if entry == '*':
            return True
        if address is None:
            if host == entry or host.endswith('.' + entry):
                return True
            continue
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def proxy_for(scheme, host, port):
    """The HTTP proxy that the environment names for the cluster, read as
    requests reads it: https_proxy (or http_proxy for an http:// url), else
    all_proxy, lower case before upper case, unless no_proxy covers the
    cluster. None without one.

    Returns the proxy's host, port and the headers of its CONNECT request."""
    found = {}
    # Lower case wins.
    for name in sorted((k for k in os.environ if k.lower().endswith('_proxy')), key=lambda k: k != k.upper()):
        if os.environ[name].strip():
            found[name.lower()] = (name, os.environ[name].strip())
    key = next((k for k in (scheme + '_proxy', 'all_proxy') if k in found), None)
    if key is None or _bypassed(host, port, found.get('no_proxy', ('', ''))[1]):
        return None
    variable, address = found[key]
    parts = urlsplit(address if '://' in address else 'http://' + address)
    try:
        proxy_port = parts.port or 80
    except ValueError:
        proxy_port = None
    if parts.scheme != 'http' or not parts.hostname or proxy_port is None:
        raise RedisEnterpriseError(
            'The %s environment variable must name an HTTP proxy, like http://proxy.example.com:3128; '
            'its value is not one. Correct it, or add the cluster to no_proxy.' % variable)
    headers = {}
    if parts.username is not None:
        credentials = '%s:%s' % (unquote(parts.username), unquote(parts.password or ''))
        headers['Proxy-Authorization'] = 'Basic %s' % base64.b64encode(credentials.encode('utf-8')).decode('ascii')
    return dict(host=parts.hostname, port=proxy_port, headers=headers)


class _Failure(Exception):
    """One try that failed. kind: 'connect' (nothing reached the cluster yet,
    retried for any method), 'read' (sent, no answer: retried for GET and PUT),
    and never retried: 'tls', 'proxy' (the proxy refused the tunnel), 'body'
    (the answer broke off) or None (anything else)."""

    def __init__(self, kind, error):
        super(_Failure, self).__init__(error)
        self.kind = kind
        self.error = error


def _cause(exc):
    """An exception as text, e.g. '[Errno 111] Connection refused' or
    'IncompleteRead(39 bytes read, 361 more expected)'."""
    return str(exc) or type(exc).__name__


def backoff(failures):
    """Seconds to wait after the given number of failed tries in a row: none
    after the first, then BACKOFF_FACTOR * 2 ** (failures - 1), as urllib3's
    Retry does."""
    if failures <= 1:
        return 0
    return min(BACKOFF_MAX, BACKOFF_FACTOR * 2 ** (failures - 1))


class Client(object):
    """One HTTP(S) connection to a cluster's REST API, kept alive between
    calls, with bounded retries: the Python standard library only."""

    def __init__(self, url, username, password, validate_certs=True, ca_path=None, timeout=30):
        self.base_url = parse_url(url)
        if not username or not password:
            raise RedisEnterpriseError(
                'username and password are required: set the options or the %s and %s '
                'environment variables.' % (ENV['username'], ENV['password']))
        if timeout is None or timeout <= 0:
            raise RedisEnterpriseError('timeout must be a number of seconds greater than 0; got %r.' % timeout)
        if ca_path:
            _check_ca_file(ca_path)
        self.username = username
        self.timeout = timeout
        parts = urlsplit(self.base_url)
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (443 if self.scheme == 'https' else 80)
        # Said to the user by the module; never silently trusted or sent in clear.
        self.warnings = []
        self.context = None
        if self.scheme == 'http':
            self.warnings.append('url uses http://: the password travels in clear. Use https://.')
        elif ca_path or validate_certs:
            # Only ca_path and validate_certs decide: no environment variable
            # replaces the CA given. Without ca_path, the system's trusted CAs.
            try:
                self.context = ssl.create_default_context(cafile=ca_path or None)
            except (ssl.SSLError, OSError) as exc:
                raise RedisEnterpriseError(
                    'ca_path %s holds no certificate that can be loaded (%s): give the path of a PEM file '
                    "holding the certificate of the CA that signed the cluster's certificate." % (ca_path, exc))
        else:
            self.warnings.append("validate_certs is false: the cluster's identity is not verified. "
                                 "Give its CA certificate with ca_path instead.")
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        token = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
        self.headers = {'Accept': 'application/json', 'Authorization': 'Basic %s' % token,
                        'User-Agent': USER_AGENT}
        self.proxy = proxy_for(self.scheme, self.host, self.port)
        self.connection = None

    def get(self, path, permission=None):
        return self.request('GET', path, permission=permission)

    def put(self, path, body, permission=None):
        return self.request('PUT', path, body=body, permission=permission)

    def post(self, path, body=None, permission=None):
        return self.request('POST', path, body=body, permission=permission)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, body=None, permission=None):
        """Send one call (with retries) and return the JSON object answered.

        Raises RedisEnterpriseError for anything else."""
        call = '%s %s' % (method, path)
        payload = None if body is None else json.dumps(body).encode('utf-8')
        left = dict(total=RETRIES, connect=RETRIES, read=READ_RETRIES, status=RETRIES)
        history = []
        while True:
            try:
                status, headers, raw = self._try(method, path, payload, call)
            except _Failure as failure:
                retry = failure.kind == 'connect' or (failure.kind == 'read' and method in RETRY_METHODS)
                if not (retry and left['total'] and left[failure.kind]):
                    raise self._failed(call, method, failure)
                left['total'] -= 1
                left[failure.kind] -= 1
                history.append(failure.kind)
            else:
                history.append(status)
                if not (status in RETRY_STATUSES and method in RETRY_METHODS and left['total'] and left['status']):
                    break
                left['total'] -= 1
                left['status'] -= 1
            time.sleep(backoff(len(history)))
        # How many answers in a row, ending with this one, had this status.
        in_a_row = 0
        for outcome in reversed(history):
            if outcome != status:
                break
            in_a_row += 1
        return self._answer(call, status, headers, raw, permission, in_a_row)

    def _connect(self):
        """A new connection, through the proxy when there is one."""
        cls = http.client.HTTPSConnection if self.scheme == 'https' else http.client.HTTPConnection
        kwargs = {'context': self.context} if self.scheme == 'https' else {}
        if self.proxy:
            connection = cls(self.proxy['host'], self.proxy['port'], timeout=self.timeout, **kwargs)
            connection.set_tunnel(self.host, self.port, headers=self.proxy['headers'])
        else:
            connection = cls(self.host, self.port, timeout=self.timeout, **kwargs)
        try:
            # TCP (and the proxy's tunnel) first: nothing was sent to the cluster yet.
            http.client.HTTPConnection.connect(connection)
        except http.client.HTTPException as exc:
            connection.close()
            raise _Failure(None, exc)
        except (OSError, ValueError) as exc:
            connection.close()
            if self.proxy and 'Tunnel connection failed' in str(exc):
                raise _Failure('proxy', exc)
            raise _Failure('connect', exc)
        if self.scheme == 'https':
            try:
                connection.sock = self.context.wrap_socket(connection.sock, server_hostname=self.host)
            except ssl.SSLError as exc:
                connection.close()
                raise _Failure('tls', exc)
            except OSError as exc:
                # Accepted but no handshake: counted like an answer that never came.
                connection.close()
                raise _Failure('read', exc)
        return connection

    def _reusable(self):
        """The kept-alive connection, unless the cluster closed it meanwhile
        (it would read as readable: end of stream or unasked data)."""
        connection = self.connection
        if connection is None or connection.sock is None:
            return None
        try:
            readable = select.select([connection.sock], [], [], 0)[0]
        except (OSError, ValueError):
            readable = True
        if readable:
            self.close()
            return None
        return connection

    def _try(self, method, path, payload, call):
        connection = self._reusable() or self._connect()
        self.connection = connection
        headers = dict(self.headers)
        if payload is not None:
            headers['Content-Type'] = 'application/json'
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            if isinstance(exc, (OSError, http.client.BadStatusLine)):
                raise _Failure('read', exc)
            raise _Failure(None, exc)
        try:
            raw = self._read(response, call)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise _Failure('body', exc)
        if response.will_close:
            self.close()
        return response.status, response.msg, raw

    def _read(self, response, call):
        """The body, up to MAX_BODY_BYTES."""
        chunks, size = [], 0
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                self.close()
                raise RedisEnterpriseError(
                    'The answer to %s is larger than %d bytes, far more than this API sends; '
                    'stopped reading it.' % (call, MAX_BODY_BYTES), status=response.status)
            chunks.append(chunk)
        if response.length:
            # read(amt) ends early, without an error, when the connection closes.
            raise http.client.IncompleteRead(b''.join(chunks), response.length)
        return b''.join(chunks)

    def _failed(self, call, method, failure):
        exc = failure.error
        cause = _cause(exc)
        # A call that reached the cluster may have taken effect without an answer.
        unsure = '' if method == 'GET' else ' The cluster may or may not have applied the %s.' % method
        retried = ''
        if failure.kind == 'connect' or (failure.kind == 'read' and method in RETRY_METHODS):
            retried = ' (retries included)'
        if failure.kind == 'tls':
            return RedisEnterpriseError(
                'TLS verification of %s failed: %s. Give the CA certificate that signed the '
                "cluster's certificate with ca_path (or %s), e.g. the cluster's proxy CA in PEM form."
                % (self.base_url, cause, ENV['ca_path']))
        if failure.kind == 'proxy':
            return RedisEnterpriseError(
                'The HTTP proxy %s:%s did not open a tunnel to %s for %s: %s. Check the proxy '
                'environment variables (https_proxy, no_proxy).'
                % (self.proxy['host'], self.proxy['port'], self.base_url, call, cause))
        if failure.kind == 'connect' and self.proxy:
            return RedisEnterpriseError(
                'Cannot reach the HTTP proxy %s:%s (from the proxy environment variables) for %s%s: %s. '
                'Check the proxy, or add the cluster to no_proxy.'
                % (self.proxy['host'], self.proxy['port'], call, retried, cause))
        if isinstance(exc, socket.timeout):
            return RedisEnterpriseError(
                'No answer to %s from %s within the timeout of %s seconds%s: %s. '
                'Check that the cluster is up, or raise timeout.%s'
                % (call, self.base_url, self.timeout, retried, cause, unsure))
        if failure.kind == 'body':
            return RedisEnterpriseError(
                'The answer to %s from %s broke off before its end: %s. Check the network and any '
                'proxy between here and the cluster, then run again.%s'
                % (call, self.base_url, cause, unsure))
        if failure.kind == 'read':
            return RedisEnterpriseError(
                'The connection to %s closed without an answer to %s%s: %s. Check '
                'the cluster nodes and any proxy in between, then run again.%s'
                % (self.base_url, call, retried, cause, unsure))
        if failure.kind == 'connect':
            return RedisEnterpriseError(
                'Cannot reach %s for %s: %s. Check the url (the REST API listens on port 9443 by '
                'default) and that the cluster is reachable.' % (self.base_url, call, cause))
        return RedisEnterpriseError('%s to %s failed: %s.%s' % (call, self.base_url, cause, unsure))

    def _answer(self, call, status, headers, raw, permission, tries):
        if 300 <= status < 400:
            raise RedisEnterpriseError(
                '%s was answered by a redirect (HTTP %d) to %s, which is not followed so that '
                'credentials go only to the url given. Set url to the address of the cluster '
                'REST API itself.' % (call, status, headers.get('Location', 'an unknown place')),
                status=status)
        data = None
        if raw.strip():
            try:
                data = json.loads(raw.decode('utf-8'))
            except ValueError:
                data = None
                if status < 400:
                    raise RedisEnterpriseError(
                        'The answer to %s (HTTP %d, %s) is not JSON: is %s the Redis Enterprise REST API?'
                        % (call, status, headers.get('Content-Type', 'no content type'), self.base_url),
                        status=status)
        if status >= 400:
            raise self._http_error(call, status, data, permission, tries)
        if not isinstance(data, dict):
            raise RedisEnterpriseError(
                'The answer to %s (HTTP %d) is not a JSON object: is %s the Redis Enterprise REST API?'
                % (call, status, self.base_url), status=status)
        return data

    def _http_error(self, call, status, data, permission, tries=1):
        data = data if isinstance(data, dict) else {}
        code = data.get('error_code')
        detail = data.get('message') or data.get('description')
        said = ' The cluster said: %s' % detail if detail else ''
        if status == 401:
            msg = ('Authentication failed for %s (HTTP 401): check username and password (or %s and %s).'
                   % (call, ENV['username'], ENV['password']))
        elif status == 403:
            msg = ('User %s may not %s (HTTP 403): it needs the %s permission, which only the built-in '
                   'admin role has. Use an admin user.' % (self.username, call, permission or 'required'))
        elif status == 404:
            msg = ('%s%s was not found (HTTP 404): the url does not point at a Redis Enterprise REST API. '
                   'Give the API address, like https://cluster.example.com:9443.' % (self.base_url, call.split(' ')[1]))
        elif code == 'ocsp_unsupported_by_capability':
            msg = ('Not all nodes of the cluster support OCSP (HTTP %d, %s), for example while the cluster is '
                   'being upgraded. Finish upgrading every node, then run again.%s' % (status, code, said))
        elif code == 'task_queued_for_too_long':
            msg = ('The cluster did not get to %s in time (HTTP %d, %s): its task queue is busy. Run again '
                   'later.%s' % (call, status, code, said))
        elif code == 'invalid_ocsp_response':
            msg = ('The OCSP responder gave the cluster an answer it cannot use (HTTP %d, %s, for %s). Check '
                   "that the cluster nodes reach the responder URL of the proxy certificate and that it "
                   'answers for that certificate.%s' % (status, code, call, said))
        elif status == 400:
            msg = 'The cluster rejected %s (HTTP 400, %s).%s' % (call, code or 'no error code', said)
        elif status in RETRY_STATUSES and tries > 1:
            msg = ('The cluster answered %s with HTTP %d %d times in a row (error code %s).%s Check the cluster '
                   'nodes, then run again.' % (call, status, tries, code or 'none', said))
        else:
            msg = 'The cluster answered %s with HTTP %d (error code %s).%s' % (call, status, code or 'none', said)
        return RedisEnterpriseError(msg, status=status, error_code=code)


class RedisEnterpriseModule(AnsibleModule):
    """AnsibleModule with the connection options and a client built from them.

    option_hints maps an option name to what it accepts, added to the
    argument validation message when that option is wrong, so a user learns
    the allowed range along with the error."""

    def __init__(self, argument_spec, option_hints=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self._option_hints = option_hints or {}
        super(RedisEnterpriseModule, self).__init__(argument_spec=spec, **kwargs)
        self._option_hints = {}

    def fail_json(self, msg, **kwargs):
        hints = ['%s must be %s.' % (name, hint) for name, hint in sorted(self._option_hints.items())
                 if "'%s'" % name in msg]
        if hints:
            msg = '%s %s' % (msg, ' '.join(hints))
        self.no_log_values.update(url_secrets(self.params.get('url')))
        super(RedisEnterpriseModule, self).fail_json(msg=msg, **kwargs)

    def client(self):
        p = self.params
        client = Client(p['url'], p['username'], p['password'], validate_certs=p['validate_certs'],
                        ca_path=p['ca_path'], timeout=p['timeout'])
        for warning in client.warnings:
            self.warn(warning)
        return client

    def fail_from(self, error):
        self.fail_json(**error.result())

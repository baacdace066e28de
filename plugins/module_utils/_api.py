# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the redis.enterprise
# collection and may not remain stable to outside uses. Changes may be made
# in ANY release, even a bugfix release.

"""The transport of redis.enterprise: a requests Session with urllib3's
bounded retries, and every failure of a call mapped to one exception that
says what to do. The connection options that feed it are _connection.py's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import platform
import re
import ssl
import sys
import warnings
from urllib.parse import urlencode, urlsplit

from ansible.module_utils.basic import missing_required_lib

from ._connection import ENV, URL_REQUIRED, sentence as _sentence

HAS_REQUESTS = True
try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from requests.utils import select_proxy
    from urllib3.exceptions import MaxRetryError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    Retry = object

# The oldest urllib3 whose Retry takes the options the Client gives it
# (other, allowed_methods): requests 2.25 accepts older ones, with which
# the first call would fail with a TypeError.
URLLIB3_FLOOR = (1, 26)

# Retries cover connection failures and the statuses a cluster answers while
# a node restarts or the proxy is busy. GET and PUT of a whole object are
# idempotent, so both may be sent again; a POST is never sent twice once it
# may have reached the cluster.
RETRIES = 3
# A call that timed out or whose connection broke after it was sent is tried
# once more only: a hung cluster should cost two timeouts, not four.
READ_RETRIES = 1
BACKOFF_FACTOR = 0.5
RETRY_STATUSES = (502, 503, 504)
RETRY_METHODS = ('GET', 'PUT')
# A day: past it, a wait is a mistake (and past what sockets take, a crash).
MAX_TIMEOUT = 86400
# Answers of this API are a few hundred bytes; anything past this is not one.
# A call whose answer grows with the cluster declares its own (_contract.py).
MAX_BODY_BYTES = 1024 * 1024
USER_AGENT = 'ansible-collection-redis.enterprise'


def missing_requests():
    """Ansible's message for a missing library, and how to install it."""
    return ('%s. Install it on the host that runs the module, for this Python with '
            '"%s -m pip install requests" (or the python3-requests package of its system), '
            'or point ansible_python_interpreter at a Python that has it.'
            % (missing_required_lib('requests', reason="to call the cluster's REST API"), sys.executable))


def _release(version):
    """The (major, minor) of a version string such as '1.25.11' or
    '2.0.0a1'; None for one that does not start so ('dev')."""
    match = re.match(r'(\d+)\.(\d+)', version or '')
    return (int(match.group(1)), int(match.group(2))) if match else None


def _urllib3_found():
    """(version, where) of the urllib3 of this Python, or None when there is
    none: the imported one, else what its installed metadata says, for a
    urllib3 too old to import at all (1.25 on Python 3.12 and later)."""
    if HAS_REQUESTS:
        return getattr(urllib3, '__version__', ''), os.path.dirname(os.path.abspath(urllib3.__file__))
    try:
        from importlib import metadata  # pylint: disable=import-outside-toplevel
        distribution = metadata.distribution('urllib3')
    except Exception:  # pylint: disable=broad-exception-caught
        # No urllib3 installed, or no metadata to read: requests' own message says it all.
        return None
    return distribution.version, str(distribution.locate_file('urllib3'))


def urllib3_too_old():
    """The message for a urllib3 older than URLLIB3_FLOOR, or None."""
    found = _urllib3_found()
    release = _release(found[0]) if found else None
    if release is None or release >= URLLIB3_FLOOR:
        return None
    floor = '%d.%d' % URLLIB3_FLOOR
    return ("The Python library urllib3 of %s's Python %s is too old: it has version %s (%s), and the collection "
            "needs urllib3 %s or later to call the cluster's REST API. Upgrade it on the host that runs the module, "
            'for this Python with "%s -m pip install \'urllib3>=%s\'" (or the python3-urllib3 package of its '
            'system, at %s or later), or point ansible_python_interpreter at a Python that has it.'
            % (platform.node(), sys.executable, found[0], found[1], floor, sys.executable, floor, floor))


def missing_library():
    """(what, message) of a library of the request layer that this Python
    lacks or has too old, or None."""
    too_old = urllib3_too_old()
    if too_old:
        return 'urllib3 %d.%d or later' % URLLIB3_FLOOR, too_old
    if not HAS_REQUESTS:
        return 'requests', missing_requests()
    return None


class RedisEnterpriseError(Exception):
    """Every failure of a call to the cluster, with what a user needs to act.

    option: the connection option the failure is about, if any;
    _connection.connect() then says when its value came from an environment
    variable. keys:
    result keys the failure returns besides (what a call answered)."""

    def __init__(self, msg, http_status=None, error_code=None, option=None, keys=None, sent=False):
        super(RedisEnterpriseError, self).__init__(msg)
        self.msg = msg
        self.http_status = http_status
        self.error_code = error_code
        self.option = option
        self.keys = keys or {}
        # A call that may have reached the cluster, with no answer to say
        # what became of it (a timeout or a broken connection after sending).
        self.sent = sent

    def result(self):
        """The failure's keys of a task result: msg, and http_status (an
        integer) and error_code when the cluster answered with them."""
        result = dict(self.keys, msg=self.msg)
        if self.http_status is not None:
            result['http_status'] = self.http_status
        if self.error_code is not None:
            result['error_code'] = self.error_code
        return result


def parse_url(url):
    """Check the url option and return it as scheme://host[:port].

    Refuses credentials inside the url without echoing them."""
    parts = urlsplit(url.strip())
    # Checked on the whole string: without a scheme, urlsplit does not see
    # 'user:pass@host' as a netloc, and the messages below echo the url.
    if '@' in url:
        raise RedisEnterpriseError(
            'The url option must not contain a user name or password; give them with '
            'username and password (or %s and %s) instead.' % (ENV['username'], ENV['password']), option='url')
    if parts.scheme not in ('https', 'http') or not parts.netloc:
        raise RedisEnterpriseError(
            'The url option must be the address of the cluster REST API with its scheme, '
            'like https://cluster.example.com:9443; got %r.' % url, option='url')
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise RedisEnterpriseError(
            'The url option must end with a port number from 1 to 65535, or no port; got %r.' % url, option='url')
    if parts.path.strip('/') or parts.query or parts.fragment:
        raise RedisEnterpriseError(
            'The url option must be the base address of the cluster REST API without a path, '
            'like %s://%s; got %r.' % (parts.scheme, parts.netloc, url), option='url')
    return '%s://%s' % (parts.scheme, parts.netloc)


def credential(name, value):
    """A user name or password as the UTF-8 bytes that HTTP Basic sends
    (RFC 7617); requests would encode text as Latin-1, which cannot hold
    most passwords' characters. Refuses what is not text, never echoing it."""
    try:
        encoded = value.encode('utf-8')
    except UnicodeError:
        raise RedisEnterpriseError(
            '%s is not valid text: it holds bytes that are not UTF-8, for example from a file or terminal in '
            'another encoding. Give it as UTF-8 text.' % name, option=name)
    if name == 'username' and ':' in value:
        raise RedisEnterpriseError(
            'username must not contain a colon (:), which HTTP basic authentication cannot send in a user name; '
            'give the email address of the cluster user.', option=name)
    return encoded


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
    try:
        # The loading that urllib3 does for verify=ca_path, here where its
        # failure can still be told apart from the cluster's certificate.
        ssl.create_default_context(cafile=ca_path)
    except (ssl.SSLError, ValueError) as exc:
        raise RedisEnterpriseError('ca_path %s holds no certificate that can be loaded (%s): %s'
                                   % (ca_path, exc, fix))


def _root(exc):
    """The innermost reason of a requests/urllib3 exception."""
    reason = exc
    seen = set()
    while id(reason) not in seen:
        seen.add(id(reason))
        inner = getattr(reason, 'reason', None)
        # ProtocolError('Connection broken: ...', IncompleteRead(...)) gives its reason last.
        if inner is None and reason.args and isinstance(reason.args[-1], BaseException):
            inner = reason.args[-1]
        if not isinstance(inner, BaseException):
            break
        reason = inner
    return reason


def _cause(reason):
    """An exception as text without object reprs, e.g. '[Errno 111]
    Connection refused' rather than '<HTTPSConnection(...)>: Failed to ...'."""
    text = str(reason)
    text = re.sub(r'<[^>]*>:\s*', '', text)
    text = re.sub(r'^.*Failed to establish a new connection:\s*', '', text)
    text = re.sub(r'^\w+\(host=[^)]*\):\s*', '', text)
    return text or type(reason).__name__


def _address(url):
    """host:port of a url, without the user and password it may hold."""
    parts = urllib3.util.parse_url(url)
    default = {'https': 443, 'http': 80, 'socks4': 1080, 'socks5': 1080, 'socks5h': 1080}.get(parts.scheme)
    return '%s:%s' % (parts.host, parts.port or default)


def _closed_under_tls(exc):
    """Whether exc is a connection the other end closed under TLS without
    an answer. A kept-alive connection the cluster closes just as it is
    reused ends so: the TLS layer reports an unexpected EOF (or a bare
    close_notify) where plain HTTP reports a reset."""
    return isinstance(_root(exc), (ssl.SSLEOFError, ssl.SSLZeroReturnError))


class _Retry(Retry):
    """urllib3's Retry, with a connection closed under TLS retried as the
    reset it is (urllib3 counts it as another error, which is not retried);
    when it gives up, the error says how many tries the request got, for the
    message.

    once: for a path whose PUT may still be at work when its answer is late
    (a certificate write takes minutes): such a PUT is sent again only on
    the statuses given, never after it was sent without an answer."""

    once = None

    def new(self, **kw):
        retry = super(_Retry, self).new(**kw)
        retry.once = self.once
        return retry

    def _is_read_error(self, err):
        return super(_Retry, self)._is_read_error(err) or _closed_under_tls(err)

    def is_retry(self, method, status_code, has_retry_after=False):
        if self.once is not None and method == 'PUT':
            return status_code in self.once
        return super(_Retry, self).is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if self.once is not None and method == 'PUT' and error is not None and self._is_read_error(error):
            # What urllib3 does with read=False: the error itself, which
            # requests reports as a timeout or a broken connection.
            raise error
        try:
            return super(_Retry, self).increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError as exc:
            exc.tries = len(self.history) + 1
            raise


def _tries(exc):
    """How many tries a failed request got: what _Retry noted, else one (a
    call that is not retried, or an error after the answer began)."""
    reason = exc.args[0] if exc.args else None
    return getattr(reason, 'tries', 1)


class Client(object):
    """One requests Session to a cluster's REST API: kept-alive connections,
    urllib3's Retry for the retries, a timeout on every call."""

    def __init__(self, url, username, password, validate_certs=True, ca_path=None, timeout=30, reword=None):
        # What becomes of the error of a call that got no answer: the
        # connection's own words, where an option's value came from.
        self.reword = reword or (lambda error: error)
        if not url:
            raise RedisEnterpriseError(URL_REQUIRED, option='url')
        self.base_url = parse_url(url)
        if not username or not password:
            raise RedisEnterpriseError(
                'username and password are required: set the options or the %s and %s '
                'environment variables.' % (ENV['username'], ENV['password']))
        auth = (credential('username', username), credential('password', password))
        # Also refuses nan and inf, which no comparison lets through.
        if timeout is None or not 0 < timeout <= MAX_TIMEOUT:
            raise RedisEnterpriseError('timeout must be a number of seconds greater than 0 and at most %d; got %r.'
                                       % (MAX_TIMEOUT, timeout), option='timeout')
        if ca_path:
            _check_ca_file(ca_path)
        self.username = username
        self.timeout = timeout
        # Said to the user by the module; never silently trusted or sent in clear.
        self.warnings = []
        if self.base_url.startswith('http://'):
            self.warnings.append('url uses http://: the password travels in clear. Use https://.')
        elif not validate_certs and not ca_path:
            self.warnings.append("validate_certs is false: the cluster's identity is not verified. "
                                 "Give its CA certificate with ca_path instead.")
        elif not validate_certs:
            self.warnings.append("validate_certs is false, but ca_path is set (by the option or %s): the "
                                 "cluster's certificate is verified against ca_path all the same. Drop "
                                 'validate_certs: false, which has no effect here.' % ENV['ca_path'])
        # Given on every request rather than on the session: requests lets
        # REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE replace a session's verify,
        # and a request's verify too when it is True, never when it is a
        # path or False. So ca_path and validate_certs=false always win;
        # without either, requests' own choice applies (those variables,
        # else certifi's bundle).
        self.verify = ca_path or bool(validate_certs)
        self.session = requests.Session()
        # Bytes, which requests sends as they are: UTF-8, as RFC 7617 has it.
        self.session.auth = auth
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        self.retry = _Retry(
            total=RETRIES, connect=RETRIES, read=READ_RETRIES, status=RETRIES, other=0, redirect=0,
            allowed_methods=frozenset(RETRY_METHODS), status_forcelist=RETRY_STATUSES,
            backoff_factor=BACKOFF_FACTOR, raise_on_status=False, raise_on_redirect=False,
            respect_retry_after_header=False)
        adapter = HTTPAdapter(max_retries=self.retry)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.session.close()

    def get(self, path, permission=None):
        return self.request('GET', path, permission=permission)

    def put(self, path, body, permission=None):
        return self.request('PUT', path, body=body, permission=permission)

    def post(self, path, body=None, permission=None, read_timeout=None):
        return self.request('POST', path, body=body, permission=permission, read_timeout=read_timeout)

    def retry_also(self, path, statuses, once=False):
        """Retry the GETs and PUTs of path (and below it) on statuses too, as
        on 502, 503 and 504: a resource's answer that means "try again".
        once: a PUT there is retried on statuses alone, and never sent
        again once it went out without an answer (_Retry.once)."""
        retry = self.retry.new(status_forcelist=tuple(RETRY_STATUSES) + tuple(statuses))
        if once:
            retry.once = frozenset(statuses)
        # requests picks the adapter of the longest matching prefix.
        self.session.mount(self.base_url + path, HTTPAdapter(max_retries=retry))

    def request(self, method, path, body=None, permission=None, read_timeout=None, explain=None, empty_ok=False,
                query=None, array=False, holders=None, max_bytes=None):
        """Send one call (with retries) and return the JSON object answered.

        permission: the one the call needs, for a 403's message; holders: the
        built-in roles that hold it, when known.
        query: the query parameters, name -> text (dry_run=true).
        array: the answer is a JSON array (a collection's list), not an object.
        read_timeout: seconds to wait for the answer when a call is known to
        take longer than the timeout option allows; the connection still
        gets the option's timeout.
        explain(status, error_code, said, tries): the message of the
        resource for an HTTP error answer, or None for the generic one.
        empty_ok: an answer without a body is fine (as {}).
        max_bytes: the largest answer read, for a call whose answer grows
        with the cluster; MAX_BODY_BYTES by default.

        Raises RedisEnterpriseError for anything else."""
        url = self.base_url + path
        call = '%s %s%s' % (method, path, '?' + urlencode(sorted(query.items())) if query else '')
        waits = max(self.timeout, read_timeout or 0)
        try:
            with warnings.catch_warnings():
                # The module warns instead, once, in its result. Only for this
                # call: on the direct path the process is ansible's worker.
                warnings.simplefilter('ignore', urllib3.exceptions.InsecureRequestWarning)
                response = self.session.request(
                    method, url, json=body, params=query, timeout=(self.timeout, waits), verify=self.verify,
                    allow_redirects=False, stream=True)
            with response:
                raw = self._read(response, call, max_bytes or MAX_BODY_BYTES)
        except requests.exceptions.RequestException as exc:
            raise self.reword(self._failed(exc, url, call, method, waits))
        return self._answer(response, raw, call, (permission, holders), explain, empty_ok, array)

    @staticmethod
    def _read(response, call, limit):
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > limit:
                raise RedisEnterpriseError(
                    'The answer to %s is larger than %d bytes, far more than this API sends; '
                    'stopped reading it.' % (call, limit), http_status=response.status_code)
            chunks.append(chunk)
        return b''.join(chunks)

    def _proxy(self, url):
        """The proxy requests takes from the environment for url, or None."""
        settings = self.session.merge_environment_settings(url, {}, None, None, None)
        return select_proxy(url, settings['proxies'])

    def _plain_http_hint(self):
        """For an http:// url, what an HTTPS port does with plain http: it
        hangs up, or answers 400 with a page that says so."""
        if not self.base_url.startswith('http://'):
            return ''
        return ('The url uses http://, and the REST API answers HTTPS (on port 9443 by default): use %s.'
                % self.base_url.replace('http://', 'https://', 1))

    def _failed(self, exc, url, call, method, timeout):
        root = _root(exc)
        cause = _cause(root)
        proxy = self._proxy(url)
        # A call that reached the cluster may have taken effect without an answer.
        unsure = '' if method == 'GET' else ' The cluster may or may not have applied the %s.' % method
        retried = ' (retries included)' if method in RETRY_METHODS else ''
        if proxy and isinstance(exc, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL)):
            # Never the proxy URL itself: it may hold a password.
            named = 'The proxy that the proxy environment variables name for %s' % self.base_url
            if proxy.split('://', 1)[0].lower().startswith('socks'):
                return RedisEnterpriseError(
                    '%s is a SOCKS proxy, which needs the PySocks library on the host that runs the module: '
                    'install requests[socks] there, or add the cluster to no_proxy.' % named)
            return RedisEnterpriseError(
                '%s is not a proxy URL requests can use (http://, https://, or socks5:// with PySocks, then '
                'host:port with a port from 1 to 65535). Correct https_proxy (or http_proxy, all_proxy), or add '
                'the cluster to no_proxy.' % named)
        if isinstance(exc, requests.exceptions.ProxyError):
            address = _address(proxy)
            if isinstance(root, ssl.SSLError):
                return RedisEnterpriseError(
                    'TLS verification of the proxy %s failed: %s. An https:// proxy is verified against the same '
                    "CAs as the cluster: add the proxy's CA certificate to the ca_path file, or use an http:// "
                    'proxy.' % (address, cause))
            if isinstance(root, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.TimeoutError)):
                return RedisEnterpriseError(
                    'Cannot reach the proxy %s (from the proxy environment variables) for %s%s: %s. '
                    'Check the proxy, or add the cluster to no_proxy.' % (address, call, retried, cause))
            return RedisEnterpriseError(
                'The proxy %s did not open a tunnel to %s for %s: %s. Check the proxy environment '
                'variables (https_proxy, no_proxy).' % (address, self.base_url, call, cause))
        if isinstance(exc, requests.exceptions.SSLError) and not _closed_under_tls(root):
            return RedisEnterpriseError(
                'TLS verification of %s failed: %s. Give the CA certificate that signed the '
                "cluster's certificate with ca_path (or %s), e.g. the cluster's proxy CA in PEM form."
                % (self.base_url, cause, ENV['ca_path']))
        via = ' through the proxy %s' % _address(proxy) if proxy else ''
        if isinstance(exc, requests.exceptions.Timeout) or (
                isinstance(root, (urllib3.exceptions.TimeoutError, TimeoutError))
                and not isinstance(root, urllib3.exceptions.NewConnectionError)):
            tries = _tries(exc)
            return RedisEnterpriseError(
                'No answer to %s from %s%s within the timeout of %s seconds, which applies to each try (%s): '
                '%s. Check that %s up, or raise timeout.%s'
                % (call, self.base_url, via, timeout, '%d tries, with backoff between them' % tries
                   if tries > 1 else 'this call was tried once', cause,
                   'the cluster and the proxy are' if proxy else 'the cluster is', unsure), option='timeout',
                sent=not isinstance(exc, requests.exceptions.ConnectTimeout))
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return RedisEnterpriseError(
                'The answer to %s from %s broke off before its end: %s. Check the network and any '
                'proxy between here and the cluster, then run again.%s'
                % (call, self.base_url, cause, unsure), sent=True)
        # RemoteDisconnected is a ConnectionResetError: the call was sent, the answer never came.
        if isinstance(root, (ConnectionResetError, BrokenPipeError)) or _closed_under_tls(root):
            return RedisEnterpriseError(
                'The connection to %s closed without an answer to %s%s: %s. %s%s'
                % (self.base_url, call, retried, cause, self._plain_http_hint()
                   or 'Check the cluster nodes and any proxy in between, then run again.', unsure), sent=True)
        if isinstance(exc, requests.exceptions.ConnectionError):
            return RedisEnterpriseError(
                'Cannot reach %s%s for %s: %s. Check the url (the REST API listens on port 9443 by '
                'default) and that the cluster is reachable.' % (self.base_url, via, call, cause))
        return RedisEnterpriseError('%s to %s failed: %s.%s' % (call, self.base_url, cause, unsure))

    def _answer(self, response, raw, call, permission, explain=None, empty_ok=False, array=False):
        status = response.status_code
        if 300 <= status < 400:
            raise RedisEnterpriseError(
                '%s was answered by a redirect (HTTP %d) to %s, which is not followed so that '
                'credentials go only to the url given. Set url to the address of the cluster '
                'REST API itself.' % (call, status, response.headers.get('Location', 'an unknown place')),
                http_status=status)
        data = None
        if raw.strip():
            try:
                data = json.loads(raw.decode('utf-8'))
            except ValueError:
                data = None
                if status < 400:
                    raise RedisEnterpriseError(
                        'The answer to %s (HTTP %d, %s) is not JSON: is %s the Redis Enterprise REST API?'
                        % (call, status, response.headers.get('Content-Type', 'no content type'), self.base_url),
                        http_status=status)
        if status >= 400:
            raise self._http_error(call, status, data, permission, _in_a_row(response), explain)
        if data is None and empty_ok:
            return {}
        if not isinstance(data, list if array else dict):
            raise RedisEnterpriseError(
                'The answer to %s (HTTP %d) is not a JSON %s: is %s the Redis Enterprise REST API?'
                % (call, status, 'array' if array else 'object', self.base_url), http_status=status)
        if array and not all(isinstance(item, dict) for item in data):
            raise RedisEnterpriseError(
                'The answer to %s (HTTP %d) is not a JSON array of objects: is %s the Redis Enterprise REST API?'
                % (call, status, self.base_url), http_status=status)
        return data

    def _http_error(self, call, status, data, permission, tries=1, explain=None):
        data = data if isinstance(data, dict) else {}
        code = data.get('error_code')
        detail = data.get('message') or data.get('description')
        if not isinstance(detail, str):
            detail = None
        said = ' The cluster said: %s' % _sentence(_without_pem(detail)) if detail else ''
        msg = explain(status, code, said, tries) if explain else None
        if msg is not None:
            pass
        elif status == 401:
            msg = ('Authentication failed for %s (HTTP 401): check username and password (or %s and %s).'
                   % (call, ENV['username'], ENV['password']))
        elif status == 403:
            msg = 'User %s may not %s (HTTP 403): %s' % (self.username, call, _needs(*permission))
        elif status == 404:
            msg = ('%s%s was not found (HTTP 404): the url does not point at a Redis Enterprise REST API. '
                   'Give the API address, like https://cluster.example.com:9443.' % (self.base_url, call.split(' ')[1]))
        elif status == 400 and not data and self._plain_http_hint():
            msg = 'The cluster answered %s with HTTP 400 and no JSON. %s' % (call, self._plain_http_hint())
        elif status == 400:
            msg = 'The cluster rejected %s (HTTP 400, %s).%s' % (call, code or 'no error code', said)
        elif status in RETRY_STATUSES and tries > 1:
            msg = ('The cluster answered %s with HTTP %d %d times in a row (error code %s).%s Check the cluster '
                   'nodes, then run again.' % (call, status, tries, code or 'none', said))
        else:
            msg = 'The cluster answered %s with HTTP %d (error code %s).%s' % (call, status, code or 'none', said)
        return RedisEnterpriseError(msg, http_status=status, error_code=code)


def _needs(permission, holders):
    """What a 403 says the user needs: the permission, and the built-in
    roles that hold it where they are known."""
    if not permission:
        return 'it lacks the permission this call needs. Use a user whose role has it.'
    if not holders:
        return 'it needs the %s permission. Use a user whose role has it.' % permission
    if tuple(holders) == ('admin',):
        return 'it needs the %s permission, which only the built-in admin role has. Use an admin user.' % permission
    return ('it needs the %s permission, which the built-in roles %s and %s have. Use a user of one of them.'
            % (permission, ', '.join(holders[:-1]), holders[-1]))


def _without_pem(text):
    """A cluster's message with any PEM block or license text in it cut
    out: an answer to a certificate's or a license's write must not carry
    the key or the license to the output."""
    text = re.sub(r'-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)', '[PEM data]', text, flags=re.S)
    return re.sub(r'-+ *LICENSE START *-+.*?(-+ *LICENSE END *-+|$)', '[license text]', text, flags=re.S | re.I)


def _in_a_row(response):
    """How many answers in a row, ending with this one, had its status: the
    tries that urllib3's Retry recorded, plus the last."""
    history = getattr(getattr(response.raw, 'retries', None), 'history', None) or ()
    count = 1
    for entry in reversed(history):
        if entry.status != response.status_code:
            break
        count += 1
    return count

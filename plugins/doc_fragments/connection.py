# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Mirrors connection_argument_spec() in plugins/module_utils/_connection.py.
    DOCUMENTATION = r'''
requirements:
  - requests >= 2.25.0
  - urllib3 >= 1.26.0
options:
  url:
    description:
      - Base address of the cluster's REST API, scheme, host and port, without a path.
      - The REST API listens on port 9443 by default.
      - A user name or password inside the URL is refused; use O(username) and O(password).
      - With C(http://) the credentials travel in clear; use C(https://).
      - Reached through a proxy when the environment names one for it, see the notes.
      - Required, here or in the E(REDIS_ENTERPRISE_URL) environment variable.
    type: str
  username:
    description:
      - Email address of a cluster user, sent with HTTP basic authentication as UTF-8 (RFC 7617).
      - Managing OCSP and certificates needs a user with the built-in C(admin) role; users, roles and Redis ACLs
        the C(admin) or the C(user_manager) role. Each module's notes name the permissions it needs.
      - Required, here or in the E(REDIS_ENTERPRISE_USERNAME) environment variable.
    type: str
    aliases: [user]
  password:
    description:
      - Password of O(username), sent as UTF-8 (RFC 7617), so any character works.
      - The collection never shows it in a result, diff, message or log line.
      - For M(redis.enterprise.user) this is the password the task logs in with, not the managed user's, which is
        O(redis.enterprise.user#module:user_password).
      - Required, here or in the E(REDIS_ENTERPRISE_PASSWORD) environment variable.
      - Set that variable in the controller's environment, through an AWX credential, or give the option from
        Ansible Vault; given that way, it shows nowhere.
      - ansible-core itself shows it in these cases. From ansible-core 2.19, a failed task prints where it
        came from, which for an ad-hoc C(-a 'password=...') is its arguments, and for a playbook the file's
        lines just above the task. When the task runs as a module (on a managed host, or with
        C(redis_enterprise_direct_execution=false)), C(ANSIBLE_DEBUG=1) logs its arguments and C(-vvv) prints
        its command line with the task's C(environment), so do not give the password there. C(ANSIBLE_DEBUG=1)
        logs every other C(no_log) option's value of such a task too, such as
        O(redis.enterprise.certificate#module:key).
    type: str
  validate_certs:
    description:
      - Verify the cluster's TLS certificate.
      - With O(ca_path), against the CA certificate(s) in that file and nothing else, whatever
        E(REQUESTS_CA_BUNDLE), E(CURL_CA_BUNDLE) or E(SSL_CERT_FILE) say.
      - Without O(ca_path), as the requests library does, against the bundle that E(REQUESTS_CA_BUNDLE)
        (else E(CURL_CA_BUNDLE)) names when set, else against the CA bundle of the certifi package.
        E(SSL_CERT_FILE) and E(SSL_CERT_DIR) are not read.
      - With V(false) and no O(ca_path), the certificate is not verified, and the module warns.
      - With V(false) and O(ca_path) set (also by E(REDIS_ENTERPRISE_CA_PATH), as an AWX credential sets it),
        the certificate is verified against O(ca_path) all the same, and the module warns that V(false) has no
        effect.
      - Fresh clusters use a self-signed certificate; give its CA with O(ca_path) rather than turning
        verification off.
      - If not set, the value of the E(REDIS_ENTERPRISE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file with the CA certificate(s) that signed the cluster's certificate.
      - The only CAs trusted when it is set, whatever E(REQUESTS_CA_BUNDLE), E(CURL_CA_BUNDLE) or
        E(SSL_CERT_FILE) say. The certificate is verified against it even with O(validate_certs=false).
      - An C(https://) proxy's certificate is verified against the same file, so it must hold the
        proxy's CA too.
      - If not set, the value of the E(REDIS_ENTERPRISE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the cluster to connect and to answer, for each try of a request.
      - Connection failures and HTTP 502, 503 and 504 answers to GET and PUT are retried
        3 times with backoff, an answer that timed out once; each try has this timeout, so a silent
        cluster costs a few times this long. A timeout's message says how many tries there were.
      - If not set, the value of the E(REDIS_ENTERPRISE_TIMEOUT) environment variable is used.
    type: float
    default: 30
notes:
  - "The module talks to the cluster's REST API from the host it runs on; run it on the
    controller with C(delegate_to: localhost) or against C(localhost). That host's Python needs the
    C(requests) library (2.25 or later, with C(urllib3) 1.26 or later), listed in the collection's
    C(requirements.txt)."
  - "On the controller (connection C(local), no C(become), no C(async)), the task runs in the
    C(ansible-playbook) worker itself, in the controller's Python, without starting a module process
    (direct execution); the result is the same as the module's. It runs as a module instead on a macOS
    controller (where a forked worker must not look up the system's proxy settings), when
    C(ansible_python_interpreter) names another Python than the controller's, and when preparing the
    direct run fails. Set the variable C(redis_enterprise_direct_execution) to V(false) to always run it as a
    module, or to V(true) to run it in the worker on macOS too. At C(-vvvv) each task says which way it ran
    and why."
  - "Proxies are the requests library's: E(https_proxy) (E(http_proxy) for an C(http://) O(url)), else
    E(all_proxy), a lower-case name before its upper-case one, unless E(no_proxy) covers the cluster (a
    comma-separated list of host names and domain suffixes, IP addresses and networks like C(10.0.0.0/8),
    or C(*)). A proxy URL may be C(http://), C(https://), or C(socks5://) and C(socks5h://) where the
    PySocks library is installed (C(requests[socks])); a user and password in it (percent-encoded) are
    sent to the proxy. For an C(https://) O(url), the module opens a C(CONNECT) tunnel through the
    proxy, so TLS runs end to end with the cluster."
  - Use C(module_defaults) with the group C(group/redis.enterprise.api) to give the connection
    options once for every module of the collection.
'''

    # Attributes every module of the collection shares; each module states
    # its own check_mode and diff_mode.
    ATTRIBUTES = r'''
attributes:
  platform:
    platforms: all
  action_group:
    description: Use C(group/redis.enterprise.api) in C(module_defaults) to set its options.
    support: full
    membership:
      - redis.enterprise.api
  action:
    support: full
    details:
      - An action plugin runs the module's code in the controller's Python when the task runs on the
        controller, and runs the module otherwise.
  async:
    support: full
    details:
      - An C(async) task always runs as a module.
  bypass_host_loop:
    support: none
'''

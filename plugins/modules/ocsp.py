#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ocsp
short_description: Enforce the OCSP stapling configuration of a Redis Enterprise cluster
version_added: 0.1.0
description:
  - Reads the cluster's OCSP configuration (C(GET /v1/ocsp)), compares it with the options
    given, and writes it (C(PUT /v1/ocsp)) only when something differs.
  - Only the options that are set are enforced; the others keep the cluster's values.
  - The write sends every writable field, the current values with the desired ones merged in,
    so a cluster that resets omitted fields to their defaults loses nothing. The read-only
    C(responder_url) is never sent.
  - Turning OCSP stapling on needs a responder URL, which comes from the cluster's proxy
    certificate (see M(redis.enterprise.certificate)). When the cluster has none, the module fails
    before writing, in check mode too.
  - When a run would turn stapling on (off before, on after), the module first asks the responder
    (C(POST /v1/ocsp/test)) and writes only when it answers C(GOOD) with a C(next_update) that is not in
    the past; see O(require_good_status).
author:
  - Redis Enterprise collection maintainers (@redis-enterprise-ansible)
extends_documentation_fragment:
  - redis.enterprise.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - redis.enterprise.connection.attributes
attributes:
  check_mode:
    support: full
    details:
      - Makes no write, and reports C(changed), the diff and the predicted configuration as a real run would.
      - When the run would turn stapling on, it asks the responder as a real run does and predicts the same failure.
        While stapling is off that test changes nothing on the cluster, which caches a test's answer only while
        stapling is on.
  diff_mode:
    support: full
    details: The writable fields before and after.
options:
  ocsp_functionality:
    description:
      - Turn OCSP stapling on (V(true)) or off (V(false)) for the cluster.
      - Turning it on fails when the proxy certificate carries no OCSP responder URL, that is no OCSP URL in the
        Authority Information Access of the proxy certificate itself. One in its issuing CA's certificate does not
        count.
    type: bool
  query_frequency:
    description:
      - Seconds between two OCSP queries to the responder, from 60 to 86400.
      - The cluster's default is 3600.
    type: int
  response_timeout:
    description:
      - Seconds to wait for the responder's answer, from 1 to 60.
      - The cluster's default is 1.
    type: int
  recovery_frequency:
    description:
      - Seconds between two queries while the stapled status is invalid, from 60 to 86400, for at most
        O(recovery_max_tries) queries.
      - The cluster's default is 60.
    type: int
  recovery_max_tries:
    description:
      - The most queries the cluster makes every O(recovery_frequency) seconds while the stapled status is invalid,
        from 1 to 100. Past them it goes back to querying every O(query_frequency) seconds.
      - The cluster's default is 5.
    type: int
  require_good_status:
    description:
      - When the run would turn stapling on, ask the responder first (C(POST /v1/ocsp/test)), and write only when it
        answers C(GOOD) and its C(next_update) is not in the past. Otherwise fail, writing nothing, with the status,
        the responder URL and what to check.
      - While stapling is on, clients that check the staple refuse the handshake when the stapled status is
        C(REVOKED) or C(UNKNOWN), which includes a responder that does not answer (the nodes cannot reach it).
        Turning stapling on with such a status cuts every such client off from every database of the cluster.
      - Has no effect when stapling is on already or stays off.
      - V(false) skips the test, for turning stapling on while the responder is down on purpose.
      - The test can wait up to 5 seconds in the cluster's queue, then for the responder up to C(response_timeout),
        the larger of the cluster's and the one the task sets. So it is waited for 5 + that + 5 seconds, or O(timeout)
        if that is longer.
      - The test needs the C(test_ocsp_status) permission, which only the built-in C(admin) role has.
    type: bool
    default: true
    version_added: 0.3.0
seealso:
  - module: redis.enterprise.ocsp_info
  - module: redis.enterprise.certificate
  - name: OCSP requests of the Redis Enterprise REST API
    description: The GET and PUT /v1/ocsp and POST /v1/ocsp/test calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/ocsp/
'''

EXAMPLES = r'''
- name: Enforce OCSP stapling on a cluster
  redis.enterprise.ocsp:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    ocsp_functionality: true
    query_frequency: 3600
    response_timeout: 2
    recovery_frequency: 60
    recovery_max_tries: 5
  delegate_to: localhost

- name: Give the connection once for every module of the collection
  module_defaults:
    group/redis.enterprise.api:
      url: https://cluster.example.com:9443
      username: admin@example.com
      password: "{{ vault_redis_password }}"
      ca_path: /etc/pki/redis/cluster-ca.pem
  block:
    - name: Only the response timeout is enforced; other fields keep their values
      redis.enterprise.ocsp:
        response_timeout: 5
      delegate_to: localhost

    - name: Turn OCSP stapling off
      redis.enterprise.ocsp:
        ocsp_functionality: false
      delegate_to: localhost
'''

RETURN = r'''
ocsp_status:
  description:
    - What the responder answered the test made before turning stapling on, as M(redis.enterprise.ocsp_info) returns
      RV(redis.enterprise.ocsp_info#module:ocsp_status), with each date also in ISO 8601 (UTC).
    - Also returned with the failure when the answer was not C(GOOD) and current.
  returned: when the run turns stapling on with O(require_good_status=true)
  type: dict
  version_added: 0.3.0
  sample:
    cert_status: GOOD
    responder_url: http://ocsp.example.com
    produced_at: Wed, 22 Dec 2021 12:50:11 GMT
    this_update: Wed, 22 Dec 2021 12:50:11 GMT
    next_update: Thu, 23 Dec 2021 12:50:11 GMT
    revocation_time: ''
    produced_at_iso: '2021-12-22T12:50:11Z'
    this_update_iso: '2021-12-22T12:50:11Z'
    next_update_iso: '2021-12-23T12:50:11Z'
    revocation_time_iso: null
ocsp:
  description:
    - The cluster's OCSP configuration after the run, as the cluster answered it.
    - In check mode, the configuration the run would have produced.
  returned: success
  type: dict
  sample:
    ocsp_functionality: true
    responder_url: http://ocsp.example.com
    query_frequency: 3600
    response_timeout: 2
    recovery_frequency: 60
    recovery_max_tries: 5
diff:
  description: The writable fields before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The writable fields as they were.
      type: dict
      returned: success, in diff mode
    after:
      description: The writable fields as they are after the run (or would be, in check mode).
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Always an integer; absent when the call got no answer (a timeout, a refused connection, a TLS failure)
      or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 403
  version_added: 0.2.0
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: no_responder_url
'''

from ..module_utils import _engine, _ocsp

# The OCSP configuration, as the engine reads, compares and writes it.
RESOURCE = _ocsp.CONFIG


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

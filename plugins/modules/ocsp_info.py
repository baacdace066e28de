#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ocsp_info
short_description: Read the OCSP configuration and certificate status of a Redis Enterprise cluster
version_added: 0.1.0
description:
  - Reads the cluster's OCSP configuration (C(GET /v1/ocsp)) and the OCSP status of its proxy
    certificate, and tells whether that certificate can be used for OCSP stapling.
  - By default the status is the one the cluster cached at its last query to the OCSP responder
    (C(GET /v1/ocsp/status)), the one the proxy staples. With O(test_certificate=true) the cluster
    asks the responder now (C(POST /v1/ocsp/test)) and the fresh answer is returned.
  - Never changes the OCSP configuration. While OCSP stapling is on, O(test_certificate=true)
    refreshes the status the cluster caches, as C(rladmin cluster ocsp test_certificate) does.
  - When OCSP stapling is off, or no status was fetched yet, the status is what the cluster
    answers, usually empty strings; that is not a failure.
  - On a cluster without an OCSP responder URL (RV(certificate_compatible=false), as on a fresh cluster),
    a failed C(GET /v1/ocsp/status) is no failure either, since that cluster has no status to give; the
    status is returned empty, with a warning that carries the cluster's answer.
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
      - This action does not modify state.
      - With O(test_certificate=true), check mode does not send C(POST /v1/ocsp/test), which contacts the
        OCSP responder and, while stapling is on, refreshes the status the cluster caches and staples; it returns
        the cached status with a warning. That reason holds only while stapling is on; while it is off the test
        changes nothing on the cluster, and M(redis.enterprise.ocsp) makes it in check mode too before turning
        stapling on.
  diff_mode:
    support: N/A
    details: This action does not modify state.
options:
  test_certificate:
    description:
      - Ask the OCSP responder for the status of the proxy certificate now (C(POST /v1/ocsp/test)) and
        return that status instead of the cached one.
      - The cluster contacts the responder, an outside server, and, while OCSP stapling is on, caches
        the answer as the status it staples.
      - Fails when the cluster has no OCSP responder URL (RV(certificate_compatible=false)). In check mode it warns
        instead and returns what the cluster has, as a proxy certificate that an earlier task would install is not
        installed yet.
      - Not sent in check mode; see the check mode attribute.
      - The test can wait up to 5 seconds in the cluster's queue, then up to the configuration's
        C(response_timeout) (up to 60 seconds) for the responder. So this call waits for its answer
        5 + C(response_timeout) + 5 seconds, or O(timeout) if that is longer, whatever O(timeout) says.
    type: bool
    default: false
notes:
  - Reading the configuration and the status needs the C(view_ocsp_config) and C(view_ocsp_status)
    permissions, O(test_certificate=true) the C(test_ocsp_status) permission. Only the built-in C(admin)
    role has them.
seealso:
  - module: redis.enterprise.ocsp
  - name: OCSP requests of the Redis Enterprise REST API
    description: The GET /v1/ocsp, GET /v1/ocsp/status and POST /v1/ocsp/test calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/ocsp/
'''

EXAMPLES = r'''
- name: Can this cluster turn OCSP stapling on, and what does its responder say?
  redis.enterprise.ocsp_info:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
  delegate_to: localhost
  register: ocsp_state

- name: The proxy certificate carries an OCSP responder URL
  ansible.builtin.assert:
    that: ocsp_state.certificate_compatible
    fail_msg: Install a proxy certificate whose own Authority Information Access names an OCSP responder first.

- name: Ask the responder now rather than reading the cached status
  redis.enterprise.ocsp_info:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    test_certificate: true
  delegate_to: localhost
  register: ocsp_test

- name: The certificate is good and its status is not out of date
  ansible.builtin.assert:
    that:
      - ocsp_test.ocsp_status.cert_status == 'GOOD'
      - ocsp_test.ocsp_status.next_update_iso > now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ')
'''

RETURN = r'''
ocsp:
  description: The cluster's OCSP configuration, as the cluster answered C(GET /v1/ocsp).
  returned: success
  type: dict
  sample:
    ocsp_functionality: true
    responder_url: http://ocsp.example.com
    query_frequency: 3600
    response_timeout: 1
    recovery_frequency: 60
    recovery_max_tries: 5
certificate_compatible:
  description:
    - Whether the proxy certificate carries an OCSP responder URL, which OCSP stapling needs
      (C(rladmin cluster ocsp certificate_compatible)).
      - What counts is an OCSP URL in the Authority Information Access of the proxy certificate itself; one in its
        issuing CA's certificate does not.
  returned: success
  type: bool
  sample: true
ocsp_status:
  description:
    - The OCSP status object of the proxy certificate as the cluster answered it, with each date also in
      ISO 8601 (UTC). The ISO dates sort as text in time order.
    - The cached status (C(GET /v1/ocsp/status)), or with O(test_certificate=true) outside check mode,
      the fresh one (C(POST /v1/ocsp/test)).
    - Fields are empty strings when OCSP stapling is off or no status was fetched yet; their ISO forms
      are then V(null).
  returned: success
  type: dict
  version_added: 0.2.0
  contains:
    cert_status:
      description: V(GOOD), V(REVOKED) or V(UNKNOWN); empty when no status was fetched.
      type: str
      returned: success
      sample: GOOD
    responder_url:
      description: The OCSP responder the cluster queries.
      type: str
      returned: success
      sample: http://ocsp.example.com
    produced_at:
      description: When the responder signed the answer.
      type: str
      returned: success
      sample: Wed, 22 Dec 2021 12:50:11 GMT
    this_update:
      description: When the status was known to be correct.
      type: str
      returned: success
      sample: Wed, 22 Dec 2021 12:50:11 GMT
    next_update:
      description: When newer status will be available; a status past it is out of date.
      type: str
      returned: success
      sample: Thu, 23 Dec 2021 12:50:11 GMT
    revocation_time:
      description: When the certificate was revoked; empty unless RV(ocsp_status.cert_status=REVOKED).
      type: str
      returned: success
      sample: ''
    produced_at_iso:
      description: RV(ocsp_status.produced_at) in ISO 8601, UTC; V(null) when empty.
      type: str
      returned: success
      sample: '2021-12-22T12:50:11Z'
    this_update_iso:
      description: RV(ocsp_status.this_update) in ISO 8601, UTC; V(null) when empty.
      type: str
      returned: success
      sample: '2021-12-22T12:50:11Z'
    next_update_iso:
      description:
        - RV(ocsp_status.next_update) in ISO 8601, UTC; V(null) when empty.
        - Compare it with C(now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ')) to find an out-of-date status.
      type: str
      returned: success
      sample: '2021-12-23T12:50:11Z'
    revocation_time_iso:
      description: RV(ocsp_status.revocation_time) in ISO 8601, UTC; V(null) when empty.
      type: str
      returned: success
      sample: null
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Always an integer; absent when the call got no answer (a timeout, a refused connection, a TLS failure)
      or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 500
  version_added: 0.2.0
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: invalid_ocsp_response
'''

from ..module_utils import _engine, _ocsp

# The OCSP configuration and status, as the engine reads them.
RESOURCE = _ocsp.INFO


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: certificate_info
short_description: Read the certificates of a Redis Enterprise cluster and when they expire
version_added: 0.3.0
description:
  - Reads every certificate of the cluster (C(GET /v1/cluster/certificates)) and describes each
    (subject, issuer, serial number, names, validity, fingerprint, OCSP responder), with the days until
    it expires and whether the cluster's private key belongs to it.
  - For the C(proxy) certificate, whether OCSP stapling can use it, that is whether it names an OCSP
    responder (C(rladmin cluster ocsp certificate_compatible)).
  - Never returns a key. The cluster answers every certificate with its private key; the module checks
    that the key belongs to the certificate and drops it.
  - A certificate that cannot be read is returned with its C(error) and a warning; the others are described
    all the same.
  - Changes nothing. It is the expiry audit of a fleet, see the example.
author:
  - Redis Enterprise collection maintainers (@redis-enterprise-ansible)
extends_documentation_fragment:
  - redis.enterprise.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - redis.enterprise.connection.attributes
requirements:
  - cryptography >= 3.1, on the host that runs the module (ansible-core itself depends on it)
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
options: {}
notes:
  - Needs the C(view_cluster_info) permission, which the built-in C(cluster_viewer) role holds too.
seealso:
  - module: redis.enterprise.certificate
  - module: redis.enterprise.ocsp_info
'''

EXAMPLES = r'''
- name: Read the cluster's certificates
  redis.enterprise.certificate_info:
    url: https://cluster.example.com:9443
    username: viewer@example.com
    password: "{{ vault_redis_viewer_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
  delegate_to: localhost
  register: cluster_certificates

- name: No certificate runs out within 30 days, and every key belongs to its certificate
  ansible.builtin.assert:
    that:
      - item.value.error is not defined
      - item.value.days_until_expiry > 30
      - item.value.key_matches is not false
    fail_msg: "{{ item.key }}: {{ item.value.error | default('expires on ' ~ item.value.not_after ~ ' (' ~ item.value.days_until_expiry ~ ' days)') }}"
    quiet: true
  loop: "{{ cluster_certificates.certificates | dict2items }}"
  loop_control:
    label: "{{ item.key }}"

- name: The proxy certificate can be stapled
  ansible.builtin.assert:
    that: cluster_certificates.certificates.proxy.ocsp_stapling_capable
    fail_msg: Install a proxy certificate from a CA whose responder is named in it first.
'''

RETURN = r'''
certificates:
  description:
    - Every certificate the cluster has, by name (C(api), C(cm), C(proxy), ...).
    - Each described as M(redis.enterprise.certificate) returns RV(redis.enterprise.certificate#module:certificate),
      with the keys below added.
  returned: success
  type: dict
  sample:
    proxy:
      subject: CN=proxy.cluster.example.com
      issuer: CN=Example Issuing CA
      serial_number: 4F3A0C9D21
      subject_alt_names: ['DNS:proxy.cluster.example.com']
      not_before: '2026-11-01T00:00:00Z'
      not_after: '2027-11-01T00:00:00Z'
      sha256_fingerprint: 'AB:12:...:9F'
      ocsp_responder_url: http://ocsp.example.com
      chain: []
      days_until_expiry: 334
      expired: false
      key_matches: true
      ocsp_stapling_capable: true
  contains:
    days_until_expiry:
      description: Whole days until the certificate expires, rounded down; negative once it has.
      type: int
      returned: success
      sample: 334
    expired:
      description: Whether the certificate has expired.
      type: bool
      returned: success
      sample: false
    key_matches:
      description:
        - Whether the private key the cluster holds for it belongs to the certificate; V(null) when the cluster
          returned no key. The key itself is never returned.
      type: bool
      returned: success
      sample: true
    ocsp_stapling_capable:
      description: For C(proxy) only, whether the certificate names an OCSP responder, which OCSP stapling needs.
      type: bool
      returned: success, for proxy
      sample: true
    error:
      description:
        - For a certificate the cluster holds that cannot be read, why, in place of every other key; the module
          warns too, and describes the other certificates all the same.
        - M(redis.enterprise.certificate) replaces such a certificate, as it counts as different from any.
      type: str
      returned: success, for a certificate that does not parse
      sample: "The proxy certificate the cluster returned holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Always an integer; absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 401
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
'''

from ..module_utils import _certificate, _engine

# Every certificate of the cluster, as the engine reads them.
RESOURCE = _certificate.INFO


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

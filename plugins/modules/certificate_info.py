#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: certificate_info
short_description: Read the certificates of a Redis Enterprise cluster and of its databases, and when they expire
version_added: 0.3.0
description:
  - Reads every certificate of the cluster (C(GET /v1/cluster/certificates)) and describes each
    (subject, issuer, serial number, names, validity, fingerprint, OCSP responder), with the days until
    it expires and whether the cluster's private key belongs to it.
  - For the C(proxy) certificate, whether OCSP stapling can use it, that is whether it names an OCSP
    responder (C(rladmin cluster ocsp certificate_compatible)).
  - Never returns a key. The cluster answers every certificate with its private key; the module checks
    that the key belongs to the certificate and drops it.
  - "With O(databases) (the default), also every database's own proxy certificate, in one
    C(GET /v1/bdbs/certificates) (asked for 1000 at a time: a cluster with more is read page by page), each with
    its database's name and uid, read with C(GET /v1/bdbs?fields=uid,name) when there is at least one. The cluster
    never answers a database's key. A cluster that has no such call (HTTP 404 or 405, before Redis Enterprise 8)
    gives an empty list."
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
options:
  databases:
    description:
      - Whether to read the databases' own proxy certificates too, into RV(database_certificates).
      - V(false) makes only the one call of the cluster's certificates.
    type: bool
    default: true
    version_added: 0.6.0
notes:
  - Needs the C(view_cluster_info) permission, which the built-in C(cluster_viewer) role holds too; the databases'
    certificates and names need C(view_all_bdbs_info), which every built-in role holds.
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

- name: No database's own certificate runs out within 30 days
  ansible.builtin.assert:
    that:
      - item.error is not defined
      - item.days_until_expiry > 30
    fail_msg: "{{ item.name }}: {{ item.error | default('expires on ' ~ item.not_after ~ ' (' ~ item.days_until_expiry ~ ' days)') }}"
    quiet: true
  loop: "{{ cluster_certificates.database_certificates }}"
  loop_control:
    label: "{{ item.name }}"

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
database_certificates:
  description:
    - Every database's own proxy certificate, in the order the cluster answers them, each described as
      RV(certificates) describes one (without C(key_matches) and C(ocsp_stapling_capable)), with the keys below
      added.
    - Empty when no database has a certificate of its own, or the cluster has none of that kind.
  returned: success, unless O(databases=false)
  type: list
  elements: dict
  version_added: 0.6.0
  sample:
    - name: bdb:orders
      database: orders
      bdb_uid: 3
      subject: CN=orders.cluster.example.com
      issuer: CN=Example Issuing CA
      serial_number: 5B1E07
      subject_alt_names: ['DNS:*.cluster.example.com']
      not_before: '2026-11-01T00:00:00Z'
      not_after: '2027-11-01T00:00:00Z'
      sha256_fingerprint: 'EF:56:...:1C'
      ocsp_responder_url: null
      chain: []
      days_until_expiry: 334
      expired: false
  contains:
    name:
      description:
        - How the collection names the certificate beside the cluster's, as the event source
          redis.enterprise.cluster_events and the fleet audit do, C(bdb:<database>); C(bdb:<database>:<uid>) when
          two databases have that name, and C(bdb:#<uid>) for a database removed since its certificate was read.
      type: str
      returned: success
      sample: bdb:orders
    database:
      description: The name of the database; V(null) for one removed since its certificate was read.
      type: str
      returned: success
      sample: orders
    bdb_uid:
      description: The uid of the database.
      type: int
      returned: success
      sample: 3
    days_until_expiry:
      description: Whole days until the certificate expires, rounded down; negative once it has.
      type: int
      returned: success, for a certificate that can be read
      sample: 334
    expired:
      description: Whether the certificate has expired.
      type: bool
      returned: success, for a certificate that can be read
      sample: false
    error:
      description:
        - For a certificate that cannot be read, why, in place of the description; the module warns too, and
          describes the other certificates all the same.
      type: str
      returned: success, for a certificate that does not parse
      sample: The proxy certificate the cluster returned for the database of uid 3 holds no cert
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

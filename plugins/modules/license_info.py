#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: license_info
short_description: Read the license of a Redis Enterprise cluster
version_added: 0.5.0
description:
  - Reads the cluster's license (C(GET /v1/license)) and returns its facts, with the whole days left until it
    expires.
  - Never returns the license text. The cluster answers it twice (as C(license) and as C(key)), and both are dropped
    where they are read.
  - A cluster without a license (C(GET /v1/license) answers 404) is no failure; RV(installed) is then V(false).
  - Changes nothing. It is the audit of what M(redis.enterprise.license) installs.
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
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
options: {}
notes:
  - Needs C(view_license), which the built-in roles C(admin) and C(user_manager) hold.
  - A cluster whose license has expired keeps serving its databases, but refuses to add or change them; its cluster
    settings, its license, the security of its administrators and its alerts can still be changed.
seealso:
  - module: redis.enterprise.license
  - name: License requests of the Redis Enterprise REST API
    description: The call this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/license/
'''

EXAMPLES = r'''
- name: Read the license
  redis.enterprise.license_info:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
  delegate_to: localhost
  register: found

- name: The license runs for another month at least
  ansible.builtin.assert:
    that:
      - found.installed
      - not found.license.expired
      - found.license.days_until_expiry >= 30
    fail_msg: "The license of {{ inventory_hostname }} expires on {{ found.license.expiration_date | default('?') }}"
'''

RETURN = r'''
installed:
  description: Whether the cluster has a license; V(false) when C(GET /v1/license) answers 404.
  returned: success
  type: bool
  sample: true
license:
  description:
    - The license's facts as the cluster answers them, without its text; empty when none is installed.
    - The dates in ISO 8601, in UTC. A date the module cannot read is returned as the cluster gave it, with a
      warning.
    - Fields a newer cluster adds are returned too.
  returned: success
  type: dict
  contains:
    owner:
      description: Whom the license was issued to.
      type: str
      returned: when the cluster gives it
    cluster_name:
      description: The cluster name (FQDN) the license is for.
      type: str
      returned: when the cluster gives it
    activation_date:
      description: When the license took effect.
      type: str
      returned: when the cluster gives it
    expiration_date:
      description: When the license expires.
      type: str
      returned: when the cluster gives it
    days_until_expiry:
      description:
        - The whole days from now to RV(license.expiration_date); negative once it has passed.
        - Null when the cluster gives no expiration date, or one the module cannot read.
      type: int
      returned: when a license is installed
    expired:
      description: Whether the cluster reports the license expired.
      type: bool
      returned: when the cluster gives it
    features:
      description: The features the license enables.
      type: list
      elements: str
      returned: when the cluster gives it
    shards_limit:
      description: The shards the license allows.
      type: int
      returned: when the cluster gives it
    ram_shards_limit:
      description: The RAM shards the license allows (Redis Enterprise 7.2 and later).
      type: int
      returned: when the cluster gives it
    ram_shards_in_use:
      description: The RAM shards the cluster uses.
      type: int
      returned: when the cluster gives it
    flash_shards_limit:
      description: The flash shards the license allows (Redis Enterprise 7.2 and later).
      type: int
      returned: when the cluster gives it
    flash_shards_in_use:
      description: The flash shards the cluster uses.
      type: int
      returned: when the cluster gives it
  sample:
    owner: Example Inc.
    cluster_name: cluster.example.com
    activation_date: "2026-11-01T00:00:00Z"
    expiration_date: "2027-11-01T00:00:00Z"
    days_until_expiry: 332
    expired: false
    features: [bigstore, crdb]
    shards_limit: 8
    ram_shards_limit: 8
    ram_shards_in_use: 4
    flash_shards_limit: 0
    flash_shards_in_use: 0
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 403
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
'''

from ..module_utils import _engine, _license

# The installed license's facts, read only.
RESOURCE = _license.INFO


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

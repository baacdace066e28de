#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: license
short_description: Install the license of a Redis Enterprise cluster
version_added: 0.5.0
description:
  - Reads the cluster's license (C(GET /v1/license)) and installs the one the task gives (C(PUT /v1/license)) only
    when its text differs from the installed one. Texts are compared without their whitespace, so a license
    re-wrapped, indented by YAML or read from a file with CRLF line ends is the same license.
  - After installing it, reads the license back, and fails unless the cluster holds the text the task gave and
    reports it valid and unexpired, and (read from C(GET /v1/cluster)) issued for this cluster's FQDN.
  - When that read-back finds the new license expired, reported not valid, or issued for another cluster, the module
    installs again the license the cluster held before the task (whose text it read before the write and kept in
    memory only), and fails saying what was wrong with the new license and that the old one, with its expiration
    date, is back, or why putting it back failed. The same goes for a refused license that leaves the cluster without
    the one it held. With no license installed before, there is none to put back.
  - A license that expires within O(license_warning_days) installs with a warning; so does, on every run, an installed
    license that the task gives again.
  - The license text is never returned or shown. The cluster answers it twice (as C(license) and as C(key)), and both
    are dropped where they are read, but for the text of the license installed before a write, kept in memory to put
    it back (see below); the diff and the result hold only the facts the cluster gives about it (owner, cluster name,
    dates, features, shard limits).
  - A text without the license's start and end markers (C(----- LICENSE START -----), C(----- LICENSE END -----)),
    such as the path of a file rather than its content, is refused before any request.
  - "The REST API reference warns that a cluster given a license that is not valid behaves as if its license was
    deleted: with no valid license, it refuses most changes to its databases. A refusal (HTTP 400 for a corrupt
    license, 406 for a violation such as another cluster's license) is a failure that says what the cluster holds
    afterwards, and puts back the license it held if the refusal took it away."
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
      - Makes the read of a real run and writes nothing.
      - C(PUT /v1/license) has no dry run, and a license's facts (and whether the cluster accepts it) are known only
        once the cluster has installed it. A check run that would install one reports C(changed), shows in the diff
        that the new license's facts are not known yet, and warns that the cluster has not checked it.
  diff_mode:
    support: full
    details:
      - The installed license's owner, cluster name, activation and expiration dates, C(expired), features and shard
        limits before and after; never the text.
options:
  license:
    description:
      - The license text, from C(----- LICENSE START -----) to C(----- LICENSE END -----), as the vendor sends it;
        typically C(lookup('ansible.builtin.file', 'cluster.license')), or a vaulted variable.
      - Sent without the blank lines around it, with LF line ends.
    type: str
    required: true
  license_warning_days:
    description:
      - A license that expires within this many days of the run installs with a warning, as a certificate within 30
        days of its expiry does (M(redis.enterprise.certificate)). C(0) turns the warning off.
      - Applies to the license the task installs, and to the installed one when the task gives it again.
    type: int
    default: 30
    version_added: 0.5.1
notes:
  - Reading the license takes C(view_license); installing it C(install_new_license). The built-in roles C(admin) and
    C(user_manager) hold both. A 403 names the one missing.
  - After an install, the cluster's FQDN is read with C(GET /v1/cluster) (C(view_cluster_info), which every built-in
    role but C(none) holds); if that read fails, the license's C(cluster_name) is not checked, with a warning.
  - A license is issued for one cluster name (the cluster's FQDN) and a number of shards; the cluster refuses one
    for another cluster, or one that allows fewer shards than the cluster uses.
seealso:
  - module: redis.enterprise.license_info
  - name: License requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/license/
  - name: Cluster license keys
    description: What a license allows, and what a cluster does once it expires.
    link: https://redis.io/docs/latest/operate/rs/clusters/configure/license-keys/
'''

EXAMPLES = r'''
- name: The cluster runs under this year's license
  redis.enterprise.license:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    license: "{{ lookup('ansible.builtin.file', 'licenses/' + inventory_hostname + '.license') }}"
  delegate_to: localhost
  register: installed

- name: Say how long it runs
  ansible.builtin.debug:
    msg: "{{ installed.license.owner }}: valid until {{ installed.license.expiration_date }}"
'''

RETURN = r'''
license:
  description:
    - The facts of the installed license as the cluster answers them, without its text, after the run; in check mode,
      those of the license installed before it.
    - Empty when the cluster has none and the run installed none (check mode).
    - Its keys are those of M(redis.enterprise.license_info)'s RV(redis.enterprise.license_info#module:license).
  returned: success
  type: dict
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
diff:
  description: The installed license's facts before and after, when run with C(--diff); never its text.
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The facts of the license installed before the run; empty when there was none.
      type: dict
      returned: success, in diff mode
    after:
      description:
        - The facts of the license installed after the run.
        - In check mode, for a license that would be installed, C(license) says that its facts are known only once
          the cluster has installed it.
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options, a text without the markers).
  returned: failure, when the cluster answered
  type: int
  sample: 406
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
'''

from ..module_utils import _engine, _license

# The installed license, compared by its text and installed on a difference.
RESOURCE = _license.LICENSE


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

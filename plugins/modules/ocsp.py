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
    certificate. When the cluster has none, the module fails before writing, in check mode too.
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
    details: Makes the GET only, and reports C(changed), the diff and the predicted configuration as a real run would.
  diff_mode:
    support: full
    details: The writable fields before and after.
options:
  ocsp_functionality:
    description:
      - Turn OCSP stapling on (V(true)) or off (V(false)) for the cluster.
      - Turning it on fails when the proxy certificate carries no OCSP responder URL.
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
      - Seconds between two queries after an invalid status, from 60 to 86400.
      - The cluster's default is 60.
    type: int
  recovery_max_tries:
    description:
      - Queries after an invalid status before the certificate is invalidated, from 1 to 100.
      - The cluster's default is 5.
    type: int
seealso:
  - name: OCSP requests of the Redis Enterprise REST API
    description: The GET and PUT /v1/ocsp calls this module makes.
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

from ..module_utils._api import RedisEnterpriseError, RedisEnterpriseModule, connect
from ..module_utils import _ocsp

# The options and what they accept, at least one of them set; both paths
# validate against them.
DEFINITION = dict(argument_spec=_ocsp.option_spec(), required_one_of=[list(_ocsp.FIELD_NAMES)],
                  hints=_ocsp.hints())


def run(task):
    """GET the configuration, compare it with the options given, PUT it when
    they differ (not in check mode). task: the module, or the action plugin's
    stand-in for it on the controller."""
    errors = _ocsp.range_errors(task.params)
    if errors:
        raise RedisEnterpriseError(' '.join(errors))
    desired = dict((name, task.params[name]) for name in _ocsp.FIELD_NAMES)
    with connect(task) as client:
        current = client.get(_ocsp.CONFIG_PATH, permission='view_ocsp_config')
        before, after = _ocsp.plan(current, desired)
        result = dict(changed=before != after)
        if task.diff:
            result['diff'] = dict(before=before, after=after)
        problem = result['changed'] and _ocsp.responder_problem(current, after)
        if problem:
            raise RedisEnterpriseError(problem, error_code='no_responder_url')
        result['ocsp'] = dict(current, **after)
        if result['changed'] and not task.check_mode:
            result['ocsp'] = client.put(_ocsp.CONFIG_PATH, after, permission='config_ocsp')
    return result


def main():
    RedisEnterpriseModule(DEFINITION).run(run)


if __name__ == '__main__':
    main()

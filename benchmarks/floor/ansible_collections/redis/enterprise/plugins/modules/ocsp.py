# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The floor of a module task built on requests, for benchmarks/bench.py: an
AnsibleModule with the options of redis.enterprise.ocsp, one requests.get,
the answer returned. It stands in for redis.enterprise.ocsp on the module
path (it has no action plugin) in the same rounds as everything else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import requests

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        url=dict(type='str'), username=dict(type='str'), password=dict(type='str', no_log=True),
        ca_path=dict(type='path'), validate_certs=dict(type='bool', default=True), timeout=dict(type='float', default=30),
        ocsp_functionality=dict(type='bool'), query_frequency=dict(type='int'), response_timeout=dict(type='int'),
        recovery_frequency=dict(type='int'), recovery_max_tries=dict(type='int')), supports_check_mode=True)
    params = module.params
    answer = requests.get(params['url'] + '/v1/ocsp', auth=(params['username'], params['password']),
                          verify=params['ca_path'], timeout=params['timeout'])
    module.exit_json(changed=False, ocsp=answer.json())


if __name__ == '__main__':
    main()

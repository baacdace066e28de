#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ldap
short_description: Enforce the LDAP configuration of a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's LDAP configuration (C(GET /v1/cluster/ldap)), compares it with the options given, and
    writes (C(PUT /v1/cluster/ldap)) only the fields that differ. The cluster merges what is sent into what it
    holds.
  - Only the options that are set are enforced; the others keep the cluster's values. An empty value (V(''),
    V([]), or a query of none of its parts) clears a field.
  - The cluster holds one of O(user_dn_template) and O(user_dn_query), and one of O(dn_group_attr) and
    O(dn_group_query). A task may set one of each pair. When the cluster holds the other one, the same write
    clears it, with the empty value the API takes for none (V('') for a template or an attribute, V({}) for a
    query).
  - O(uris) are compared in order, as the cluster tries the servers in order.
  - O(bind_pass) cannot be read back, as the cluster answers it masked. It is never compared, and sent only as
    O(update_bind_pass) says.
  - O(state=absent) removes the configuration (C(DELETE /v1/cluster/ldap)). A cluster without O(uris), with
    O(control_plane) and O(data_plane) off, has none, and the task reports no change.
  - Before any request, the module checks what it can. These are the ranges, the URIs' form, that a query has
    all three of its parts, and that a task sets at most one of each exclusive pair.
author:
  - Redis Enterprise collection maintainers (@redis-enterprise-ansible)
extends_documentation_fragment:
  - redis.enterprise.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - redis.enterprise.connection.attributes
attributes:
  check_mode:
    support: partial
    details:
      - Makes the checks and the read of a real run, writes nothing, and reports C(changed), the diff and the
        predicted configuration from what the controller knows.
      - The REST API offers no dry run for the LDAP configuration, so what only the cluster can say is not
        predicted. That is whether it takes the values, for example a O(ca_cert) it cannot read, and how it
        answers the configuration once written.
      - A O(bind_pass) that would be sent shows as a change, never as its value.
      - With O(state=absent), the predicted RV(ldap) is V({}).
  diff_mode:
    support: full
    details:
      - The fields that are set, before and after. A O(bind_pass) this run sends shows as
        C((sent by this run; never shown or compared)), never as its value.
options:
  state:
    description:
      - V(present) enforces the options given.
      - V(absent) removes the whole LDAP configuration, and takes none of its options.
    type: str
    choices: [present, absent]
    default: present
  uris:
    description:
      - The LDAP servers, each C(scheme://host:port) with the scheme C(ldap) or C(ldaps), a host name or address
        (an IPv6 address in brackets) and a port, nothing after it. For example V(ldaps://ldap.example.com:636).
      - Compared in order.
      - While the cluster has none, the configuration counts as new for O(update_bind_pass=on_create).
    type: list
    elements: str
  bind_dn:
    description:
      - The DN the cluster binds with to query the directory.
    type: str
  bind_pass:
    description:
      - The password of O(bind_dn).
      - The cluster answers it masked, so it is never compared. It is sent only as O(update_bind_pass) says, and
        never shown in a result, diff or message.
    type: str
  update_bind_pass:
    description:
      - V(on_create) sends O(bind_pass) only when the configuration is new, that is while the cluster has no
        O(uris). Give O(uris) in the same task. After that, a changed password is not sent.
      - V(always) sends O(bind_pass) on every run, which then reports a change every time.
    type: str
    choices: [on_create, always]
    default: on_create
  ca_cert:
    description:
      - The PEM CA certificate(s) the cluster verifies the LDAP servers' certificates against.
      - Compared without the white space around it.
    type: str
  starttls:
    description:
      - Negotiate TLS with StartTLS on an C(ldap://) connection.
      - The cluster's default is V(false).
    type: bool
  user_dn_template:
    description:
      - The DN of a user, with C(%u) standing for the name the user logs in with, for example
        V(cn=%u,ou=users,dc=example,dc=com).
      - Excludes O(user_dn_query). When the cluster holds a query, the write clears it.
    type: str
  user_dn_query:
    description:
      - The search that finds a user's DN, instead of O(user_dn_template). When the cluster holds a template, the
        write clears it.
      - A query of none of its parts clears it.
    type: dict
    suboptions:
      base:
        description: The DN the search starts at.
        type: str
      filter:
        description: The filter, as an RFC 4515 string, for example V((uid=%u)).
        type: str
      scope:
        description:
          - V(base) searches the base entry itself, V(one) its immediate children, V(subtree) the base and
            everything below it.
        type: str
        choices: [base, one, subtree]
  dn_group_attr:
    description:
      - The attribute of a user's entry that lists the groups the user belongs to, for example V(memberOf).
      - Excludes O(dn_group_query). When the cluster holds a query, the write clears it.
    type: str
  dn_group_query:
    description:
      - The search that finds a user's groups, instead of O(dn_group_attr). When the cluster holds an attribute,
        the write clears it.
      - A query of none of its parts clears it.
    type: dict
    suboptions:
      base:
        description: The DN the search starts at.
        type: str
      filter:
        description: The filter, as an RFC 4515 string.
        type: str
      scope:
        description: V(base), V(one) or V(subtree), as for O(user_dn_query).
        type: str
        choices: [base, one, subtree]
  control_plane:
    description:
      - Authenticate and authorize the cluster's users (the Cluster Manager UI and the REST API) through LDAP.
      - The cluster's default is V(false).
    type: bool
  data_plane:
    description:
      - Authenticate and authorize database users through LDAP.
      - The cluster's default is V(false).
    type: bool
  cache_ttl:
    description:
      - The longest, in seconds, the cluster keeps an entry it looked up; V(0) or more.
      - The cluster's default is 300.
    type: int
  directory_timeout_s:
    description:
      - Seconds to wait for the LDAP server when authenticating a user, from 5 to 60.
      - The cluster's default is 5.
    type: int
  cba:
    description:
      - Use LDAP as the identity source of certificate-based authentication.
      - The cluster's default is V(false).
    type: bool
  cba_identity_source:
    description:
      - Which part of the client certificate's subject names the user to look up.
    type: str
    choices: [subject_cn, subject_oid]
  cba_identity_oid:
    description:
      - The OID of the subject attribute to look up, with O(cba_identity_source=subject_oid).
    type: str
notes:
  - Reading the configuration needs the C(view_ldap_config) permission, writing and removing it C(config_ldap).
    The built-in C(admin) and C(user_manager) roles hold both.
  - No task cuts the access of the user it logs in as (O(username)). For a user that logs in through LDAP (one
    that is no user of the cluster), removing the configuration (O(state=absent)) or turning O(control_plane) off is
    refused with nothing written, in check mode too. Run such a change as a user of the cluster. To know, such a
    change reads the users (C(GET /v1/users)).
seealso:
  - name: LDAP requests of the Redis Enterprise REST API
    description: The GET, PUT and DELETE /v1/cluster/ldap calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/cluster/ldap/
'''

EXAMPLES = r'''
- name: Authenticate the cluster's users against the directory
  redis.enterprise.ldap:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    uris:
      - ldaps://ldap1.example.com:636
      - ldaps://ldap2.example.com:636
    bind_dn: cn=redis,ou=services,dc=example,dc=com
    bind_pass: "{{ vault_ldap_bind_password }}"
    ca_cert: "{{ lookup('ansible.builtin.file', 'ldap-ca.pem') }}"
    user_dn_query:
      base: ou=users,dc=example,dc=com
      filter: (uid=%u)
      scope: subtree
    dn_group_attr: memberOf
    control_plane: true
    cache_ttl: 600
  delegate_to: localhost

- name: Give the connection once for every module of the collection
  module_defaults:
    group/redis.enterprise.api:
      url: https://cluster.example.com:9443
      username: usermanager@example.com
      password: "{{ vault_redis_password }}"
      ca_path: /etc/pki/redis/cluster-ca.pem
  block:
    - name: Rotate the bind password; every run sends it and reports a change
      redis.enterprise.ldap:
        bind_pass: "{{ vault_ldap_bind_password }}"
        update_bind_pass: always
      delegate_to: localhost

    - name: Find users by a template; the query the cluster held is cleared
      redis.enterprise.ldap:
        user_dn_template: cn=%u,ou=users,dc=example,dc=com
      delegate_to: localhost

    - name: Remove the LDAP configuration
      redis.enterprise.ldap:
        state: absent
      delegate_to: localhost
'''

RETURN = r'''
ldap:
  description:
    - The cluster's LDAP configuration after the run, as the cluster answered it, without C(bind_pass).
    - In check mode, the configuration the run would leave, as far as the controller can tell.
    - V({}) once O(state=absent) removed it.
  returned: success
  type: dict
  sample:
    uris: [ldaps://ldap1.example.com:636, ldaps://ldap2.example.com:636]
    bind_dn: cn=redis,ou=services,dc=example,dc=com
    user_dn_query:
      base: ou=users,dc=example,dc=com
      filter: (uid=%u)
      scope: subtree
    dn_group_attr: memberOf
    control_plane: true
    data_plane: false
    starttls: false
    cache_ttl: 600
    directory_timeout_s: 5
    cba: false
diff:
  description: The fields that are set, before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The fields as they were.
      type: dict
      returned: success, in diff mode
    after:
      description:
        - The fields as they are after the run (or would be, in check mode). V({}) for O(state=absent).
        - C(bind_pass) when this run sends it, as C((sent by this run; never shown or compared)).
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Always an integer; absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 403
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: illegal_fields_combination
'''

from ..module_utils import _engine, _ldap

# The LDAP configuration, as the engine reads, compares and writes it.
RESOURCE = _ldap.CONFIG


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

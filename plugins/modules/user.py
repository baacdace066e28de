#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user
short_description: Enforce a user of a Redis Enterprise cluster
version_added: 0.4.0
description:
  - Reads the cluster's users (C(GET /v1/users)) and roles (C(GET /v1/roles)), finds the user of O(email), and
    creates it (C(POST /v1/users)), changes it (C(PUT /v1/users/{uid})) or, with O(state=absent), removes it
    (C(DELETE /v1/users/{uid})), only when it differs from what the task asks.
  - Only the options that are set are enforced; the others keep the cluster's values. A change sends only the fields
    that change. O(roles) and O(bdbs_email_alerts) compare as sets; their order does not count.
  - O(roles) names roles, which the module looks up once per task. A role name the cluster does not have fails the
    task before any write, and the message lists the roles there are. In check mode it is a warning, as an
    earlier task of the run may create the role. Create roles with
    M(redis.enterprise.role).
  - The user's password (O(user_password)) cannot be read back, and is never compared. It is sent when the user is
    created, and with O(update_password=always) on every run; see O(update_password).
  - No task cuts the access of the user it logs in as (O(username)). The module refuses, with nothing written, in
    check mode too, to remove that user, to take away a management role it holds (a role lost is no loss where one
    it keeps covers it, as C(admin) covers all), and to move it off its password (O(auth_method)). Run such a
    change as another user. Changing its own password is allowed, with a warning that later tasks of the play
    need the new one.
  - A field the cluster answers with a value outside the documented ones (an O(auth_method) of an older release)
    is shown as the cluster gave it, kept while the task does not set it and replaced when it does; removing the
    user works whatever its other fields hold.
  - O(name) is checked on the controller against the pattern of the API; O(email) is the cluster's to check.
  - Which Redis ACL a role has in which database is the database's C(roles_permissions), which this collection does
    not cover. The deprecated C(role) field is neither read nor sent; O(roles) sets C(role_uids).
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
      - Makes the reads and the checks of a real run and writes nothing.
      - A create or a change is sent with C(?dry_run=true), which the cluster validates and does not apply. A password
        the cluster's complexity rules refuse, an email or name another user has, or a value it does not take
        fails in check mode with the cluster's message. With O(update_password=always), the password is validated
        that way on every run.
      - A removal is not, as C(DELETE /v1/users/{uid}) takes no dry run. Check mode reports that the user would be
        removed, from what the controller knows (the user exists, and is not the one the task logs in as).
  diff_mode:
    support: full
    details:
      - The user's fields the module manages before and after, O(roles) by name. Never the password.
      - With O(update_password=always), a run reports a change although the diff shows none, as the password is sent.
options:
  email:
    description:
      - The user's email address, its key on the cluster and the name it logs in with.
      - The API takes ASCII characters only.
    type: str
    required: true
  name:
    description:
      - The user's name, printable ASCII characters but C(&), C(<), C(>) and C("), 1 to 255 of them.
      - Required to create a user.
    type: str
  roles:
    description:
      - The names of the user's roles (C(role_uids) in the API), at least one. Compared as a set.
      - Required to create a user.
    type: list
    elements: str
  user_password:
    description:
      - The password of the user O(email), for O(auth_method=regular) (the API's C(password) field).
      - Not O(password), which is the password this task logs in with, and which C(module_defaults) of the group
        C(group/redis.enterprise.api) give every task of the collection.
      - Required to create a user of O(auth_method=regular), the cluster's default.
      - It must pass the cluster's password complexity rules, which the cluster's password policy sets.
      - Never shown in a result, diff, message or log line of the collection, never compared, and never sent to log
        in with. The module does not test it, as failed logins count towards a lockout.
    type: str
  update_password:
    description:
      - V(on_create) sends O(user_password) only when the module creates the user; an existing user keeps its
        password, whatever O(user_password) says.
      - V(always) sends O(user_password) on every run (C(PUT /v1/users/{uid})) and reports a change, as the cluster cannot
        say whether it is the password the user has, like C(ansible.builtin.user) does.
    type: str
    choices: [always, on_create]
    default: on_create
  auth_method:
    description:
      - How the user logs in. V(regular) with a password (the cluster's default), V(certificate) with a client
        certificate whose subject is O(certificate_subject_line), V(entraid) or V(sso) through an identity provider.
    type: str
    choices: [regular, certificate, entraid, sso]
  email_alerts:
    description:
      - Whether the user gets alerts by email.
    type: bool
  cluster_email_alerts:
    description:
      - Whether the user gets the cluster's alerts by email.
    type: bool
  bdbs_email_alerts:
    description:
      - The uids of the databases whose alerts the user gets by email, as strings. Compared as a set.
    type: list
    elements: str
  certificate_subject_line:
    description:
      - The subject of the user's client certificate (RFC 2253), for O(auth_method=certificate).
    type: str
  state:
    description:
      - V(present) creates the user or makes it as the task says; V(absent) removes it, and does nothing when the
        cluster has no user of that email.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Reading the users takes C(view_all_users_info); creating, changing and removing them C(create_new_user),
    C(update_user) and C(delete_user). The built-in roles C(admin) and C(user_manager) hold them. Reading the roles
    takes C(view_all_roles_info), which every built-in role but V(none) holds.
seealso:
  - module: redis.enterprise.role
  - name: ansible.builtin.user
    description: The same update_password choice, for the users of a managed host.
    link: https://docs.ansible.com/ansible/latest/collections/ansible/builtin/user_module.html
  - name: Users requests of the Redis Enterprise REST API
    description: The calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/users/
'''

EXAMPLES = r'''
- name: Give the connection once for every module of the collection
  module_defaults:
    group/redis.enterprise.api:
      url: https://cluster.example.com:9443
      username: admin@example.com
      password: "{{ vault_redis_password }}"
      ca_path: /etc/pki/redis/cluster-ca.pem
  block:
    - name: Jane reads the cluster, and gets the alerts of two databases
      redis.enterprise.user:
        email: jane@example.com
        name: Jane Doe
        roles: [Cluster Viewer]
        user_password: "{{ vault_jane_password }}"
        bdbs_email_alerts: ['1', '2']
      delegate_to: localhost

    - name: Set the operator's password on every run
      redis.enterprise.user:
        email: operator@example.com
        user_password: "{{ vault_operator_password }}"
        update_password: always
      delegate_to: localhost

    - name: A user that logs in with a client certificate
      redis.enterprise.user:
        email: robot@example.com
        name: Deploy robot
        roles: [DB Member]
        auth_method: certificate
        certificate_subject_line: CN=robot,OU=deploy,O=Example
      delegate_to: localhost

    - name: The leaver is gone
      redis.enterprise.user:
        email: leaver@example.com
        state: absent
      delegate_to: localhost
'''

RETURN = r'''
user:
  description:
    - The user after the run, as the cluster answered it, without its password; empty once removed.
    - In check mode, the user the run would have produced (without a C(uid) for one it would create).
  returned: success
  type: dict
  sample:
    uid: 7
    email: jane@example.com
    name: Jane Doe
    role_uids: [3]
    auth_method: regular
    status: active
    email_alerts: true
    cluster_email_alerts: false
    bdbs_email_alerts: ['1', '2']
diff:
  description: The user's fields before and after, O(roles) by name, never the password, when run with C(--diff).
  returned: success, in diff mode
  type: dict
  contains:
    before:
      description: The user as it was; empty when there was none.
      type: dict
      returned: success, in diff mode
    after:
      description: The user after the run (or as it would be, in check mode); empty once removed.
      type: dict
      returned: success, in diff mode
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Absent when the call got no answer or never went out (bad options, a role name the cluster does not have,
      a refusal to remove or demote the user the task logs in as).
  returned: failure, when the cluster answered
  type: int
  sample: 400
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
  sample: password_not_complex
'''

from ..module_utils import _access, _engine

# The cluster's users, as the engine finds, compares, creates, changes and removes them.
RESOURCE = _access.USER


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

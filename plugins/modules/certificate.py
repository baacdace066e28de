#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: certificate
short_description: Enforce one of the certificates of a Redis Enterprise cluster, or a database's own
version_added: 0.3.0
description:
  - Reads the cluster's certificates (C(GET /v1/cluster/certificates)), compares the one named
    O(name) with O(certificate) by the SHA-256 fingerprints of the leaf and of each certificate of its
    chain, and writes it only when they differ. A certificate installed earlier without its intermediate
    is written again with the chain given.
  - The write is C(PUT /v1/cluster/certificates), the call of Redis Enterprise 7.22.2 and later. When
    the cluster answers that call with HTTP 404 or 405, as a cluster before 7.22.2 does, the module
    writes with C(PUT /v1/cluster/update_cert) instead.
  - After a write the module reads the certificate back once. The result and the diff's C(after) are
    what the cluster holds. A cluster that keeps less than was written (the leaf without its chain) is
    said in a warning naming what it kept; every run then writes again, unless the task gives only what
    the cluster keeps.
  - With O(state=absent), removes an optional certificate (C(DELETE /v1/cluster/certificates/{name})),
    and does nothing when the cluster has none of that name.
  - "With O(database), the certificate is a database's own proxy certificate, which secures the clients'
    connections to that database (Redis Enterprise 8 and later; C(GET), C(POST) and C(DELETE
    /v1/bdbs/{uid}/certificates)). The database is found by its name as M(redis.enterprise.database) finds it
    (C(GET /v1/bdbs?fields=uid,name)); a name the cluster does not have, or that two databases have, fails before
    any write. Its certificate is compared by fingerprint as the cluster's are, written with one
    C(POST /v1/bdbs/{uid}/certificates), and read back; O(state=absent) removes it with C(DELETE)."
  - "A database's proxy certificate is checked by the rules of the cluster's proxy certificate below: the key
    must belong to it, it must be current, its extended key usage must hold both serverAuth and clientAuth, and
    its chain must chain. Instead of the cluster's FQDN, the module reads the database's endpoints
    (C(GET /v1/bdbs/{uid}?fields=endpoints)) before a write and warns when the subject alternative names miss
    one of their DNS names. The OCSP stapling checks are the cluster's proxy certificate's alone, and are not made."
  - Before any request, the module checks what the controller can check. The certificate and the key
    must parse, the key must belong to the first certificate, and that certificate must not have
    expired. Only the PEM blocks of O(certificate) and O(key) are sent; text around them, such as the
    C(Bag Attributes) of a file converted from PKCS#12, is left out.
  - The certificate must be valid already, give or take 5 minutes of clock skew; until then clients would refuse
    it, this collection too when it is V(api).
  - For the names the cluster generates (V(api), V(cm), V(proxy), V(syncer), V(metrics_exporter),
    V(ccs_internode_encryption), V(data_internode_encryption)), an extended key usage must hold both TLS Web Server
    Authentication and TLS Web Client Authentication, as the Redis Enterprise Software documentation requires
    (Create certificates). A CA template with Server Authentication only, such as the default Web Server template of
    Windows AD CS, gives a certificate that is refused. A certificate with no extended key usage is taken.
    V(ldap_client), V(mtls_trusted_ca), V(sso_service) and V(sso_issuer) are not checked for it.
  - V(ccs_internode_encryption) and V(data_internode_encryption) take an RSA key; an EC or EdDSA key is refused,
    as the documentation says it might prevent internode encryption from working.
  - "Each certificate of O(certificate) must be signed by the one after it, as the documentation asks for the chain
    from the leaf to the root (Create certificates). The module checks each signature with the next certificate's
    public key (RSA, EC, Ed25519, Ed448 or DSA), not the names alone; a chain that does not chain is refused, naming
    each pair by its position and subject, and where the missing signer stands when the chain is out of order. On a
    cryptography older than 40, an RSA-PSS signature cannot be checked: it is said in a warning, not refused."
  - "When the last certificate does not sign itself (is no root), its issuer is not given, and a warning names it.
    A leaf given alone that way lacks the intermediate that signed it, which clients need to build their path to a
    CA they trust. For V(proxy), when the leaf names an OCSP responder (stapling is on, or is what it is installed
    for), the warning also says that an OCSP request names the certificate by its issuer (the hashes of the issuer's
    name and key, RFC 6960 CertID): the cluster needs the issuer's certificate to ask the responder, and without it
    has no status to staple. A chain that ends with an intermediate warns that clients must trust the CA it names,
    as the documentation lets the root be left out. V(mtls_trusted_ca) and V(sso_issuer), CAs the cluster trusts as
    given, are not warned about their issuer."
  - A certificate that expires within 30 days is installed, with a warning that gives the date.
  - An empty O(certificate) or O(key), a private key given as O(certificate) or a certificate as O(key), a one-line
    text such as a file's path (read the file with C(lookup('ansible.builtin.file', path))), and DER (binary, or
    base64 without the PEM armour) are each refused with what to do. Convert a DER file to PEM before
    reading it with the file lookup, with C(openssl x509 -inform der -in cert.der -out cert.pem) or
    C(openssl pkey -inform der -in key.der -out key.pem); ansible-core may fail on a binary file before the module
    reads its options. PEM with Windows line endings (CRLF) is sent with LF line endings.
  - Before a write of a certificate the cluster generates, the module reads the cluster's FQDN
    (C(GET /v1/cluster)) and warns when the subject alternative names miss C(<fqdn>), C(*.<fqdn>),
    C(internal.<fqdn>) or C(*.internal.<fqdn>), as the product docs ask; it does not refuse.
  - For the C(proxy) certificate while OCSP stapling is on, the new certificate itself must name an
    OCSP responder in its Authority Information Access; otherwise the write is refused. Right after
    the install, the module asks that responder (C(POST /v1/ocsp/test)) and fails, with the certificate
    installed, when the answer is not a GOOD and current one, or the cluster could not ask (a leaf given without
    its issuer's certificate, as the failure then says). Replacing the proxy certificate is the
    first step of turning OCSP stapling on (see M(redis.enterprise.ocsp)).
  - Results and diffs describe certificates (subject, issuer, serial number, names, validity, fingerprint,
    OCSP responder), never keys. The private keys that C(GET /v1/cluster/certificates) answers are
    dropped as soon as they are read.
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
    details:
      - Makes the checks on the controller and the reads of a real run, and writes nothing.
      - "For a database's certificate (O(database)), the cluster checks the write in a dry run
        (C(POST /v1/bdbs/{uid}/certificates?dry_run=true)), and a refusal fails the check run. O(state=absent) sends
        no C(DELETE), as the API gives that call no dry run: a warning says what would be removed. A database that
        the cluster does not have is a warning in check mode (an earlier task of the run may create it), with no
        dry run, and a failure for real."
      - What only the cluster can say after the write is not predicted. That is whether it takes the
        certificate on every node (HTTP 409), what it keeps of the chain, and, for V(proxy) while OCSP
        stapling is on, what the responder answers for the new certificate. The responder can be asked
        only once the certificate is installed; check mode says so in a warning.
  diff_mode:
    support: full
    details: The description of the certificate before and after, never a key.
options:
  name:
    description:
      - The certificate to enforce, by the name the cluster gives it.
      - Required unless O(database) is given. With O(database), leave it out or give V(proxy), the one certificate a
        database has of its own; another name is refused.
      - V(proxy) secures the clients' connections to the databases, and is the one OCSP stapling staples.
      - V(api) secures the REST API, V(cm) the Cluster Manager UI, V(syncer) Active-Active and Replica Of
        synchronisation, V(metrics_exporter) the metrics endpoint, V(ccs_internode_encryption) and
        V(data_internode_encryption) the traffic between nodes; the cluster generates these.
      - V(ldap_client), V(mtls_trusted_ca), V(sso_service) and V(sso_issuer) are optional.
    type: str
    choices: [api, cm, proxy, syncer, metrics_exporter, ccs_internode_encryption, data_internode_encryption,
              ldap_client, mtls_trusted_ca, sso_service, sso_issuer]
  database:
    description:
      - The name of a database whose own proxy certificate to enforce, instead of a certificate of the cluster.
      - The database must exist; with O(state=absent), a database the cluster does not have has no certificate to
        remove, and the task changes nothing, with a warning.
      - A database without a certificate of its own has none in the result before the write.
    type: str
    version_added: 0.6.0
  certificate:
    description:
      - The certificate in PEM form, the leaf first, then the certificates of its chain, each followed by the one
        that signed it (the root may be left out).
      - Give a file's content with C(lookup('ansible.builtin.file', 'proxy.pem')).
      - Required with O(state=present).
      - Kept out of the task's invocation and of log lines as O(key) is, although a certificate is public, so
        that a private key given here by mistake never shows.
    type: str
  key:
    description:
      - The unencrypted private key of the leaf, in PEM form.
      - Required with O(state=present), except for V(mtls_trusted_ca) and V(sso_issuer), a CA's and an
        identity provider's certificate, for which the cluster takes no key; giving one for them is an error.
      - Never shown in a result, diff, message or log line of the collection.
      - Give a file's content with C(lookup('ansible.builtin.file', 'proxy.key')); a file encrypted with
        C(ansible-vault) is decrypted by the lookup, so the key need not lie in clear on the controller.
      - An encrypted PEM key (with a password) is refused; the cluster takes none.
    type: str
  state:
    description:
      - V(present) installs O(certificate); V(absent) removes the certificate O(name).
      - V(absent) is only for the optional certificates, V(ldap_client), V(mtls_trusted_ca), V(sso_service)
        and V(sso_issuer), and for a database's own certificate (O(database)); the cluster cannot do without the
        others.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Write the certificate even when the cluster already holds the same one.
      - For a write that failed with the outcome left open (HTTP 409, a 5xx, no answer), whose nodes may
        hold different certificates while the one the module asks holds the new one.
    type: bool
    default: false
notes:
  - There are no O(certificate) and O(key) path options. The tasks of this collection run on the controller,
    where C(lookup('ansible.builtin.file', ...)) reads a file as well, and it reads files encrypted with
    C(ansible-vault), which a path read by the module would not.
  - Reading the certificates and the cluster's FQDN needs the C(view_cluster_info) permission, which non-admin
    roles hold too; writing and removing them takes C(update_cluster), which the built-in C(admin) role holds.
    For V(proxy), the stapling check reads the OCSP configuration (C(view_ocsp_config), admin only) before a
    write.
  - "For a database's certificate: reading the databases and the certificate takes C(view_all_bdbs_info) and
    C(view_bdb_info), which every built-in role holds; writing and removing it take C(update_bdb), which the
    C(admin), C(cluster_member) and C(db_member) roles hold."
  - "A database's private key is write-only in the API: the module sends it in the C(POST) body, and the cluster
    never answers it. A write of a database's certificate that got no answer is not sent again; the task fails
    with C(changed=true), and the next run compares what the database holds."
  - A certificate write may take up to 900 seconds on the cluster, the API's own figure; the module waits that
    long for its answer, or O(timeout) when that is longer. HTTP 409 (not all nodes were updated) is retried
    3 times with backoff; nothing else is sent again, as the write may still be at work. A write that got
    no answer is read back, and succeeds when the cluster holds the new certificate.
  - A write that fails with its outcome left open (a persistent HTTP 409, a 5xx, no answer) reports
    C(changed=true), as the nodes may hold different certificates. Run the task again with O(force=true),
    which writes the certificate to every node again. A refusal (HTTP 400, 403, 406) writes nothing, as the
    cluster checks every certificate before it applies any.
  - The product requires follow-ups the module does not do. After replacing V(proxy) or V(syncer) on a cluster
    with Active-Active databases, run C(crdb-cli crdb update --crdb-guid <guid> --force) once for each of
    them, as soon as possible and with no other C(crdb update) in between; until then their synchronisation
    is refused. After replacing V(proxy) on the source of a Replica Of database, update the replica's
    configuration with the new certificate. On Kubernetes, the Redis Enterprise operator owns the
    certificates named in the REC's C(spec.certificates) and overwrites what is set through the REST API;
    set those there instead. The module does not look for these cases, which would take calls and
    permissions beyond the certificates'.
seealso:
  - module: redis.enterprise.certificate_info
  - module: redis.enterprise.ocsp
  - name: Certificate requests of the Redis Enterprise REST API
    description: The GET and PUT /v1/cluster/certificates and PUT /v1/cluster/update_cert calls this module makes.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/cluster/certificates/
'''

EXAMPLES = r'''
- name: The proxy certificate is the one from our CA, whose responder OCSP stapling asks
  redis.enterprise.certificate:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    name: proxy
    certificate: "{{ lookup('ansible.builtin.file', 'certs/proxy-chain.pem') }}"
    key: "{{ lookup('ansible.builtin.file', 'certs/proxy.key.vault') }}"
  delegate_to: localhost
  register: proxy_certificate

- name: The CA that signs the client certificates of certificate-based REST API login; it takes no key
  redis.enterprise.certificate:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    name: mtls_trusted_ca
    certificate: "{{ lookup('ansible.builtin.file', 'certs/clients-ca.pem') }}"
  delegate_to: localhost

- name: No single sign-on on this cluster
  redis.enterprise.certificate:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    name: "{{ item }}"
    state: absent
  loop: [sso_service, sso_issuer]
  delegate_to: localhost

- name: The orders database presents a certificate of its own to its clients
  redis.enterprise.certificate:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    database: orders
    certificate: "{{ lookup('ansible.builtin.file', 'certs/orders-chain.pem') }}"
    key: "{{ lookup('ansible.builtin.file', 'certs/orders.key.vault') }}"
  delegate_to: localhost

- name: The sessions database goes back to having no certificate of its own
  redis.enterprise.certificate:
    url: https://cluster.example.com:9443
    username: admin@example.com
    password: "{{ vault_redis_password }}"
    ca_path: /etc/pki/redis/cluster-ca.pem
    database: sessions
    state: absent
  delegate_to: localhost

- name: Say when the new certificate runs out
  ansible.builtin.debug:
    msg: "{{ proxy_certificate.certificate.subject }} until {{ proxy_certificate.certificate.not_after }}"
'''

RETURN = r'''
certificate:
  description:
    - The certificate named O(name) after the run, as the cluster holds it (or would, in check mode); with
      O(database), the database's own certificate.
    - Empty when the cluster has no certificate of that name and none was written.
  returned: success
  type: dict
  contains:
    subject:
      description: The subject, as RFC 4514 writes it.
      type: str
      returned: success
      sample: CN=proxy.cluster.example.com,O=Example
    issuer:
      description: The issuer, as RFC 4514 writes it.
      type: str
      returned: success
      sample: CN=Example Issuing CA,O=Example
    serial_number:
      description: The serial number, in upper-case hexadecimal.
      type: str
      returned: success
      sample: 4F3A0C9D21
    subject_alt_names:
      description: The subject alternative names, each as C(DNS:name), C(IP:address), C(email:address) or C(URI:uri).
      type: list
      elements: str
      returned: success
      sample: ['DNS:proxy.cluster.example.com', 'DNS:*.cluster.example.com']
    not_before:
      description: The start of validity, ISO 8601 in UTC.
      type: str
      returned: success
      sample: '2026-11-01T00:00:00Z'
    not_after:
      description: The end of validity, ISO 8601 in UTC. It compares as text with C(now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ')).
      type: str
      returned: success
      sample: '2027-11-01T00:00:00Z'
    sha256_fingerprint:
      description: The SHA-256 fingerprint of the certificate, as OpenSSL prints it.
      type: str
      returned: success
      sample: 'AB:12:...:9F'
    ocsp_responder_url:
      description: The OCSP responder the certificate names, which OCSP stapling asks; V(null) when it names none.
      type: str
      returned: success
      sample: http://ocsp.example.com
    chain:
      description: The subject and fingerprint of each certificate of the chain, as the cluster keeps it.
      type: list
      elements: dict
      returned: success
      sample: [{subject: 'CN=Example Issuing CA,O=Example', sha256_fingerprint: 'CD:34:...:0A'}]
    error:
      description:
        - Why the certificate the cluster held could not be read, in place of the keys above. Such a
          certificate counts as different, so it is replaced.
      type: str
      returned: in the diff's C(before), when the stored certificate does not parse
database:
  description: With O(database), the database whose certificate it is, by its name and uid.
  returned: when O(database) is given
  type: dict
  version_added: 0.6.0
  contains:
    name:
      description: The database's name, as the task gives it.
      type: str
      returned: success
      sample: orders
    uid:
      description: The database's uid; V(null) in check mode for a database the cluster does not have yet.
      type: int
      returned: success
      sample: 3
ocsp_status:
  description:
    - For V(proxy) while OCSP stapling is on, what the responder answered for the new certificate right
      after the install (C(POST /v1/ocsp/test)), with each date also as C(<date>_iso), ISO 8601 in UTC.
    - Returned too when the task fails because the answer is not a GOOD and current one; the certificate
      is installed then.
  returned: when a new proxy certificate was installed while OCSP stapling is on
  type: dict
  sample:
    cert_status: GOOD
    responder_url: http://ocsp.example.com
    produced_at: 'Wed, 22 Dec 2021 12:50:11 GMT'
    this_update: 'Wed, 22 Dec 2021 12:50:11 GMT'
    next_update: 'Wed, 22 Dec 2021 14:50:00 GMT'
    revocation_time: ''
    next_update_iso: '2021-12-22T14:50:00Z'
diff:
  description: The description of the certificate before and after, when run with C(--diff).
  returned: success, in diff mode
  type: dict
http_status:
  description:
    - The HTTP status of the failed call to the cluster.
    - Always an integer; absent when the call got no answer or never went out (bad options).
  returned: failure, when the cluster answered
  type: int
  sample: 406
error_code:
  description: The cluster's C(error_code) for the failure.
  returned: failure, when the cluster gave one
  type: str
'''

from ..module_utils import _certificate, _engine

# One named certificate, as the engine reads, compares and writes it.
RESOURCE = _certificate.CERTIFICATE


def main():
    _engine.main(RESOURCE)


if __name__ == '__main__':
    main()

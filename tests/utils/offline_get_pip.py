# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Let ansible-test bootstrap pip without reaching its download host.

ansible-test (``--venv`` and ``--requirements``) installs pip into each new
virtual environment by running a ``get-pip`` script it downloads from a CI
file host and keeps in ``~/.ansible/test/cache/get_pip_<version>.py``. Air-gapped
networks and corporate proxies often reach a package index but not that host,
so ansible-test stops with "Download failed".

Run with the Python of an ansible-core installation::

    python tests/utils/offline_get_pip.py

and this file is copied into that cache under every pip version the installed
ansible-test asks for. A cached script ansible-test downloaded itself is left
alone. When ansible-test runs the copy (``python get_pip_X.py
--disable-pip-version-check pip==X [--no-setuptools] [--no-wheel]``), pip comes
from the interpreter's own ``ensurepip`` and is then brought to the exact
version requested from the configured package index, proxy settings included.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys

MARKER = 'offline pip bootstrap for ansible-test (redis.enterprise)'
CACHE_DIR = os.path.expanduser('~/.ansible/test/cache')
GET_PIP_OPTIONS = {'--no-setuptools': 'setuptools', '--no-wheel': 'wheel'}


def bootstrap(argv):
    """Do what get-pip.py does with the arguments ansible-test passes it."""
    unwanted = [GET_PIP_OPTIONS[arg] for arg in argv if arg in GET_PIP_OPTIONS]
    pip_args = [arg for arg in argv if arg not in GET_PIP_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + pip_args)
    # ensurepip brings setuptools on Python < 3.12; get-pip.py would not have.
    for name in unwanted:
        if importlib.util.find_spec(name) is not None:
            subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--disable-pip-version-check', name])


def wanted_pip_versions():
    """Every pip version the ansible-test of this interpreter may bootstrap."""
    spec = importlib.util.find_spec('ansible_test')
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit('ansible-test is not installed for %s: install ansible-core first' % sys.executable)
    source = os.path.join(list(spec.submodule_search_locations)[0], '_internal', 'python_requirements.py')
    with open(source, encoding='utf-8') as handle:
        versions = sorted(set(re.findall(r"\bpip='([0-9.]+)'", handle.read())))
    if not versions:
        raise SystemExit('no pip version found in %s: this ansible-test bootstraps pip differently' % source)
    return versions


def install_cache():
    """Copy this script into ansible-test's cache for each pip version."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    for version in wanted_pip_versions():
        target = os.path.join(CACHE_DIR, 'get_pip_%s.py' % version.replace('.', '_'))
        if os.path.exists(target):
            with open(target, encoding='utf-8', errors='replace') as handle:
                if MARKER not in handle.read():
                    continue
        # Renamed into place: an ansible-test running meanwhile never reads half a file.
        shutil.copyfile(__file__, target + '.tmp')
        os.replace(target + '.tmp', target)
        print('pip %s bootstrap for ansible-test: %s' % (version, target))


if __name__ == '__main__':
    if os.path.basename(__file__).startswith('get_pip_'):
        bootstrap(sys.argv[1:])
    else:
        install_cache()

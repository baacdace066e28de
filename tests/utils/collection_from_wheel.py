# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One collection out of a wheel that carries collections (the ansible
package's), into a collections directory:

    collection_from_wheel.py WHEEL NAMESPACE.NAME DEST

writes DEST/ansible_collections/NAMESPACE/NAME from the wheel's
ansible_collections/NAMESPACE/NAME, replacing what was there, and nothing
else of the wheel."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile


def extract(wheel, name, dest):
    namespace, collection = name.split('.')
    prefix = 'ansible_collections/%s/%s/' % (namespace, collection)
    target = os.path.join(dest, 'ansible_collections', namespace, collection)
    with zipfile.ZipFile(wheel) as archive:
        members = [member for member in archive.namelist() if member.startswith(prefix)]
        if not any(member == prefix + 'MANIFEST.json' for member in members):
            raise SystemExit('%s carries no collection %s (no %sMANIFEST.json)' % (wheel, name, prefix))
        shutil.rmtree(target, ignore_errors=True)
        # Only those members, by their checked prefix: none lands outside DEST.
        archive.extractall(dest, members)
    return target


if __name__ == '__main__':
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    print(extract(*sys.argv[1:]))

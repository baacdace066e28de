# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the playbooks the documentation shows inline to files, for ansible-lint.

    python tests/utils/rst_playbooks.py DEST docs/docsite/rst/*.rst

A playbook is a YAML code block holding a list of plays (mappings with
``hosts``); each becomes DEST/<page>-<n>.yml. ansible-lint only reads files,
and a guide's playbook is copied from more often than the examples are.
"""

from __future__ import annotations

import os
import re
import sys

import yaml

LANGUAGES = ('yaml', 'yaml+jinja')


def code_blocks(text):
    """The bodies of the YAML code blocks of an reStructuredText page."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r'\s*\.\. code-block:: (\S+)\s*$', line)
        if not match or match.group(1) not in LANGUAGES:
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        for following in lines[index + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        yield '\n'.join(body).strip('\n')


def is_playbook(block):
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return False
    return isinstance(data, list) and bool(data) and all(isinstance(play, dict) and 'hosts' in play for play in data)


def main(dest, pages):
    os.makedirs(dest, exist_ok=True)
    written = 0
    for page in pages:
        with open(page, encoding='utf-8') as handle:
            blocks = [block for block in code_blocks(handle.read()) if is_playbook(block)]
        name = os.path.splitext(os.path.basename(page))[0]
        for number, block in enumerate(blocks, 1):
            lines = block.splitlines()
            margin = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
            with open(os.path.join(dest, '%s-%d.yml' % (name, number)), 'w', encoding='utf-8') as handle:
                handle.write('---\n' + '\n'.join(line[margin:] for line in lines) + '\n')
            written += 1
    if not written:
        raise SystemExit('no playbook found in %s' % ' '.join(pages))
    print('%d playbooks of the documentation in %s' % (written, dest))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])

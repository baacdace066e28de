#!/usr/bin/env bash
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run ansible-test with one pinned ansible-core from .venvs/ansible-VERSION:
#   tests/utils/ansible-test.sh 2.16 sanity --venv
# ansible-test needs the collection at .../ansible_collections/redis/enterprise
# and resolves symlinks, so it runs on a copy holding exactly the files git
# knows (tracked, or new and not ignored): build output and virtual
# environments never reach sanity.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
version=$1
shift
venv=$root/.venvs/ansible-$version
copy=$root/build/ansible-test/$version/ansible_collections/redis/enterprise

[ -x "$venv/bin/ansible-test" ] || { echo "$venv has no ansible-test: run 'make .venvs/ansible-$version/.installed'" >&2; exit 2; }

# One ansible-test at a time on this checkout: runs share the copy below and
# ansible-test's virtual environments in ~/.ansible/test.
mkdir -p "$root/build/ansible-test"
exec 9> "$root/build/ansible-test/.lock"
flock 9

# Fresh files each run; ansible-test's own output (its cached delegation
# environment) is kept.
output=$root/build/ansible-test/$version/output
rm -rf "$output"
if [ -d "$copy/tests/output" ]; then mv "$copy/tests/output" "$output"; fi
rm -rf "$copy"
mkdir -p "$copy/tests"
if [ -d "$output" ]; then mv "$output" "$copy/tests/output"; fi
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    while IFS= read -r -d '' path; do
        if [ -e "$root/$path" ]; then printf '%s\0' "$path"; fi
    done |
    tar -C "$root" --null -T - -cf - | tar -C "$copy" -xf -
# Its own repository, so ansible-test lists these files and not the
# enclosing checkout's (which ignores build/).
git -C "$copy" init --quiet
git -C "$copy" add --all

# ansible-test looks for pythonX.Y on PATH; pyenv shims only answer for the
# selected version, so link every installed interpreter under its own name.
pythons=$root/build/pythons
mkdir -p "$pythons"
for interpreter in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3.*; do
    case $(basename "$interpreter") in
        python3.[0-9]|python3.[0-9][0-9]) ln -sfn "$interpreter" "$pythons/$(basename "$interpreter")" ;;
    esac
done

"$venv/bin/python" "$root/tests/utils/offline_get_pip.py"

cd "$copy"
PATH=$venv/bin:$pythons:$PATH exec "$venv/bin/ansible-test" "$@" --color no

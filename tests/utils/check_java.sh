#!/usr/bin/env bash
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# ansible-rulebook runs its rules engine (Drools) in a Java virtual machine:
# it needs a JDK 17 or later, the one of JAVA_HOME when it is set, else the
# java on PATH. make test and make eda run this first, so that a machine
# without one fails at once, saying so, rather than in the middle of a run.
set -u

fail() {
    echo "ansible-rulebook (make eda, a step of make test) needs a JDK 17 or later: $1." \
        "Install one (openjdk-17-jdk or later, or Temurin 17+) and set JAVA_HOME to it," \
        "for example JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64." >&2
    exit 1
}

if [ -n "${JAVA_HOME:-}" ]; then
    java=$JAVA_HOME/bin/java
    [ -x "$java" ] || fail "JAVA_HOME is $JAVA_HOME, which has no bin/java"
else
    java=$(command -v java) || fail "no java on PATH, and JAVA_HOME is not set"
fi
version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
major=${version#1.}
major=${major%%.*}
case $major in
    ''|*[!0-9]*) fail "$java is Java of a version it does not say" ;;
esac
[ "$major" -ge 17 ] || fail "$java is Java $version"

# -*- coding: utf-8 -*-
# Copyright: Contributors to the redis.enterprise collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Properties of the compare/merge of the OCSP configuration, for any
configuration a cluster may answer and any subset of fields asked for. The
PUT body goes to the simulator's own handler, which validates it as the
cluster does and applies it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import redis_enterprise_sim as simlib
from ansible_collections.redis.enterprise.plugins.module_utils import _ocsp


# The writable fields and their ranges as the API reference gives them (the
# simulator serves the same table), never read back from the code under test.
FIELD_NAMES = ('ocsp_functionality',) + tuple(simlib.RANGES)


def _valid(name):
    if name == 'ocsp_functionality':
        return st.booleans()
    return st.integers(*simlib.RANGES[name])


def _as_answered(name):
    """A valid value as a cluster or a proxy may write it: typed, as text,
    or (numbers) as a whole float."""
    if name == 'ocsp_functionality':
        return st.one_of(st.booleans(), st.sampled_from(['true', 'false', 'True', 'enabled', 'disabled']))
    low, high = simlib.RANGES[name]
    return st.one_of(st.integers(low, high), st.integers(low, high).map(str),
                     st.integers(low, high).map(float))


# Fields a newer cluster may add; never part of a PUT.
UNKNOWN = st.dictionaries(st.text('abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=12)
                          .filter(lambda key: key not in FIELD_NAMES and key != 'responder_url'),
                          st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)), max_size=3)


@st.composite
def current_configs(draw):
    """A GET /v1/ocsp answer: any writable field present, absent or null,
    a responder URL or none, and unknown fields."""
    config = draw(UNKNOWN)
    for name in FIELD_NAMES:
        presence = draw(st.sampled_from(['value', 'value', 'value', 'absent', 'null']))
        if presence == 'value':
            config[name] = draw(_as_answered(name))
        elif presence == 'null':
            config[name] = None
    config['responder_url'] = draw(st.sampled_from([simlib.RESPONDER_URL, '']))
    return config


@st.composite
def desired_subsets(draw):
    """The module's options: any subset set, the others None (not enforced)."""
    chosen = draw(st.sets(st.sampled_from(FIELD_NAMES)))
    return dict((name, draw(_valid(name)) if name in chosen else None) for name in FIELD_NAMES)


def _typed(name, value):
    """A value as the reference types it, from the forms _as_answered draws."""
    if name == 'ocsp_functionality':
        return value if isinstance(value, bool) else value.lower() in ('true', 'enabled')
    return int(float(value))


def plan(current, desired):
    """(before, after) of the module's plan for the options desired."""
    made = _ocsp.CONFIG.plan(None, current, _ocsp.CONFIG.desired(desired))
    return made.before, made.after


def refused(current, after):
    """What the reference says of turning OCSP on: it needs a responder URL."""
    return bool(after.get('ocsp_functionality')) and not current.get('responder_url')


def _cluster(config):
    cluster = simlib.Cluster()
    cluster.config = dict(config)
    return cluster


def _put(cluster, body):
    return simlib.handle_api(cluster, 'PUT', _ocsp.CONFIG_PATH, body, 'admin')


@settings(max_examples=300, deadline=None, database=None)
@given(current_configs(), desired_subsets())
def test_put_body_is_current_merged_with_desired(current, desired):
    before, after = plan(current, desired)
    assert 'responder_url' not in after
    assert set(after) <= set(FIELD_NAMES)
    for name in FIELD_NAMES:
        if desired[name] is not None:
            assert after[name] == desired[name]
        elif current.get(name) is not None:
            # Kept, typed: the value the cluster has, whatever form it came in.
            assert after[name] == before[name] == _typed(name, current[name])
        else:
            assert name not in after


@settings(max_examples=300, deadline=None, database=None)
@given(current_configs(), desired_subsets())
def test_applying_the_put_leaves_nothing_to_change(current, desired):
    before, after = plan(current, desired)
    cluster = _cluster(current)
    status, answer = _put(cluster, after)
    if refused(current, after):
        # The module refuses before writing; the cluster would refuse too.
        assert (status, answer['error_code']) == (400, 'no_responder_url')
        return
    # The simulator validates the body as the cluster does: types, ranges,
    # no read-only or unknown field.
    assert status == 200, answer
    again_before, again_after = plan(cluster.config, desired)
    assert again_before == again_after
    assert dict((name, again_after[name]) for name in after) == after
    # The fields nobody asked about are untouched, unknown ones included; a
    # null field, left out of the PUT, the cluster resets to its default (the
    # simulator resets omitted writable fields, as a cluster may).
    for key, value in current.items():
        if key not in FIELD_NAMES:
            assert cluster.config[key] == value
        elif value is None and desired.get(key) is None:
            assert cluster.config[key] == simlib.DEFAULT_CONFIG[key]


@settings(max_examples=200, deadline=None, database=None)
@given(current_configs())
def test_asking_for_nothing_changes_nothing(current):
    before, after = plan(current, dict((name, None) for name in FIELD_NAMES))
    assert before == after


@settings(max_examples=200, deadline=None, database=None)
@given(current_configs(), desired_subsets())
def test_no_change_reported_exactly_when_the_cluster_already_matches(current, desired):
    before, after = plan(current, desired)
    matches = all(value is None or before.get(name) == value for name, value in desired.items())
    assert (before == after) is matches

"""Hypothesis settings for the fuzz tests, and the world they walk.

The default profile is derandomized: every run tries the same examples, so a green build stays
green and a failure reproduces. `HYPOTHESIS_PROFILE=explore` draws new examples each run, and
`FUZZ_SCALE=20` tries twenty times as many: for hunting (what it finds becomes a focused
regression test next to the code it fixes)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.world import build_world

# Each example runs against the test's own world (a function-scoped fixture, restored between
# examples by a Baseline), and requests are slow next to hypothesis's expectations.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                       HealthCheck.data_too_large]}
settings.register_profile("default", derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("explore", **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def world(app, people):
    return build_world(app, people)

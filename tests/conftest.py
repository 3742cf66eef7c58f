"""Shared test settings."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Speed is measured in bench/, never asserted in tests: no per-example deadline. On CI
# the examples are derived from the test itself, so a run is repeatable.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

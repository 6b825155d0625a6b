"""Shared test set-up: Hypothesis profiles, seeding, and a guard on grad mode.

Profiles (choose with HYPOTHESIS_PROFILE): `dev` (default, quick), `ci` (derandomized, no
deadline; the default when the CI variable is set) and `thorough` (many more examples).
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import autograd

settings.register_profile("dev", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _seed_and_check_grad_mode():
    np.random.seed(0)
    autograd.manual_seed(0)
    yield
    enabled = autograd.is_grad_enabled()
    autograd.set_grad_enabled(True)
    assert enabled, "the test left grad mode disabled"

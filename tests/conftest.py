"""Shared pytest set-up: hypothesis profiles, seeded randomness and the
page the demos' tests run their JavaScript in."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=400, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed, fresh for every test."""
    return np.random.default_rng(20261123)


# ------------------------------------------------------------ the demos
# One headless chromium page per test module, with the kit and every
# demo script loaded (tests/_demo_page.py). A test that uses it needs
# chromium, so it must carry the `browser` marker (`make unit` leaves
# those out): the fixture refuses a test without it.

@pytest.fixture(scope="module")
def _demo_browser_page():
    from _demo_page import demo_page
    with demo_page() as page:
        yield page


@pytest.fixture
def page(request, _demo_browser_page):
    """The module's chromium page with the demos' scripts (a Playwright
    Page); for tests marked ``@pytest.mark.browser`` only."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail(f"{request.node.nodeid} uses chromium: mark it "
                    "@pytest.mark.browser")
    return _demo_browser_page

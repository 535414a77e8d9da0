"""Shared pytest set-up: hypothesis profiles, seeded randomness and the
page the demos' tests run their JavaScript in, and the time ledger
printed at the end of a run."""
import os
import time

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


# ------------------------------------------------------------ time ledger
# `make test` ends with what it spent: pytest's wall time and each
# notebook's execution time (nbval runs a notebook as one file of cells:
# the ledger adds up its cells' set-up, run and tear-down), against the
# budget the README states. `--durations` (in the Makefile) lists the
# slowest single tests above it.

NOTEBOOK_BUDGET = 60.0  # seconds per notebook
SUITE_BUDGET = 600.0  # seconds for a fresh `make test`, book build too


def pytest_sessionstart(session):
    session.config._ledger_start = time.monotonic()


def notebook_seconds(reports):
    """{notebook path: seconds} from pytest's test reports."""
    seconds = {}
    for report in reports:
        path, _, cell = getattr(report, "nodeid", "").partition("::")
        if path.endswith(".ipynb") and cell:
            seconds[path] = seconds.get(path, 0.0) + report.duration
    return seconds


@pytest.hookimpl(trylast=True)  # after --durations: the run's last words
def pytest_terminal_summary(terminalreporter, config):
    reports = [r for kind in terminalreporter.stats.values() for r in kind]
    notebooks = notebook_seconds(reports)
    write = terminalreporter.write_line
    terminalreporter.section("time ledger")
    start = getattr(config, "_ledger_start", None)
    if start is not None:
        write(f"pytest wall time {time.monotonic() - start:7.1f} s "
              f"(budget for all of `make test`: {SUITE_BUDGET:.0f} s)")
    if not notebooks:
        return
    write(f"{'notebook':<48} {'seconds':>8}  (budget "
          f"{NOTEBOOK_BUDGET:.0f} s each)")
    for path, seconds in sorted(notebooks.items(), key=lambda p: -p[1]):
        over = "  OVER BUDGET" if seconds > NOTEBOOK_BUDGET else ""
        write(f"{path:<48} {seconds:8.1f}{over}")
    write(f"{'all notebooks (summed over workers)':<48} "
          f"{sum(notebooks.values()):8.1f}")

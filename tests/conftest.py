"""Shared pytest setup: tests marked ``slow`` (huge arrays) are opt-in.

They run with ``pytest --run-slow``, with ``UPSAMPLE_RUN_SLOW=1``, or when
selected explicitly with ``-m slow``; a plain ``pytest`` skips them. With
``UPSAMPLE_REQUIRE_SLOW=1`` (set by CI) they run and must not skip: a test
that lacks the memory it needs fails instead (see ``require_slow``).
"""

import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow (huge arrays, several GB of memory)")


def pytest_configure(config):
    # Also registered in pyproject.toml; repeated here for runs of a copied tests/ folder.
    config.addinivalue_line("markers", "slow: long-running tests (huge arrays); opt-in")


def require_slow():
    """Whether the slow tests must run to the end here (UPSAMPLE_REQUIRE_SLOW=1, as in CI)."""
    return os.environ.get("UPSAMPLE_REQUIRE_SLOW", "") not in ("", "0")


def pytest_report_header(config):
    import upsample

    return f"upsample: {upsample.kernel_info()} from {os.path.dirname(upsample.__file__)}"


def _slow_requested(config):
    if (config.getoption("--run-slow") or require_slow()
            or os.environ.get("UPSAMPLE_RUN_SLOW", "") not in ("", "0")):
        return True
    expression = config.getoption("markexpr", "") or ""
    return "slow" in expression and "not slow" not in expression


def pytest_collection_modifyitems(config, items):
    if _slow_requested(config):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow, -m slow or UPSAMPLE_RUN_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

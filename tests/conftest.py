import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fixed_seed():
    np.random.seed(0)
    yield


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test left open (without importing pyplot for a test that never did)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def pytest_addoption(parser):
    # manim's frames_comparison reads these two options.
    parser.addoption("--set_test", action="store_true", help="write manim control frames instead of comparing them")
    parser.addoption("--show_diff", action="store_true", help="show a manim frame that differs from its control")
    parser.addoption("--runslow", action="store_true",
                     help="also run the tests marked slow (scene renders, the gallery, notebooks, the browser); CI does")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

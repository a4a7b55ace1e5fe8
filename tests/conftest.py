import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fixed_seed():
    np.random.seed(0)
    yield


def pytest_addoption(parser):
    # manim's frames_comparison reads these two options.
    parser.addoption("--set_test", action="store_true", help="write manim control frames instead of comparing them")
    parser.addoption("--show_diff", action="store_true", help="show a manim frame that differs from its control")

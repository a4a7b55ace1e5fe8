"""The gallery's helper process: progress relayed as it comes, failures raised, stopped on an error."""

import time

import pytest

from rnnviz.gallery import ProgressBar, _Helper


def count_to(report, count):
    report(count)
    for k in range(count):
        report(f"step {k}")
    return {"counted": count}


def fail(report):
    report(1)
    raise ValueError("a bug in the helper")


def sleep(report, seconds):
    time.sleep(seconds)


def test_helper_relays_its_steps_and_returns_its_result():
    lines = []
    bar = ProgressBar(2, write=lines.append)
    with _Helper(bar, count_to, 3) as helper:
        bar.step("main 1")
        result = helper.result()
        bar.step("main 2")
    assert result == {"counted": 3}
    assert bar.total == 5 and bar.done == 5
    assert sum("step" in line for line in lines) == 3 and lines[-1].endswith("main 2")


def test_helper_failure_is_raised_with_its_traceback():
    with pytest.raises(RuntimeError, match="(?s)helper process failed.*ValueError: a bug in the helper"):
        with _Helper(ProgressBar(0, write=lambda line: None), fail) as helper:
            helper.result()


def test_leaving_on_an_error_stops_the_helper_at_once():
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        with _Helper(ProgressBar(0, write=lambda line: None), sleep, 120) as helper:
            raise KeyboardInterrupt
    assert not helper.process.is_alive()
    assert time.perf_counter() - started < 60

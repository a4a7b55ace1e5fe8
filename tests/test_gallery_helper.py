"""The gallery's helper process: progress relayed as it comes, failures raised, stopped on an error."""

import os
import re
import time

import pytest

from rnnviz.gallery import _START_UP_NOTES, ProgressBar, _Helper, _stderr_filtered


def count_to(report, count):
    for k in range(count):
        report(f"step {k}")
    return {"counted": count}


def fail(report):
    report("step 0")
    raise ValueError("a bug in the helper")


def log_to_tensorflow(report):
    import tensorflow as tf

    tf.get_logger().warning("5 out of the last 5 calls to <function f> triggered tf.function retracing")
    tf.get_logger().error("a real error")


def sleep(report, seconds):
    time.sleep(seconds)


def test_helper_relays_its_steps_and_returns_its_result():
    lines = []
    bar = ProgressBar(5, write=lines.append)  # 2 steps here, 3 in the helper: counted before it starts
    with _Helper(bar, count_to, 3) as helper:
        bar.step("main 1")
        result = helper.result()
        bar.step("main 2")
    assert result == {"counted": 3}
    assert bar.total == 5 and bar.done == 5
    assert [re.search(r"\] (\d+)/(\d+) ", line).groups() for line in lines] == [(str(k), "5") for k in range(1, 6)]
    assert sum("step" in line for line in lines) == 3 and lines[-1].endswith("main 2")


def test_progress_bar_total_is_known_from_the_start():
    assert not hasattr(ProgressBar, "expect")  # the total never changes
    for total in (-1, 2.5, None, True):
        with pytest.raises(ValueError, match="total: the number of steps; expected an integer >= 0"):
            ProgressBar(total)


def test_helper_keeps_tensorflow_noise_off_stderr_but_not_errors(capfd):
    with _Helper(ProgressBar(0, write=lambda line: None), log_to_tensorflow) as helper:
        helper.result()
    err = capfd.readouterr().err  # the helper process writes to the same file descriptor
    assert "a real error" in err
    assert "retracing" not in err and "absl::InitializeLog" not in err and "oneDNN" not in err, err


def test_start_up_notes_are_dropped_and_every_other_line_kept(capfd):
    with _stderr_filtered(_START_UP_NOTES):
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
                    b"I0000 00:00:1796213709.826731   11507 port.cc:153] oneDNN custom operations are on.\n"
                    b"E0000 00:00:1796213709.826731   11507 some.cc:1] a real error\n"
                    b"Traceback (most recent call last):\n")
    assert capfd.readouterr().err == ("E0000 00:00:1796213709.826731   11507 some.cc:1] a real error\n"
                                      "Traceback (most recent call last):\n")


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

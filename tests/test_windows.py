"""Windowing with tf.data (rnnviz.data.windows) and the figure drawn from its tensors."""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz.data.windows import make_windows
from rnnviz.errors import InputError
from rnnviz.figures.windowing import WindowingDisplay

pytest.importorskip("tensorflow")

PARTS = ("train", "validation", "test")


def seasonal(length=300, seed=0):
    """A seasonal series with a trend and noise, distinct at every index."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return 5 + 0.02 * t + 2 * np.sin(2 * np.pi * t / 24) + rng.normal(scale=0.2, size=length)


def batches(dataset):
    """(inputs, targets) of every batch of a dataset, as numpy."""
    return list(dataset.as_numpy_iterator())


def concatenated(dataset):
    found = batches(dataset)
    return np.concatenate([b[0] for b in found]), np.concatenate([b[1] for b in found])


def expected_starts(windows, part):
    """Every start whose whole window lies inside the part, stepping by shift — computed here from scratch."""
    edges = (0, *windows.boundaries, len(windows.series))
    low, high = edges[PARTS.index(part)], edges[PARTS.index(part) + 1]
    span = (windows.input_steps + windows.horizon - 1) * windows.stride + 1
    return np.arange(low, high - span + 1, windows.shift)


@pytest.mark.parametrize(
    "input_steps, horizon, shift, stride", [(10, 3, 1, 1), (8, 2, 3, 1), (6, 4, 2, 3), (1, 1, 5, 2)]
)
def test_vector_windows_are_the_expected_slices_of_the_normalised_series(input_steps, horizon, shift, stride):
    series = seasonal()
    windows = make_windows(series, input_steps=input_steps, horizon=horizon, shift=shift, stride=stride, batch_size=7)
    normalised = (series - series[: windows.boundaries[0]].mean()) / series[: windows.boundaries[0]].std()
    datasets = {"train": windows.unshuffled("train"), "validation": windows.validation, "test": windows.test}
    for part, dataset in datasets.items():
        starts = expected_starts(windows, part)
        np.testing.assert_array_equal(windows.starts(part), starts)
        inputs, targets = concatenated(dataset)
        assert inputs.dtype == targets.dtype == np.float32
        window = np.stack([normalised[s : s + (input_steps + horizon) * stride : stride] for s in starts])
        np.testing.assert_allclose(inputs[..., 0], window[:, :input_steps], atol=1e-5)
        np.testing.assert_allclose(targets, window[:, input_steps:], atol=1e-5)
        np.testing.assert_array_equal(windows.numpy(part)[0], inputs)


def test_sequence_targets_are_the_next_horizon_values_at_every_step():
    series = seasonal()
    windows = make_windows(series, input_steps=9, horizon=3, shift=2, stride=2, targets="sequence", batch_size=5)
    vector = make_windows(series, input_steps=9, horizon=3, shift=2, stride=2, batch_size=5)
    normalised = windows.normalise(series)
    for part in PARTS:
        inputs, targets = windows.numpy(part)
        assert targets.shape == (len(windows.starts(part)), 9, 3)
        for i, start in enumerate(expected_starts(windows, part)):
            for t in range(9):
                expected = normalised[start + 2 * (t + 1) : start + 2 * (t + 4) : 2]
                np.testing.assert_allclose(targets[i, t], expected, atol=1e-5)
        np.testing.assert_array_equal(targets[:, -1], vector.numpy(part)[1])  # the last step's are seq-to-vector's
        np.testing.assert_array_equal(inputs, vector.numpy(part)[0])
        np.testing.assert_array_equal(windows.positions(part)[1][:, -1], vector.positions(part)[1])


def test_split_is_in_time_order_and_no_window_crosses_a_boundary():
    windows = make_windows(seasonal(400), input_steps=12, horizon=4, shift=1, split=(0.6, 0.2, 0.2))
    assert windows.boundaries == (240, 320)
    assert [windows.part_slice(part) for part in PARTS] == [slice(0, 240), slice(240, 320), slice(320, 400)]
    for part in PARTS:
        inputs, targets = windows.positions(part)
        part_range = windows.part_slice(part)
        assert inputs.min() == part_range.start  # the first window starts at the part's start
        assert part_range.start <= inputs.min() and max(inputs.max(), targets.max()) < part_range.stop
    assert windows.positions("train")[1].max() == 239 and windows.positions("validation")[1].max() == 319


def test_normalisation_uses_the_training_part_only():
    series = seasonal()
    windows = make_windows(series, input_steps=10, horizon=3)
    train_end = windows.boundaries[0]
    assert windows.mean == pytest.approx(series[:train_end].mean())
    assert windows.std == pytest.approx(series[:train_end].std())
    changed = series.copy()
    changed[train_end:] = changed[train_end:] * 10 + 100  # a very different future must not move the statistics
    other = make_windows(changed, input_steps=10, horizon=3)
    assert (other.mean, other.std) == (windows.mean, windows.std)
    np.testing.assert_array_equal(other.numpy("train")[0], windows.numpy("train")[0])
    assert other.numpy("test")[0].mean() > 10  # validation/test are normalised with training statistics, not their own
    values = np.array([1.0, 2.5, -3.0])
    np.testing.assert_allclose(windows.denormalise(windows.normalise(values)), values)
    np.testing.assert_array_equal(windows.series, series)


def test_only_the_training_part_is_shuffled_and_the_shuffle_is_seeded():
    series = seasonal()

    def first_inputs(seed):
        return concatenated(make_windows(series, input_steps=10, horizon=3, shuffle_seed=seed).train)[0][:, 0, 0]

    windows = make_windows(series, input_steps=10, horizon=3, shuffle_seed=0)
    time_order = windows.numpy("train")[0][:, 0, 0]
    shuffled = first_inputs(0)
    assert not np.array_equal(shuffled, time_order)
    np.testing.assert_array_equal(np.sort(shuffled), np.sort(time_order))  # the same windows
    np.testing.assert_array_equal(first_inputs(0), shuffled)  # same seed, same order
    assert not np.array_equal(first_inputs(1), shuffled)
    for part in ("validation", "test"):
        np.testing.assert_array_equal(concatenated(getattr(windows, part))[0], windows.numpy(part)[0])


def test_batches_have_the_promised_shapes():
    windows = make_windows(seasonal(), input_steps=10, horizon=3, batch_size=16)
    spec_inputs, spec_targets = windows.train.element_spec
    assert spec_inputs.shape.as_list() == [None, 10, 1] and spec_targets.shape.as_list() == [None, 3]
    found = batches(windows.train)
    count = len(windows.starts("train"))
    assert [len(b[0]) for b in found] == [16] * (count // 16) + ([count % 16] if count % 16 else [])
    assert all(b[1].shape[1:] == (3,) for b in found)
    sequence = make_windows(seasonal(), input_steps=10, horizon=3, batch_size=16, targets="sequence")
    assert [d.shape.as_list() for d in sequence.validation.element_spec] == [[None, 10, 1], [None, 10, 3]]
    assert next(sequence.test.as_numpy_iterator())[1].shape == (16, 10, 3)


def test_a_series_may_be_anything_with_values():
    @dataclass
    class Series:
        values: np.ndarray

    series = seasonal()
    windows = make_windows(Series(series), input_steps=10, horizon=3)
    np.testing.assert_array_equal(windows.series, series)
    np.testing.assert_array_equal(windows.numpy("test")[1], make_windows(series, input_steps=10, horizon=3).numpy("test")[1])


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"input_steps": 0}, ["input_steps", "0", ">= 1"]),
        ({"horizon": 2.5}, ["horizon", "2.5", "integer"]),
        ({"shift": True}, ["shift", "True"]),
        ({"stride": -1}, ["stride", "-1"]),
        ({"batch_size": None}, ["batch_size", "None"]),
        ({"targets": "matrix"}, ["targets", "'matrix'", "'vector'", "'sequence'"]),
        ({"split": (0.8, 0.2)}, ["split", "(0.8, 0.2)", "three shares"]),
        ({"split": (0.7, 0.2, 0.2)}, ["split", "summing to 1"]),
        ({"shuffle_seed": "a"}, ["shuffle_seed", "'a'"]),
        ({"input_steps": 43}, ["split", "validation part has 45 values", "at least 46"]),
        ({"series": np.ones((10, 2))}, ["series", "1-D", "(10, 2)"]),
        ({"series": np.r_[seasonal()[:5], np.nan, seasonal()[6:]]}, ["series", "finite", "index 5"]),
        ({"series": np.r_[np.ones(250), seasonal()[250:]]}, ["series", "constant", "series[0:210]"]),
    ],
)
def test_bad_arguments_say_which_what_and_what_was_expected(kwargs, words):
    arguments = {"series": seasonal(), "input_steps": 10, "horizon": 3, **kwargs}
    with pytest.raises(InputError) as raised:
        make_windows(arguments.pop("series"), **arguments)
    for word in words:
        assert word in str(raised.value)


def test_a_bad_part_is_named():
    with pytest.raises(InputError, match="part: expected one of .*'train'.* got 'training'"):
        make_windows(seasonal(), input_steps=10, horizon=3).starts("training")


# ---------------------------------------------------------------- the figure


@pytest.mark.parametrize("targets", ["vector", "sequence"])
def test_the_windowing_figure_draws_the_datasets_tensors(targets):
    windows = make_windows(seasonal(600), input_steps=10, horizon=3, shift=2, stride=2, batch_size=8, targets=targets)
    display = WindowingDisplay.from_windows(windows, part="validation", count=3, batch_index=1).plot()
    inputs, expected_targets = batches(windows.validation)[1]  # the second batch, straight from the dataset
    after = expected_targets[:, -1] if targets == "sequence" else expected_targets
    np.testing.assert_allclose(display.batch_image_.get_array(), np.concatenate([inputs[..., 0], after], axis=1))
    assert display.rows == [0, 4, 7]
    starts = windows.starts("validation")[8:16]
    for lines, row, offset in zip(display.window_lines_, display.rows, display.offsets_):
        np.testing.assert_allclose(lines["inputs"].get_ydata() - offset, inputs[row, :, 0], atol=1e-6)
        np.testing.assert_allclose(lines["targets"].get_ydata() - offset, after[row], atol=1e-6)
        np.testing.assert_array_equal(lines["inputs"].get_xdata(), starts[row] + 2 * np.arange(10))
        np.testing.assert_array_equal(lines["targets"].get_xdata(), starts[row] + 2 * np.arange(10, 13))
    np.testing.assert_allclose(display.series_lines_["windows"].get_ydata(), windows.normalise(windows.series))
    assert [line.get_xdata()[0] for line in display.boundary_lines_] == list(windows.boundaries)
    if targets == "sequence":
        np.testing.assert_allclose(display.target_image_.get_array(), expected_targets[0])
        assert set(display.axes_) == {"overview", "windows", "batch", "targets"}
    else:
        assert display.target_image_ is None


def test_the_windowing_figure_shows_the_unshuffled_training_batch_and_checks_its_arguments():
    windows = make_windows(seasonal(), input_steps=10, horizon=3, batch_size=16)
    display = WindowingDisplay.from_windows(windows)
    np.testing.assert_allclose(display.inputs, windows.numpy("train")[0][:16, :, 0])
    np.testing.assert_array_equal(display.starts, np.arange(16))
    figure, axes = plt.subplots(3)
    assert display.plot(ax=axes).figure_ is figure
    with pytest.raises(ValueError, match="ax: expected 3 axes"):
        display.plot(ax=axes[:2])
    with pytest.raises(InputError, match="batch_index: the train part has 13 batches .* from 0 to 12, got 13"):
        WindowingDisplay.from_windows(windows, batch_index=13)
    with pytest.raises(InputError, match="count: batch 0 has 16 windows; expected an integer from 1 to 16, got 0"):
        WindowingDisplay.from_windows(windows, count=0)


def test_importing_the_windowing_modules_imports_no_tensorflow():
    import subprocess
    import sys

    code = "import sys, rnnviz.data.windows, rnnviz.figures.windowing; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

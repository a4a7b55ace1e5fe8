"""Windows of a time series as ``tf.data`` datasets, the lecture's way (Géron, ch. 15).

One series is split in time order into train, validation and test parts. Each part
is windowed on its own with the TensorFlow Data API::

    tf.data.Dataset.from_tensor_slices(part)
        .window(input_steps + horizon, shift=shift, stride=stride, drop_remainder=True)
        .flat_map(lambda window: window.batch(input_steps + horizon))
        .map(to (inputs, targets))
        .shuffle(buffer, seed=shuffle_seed)   # train only
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)

so every window, inputs and targets alike, lies inside its own part: no window of
one part sees a value of another, not even as context (the lecture windows each
part on its own). With vector targets the first ``input_steps * stride`` values of
each part are therefore only ever inputs, never targets. All values are normalised
with the mean and standard deviation of the training part alone.

``stride`` spaces the samples inside a window, inputs and targets alike: with
``stride=2`` a window holds every second value, and the targets are the next
``horizon`` values at that spacing.

TensorFlow is imported on first use, not when this module is imported.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers

import numpy as np

from rnnviz.errors import InputError, check_int

PARTS = ("train", "validation", "test")
TARGETS = ("vector", "sequence")


@dataclasses.dataclass(frozen=True)
class Stage:
    """One stage of a part's pipeline: its name, its call as the lecture writes it, and what it does
    (dataset -> the next dataset; the first stage, the source, ignores its argument)."""

    name: str
    call: str
    apply: object


def make_windows(series, *, input_steps=40, horizon=5, shift=1, stride=1, batch_size=32,
                 split=(0.7, 0.15, 0.15), targets="vector", shuffle_seed=0) -> Windows:
    """Split ``series`` in time order and window each part into batched ``(inputs, targets)`` datasets.

    series: a 1-D array of numbers, or anything with a ``.values`` array (e.g. a dataclass).
    input_steps: values per window fed to the model.
    horizon: future values to predict after the window's inputs.
    shift: steps between the starts of consecutive windows.
    stride: spacing of the samples inside a window (``Dataset.window``'s ``stride``).
    batch_size: windows per batch (the last batch of a part may be smaller).
    split: shares of the series for (train, validation, test), each > 0, summing to 1.
    targets: "vector" — targets ``(batch, horizon)``, the values after the inputs
        (sequence-to-vector); "sequence" — targets ``(batch, input_steps, horizon)``, at every
        input step the next ``horizon`` values (sequence-to-sequence).
    shuffle_seed: seed of the training part's shuffle (None: a different order every run).
        Only the training part is shuffled; it is reshuffled every epoch.
    """
    return Windows(series, input_steps=input_steps, horizon=horizon, shift=shift, stride=stride,
                   batch_size=batch_size, split=split, targets=targets, shuffle_seed=shuffle_seed)


class Windows:
    """A series split into train/validation/test and windowed into ``tf.data`` datasets; see :func:`make_windows`.

    ``train``, ``validation``, ``test``: datasets of ``(inputs, targets)``, float32, normalised;
    inputs ``(batch, input_steps, 1)``; built on first use. ``mean``, ``std``: of the training part.
    ``boundaries``: ``(train_end, validation_end)``, indices into ``series`` (a float copy of the input).
    ``input_steps``, ``horizon``, ``shift``, ``stride``, ``batch_size``, ``split``, ``shuffle_seed``: as given;
    ``targets``: "vector" or "sequence". Every window lies inside its own part.
    """

    def __init__(self, series, *, input_steps=40, horizon=5, shift=1, stride=1, batch_size=32,
                 split=(0.7, 0.15, 0.15), targets="vector", shuffle_seed=0):
        self.series = _checked_series(series)
        self.input_steps = check_int("input_steps", input_steps, 1)
        self.horizon = check_int("horizon", horizon, 1)
        self.shift = check_int("shift", shift, 1)
        self.stride = check_int("stride", stride, 1)
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.split = _checked_split(split)
        self.targets = _checked_choice("targets", targets, TARGETS)
        self.shuffle_seed = _checked_seed(shuffle_seed)
        self.boundaries = _boundaries(len(self.series), self.split)
        for part in PARTS:
            self._check_long_enough(part)
        training = self.series[: self.boundaries[0]]
        self.mean, self.std = float(training.mean()), float(training.std())
        if not self.std > 0:
            raise InputError(f"series: the training part (series[0:{self.boundaries[0]}]) is constant "
                             f"(std 0), so it cannot be normalised; expected a series that varies")
        self._arrays = {}  # part -> (inputs, targets), read from the pipeline once

    # ------------------------------------------------------------ the datasets (built on first use)

    @functools.cached_property
    def train(self):
        """The training windows, shuffled (seeded by ``shuffle_seed``, reshuffled every epoch), batched."""
        return self._pipeline("train", shuffle=True)

    @functools.cached_property
    def validation(self):
        """The validation windows in time order, batched."""
        return self._pipeline("validation")

    @functools.cached_property
    def test(self):
        """The test windows in time order, batched."""
        return self._pipeline("test")

    @functools.cached_property
    def _unshuffled_train(self):
        return self._pipeline("train")

    # ------------------------------------------------------------ sizes and positions

    @property
    def window_length(self) -> int:
        """How many consecutive series values one window spans, inputs and targets: ``(input_steps + horizon - 1) * stride + 1``."""
        return (self.input_steps + self.horizon - 1) * self.stride + 1

    def part_slice(self, part: str) -> slice:
        """The part's values as a slice of ``series``."""
        start, end = (0, *self.boundaries, len(self.series))[_part_index(part):][:2]
        return slice(start, end)

    def starts(self, part: str) -> np.ndarray:
        """The series index where each window of ``part`` starts, in dataset order before shuffling."""
        part_range = self.part_slice(part)
        count = (part_range.stop - part_range.start - self.window_length) // self.shift + 1
        return part_range.start + self.shift * np.arange(count)

    def positions(self, part: str):
        """Series indices of every value of every window of ``part``: (inputs, targets), shaped like :meth:`numpy`'s arrays.

        inputs: ``(windows, input_steps)``; targets: ``(windows, horizon)``, or
        ``(windows, input_steps, horizon)`` for sequence targets.
        """
        starts = self.starts(part)[:, None]
        inputs = starts + self.stride * np.arange(self.input_steps)
        if self.targets == "vector":
            return inputs, starts + self.stride * (self.input_steps + np.arange(self.horizon))
        ahead = 1 + np.arange(self.input_steps)[:, None] + np.arange(self.horizon)
        return inputs, starts[:, :, None] + self.stride * ahead

    # ------------------------------------------------------------ values

    def normalise(self, values) -> np.ndarray:
        """``(values - mean) / std`` with the training part's statistics."""
        return (np.asarray(values, dtype=float) - self.mean) / self.std

    def denormalise(self, values) -> np.ndarray:
        """``values * std + mean``: normalised values (e.g. a model's forecast) back in the series' units."""
        return np.asarray(values, dtype=float) * self.std + self.mean

    def unshuffled(self, part: str):
        """The part's dataset in time order: the training pipeline without its shuffle; ``validation``/``test`` themselves."""
        return getattr(self, "_unshuffled_train" if _checked_part(part) == "train" else part)

    def numpy(self, part: str):
        """(inputs, targets) of every window of ``part``, read from :meth:`unshuffled`, as float32 numpy arrays."""
        if part not in self._arrays:
            batches = list(self.unshuffled(part).as_numpy_iterator())
            self._arrays[part] = tuple(np.concatenate([batch[k] for batch in batches]) for k in (0, 1))
        return tuple(array.copy() for array in self._arrays[part])

    def __repr__(self):
        counts = ", ".join(f"{part}={len(self.starts(part))}" for part in PARTS)
        return (f"Windows(input_steps={self.input_steps}, horizon={self.horizon}, shift={self.shift}, "
                f"stride={self.stride}, targets={self.targets!r}, windows: {counts})")

    # ------------------------------------------------------------ the pipeline

    def _pipeline(self, part: str, *, shuffle: bool = False):
        """The tf.data pipeline of one part; shuffled (seeded, reshuffled each epoch) only if asked."""
        dataset = None
        for stage in self._stages(part, shuffle=shuffle):
            dataset = stage.apply(dataset)
        return dataset

    def _stages(self, part: str, *, shuffle: bool = False) -> list:
        """The pipeline of one part as its stages, in order (see :class:`Stage`); :meth:`_pipeline` chains them and
        :func:`rnnviz.data.pipeline_stages.pipeline_stages` traces them, so both run the same calls."""
        import tensorflow as tf

        size = self.input_steps + self.horizon
        values = self.normalise(self.series[self.part_slice(part)]).astype("float32")
        stride = f", stride={self.stride}" if self.stride != 1 else ""
        stages = [
            Stage("from_tensor_slices", f"tf.data.Dataset.from_tensor_slices({part})",
                  lambda _: tf.data.Dataset.from_tensor_slices(values)),
            Stage("window", f".window({size}, shift={self.shift}{stride}, drop_remainder=True)",
                  lambda dataset: dataset.window(size, shift=self.shift, stride=self.stride, drop_remainder=True)),
            Stage("flat_map", f".flat_map(lambda w: w.batch({size}, drop_remainder=True))",
                  lambda dataset: dataset.flat_map(lambda window: window.batch(size, drop_remainder=True))),
            Stage("map", self._inputs_and_targets_call(), lambda dataset: dataset.map(self._inputs_and_targets)),
        ]
        if shuffle:
            buffer = len(self.starts(part))  # the whole part: a full shuffle
            stages.append(Stage("shuffle", f".shuffle({buffer}, seed={self.shuffle_seed})",
                                lambda dataset: dataset.shuffle(buffer, seed=self.shuffle_seed)))
        return stages + [
            Stage("batch", f".batch({self.batch_size})", lambda dataset: dataset.batch(self.batch_size)),
            Stage("prefetch", ".prefetch(tf.data.AUTOTUNE)", lambda dataset: dataset.prefetch(tf.data.AUTOTUNE)),
        ]

    def _inputs_and_targets_call(self) -> str:
        """:meth:`_inputs_and_targets` as the lecture writes its ``map``."""
        steps = self.input_steps
        if self.targets == "vector":
            return f".map(lambda w: (w[:{steps}, tf.newaxis], w[{steps}:]))"
        return f".map(lambda w: (w[:{steps}, tf.newaxis], tf.gather(w, ahead)))"  # ahead: (input_steps, horizon)

    def _inputs_and_targets(self, window):
        """One window of ``input_steps + horizon`` values -> (inputs ``(input_steps, 1)``, targets)."""
        import tensorflow as tf

        inputs = window[: self.input_steps, tf.newaxis]
        if self.targets == "vector":
            return inputs, window[self.input_steps :]
        ahead = 1 + tf.range(self.input_steps)[:, tf.newaxis] + tf.range(self.horizon)  # (input_steps, horizon)
        return inputs, tf.gather(window, ahead)

    def _check_long_enough(self, part: str) -> None:
        part_range = self.part_slice(part)
        length = part_range.stop - part_range.start
        if length < self.window_length:
            raise InputError(
                f"split: the {part} part has {length} values (series[{part_range.start}:{part_range.stop}] of "
                f"{len(self.series)}, split={self.split}), but one window spans {self.window_length} "
                f"((input_steps + horizon - 1) * stride + 1 with input_steps={self.input_steps}, "
                f"horizon={self.horizon}, stride={self.stride}); expected a {part} part of at least "
                f"{self.window_length} values: a longer series, a larger {part} share or a shorter window"
            )


# ---------------------------------------------------------------- argument checks


def _checked_series(series) -> np.ndarray:
    values = getattr(series, "values", series)
    try:
        values = np.array(values, dtype=float)  # a copy: the datasets must not change with the caller's array
    except (TypeError, ValueError):
        raise InputError(f"series: expected a 1-D array of numbers (or an object with .values), "
                         f"got {type(series).__name__}") from None
    if values.ndim != 1:
        raise InputError(f"series: expected a 1-D array, got shape {values.shape}")
    if not np.isfinite(values).all():
        raise InputError(f"series: expected finite values, got NaN or infinity at index "
                         f"{int(np.argmax(~np.isfinite(values)))}")
    return values



def _checked_choice(argument: str, value, choices):
    if isinstance(value, str) and value in choices:
        return value
    raise InputError(f"{argument}: expected one of {list(choices)}, got {value!r}")


def _checked_seed(value):
    if value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return None if value is None else int(value)
    raise InputError(f"shuffle_seed: expected an integer or None, got {value!r}")


def _checked_split(split) -> tuple:
    try:
        shares = tuple(float(share) for share in split)
    except (TypeError, ValueError):
        shares = ()
    if len(shares) != 3 or not all(share > 0 for share in shares) or abs(sum(shares) - 1) > 1e-6:
        raise InputError(f"split: expected three shares (train, validation, test), each > 0, summing to 1; "
                         f"got {split!r}")
    return shares


def _boundaries(length: int, split: tuple) -> tuple:
    """(train_end, validation_end) for a series of ``length`` values split in time order."""
    return int(round(split[0] * length)), int(round((split[0] + split[1]) * length))


def _checked_part(part: str) -> str:
    return _checked_choice("part", part, PARTS)


def _part_index(part: str) -> int:
    return PARTS.index(_checked_part(part))

"""What a windowing picture shows: a batch the tf.data pipeline made, the series it came from, the windows drawn."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.errors import check_int


@dataclass(frozen=True)
class WindowingView:
    """A batch of windows and the series they were cut from (taken from the pipeline's own tensors).

    Parameters
    ----------
    series : ndarray (time,)
        The whole series, normalised as the datasets are.
    boundaries : (train_end, validation_end)
    starts : ndarray (batch,)
        The series index where each window of the batch starts.
    inputs : ndarray (batch, input_steps)
    targets : ndarray (batch, horizon), or (batch, input_steps, horizon) for sequence targets
    stride : int
        Spacing of the samples inside a window.
    rows : sequence of int
        The windows of the batch drawn over the series.
    description : str
    """

    series: np.ndarray
    boundaries: tuple
    starts: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    stride: int = 1
    rows: tuple = (0,)
    description: str = ""

    def __post_init__(self):
        set_field = object.__setattr__  # frozen: normalise the arrays once, here
        set_field(self, "series", np.asarray(self.series, dtype=float))
        set_field(self, "boundaries", tuple(int(b) for b in self.boundaries))
        set_field(self, "starts", np.asarray(self.starts, dtype=int))
        set_field(self, "inputs", np.asarray(self.inputs, dtype=float))
        set_field(self, "targets", np.asarray(self.targets, dtype=float))
        set_field(self, "stride", int(self.stride))
        set_field(self, "rows", [int(row) for row in self.rows])

    @property
    def sequence_targets(self) -> bool:
        """True for sequence-to-sequence targets, ``(batch, input_steps, horizon)``."""
        return self.targets.ndim == 3

    @property
    def next_values(self) -> np.ndarray:
        """(batch, horizon): the values after each window's inputs (for sequence targets, the last step's targets)."""
        return self.targets[:, -1] if self.sequence_targets else self.targets

    def input_positions(self, row: int) -> np.ndarray:
        """Series indices of window ``row``'s inputs."""
        return self.starts[row] + self.stride * np.arange(self.inputs.shape[1])

    def target_positions(self, row: int) -> np.ndarray:
        """Series indices of the values after window ``row``'s inputs."""
        return self.starts[row] + self.stride * (self.inputs.shape[1] + np.arange(self.next_values.shape[1]))



def windowing_view(windows, part="train", count=4, batch_index=0) -> "WindowingView":
    """Batch ``batch_index`` of ``part`` from the pipeline (unshuffled) and highlight ``count`` of its windows.

    windows: a :class:`rnnviz.data.windows.Windows` (from ``make_windows``).
    part: "train", "validation" or "test".
    count: how many windows to draw over the series, spread evenly through the batch.
    batch_index: which batch of the part, in time order.
    """
    starts = windows.starts(part)
    batches = -(-len(starts) // windows.batch_size)
    check_int("batch_index", batch_index, 0, batches - 1,
                 f"the {part} part has {batches} batches of up to {windows.batch_size} windows")
    inputs, targets = next(windows.unshuffled(part).skip(batch_index).take(1).as_numpy_iterator())
    size = len(inputs)
    check_int("count", count, 1, size, f"batch {batch_index} has {size} windows")
    rows = np.unique(np.linspace(0, size - 1, count).round().astype(int))
    first = batch_index * windows.batch_size
    ahead = f"the next {windows.horizon} values" + ("" if windows.targets == "vector" else " at every step")
    description = (
        f"{part} part, batch {batch_index} ({size} windows, unshuffled): {windows.input_steps} inputs → {ahead}; "
        f"shift {windows.shift}, stride {windows.stride}; normalised by the training mean {windows.mean:.3g}, "
        f"std {windows.std:.3g}"
    )
    return WindowingView(series=windows.normalise(windows.series), boundaries=windows.boundaries,
               starts=starts[first : first + size], inputs=inputs[..., 0], targets=targets,
               stride=windows.stride, rows=rows, description=description)

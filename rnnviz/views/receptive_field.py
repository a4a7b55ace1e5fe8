"""What a receptive-field picture shows: which positions of a stack of 1D convolutions feed one output.

Plain arithmetic on the layers' settings (kernel size, stride, dilation, padding), exactly as
Keras's ``Conv1D`` reads its input (a test checks it against real Keras stacks by perturbation):
position ``j`` of a layer reads positions ``j · stride − pad + dilation · i`` (``i = 0 … kernel − 1``)
of the layer below, where ``pad`` is 0 for ``"valid"``, ``dilation · (kernel − 1)`` for ``"causal"``
and TensorFlow's left share for ``"same"``; a position outside the layer below is a padded zero.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from rnnviz.errors import InputError, check_int

PADDINGS = ("valid", "causal", "same")


@dataclass(frozen=True)
class ReceptiveFieldView:
    """One output of a stack of Conv1D layers and every position that feeds it.

    Rows are numbered from the input (row 0) to the last layer (row ``layers``).

    Parameters
    ----------
    kernel_sizes, strides, dilations : tuple of int, one per layer
    padding : "valid", "causal" or "same"
    lengths : tuple of int
        Positions per row: the input's steps, then each layer's outputs.
    output : int
        The chosen position of the last layer (0-based).
    seen : tuple of int arrays
        Per row, the positions that feed the output (sorted); the last row holds ``output`` alone.
    padding_seen : tuple of int arrays
        Per row, the padded positions (outside ``0 … length − 1``: zeros) that the output's field reads.
    links : tuple of (n, 2) int arrays
        Per layer ``l = 1 … layers`` (index ``l − 1``): (position in row l, position it reads in row l − 1),
        for every position of row l in ``seen``; a read position may be a padded one.
    pads : tuple of int
        Per layer, the zeros padded before the first position of the row below.
    """

    kernel_sizes: tuple
    strides: tuple
    dilations: tuple
    padding: str
    lengths: tuple
    output: int
    seen: tuple
    padding_seen: tuple
    links: tuple
    pads: tuple

    @property
    def layers(self) -> int:
        return len(self.kernel_sizes)

    @property
    def steps(self) -> np.ndarray:
        """The input steps the output sees."""
        return self.seen[0]

    @property
    def span(self) -> int:
        """Input steps from the first seen to the last, gaps included (for the output's field, padding included)."""
        low, high = self.field(self.layers, self.output)
        return high - low + 1

    def jump(self, row: int) -> int:
        """Input steps between two neighbouring positions of ``row`` (the product of the strides below it)."""
        return int(np.prod(self.strides[:row], dtype=int))

    def field(self, row: int, position) -> tuple:
        """(first, last) input coordinate that ``position`` of ``row`` reads, padding included (may be < 0)."""
        low = high = position
        for layer in range(row, 0, -1):  # down from the row to the input
            stride, dilation, kernel, pad = (self.strides[layer - 1], self.dilations[layer - 1],
                                             self.kernel_sizes[layer - 1], self.pads[layer - 1])
            low, high = low * stride - pad, high * stride - pad + dilation * (kernel - 1)
        return low, high

    def x(self, row: int, positions) -> np.ndarray:
        """Where to draw ``positions`` of ``row``, in input steps: over the last step a position reads with
        ``"causal"`` padding (the time it is at), over the middle of what it reads otherwise."""
        low, high = self.field(row, np.asarray(positions, dtype=float))
        return np.asarray(high if self.padding == "causal" else (low + high) / 2, dtype=float)

    @property
    def heading(self) -> str:
        """One line: the stack and how many input steps one output sees, e.g.
        "3 layers, kernel 3, dilation 1, 2, 4: one output sees 15 steps"."""
        parts = [f"{self.layers} layer{'s' if self.layers > 1 else ''}",
                 _setting("kernel", self.kernel_sizes, always=True), _setting("stride", self.strides),
                 _setting("dilation", self.dilations)]
        seen = len(self.steps)
        gaps = len(self.padding_seen[0]) == 0 and seen < self.span
        sees = f"one output sees {seen} step{'s' if seen != 1 else ''}" + (f" spread over {self.span}" if gaps else "")
        return ", ".join(part for part in parts if part) + ": " + sees

    @property
    def description(self) -> str:
        """What is drawn: the padding, the chosen output and the input steps it reads."""
        last = f"layer {self.layers}" if self.layers > 1 else "the layer"
        padded = len(self.padding_seen[0])
        zeros = f", and {padded} padded zero{'s' if padded != 1 else ''}" if padded else ""
        steps = "input step" + ("s" if len(self.steps) != 1 else "")
        return (f"Conv1D, padding \"{self.padding}\": output {self.output} of {last} reads {steps} "
                f"{steps_text(self.steps)}{zeros} ({self.lengths[0]} input steps, {self.lengths[-1]} outputs)")


def _setting(name: str, values: tuple, *, always: bool = False) -> str:
    """"kernel 3" (all layers alike), "dilation 1, 2, 4" (per layer), or "" for a setting left at 1."""
    if not always and all(value == 1 for value in values):
        return ""
    shown = values[:1] if len(set(values)) == 1 else values
    return f"{name} " + ", ".join(str(value) for value in shown)


def steps_text(steps, most: int = 6) -> str:
    """Positions as runs: "0–14", "0, 4, 8", "2–4, 8–10"; "none" for no position; past ``most`` runs, the first
    ones, "…" and the last."""
    steps = [int(step) for step in steps]
    if not steps:
        return "none"
    runs, start = [], steps[0]
    for previous, step in zip(steps, steps[1:] + [None]):
        if step != previous + 1:
            runs.append(f"{start}–{previous}" if previous > start + 1 else
                        f"{start}, {previous}" if previous == start + 1 else str(start))
            start = step
    if len(runs) > most:
        runs = [*runs[: most - 1], "…", runs[-1]]
    return ", ".join(runs)


def receptive_field_view(kernel_size=3, *, layers: int | None = None, strides=1, dilations=1, padding: str = "valid",
                         steps: int | None = None, output: int = -1) -> ReceptiveFieldView:
    """The positions of every row of a Conv1D stack that feed one output of its last layer.

    kernel_size, strides, dilations : int (every layer alike) or a sequence of int (one per layer)
    layers : number of layers; default the length of the sequences given, else 1
    padding : "valid", "causal" or "same" (every layer), as Keras's Conv1D
    steps : input length; default the output's span plus two strides of the last layer, so that a "valid"
        stack has three outputs
    output : position in the last layer; negative counts from its end (default -1: the last)
    """
    kernel_sizes, strides, dilations = _per_layer(layers, kernel_size=kernel_size, strides=strides,
                                                  dilations=dilations)
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise InputError(f"padding: expected one of {list(PADDINGS)}, got {padding!r}")
    if steps is None:
        span = 1 + sum((d * (k - 1)) * int(np.prod(strides[:layer], dtype=int))
                       for layer, (k, d) in enumerate(zip(kernel_sizes, dilations)))
        steps = span + 2 * int(np.prod(strides, dtype=int))
    steps = check_int("steps", steps, 1)
    lengths, pads = [steps], []
    for layer, (kernel, stride, dilation) in enumerate(zip(kernel_sizes, strides, dilations), start=1):
        below, reach = lengths[-1], dilation * (kernel - 1)
        if padding == "valid":
            length, pad = (below - reach - 1) // stride + 1, 0
        elif padding == "causal":
            length, pad = -(-below // stride), reach
        else:  # TensorFlow's "SAME": ceil(n / stride) outputs, the padding split with the extra zero on the right
            length = -(-below // stride)
            pad = max((length - 1) * stride + reach + 1 - below, 0) // 2
        if length < 1:
            raise InputError(f"steps: layer {layer} (kernel {kernel}, dilation {dilation}, stride {stride}) would "
                             f"have no output from {below} positions; expected at least {reach + 1} there, got "
                             f"steps={steps}")
        lengths.append(length)
        pads.append(pad)
    last = lengths[-1]
    output = check_int("output", output, -last, last - 1, f"the last layer has {last} outputs")
    output %= last
    seen, padding_seen, links = [np.array([output])], [np.array([], dtype=int)], []
    for layer in range(len(kernel_sizes), 0, -1):  # from the last layer down to the input
        kernel, stride, dilation, pad = (kernel_sizes[layer - 1], strides[layer - 1], dilations[layer - 1],
                                         pads[layer - 1])
        upper = seen[0]
        read = upper[:, None] * stride - pad + dilation * np.arange(kernel)[None, :]
        links.insert(0, np.stack([np.repeat(upper, kernel), read.ravel()], axis=1))
        inside = (read >= 0) & (read < lengths[layer - 1])
        seen.insert(0, np.unique(read[inside]))
        padding_seen.insert(0, np.unique(read[~inside]))
    return ReceptiveFieldView(kernel_sizes=kernel_sizes, strides=strides, dilations=dilations, padding=padding,
                              lengths=tuple(lengths), output=output, seen=tuple(seen),
                              padding_seen=tuple(padding_seen), links=tuple(links), pads=tuple(pads))


def growing_dilations(growth: int, layers: int) -> tuple:
    """Dilations ``1, growth, growth², …`` for ``layers`` layers (WaveNet doubles them: growth 2)."""
    growth, layers = check_int("growth", growth, 1), check_int("layers", layers, 1)
    return tuple(growth ** layer for layer in range(layers))


def _per_layer(layers, **settings) -> tuple:
    """Each setting as a tuple of positive ints, one per layer, all of one length (naming a setting that is not)."""
    given = {name: value for name, value in settings.items() if not isinstance(value, numbers.Integral)}
    if layers is None:
        lengths = {_length(name, value) for name, value in given.items()}
        if len(lengths) > 1:
            raise InputError("kernel_size, strides, dilations: expected one value per layer in each (or one int), "
                             "got " + ", ".join(f"{name} of length {_length(name, value)}" for name, value in given.items()))
        layers = lengths.pop() if lengths else 1
    layers = check_int("layers", layers, 1)
    checked = []
    for name, value in settings.items():
        values = [value] * layers if isinstance(value, numbers.Integral) else list(value)
        if len(values) != layers:
            raise InputError(f"{name}: expected an int or one value per layer ({layers}), got {len(values)} values")
        checked.append(tuple(check_int(f"{name}[{index}]" if name in given else name, item,
                                       1)
                             for index, item in enumerate(values)))
    return tuple(checked)


def _length(name: str, value) -> int:
    try:
        return len(value)
    except TypeError:
        raise InputError(f"{name}: expected an int or a sequence of int (one per layer), got {value!r}") from None

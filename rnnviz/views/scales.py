"""How a value becomes a colour: one rule for every strip of every picture.

A :class:`ColourScale` fades from the picture's background (no signal) to a colour at
full strength. Two kinds, chosen by :func:`strip_scale`:

- a gate whose activation is bounded to [0, 1] (σ, hard σ): one-sided, from 0
  (background) to 1 (the gate's palette colour): a gate that opens brightens;
- everything signed (states, inputs, a tanh or unbounded candidate): two-sided and
  centred at 0, blue below and vermilion above (:data:`rnnviz.palette.VALUE_COLOURS`),
  full strength at the activation's bound (tanh: 1) or, for what no function bounds
  (states, inputs, unbounded activations), at the largest good magnitude the quantity
  reaches in the shown sample over every step. Scales never change from step to step,
  so a still of step t, the video at step t and the explorer at step t agree.

The figures build a matplotlib colour map from a scale, the videos fill opacity, the
explorers the figures' colour map; :meth:`ColourScale.colours` is what all of them show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.palette import PALETTE, VALUE_COLOURS
from rnnviz.views.values import symmetric_limit

ONE_SIDED = {"σ": (0.0, 1.0), "hard σ": (0.0, 1.0)}  # gate activations (diagram symbols) that lie in [0, 1]
TWO_SIDED = {"tanh": 1.0, "softsign": 1.0}  # activations bounded to [-limit, limit]


@dataclass(frozen=True)
class ColourScale:
    """Values from ``low`` to ``high`` as colours fading from the background.

    One-sided (``negative`` None): ``low`` is the background, ``high`` full ``positive``.
    Two-sided: ``low == -high``; 0 is the background, ``high`` full ``positive`` and
    ``low`` full ``negative``.
    """

    low: float
    high: float
    positive: str
    negative: str | None = None

    def __post_init__(self):
        if not self.high > self.low:
            raise ValueError(f"high: expected more than low={self.low}, got {self.high}")
        if self.negative is not None and not np.isclose(self.low, -self.high):
            raise ValueError(f"low: a two-sided scale is centred at 0; expected {-self.high}, got {self.low}")

    @property
    def two_sided(self) -> bool:
        return self.negative is not None

    def strength(self, values) -> np.ndarray:
        """How strongly each value shows, 0 (background) … 1 (full colour); NaN where the value is NaN."""
        values = np.asarray(values, float)
        if self.two_sided:
            return np.clip(np.abs(values) / self.high, 0.0, 1.0)
        return np.clip((values - self.low) / (self.high - self.low), 0.0, 1.0)

    def hues(self, values) -> list:
        """The colour each value fades towards: ``positive``, or ``negative`` for a value below 0."""
        values = np.asarray(values, float)
        if not self.two_sided:
            return [self.positive] * values.size
        return [self.negative if value < 0 else self.positive for value in values.ravel()]

    def colours(self, values, background: str) -> np.ndarray:
        """(n, 3) RGB in [0, 1]: each value's hue mixed into ``background`` by its strength."""
        strength = np.nan_to_num(self.strength(values).ravel())[:, None]
        hues = np.array([_rgb(hue) for hue in self.hues(values)]).reshape(-1, 3)
        return _rgb(background) + (hues - _rgb(background)) * strength


def _rgb(colour: str) -> np.ndarray:
    """A hex colour ``#RRGGBB`` as RGB in [0, 1]."""
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)], float) / 255


def gate_scale(gate: str, activation: str, values) -> ColourScale:
    """The scale of a gate drawn in its palette colour: [0, 1] for σ, else signed (tanh: ±1; other: from ``values``)."""
    if activation in ONE_SIDED:
        return ColourScale(*ONE_SIDED[activation], positive=PALETTE.get(gate, VALUE_COLOURS["positive"]))
    limit = TWO_SIDED.get(activation) or symmetric_limit(values)
    return signed_scale(limit)


def state_scale(values) -> ColourScale:
    """The scale of a state or an input: signed, full strength at the largest good magnitude in ``values``."""
    return signed_scale(symmetric_limit(values))


def signed_scale(limit: float) -> ColourScale:
    """Blue below 0, vermilion above, full strength at ``±limit``."""
    return ColourScale(-limit, limit, positive=VALUE_COLOURS["positive"], negative=VALUE_COLOURS["negative"])

"""Gradient clipping: a real Keras training run whose gradients explode, with and without clipping.

The training is the lesson ``gradients``' (:func:`rnnviz.lessons.gradients.train_with_clipping`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from rnnviz.mpl.settings import SETTING_STYLES
from rnnviz.style import figure_title, neutral, new_or_given_panels

HEADING = "Without clipping training overflows; clipped by norm it trains"


class ClippingDisplay:
    """Global gradient norm and loss per training step, one line per clipping setting.

    Parameters
    ----------
    runs : dict of str to dict with ``"gradient_norm"`` and ``"loss"`` (per step)
    description : str
    """

    def __init__(self, *, runs: dict, description: str = ""):
        self.runs = {label: {key: np.asarray(values, float) for key, values in run.items()} for label, run in runs.items()}
        self.description = description

    @classmethod
    def from_training(cls, settings=None, *, radius=2.0, steps=40, learning_rate=0.05, **kwargs):
        """Run :func:`rnnviz.lessons.gradients.train_with_clipping` (imports TensorFlow) and keep its numbers."""
        from rnnviz.lessons.gradients import train_with_clipping

        runs = train_with_clipping(settings, radius=radius, steps=steps, learning_rate=learning_rate, **kwargs)
        description = (
            f"relu SimpleRNN learning the mean of {steps}-step sequences, recurrent matrix started at "
            f"spectral radius {radius:g}, SGD at learning rate {learning_rate:g}"
        )
        return cls(runs=runs, description=description)

    @classmethod
    def from_lesson(cls, results=None):
        """The clipping runs of the lesson ``gradients`` (default: its shipped results); no TensorFlow needed."""
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        description = (
            f"relu SimpleRNN learning the mean of {gradients.CLIP_STEPS}-step sequences, recurrent matrix started at "
            f"{gradients.CLIP_RADIUS:g} × an orthogonal matrix, SGD at learning rate {gradients.CLIP_LEARNING_RATE:g}; "
            "the same start and batches for every setting"
        )
        return cls(runs=gradients.clipping_runs(results), description=description)

    def plot(self, ax=None, *, title=True, **kwargs):
        """Two panels (gradient norm, loss) against training step; a non-finite value is an × in a row over the curves.

        Each setting has its own colour, marker and line style (every setting starts from the same
        point, so the first setting's hollow ring shows around the others). ``kwargs`` go to every
        line. Keeps ``figure_``, ``axes_`` (``"gradient_norm"``, ``"loss"``), ``lines_`` (by (label,
        panel)) and ``nonfinite_`` (the × marks, by (label, panel)).
        """
        self.figure_, axes = new_or_given_panels(
            ax, 2, what="gradient norm, loss", figsize=(10, 6), nrows=2, sharex=True
        )
        self.axes_ = dict(zip(("gradient_norm", "loss"), axes))
        self.lines_, self.nonfinite_ = {}, {}
        overflowing = [label for label, run in self.runs.items() if not all(np.isfinite(v).all() for v in run.values())]
        for key, panel in self.axes_.items():
            for (label, run), style in zip(self.runs.items(), SETTING_STYLES):
                self.lines_[label, key] = _plot_finite(panel, run[key], label=label, style=style, **kwargs)
            panel.set_yscale("log")
            _nonfinite_band(panel, rows=len(overflowing))
            for row, label in enumerate(overflowing):
                style = SETTING_STYLES[list(self.runs).index(label)]
                self.nonfinite_[label, key] = _mark_nonfinite(panel, self.runs[label][key], label=label,
                                                              colour=neutral(style["color"]), row=row)
            panel.grid(True, alpha=0.3)
        self.axes_["gradient_norm"].set_ylabel("global gradient norm\n(before clipping)")
        self.axes_["loss"].set_ylabel("training loss (MSE)")
        self.axes_["loss"].set_xlabel("training step")
        self.axes_["gradient_norm"].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        if title:
            figure_title(self.figure_, HEADING, self.description)
        return self


ROW_HEIGHT = 0.08  # of the axes height: one row of × marks


def _plot_finite(panel, values, *, label, style, **kwargs):
    """The finite values at their steps, in the setting's style; the line drawn."""
    finite = np.isfinite(values)
    size = plt.rcParams["lines.markersize"] * style.get("size", 1.0)
    shown = {key: value for key, value in style.items() if key != "size"}
    shown["color"] = neutral(shown["color"])
    (line,) = panel.plot(np.flatnonzero(finite), values[finite],
                         **{"linewidth": 1.8, "markersize": size, "label": label, **shown, **kwargs})
    return line


def _nonfinite_band(panel, *, rows: int) -> None:
    """Above the curves, a shaded band of ``rows`` rows for the × marks, named like a tick: "inf / NaN".

    The top of the log axis is raised to make room; value ticks stay below the band.
    """
    if not rows:
        return
    low, high = np.log10(panel.get_ylim())
    share = rows * ROW_HEIGHT  # of the new height
    panel.set_ylim(top=10 ** (high + (high - low) * share / (1 - share)))
    decades = [round(np.log10(tick)) for tick in panel.get_yticks() if 10**low <= tick <= 10**high]
    centre = high + (high - low) * share / (1 - share) / 2  # the band's middle, in decades
    panel.set_yticks([10.0**decade for decade in decades] + [10**centre],
                     labels=[f"$\\mathdefault{{10^{{{decade}}}}}$" for decade in decades] + ["inf / NaN"])
    panel.add_patch(Rectangle((0, 1 - share), 1, share, transform=panel.transAxes, color=neutral("grid"),
                              alpha=0.5, linewidth=0, zorder=0))


def _mark_nonfinite(panel, values, *, label, colour, row):
    """An × at every non-finite step, in row ``row`` from the top of the panel (labelled for the legend)."""
    steps = np.flatnonzero(~np.isfinite(values))
    if not len(steps):
        return None
    (marks,) = panel.plot(steps, np.full(len(steps), 1 - ROW_HEIGHT * (row + 0.5)), linestyle="none", marker="x",
                          color=colour, transform=panel.get_xaxis_transform(),  # x in steps, y in axes fraction
                          label=f"{label}: inf or NaN\n(overflow)")
    return marks

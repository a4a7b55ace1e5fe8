"""Gradient clipping: a real Keras training run whose gradients explode, with and without clipping.

The training is the lesson ``gradients``' (:func:`rnnviz.lessons.gradients.train_with_clipping`).
"""

from __future__ import annotations

import numpy as np

from rnnviz.style import OKABE_ITO, figure_title, new_or_given_panels

SETTING_COLOURS = (OKABE_ITO["vermilion"], OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["purple"])


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
        """Two panels (gradient norm, loss) against training step; non-finite steps marked with an x.

        Keeps ``figure_``, ``axes_`` (``"gradient_norm"``, ``"loss"``) and ``lines_`` (by (label, panel)).
        """
        self.figure_, axes = new_or_given_panels(
            ax, 2, what="gradient norm, loss", figsize=(10, 6), nrows=2, sharex=True
        )
        self.axes_ = dict(zip(("gradient_norm", "loss"), axes))
        self.lines_ = {}
        for (label, run), line_colour in zip(self.runs.items(), SETTING_COLOURS):
            for key, panel in self.axes_.items():
                values = run[key]
                finite = np.isfinite(values)
                (self.lines_[label, key],) = panel.plot(
                    np.flatnonzero(finite),
                    values[finite],
                    **{"color": line_colour, "linewidth": 1.8, "marker": ".", "label": label, **kwargs},
                )
                if not finite.all():
                    first = int(np.argmax(~finite))
                    panel.axvline(first, color=line_colour, linestyle=":", linewidth=1.5)
                    panel.annotate(
                        f"{label}: not finite (overflow) from step {first} on",
                        (first, 0.96),
                        xycoords=("data", "axes fraction"),
                        xytext=(4, 0),
                        textcoords="offset points",
                        color=line_colour,
                        fontsize=9,
                        ha="left",
                        va="top",
                    )
        self.axes_["gradient_norm"].set_ylabel("global gradient norm\n(before clipping)")
        self.axes_["loss"].set_ylabel("training loss (MSE)")
        self.axes_["loss"].set_xlabel("training step")
        for panel in axes:
            panel.set_yscale("log")
            panel.grid(True, alpha=0.3)
        self.axes_["gradient_norm"].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        if title:
            figure_title(self.figure_, "Gradient clipping tames exploding gradients", self.description)
        return self

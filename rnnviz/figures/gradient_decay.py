"""Gradient decay: ``||d h_T / d h_t||`` against steps back, for several cells on the same input."""

from __future__ import annotations

import numpy as np

from rnnviz.kinds import CELL_KINDS
from rnnviz.style import axes_title, color, new_or_given_axes
from rnnviz.views.gradients import decay_view


UNTRAINED_HEADING = "Untrained cells: how much the last state feels each earlier step"


class GradientDecayDisplay:
    """How fast the dependence of the last state on earlier steps fades, per cell.

    Build it with :meth:`from_profiles` (saved or computed
    :class:`~rnnviz.GradientProfile` objects), :meth:`from_models`,
    :meth:`from_cells` (SimpleRNN, LSTM and GRU of one size on one input,
    untrained); then call :meth:`plot`. For the trained cells of the lesson
    ``memory`` see :class:`~rnnviz.figures.long_range.AnswerGradientDisplay`.

    Parameters
    ----------
    norms : dict of str to ndarray, (batch, steps back)
        For each curve, the gradient norms ordered by steps back (column 0 is the last step).
    kinds : dict of str to str
        The cell kind of each curve, for its colour.
    wrt : str
        ``"state"`` or ``"input"``, for the axis label.
    description : str
        What the models are (trained how, on what), shown under the title.
    heading : str
        The title.
    """

    HEADING = "Gradients through time: how much the last state feels each earlier step"

    def __init__(self, *, norms: dict, kinds: dict, wrt: str = "state", description: str = "", heading: str = HEADING):
        self.norms = {label: np.asarray(values, dtype=float) for label, values in norms.items()}
        self.kinds = dict(kinds)
        self.wrt = wrt
        self.description = description
        self.heading = heading

    @classmethod
    def from_profiles(cls, profiles, *, description=""):
        """One curve per :class:`~rnnviz.GradientProfile` (a dict label -> profile, or a list)."""
        view = decay_view(profiles, description=description)
        return cls(norms=view.norms, kinds=view.kinds, wrt=view.wrt, description=view.description)

    @classmethod
    def from_models(cls, models, x, *, layer=None, wrt="state", description=""):
        """Profile each model (a dict label -> Keras model) on the same ``x``."""
        from rnnviz.recording.dispatch import gradient_profile

        profiles = {label: gradient_profile(model, x, layer=layer, wrt=wrt) for label, model in models.items()}
        return cls.from_profiles(profiles, description=description)

    @classmethod
    def from_cells(cls, *, units=32, steps=60, batch=16, features=1, seed=0, kinds=("simple_rnn", "lstm", "gru")):
        """SimpleRNN, LSTM and GRU layers of ``units`` with Keras's default initialisation, on one seeded input.

        The models come from :func:`rnnviz.recording.experiments.untrained_cells` (imports TensorFlow).
        """
        from rnnviz.recording.experiments import untrained_cells

        x = np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")
        models = untrained_cells(kinds, units=units, steps=steps, seed=seed, features=features)
        description = (
            f"untrained layers of {units} units (Keras's default initialisation), "
            f"the same {batch} random sequences of {steps} steps"
        )
        display = cls.from_models(models, x, description=description)
        display.heading = UNTRAINED_HEADING
        return display

    @classmethod
    def from_lesson(cls, results=None):
        """:meth:`from_cells` as the lesson ``gradients`` measured and shipped it (default: the shipped results)."""
        from rnnviz import lessons
        from rnnviz.lessons.gradients import untrained_decay

        norms, description = untrained_decay(lessons.results("gradients") if results is None else results)
        titles = {CELL_KINDS[kind].title: kind for kind in CELL_KINDS}
        return cls(norms=norms, kinds={label: titles[label] for label in norms}, description=description,
                   heading=UNTRAINED_HEADING)

    def plot(self, ax=None, *, spread=True, title=True, **kwargs):
        """Draw median norm against steps back on a log scale, with the batch's interquartile band.

        ``kwargs`` go to the median lines. Keeps ``ax_``, ``figure_``, ``lines_``
        and ``bands_`` (dicts by curve label).
        """
        self.figure_, self.ax_ = new_or_given_axes(ax)
        self.lines_, self.bands_ = {}, {}
        for label, values in self.norms.items():
            steps_back = np.arange(values.shape[1])
            line_color = color(self.kinds[label])
            median = np.median(values, axis=0)
            (self.lines_[label],) = self.ax_.plot(
                steps_back, median, **{"color": line_color, "linewidth": 2, "label": label, **kwargs}
            )
            if spread and values.shape[0] > 1:
                low, high = np.percentile(values, [25, 75], axis=0)
                self.bands_[label] = self.ax_.fill_between(steps_back, low, high, color=line_color, alpha=0.2, linewidth=0)
        self.ax_.set_yscale("log")
        self.ax_.set_xlabel("steps back from the last step (T - t)")
        target = "h_t" if self.wrt == "state" else "x_t"
        self.ax_.set_ylabel(f"‖∂h_T / ∂{target}‖ (Frobenius)")
        self.ax_.set_xlim(0, max(values.shape[1] for values in self.norms.values()) - 1)
        self.ax_.grid(True, which="major", alpha=0.3)
        if title:
            axes_title(self.ax_, self.heading, self.description)
        self.ax_.legend(title="median, with 25–75% of the batch" if spread else None, frameon=False)
        return self

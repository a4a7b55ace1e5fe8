"""A dense network on a window: its weights grow with the window, and it has no definition of order."""

from __future__ import annotations

import numpy as np

from rnnviz.style import color, figure_title, neutral, new_or_given_panels

HEADING = "A dense network on a window: no sharing, no order"
LENGTHS = np.unique(np.round(np.logspace(0, 5, 60)).astype(int))  # window lengths drawn, 1 … 100,000 steps


class DenseWindowDisplay:
    """Two panels: the weights of the layer that reads the window against the window's length (a dense layer's
    grow with it, a SimpleRNN's are shared by every step), and the test errors of a dense network trained on
    ordered and on shuffled steps.

    Build it with :meth:`from_lesson` (the lesson ``dense_window``, shipped; no TensorFlow).
    """

    def __init__(self, *, weights: dict, marks: dict, errors: dict, naive: float, description: str = "",
                 heading: str = HEADING):
        self.weights = {name: np.asarray(values, float) for name, values in weights.items()}
        self.marks = dict(marks)  # label -> (window length, the dense layer's weights at it), marked on the panel
        self.errors = {name: {order: float(value) for order, value in by_order.items()} for name, by_order in
                       errors.items()}
        self.naive = float(naive)
        self.description = description
        self.heading = heading

    @classmethod
    def from_lesson(cls, results=None):
        """The lesson ``dense_window`` as measured and shipped (default), its window and a minute of ECG marked."""
        from rnnviz import lessons
        from rnnviz.lessons import dense_window as lesson
        from rnnviz.lessons.forecasting import HORIZON, INPUT_STEPS

        results = lessons.results("dense_window") if results is None else results
        per_length = [lesson.first_layer_weights(int(length)) for length in LENGTHS]
        weights = {name: [row[name] for row in per_length] for name in ("Dense", "SimpleRNN")}
        ecg = lesson.ECG_HERTZ * lesson.ECG_SECONDS
        marks = {label: (length, lesson.first_layer_weights(length)["Dense"]) for label, length in
                 ((f"the lesson's {INPUT_STEPS} days", INPUT_STEPS),
                  (f"1 min of ECG at {lesson.ECG_HERTZ} Hz", ecg))}
        errors = {"Dense": {"ordered": results["mae_Dense"], "shuffled": results["mae_DenseShuffled"]}}
        description = (f"Left: weights of the layer reading the window ({lesson.UNITS} units); each length its own "
                       f"network ({INPUT_STEPS + 1} days do not fit the one built for {INPUT_STEPS}). Right: the dense "
                       f"network forecasting {HORIZON} days from {INPUT_STEPS}, trained on the steps in order and "
                       "shuffled (one fixed shuffle): the same error")
        return cls(weights=weights, marks=marks, errors=errors, naive=float(results["naive_mae"]),
                   description=description)

    def plot(self, ax=None, *, title=True):
        """Draw both panels; keeps ``figure_``, ``axes_``, ``lines_`` (by model), ``bars_`` and ``bar_texts_``
        ((model, order) -> its Text)."""
        self.figure_, self.axes_ = new_or_given_panels(ax, 2, what="weights, then errors", figsize=(12, 5))
        self._weights(self.axes_[0])
        self._errors(self.axes_[1])
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

    def _weights(self, ax):
        self.lines_ = {}
        for name, values in self.weights.items():
            (self.lines_[name],) = ax.loglog(LENGTHS, values, color=_colour(name), linewidth=2.5, label=name)
        simple = float(self.weights["SimpleRNN"][0])  # each line named on it, where nothing else is drawn
        ax.text(LENGTHS[-1], simple * 1.3, f"SimpleRNN: {simple:,.0f} weights,\nthe same at any length", ha="right",
                va="bottom", color=_colour("SimpleRNN"), fontsize="small")
        ax.text(LENGTHS[0] * 1.3, simple * 20, "Dense: grows\nwith the window", ha="left", va="center",
                color=_colour("Dense"), fontsize="small")
        for k, (label, (length, dense)) in enumerate(self.marks.items()):
            ax.axvline(length, color=neutral("muted"), linewidth=1, linestyle=":")
            last = k == len(self.marks) - 1  # the longest window: its note to the left, the others' to the right
            ax.plot([length], [dense], "o", color=_colour("Dense"), markersize=7)
            ax.annotate(f"{label}:\n{dense:,} weights", (length, dense), xytext=(-10, 0) if last else (8, -12),
                        textcoords="offset points", ha="right" if last else "left", va="center" if last else "top",
                        color=neutral("text"), fontsize="small")
        ax.set_xlabel("window length (steps)")
        ax.set_ylabel("weights reading the window")

    def _errors(self, ax):
        self.bars_, self.bar_texts_ = {}, {}
        names = list(self.errors)
        for k, name in enumerate(names):
            for j, (order, value) in enumerate(self.errors[name].items()):
                x = 3 * k + j
                hatch = "//" if order == "shuffled" else None
                (bar,) = ax.bar(x, value, width=0.8, color=_colour(name) if hatch is None else "none",
                                edgecolor=_colour(name), hatch=hatch, linewidth=2)
                self.bars_[name, order] = bar
                self.bar_texts_[name, order] = ax.text(x, value, f"{value:.3f}", ha="center", va="bottom",
                                                       color=neutral("text"))
        ax.axhline(self.naive, color=neutral("muted"), linestyle="--", linewidth=1.5)
        ax.text(3 * len(names) - 1.6, self.naive, "naive forecast", ha="right", va="bottom", color=neutral("muted"))
        ax.set_xticks([3 * k + j for k in range(len(names)) for j in range(2)],
                      [f"{name}\n{order}" for name in names for order in self.errors[name]])
        ax.set_ylabel("test MAE (in standard deviations)")
        ax.set_ylim(0, 1.18 * max(self.naive, *(v for by in self.errors.values() for v in by.values())))
        ax.spines[["top", "right"]].set_visible(False)


def _colour(name: str) -> str:
    """A SimpleRNN in its cell kind's colour; the dense network, no cell kind, in ink."""
    return color("simple_rnn") if name == "SimpleRNN" else neutral("text")

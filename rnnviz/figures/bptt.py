"""Backpropagation through time: a trained SimpleRNN's and LSTM's chain walked back from the answer, step by step.

"This is essentially a very very deep neural network": the error signal reaches a step 100 steps back only
through 100 Jacobians, one per step. The numbers are the lesson ``memory``'s
(:func:`rnnviz.lessons.memory.measure_bptt`), drawn from its shipped results (no TensorFlow).
"""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnnviz.style import color, figure_title, neutral, new_or_given_axes
from rnnviz.views.bptt import ARROWS, HEADING, ROWS, bptt_view

CELL = (0.8, 0.5)  # a cell's width and height, in slots (a slot: the distance between two cells)
ROW_GAP = 0.62  # between the rows of numbers under a chain, in slots
LABEL_X = -0.62  # the row labels' right edge, in slots
LABELS = 2.3  # the row labels' width, in slots
SMALL = 0.85  # the numbers' and labels' size, of the theme's font size


def bptt_description(view) -> str:
    """What the picture's numbers are, for the subtitle (and the video's)."""
    return (f"The lesson 'memory', its trained cells on held-out sequence {view.sequence} (the first marked number "
            f"{view.last} steps back). J: one step's Jacobian of the whole state s, Frobenius norms; the LSTM's "
            "product is its h-to-h block, c_t held (as rnnviz.gradient_profile measures it)")


class BPTTDisplay:
    """The chains of :class:`~rnnviz.views.bptt.BPTTView`, one row per cell, walked back from the answer.

    Build it with :meth:`from_lesson` (the lesson ``memory``'s shipped results) or from a view.
    """

    def __init__(self, view, *, heading: str = HEADING, description: str | None = None):
        self.view = view
        self.heading = heading
        self.description = bptt_description(view) if description is None else description

    @classmethod
    def from_lesson(cls, results=None, *, sequence: int = 0):
        """Held-out sequence ``sequence`` of those the lesson ``memory`` measured (default: its shipped results)."""
        if results is None:
            from rnnviz import lessons

            results = lessons.results("memory")
        return cls(bptt_view(results, sequence=sequence))

    def plot(self, ax=None, *, title=True):
        """Draw; keeps ``figure_``, ``ax_``, ``cells_`` ((label, t) -> patch), ``arrow_texts_`` ((label, source,
        target) -> Text) and ``number_texts_`` ((label, row, t) -> Text)."""
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.33, 7.5))
        self.cells_, self.arrow_texts_, self.number_texts_ = {}, {}, {}
        size = mpl.rcParams["font.size"] * SMALL
        ink, muted = neutral("text"), neutral("muted")
        view = self.view
        height = CELL[1] + ROW_GAP * (len(ROWS) + 0.2) + 1.45  # one chain with its numbers and the arrows' numbers
        for row, chain in enumerate(view.chains):
            y = -row * height
            self._chain(chain, y, size, ink, muted)
        right = view.slot(view.drawn[-1]) + CELL[0] / 2
        self.ax_.text(right, CELL[1] / 2 + 0.75, "← the error signal goes back from the answer ŷ", ha="right",
                      va="bottom", color=muted, fontsize=size)
        self.ax_.set_xlim(LABEL_X - LABELS, right + 0.05)
        self.ax_.set_ylim(-(len(view.chains) - 1) * height - CELL[1] / 2 - ROW_GAP * (len(ROWS) + 0.2),
                          CELL[1] / 2 + 1.2)
        self.ax_.set_axis_off()
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

    def _chain(self, chain, y, size, ink, muted):
        view, ax = self.view, self.ax_
        kind_colour = color(chain.kind)
        ax.text(LABEL_X - LABELS, y + CELL[1] / 2 + 0.75, f"{chain.label}: s = {chain.state}", ha="left",
                va="bottom", color=kind_colour, fontsize=size / SMALL, fontweight="bold")
        ax.text(LABEL_X, y, ARROWS, ha="right", va="center", color=ink, fontsize=size)
        for t in view.drawn:
            x = view.slot(t)
            self.cells_[chain.label, t] = ax.add_patch(FancyBboxPatch(
                (x - CELL[0] / 2, y - CELL[1] / 2), *CELL, boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="none", edgecolor=kind_colour, linewidth=2.2))
            ax.text(x, y, view.step_label(t).removeprefix("t = "), ha="center", va="center", color=ink, fontsize=size)
            for k, (key, number) in enumerate(chain.numbers(t).items()):
                self.number_texts_[chain.label, key, t] = ax.text(
                    x, y - CELL[1] / 2 - ROW_GAP * (k + 0.6), number, ha="center", va="center",
                    color=ink if key != "bound" else muted, fontsize=size)
        for k, (key, name) in enumerate(ROWS.items()):
            ax.text(LABEL_X, y - CELL[1] / 2 - ROW_GAP * (k + 0.6), name, ha="right", va="center",
                    color=ink if key != "bound" else muted, fontsize=size, linespacing=1.0)
        for source, target in view.arrows():
            start, end = view.slot(target) - CELL[0] / 2, view.slot(source) + CELL[0] / 2
            ax.add_patch(FancyArrowPatch((start, y), (end, y), arrowstyle="-|>", mutation_scale=16, color=ink,
                                         linewidth=1.8, linestyle="-" if target - source == 1 else (0, (2, 2))))
            self.arrow_texts_[chain.label, source, target] = ax.text(
                (start + end) / 2, y + CELL[1] / 2 + 0.02, chain.arrow(source, target), ha="center", va="bottom",
                color=ink, fontsize=size, linespacing=1.0)

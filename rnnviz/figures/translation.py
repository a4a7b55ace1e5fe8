"""Translation invariance: a trained Conv1D answers the same bump alike at any time, whatever the time means."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import Normalize

from rnnviz.mpl.strips import colour_map
from rnnviz.style import figure_title, neutral, new_or_given_panels
from rnnviz.views.convolution import translation_view

HEADING = "A convolution answers a pattern alike wherever it is"
NUMBER_SIZE = "x-small"


def _digits(ax, stride, steps) -> int:
    """2 decimals where a cell (``stride`` steps of ``steps`` across ``ax``) has room for "0.00", else 1."""
    from matplotlib.font_manager import FontProperties

    from rnnviz.style import drawn_width

    ax.figure.canvas.draw()  # laid out: the axes' width is final
    cell = ax.get_window_extent().width * 72 / ax.figure.dpi * stride / steps
    return 2 if drawn_width("0.00", FontProperties(size=NUMBER_SIZE).get_size_in_points()) <= 0.85 * cell else 1


class TranslationDisplay:
    """Two flat sequences with the same bump at two times, and a Conv1D's outputs for each (the filters that answer
    most, one row each, every value written): the same numbers, shifted with the bump.

    Build it with :meth:`from_lesson` (the lesson ``forecasting``'s trained Conv1D, shipped; no TensorFlow).
    """

    def __init__(self, *, inputs, outputs, stride: int, kernel_size: int, names, filters=3, description="",
                 heading=HEADING):
        self.view = translation_view(inputs, outputs, stride=stride, kernel_size=kernel_size, filters=filters)
        self.names, self.description, self.heading = tuple(names), description, heading

    @classmethod
    def from_lesson(cls, results=None, *, filters=3):
        from rnnviz import lessons
        from rnnviz.lessons.forecasting import TRANSLATION_STARTS

        results = lessons.results("forecasting") if results is None else results
        names = tuple(f"the bump from day {start}" for start in TRANSLATION_STARTS)
        description = (f"The trained 1D-conv forecaster's Conv1D (kernel {int(results['pooling_kernel_size'])}, "
                       f"stride {int(results['translation_stride'])}); in the series, days {TRANSLATION_STARTS[0]} and "
                       f"{TRANSLATION_STARTS[1]} sit at different points of the 30-day season, and the same "
                       "weights answer both: translation invariance, wanted or not")
        return cls(inputs=results["translation_inputs"], outputs=results["translation_outputs"],
                   stride=int(results["translation_stride"]), kernel_size=int(results["pooling_kernel_size"]),
                   names=names, filters=filters, description=description)

    def plot(self, ax=None, *, title=True):
        """Per sequence, its values over its steps and, under them, the drawn filters' outputs with their numbers.
        Keeps ``figure_``, ``axes_`` and ``value_texts_`` (per sequence: (filters drawn, positions) Texts)."""
        view = self.view
        rows = len(view.inputs)
        self.figure_, axes = new_or_given_panels(ax, 2 * rows, what="a sequence and its outputs, per sequence",
                                                 figsize=(12, 6), nrows=2 * rows,
                                                 gridspec_kw={"height_ratios": [1, 1.3] * rows})
        self.axes_ = axes
        cmap, norm = colour_map(view.scale, neutral("background")), Normalize(view.scale.low, view.scale.high)
        steps = view.inputs.shape[1]
        self.value_texts_ = []
        for row in range(rows):
            line_ax, map_ax = axes[2 * row], axes[2 * row + 1]
            line_ax.plot(np.arange(steps), view.inputs[row], "-o", color=neutral("text"), markersize=3, linewidth=1.5)
            line_ax.set_xlim(-0.5, steps - 0.5)
            line_ax.set_yticks([])
            line_ax.set_xticks([])
            line_ax.spines[["top", "right", "left", "bottom"]].set_visible(False)
            line_ax.set_ylabel(self.names[row], rotation=0, ha="right", va="center")
            shown = view.outputs[row][:, view.filters].T  # (filters, positions)
            centres = np.arange(shown.shape[1]) * view.stride + (view.kernel_size - 1) / 2
            edges = np.append(centres - view.stride / 2, centres[-1] + view.stride / 2)
            map_ax.pcolormesh(edges, np.arange(len(view.filters) + 1), shown, cmap=cmap, norm=norm,
                              edgecolors=neutral("background"), linewidth=1.5)
            map_ax.set_xlim(-0.5, steps - 0.5)
            map_ax.set_ylim(len(view.filters), 0)
            map_ax.set_yticks(np.arange(len(view.filters)) + 0.5, [f"filter {k}" for k in view.filters])
            map_ax.tick_params(length=0)
            map_ax.set_xticks([])
            map_ax.spines[:].set_visible(False)
            digits = _digits(map_ax, view.stride, steps)
            texts = [[map_ax.text(x, k + 0.5, f"{value:.{digits}f}".replace("-", "−"), ha="center", va="center",
                                  fontsize=NUMBER_SIZE, color=neutral("text"))
                      for x, value in zip(centres, values) if not np.isclose(value, shown[k, 0])]
                     for k, values in enumerate(shown)]
            self.value_texts_.append(texts)
        axes[-1].set_xticks(np.arange(0, steps, 5))
        axes[-1].set_xlabel("step (each output under the middle of the steps it reads)")
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

"""A :class:`~rnnviz.views.windowing.WindowingView` painted with matplotlib: the split, the windows, the batch."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from matplotlib.colors import Normalize

from rnnviz.mpl.fonts import ensure_shipped_fonts
from rnnviz.mpl.layout import constrained_layout
from rnnviz.mpl.strips import value_map
from rnnviz.style import OTHER_COLOURS, figure_title, neutral, new_or_given_panels, slide_size

INPUT_COLOUR = "text"  # inputs in ink: the theme's text colour (a neutral's role, see rnnviz.style.neutral)
TARGET_COLOUR = OTHER_COLOURS["target"]  # targets: their own palette colour (rnnviz.palette.OTHER_COLOURS)


class WindowingPainter:
    """Paints ``self.view`` (a WindowingView); keeps what it drew as attributes ending in ``_``."""

    def __init__(self, view):
        self.view = view

    def plot(self, ax=None, *, title=True, cmap=None, **kwargs):
        """Three panels: the split, the highlighted windows cut out of the series, the batch as an image.

        With sequence targets a fourth panel shows one window's target matrix.
        cmap: the batch's colour map; default the value map, centred at 0.
        ax: None (a new figure) or the axes to draw in, (overview, windows, batch[, targets]).
        kwargs: passed to the window lines (e.g. ``linewidth``).

        Keeps ``figure_``, ``axes_`` (by panel name), ``series_lines_`` (by panel), ``window_lines_``
        (per highlighted window, a dict of ``"inputs"`` and ``"targets"`` lines, drawn at ``offsets_``
        below the series), ``boundary_lines_``, ``batch_image_``, ``target_image_`` (sequence
        targets only, else None) and ``colorbar_``.
        """
        names = ["overview", "windows", "batch"] + (["targets"] if self.view.sequence_targets else [])
        self.figure_, axes = _panels(ax, names, sequence=self.view.sequence_targets)
        self.axes_ = dict(zip(names, axes))
        self.series_lines_ = {}
        self._plot_overview(self.axes_["overview"])
        self._plot_windows(self.axes_["windows"], **kwargs)
        self._plot_batch(self.axes_["batch"], cmap or value_map())
        self.target_image_ = self._plot_targets(self.axes_["targets"], self.batch_image_.cmap) if self.view.sequence_targets else None
        self.colorbar_ = self.figure_.colorbar(self.batch_image_, ax=axes[2:], label="normalised value",
                                               fraction=0.03, pad=0.01)
        if title:
            figure_title(self.figure_, "From a series to a batch of windows (tf.data)", self.view.description)
        return self

    def _zoom(self) -> tuple:
        """The x range around the highlighted windows."""
        first = self.view.starts[self.view.rows].min()
        last = self.view.target_positions(self.view.rows[-1])[-1]
        margin = max(2, 0.04 * (last - first))
        return first - margin, last + margin

    def _plot_overview(self, panel) -> None:
        time = np.arange(len(self.view.series))
        (self.series_lines_["overview"],) = panel.plot(time, self.view.series, color=neutral("muted"), linewidth=0.8)
        self.boundary_lines_ = [panel.axvline(b, color=neutral("text"), linewidth=1.2) for b in self.view.boundaries]
        edges = (0, *self.view.boundaries, len(self.view.series))
        for name, start, end in zip(("train", "validation", "test"), edges[:-1], edges[1:]):
            panel.text((start + end) / 2, 1.02, name, transform=panel.get_xaxis_transform(), ha="center",
                       va="bottom", color=neutral("text"))
        panel.axvspan(*self._zoom(), facecolor=neutral("grid"), edgecolor=neutral("text"), linewidth=1.2, zorder=0)
        panel.set_xlim(0, len(self.view.series) - 1)
        panel.set_yticks([])

    def _plot_windows(self, panel, **kwargs) -> None:
        """The series on top, each highlighted window beneath it at its own place in time."""
        low, high = self._zoom()
        time = np.arange(len(self.view.series))
        visible = self.view.series[max(0, int(low)) : int(high) + 1]
        gap = 1.1 * (visible.max() - visible.min())
        (self.series_lines_["windows"],) = panel.plot(time, self.view.series, color=neutral("muted"), linewidth=1.5)
        self.offsets_ = -gap * (1 + np.arange(len(self.view.rows)))
        self.window_lines_ = []
        style = {"linewidth": 2, "marker": "o", "markersize": 3.5, **kwargs}
        for row, offset in zip(self.view.rows, self.offsets_):
            (inputs,) = panel.plot(self.view.input_positions(row), self.view.inputs[row] + offset, color=neutral(INPUT_COLOUR), **style)
            (targets,) = panel.plot(self.view.target_positions(row), self.view.next_values[row] + offset, color=TARGET_COLOUR,
                                    **style)
            self.window_lines_.append({"inputs": inputs, "targets": targets})
        middle = (visible.max() + visible.min()) / 2
        panel.set_yticks([middle, *(middle + self.offsets_)],
                         ["series", *(f"row {row}" for row in self.view.rows)])
        panel.tick_params(axis="y", length=0)
        panel.set_xlim(low, high)
        # y from what is in view: the whole series (its later, trending part too) would leave a gap on top
        shown = [visible, *(np.concatenate([self.view.inputs[row], self.view.next_values[row]]) + offset
                            for row, offset in zip(self.view.rows, self.offsets_))]
        bottom, top = min(part.min() for part in shown), max(part.max() for part in shown)
        panel.set_ylim(bottom - 0.03 * (top - bottom), top + 0.03 * (top - bottom))
        panel.set_xlabel("time step")
        self.window_lines_[0]["inputs"].set_label("inputs")
        self.window_lines_[0]["targets"].set_label("targets" + (" (last step's)" if self.view.sequence_targets else ""))
        panel.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False, borderaxespad=0.1)
        for side in ("left", "right", "top"):
            panel.spines[side].set_visible(False)

    def _plot_batch(self, panel, cmap) -> None:
        """Rows: the batch's windows; columns: input steps, then the values after them."""
        steps, horizon = self.view.inputs.shape[1], self.view.next_values.shape[1]
        shown = np.concatenate([self.view.inputs, self.view.next_values], axis=1)
        limit = float(np.nanmax(np.abs(shown))) or 1.0  # signed values: the value map's middle at 0
        self.batch_image_ = panel.imshow(shown, aspect="auto", cmap=cmap, interpolation="nearest",
                                         norm=Normalize(-limit, limit))
        panel.axvline(steps - 0.5, color=neutral("background"), linewidth=3)
        targets = ("last step's targets" if self.view.sequence_targets else "targets") + f": {horizon} ahead"
        _column_label(panel, 0, steps, f"inputs: {steps} steps", neutral(INPUT_COLOUR), ha="left")
        _column_label(panel, steps, steps + horizon, targets, TARGET_COLOUR, ha="right")
        panel.set_xticks([0, steps - 1, steps + horizon - 1], ["1", str(steps), f"+{horizon}"])
        panel.set_yticks(self.view.rows)
        panel.set_xlabel("position in window")
        panel.set_ylabel("row in batch")

    def _plot_targets(self, panel, cmap):
        """Sequence targets of the first highlighted window: at each input step, the next values."""
        row = self.view.rows[0]
        image = panel.imshow(self.view.targets[row], aspect="auto", cmap=cmap, interpolation="nearest",
                             norm=self.batch_image_.norm)
        horizon = self.view.targets.shape[2]
        panel.set_xticks([0, horizon - 1], ["+1", f"+{horizon}"])
        panel.set_xlabel("steps ahead")
        panel.set_ylabel("input step")
        panel.set_title(f"targets of row {row}", loc="left", color=TARGET_COLOUR)
        return image


def _column_label(panel, start: int, end: int, text: str, colour, *, ha: str) -> None:
    """A coloured bar over image columns ``start:end`` with ``text`` above it, aligned to the bar's left or right."""
    panel.axvspan(start - 0.5, end - 0.5, ymin=1.01, ymax=1.06, color=colour, clip_on=False)
    x = start - 0.5 if ha == "left" else end - 0.5
    panel.text(x, 1.07, text, transform=panel.get_xaxis_transform(), ha=ha, va="bottom", color=colour)


def _panels(ax, names, *, sequence: bool):
    """The given axes (checked), or a new figure: overview strip, windows, then the batch (and targets)."""
    if ax is not None:
        return new_or_given_panels(ax, len(names), what=", ".join(names), figsize=None)
    ensure_shipped_fonts()
    mosaic = [["overview"] * 2, ["windows"] * 2, ["batch", "targets" if sequence else "batch"]]
    figure = plt.figure(figsize=slide_size() or (11, 8), layout=constrained_layout())
    axes = figure.subplot_mosaic(mosaic, height_ratios=[0.8, 4.5, 3], width_ratios=[4, 1])
    return figure, [axes[name] for name in names]

"""A :class:`~rnnviz.views.receptive_field.ReceptiveFieldView` painted with matplotlib: rows of positions, the boxes
one output sees filled, lines from each to the positions it reads.

Drawn once; :meth:`ReceptiveFieldPainter.show` brings the same artists to another view (the explorer's sliders).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from rnnviz.style import figure_title, neutral, new_or_given_axes

BOX_WIDTH = 0.76  # of one input step
BOX_HEIGHT = 0.42  # of one row
MAX_LINE_WIDTH = 1.6


class ReceptiveFieldPainter:
    """Paints ``self.view`` (a ReceptiveFieldView); keeps what it drew as attributes ending in ``_``."""

    def __init__(self, view):
        self.view = view

    def plot(self, ax=None, *, title=True, legend=True):
        """Rows from the input (bottom) to the last layer (top), one box per position.

        ax: None (a new figure) or the axes to draw in.
        title: draw the heading and the subtitle over the figure.
        legend: say what filled, outlined and dashed boxes are (under the rows).

        Keeps ``figure_``, ``ax_``, ``boxes_`` (per row, input first, a Rectangle per position; filled where
        it feeds the output), ``padding_boxes_`` (per row, the padded zeros the output's field reads, dashed),
        ``links_`` (a LineCollection: each line from a position to one it reads), ``output_label_`` and
        ``legend_``. :meth:`show` reuses the rectangles (hiding those a smaller view does not need).
        """
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(12, 5.5))
        self._title, self._legend = title, legend
        self.links_ = LineCollection([], colors=neutral("text"), zorder=1, capstyle="butt")
        self.ax_.add_collection(self.links_)
        self._pool = []  # every Rectangle made so far, reused by each show()
        self.output_label_ = self.ax_.annotate("", (0, 0), xytext=(0, 4), textcoords="offset points", ha="center",
                                               va="bottom", color=neutral("text"), annotation_clip=False)
        self.legend_ = None
        for side in ("left", "right", "top", "bottom"):
            self.ax_.spines[side].set_visible(False)
        self.ax_.tick_params(axis="y", length=0)
        self.ax_.set_xlabel("input step")
        return self.show(self.view)

    def show(self, view):
        """Bring the drawn artists to ``view`` (same axes, same artists); returns self."""
        self.view = view
        ink, muted = neutral("text"), neutral("muted")
        pool = iter(self._pool)
        self.boxes_, self.padding_boxes_ = [], []
        for row, length in enumerate(view.lengths):
            positions = np.arange(length)
            seen = np.isin(positions, view.seen[row])
            self.boxes_.append([self._box(pool, x, row, facecolor=ink if filled else "none",
                                          edgecolor=ink if filled else muted, linestyle="-")
                                for x, filled in zip(view.x(row, positions), seen)])
            self.padding_boxes_.append([self._box(pool, x, row, facecolor="none", edgecolor=ink,
                                                  linestyle=(0, (2, 2)))
                                        for x in view.x(row, view.padding_seen[row])])
        for unused in pool:
            unused.set_visible(False)
        segments = []
        for layer, links in enumerate(view.links, start=1):
            top, bottom = view.x(layer, links[:, 0]), view.x(layer - 1, links[:, 1])
            segments += [[(x1, layer - BOX_HEIGHT / 2), (x0, layer - 1 + BOX_HEIGHT / 2)]
                         for x1, x0 in zip(top, bottom)]
        self.links_.set_segments(segments)
        # many steps: thinner lines
        self.links_.set_linewidth(float(np.clip(30 / view.lengths[0], 0.6, MAX_LINE_WIDTH)))
        x = float(view.x(view.layers, view.output))
        self.output_label_.xy = (x, view.layers + BOX_HEIGHT / 2)
        self.output_label_.set_text(f"output {view.output}")
        drawn = np.concatenate([view.x(row, np.arange(length)) for row, length in enumerate(view.lengths)]
                               + [view.x(row, positions) for row, positions in enumerate(view.padding_seen)])
        low, high = drawn.min() - 0.6, drawn.max() + 0.6
        self.ax_.set_xlim(low, high)
        share = (x - low) / (high - low)  # an output near an edge: its label runs inwards from it
        self.output_label_.set_horizontalalignment("right" if share > 0.9 else "left" if share < 0.1 else "center")
        self.ax_.set_ylim(-0.5, view.layers + 0.75)
        self.ax_.set_yticks(range(view.layers + 1), row_labels(view))
        ticks = MaxNLocator(nbins=12, integer=True).tick_values(0, view.lengths[0] - 1)
        self.ax_.set_xticks(ticks[(ticks >= 0) & (ticks <= view.lengths[0] - 1)])  # steps of the input only
        if self._legend:
            self._draw_legend(view)
        if self._title:
            figure_title(self.figure_, view.heading, view.description)
        return self

    def _box(self, pool, x: float, row: int, **style) -> Rectangle:
        """The next rectangle of the pool (a new one when it runs out), centred on (x, row), styled."""
        box = next(pool, None)
        if box is None:
            box = Rectangle((0, 0), BOX_WIDTH, BOX_HEIGHT, linewidth=1.2, zorder=2)
            self.ax_.add_patch(box)
            self._pool.append(box)
        box.set_xy((x - BOX_WIDTH / 2, row - BOX_HEIGHT / 2))
        box.set(visible=True, **style)
        return box

    def _draw_legend(self, view) -> None:
        if self.legend_ is not None:
            self.legend_.remove()
        ink, muted = neutral("text"), neutral("muted")
        handles = [Patch(facecolor=ink, edgecolor=ink, label="feeds the output"),
                   Patch(facecolor="none", edgecolor=muted, label="does not")]
        if any(len(padded) for padded in view.padding_seen):
            handles.append(Patch(facecolor="none", edgecolor=ink, linestyle=(0, (2, 2)), label="padded zero"))
        self.legend_ = self.ax_.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(handles),
                                       frameon=False, borderaxespad=0.1, handlelength=1.2)


def row_labels(view) -> list:
    """"input", then "layer 1", "layer 2", … with each setting that differs between layers ("dilation 2")."""
    labels = ["input"]
    for layer in range(view.layers):
        settings = [f"{name} {values[layer]}" for name, values in
                    (("kernel", view.kernel_sizes), ("stride", view.strides), ("dilation", view.dilations))
                    if len(set(values)) > 1]
        labels.append("\n".join([f"layer {layer + 1}", *settings]))
    return labels

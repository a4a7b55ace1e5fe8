"""Constrained layout that puts every axes in the same place, to the byte, on every run.

matplotlib's constrained layout solves its constraints with kiwisolver, which orders
its variables by their addresses in memory. A figure's first layout comes out the
same on every run, but from the second on (a figure laid out to measure its axes,
then again when saved) the solution differs between runs in its last bits (about
1e-13 of the figure). That is enough to change an SVG's clip-path ids, which hash the
clip rectangle, and a PDF's text positions. Rounding each axes' position to 1e-6 of
the figure (a thousandth of a pixel on a slide) removes the noise and moves nothing
a reader could see.
"""

from __future__ import annotations

import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.transforms import Bbox

DECIMALS = 6  # figure fraction: 1e-6 of a 13.3-inch slide is 1.3e-5 inch


class SnappedConstrainedLayout(ConstrainedLayoutEngine):
    """matplotlib's constrained layout, each axes' position then rounded to ``DECIMALS`` places."""

    def execute(self, fig):
        info = super().execute(fig)
        for ax in fig.axes:
            if not ax.get_in_layout():
                continue  # placed by hand: not this engine's to move (a colour bar's locator reads this position)
            corners = ax.get_position(original=True).get_points()
            ax._set_position(Bbox(np.round(corners, DECIMALS)), which="both")  # as the engine places axes
        return info


def constrained_layout() -> SnappedConstrainedLayout:
    """A new layout engine for ``plt.figure(layout=...)``: constrained, reproducible to the byte."""
    return SnappedConstrainedLayout()

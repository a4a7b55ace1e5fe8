"""Legends under a figure that fit its width: as many columns as fit, at the legend's own font size."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.font_manager import FontProperties

from rnnviz.style import drawn_width

ROOM = 0.96  # of the figure's width a legend under it may take


def fitting_columns(figure, labels, *, handlelength: float | None = None, handles_per_entry=None,
                    most: int | None = None) -> int:
    """The most columns (at most ``most``, default one per label) in which a legend of ``labels`` under ``figure``
    fits its width, in the current rcParams' legend font; ``handles_per_entry`` (one count per label) widens the
    handle of an entry drawn with several swatches."""
    rc = mpl.rcParams
    points = FontProperties(size=rc["legend.fontsize"]).get_size_in_points()
    handle = (rc["legend.handlelength"] if handlelength is None else handlelength) + rc["legend.handletextpad"]
    counts = handles_per_entry or [1] * len(labels)
    widths = [drawn_width(label, points) + handle * points * max(1, count) for label, count in zip(labels, counts)]
    room = ROOM * figure.get_size_inches()[0] * 72 - 2 * rc["legend.borderpad"] * points
    for columns in range(min(most or len(labels), len(labels)), 0, -1):
        column_widths = [max(widths[start:start + rows]) for start, rows in _columns(len(labels), columns)]
        if sum(column_widths) + (len(column_widths) - 1) * rc["legend.columnspacing"] * points <= room:
            return columns
    return 1


def _columns(count: int, columns: int) -> list:
    """(first entry, entries) of each column, as matplotlib's legend deals ``count`` entries into ``columns``: the
    first ``count % columns`` columns take one more."""
    rows, longer = divmod(count, columns)
    sizes = [rows + 1] * longer + [rows] * (columns - longer)
    starts = [sum(sizes[:k]) for k in range(columns)]
    return [(start, size) for start, size in zip(starts, sizes) if size]



"""Non-finite and exploding values: never a crash, never a silently blank cell.

``imshow`` draws NaN as nothing and one value of 1e30 washes out a whole colour
scale. Every rnnviz heatmap and line plot of recorded values goes through
:func:`finite_or_marked` (or :func:`heatmap`, which uses it): values that are
NaN, infinite or beyond ``threshold`` in magnitude are masked out of the colour
scale, drawn hatched or marked with a contrasting ``X``, and reported in a
:class:`NonFiniteValuesWarning` that says which array, how many values and where.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.patches import Rectangle

from rnnviz.style import hatch_colour  # noqa: F401 (re-exported)
from rnnviz.views.values import (  # noqa: F401 (re-exported: the figures' public names)
    EXPLODING_THRESHOLD,
    NonFiniteValuesWarning,
    bad_values,
    symmetric_limit,
)

MARKER_STYLE = {"marker": "X", "s": 110, "facecolor": "#000000", "edgecolor": "#FFFFFF", "linewidth": 1.0, "zorder": 5}
HATCH = "xx"


def finite_or_marked(ax, values, *, name: str, dims=None, coords=None, threshold: float | None = EXPLODING_THRESHOLD,
                     x=None, layout: str = "image", colors=None, marker_kw=None, warn: bool = True, note: bool = True):
    """The array to draw, masked where values are bad, with those places marked on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array-like, 1-D or 2-D
    name, dims, coords, threshold :
        As for :func:`bad_values`.
    x : array-like, optional
        Positions along x (the columns for ``layout="image"``, the rows for
        ``"lines"``); by default the index.
    layout : str
        ``"image"``: ``values`` is an image whose cell ``[row, column]`` is centred at
        data ``(x[column], row)``; each bad cell gets a marker there.
        ``"lines"``: ``values`` is ``(time,)`` or ``(time, lines)`` drawn against
        ``x``; each bad step gets a marker on the bottom edge of the axes.
    colors : sequence of colours, optional
        For ``layout="lines"``: the colour of each line, given to its markers' faces.
    marker_kw : dict, optional
        Overrides :data:`MARKER_STYLE` for the markers (a ``scatter``).
    note : bool
        Also write what the markers mean in a corner of ``ax``.

    Returns
    -------
    (numpy.ma.MaskedArray, PathCollection or None)
        The values (all of them, unchanged, in ``.data``) masked where bad, and the
        markers drawn (one per bad cell, or per bad step and line), or None when
        every value is fine.
    """
    values = np.asarray(values, dtype=float)
    if layout not in ("image", "lines"):
        raise ValueError(f"layout: expected 'image' or 'lines', got {layout!r}")
    if layout == "image" and values.ndim != 2:
        raise ValueError(f"values: an image needs a 2-D array, got shape {values.shape}")
    if values.ndim not in (1, 2):
        raise ValueError(f"values: expected a 1-D or 2-D array, got shape {values.shape}")
    what = "hatched cells marked ×" if layout == "image" else "gaps marked × on the bottom edge"
    bad = bad_values(values, name=name, dims=dims, coords=coords, threshold=threshold, what=what, warn=warn,
                     stacklevel=3)
    shown = np.ma.masked_array(values, mask=bad)
    if not bad.any():
        return shown, None
    meaning = f"not finite or |value| > {threshold:g}" if threshold else "not finite"
    style = {**MARKER_STYLE, "label": meaning, **(marker_kw or {})}
    if layout == "image":
        rows, columns = np.nonzero(bad)
        positions = np.arange(values.shape[1]) if x is None else np.asarray(x)
        markers = ax.scatter(positions[columns], rows, **style)
    else:
        steps, lines = np.nonzero(bad.reshape(len(values), -1))
        positions = np.arange(len(values)) if x is None else np.asarray(x)
        if colors is not None:
            style = {**style, "facecolor": [colors[line] for line in lines], "edgecolor": "#000000", **(marker_kw or {})}
        markers = ax.scatter(positions[steps], np.zeros(len(steps)), transform=ax.get_xaxis_transform(),
                             clip_on=False, **style)
    if note:
        ax.text(0.995, 0.03 if layout == "image" else 0.06, f"× {meaning}", transform=ax.transAxes, ha="right",
                va="bottom", fontsize="small", zorder=6,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": mpl.rcParams["axes.facecolor"], "alpha": 0.85,
                      "edgecolor": "none"})
    return shown, markers


def heatmap(ax, values, *, name: str, norm, cmap, dims=("unit", "step"), threshold=EXPLODING_THRESHOLD,
            marker_kw=None, **kwargs):
    """``imshow`` of ``values`` (rows on y from the top, columns on x), bad cells hatched and marked.

    Cell ``[row, column]`` is centred at data ``(column, row)``, so row 0 is at the
    top and both axes count whole numbers. ``kwargs`` go to ``imshow``.

    Returns
    -------
    (AxesImage, PathCollection or None)
        The image (its ``get_array()`` holds ``values``, masked where bad) and the markers.
    """
    shown, markers = finite_or_marked(ax, values, name=name, dims=dims, threshold=threshold, marker_kw=marker_kw)
    rows, columns = shown.shape
    extent = (-0.5, columns - 0.5, rows - 0.5, -0.5)
    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    if shown.mask.any():
        # masked cells are transparent, so a hatched patch under the image shows through them
        colormap = colormap.with_extremes(bad=(0, 0, 0, 0))
        ax.add_patch(Rectangle((-0.5, -0.5), columns, rows, hatch=HATCH, facecolor="none", zorder=-1,
                               edgecolor=hatch_colour(), linewidth=0))
    image = ax.imshow(shown, **{"cmap": colormap, "norm": norm, "aspect": "auto", "interpolation": "nearest",
                                "extent": extent, **kwargs})
    return image, markers


def contrasting_text(facecolor) -> str:
    """Black or white, whichever reads better on ``facecolor``."""
    red, green, blue = mcolors.to_rgb(facecolor)
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "#FFFFFF"

"""A :class:`~rnnviz.views.cell.StripView` painted on a matplotlib axes: one coloured cell per unit."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize

from rnnviz.mpl.diagram import strip_extent
from rnnviz.style import VALUE_COLOURS, hatch_colour

LEVELS = 1024  # colour map resolution: a strip's colour is its scale's within 1/1000 of the way


def colour_map(scale, background):
    """The colour map of a :class:`~rnnviz.views.scales.ColourScale` on ``background``; bad values in the hatch colour."""
    colours = [scale.negative, background, scale.positive] if scale.two_sided else [background, scale.positive]
    return LinearSegmentedColormap.from_list("strip", colours, N=LEVELS).with_extremes(bad=hatch_colour())


def value_map(background=None, *, name="values"):
    """The value map for heatmaps of signed values: ``VALUE_COLOURS`` negative, the background at the middle, positive.

    ``background``: default the current theme's axes background (call it inside the theme's style context).
    """
    return LinearSegmentedColormap.from_list(
        name, [VALUE_COLOURS["negative"], _background(background), VALUE_COLOURS["positive"]], N=LEVELS)


def magnitude_map(background=None, *, name="magnitudes"):
    """The positive half of the value map, for magnitudes (never negative): the background at 0 to ``positive``."""
    return ramp_map(VALUE_COLOURS["positive"], background, name=name)


def ramp_map(colour, background=None, *, name="ramp"):
    """A one-sided ramp from the background (0, a σ gate shut) to ``colour`` (1, open): a gate in its own colour."""
    return LinearSegmentedColormap.from_list(name, [_background(background), colour], N=LEVELS)


def _background(background):
    from matplotlib import rcParams

    return rcParams["axes.facecolor"] if background is None else background


def norm(scale) -> Normalize:
    return Normalize(scale.low, scale.high, clip=True)


def masked(strip) -> np.ma.MaskedArray:
    """The strip's values as one image row, bad ones masked (drawn in the hatch colour)."""
    return np.ma.masked_array(strip.values, mask=strip.bad)[None]


def paint_strip(ax, node, strip, *, height_fraction=0.42, pad=0.07):
    """``strip`` as a row of coloured cells in the lower part of diagram ``node``; returns the AxesImage."""
    left, right, bottom, top = strip_extent(node, height_fraction=height_fraction, pad=pad)
    aspect = ax.get_aspect()  # imshow would set the axes' aspect; the diagram keeps its own
    image = ax.imshow(masked(strip), cmap=colour_map(strip.scale, ax.get_facecolor()), norm=norm(strip.scale),
                      extent=(left, right, bottom, top), aspect="auto", interpolation="nearest", zorder=4)
    ax.set_aspect(aspect)
    return image


def strip_colours(image) -> np.ndarray:
    """(units, 3) RGB the image shows for each unit (what a test compares with the view)."""
    return image.to_rgba(image.get_array())[0, :, :3]

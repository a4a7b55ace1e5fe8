"""One palette for every rnnviz picture: cell kinds, gates, states and directions.

Colours follow Okabe & Ito's colour-blind-safe set. Figures, scenes and widgets
all take their colours from here.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermilion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#7F7F7F",
}

PALETTE = {
    # cell kinds
    "simple_rnn": OKABE_ITO["vermilion"],
    "lstm": OKABE_ITO["blue"],
    "peephole_lstm": OKABE_ITO["purple"],
    "gru": OKABE_ITO["green"],
    # gates
    "input": OKABE_ITO["sky"],
    "forget": OKABE_ITO["vermilion"],
    "candidate": OKABE_ITO["yellow"],
    "output": OKABE_ITO["green"],
    "update": OKABE_ITO["orange"],
    "reset": OKABE_ITO["purple"],
    # states
    "h": OKABE_ITO["blue"],
    "c": OKABE_ITO["orange"],
    # directions
    "forward": OKABE_ITO["blue"],
    "backward": OKABE_ITO["orange"],
}


def color(name: str) -> str:
    """The palette's colour for a cell kind, gate, state or direction."""
    try:
        return PALETTE[name]
    except KeyError:
        raise ValueError(f"name: no palette colour for {name!r}; known: {sorted(PALETTE)}") from None


def new_or_given_axes(ax=None, *, figsize=(8, 4.5)):
    """``ax`` and its figure, or a new figure with one axes (never the 'current' figure)."""
    if ax is not None:
        return ax.figure, ax
    figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    return figure, ax


def new_or_given_panels(ax, count: int, *, what: str, figsize, nrows=1, **subplot_kw):
    """``count`` panels: the given axes (checked), or a new figure of ``nrows`` rows; returns (figure, list)."""
    if ax is None:
        figure, axes = plt.subplots(
            nrows, count // nrows, figsize=figsize, layout="constrained", squeeze=False, **subplot_kw
        )
        return figure, list(axes.ravel())
    axes = list(np.atleast_1d(ax))
    if len(axes) != count:
        raise ValueError(f"ax: expected {count} axes ({what}), got {len(axes)}")
    return axes[0].figure, axes


def figure_title(figure, heading: str, description: str = "", width: int = 110) -> None:
    """A left-aligned title over the whole figure, with the description (what was measured) under it."""
    figure.suptitle(_titled(heading, description, width), x=0.01, horizontalalignment="left")


def axes_title(ax, heading: str, description: str = "", width: int = 85) -> None:
    """A left-aligned title over one axes, with the description under it."""
    ax.set_title(_titled(heading, description, width), loc="left")


def _titled(heading: str, description: str, width: int) -> str:
    return heading + (f"\n{textwrap.fill(description, width)}" if description else "")

"""The colour key: every colour rnnviz uses and its one meaning, as a slide (the gallery's first page)."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyBboxPatch

from rnnviz.kinds import CELL_KINDS, CUSTOM_KIND
from rnnviz.mpl.strips import magnitude_map, ramp_map, value_map
from rnnviz.palette import OTHER_COLOURS, PALETTE
from rnnviz.style import hatch_colour, neutral, new_or_given_axes

GATE_KINDS = {gate: [kind.title for kind in CELL_KINDS.values() if gate in kind.gates]
              for gate in dict.fromkeys(gate for kind in CELL_KINDS.values() for gate in kind.gates)}


def key_groups() -> dict:
    """``{group title: [(swatch style, colour, label)]}``, every meaning of the palette once, in reading order."""
    return {
        "Cell kinds (outlines, lines)": [*(("line", PALETTE[name], kind.title) for name, kind in CELL_KINDS.items()),
                                         ("line", PALETTE[CUSTOM_KIND.name], "a cell of one's own (no gates known)")],
        "Gates (0 shut → 1 open)": [_gate_entry(gate, kinds) for gate, kinds in GATE_KINDS.items()],
        "States": [("line", PALETTE["h"], "h: hidden state (its wires)"),
                   ("thick", PALETTE["c"], "c: cell state (the conveyor)"),
                   ("dashed", PALETTE["c"], "peephole: c read by a gate")],
        "Directions (bidirectional rows)": [("h→", PALETTE["forward"], "forward: left to right"),
                                            ("h←", PALETTE["backward"], "backward: right to left")],
        "Values": [("values", None, "negative … 0 … positive"),
                   ("magnitude", None, "magnitude: 0 … largest"),
                   ("hatch", None, "not finite (inf, NaN)")],
        "Other": [("line", OTHER_COLOURS["linear"], "linear forecaster"),
                  ("line", OTHER_COLOURS["conv1d"], "1D-convolution forecaster"),
                  ("box", OTHER_COLOURS["target"], "windowing: the targets")],
    }


def _gate_entry(gate: str, kinds: list) -> tuple:
    """A σ gate's ramp (its strip fades to its colour as it opens); the candidate, a tanh, is a signed value."""
    which = "all gated cells" if len(kinds) == len(GATE_KINDS["candidate"]) else ", ".join(kinds)
    if gate == "candidate":
        return "outline", PALETTE[gate], "candidate (its values: signed)"
    return "ramp", PALETTE[gate], f"{gate} ({which})"


class PaletteKeyDisplay:
    """The colour key: one swatch and one meaning per colour, in groups (:func:`key_groups`)."""

    def __init__(self, *, groups: dict | None = None):
        self.groups = key_groups() if groups is None else groups

    def plot(self, ax=None, *, title=True):
        """Draw the key; keeps ``figure_``, ``ax_`` and ``swatches_`` (by label)."""
        from rnnviz.style import axes_title

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 7.5))
        ax = self.ax_
        ax.set_xlim(0, 2.04)
        rows = max(len(entries) for entries in self.groups.values()) + 1.6
        columns = 2
        per_column = int(np.ceil(len(self.groups) / columns))
        ax.set_ylim(-per_column * rows, 0.4)
        ax.set_axis_off()
        self.swatches_ = {}
        for index, (group, entries) in enumerate(self.groups.items()):
            x, top = 1.04 * (index // per_column), -(index % per_column) * rows
            ax.text(x + 0.02, top, group, fontsize="large", fontweight="bold", va="center", color=neutral("text"))
            for row, (style, colour, label) in enumerate(entries, start=1):
                y = top - row
                self.swatches_[label] = _swatch(ax, style, colour, x + 0.04, y)
                ax.text(x + 0.28, y, label, va="center", color=neutral("text"))
        if title:
            axes_title(ax, "The colour key: one colour, one meaning",
                       "the same in the slide figures, the videos and the widgets; labels, arrows and dashes "
                       "always say it too")
        return self


def _swatch(ax, style, colour, x, y):
    """One swatch, 0.2 wide, centred on height ``y``."""
    background = neutral("background")
    if style in ("line", "thick", "dashed"):
        (artist,) = ax.plot([x, x + 0.2], [y, y], color=colour, linewidth={"thick": 5}.get(style, 2.5),
                            linestyle="--" if style == "dashed" else "-")
        return artist
    if style in ("h→", "h←"):  # a direction: its row title's colour, on the state it names
        return ax.text(x + 0.1, y, style, color=colour, ha="center", va="center", fontweight="bold")
    if style == "outline":
        return ax.add_patch(FancyBboxPatch((x, y - 0.25), 0.2, 0.5, boxstyle="round,pad=0,rounding_size=0.02",
                                           facecolor=background, edgecolor=colour, linewidth=2.5))
    if style == "box":
        return ax.add_patch(FancyBboxPatch((x, y - 0.25), 0.2, 0.5, boxstyle="round,pad=0,rounding_size=0.02",
                                           facecolor=colour, edgecolor=colour))
    if style == "hatch":
        return ax.add_patch(FancyBboxPatch((x, y - 0.25), 0.2, 0.5, boxstyle="square,pad=0", facecolor=background,
                                           edgecolor=hatch_colour(), hatch="xxx"))
    maps = {"ramp": lambda: ramp_map(colour, background), "values": lambda: value_map(background),
            "magnitude": lambda: magnitude_map(background)}  # the figures' own colour maps
    return ax.imshow(np.linspace(0, 1, 64)[None, :], cmap=maps[style](), extent=(x, x + 0.2, y - 0.25, y + 0.25),
                     aspect="auto", interpolation="nearest")

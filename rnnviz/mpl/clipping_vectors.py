"""A :class:`~rnnviz.views.clipping.ClippingView` painted with matplotlib: one panel per clipping option, the gradient
``g`` along x and its clipped version ``v`` as arrows from one origin, in the plane through ``g`` and ``v``.

Drawn once; :meth:`ClippingVectorsPainter.show` brings the same artists to another view (the explorer's slider).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import MaxNLocator

# A clipping setting's one look (theme neutral, line style), shared with the training-run figure; in its order:
# the raw gradient as "no clipping", then clipnorm, global_clipnorm, and clipvalue in the fourth.
from rnnviz.mpl.settings import SETTING_STYLES
from rnnviz.style import neutral
from rnnviz.views.clipping import OPTIONS, WHAT_IS_CLIPPED, scientific

LOOKS = {"g": SETTING_STYLES[0], "clipnorm": SETTING_STYLES[1], "global_clipnorm": SETTING_STYLES[2],
         "clipvalue": SETTING_STYLES[3]}
MARGIN = 1.18  # the panel reaches this many times the longer of v and the threshold
BELOW = 0.2  # of the panel's reach: room under g for its label
ARC = 0.3  # the angle's arc, as a share of the panel's reach


def look(name: str) -> dict:
    """Colour (a theme neutral) and line style of ``name`` ("g" or an option), as FancyArrowPatch keywords."""
    style = LOOKS[name]
    return {"color": neutral(style["color"]), "linestyle": style.get("linestyle", "-")}


def panel_title(vector) -> str:
    """Five short lines (a 4:3 slide's panel is narrow): the setting, what it clips, how many were cut, v's norm and
    its cosine with g."""
    return (f"{vector.setting}\n{WHAT_IS_CLIPPED[vector.option]}\n{vector.note}\n‖v‖ = {scientific(vector.norm)}\n"
            f"cos(v, g) = {vector.cosine:.3f}")


def subtitle(view, threshold: str | None = None) -> str:
    """What is drawn: which gradient, how it is clipped (at ``threshold``, default the view's) and how it is drawn."""
    size, threshold = view.gradient.size, threshold or scientific(view.threshold, zeros=False)
    return (f"g: the first training step's gradient of the lesson's relu SimpleRNN ({size} numbers in "
            f"{len(view.names)} variables, ‖g‖ = {scientific(view.norm)}); v: g clipped at {threshold} by Keras "
            f"3's optimizer (clipnorm: each variable's part by its own factor, keeping its direction). Each panel: g "
            f"and v projected onto their plane (x along g), so v's length and angle are true. Dotted: norm "
            f"{threshold}.")


class ClippingVectorsPainter:
    """Paints ``self.view``; keeps ``axes_``, ``raw_`` (g's arrow), ``arrows_`` (v's), ``arcs_``, ``angle_texts_``,
    ``circles_`` (norm = threshold), ``raw_texts_`` and ``titles_``, each by option."""

    def __init__(self, view):
        self.view = view

    def plot(self, axes):
        """Draw in ``axes`` (one per option, in :data:`~rnnviz.views.clipping.OPTIONS`' order); returns self."""
        self.axes_ = dict(zip(OPTIONS, axes, strict=True))
        self.raw_, self.arrows_, self.arcs_, self.angle_texts_, self.circles_, self.raw_texts_, self.titles_ = (
            {} for _ in range(7))
        for option, ax in self.axes_.items():
            self.circles_[option], = ax.plot([], [], color=neutral("muted"), linestyle=(0, (1, 2)), linewidth=1.5)
            self.raw_[option] = ax.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=18,
                                                             linewidth=1.5, zorder=2, **look("g")))
            self.arrows_[option] = ax.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=24,
                                                                linewidth=3.5, zorder=3, **look(option)))
            self.arcs_[option], = ax.plot([], [], color=neutral("text"), linewidth=1.2)
            self.angle_texts_[option] = ax.text(0, 0, "", ha="left", va="bottom", color=neutral("text"))
            self.raw_texts_[option] = ax.text(0, 0, "", ha="right", va="center", color=neutral("text"))
            self.titles_[option] = ax.set_title("", loc="left", fontsize="medium")
            ax.set_aspect("equal", adjustable="box")
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.set_xlabel("along g")
        self.axes_[OPTIONS[0]].set_ylabel("across g, towards v")
        return self.show(self.view)

    def show(self, view):
        """Bring the drawn artists to ``view``; returns self."""
        self.view = view
        for option, ax in self.axes_.items():
            vector = view.vectors[option]
            reach = MARGIN * max(vector.norm, view.threshold)
            ax.set_xlim(-0.04 * reach, reach)
            ax.set_ylim(-BELOW * reach, reach)
            ticks = [tick for tick in MaxNLocator(2).tick_values(0, reach) if 0 <= tick <= reach]
            ax.set_xticks(ticks), ax.set_yticks(ticks)
            labels = [scientific(tick, 2, zeros=False) for tick in ticks]
            ax.set_xticklabels(labels), ax.set_yticklabels(labels)
            end = min(view.norm, 0.97 * reach)
            self.raw_[option].set_positions((0, 0), (end, 0))
            self.raw_texts_[option].set_position((max(end, 0.3 * reach), -BELOW * reach / 2))
            self.raw_texts_[option].set_text("g runs on →" if view.norm > end else "g")
            self.arrows_[option].set_positions((0, 0), tuple(vector.xy))
            turn = np.radians(vector.angle)
            angles = np.linspace(0, turn, 40)
            self.arcs_[option].set_data(ARC * reach * np.cos(angles), ARC * reach * np.sin(angles))
            self.angle_texts_[option].set_position(_angle_place(turn, reach))
            self.angle_texts_[option].set_text(f"{vector.angle:.1f}°")
            quarter = np.linspace(0, np.pi / 2, 60)
            self.circles_[option].set_data(view.threshold * np.cos(quarter), view.threshold * np.sin(quarter))
            self.titles_[option].set_text(panel_title(vector))
        return self


def _angle_place(turn: float, reach: float) -> tuple:
    """Where the angle is written: past the arc's middle, or above v when the angle is too small to write in."""
    at = turn / 2 if turn > np.radians(24) else turn + np.radians(8)
    return 1.08 * ARC * reach * np.cos(at), 1.08 * ARC * reach * np.sin(at)

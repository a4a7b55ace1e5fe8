"""Paint a :class:`~rnnviz.diagrams.Diagram` on a matplotlib axes: boxes, circles, arrows and labels.

The painter decides only the look (colours by role and gate from the palette,
line widths, fonts); where things are comes from the diagram.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patches
from matplotlib.path import Path

from rnnviz.diagrams.appearance import drawn_path, edge_colour, label_colour, node_colour
from rnnviz.style import drawn_width, neutral

MARGIN = 0.4  # diagram units around a diagram's bounds
CAPTION_OFFSET = 0.1  # diagram units from a gate's centre line (its incoming wire) to its caption's left edge


def paint_diagram(diagram, ax, *, fontsize=None, margin=MARGIN, label_shift=None, node_labels=None, points=None):
    """Draw every node, edge and label of ``diagram`` on ``ax``.

    ``label_shift`` moves the labels of nodes with a given role up by a fraction of
    their height (to make room for a value strip below the label). ``node_labels``,
    a dict, receives each node's label text by node id (for changing it later).
    ``points``: typographic points per diagram unit, if known (see
    :func:`laid_out_points_per_unit`); by default estimated. Returns (patches by node
    id, arrows, texts, captions by node id): a caption under each gate names its
    activation (σ or tanh).
    """
    from matplotlib import rcParams

    fontsize = fontsize or rcParams["font.size"]
    xmin, xmax, ymin, ymax = diagram_limits(diagram, margin)
    points = points or points_per_unit(ax, (xmin, xmax, ymin, ymax))
    background, text_colour = neutral("background"), neutral("text")
    node_patches, texts, captions = {}, [], {}
    text_sizes = _text_node_sizes(diagram, points, fontsize)
    gate_size = min((_fitting_size(node, points, fontsize, shift=(label_shift or {}).get(node.role))
                     for node in diagram.nodes if node.role == "gate" and node.label), default=None)
    for node in diagram.nodes:
        colour = node_colour(node)
        if node.shape == "text":
            if node.label:
                texts.append(ax.text(node.x, node.y, node.label, ha="center", va="center", fontsize=text_sizes[node.id],
                                     color=text_colour))
            continue
        if node.shape == "circle":
            patch = patches.Ellipse((node.x, node.y), node.width, node.height, facecolor=background,
                                    edgecolor=colour, linewidth=1.6, zorder=3)
        else:
            dashed = node.role == "junction"
            patch = patches.FancyBboxPatch(
                (node.x - node.width / 2, node.y - node.height / 2), node.width, node.height,
                boxstyle="round,pad=0,rounding_size=0.08", facecolor=_tint(colour, background, 0.18),
                edgecolor=colour, linewidth=1.8 if node.role in ("cell", "gate") else 1.2, zorder=3,
                linestyle="-" if not dashed else ":",
            )
        ax.add_patch(patch)
        node_patches[node.id] = patch
        if node.label:
            shift = (label_shift or {}).get(node.role, 0.0) * node.height
            size = (gate_size if node.role == "gate"  # every gate's name at one size: none looks lesser
                    else _fitting_size(node, points, fontsize, shift=(label_shift or {}).get(node.role)))
            texts.append(ax.text(node.x, node.y + shift, node.label, ha="center", va="center", fontsize=size,
                                 color=text_colour, zorder=5))
            if node_labels is not None:
                node_labels[node.id] = texts[-1]
        if "activation" in node.data:
            captions[node.id] = ax.text(  # beside the wire coming in from below, clear of its arrowhead
                node.x + CAPTION_OFFSET, node.y - node.height / 2 - 0.06, node.data["activation"], ha="left", va="top",
                fontsize=min(0.85 * fontsize, 0.27 * points), color=text_colour, zorder=6,
                bbox={"facecolor": background, "edgecolor": "none", "pad": 1.0},
            )
    arrows = [_arrow(ax, diagram, edge) for edge in diagram.edges]
    for label in diagram.labels:
        size = min(fontsize * (0.9 if label.role in ("row", "caption") else 1.0), 0.34 * points)
        if label.width:
            size = min(size, fitting_width(label.text, label.width, points))
        texts.append(ax.text(label.x, label.y, label.text, ha=label.anchor, va="center", color=label_colour(label),
                             fontsize=size, style="italic" if label.role == "equation" else "normal"))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return node_patches, arrows, texts, captions


def diagram_limits(diagram, margin: float = MARGIN) -> tuple:
    """(xmin, xmax, ymin, ymax) of the axes that show ``diagram`` with ``margin`` around it."""
    xmin, xmax, ymin, ymax = diagram.bounds
    return xmin - margin, xmax + margin, ymin - margin, ymax + margin


def axes_aspect(ax) -> float:
    """Width over height of ``ax``'s box in the figure as laid out (inches over inches)."""
    box, (width, height) = ax.get_position(), ax.figure.get_size_inches()
    return box.width * width / (box.height * height)


def fill_width(ax) -> None:
    """Let an equal-aspect diagram take the axes' whole laid-out box: a tall one gets wider limits (centred), a flat
    one keeps its limits and the axes shrink to it from the top, under their title."""
    box = ax.get_position(original=True)
    width, height = ax.figure.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    missing = (y1 - y0) * (box.width * width) / (box.height * height) - (x1 - x0)
    if missing > 0:
        ax.set_xlim(x0 - missing / 2, x1 + missing / 2)
    ax.set_anchor("N")


def _text_node_sizes(diagram, points, fontsize) -> dict:
    """Node id -> the font size of a text node: a mark ("…") larger than text, one size for a row of the same role."""
    sizes, rows = {}, {}
    for node in diagram.nodes:
        if node.shape == "text" and node.label:
            cap = fontsize * (1.2 if len(node.label) == 1 else 1.0)
            sizes[node.id] = min(cap, 0.45 * points, fitting_width(node.label, node.width, points))
            rows.setdefault((node.role, node.y), []).append(node.id)
    for ids in rows.values():
        smallest = min(sizes[node_id] for node_id in ids)
        sizes.update(dict.fromkeys(ids, smallest))
    return sizes


def _fitting_size(node, points, fontsize, *, shift=None):
    """The largest font size (up to ``fontsize``) at which the node's label fits it.

    ``shift``: the label is moved up by this share of the node's height, over a value strip.
    """
    lines = node.label.split("\n")
    if shift is None or node.shape == "circle":
        room = 0.75 * node.height
    else:  # between the strip and the top, around the label's centre
        centre = node.y + shift * node.height
        room = 2 * min(node.y + node.height / 2 - centre, centre - strip_extent(node)[3])
    by_height = room * points / (1.2 * len(lines))
    return min(fontsize, by_height, fitting_width(node.label, 0.9 * node.width, points))


def fitting_width(text, width, points) -> float:
    """The largest font size at which every line of ``text`` fits ``width`` diagram units (``points`` per unit)."""
    return 10.0 * width * points / max(drawn_width(text, 10.0), 1e-9)


def points_per_unit(ax, limits, *, room=0.85) -> float:
    """Typographic points per diagram unit when ``limits`` (xmin, xmax, ymin, ymax) fill ``ax`` at equal aspect.

    Text is sized from this, so labels fit their boxes at any figure size and context.
    ``room``: the share of the axes left once the figure is laid out (constrained layout
    takes some for titles and colour bars).
    """
    width, height = ax.figure.get_size_inches()
    box = ax.get_position()
    xmin, xmax, ymin, ymax = limits
    scale = min(box.width * width / (xmax - xmin), box.height * height / (ymax - ymin))
    return 72 * scale * room


def laid_out_points_per_unit(ax, limits) -> float:
    """:func:`points_per_unit` measured, not estimated: the figure is laid out first (its title and colour bar in place,
    the axes off as the diagram will leave them)."""
    ax.set_axis_off()
    engine = ax.figure.get_layout_engine()
    if engine is not None:
        engine.execute(ax.figure)
    return points_per_unit(ax, limits, room=1.0)


def _arrow(ax, diagram, edge):
    arrow = patches.FancyArrowPatch(
        path=Path(drawn_path(diagram, edge)), arrowstyle="-|>", mutation_scale=12,
        linewidth=1.5 if edge.role != "conveyor" else 3.0, color=edge_colour(edge),
        linestyle="--" if edge.style == "dashed" else "-", zorder=2, shrinkA=0, shrinkB=0,
    )
    ax.add_patch(arrow)
    return arrow


def _tint(colour, background, amount):
    """``colour`` mixed into ``background`` by ``amount`` (0 = background)."""
    from matplotlib.colors import to_rgb

    a, b = np.array(to_rgb(colour)), np.array(to_rgb(background))
    return tuple(b + (a - b) * amount)


def strip_extent(node, *, height_fraction=0.42, pad=0.07) -> tuple:
    """(left, right, bottom, top) of the value strip in the lower part of ``node``."""
    left, right = node.x - node.width / 2 + pad, node.x + node.width / 2 - pad
    bottom = node.y - node.height / 2 + pad
    return left, right, bottom, bottom + (node.height - 2 * pad) * height_fraction

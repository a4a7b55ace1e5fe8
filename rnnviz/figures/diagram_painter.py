"""Paint a :class:`~rnnviz.diagrams.Diagram` on a matplotlib axes: boxes, circles, arrows and labels.

The painter decides only the look (colours by role and gate from the palette,
line widths, fonts); where things are comes from the diagram.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patches
from matplotlib.path import Path

from rnnviz.diagrams.appearance import edge_colour, edge_path, node_colour
from rnnviz.style import neutral

def paint_diagram(diagram, ax, *, fontsize=None, margin=0.4, label_shift=None, node_labels=None):
    """Draw every node, edge and label of ``diagram`` on ``ax``.

    ``label_shift`` moves the labels of nodes with a given role up by a fraction of
    their height (to make room for a value strip below the label). ``node_labels``,
    a dict, receives each node's label text by node id (for changing it later). Returns
    (patches by node id, arrows, texts, captions by node id): a caption under each
    gate names its activation (σ or tanh).
    """
    from matplotlib import rcParams

    fontsize = fontsize or rcParams["font.size"]
    xmin, xmax, ymin, ymax = diagram.bounds
    points = points_per_unit(ax, (xmin - margin, xmax + margin, ymin - margin, ymax + margin))
    background, text_colour = neutral("background"), neutral("text")
    node_patches, texts, captions = {}, [], {}
    for node in diagram.nodes:
        colour = node_colour(node)
        if node.shape == "text":
            texts.append(ax.text(node.x, node.y, node.label, ha="center", va="center",
                                 fontsize=min(fontsize * 1.2, 0.45 * points), color=text_colour))
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
            size = _fitting_size(node, points, fontsize)
            texts.append(ax.text(node.x, node.y + shift, node.label, ha="center", va="center", fontsize=size,
                                 color=text_colour, zorder=5))
            if node_labels is not None:
                node_labels[node.id] = texts[-1]
        if "activation" in node.data:
            captions[node.id] = ax.text(
                node.x, node.y - node.height / 2 - 0.08, node.data["activation"], ha="center", va="top",
                fontsize=min(0.85 * fontsize, 0.24 * points), color=text_colour, zorder=6,
                bbox={"facecolor": background, "edgecolor": "none", "pad": 1.0},
            )
    arrows = [_arrow(ax, diagram, edge) for edge in diagram.edges]
    for label in diagram.labels:
        size = min(fontsize * (0.9 if label.role in ("row", "caption") else 1.0), 0.3 * points)
        texts.append(ax.text(label.x, label.y, label.text, ha=label.anchor, va="center", color=text_colour,
                             fontsize=size, style="italic" if label.role == "equation" else "normal"))
    ax.set_xlim(xmin - margin, xmax + margin)
    ax.set_ylim(ymin - margin, ymax + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return node_patches, arrows, texts, captions


def _fitting_size(node, points, fontsize):
    """The largest font size (up to ``fontsize``) at which the node's label fits its upper part."""
    lines = node.label.split("\n")
    share = 0.75 if node.shape == "circle" else 0.45  # boxes keep their lower part for a value strip
    by_height = share * node.height * points / (1.2 * len(lines))
    by_width = 0.9 * node.width * points / (0.6 * max(len(line) for line in lines))
    return min(fontsize, by_height, by_width)


def points_per_unit(ax, limits) -> float:
    """Typographic points per diagram unit when ``limits`` (xmin, xmax, ymin, ymax) fill ``ax`` at equal aspect.

    Text is sized from this, so labels fit their boxes at any figure size and context.
    """
    width, height = ax.figure.get_size_inches()
    box = ax.get_position()
    xmin, xmax, ymin, ymax = limits
    scale = min(box.width * width / (xmax - xmin), box.height * height / (ymax - ymin))
    return 72 * scale * 0.85  # constrained layout takes some room for titles and colour bars


def _arrow(ax, diagram, edge):
    arrow = patches.FancyArrowPatch(
        path=Path(edge_path(diagram, edge)), arrowstyle="-|>", mutation_scale=12,
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


def draw_strip(ax, node, values, *, cmap, norm, name, height_fraction=0.42, pad=0.07):
    """The vector ``values`` as a row of coloured cells in the lower part of ``node``; returns the AxesImage.

    Non-finite or exploding entries are left out of the colours, the strip is crossed
    out, and a warning names ``name`` (see :mod:`rnnviz.figures.nonfinite`).
    """
    from rnnviz.figures.nonfinite import bad_values

    values = np.asarray(values, float).reshape(1, -1)
    bad = bad_values(values[0], name=name, dims=("unit",))
    left, right, bottom, top = strip_extent(node, height_fraction=height_fraction, pad=pad)
    aspect = ax.get_aspect()  # imshow would set the axes' aspect; the diagram keeps its own
    image = ax.imshow(np.ma.masked_array(values, mask=bad[None]), cmap=cmap, norm=norm, extent=(left, right, bottom, top),
                      aspect="auto", interpolation="nearest", zorder=4)
    ax.set_aspect(aspect)
    if bad.any():
        ax.plot([left, right], [bottom, top], color="#D55E00", linewidth=1.5, zorder=6)
        ax.plot([left, right], [top, bottom], color="#D55E00", linewidth=1.5, zorder=6)
    return image

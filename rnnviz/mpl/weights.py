"""Weights painted in a diagram's slots with matplotlib: a matrix as a small heatmap in a node, a scale's colour key."""

from __future__ import annotations

from matplotlib import patches

from rnnviz.mpl.strips import colour_map, norm
from rnnviz.style import neutral


def paint_heatmap(ax, node, values, scale):
    """``values`` (rows, columns) as a heatmap filling diagram ``node``'s box, outlined; returns the AxesImage."""
    left, bottom = node.x - node.width / 2, node.y - node.height / 2
    aspect = ax.get_aspect()  # imshow would set the axes' aspect; the diagram keeps its own
    image = ax.imshow(values, cmap=colour_map(scale, ax.get_facecolor()), norm=norm(scale), aspect="auto",
                      extent=(left, left + node.width, bottom, bottom + node.height), interpolation="nearest",
                      origin="upper", zorder=4)
    ax.set_aspect(aspect)
    ax.add_patch(patches.Rectangle((left, bottom), node.width, node.height, fill=False, linewidth=0.8,
                                   edgecolor=neutral("muted"), zorder=5))
    return image


def paint_key(ax, node, scale, *, decimals: int = 2):
    """The colour key of ``scale`` as a bar filling diagram ``node``'s box, its ends and 0 marked under it; returns
    the Colorbar."""
    from matplotlib.cm import ScalarMappable

    box = [node.x - node.width / 2, node.y - node.height / 2, node.width, node.height]
    cax = ax.inset_axes(box, transform=ax.transData)
    bar = ax.figure.colorbar(ScalarMappable(norm(scale), colour_map(scale, ax.get_facecolor())), cax=cax,
                             orientation="horizontal")
    ticks = [scale.low, 0.0, scale.high] if scale.two_sided else [scale.low, scale.high]
    bar.set_ticks(ticks, labels=[_signed(tick, decimals) for tick in ticks])
    bar.outline.set_linewidth(0.8)
    return bar


def _signed(value: float, decimals: int) -> str:
    return "0" if value == 0 else f"{value:+.{decimals}f}".replace("-", "−")

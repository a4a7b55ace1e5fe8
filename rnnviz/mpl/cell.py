"""A :class:`~rnnviz.views.cell.CellView` painted on a matplotlib axes: the cell diagram with a strip per node."""

from __future__ import annotations

from rnnviz.mpl.diagram import paint_diagram
from rnnviz.mpl.strips import paint_strip

LABEL_SHIFT = {"gate": 0.2, "state": 0.22, "input": 0.22, "layer": 0.22}  # labels up, over the strips


def paint_cell(view: CellView, ax, *, show_means: bool = True):
    """Paint ``view`` on ``ax``: the diagram, a strip per node; returns (strips, norms, colour maps, mean texts) by node id."""
    _, _, _, captions = paint_diagram(view.diagram, ax, label_shift=LABEL_SHIFT)
    strips, norms, cmaps, means = {}, {}, {}, {}
    for node_id, strip in view.strips.items():
        strips[node_id] = paint_strip(ax, view.diagram.node(node_id), strip, height_fraction=0.4)
        norms[node_id], cmaps[node_id] = strips[node_id].norm, strips[node_id].get_cmap()
        if show_means and strip.activation:
            captions[node_id].set_text(strip.caption)
            means[node_id] = captions[node_id]
    return strips, norms, cmaps, means

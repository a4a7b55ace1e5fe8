"""A :class:`~rnnviz.views.cell.CellView` painted on a matplotlib axes: the cell diagram with a strip per node."""

from __future__ import annotations

from rnnviz.diagrams.cells import spread
from rnnviz.mpl.diagram import axes_aspect, diagram_limits, paint_diagram
from rnnviz.mpl.strips import paint_strip

LABEL_SHIFT = {"gate": 0.2, "state": 0.22, "input": 0.22, "layer": 0.22}  # labels up, over the strips


MAX_SPREAD = 1.3  # how much wider than its own layout a cell is drawn on a wide canvas


def paint_cell(view: CellView, ax, *, show_means: bool = True, points=None, diagram=None):
    """Paint ``view`` on ``ax``: the diagram, a strip per node; returns (strips, norms, colour maps, mean texts) by node id.

    ``diagram``: the cell's geometry as drawn (default the view's; see :func:`filling_diagram`). ``points``:
    typographic points per diagram unit, when the figure's layout is known (see
    :func:`rnnviz.mpl.diagram.laid_out_points_per_unit`); by default estimated.
    """
    diagram = diagram or view.diagram
    _, _, _, captions = paint_diagram(diagram, ax, label_shift=LABEL_SHIFT, points=points)
    strips, norms, cmaps, means = {}, {}, {}, {}
    for node_id, strip in view.strips.items():
        strips[node_id] = paint_strip(ax, diagram.node(node_id), strip, height_fraction=0.4)
        norms[node_id], cmaps[node_id] = strips[node_id].norm, strips[node_id].get_cmap()
        if show_means and strip.activation:
            captions[node_id].set_text(strip.caption)
            means[node_id] = captions[node_id]
    return strips, norms, cmaps, means


def filling_diagram(view: CellView, ax):
    """The view's cell spread (up to :data:`MAX_SPREAD`) to the shape of ``ax``'s laid-out box: on a slide, wider
    gates and larger text than the cell's own layout allows."""
    xmin, xmax, ymin, ymax = diagram_limits(view.diagram)
    factor = axes_aspect(ax) / ((xmax - xmin) / (ymax - ymin))
    return spread(view.diagram, min(MAX_SPREAD, max(1.0, factor)))


def paint_cell_key(figure, view: CellView):
    """:func:`~rnnviz.views.cell.cell_key` under ``figure``: the value map's two ends, 0 faded to the background,
    each open gate in its own colour, and the not-finite hatch; returns the legend."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.patches import Patch

    from rnnviz.mpl.legends import fitting_columns
    from rnnviz.style import hatch_colour, neutral
    from rnnviz.views.cell import cell_key

    def swatches(entry):
        if entry.bad:
            return Patch(facecolor=neutral("background"), edgecolor=hatch_colour(), hatch="xxx")
        if not entry.colours:
            return Patch(facecolor=neutral("background"), edgecolor=neutral("muted"))
        patches = tuple(Patch(facecolor=colour, edgecolor=colour) for colour in entry.colours)
        return patches if len(patches) > 1 else patches[0]

    entries = cell_key(view.diagram)
    labels = [entry.label for entry in entries]
    columns = fitting_columns(figure, labels, handlelength=2.2, handles_per_entry=[len(e.colours) for e in entries])
    return figure.legend([swatches(entry) for entry in entries], labels,
                         loc="outside lower center", ncol=columns, frameon=False,
                         handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, handlelength=2.2)

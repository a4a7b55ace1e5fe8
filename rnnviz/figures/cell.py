"""One cell at one step, with its real values: every gate's activation, the states coming in and going out."""

from __future__ import annotations

from rnnviz.kinds import cell_kind
from rnnviz.mpl.cell import filling_diagram, paint_cell, paint_cell_key
from rnnviz.mpl.diagram import diagram_limits, laid_out_points_per_unit
from rnnviz.style import axes_title, new_or_given_axes
from rnnviz.views.cell import CellView, cell_view
from rnnviz.views.values import bad_values

class CellDisplay:
    """The cell diagram of a traced layer at (sample, step), each gate and state filled with its values.

    Parameters
    ----------
    view : rnnviz.views.cell.CellView
        What to paint: the diagram, each node's values, colour scale and bad-value marks
        (:func:`rnnviz.views.cell.cell_view`).
    """

    def __init__(self, *, view: CellView):
        self.view = view

    @property
    def diagram(self):
        return self.view.diagram

    @property
    def values(self) -> dict:
        """Node id -> the vector (units,) drawn in that node."""
        return {node_id: strip.values for node_id, strip in self.view.strips.items()}

    @property
    def description(self) -> str:
        return self.view.description

    @classmethod
    def from_trace(cls, trace, layer=None, *, sample: int = 0, step: int = 0):
        """Read the gates and states of ``layer`` (a name, or the first one) at ``sample``, ``step`` (input time)."""
        return cls(view=cell_view(trace, layer, sample=sample, step=step))

    @classmethod
    def from_model(cls, model, x, layer=None, *, sample: int = 0, step: int = 0):
        """Record ``model`` on ``x`` (:func:`rnnviz.record`) and draw one of its cells."""
        from rnnviz.recording.dispatch import record

        return cls.from_trace(record(model, x), layer, sample=sample, step=step)

    def plot(self, ax=None, *, title=True, show_means=True, key=True):
        """Paint the cell and its values; keeps ``figure_``, ``ax_``, ``diagram_`` (the geometry drawn: the view's, spread
        to the axes' shape), ``strips_``, ``norms_``, ``mean_texts_`` and ``key_`` (the colour key under the
        figure, with ``key``).

        Each strip's colours follow its scale in the view (fixed over the sample's steps, see
        :mod:`rnnviz.views.scales`); values that cannot be a colour are drawn in the hatch colour.
        """
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(12, 7))
        if title:  # first: the text is sized for the room the title leaves
            heading = ("Inside the cell: every gate's activation, one colour per unit" if cell_kind(self.view.kind).gates
                       else "Inside the cell: its states, one colour per unit")
            axes_title(self.ax_, heading, self.view.description)
        self.key_ = paint_cell_key(self.figure_, self.view) if key else None  # before the layout: it takes room
        laid_out_points_per_unit(self.ax_, diagram_limits(self.view.diagram))  # lays the figure out
        self.diagram_ = drawn = filling_diagram(self.view, self.ax_)
        self.strips_, self.norms_, self.cmaps_, self.mean_texts_ = paint_cell(
            self.view, self.ax_, diagram=drawn, points=laid_out_points_per_unit(self.ax_, diagram_limits(drawn)),
            show_means=show_means)
        for strip in self.view.strips.values():  # say which values are drawn marked, and where
            if strip.bad.any():
                bad_values(strip.values, name=f"{self.view.layer}: {strip.name}, sample {self.view.sample}, step "
                           f"{self.view.step}", dims=("unit",), what="cells in the hatch colour")
        return self

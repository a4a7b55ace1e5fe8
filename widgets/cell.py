"""Inside the cell at step t: the LSTM, peephole LSTM, GRU (or SimpleRNN) diagram with every gate's values."""

from __future__ import annotations

from rnnviz.kinds import CELL_KINDS
from rnnviz.mpl.cell import paint_cell, paint_cell_key
from rnnviz.mpl.strips import colour_map, masked, norm
from rnnviz.views.cell import CellReader
from rnnviz.views.values import EXPLODING_THRESHOLD
from rnnviz.widgets.trace_explorer import TraceExplorer


class CellExplorer(TraceExplorer):
    """The cell diagram of a recorded layer at step t: each gate and state a row of colours, one per unit.

    Under each gate: its activation function and the mean over units. The colour
    scales hold for every step of the sample (:mod:`rnnviz.views.scales`), so a gate
    that opens is seen to brighten; the slide figure of the same step has the same colours.

    Parameters: source, x, layer, sample, step, theme, dpi as for :class:`TraceExplorer`.
    """

    figsize = (11, 6.6)

    def __init__(self, source=None, x=None, *, layer=None, sample: int = 0, step: int = 0, theme: str = "light",
                 dpi: int = 80):
        super().__init__()
        self._start_trace(source, x, layer=layer, sample=sample, step=step, theme=theme, dpi=dpi)

    def cell_view(self):
        """The :class:`~rnnviz.views.cell.CellView` shown: the layer, sample and step of the controls."""
        return CellReader(self.trace, self.layer.value, sample=self.sample.value).view(self.step.value)

    def _draw(self, figure) -> dict:
        layer = self.layer_trace
        reader = CellReader(self.trace, layer.name, sample=self.sample.value)
        ax = figure.add_subplot()
        strips, _, _, captions = paint_cell(reader.view(self.step.value), ax)
        paint_cell_key(figure, reader.view(self.step.value))  # the colours' key, under the cell
        title = CELL_KINDS[layer.kind].title if layer.kind in CELL_KINDS else layer.kind
        units = f"{layer.units} unit{'s' * (layer.units != 1)}"
        ax.set_title(f"{layer.name}: inside the {title} cell ({units}), one colour per unit", loc="left")
        readout = ax.text(1.0, 1.01, "", transform=ax.transAxes, ha="right", va="bottom")
        artists = {"reader": reader, "diagram": reader.diagram, "strips": strips, "captions": captions, "readout": readout}
        artists["layers"] = [[*strips.values(), *captions.values(), readout]]
        self._move(artists)
        return artists

    def _move(self, artists) -> int:
        if artists["reader"].sample != self.sample.value:  # another sample: its own colour scales
            artists["reader"] = CellReader(self.trace, self.layer.value, sample=self.sample.value)
        view = artists["reader"].view(self.step.value)
        for node_id, image in artists["strips"].items():
            strip = view.strips[node_id]
            image.set_norm(norm(strip.scale))
            image.set_cmap(colour_map(strip.scale, image.axes.get_facecolor()))
            image.set_data(masked(strip))
        for node_id, caption in artists["captions"].items():
            caption.set_text(view.strips[node_id].caption)
        notes = [f"t = {view.step}, sample {view.sample}"]
        if view.masked:
            notes.append("masked: Keras keeps the previous state")
        if view.bad_strips:
            notes.append(f"not finite or beyond ±{EXPLODING_THRESHOLD:g} in {', '.join(view.bad_strips)}")
        artists["readout"].set_text("; ".join(notes))
        return 0

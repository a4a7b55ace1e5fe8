"""Inside the cell at step t: the LSTM, peephole LSTM, GRU (or SimpleRNN) diagram with every gate's values."""

from __future__ import annotations

import numpy as np

from rnnviz.figures.cell import CellDisplay, cell_values, colour_norms, diagram_of
from rnnviz.figures.nonfinite import EXPLODING_THRESHOLD, bad_values, hatch_colour
from rnnviz.kinds import CELL_KINDS
from rnnviz.widgets.trace_explorer import TraceExplorer


class CellExplorer(TraceExplorer):
    """The cell diagram of a recorded layer at step t: each gate and state a row of colours, one per unit.

    Under each gate: its activation function and the mean over units. The colour
    scales are fixed over all steps, so a gate that opens is seen to brighten.

    Parameters: source, x, layer, sample, step, theme, dpi as for :class:`TraceExplorer`.
    """

    figsize = (11, 6.6)

    def __init__(self, source=None, x=None, *, layer=None, sample: int = 0, step: int = 0, theme: str = "light",
                 dpi: int = 80):
        super().__init__()
        self._start_trace(source, x, layer=layer, sample=sample, step=step, theme=theme, dpi=dpi)

    def _draw(self, figure) -> dict:
        layer = self.layer_trace
        diagram = diagram_of(layer)
        # Drawn with zeros, then filled by _move: marks of bad values must follow the step, not stay from the first.
        zeros = {node_id: np.zeros_like(values, dtype=float)
                 for node_id, values in cell_values(layer, diagram, 0, 0).items()}
        display = CellDisplay(diagram=diagram, values=zeros)
        display.plot(figure.add_subplot(), title=False, show_means=False,
                     norms=colour_norms(diagram, _all_steps(layer, diagram, zeros)))
        for strip in display.strips_.values():  # bad values in the hatch colour
            strip.set_cmap(strip.get_cmap().with_extremes(bad=hatch_colour()))
        title = CELL_KINDS[layer.kind].title if layer.kind in CELL_KINDS else layer.kind
        display.ax_.set_title(f"{layer.name}: inside the {title} cell ({layer.units} units), one colour per unit",
                              loc="left")
        readout = display.ax_.text(1.0, 1.01, "", transform=display.ax_.transAxes, ha="right", va="bottom")
        captions = {node.id: display.captions_[node.id] for node in diagram.nodes if "gate" in node.data}
        artists = {"diagram": diagram, "strips": display.strips_, "captions": captions, "readout": readout}
        artists["layers"] = [[*display.strips_.values(), *captions.values(), readout]]
        self._move(artists)
        return artists

    def _move(self, artists) -> int:
        layer, t, sample = self.layer_trace, self.step.value, self.sample.value
        diagram = artists["diagram"]
        values = cell_values(layer, diagram, sample, t)
        bad_nodes = []
        for node_id, strip in artists["strips"].items():
            bad = bad_values(values[node_id], name=node_id, warn=False)
            shown = values[node_id]
            if bad.any():  # masked only then: a masked image is slower to draw
                shown = np.ma.masked_array(shown, mask=bad)
                bad_nodes.append(diagram.node(node_id).data.get("gate") or diagram.node(node_id).label)
            strip.set_data(shown[None])
        for node_id, caption in artists["captions"].items():
            finite = values[node_id][np.isfinite(values[node_id])]
            mean = f"mean {finite.mean():.2f}" if finite.size else "no finite value"
            caption.set_text(f"{diagram.node(node_id).data['activation']}\n{mean}")
        notes = [f"t = {t}, sample {sample}"]
        if not layer.mask[sample, t]:
            notes.append("masked: Keras keeps the previous state")
        if bad_nodes:
            notes.append(f"not finite or beyond ±{EXPLODING_THRESHOLD:g} in {', '.join(bad_nodes)}")
        artists["readout"].set_text("; ".join(notes))
        return 0


def _all_steps(layer, diagram, node_ids) -> dict:
    """Node id -> every value its strip shows, over all samples and steps: for colour scales fixed in time."""
    states = [layer.inputs, *layer.states.values(), *layer.initial_states.values()]
    pooled = np.concatenate([state.ravel() for state in states])  # inputs and states share one scale anyway
    return {node_id: layer.gates[diagram.node(node_id).data["gate"]] if "gate" in diagram.node(node_id).data else pooled
            for node_id in node_ids}

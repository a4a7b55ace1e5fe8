"""One cell at one step, with its real values: every gate's activation, the states coming in and going out."""

from __future__ import annotations

import numpy as np

from rnnviz.diagrams import cell_diagram
from rnnviz.figures.nonfinite import symmetric_limit
from rnnviz.figures.states import check_sample, check_step, select_layer
from rnnviz.style import PALETTE, axes_title, new_or_given_axes

BOUNDED = {"σ": (0.0, 1.0), "hard σ": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # other activations: limits from the values


class CellDisplay:
    """The cell diagram of a traced layer at (sample, step), each gate and state filled with its values.

    Parameters
    ----------
    diagram : rnnviz.diagrams.Diagram
    values : dict of str to ndarray
        Node id -> the vector (units,) drawn in that node.
    description : str
    """

    def __init__(self, *, diagram, values: dict, description: str = ""):
        self.diagram = diagram
        self.values = {key: np.asarray(value, float) for key, value in values.items()}
        self.description = description

    @classmethod
    def from_trace(cls, trace, layer=None, *, sample: int = 0, step: int = 0):
        """Read the gates and states of ``layer`` (a name, or the first one) at ``sample``, ``step`` (input time)."""
        layer_trace = select_layer(trace, layer)
        sample = check_sample(layer_trace, sample)
        step = check_step(layer_trace, step)
        diagram = diagram_of(layer_trace)
        reset_after = bool(layer_trace.config.get("reset_after", True))
        values = cell_values(layer_trace, diagram, sample, step)
        variant = f", reset_after={reset_after}" if layer_trace.kind == "gru" else ""
        masked = "" if layer_trace.mask[sample, step] else " (a masked step: Keras keeps the previous state)"
        description = f"{layer_trace.name} ({layer_trace.kind}{variant}, {layer_trace.units} unit{'s' * (layer_trace.units != 1)}), sample {sample}, step {step}{masked}"
        return cls(diagram=diagram, values=values, description=description)

    @classmethod
    def from_model(cls, model, x, layer=None, *, sample: int = 0, step: int = 0):
        """Record ``model`` on ``x`` (:func:`rnnviz.record`) and draw one of its cells."""
        from rnnviz.recording.record import record

        return cls.from_trace(record(model, x), layer, sample=sample, step=step)

    def plot(self, ax=None, *, title=True, state_cmap="RdBu_r", show_means=True, norms=None):
        """Paint the cell and its values; keeps ``figure_``, ``ax_``, ``patches_``, ``strips_``, ``norms_``, ``mean_texts_``.

        ``norms`` (node id -> colour scale, e.g. from :func:`colour_norms` over all
        steps) replaces the scales chosen from this step's values.
        """
        from matplotlib.colors import LinearSegmentedColormap

        from rnnviz.figures.diagram_painter import draw_strip, paint_diagram

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(12, 7))
        shift = {"gate": 0.2, "state": 0.22, "input": 0.22, "layer": 0.22}
        self.patches_, self.arrows_, self.texts_, self.captions_ = paint_diagram(self.diagram, self.ax_, label_shift=shift)
        norms = {**colour_norms(self.diagram, self.values), **(norms or {})}
        self.strips_, self.norms_, self.cmaps_, self.mean_texts_ = {}, {}, {}, {}
        background = self.ax_.get_facecolor()
        for node_id, values in self.values.items():
            node = self.diagram.node(node_id)
            gate = node.data.get("gate")
            norm = norms[node_id]
            if gate:
                cmap = (LinearSegmentedColormap.from_list(gate, ["#0072B2", background, PALETTE[gate]])
                        if gate == "candidate" else LinearSegmentedColormap.from_list(gate, [background, PALETTE[gate]]))
            else:
                cmap = state_cmap
            label = f"{node.data.get('gate') or node.label}"
            self.strips_[node_id] = draw_strip(self.ax_, node, values, cmap=cmap, norm=norm, name=label,
                                               height_fraction=0.4)
            self.norms_[node_id], self.cmaps_[node_id] = norm, self.strips_[node_id].get_cmap()
            if show_means and gate and np.isfinite(values).all():
                caption = self.captions_[node_id]
                caption.set_text(f"{caption.get_text()}\nmean {values.mean():.2f}")
                self.mean_texts_[node_id] = caption
        if title:
            axes_title(self.ax_, "Inside the cell: every gate's activation, one colour per unit", self.description)
        return self


def colour_norms(diagram, values: dict) -> dict:
    """Node id -> the colour scale of its strip, chosen from ``values`` (node id -> an array of any shape).

    States and inputs share one scale, symmetric and at least tanh's range [-1, 1]; a
    gate's scale is its activation's range ([0, 1] for σ), or for an unbounded activation
    symmetric around the gate's values. One step's values give a still figure's scales;
    all steps' keep them fixed while a view steps through time.
    """
    from matplotlib.colors import Normalize

    states = [np.ravel(value) for key, value in values.items() if "gate" not in diagram.node(key).data]
    limit = max(1.0, symmetric_limit(np.concatenate(states or [np.zeros(1)])))
    norms = {}
    for node_id, value in values.items():
        node = diagram.node(node_id)
        if "gate" not in node.data:
            norms[node_id] = Normalize(-limit, limit)
        elif node.data["activation"] in BOUNDED:
            norms[node_id] = Normalize(*BOUNDED[node.data["activation"]])
        else:
            gate_limit = symmetric_limit(value)
            norms[node_id] = Normalize(-gate_limit, gate_limit)
    return norms


def diagram_of(layer_trace):
    """The cell diagram of a traced layer, labelled with its own activations (and GRU variant)."""
    config = layer_trace.config
    return cell_diagram(layer_trace.kind, reset_after=bool(config.get("reset_after", True)),
                        activation=config.get("activation", "tanh"),
                        recurrent_activation=config.get("recurrent_activation", "sigmoid"))


def cell_values(layer_trace, diagram, sample: int, step: int) -> dict:
    """Node id -> the vector ``diagram``'s node shows for ``layer_trace`` at (sample, step): gates, x and states."""
    values = {}
    for node in diagram.nodes:
        if "gate" in node.data:
            values[node.id] = layer_trace.gates[node.data["gate"]][sample, step]
        elif node.data.get("state") == "x":
            values[node.id] = layer_trace.inputs[sample, step]
        elif "state" in node.data:
            values[node.id] = _state(layer_trace, node.data["state"], node.data["time"], sample, step)
    return values


def _state(layer_trace, name, time, sample, step):
    """The state ``name`` after ``step`` (time "current") or before it, in the order the layer ran."""
    if time == "current":
        return layer_trace.states[name][sample, step]
    previous = step + 1 if layer_trace.go_backwards else step - 1
    if 0 <= previous < layer_trace.steps:
        return layer_trace.states[name][sample, previous]
    return layer_trace.initial_states[name][sample]

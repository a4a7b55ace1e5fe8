"""What a picture of one cell at one step shows: every gate's and state's vector, its colour scale and its marks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.diagrams import cell_diagram
from rnnviz.kinds import cell_kind
from rnnviz.palette import PALETTE, VALUE_COLOURS
from rnnviz.views.scales import ONE_SIDED, ColourScale, gate_scale, state_scale
from rnnviz.views.selection import check_sample, check_step, select_layer, shown_layer_name
from rnnviz.views.values import bad_values


@dataclass(frozen=True)
class KeyEntry:
    """One entry of a cell view's colour key: its label and its swatches' colours (none: the background, outlined);
    ``bad``: the mark of a value that is not finite (each painter draws its own)."""

    label: str
    colours: tuple = ()
    bad: bool = False


def cell_key(diagram) -> list:
    """The colour key of a cell drawn from ``diagram``: the value map's two ends, 0 (and a shut gate) faded to the
    background, each gate drawn in its own colour (σ and the like) open, and a value that is not finite."""
    gates = tuple(PALETTE[node.data["gate"]] for node in diagram.find("gate")
                  if node.data.get("activation") in ONE_SIDED and node.data["gate"] in PALETTE)
    entries = [KeyEntry("value < 0", (VALUE_COLOURS["negative"],)), KeyEntry("value > 0", (VALUE_COLOURS["positive"],)),
               KeyEntry("0, or a gate shut")]
    if gates:
        entries.append(KeyEntry("a gate open: its colour", gates))
    return [*entries, KeyEntry("not finite", bad=True)]


@dataclass(frozen=True)
class StripView:
    """One node's row of colours: ``values`` (units,), ``bad`` where they cannot be a colour, its ``scale``.

    ``name`` is the gate's name or the state's label; ``activation`` the gate's
    function (None for a state); ``mean`` the mean of the good values (None if none).
    """

    node: str
    name: str
    values: np.ndarray
    bad: np.ndarray
    scale: ColourScale
    activation: str | None = None

    @property
    def mean(self) -> float | None:
        good = self.values[~self.bad]
        return float(good.mean()) if good.size else None

    @property
    def caption(self) -> str:
        """Under a gate: its activation and its value (one unit), or the mean over its units."""
        if self.mean is None:
            return f"{self.activation}\nno finite value"
        return f"{self.activation}\n{'' if len(self.values) == 1 else 'mean '}{self.mean:.2f}"


@dataclass(frozen=True)
class CellView:
    """A traced layer's cell at (sample, step): its diagram and one :class:`StripView` per gate and state."""

    diagram: object
    strips: dict
    layer: str
    kind: str
    units: int
    sample: int
    step: int
    masked: bool = False

    @property
    def title(self) -> str:
        return f"Inside the {cell_kind(self.kind).title} cell at step {self.step}"

    @property
    def description(self) -> str:
        units = f"{self.units} unit{'s' * (self.units != 1)}"
        masked = " (a masked step: Keras keeps the previous state)" if self.masked else ""
        name = shown_layer_name(self.layer, self.kind)
        layer = f"{cell_kind(self.kind).title} layer {name!r}" if name else cell_kind(self.kind).title
        return f"{layer}{self._variant}, {units}, sample {self.sample}, step {self.step}{masked}"

    @property
    def _variant(self) -> str:
        variant = self.diagram.groups.get("variant") if self.diagram.groups else None
        return f", reset_after={variant[0] == 'reset_after'}" if variant else ""

    @property
    def bad_strips(self) -> list:
        """The names of the strips holding a value that cannot be a colour."""
        return [strip.name for strip in self.strips.values() if strip.bad.any()]


def cell_view(trace, layer=None, *, sample: int = 0, step: int = 0) -> CellView:
    """The cell of ``layer`` (a name or index; default the first) at ``sample`` and ``step`` (input time)."""
    return CellReader(trace, layer, sample=sample).view(step)


class CellReader:
    """Reads one layer's cell for one sample at any step; the colour scales hold for every step of the sample."""

    def __init__(self, trace, layer=None, *, sample: int = 0):
        self.layer = select_layer(trace, layer)
        self.sample = check_sample(self.layer, sample)
        self.diagram = diagram_of(self.layer)
        self.scales = _scales(self.layer, self.diagram, self.sample)

    def view(self, step: int) -> CellView:
        layer, sample = self.layer, self.sample
        step = check_step(layer, step)
        strips = {}
        for node_id, values in node_values(layer, self.diagram, sample, step).items():
            node = self.diagram.node(node_id)
            name = node.data.get("gate") or node.label
            bad = bad_values(values, name=f"{layer.name}: {name}, sample {sample}, step {step}", warn=False)
            strips[node_id] = StripView(node_id, name, np.asarray(values, float), bad, self.scales[node_id],
                                        node.data.get("activation"))
        return CellView(self.diagram, strips, layer.name, layer.kind, layer.units, sample, step,
                        masked=not layer.mask[sample, step])


def diagram_of(layer_trace):
    """The cell diagram of a traced layer, labelled with its own activations (and GRU variant)."""
    config = layer_trace.config
    return cell_diagram(layer_trace.kind, reset_after=bool(config.get("reset_after", True)),
                        activation=config.get("activation", "tanh"),
                        recurrent_activation=config.get("recurrent_activation", "sigmoid"),
                        cell_class=config.get("cell_class", ""),
                        carried=tuple(name for name in layer_trace.state_names if name != "h"))


def node_values(layer_trace, diagram, sample: int, step: int) -> dict:
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


def state_values(layer_trace, name: str, sample: int) -> np.ndarray:
    """Every value state ``name`` takes in ``sample``: at each step, and before the first (what h_prev shows at step 0)."""
    initial = layer_trace.initial_states.get(name) if layer_trace.initial_states else None
    parts = [np.ravel(layer_trace.states[name][sample])]
    if initial is not None:
        parts.append(np.ravel(initial[sample]))
    return np.concatenate(parts)


def _scales(layer_trace, diagram, sample) -> dict:
    """Node id -> its colour scale, from every value the node takes over the sample's steps (see :mod:`.scales`)."""
    every = {"x": layer_trace.inputs[sample], **{name: state_values(layer_trace, name, sample) for name in layer_trace.states}}
    scales = {}
    for node in diagram.nodes:
        if "gate" in node.data:
            gate = node.data["gate"]
            scales[node.id] = gate_scale(gate, node.data["activation"], layer_trace.gates[gate][sample])
        elif "state" in node.data:
            scales[node.id] = state_scale(every[node.data["state"]])
    return scales

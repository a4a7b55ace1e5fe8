"""What a picture of a model unrolled through time shows: each drawn cell's state, its scale, and the inputs given.

Besides the cells' strips, it writes the values the trace holds into the nodes that stand for one number: a
per-step layer's output that a recurrent layer reads (the input minus today), and a Dense head's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rnnviz.diagrams import stages_from_trace, unrolled_diagram
from rnnviz.diagrams.architecture import DIRECTIONS, part_name, traces_named
from rnnviz.diagrams.unrolled import ROW, WRITTEN_VALUES
from rnnviz.views.cell import StripView, state_values
from rnnviz.views.scales import state_scale
from rnnviz.views.selection import check_sample
from rnnviz.views.values import bad_values

MAX_SPREAD = 2.2  # a flat diagram's rows are spread at most this far apart (times ROW) to fill a taller frame


@dataclass(frozen=True)
class UnrolledView:
    """An unrolled diagram, a :class:`~rnnviz.views.cell.StripView` per drawn cell (and LSTM cell state box), a
    label per drawn input and per drawn output of a model with an output at every step.

    Every strip of one state has the same scale (``scales[state]``: :func:`rnnviz.views.scales.state_scale` over
    the state's values at every step of the sample, in every layer drawn).
    """

    diagram: object
    strips: dict
    inputs: dict
    shows: str = ""  # what the picture shows ("Sample 0: each cell shows its state h after that step")
    scales: dict = field(default_factory=dict)
    layout: dict = field(default_factory=dict)  # unrolled_diagram's arguments for the diagram (stages, steps, ...)
    outputs: dict = field(default_factory=dict)  # node id -> what the model output at that step (written above it)
    counted: tuple = ()  # (layer, its steps): the layer whose steps the description counts

    @property
    def description(self) -> str:
        """What the picture shows, and how many of the counted layer's steps are drawn."""
        if not self.counted:
            return self.shows
        layer, steps = self.counted
        drawn = len({node.data["step"] for node in self.diagram.find("cell", layer=layer)})
        return f"{self.shows} ({steps} steps" + (f", {drawn} drawn" if steps > drawn else "") + ")"

    def with_max_steps(self, max_steps: int) -> "UnrolledView":
        """The same view with at most ``max_steps`` steps drawn per time axis (the steps kept are among those drawn:
        the first and the last, a "…" for the rest), each node keeping its values."""
        if not self.layout:
            raise ValueError("with_max_steps: this view does not say how its diagram was laid out (layout is empty)")
        layout = {**self.layout, "max_steps": max_steps}
        labels = {node.id: node.label for node in self.diagram.nodes}
        fewer = unrolled_diagram(**layout)
        missing = sorted(node.id for node in fewer.nodes if node.id not in labels and node.role != "ellipsis")
        if missing:
            raise ValueError(f"max_steps: {max_steps} draws steps this view does not hold: {missing[:3]}")
        kept = {node.id for node in fewer.nodes}
        return replace(self, diagram=replace(fewer, nodes=tuple(replace(node, label=labels.get(node.id, node.label))
                                                                for node in fewer.nodes)),
                       strips={k: v for k, v in self.strips.items() if k in kept},
                       inputs={k: v for k, v in self.inputs.items() if k in kept},
                       outputs={k: v for k, v in self.outputs.items() if k in kept}, layout=layout)

    @property
    def scale(self):
        """The colour scale of the cells' state (None when no cell is drawn); an LSTM's c has its own in ``scales``."""
        return next(iter(self.strips.values())).scale if self.strips else None

    def with_row_pitch(self, pitch: float) -> "UnrolledView":
        """The same view with its diagram's rows ``pitch`` apart (the same nodes and labels, so the same values)."""
        if not self.layout:
            raise ValueError("with_row_pitch: this view does not say how its diagram was laid out (layout is empty)")
        labels = {node.id: node.label for node in self.diagram.nodes}
        spread = unrolled_diagram(**self.layout, row_pitch=pitch)
        return replace(self, diagram=replace(spread, nodes=tuple(replace(node, label=labels[node.id])
                                                                 for node in spread.nodes)))

    def filling(self, aspect: float, margin: float = 0.0) -> "UnrolledView":
        """The view with its rows spread apart (up to MAX_SPREAD times) so its diagram, with ``margin`` around it,
        is as tall as a frame of ``aspect`` (width / height) at its width; itself if it is not flatter than that."""
        flat = _extent(self.diagram, margin)
        if not self.layout or flat[0] / flat[1] <= aspect:
            return self
        spread = _extent(self.with_row_pitch(2 * ROW).diagram, margin)  # its height grows in step with the pitch
        if spread[1] <= flat[1]:  # one row: nothing to spread
            return self
        share = (flat[0] / aspect - flat[1]) / (spread[1] - flat[1])
        return self.with_row_pitch(ROW * min(1 + share, MAX_SPREAD))


def unrolled_view(trace, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None,
                  fed_back=None) -> UnrolledView:
    """``trace`` (a :class:`~rnnviz.ModelTrace`) unrolled for one ``sample``; ``tokens`` label token inputs.

    ``fed_back`` (input name -> output layer name) names inputs that are, from the second step on, the class the
    output gave most probability one step before (a decoder writing on its own); checked on the trace's values.
    """
    check_sample(trace.layers[0], sample)
    stages = stages_from_trace(trace)
    steps = _steps(stages, trace)
    layout = {"stages": stages, "steps": steps, "max_steps": max_steps, "trace_layers": trace.layer_names,
              "fed_back": fed_back}
    diagram = unrolled_diagram(**layout)
    for given, output in (fed_back or {}).items():
        _check_fed_back(trace, stages, given, output, sample)
    cells = diagram.find("cell")
    for layer_name in {node.data["layer"] for node in cells}:
        layer = trace[layer_name]
        if state not in layer.states:
            raise ValueError(f"state: {layer.name!r} ({layer.kind}) has no state {state!r}; it has {list(layer.states)}")
    cell_states = diagram.find("state", state="c")
    scales = {state: _scale(trace, cells, state, sample), **({"c": _scale(trace, cell_states, "c", sample)}
                                                             if cell_states else {})}
    strips = {**_strips(trace, cells, state, sample, scales[state]),
              **_strips(trace, cell_states, "c", sample, scales.get("c"))}
    inputs = _input_values(diagram, stages, trace, sample, tokens)
    outputs = _output_values(diagram, trace, sample, tokens)
    first = trace.layers[0]
    shown = f"states {state} and c" if cell_states and state != "c" else f"state {state}"
    return UnrolledView(_with_values(diagram, stages, trace, sample), strips, inputs,
                        f"Sample {sample}: each cell shows its {shown} after that step", scales, layout, outputs,
                        (first.name, first.steps))


def _extent(diagram, margin) -> tuple:
    """(width, height) of ``diagram`` with ``margin`` around it."""
    xmin, xmax, ymin, ymax = diagram.bounds
    return xmax - xmin + 2 * margin, ymax - ymin + 2 * margin


def _scale(trace, nodes, state, sample):
    """The one colour scale of ``state`` in every layer ``nodes`` belong to, over every step of the sample."""
    every = [state_values(trace[name], state, sample) for name in sorted({node.data["layer"] for node in nodes})]
    return state_scale(np.concatenate(every or [np.zeros(1)]))


def _strips(trace, nodes, state, sample, scale) -> dict:
    """Node id -> a :class:`StripView` of ``state`` at the node's layer and step."""
    strips = {}
    for node in nodes:
        layer, step = trace[node.data["layer"]], node.data["step"]
        values = np.asarray(layer.states[state][sample, step], float)
        name = f"{layer.name}: state {state} at step {step}"
        strips[node.id] = StripView(node.id, name, values, bad_values(values, name=name, warn=False), scale)
    return strips


def _with_values(diagram, stages, trace, sample):
    """``diagram`` with the values of one-number nodes written in them: each step of a layer a recurrent layer reads
    (what it recorded as its input), and each output of a Dense head (the model's output)."""
    labels = {**_read_values(diagram, stages, trace, sample), **_head_values(diagram, trace, sample)}
    return replace(diagram, nodes=tuple(replace(node, label=labels[node.id]) if node.id in labels else node
                                        for node in diagram.nodes))


def _read_values(diagram, stages, trace, sample) -> dict:
    """Node id -> the value at its step of a per-step layer (one feature) that a traced recurrent layer reads."""
    labels = {}
    for stage in stages:
        traced = (traces_named((stage.name, part_name(stage.name, "forward")), trace.layer_names)
                  if stage.role == "recurrent" and stage.sources else [])
        if not traced or trace[traced[0]].inputs.shape[-1] != 1:
            continue
        given = trace[traced[0]].inputs[sample, :, 0]
        for node in diagram.find("layer", layer=stage.sources[0]):
            if node.data.get("step", len(given)) < len(given):
                labels[node.id] = format_values(given[node.data["step"]])
    return labels


def _head_values(diagram, trace, sample) -> dict:
    """Node id -> its name and value ("ŷ₁\n2.10") for each output of a Dense head, if the model outputs them."""
    outputs = diagram.find("output")
    given = None if trace.model_output is None else np.asarray(trace.model_output)[sample]
    heads = [node for node in outputs if "output" in node.data]
    if given is None or not heads or len(heads) != len(outputs) or given.shape != (len(heads),):
        return {}
    return {node.id: f"{node.label}\n{format_values(given[node.data['output']])}" for node in heads}


def _output_values(diagram, trace, sample, tokens) -> dict:
    """Node id -> the model's output at that node's step, for a model with an output at every step: a number (one
    unit), or the class it gives most probability (a softmax: its index, or ``tokens[index]``)."""
    nodes = [node for node in diagram.find("output") if "step" in node.data and "output" not in node.data]
    given = None if trace.model_output is None else np.asarray(trace.model_output)
    if not nodes or given is None or given.ndim != 3:
        return {}
    given = given[sample]
    if given.shape[-1] == 1:
        return {node.id: format_values(given[node.data["step"]]) for node in nodes if node.data["step"] < len(given)}
    if not (np.all(given >= 0) and np.allclose(given.sum(axis=-1), 1, atol=1e-3)):
        return {}
    named = tokens if tokens is not None and not isinstance(tokens, (list, tuple)) else None
    return {node.id: _class_text(int(np.argmax(given[node.data["step"]])), named)
            for node in nodes if node.data["step"] < len(given)}


def _steps(stages, trace) -> dict:
    """The length of every time axis the trace knows, by stage: each recurrent layer's, and the model's input's."""
    steps = {}
    for stage in stages:
        names = (stage.name, *(part_name(stage.name, direction) for direction in DIRECTIONS))
        traced = traces_named(names, trace.layer_names)
        if stage.role == "recurrent" and traced:
            steps[stage.name] = trace[traced[0]].steps
    inputs = [stage for stage in stages if stage.role == "input"]
    for stage in inputs:
        given = trace.model_input is not None and len(inputs) == 1 and np.ndim(trace.model_input) > 1
        steps[stage.name] = np.shape(trace.model_input)[1] if given else stage.steps or _first_steps(stage, stages, steps)
    return steps


def _first_steps(input_stage, stages, steps):
    """The steps of the first recurrent layer reading an input (for an input of unknown length)."""
    frontier = {input_stage.name}
    for stage in stages:
        if set(stage.sources) & frontier:
            if stage.name in steps:
                return steps[stage.name]
            frontier.add(stage.name)
    return None


def _input_values(diagram, stages, trace, sample, tokens):
    """Node id -> what the model was given at that step (a token, or a few numbers; the row label counts longer ones).

    An input the trace does not hold (a model of several inputs) is read where a traced recurrent layer records
    it, if one reads it directly. A one-hot step is its token: its index, or ``tokens[index]``.
    """
    values = {}
    for stage in stages:
        if stage.role != "input":
            continue
        given = _given_input(stage, stages, trace)
        if given is None:
            continue
        given = given[sample]
        if tokens is None and given.ndim > 1 and given.shape[-1] > WRITTEN_VALUES and not _one_hot(given):
            continue
        for node in diagram.find("input", layer=stage.name):
            if "step" not in node.data or node.data["step"] >= len(given):
                continue
            values[node.id] = _token(given[node.data["step"]], node.data["step"], tokens)
    return values


def _check_fed_back(trace, stages, name, fed_back, sample):
    """That input ``name`` holds, at every step after the first, the class the output layer ``fed_back`` (the
    model's one output) gave most probability one step before, in ``sample``: else a ValueError saying where not."""
    stage = next(stage for stage in stages if stage.name == name)
    given = _given_input(stage, stages, trace)
    finals = [other for other in stages if other.role not in ("input", "recurrent")
              and not any(other.name in reader.sources for reader in stages)]
    if [other.name for other in finals] != [fed_back]:
        raise ValueError(f"fed_back: {fed_back!r} must be the model's one output (its outputs: "
                         f"{[other.name for other in finals]}): the trace holds the model's output only")
    output = None if trace.model_output is None else np.asarray(trace.model_output)
    if given is None or output is None or output.ndim != 3 or output.shape[1] < given.shape[1] - 1:
        raise ValueError(f"fed_back: the trace does not hold input {name!r} and {fed_back!r} at every step, so it "
                         "cannot show that one is fed the other")
    given, output = np.asarray(given[sample]), output[sample]
    if not _one_hot(given):
        raise ValueError(f"fed_back: input {name!r} is not one-hot at every step, so it is not a class the output wrote")
    read, written = np.argmax(given[1:], axis=-1), np.argmax(output[:len(given) - 1], axis=-1)
    wrong = np.flatnonzero(read != written)
    if wrong.size:
        step = int(wrong[0]) + 1
        raise ValueError(f"fed_back: input {name!r} at step {step} is class {read[step - 1]}, but the output wrote "
                         f"class {written[step - 1]} at step {step - 1} (sample {sample}): it is not fed back")


def _given_input(stage, stages, trace):
    """The values of input ``stage`` for every sample: the model's input, or what a traced recurrent layer reading
    it directly recorded as its input; None if the trace holds neither."""
    inputs = [other for other in stages if other.role == "input"]
    if len(inputs) == 1 and trace.model_input is not None:
        return np.asarray(trace.model_input)
    for reader in stages:
        if reader.role == "recurrent" and reader.sources == (stage.name,) and reader.name in trace.layer_names:
            return np.asarray(trace[reader.name].inputs)
    return None


def _one_hot(values) -> bool:
    """Whether every step of ``values`` ((steps, features), features > 1) is one-hot: a single 1, the rest 0."""
    values = np.asarray(values)
    return (values.ndim == 2 and values.shape[-1] > 1 and bool(np.all((values == 0) | (values == 1)))
            and bool(np.all(values.sum(axis=-1) == 1)))


def _token(value, step, tokens):
    """One step's input as a label writes it: its token (``tokens`` a list or tuple: the word at each position; else
    token id -> text, for an id or a one-hot step), or its values (a one-hot step: its index)."""
    value = np.asarray(value)
    if isinstance(tokens, (list, tuple)):
        return format_values(np.asarray(tokens[step]))
    if value.ndim == 1 and _one_hot(value[None]):
        return _class_text(int(np.argmax(value)), tokens)
    if tokens is not None:
        value = np.asarray(tokens[int(value.reshape(-1)[0])])
    return format_values(value)


def _class_text(index: int, tokens) -> str:
    """A class (a one-hot index, a softmax's most probable) as a label writes it: ``tokens[index]``, or the index."""
    return format_values(np.asarray([tokens[index] if tokens is not None else index]))


def format_values(values) -> str:
    """An input as a short label: a token, up to three integers or numbers, or how many values it has."""
    values = np.atleast_1d(values)
    if values.dtype.kind in "US":
        return str(values[0])
    if values.dtype.kind in "iu":
        return " ".join(str(v) for v in values[:3])
    if values.size > 3:
        return f"{values.size} values"
    return " ".join(f"{v:.2f}" for v in values)

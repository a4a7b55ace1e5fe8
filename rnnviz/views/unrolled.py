"""What a picture of a model unrolled through time shows: each drawn cell's state, its scale, and the inputs given."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.diagrams import stages_from_trace, unrolled_diagram
from rnnviz.diagrams.unrolled import WRITTEN_VALUES
from rnnviz.views.cell import StripView, state_values
from rnnviz.views.scales import state_scale
from rnnviz.views.selection import check_sample
from rnnviz.views.values import bad_values


@dataclass(frozen=True)
class UnrolledView:
    """An unrolled diagram, a :class:`~rnnviz.views.cell.StripView` per drawn cell and a label per drawn input.

    Every strip has the same scale (:func:`rnnviz.views.scales.state_scale` over the
    state's values at every step of the sample, in every layer drawn).
    """

    diagram: object
    strips: dict
    inputs: dict
    description: str = ""

    @property
    def scale(self):
        """The one colour scale of the states (None when no cell is drawn)."""
        return next(iter(self.strips.values())).scale if self.strips else None


def unrolled_view(trace, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None) -> UnrolledView:
    """``trace`` (a :class:`~rnnviz.ModelTrace`) unrolled for one ``sample``; ``tokens`` label token inputs."""
    check_sample(trace.layers[0], sample)
    stages = stages_from_trace(trace)
    steps = _steps(stages, trace)
    diagram = unrolled_diagram(stages, steps=steps, max_steps=max_steps, trace_layers=trace.layer_names)
    cells = diagram.find("cell")
    for layer_name in {node.data["layer"] for node in cells}:
        layer = trace[layer_name]
        if state not in layer.states:
            raise ValueError(f"state: {layer.name!r} ({layer.kind}) has no state {state!r}; it has {list(layer.states)}")
    shown_layers = sorted({node.data["layer"] for node in cells})
    every = [state_values(trace[name], state, sample) for name in shown_layers]
    scale = state_scale(np.concatenate(every or [np.zeros(1)]))
    strips = {}
    for node in cells:
        layer, step = trace[node.data["layer"]], node.data["step"]
        values = np.asarray(layer.states[state][sample, step], float)
        name = f"{layer.name}: state {state} at step {step}"
        strips[node.id] = StripView(node.id, name, values, bad_values(values, name=name, warn=False), scale)
    inputs = {node_id: format_values(value) for node_id, value in _input_values(diagram, stages, trace, sample,
                                                                                  tokens).items()}
    first = trace.layers[0]
    drawn = len({node.data["step"] for node in diagram.find("cell", layer=first.name)})
    description = (
        f"{trace.model_name or 'model'}, sample {sample}: each cell shows its state {state} after that step "
        f"({first.steps} steps" + (f", {drawn} drawn" if first.steps > drawn else "") + ")"
    )
    return UnrolledView(diagram, strips, inputs, description)


def _steps(stages, trace) -> dict:
    """The length of every time axis the trace knows, by stage: each recurrent layer's, and the model's input's."""
    steps = {}
    for stage in stages:
        names = (stage.name, f"{stage.name}/forward", f"{stage.name}/backward")
        traced = [name for name in trace.layer_names if name.split("#")[0] in names]
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
    """Node id -> what the model was given at that step (a token, or a few numbers; the row label counts longer ones)."""
    inputs = [stage for stage in stages if stage.role == "input"]
    if len(inputs) != 1 or trace.model_input is None:
        return {}
    given = np.asarray(trace.model_input)[sample]
    if tokens is None and given.ndim > 1 and given.shape[-1] > WRITTEN_VALUES:
        return {}
    values = {}
    for node in diagram.find("input", layer=inputs[0].name):
        if "step" not in node.data or node.data["step"] >= len(given):
            continue
        value = given[node.data["step"]]
        if tokens is not None:
            value = np.asarray(tokens[int(value)] if not isinstance(tokens, (list, tuple)) else tokens[node.data["step"]])
        values[node.id] = value
    return values


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

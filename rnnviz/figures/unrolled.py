"""The unrolled network with its real values: each step's hidden state as a strip of colours in its cell."""

from __future__ import annotations

import numpy as np

from rnnviz.diagrams import stages_from_trace, unrolled_diagram
from rnnviz.figures.nonfinite import symmetric_limit
from rnnviz.figures.states import check_sample
from rnnviz.style import axes_title, new_or_given_axes


class UnrolledDisplay:
    """An unrolled diagram of a model, every shown cell filled with its traced state for one sample.

    Parameters
    ----------
    diagram : rnnviz.diagrams.Diagram
    states : dict of str to ndarray
        Node id -> the state vector (units,) drawn in that cell.
    inputs : dict of str to ndarray
        Node id -> the input vector (features,) written under that input.
    description : str
    """

    def __init__(self, *, diagram, states: dict, inputs: dict | None = None, description: str = ""):
        self.diagram = diagram
        self.states = {key: np.asarray(value, float) for key, value in states.items()}
        self.inputs = {key: np.asarray(value) for key, value in (inputs or {}).items()}
        self.description = description

    @classmethod
    def from_trace(cls, trace, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None):
        """Draw ``trace`` (a :class:`~rnnviz.ModelTrace`) for one ``sample``; ``tokens`` label token inputs."""
        check_sample(trace.layers[0], sample)
        stages = stages_from_trace(trace)
        steps = {stage.name: _input_steps(stage, stages, trace) for stage in stages if stage.role == "input"}
        diagram = unrolled_diagram(stages, steps=steps, max_steps=max_steps, trace_layers=trace.layer_names)
        states = {}
        for node in diagram.find("cell"):
            layer = trace[node.data["layer"]]
            if state not in layer.states:
                raise ValueError(f"state: {layer.name!r} ({layer.kind}) has no state {state!r}; it has {list(layer.states)}")
            states[node.id] = layer.states[state][sample, node.data["step"]]
        inputs = _input_values(diagram, stages, trace, sample, tokens)
        first = trace.layers[0]
        description = (
            f"{trace.model_name or 'model'}, sample {sample}: each cell shows its state {state} after that step "
            f"({first.steps} steps" + (f", {max_steps} drawn" if first.steps > max_steps else "") + ")"
        )
        return cls(diagram=diagram, states=states, inputs=inputs, description=description)

    @classmethod
    def from_model(cls, model, x, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None):
        """Record ``model`` on ``x`` (:func:`rnnviz.record`) and draw it."""
        from rnnviz.recording.record import record

        return cls.from_trace(record(model, x), sample=sample, max_steps=max_steps, state=state, tokens=tokens)

    def plot(self, ax=None, *, cmap="RdBu_r", value_range=None, title=True, colorbar=True):
        """Paint the diagram and the states; keeps ``figure_``, ``ax_``, ``patches_``, ``strips_``, ``input_texts_``."""
        from matplotlib import rcParams
        from matplotlib.colors import Normalize

        from rnnviz.figures.diagram_painter import draw_strip, paint_diagram, points_per_unit

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 6.5))
        self.patches_, self.arrows_, self.texts_, _ = paint_diagram(self.diagram, self.ax_, label_shift={"cell": 0.22})
        if value_range is None:
            values = np.concatenate([np.ravel(v) for v in self.states.values()] or [np.zeros(1)])
            limit = max(1.0, symmetric_limit(values))
            value_range = (-limit, limit)
        self.norm_ = Normalize(*value_range)
        self.strips_ = {
            node_id: draw_strip(self.ax_, self.diagram.node(node_id), values, cmap=cmap, norm=self.norm_,
                                name=f"{self.diagram.node(node_id).data['layer']}: state at step "
                                     f"{self.diagram.node(node_id).data['step']}")
            for node_id, values in self.states.items()
        }
        self.input_texts_ = {}
        size = min(0.8 * rcParams["font.size"], 0.25 * points_per_unit(self.ax_, self.ax_.get_xlim() + self.ax_.get_ylim()))
        for node_id, values in self.inputs.items():
            node = self.diagram.node(node_id)
            self.input_texts_[node_id] = self.ax_.text(node.x, node.y - node.height / 2 - 0.08, format_values(values),
                                                       ha="center", va="top", fontsize=size)
        if colorbar and self.strips_:
            self.colorbar_ = self.figure_.colorbar(next(iter(self.strips_.values())), ax=self.ax_, shrink=0.35,
                                                   fraction=0.03, pad=0.01, label="state value\n(one colour per unit)")
        if title:
            axes_title(self.ax_, "The network unrolled through time, with its real states", self.description)
        return self


def _input_steps(input_stage, stages, trace):
    """The length of an input sequence: the steps of the first traced layer that reads it."""
    frontier = {input_stage.name}
    for stage in stages:
        if set(stage.sources) & frontier:
            if stage.role == "recurrent":
                for name in (stage.name, f"{stage.name}/forward", f"{stage.name}/backward"):
                    if name in trace.layer_names:
                        return trace[name].steps
            frontier.add(stage.name)
    return input_stage.steps


def _input_values(diagram, stages, trace, sample, tokens):
    """Node id -> what the model was given at that step (a token, a number, a vector)."""
    inputs = [stage for stage in stages if stage.role == "input"]
    if len(inputs) != 1 or trace.model_input is None:
        return {}
    given = np.asarray(trace.model_input)[sample]
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

"""The unrolled network with its real values: each step's hidden state as a strip of colours in its cell."""

from __future__ import annotations

import numpy as np

from rnnviz.diagrams import stages_from_trace, unrolled_diagram
from rnnviz.diagrams.unrolled import COLUMN, WRITTEN_VALUES
from rnnviz.figures.nonfinite import symmetric_limit
from rnnviz.figures.states import check_sample
from rnnviz.style import axes_title, new_or_given_axes

MARGIN = 0.4  # around the diagram, in its units


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
    heading : str
        The title (say "untrained" here for a model that is).
    """

    HEADING = "The network unrolled through time, with its real states"

    def __init__(self, *, diagram, states: dict, inputs: dict | None = None, description: str = "",
                 heading: str = HEADING):
        self.diagram = diagram
        self.states = {key: np.asarray(value, float) for key, value in states.items()}
        self.inputs = {key: np.asarray(value) for key, value in (inputs or {}).items()}
        self.description = description
        self.heading = heading

    @classmethod
    def from_trace(cls, trace, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None):
        """Draw ``trace`` (a :class:`~rnnviz.ModelTrace`) for one ``sample``; ``tokens`` label token inputs."""
        check_sample(trace.layers[0], sample)
        stages = stages_from_trace(trace)
        steps = _steps(stages, trace)
        diagram = unrolled_diagram(stages, steps=steps, max_steps=max_steps, trace_layers=trace.layer_names)
        states = {}
        for node in diagram.find("cell"):
            layer = trace[node.data["layer"]]
            if state not in layer.states:
                raise ValueError(f"state: {layer.name!r} ({layer.kind}) has no state {state!r}; it has {list(layer.states)}")
            states[node.id] = layer.states[state][sample, node.data["step"]]
        inputs = _input_values(diagram, stages, trace, sample, tokens)
        first = trace.layers[0]
        drawn = len({node.data["step"] for node in diagram.find("cell", layer=first.name)})
        description = (
            f"{trace.model_name or 'model'}, sample {sample}: each cell shows its state {state} after that step "
            f"({first.steps} steps" + (f", {drawn} drawn" if first.steps > drawn else "") + ")"
        )
        return cls(diagram=diagram, states=states, inputs=inputs, description=description)

    @classmethod
    def from_model(cls, model, x, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None):
        """Record ``model`` on ``x`` (:func:`rnnviz.record`) and draw it."""
        from rnnviz.recording.record import record

        return cls.from_trace(record(model, x), sample=sample, max_steps=max_steps, state=state, tokens=tokens)

    def plot(self, ax=None, *, cmap="RdBu_r", value_range=None, title=True, colorbar=True):
        """Paint the diagram and the states; keeps ``figure_``, ``ax_``, ``patches_``, ``strips_``, ``input_texts_``.

        The diagram fills the axes (as wide or as tall as they are) and its text is sized
        for the figure laid out with its title and colour bar.
        """
        from matplotlib import rcParams
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        from rnnviz.figures.diagram_painter import (draw_strip, fill_width, fitting_width, laid_out_points_per_unit,
                                                   paint_diagram)

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 6.5))
        if value_range is None:
            values = np.concatenate([np.ravel(v) for v in self.states.values()] or [np.zeros(1)])
            limit = max(1.0, symmetric_limit(values))
            value_range = (-limit, limit)
        self.norm_ = Normalize(*value_range)
        if colorbar and self.states:
            self.colorbar_ = self.figure_.colorbar(ScalarMappable(self.norm_, cmap), ax=self.ax_, shrink=0.35,
                                                   fraction=0.03, pad=0.01, label="state value\n(one colour per unit)")
        if title:
            axes_title(self.ax_, self.heading, self.description)
        xmin, xmax, ymin, ymax = self.diagram.bounds
        points = laid_out_points_per_unit(self.ax_, (xmin - MARGIN, xmax + MARGIN, ymin - MARGIN, ymax + MARGIN))
        self.patches_, self.arrows_, self.texts_, _ = paint_diagram(self.diagram, self.ax_, label_shift={"cell": 0.22},
                                                                    margin=MARGIN, points=points)
        fill_width(self.ax_)  # a deep model's diagram is centred, its title over the figure
        self.strips_ = {
            node_id: draw_strip(self.ax_, self.diagram.node(node_id), values, cmap=cmap, norm=self.norm_,
                                name=f"{self.diagram.node(node_id).data['layer']}: state at step "
                                     f"{self.diagram.node(node_id).data['step']}")
            for node_id, values in self.states.items()
        }
        texts = {node_id: format_values(values) for node_id, values in self.inputs.items()}
        room = 0.92 * _spacing(self.diagram, "input")  # each text stays clear of its neighbours'
        size = min([0.8 * rcParams["font.size"], 0.3 * points, *(fitting_width(t, room, points) for t in texts.values())])
        self.input_texts_ = {}
        for node_id, text in texts.items():
            node = self.diagram.node(node_id)
            self.input_texts_[node_id] = self.ax_.text(node.x, node.y - node.height / 2 - 0.08, text, ha="center",
                                                       va="top", fontsize=size)
        return self


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


def _spacing(diagram, role) -> float:
    """The least distance between two nodes of ``role`` side by side (the room for a text under each)."""
    rows = {}
    for node in diagram.find(role):
        rows.setdefault(node.y, []).append(node.x)
    gaps = [b - a for xs in rows.values() for a, b in zip(sorted(xs), sorted(xs)[1:])]
    return min(gaps, default=COLUMN)


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

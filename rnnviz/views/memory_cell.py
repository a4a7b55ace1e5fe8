"""What the memory cell picture shows: a traced SimpleRNN's own W_x, W_h and b, and its states over the first steps.

The weights are the layer's as Keras holds them (the trace keeps them: ``kernel`` (features, units),
``recurrent_kernel`` (units, units), ``bias`` (units,)), drawn on one signed scale shared by the three; the
states are the recorded ``hₜ`` of one sample, on the scale of that sample's states at every step. Every
heatmap's columns are the layer's units, as are the states' strips: unit j of ``hₜ`` is column j of each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rnnviz.diagrams.memory_cell import memory_cell_diagram, subscript
from rnnviz.errors import InputError, check_int
from rnnviz.views.cell import StripView, state_values
from rnnviz.views.scales import signed_scale, state_scale
from rnnviz.views.selection import check_sample, select_layer
from rnnviz.views.unrolled import format_values
from rnnviz.views.values import bad_values, symmetric_limit

KERAS_NAMES = {"W_x": "kernel", "W_h": "recurrent_kernel", "b": "bias"}


@dataclass(frozen=True)
class MemoryCellView:
    """The diagram (:func:`rnnviz.diagrams.memory_cell.memory_cell_diagram`, values written in), the weights, and the
    states of the steps drawn.

    ``weights[name]`` is ``"W_x"`` (features, units), ``"W_h"`` (units, units) or ``"b"`` (units,), on
    ``weight_scale``; ``inputs`` (steps drawn, features) and ``states`` (steps drawn, units) are the sample's at
    steps 1 … ``len(states)`` (trace steps 0 …), ``initial`` its ``h₀``; ``strips`` each cell's state.
    """

    diagram: object
    weights: dict
    weight_scale: object
    inputs: np.ndarray
    initial: np.ndarray
    states: np.ndarray
    strips: dict
    state_scale: object
    layer: str
    sample: int
    total_steps: int

    @property
    def units(self) -> int:
        return self.states.shape[1]

    @property
    def steps(self) -> int:
        """How many steps are drawn unrolled."""
        return len(self.states)

    def image(self, weight: str) -> np.ndarray:
        """Weight ``weight`` as a heatmap's rows (b as one row); its columns are the units."""
        return np.atleast_2d(self.weights[weight])

    def before(self, step: int) -> np.ndarray:
        """``hₜ₋₁`` at drawn step ``step`` (0-based): the initial state, or the state after the step before."""
        return self.initial if step == 0 else self.states[step - 1]

    def terms(self, step: int) -> dict:
        """What the cell adds up at drawn step ``step`` and what it gives: ``"input"`` xₜ Wₓ, ``"recurrent"``
        hₜ₋₁ Wₕ, ``"bias"`` b, their ``"sum"``, and ``"state"`` tanh of the sum (what Keras computed, to float32)."""
        step = check_int("step", step, 0, self.steps - 1, context=f"{self.steps} steps are drawn")
        parts = {"input": self.inputs[step] @ self.weights["W_x"], "recurrent": self.before(step) @ self.weights["W_h"],
                 "bias": np.asarray(self.weights["b"], float)}
        total = parts["input"] + parts["recurrent"] + parts["bias"]
        return {**parts, "sum": total, "state": np.tanh(total)}

    @property
    def shown_unit(self) -> int:
        """The unit whose sum a picture writes out: the one the input moves most (the largest |Wₓ| column)."""
        return int(np.argmax(np.abs(self.weights["W_x"]).sum(axis=0)))

    def sum_text(self, step: int, unit: int | None = None) -> str:
        """Drawn step ``step``'s sum for one ``unit`` (default :attr:`shown_unit`), with its numbers:
        "h₃ unit 7 = tanh(x₃ Wₓ + h₂ Wₕ + b) = tanh(−0.23 + 0.21 + 0.05) = +0.03"; the last number is the recorded
        state."""
        unit = self.shown_unit if unit is None else check_int("unit", unit, 0, self.units - 1)
        terms, t = self.terms(step), step + 1
        first, *rest = (float(terms[name][unit]) for name in ("input", "recurrent", "bias"))
        parts = _number(first) + "".join(f" {'−' if value < 0 else '+'} {abs(value):.2f}" for value in rest)
        return (f"h{subscript(t)} unit {unit} = tanh(x{subscript(t)} Wₓ + h{subscript(t - 1)} Wₕ + b) = tanh({parts}) "
                f"= {_number(self.states[step, unit], signed=True)}")

    def with_steps(self, steps: int) -> "MemoryCellView":
        """The same view with only the first ``steps`` steps unrolled."""
        steps = check_int("steps", steps, 1, self.steps, context=f"this view draws {self.steps} steps")
        fewer = _written(memory_cell_diagram(steps, features=self.weights["W_x"].shape[0], units=self.units),
                         self.inputs[:steps], self.initial, self.total_steps)
        kept = {node.id for node in fewer.nodes}
        return replace(self, diagram=fewer, inputs=self.inputs[:steps], states=self.states[:steps],
                       strips={key: strip for key, strip in self.strips.items() if key in kept})


def memory_cell_view(trace, *, layer=None, sample: int = 0, steps: int = 4) -> MemoryCellView:
    """The memory cell of ``trace``'s SimpleRNN ``layer`` (default: the first recurrent layer) with its weights and,
    unrolled, its states over the first ``steps`` steps of ``sample``."""
    layer_trace = select_layer(trace, layer)
    if layer_trace.kind != "simple_rnn":
        raise InputError(f"layer: the memory cell picture draws a SimpleRNN's Wₓ, Wₕ and b; {layer_trace.name!r} is "
                         f"a {layer_trace.kind!r} layer")
    activation = layer_trace.config.get("activation", "tanh")
    missing = [keras for keras in KERAS_NAMES.values() if keras not in layer_trace.weights]
    if activation != "tanh" or missing:
        raise InputError(f"layer: the picture writes hₜ = tanh(xₜ Wₓ + hₜ₋₁ Wₕ + b); {layer_trace.name!r} has "
                         f"activation {activation!r}" + (f" and no {missing}" if missing else ""))
    sample = check_sample(layer_trace, sample)
    steps = check_int("steps", steps, 1, layer_trace.steps, context=f"the layer took {layer_trace.steps} steps")
    weights = {name: np.asarray(layer_trace.weights[keras]) for name, keras in KERAS_NAMES.items()}
    every = np.concatenate([values.ravel() for values in weights.values()])
    states = np.asarray(layer_trace.states["h"][sample, :steps])
    inputs = np.asarray(layer_trace.inputs[sample, :steps])
    initial = np.asarray(layer_trace.initial_states["h"][sample]) if "h" in layer_trace.initial_states \
        else np.zeros(layer_trace.units, states.dtype)
    scale = state_scale(state_values(layer_trace, "h", sample))
    strips = {}
    for k, values in enumerate(states):
        name = f"{layer_trace.name}: state h at step {k}"
        strips[f"cell_{k}"] = StripView(f"cell_{k}", name, values, bad_values(values, name=name, warn=False), scale)
    diagram = _written(memory_cell_diagram(steps, features=inputs.shape[-1], units=layer_trace.units), inputs,
                       initial, layer_trace.steps)
    return MemoryCellView(diagram, weights, signed_scale(symmetric_limit(every)), inputs, initial, states, strips,
                          scale, layer_trace.name, sample, layer_trace.steps)


def _written(diagram, inputs, initial, total: int):
    """``diagram`` with its values written in: each input's value, ``h₀`` (= 0 when it is), the last step's name."""
    labels = {f"x_{k}_value": format_values(value).replace("-", "−") for k, value in enumerate(inputs)}
    labels["h_0"] = "h₀ = 0" if not np.any(initial) else "h₀"
    labels["more"] = f"… h{subscript(total)}" if total > len(inputs) else ""
    return replace(diagram, nodes=tuple(replace(node, label=labels[node.id]) if node.id in labels else node
                                        for node in diagram.nodes))


def _number(value: float, *, signed: bool = False) -> str:
    return (f"{value:+.2f}" if signed else f"{value:.2f}").replace("-", "−")

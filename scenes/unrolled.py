"""``UnrolledMobject``: a traced model unrolled in time, each cell with a strip of its state that can be revealed step by step."""

from __future__ import annotations

import numpy as np
from manim import VGroup

from rnnviz.diagrams.unrolled import COLUMN
from rnnviz.scenes.painter import DiagramMobject, ValueStrip, strip_place, text
from rnnviz.views.unrolled import unrolled_view


class UnrolledMobject(VGroup):
    """The unrolled diagram of a trace (the slide figure's geometry and values), for one sample.

    ``strips[node_id]`` shows the state of that cell after its step; ``numbers[node_id]``
    (one-unit layers) its value as text; ``inputs[node_id]`` what the model was given, ``outputs[node_id]`` what it
    output at that step (``tokens`` name token inputs and classes, ``fed_back`` inputs that are the model's last
    output, as for the slide figure).
    """

    def __init__(self, trace, *, sample: int = 0, max_steps: int = 8, width: float = 12.6, height: float = 5.4,
                 tokens=None, fed_back=None):
        super().__init__()
        view = unrolled_view(trace, sample=sample, max_steps=max_steps, tokens=tokens,
                             fed_back=fed_back).filling(width / height)
        self.states = {node_id: strip.values for node_id, strip in view.strips.items()}
        self.diagram = DiagramMobject(view.diagram, label_shift={"cell": 0.22, "state": 0.22})  # over the strips
        self.strips, self.numbers = {}, {}
        for node_id, strip in view.strips.items():
            node = view.diagram.node(node_id)
            place = strip_place(node)
            if len(strip.values) == 1:  # one unit: its value as a number
                self.numbers[node_id] = text(f"{strip.values[0]:+.2f}", font_size=15).move_to(place)
                continue
            painted = ValueStrip(len(strip.values), width=node.width * 0.8, height=node.height * 0.34, scale=strip.scale)
            self.strips[node_id] = painted.move_to(place).set_values(strip.values, strip.bad)
        self.inputs = {node_id: _value_text(label, view.diagram.node(node_id), below=True)
                       for node_id, label in view.inputs.items()}
        self.outputs = {node_id: _value_text(label, view.diagram.node(node_id), below=False)
                        for node_id, label in view.outputs.items()}
        self.diagram.add(*self.strips.values(), *self.numbers.values(), *self.inputs.values(), *self.outputs.values())
        self.diagram.fit(width, height)
        self.add(self.diagram)

    def cells_at(self, step: int, layer: str | None = None) -> list:
        """The cell node ids drawn for ``step`` (of ``layer``, or every layer), bottom layer first."""
        nodes = self.diagram.diagram.find("cell", step=step, **({"layer": layer} if layer else {}))
        return [node.id for node in sorted(nodes, key=lambda node: node.y)]

    def inputs_at(self, step: int) -> list:
        return [node.id for node in self.diagram.diagram.find("input", step=step)]

    def outputs_at(self, step: int) -> list:
        """The output values that belong to ``step``: its own, and at the last drawn step those of a head on the
        last state (they exist only once every step has been taken)."""
        last = self.steps()[-1]
        return [node_id for node_id in self.outputs
                if self.diagram.diagram.node(node_id).data.get("step", last) == step]

    def steps(self) -> list:
        """The steps drawn, in order (elided ones left out)."""
        return sorted({node.data["step"] for node in self.diagram.diagram.find("cell") if "step" in node.data})

    def values_of(self, node_id: str) -> VGroup:
        """What shows the values of node ``node_id``: its strip, and its number or input text if any."""
        parts = [self.strips.get(node_id), self.numbers.get(node_id), self.inputs.get(node_id)]
        return VGroup(*[part for part in parts if part is not None])

    def skeleton(self, leave_out=()) -> VGroup:
        """Everything but the values (and but ``leave_out``): nodes, their labels, arrows, row labels."""
        values = {id(part) for node_id in self.states for part in self.values_of(node_id)}
        values |= {id(part) for part in (*self.inputs.values(), *self.outputs.values())}
        left_out = {id(part) for part in leave_out}
        return VGroup(*[part for part in self.diagram.submobjects if id(part) not in values | left_out])


def _value_text(label: str, node, *, below: bool):
    """What a node was given (``below``) or gave, written under or over it, narrower than a column."""
    written = text(label, font_size=20)
    if written.width > 0.9 * COLUMN:
        written.scale_to_fit_width(0.9 * COLUMN)
    offset = -(node.height / 2 + 0.2) if below else node.height / 2 + 0.2
    return written.move_to(np.array([node.x, node.y + offset, 0.0]))

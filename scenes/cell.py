"""``CellMobject``: a recurrent cell's diagram whose gates and states show a trace's values at any step."""

from __future__ import annotations

import numpy as np
from manim import VGroup

from rnnviz.scenes.painter import DiagramMobject, ValueStrip, strip_place
from rnnviz.views.cell import CellReader
from rnnviz.views.selection import select_layer

LABEL_SHIFT = {"gate": 0.2, "state": 0.22, "input": 0.22}


class CellMobject(VGroup):
    """The cell of a traced layer, one :class:`ValueStrip` per gate and state, driven by ``show(step)``.

    Parameters
    ----------
    views : list of rnnviz.views.cell.CellView
        The cell at each step, in order (:class:`rnnviz.views.cell.CellReader`); their
        colour scales are the same at every step, as the slide figure's and the explorer's.
    width, height : float
        The size to fit the cell into.
    """

    def __init__(self, views, *, width: float = 8.5, height: float = 5.6):
        super().__init__()
        if not views:
            raise ValueError("views: expected the cell at one step or more, got none")
        self.views = list(views)
        first = self.views[0]
        self.values = {node_id: np.stack([view.strips[node_id].values for view in self.views]) for node_id in first.strips}
        self.bad = {node_id: np.stack([view.strips[node_id].bad for view in self.views]) for node_id in first.strips}
        self.steps = len(self.views)
        self.diagram = DiagramMobject(first.diagram, label_shift=LABEL_SHIFT)
        self.strips = {}
        for node_id, strip in first.strips.items():
            node = first.diagram.node(node_id)
            painted = ValueStrip(len(strip.values), width=node.width * 0.86, height=node.height * 0.36, scale=strip.scale)
            self.strips[node_id] = painted.move_to(strip_place(node))
        self.diagram.add(*self.strips.values())  # part of the diagram's group: scaled with it
        self.diagram.fit(width, height)
        self.add(self.diagram)
        self.show(0)

    @classmethod
    def from_trace(cls, trace, layer=None, *, sample: int = 0, max_steps: int | None = None, **kwargs):
        """The first ``max_steps`` steps (default: all) of ``layer`` (default: the first) for ``sample``."""
        count = select_layer(trace, layer).steps
        count = count if max_steps is None else min(max_steps, count)
        reader = CellReader(trace, layer, sample=sample)
        return cls([reader.view(step) for step in range(count)], **kwargs)

    def step_at(self, time: float) -> int:
        """The recorded step shown at animation time ``time`` (in steps): the next step as soon as the clock
        leaves the previous one, so every frame shows one step's recorded values, never a blend of two."""
        return int(np.clip(np.ceil(float(time) - 1e-6), 0, self.steps - 1))

    def show(self, time: float):
        """Set every strip to its values at the step shown at ``time`` (:meth:`step_at`)."""
        self.step = step = self.step_at(time)
        for node_id, strip in self.strips.items():
            strip.set_values(self.values[node_id][step], self.bad[node_id][step])
        return self

    def get_gate(self, name: str) -> VGroup:
        """The gate's box and its strip."""
        matches = [node.id for node in self.diagram.diagram.nodes if node.data.get("gate") == name]
        if not matches:
            gates = sorted({n.data["gate"] for n in self.diagram.diagram.nodes if "gate" in n.data})
            raise KeyError(f"name: no gate {name!r} in this cell; expected one of {gates}")
        return VGroup(self.diagram.get_node(matches[0]), self.strips[matches[0]])

    def get_strip(self, node_id: str) -> ValueStrip:
        return self.strips[node_id]

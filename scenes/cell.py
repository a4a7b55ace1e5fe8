"""``CellMobject``: a recurrent cell's diagram whose gates and states show a trace's values at any step."""

from __future__ import annotations

import numpy as np
from manim import VGroup

from rnnviz.figures.nonfinite import symmetric_limit
from rnnviz.style import PALETTE
from rnnviz.scenes.painter import DiagramMobject, ValueStrip, strip_place

LABEL_SHIFT = {"gate": 0.2, "state": 0.22, "input": 0.22}
BOUNDED = ("σ", "hard σ")  # gates whose activations lie in [0, 1]


class CellMobject(VGroup):
    """The cell of a traced layer, one :class:`ValueStrip` per gate and state, driven by ``show(step)``.

    Parameters
    ----------
    diagram : rnnviz.diagrams.Diagram
        The cell's geometry (``rnnviz.diagrams.cell_diagram``).
    values : dict
        Node id -> (steps, units) array: the vector that node shows at each step.
    width, height : float
        The size to fit the cell into.
    """

    def __init__(self, diagram, values: dict, *, width: float = 8.5, height: float = 5.6):
        super().__init__()
        self.values = {node_id: np.asarray(series, float) for node_id, series in values.items()}
        self.steps = len(next(iter(self.values.values())))
        self.diagram = DiagramMobject(diagram, label_shift=LABEL_SHIFT)
        # Each state (h, c, x) at full strength for its own largest value in the trace: h stays
        # visible beside a cell state several times larger.
        by_state = {}
        for node_id, series in self.values.items():
            state = diagram.node(node_id).data.get("state")
            if state:
                by_state.setdefault(state, []).append(series.ravel())
        limits = {state: symmetric_limit(np.concatenate(parts)) for state, parts in by_state.items()}
        self.strips = {}
        for node_id, series in self.values.items():
            node = diagram.node(node_id)
            gate = node.data.get("gate")
            signed = not (gate and node.data.get("activation") in BOUNDED)
            colour = PALETTE.get(gate, PALETTE["h"])
            strip = ValueStrip(series.shape[1], width=node.width * 0.86, height=node.height * 0.36, colour=colour,
                               signed=signed, limit=_limit(node, series, limits))
            self.strips[node_id] = strip.move_to(strip_place(node))
        self.diagram.add(*self.strips.values())  # part of the diagram's group: scaled with it
        self.diagram.fit(width, height)
        self.add(self.diagram)
        self.step = 0.0
        self.show(0)

    @classmethod
    def from_trace(cls, trace, layer=None, *, sample: int = 0, max_steps: int | None = None, **kwargs):
        """The first ``max_steps`` steps (default: all) of ``layer`` (default: the first) for ``sample``.

        Each step is read as the slide figure (:class:`~rnnviz.figures.cell.CellDisplay`) reads it.
        """
        from rnnviz.figures.cell import CellDisplay
        from rnnviz.figures.states import select_layer

        count = select_layer(trace, layer).steps
        count = count if max_steps is None else min(max_steps, count)
        displays = [CellDisplay.from_trace(trace, layer, sample=sample, step=t) for t in range(count)]
        first = displays[0]
        values = {node_id: np.stack([display.values[node_id] for display in displays]) for node_id in first.values}
        return cls(first.diagram, values, **kwargs)

    def value_at(self, node_id: str, step: float) -> np.ndarray:
        """What node ``node_id`` shows at ``step``: between two steps, the values blend linearly."""
        series = self.values[node_id]
        step = float(np.clip(step, 0, self.steps - 1))
        below = int(np.floor(step))
        above = min(below + 1, self.steps - 1)
        share = step - below
        return series[below] * (1 - share) + series[above] * share

    def show(self, step: float):
        """Set every strip to its values at ``step`` (a float: in between steps the values blend)."""
        self.step = step
        for node_id, strip in self.strips.items():
            strip.set_values(self.value_at(node_id, step))
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


def _limit(node, series, state_limits) -> float:
    """Full strength at: 1 for σ and tanh gates, the state's largest value, or (other activations) the gate's own."""
    if "gate" not in node.data:
        return state_limits[node.data["state"]]
    return 1.0 if node.data.get("activation") in (*BOUNDED, "tanh") else symmetric_limit(series)


"""The general memory cell, folded (left) and unrolled over a few steps (right), with room for its weights.

Folded: the cell ``f`` reads ``xₜ`` from below and its own last state ``hₜ₋₁`` through a loop, and gives
``yₜ`` above. Beside the input's arrow sits a slot for ``Wₓ``, beside the loop one for ``Wₕ``, beside the
cell one for ``b`` (nodes of role ``"weights"``, ``data["weight"]``: their name): a painter draws each
weight there as a small heatmap. Unrolled: ``h₀`` and one cell per step, each step's input arrow, recurrent
arrow and cell with slots for small copies of the same three weights (``data["step"]``). Two more slots
(role ``"key"``) hold the colour keys of the weights and of the states. Values are left out (empty labels
of the input values, ``h₀`` and the "…" to the last step): a view writes them.
"""

from __future__ import annotations

from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node
from rnnviz.diagrams.unrolled import SUBSCRIPTS

CELL = (1.7, 1.0)
IO = (1.0, 0.55)
PITCH = 2.9  # between the unrolled steps
FIRST = 10.9  # x of the first unrolled cell
INPUT_Y, OUTPUT_Y = -2.3, 2.0
INPUT_OFFSET = -0.3  # an input's arrow enters its cell left of the centre (the folded loop enters right of it)
UNROLLED_LEFT = FIRST - PITCH - 0.6  # everything of the folded cell lies left of this, its equations' anchors too
KEY_Y = -3.45  # the colour keys' row
WEIGHT_NAMES = ("W_x", "W_h", "b")
WRITTEN = {"W_x": "Wₓ", "W_h": "Wₕ", "b": "b"}  # each weight's name as written
GENERAL = "any memory cell:  hₜ = f(hₜ₋₁, xₜ)"
SIMPLE_RNN = "SimpleRNN:  f = tanh(xₜ Wₓ + hₜ₋₁ Wₕ + b),  yₜ = hₜ"
SHARED = "the same Wₓ, Wₕ and b at every step"


def subscript(number: int) -> str:
    return str(number).translate(SUBSCRIPTS)


def memory_cell_diagram(steps: int = 4, *, features: int = 1, units: int = 32) -> Diagram:
    """The folded cell and ``steps`` steps of it unrolled (steps 1 … ``steps``); ``features`` and ``units`` name the
    weights' shapes in their captions."""
    if steps < 1:
        raise ValueError(f"steps: expected at least 1, got {steps}")
    nodes, edges, labels = _folded(features, units)
    cells = [FIRST + PITCH * k for k in range(steps)]
    nodes.append(Node("h_0", cells[0] - PITCH + 0.3, 0.0, 1.3, IO[1], "state", "", data={"state": "h", "step": -1}))
    previous = "h_0"
    for k, x in enumerate(cells):
        cell = f"cell_{k}"
        nodes += [
            Node(cell, x, 0.0, *CELL, "cell", f"h{subscript(k + 1)}", data={"kind": "simple_rnn", "step": k}),
            Node(f"x_{k}", x + INPUT_OFFSET, INPUT_Y, *IO, "input", f"x{subscript(k + 1)}", data={"step": k}),
            Node(f"x_{k}_value", x + INPUT_OFFSET, INPUT_Y - 0.55, 1.4, 0.4, "value", shape="text", data={"step": k}),
            _slot("W_x", x - 1.05, -1.1, 0.9, 0.18, step=k),
            _slot("W_h", x - PITCH / 2, 0.6, 0.6, 0.6, step=k),
            _slot("b", x, 1.05, 1.2, 0.18, step=k),
        ]
        edges += [Edge(f"x_{k}", cell, "input"), Edge(previous, cell, "recurrent"), Edge(f"b_{k}", cell, "flow")]
        labels += [Label("Wₓ", x - 1.05, -1.45), Label("Wₕ", x - PITCH / 2, 1.2), Label("b", x, 1.4)]
        previous = cell
    nodes.append(Node("more", cells[-1] + 2.0, 0.0, 1.2, 0.5, "ellipsis", "…", shape="text"))
    edges.append(Edge(previous, "more", "recurrent"))
    nodes.append(_key("states", (cells[0] + cells[-1]) / 2 + 0.6, max(cells[-1] - cells[0], PITCH)))
    labels += [Label("state hₜ", cells[0] - 1.2, KEY_Y, anchor="right", width=1.4),
               Label(SHARED, (cells[0] - PITCH + cells[-1]) / 2, 1.95)]
    return Diagram("memory_cell", tuple(nodes), tuple(edges), tuple(labels))


def _folded(features: int, units: int) -> tuple:
    """The folded cell's nodes, edges and labels (lists), the weights' slots beside its arrows."""
    x = 3.2
    nodes = [
        Node("cell", x, 0.0, *CELL, "cell", "f", data={"kind": "simple_rnn"}),
        Node("x", x + INPUT_OFFSET, INPUT_Y, *IO, "input", "xₜ"),
        Node("y", x, OUTPUT_Y, *IO, "output", "yₜ"),
        _slot("W_x", 1.75, -1.15, 1.5, 0.25),
        _slot("W_h", 6.15, -0.5, 1.8, 1.8),
        _slot("b", 1.0, 0.0, 1.5, 0.25),
        _key("weights", 3.9, 4.2),
    ]
    loop = Edge("cell", "cell", "recurrent", points=((x + 1.5, 0.0), (x + 1.5, -1.2), (x + 0.4, -1.2)))
    edges = [Edge("x", "cell", "input"), loop, Edge("cell", "y", "flow"), Edge("b", "cell", "flow")]
    labels = [
        Label(GENERAL, 0.25, 3.35, "equation", "left"),
        Label(SIMPLE_RNN, 0.25, 2.85, "equation", "left"),
        Label("hₜ", x + 1.2, 0.3),
        Label("hₜ₋₁", x + 0.95, -1.5),
        Label(f"Wₓ  {features} × {units}", 1.75, -1.55),
        Label(f"Wₕ  {units} × {units}", 6.15, 0.7),
        Label(f"b  {units}", 1.0, 0.4),
        Label("weights", 1.65, KEY_Y, anchor="right", width=1.4),
    ]
    return nodes, edges, labels


def _slot(weight: str, x: float, y: float, width: float, height: float, *, step: int | None = None) -> Node:
    """Where weight ``weight`` is drawn as a heatmap (at ``step`` of the unrolled cell, or beside the folded one)."""
    node_id = weight if step is None else f"{weight}_{step}"
    return Node(node_id, x, y, width, height, "weights", shape="text",
                data={"weight": weight, **({} if step is None else {"step": step})})


def _key(what: str, x: float, width: float) -> Node:
    """Where the colour key of ``what`` (``"weights"`` or ``"states"``) is drawn: a bar, its ticks under it."""
    return Node(f"{what}_key", x, KEY_Y, width, 0.2, "key", shape="text", data={"key": what})

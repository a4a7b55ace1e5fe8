"""Cell diagrams in Olah's conventions: states along the top, gates as layer boxes, pointwise operations as circles.

Each diagram follows the equations the cell computes (Keras's LSTM and GRU, our
PeepholeLSTM), so a node's ``data`` names the gate or state whose traced value
belongs there. Keras's GRU keeps the previous state where the update gate is
open: ``h_t = z ⊙ h_{t-1} + (1 - z) ⊙ candidate``; with ``reset_after=True`` the
reset gate multiplies ``U h_{t-1} + b`` after the product, otherwise it
multiplies ``h_{t-1}`` before it.
"""

from __future__ import annotations

from dataclasses import replace

from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node
from rnnviz.kinds import cell_kind

GATE = (1.35, 1.0)
OPERATION = (0.62, 0.62)
STATE = (1.3, 0.75)
CARRIED_ROW = 1.2  # between the rows of the states a cell of one's own carries besides h
SYMBOLS = {"sigmoid": "σ", "hard_sigmoid": "hard σ"}


def cell_diagram(kind: str, *, reset_after: bool = True, activation: str = "tanh",
                 recurrent_activation: str = "sigmoid", cell_class: str = "", carried: tuple = ()) -> Diagram:
    """The cell of ``kind`` (``"simple_rnn"``, ``"lstm"``, ``"peephole_lstm"``, ``"gru"``, or ``"custom"``: a
    box labelled ``cell_class``, reading and giving the states it ``carried`` besides h, e.g. ``("state2",)``).

    ``activation`` and ``recurrent_activation`` are the layer's (as in its Keras
    config): they label the candidate and the gates.
    """
    names = {"candidate": _symbol(activation), "gate": _symbol(recurrent_activation), "cell": cell_class or "cell"}
    builders = {"simple_rnn": _simple_rnn, "lstm": _lstm, "peephole_lstm": lambda names: _lstm(names, peepholes=True),
                "gru": lambda names: _gru(names, reset_after), "generic": lambda names: _generic(names, carried)}
    diagram = cell_kind(kind).diagram  # a ValueError naming the known kinds
    return builders[diagram](names)


def spread(diagram: Diagram, factor: float, centre: float = 5.0) -> Diagram:
    """The cell drawn ``factor`` times as wide: every x moved that much further from ``centre``, the gates widened
    with it (room for their names), circles and state boxes kept. For a canvas wider than the cell's layout."""
    def x(value):
        return centre + (value - centre) * factor

    nodes = tuple(replace(node, x=x(node.x), width=node.width * (factor if node.role == "gate" else 1.0))
                  for node in diagram.nodes)
    edges = tuple(replace(edge, points=tuple((x(px), py) for px, py in edge.points)) for edge in diagram.edges)
    labels = tuple(replace(label, x=x(label.x)) for label in diagram.labels)
    return replace(diagram, nodes=nodes, edges=edges, labels=labels)


def _symbol(activation) -> str:
    """σ for the sigmoid, else the activation's name (a custom one, serialised as a dict, by its class name)."""
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name") or activation.get("class_name", "activation")
    return SYMBOLS.get(activation, str(activation))


def _gate(name, x, y, names):
    activation = names["candidate"] if name == "candidate" else names["gate"]
    return Node(name, x, y, *GATE, "gate", name, data={"gate": name, "activation": activation})


def _operation(node_id, x, y, symbol):
    return Node(node_id, x, y, *OPERATION, "operation", symbol, "circle")


def _state(node_id, x, y, state, when):
    label = f"{state}{'ₜ₋₁' if when == 'previous' else 'ₜ'}"
    return Node(node_id, x, y, *STATE, "state", label, data={"state": state, "time": when})


def _input(y: float = -1.3):
    return Node("x", 1.2, y, *STATE, "input", "xₜ", data={"state": "x", "time": "current"})


def _simple_rnn(names):
    box = Node("activation", 5.0, 2.0, 1.4, 0.8, "layer", names["candidate"], data={"state": "h", "time": "current"})
    return _one_box("simple_rnn", box, f"hₜ = {names['candidate']}(W xₜ + U hₜ₋₁ + b)")


def _generic(names, carried=()):
    """A cell rnnviz has no equations for: one box, its class, reading xₜ, hₜ₋₁ and each state it ``carried``
    besides h (one row each, above h's) and giving hₜ and those states."""
    box = Node("cell", 5.0, 2.0, max(2.4, 0.22 * len(names["cell"])), 0.8, "layer", names["cell"],
               data={"state": "h", "time": "current"})
    given = ", ".join(["hₜ₋₁", *(f"{state}ₜ₋₁" for state in carried)])
    result = ", ".join(["hₜ", *(f"{state}ₜ" for state in carried)])
    result = f"({result})" if carried else result
    diagram = _one_box("generic", box, f"{result} = {names['cell']}(xₜ, {given}): its own call, no gates known")
    nodes, edges = list(diagram.nodes), list(diagram.edges)
    for row, state in enumerate(carried, 1):
        y = box.y + CARRIED_ROW * row
        nodes += [_state(f"{state}_in", -1.0, y, state, "previous"), _state(f"{state}_out", 11.0, y, state, "current")]
        edges += [Edge(f"{state}_in", box.id, "flow", points=((box.x - box.width / 4, y),)),  # not h's colour
                  Edge(box.id, f"{state}_out", "flow", points=((box.x + box.width / 4, y),))]
    (equation,) = diagram.labels
    return replace(diagram, nodes=tuple(nodes), edges=tuple(edges),
                   labels=(replace(equation, y=equation.y + CARRIED_ROW * len(carried)),))


def _one_box(name, box, equation):
    """hₜ₋₁ and xₜ joined into one ``box`` that gives hₜ."""
    nodes = (
        _state("h_in", -1.0, 2.0, "h", "previous"),
        _input(),
        Node("join", 1.2, 2.0, 0.16, 0.16, "junction", shape="circle"),
        box,
        _state("h_out", 11.0, 2.0, "h", "current"),
    )
    edges = (
        Edge("h_in", "join", "state"),
        Edge("x", "join", "input"),
        Edge("join", box.id, "flow"),
        Edge(box.id, "h_out", "state"),
    )
    return Diagram(name, nodes, edges, (Label(equation, 5.0, 4.0, role="equation"),))


def _lstm(names, peepholes=False):
    top, gates_y, low = 5.0, 2.4, 0.9
    nodes = [
        _state("c_in", -1.0, top, "c", "previous"),
        _state("c_out", 11.0, top, "c", "current"),
        _state("h_in", -1.0, low, "h", "previous"),
        _state("h_out", 11.0, low, "h", "current"),
        Node("h_up", 9.4, top + 1.3, *STATE, "state", "hₜ", data={"state": "h", "time": "current"}),
        _input(-0.9),
        Node("join", 1.2, low, 0.16, 0.16, "junction", shape="circle"),
        _gate("forget", 2.2, gates_y, names),
        _gate("input", 3.7, gates_y, names),
        _gate("candidate", 5.2, gates_y, names),
        _gate("output", 6.9, gates_y, names),
        _operation("forget_times", 2.2, top, "×"),
        _operation("plus", 5.2, top, "+"),
        _operation("input_times", 5.2, 3.75, "×"),
        Node("c_tanh", 8.4, 3.75, 0.9, 0.55, "operation", names["candidate"], "circle"),
        Node("c_tap", 8.4, top, 0.16, 0.16, "junction", shape="circle"),  # where hₜ reads cₜ off the conveyor
        _operation("output_times", 8.4, gates_y, "×"),
    ]
    edges = [
        Edge("c_in", "forget_times", "conveyor"),
        Edge("forget_times", "plus", "conveyor"),
        Edge("plus", "c_out", "conveyor"),
        Edge("h_in", "join", "state"),
        Edge("x", "join", "input"),
        *(Edge("join", gate, "flow", points=((x, low),)) for gate, x in (("forget", 2.2), ("input", 3.7),
                                                                          ("candidate", 5.2), ("output", 6.9))),
        Edge("forget", "forget_times", "gate"),
        Edge("input", "input_times", "gate", points=((3.7, 3.75),)),
        Edge("candidate", "input_times", "gate"),
        Edge("input_times", "plus", "flow"),
        Edge("c_tap", "c_tanh", "tap"),
        Edge("c_tanh", "output_times", "flow"),
        Edge("output", "output_times", "gate"),
        Edge("output_times", "h_out", "state", points=((8.4, low), (9.4, low))),
        Edge("output_times", "h_up", "state", points=((8.4, low), (9.4, low))),
    ]
    labels = [Label("cell state", 3.7, top + 0.55, role="caption")]
    if peepholes:  # taps on the conveyor (junction dots), so a peephole never reads as an arrow along it
        nodes += [Node("c_tap_in", 0.5, top, 0.16, 0.16, "junction", shape="circle"),
                  Node("c_tap_out", 9.9, top, 0.16, 0.16, "junction", shape="circle")]
        edges += [
            # each enters its gate off the gate's own output wire (side or off-centre), never along it
            Edge("c_tap_in", "forget", "peephole", points=((0.5, gates_y),), style="dashed"),
            Edge("c_tap_in", "input", "peephole", points=((0.5, 3.4), (3.35, 3.4)), style="dashed"),
            Edge("c_tap_out", "output", "peephole", points=((9.9, 3.1), (7.25, 3.1)), style="dashed"),
        ]
        labels += [Label("peephole", 0.6, 4.2, role="caption", anchor="left", width=1.5),
                   Label("peephole", 10.0, 4.2, role="caption", anchor="left", width=1.5),
                   Label("peepholes: the gates also see the cell state", 5.6, -0.9, role="caption")]
    return Diagram("peephole_lstm" if peepholes else "lstm", tuple(nodes), tuple(edges), tuple(labels))


def _gru(names, reset_after):
    """Update gate left (it keeps the old state on the top line), reset gate beside it feeding the candidate's
    recurrent part, candidate right; no wire runs under another gate's caption."""
    top, gates_y, low = 5.0, 2.4, 0.9
    update_x, reset_x, mix_x, candidate_x = 2.4, 4.0, 5.8, 7.4
    nodes = [
        _state("h_in", -1.0, top, "h", "previous"),
        _state("h_out", 11.0, top, "h", "current"),
        Node("h_up", 9.4, top + 1.3, *STATE, "state", "hₜ", data={"state": "h", "time": "current"}),
        _input(),
        Node("join", 1.2, low, 0.16, 0.16, "junction", shape="circle"),
        _gate("update", update_x, gates_y, names),
        _gate("reset", reset_x, gates_y, names),
        _gate("candidate", candidate_x, gates_y, names),
        _operation("keep_times", update_x, top, "×"),
        _operation("plus", candidate_x, top, "+"),
        _operation("one_minus", mix_x, 3.75, "1−"),
        _operation("new_times", candidate_x, 3.75, "×"),
        _operation("reset_times", mix_x, gates_y, "×"),
    ]
    h_below = ((0.3, top), (0.3, -0.35), (mix_x, -0.35))  # h_{t-1} down the left side and along the bottom
    edges = [
        Edge("h_in", "keep_times", "state"),
        Edge("keep_times", "plus", "state"),
        Edge("plus", "h_out", "state"),
        Edge("plus", "h_up", "state", points=((9.4, top),)),
        Edge("h_in", "join", "state", points=((0.3, top), (0.3, low))),
        Edge("x", "join", "input"),
        Edge("join", "update", "flow", points=((update_x, low),)),
        Edge("join", "reset", "flow", points=((reset_x, low),)),
        Edge("update", "keep_times", "gate"),
        Edge("update", "one_minus", "gate", points=((update_x, 3.75),)),
        Edge("one_minus", "new_times", "gate"),
        Edge("candidate", "new_times", "gate"),
        Edge("new_times", "plus", "flow"),
        Edge("reset", "reset_times", "gate"),
        Edge("reset_times", "candidate", "flow"),
        Edge("x", "candidate", "input", points=((1.2, -0.9), (candidate_x, -0.9))),
    ]
    if reset_after:  # candidate = tanh(W x + r ⊙ (U h + b))
        nodes.append(Node("recurrent_product", mix_x, 1.2, 1.1, 0.6, "layer", "U·h+b"))
        edges += [Edge("h_in", "recurrent_product", "state", points=h_below),
                  Edge("recurrent_product", "reset_times", "flow")]
        equation = f"reset_after=True:\ncandidate = {names['candidate']}(W xₜ + r ⊙ (U hₜ₋₁ + b))"
    else:  # candidate = tanh(W x + U (r ⊙ h))
        edges.append(Edge("h_in", "reset_times", "state", points=h_below))
        equation = f"reset_after=False:\ncandidate = {names['candidate']}(W xₜ + U (r ⊙ hₜ₋₁))"
    labels = (
        Label("hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ candidate", 5.0, top + 1.0, role="equation"),
        Label(equation, 2.2, -1.45, role="equation", anchor="left"),  # right of x_t, clear of its box
    )
    return Diagram("gru", tuple(nodes), tuple(edges), labels, {"variant": ("reset_after" if reset_after else "reset_before",)})

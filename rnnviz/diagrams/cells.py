"""Cell diagrams in Olah's conventions: states along the top, gates as layer boxes, pointwise operations as circles.

Each diagram follows the equations the cell computes (Keras's LSTM and GRU, our
PeepholeLSTM), so a node's ``data`` names the gate or state whose traced value
belongs there. Keras's GRU keeps the previous state where the update gate is
open: ``h_t = z ⊙ h_{t-1} + (1 - z) ⊙ candidate``; with ``reset_after=True`` the
reset gate multiplies ``U h_{t-1} + b`` after the product, otherwise it
multiplies ``h_{t-1}`` before it.
"""

from __future__ import annotations

from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node

GATE = (1.35, 1.0)
OPERATION = (0.62, 0.62)
STATE = (1.3, 0.75)
ACTIVATIONS = {"input": "σ", "forget": "σ", "output": "σ", "update": "σ", "reset": "σ", "candidate": "tanh"}


def cell_diagram(kind: str, *, reset_after: bool = True) -> Diagram:
    """The cell of ``kind`` (``"simple_rnn"``, ``"lstm"``, ``"peephole_lstm"``, ``"gru"``)."""
    builders = {"simple_rnn": _simple_rnn, "lstm": _lstm, "peephole_lstm": lambda: _lstm(peepholes=True),
                "gru": lambda: _gru(reset_after)}
    if kind not in builders:
        raise ValueError(f"kind: no cell diagram for {kind!r}; expected one of {sorted(builders)}")
    return builders[kind]()


def _gate(name, x, y):
    return Node(name, x, y, *GATE, "gate", name, data={"gate": name, "activation": ACTIVATIONS[name]})


def _operation(node_id, x, y, symbol):
    return Node(node_id, x, y, *OPERATION, "operation", symbol, "circle")


def _state(node_id, x, y, state, when):
    label = f"{state}{'ₜ₋₁' if when == 'previous' else 'ₜ'}"
    return Node(node_id, x, y, *STATE, "state", label, data={"state": state, "time": when})


def _input():
    return Node("x", 1.2, -1.3, *STATE, "input", "xₜ", data={"state": "x", "time": "current"})


def _simple_rnn():
    nodes = (
        _state("h_in", -1.0, 2.0, "h", "previous"),
        _input(),
        Node("join", 1.2, 2.0, 0.16, 0.16, "junction", shape="circle"),
        Node("activation", 5.0, 2.0, 1.4, 0.8, "layer", "tanh", data={"state": "h", "time": "current"}),
        _state("h_out", 11.0, 2.0, "h", "current"),
    )
    edges = (
        Edge("h_in", "join", "state"),
        Edge("x", "join", "input"),
        Edge("join", "activation", "flow"),
        Edge("activation", "h_out", "state"),
    )
    labels = (Label("hₜ = tanh(W xₜ + U hₜ₋₁ + b)", 5.0, 4.0, role="equation"),)
    return Diagram("simple_rnn", nodes, edges, labels)


def _lstm(peepholes=False):
    top, gates_y, low = 5.0, 2.4, 0.9
    nodes = [
        _state("c_in", -1.0, top, "c", "previous"),
        _state("c_out", 11.0, top, "c", "current"),
        _state("h_in", -1.0, low, "h", "previous"),
        _state("h_out", 11.0, low, "h", "current"),
        Node("h_up", 9.4, top + 1.6, *STATE, "state", "hₜ", data={"state": "h", "time": "current"}),
        _input(),
        Node("join", 1.2, low, 0.16, 0.16, "junction", shape="circle"),
        _gate("forget", 2.2, gates_y),
        _gate("input", 3.7, gates_y),
        _gate("candidate", 5.2, gates_y),
        _gate("output", 6.9, gates_y),
        _operation("forget_times", 2.2, top, "×"),
        _operation("plus", 5.2, top, "+"),
        _operation("input_times", 5.2, 3.75, "×"),
        Node("c_tanh", 8.4, 3.75, 0.9, 0.55, "operation", "tanh", "circle"),
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
        Edge("plus", "c_tanh", "flow", points=((8.4, top),)),
        Edge("c_tanh", "output_times", "flow"),
        Edge("output", "output_times", "gate"),
        Edge("output_times", "h_out", "state", points=((8.4, low), (9.4, low))),
        Edge("output_times", "h_up", "state", points=((8.4, low), (9.4, low))),
    ]
    labels = [Label("cell state", 3.7, top + 0.55, role="caption")]
    if peepholes:
        edges += [
            Edge("c_in", "forget", "peephole", points=((0.5, top), (0.5, 3.4), (2.2, 3.4)), style="dashed"),
            Edge("c_in", "input", "peephole", points=((0.5, top), (0.5, 3.4), (3.7, 3.4)), style="dashed"),
            Edge("c_out", "output", "peephole", points=((9.9, top), (9.9, 3.1), (6.9, 3.1)), style="dashed"),
        ]
        labels.append(Label("peepholes: the gates also see the cell state", 5.0, -1.3, role="caption"))
    return Diagram("peephole_lstm" if peepholes else "lstm", tuple(nodes), tuple(edges), tuple(labels))


def _gru(reset_after):
    top, gates_y, low = 5.0, 2.4, 0.9
    nodes = [
        _state("h_in", -1.0, top, "h", "previous"),
        _state("h_out", 11.0, top, "h", "current"),
        Node("h_up", 9.4, top + 1.6, *STATE, "state", "hₜ", data={"state": "h", "time": "current"}),
        _input(),
        Node("join", 1.2, low, 0.16, 0.16, "junction", shape="circle"),
        _gate("reset", 2.4, gates_y),
        _gate("update", 4.0, gates_y),
        _gate("candidate", 7.4, gates_y),
        _operation("keep_times", 4.0, top, "×"),
        _operation("plus", 7.4, top, "+"),
        _operation("one_minus", 5.6, 3.75, "1−"),
        _operation("new_times", 7.4, 3.75, "×"),
    ]
    edges = [
        Edge("h_in", "keep_times", "state"),
        Edge("keep_times", "plus", "state"),
        Edge("plus", "h_out", "state"),
        Edge("plus", "h_up", "state", points=((9.4, top),)),
        Edge("h_in", "join", "state", points=((0.3, top), (0.3, low))),
        Edge("x", "join", "input"),
        Edge("join", "reset", "flow", points=((2.4, low),)),
        Edge("join", "update", "flow", points=((4.0, low),)),
        Edge("update", "keep_times", "gate"),
        Edge("update", "one_minus", "gate", points=((4.0, 3.75),)),
        Edge("one_minus", "new_times", "gate"),
        Edge("candidate", "new_times", "gate"),
        Edge("new_times", "plus", "flow"),
    ]
    if reset_after:  # candidate = tanh(W x + r ⊙ (U h + b))
        nodes += [
            Node("recurrent_product", 5.6, low - 0.1, 1.1, 0.6, "layer", "U·h+b"),
            _operation("reset_times", 5.6, gates_y - 0.9, "×"),
        ]
        edges += [
            Edge("h_in", "recurrent_product", "state", points=((0.3, top), (0.3, -0.35), (5.6, -0.35))),
            Edge("recurrent_product", "reset_times", "flow"),
            Edge("reset", "reset_times", "gate", points=((2.4, 3.2), (3.2, 3.2), (3.2, gates_y - 0.9))),
            Edge("reset_times", "candidate", "flow", points=((7.4, gates_y - 0.9),)),
            Edge("x", "candidate", "input", points=((1.2, -0.9), (7.4, -0.9))),
        ]
        equation = "reset_after=True: candidate = tanh(W xₜ + r ⊙ (U hₜ₋₁ + b))"
    else:  # candidate = tanh(W x + U (r ⊙ h))
        nodes += [_operation("reset_times", 5.6, gates_y - 0.9, "×")]
        edges += [
            Edge("h_in", "reset_times", "state", points=((0.3, top), (0.3, -0.35), (5.6, -0.35))),
            Edge("reset", "reset_times", "gate", points=((2.4, 3.2), (3.2, 3.2), (3.2, gates_y - 0.9))),
            Edge("reset_times", "candidate", "flow", points=((7.4, gates_y - 0.9),)),
            Edge("x", "candidate", "input", points=((1.2, -0.9), (7.4, -0.9))),
        ]
        equation = "reset_after=False: candidate = tanh(W xₜ + U (r ⊙ hₜ₋₁))"
    labels = (
        Label("hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ candidate", 5.0, top + 1.0, role="equation"),
        Label(equation, 5.0, -1.9, role="equation"),
    )
    return Diagram("gru", tuple(nodes), tuple(edges), labels, {"variant": ("reset_after" if reset_after else "reset_before",)})

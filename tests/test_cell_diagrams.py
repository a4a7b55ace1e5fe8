"""Cell diagrams read cleanly: one size for every gate's name, captions clear of wires, peepholes off the gates' wires."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.diagrams.appearance import edge_path
from rnnviz.diagrams.cells import cell_diagram
from rnnviz.figures.cell import CellDisplay
from rnnviz.recording.experiments import pulses, seeded_model, untrained_cell_trace

KINDS = ["lstm", "peephole_lstm", "gru", "gru_reset_before"]


@pytest.fixture(scope="module", params=KINDS)
def drawn(request):
    """A CellDisplay of an untrained cell of each kind (the GRU both ways), drawn at the gallery's slide size."""
    if request.param == "gru_reset_before":
        model = seeded_model(lambda: [keras.layers.GRU(4, reset_after=False, name="gru")], scale=2.5)
        trace = rnnviz.record(model, pulses())
    else:
        trace = untrained_cell_trace(request.param)
    with rnnviz.style.context("slides", size="16:9"):
        display = CellDisplay.from_trace(trace, step=3).plot()
        display.figure_.canvas.draw()
    yield display
    plt.close(display.figure_)


def gate_labels(display):
    gates = {node.label for node in display.diagram_.nodes if node.role == "gate"}
    return [text for text in display.ax_.texts if text.get_text() in gates]


def data_box(display, text):
    """The text's drawn extent in diagram units: (x0, y0, x1, y1)."""
    box = text.get_window_extent().transformed(display.ax_.transData.inverted())
    return box.x0, box.y0, box.x1, box.y1


def crosses(box, path, pad=0.02) -> bool:
    """Whether the polyline ``path`` passes through ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    for (ax, ay), (bx, by) in zip(path, path[1:]):
        for share in np.linspace(0, 1, 200):
            x, y = ax + (bx - ax) * share, ay + (by - ay) * share
            if x0 <= x <= x1 and y0 <= y <= y1:
                return True
    return False


def test_every_gate_name_is_set_at_one_size(drawn):
    sizes = {text.get_fontsize() for text in gate_labels(drawn)}
    assert len(gate_labels(drawn)) >= 3 and len(sizes) == 1


def test_no_wire_runs_through_a_gates_caption_or_name(drawn):
    diagram = drawn.diagram_  # as drawn (spread to the slide)
    texts = [*drawn.mean_texts_.values(), *gate_labels(drawn)]
    assert texts
    for text in texts:
        box = data_box(drawn, text)
        for edge in diagram.edges:
            assert not crosses(box, edge_path(diagram, edge)), (
                f"{diagram.kind}: the wire {edge.source} -> {edge.target} runs through {text.get_text()!r}")


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm", "gru"])
def test_no_wire_enters_a_gate_along_the_gates_own_output_wire(kind):
    """A wire ending on a gate where the gate's output leaves it reads as one two-headed arrow."""
    diagram = cell_diagram(kind)
    for gate in (node for node in diagram.nodes if node.role == "gate"):
        leaving = {edge_path(diagram, edge)[0] for edge in diagram.edges if edge.source == gate.id}
        arriving = {edge_path(diagram, edge)[-1] for edge in diagram.edges if edge.target == gate.id}
        assert not leaving & arriving, f"{kind}: a wire arrives at {gate.id} where its output leaves"


def test_the_peepholes_are_named_and_tap_the_conveyor():
    diagram = cell_diagram("peephole_lstm")
    peepholes = [edge for edge in diagram.edges if edge.role == "peephole"]
    assert {edge.target for edge in peepholes} == {"forget", "input", "output"}
    assert all(diagram.node(edge.source).role == "junction" for edge in peepholes)
    assert sum(label.text == "peephole" for label in diagram.labels) == 2


def _proper_crossings(path, other) -> list:
    """Points where a segment of ``path`` crosses a segment of ``other`` (both strictly inside: not a junction)."""
    found = []
    for (ax, ay), (bx, by) in zip(path[:-1], path[1:]):
        for (cx, cy), (dx, dy) in zip(other[:-1], other[1:]):
            denominator = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx)
            if abs(denominator) < 1e-12:
                continue
            t = ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) / denominator
            u = ((cx - ax) * (by - ay) - (cy - ay) * (bx - ax)) / denominator
            if 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6:
                found.append((ax + t * (bx - ax), ay + t * (by - ay)))
    return found


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm", "gru"])
def test_wires_that_cross_without_joining_bridge_each_other(kind):
    """As drawn, a wire passes over every wire it crosses on a small half circle; the plain paths do cross (the GRU's h
    on its way to U·h+b crosses x_t's wire, the LSTM's h crosses the conveyor), so this can fail."""
    from rnnviz.diagrams.appearance import HOP, drawn_path

    diagram = cell_diagram(kind)
    plain = [edge_path(diagram, edge) for edge in diagram.edges]
    crossings = 0
    for k, edge in enumerate(diagram.edges):
        drawn = drawn_path(diagram, edge)
        for j, other in enumerate(diagram.edges[:k]):
            if other.source == edge.source:
                continue  # branches of one wire
            crossings += len(_proper_crossings(plain[k], plain[j]))
            assert not _proper_crossings(drawn, plain[j]), (
                f"{kind}: {edge.source} -> {edge.target} crosses {other.source} -> {other.target} without a bridge")
        # a bridge rises at most HOP off the wire and comes back to it
        assert all(min(_distance_to_segment(point, a, b) for a, b in zip(plain[k][:-1], plain[k][1:])) <= HOP + 1e-9
                   for point in drawn)
    assert crossings >= 1


def _distance_to_segment(point, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    length = (bx - ax) ** 2 + (by - ay) ** 2
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length))
    return ((px - ax - t * (bx - ax)) ** 2 + (py - ay - t * (by - ay)) ** 2) ** 0.5


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "peephole_lstm", "gru"])
def test_the_figure_the_video_and_the_explorer_key_the_same_colours(kind):
    """One key per cell view (rnnviz.views.cell.cell_key), painted by each: the σ gates open in their own colours,
    not the candidate (a tanh value, in the value map's colours)."""
    from manim import tempconfig

    from rnnviz.palette import PALETTE
    from rnnviz.scenes import gates
    from rnnviz.scenes.render import gates_scene_name
    from rnnviz.views.cell import cell_key
    from rnnviz.widgets.cell import CellExplorer

    trace = untrained_cell_trace(kind)
    diagram = cell_diagram(kind)
    entries = cell_key(diagram)
    labels = [entry.label for entry in entries]
    sigmoid_gates = [node.data["gate"] for node in diagram.find("gate") if node.data["gate"] != "candidate"]  # as drawn
    assert sorted(sigmoid_gates) == sorted(gate for gate in rnnviz.CELL_KINDS[kind].gates if gate != "candidate")
    assert labels[:3] == ["value < 0", "value > 0", "0, or a gate shut"] and labels[-1] == "not finite"
    gate_entries = [entry for entry in entries if entry.label.startswith("a gate open")]
    assert [list(entry.colours) for entry in gate_entries] == ([[PALETTE[g] for g in sigmoid_gates]] if sigmoid_gates
                                                               else [])
    with rnnviz.style.context("slides", size="16:9"):
        display = CellDisplay.from_trace(trace, step=3).plot()
    try:
        assert [text.get_text() for text in display.key_.get_texts()] == labels
    finally:
        plt.close(display.figure_)
    explorer = CellExplorer(trace)
    (legend,) = explorer.view.figure.legends
    assert [text.get_text() for text in legend.get_texts()] == labels
    if kind != "simple_rnn":
        with tempconfig({"quality": "low_quality", "dry_run": True}):
            scene = getattr(gates, gates_scene_name(kind))(trace, step=0)
            shown = [row[1].original_text for row in scene.key()]
        assert shown == labels

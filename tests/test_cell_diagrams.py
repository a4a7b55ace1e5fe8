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

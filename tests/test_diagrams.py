"""Diagram geometry: plain data derived from real models, matching the cells' equations."""

import keras
import numpy as np
import pytest

import rnnviz
from rnnviz.diagrams import Diagram, Edge, Node, cell_diagram, describe_model, shown_steps, unrolled_diagram

L = keras.layers


def test_geometry_module_imports_no_drawing_library():
    import subprocess
    import sys

    code = "import sys, rnnviz.diagrams; print(any(m.split('.')[0] in ('matplotlib', 'manim', 'tensorflow') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_diagram_rejects_unknown_nodes_and_repeated_ids():
    a = Node("a", 0, 0, 1, 1, "cell")
    with pytest.raises(ValueError, match="unknown node 'b'"):
        Diagram("d", (a,), (Edge("a", "b"),))
    with pytest.raises(ValueError, match="repeated: \\['a'\\]"):
        Diagram("d", (a, a))


def test_long_sequences_are_elided():
    assert shown_steps(5, 8) == [0, 1, 2, 3, 4]
    assert shown_steps(500, 8) == [0, 1, 2, 3, None, 496, 497, 498, 499]
    with pytest.raises(ValueError, match="max_steps"):
        shown_steps(10, 1)


def _cells(diagram, layer=None):
    return diagram.find("cell", **({} if layer is None else {"layer": layer}))


def test_sequence_to_vector_forecaster():
    model = keras.Sequential([keras.Input((500, 1)), L.SimpleRNN(16, name="rnn"), L.Dense(5, name="head")])
    diagram = unrolled_diagram(describe_model(model), max_steps=6)
    assert sorted(n.data["step"] for n in _cells(diagram)) == [0, 1, 2, 497, 498, 499]
    assert len(diagram.find("ellipsis")) == 2  # in the input row and the cell row
    (head,) = diagram.find("output")
    assert [e.source for e in diagram.edges if e.target == head.id] == ["rnn/499"]  # only the last step feeds it
    elided = [e for e in diagram.edges if e.role == "recurrent" and e.style == "dashed"]
    assert [(e.source, e.target) for e in elided] == [("rnn/2", "rnn/497")]


def test_deep_sequence_to_sequence_stacks_rows_and_outputs_every_step():
    model = keras.Sequential([
        keras.Input((4, 2)), L.LSTM(3, return_sequences=True, name="low"), L.Dropout(0.1),
        L.GRU(3, return_sequences=True, name="high"), L.TimeDistributed(L.Dense(1), name="out"),
    ])
    diagram = unrolled_diagram(describe_model(model))
    low, high = _cells(diagram, "low"), _cells(diagram, "high")
    assert len(low) == len(high) == 4 and all(h.y > l.y for h, l in zip(high, low))
    assert {(e.source, e.target) for e in diagram.edges if e.target.startswith("high/")} >= {("low/2", "high/2"), ("high/1", "high/2")}
    assert len(diagram.find("output", layer="out")) == 4


def test_bidirectional_has_two_chains_running_opposite_ways():
    model = keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(50, 4), L.Bidirectional(L.LSTM(3), name="bi"), L.Dense(1)])
    stages = describe_model(model)
    assert stages[0].extra["tokens"] and stages[0].steps == 5
    diagram = unrolled_diagram(stages)
    forward, backward = _cells(diagram, "bi/forward"), _cells(diagram, "bi/backward")
    assert len(forward) == len(backward) == 5
    recurrent = {(e.source, e.target) for e in diagram.edges if e.role == "recurrent"}
    assert ("bi/forward/0", "bi/forward/1") in recurrent and ("bi/backward/1", "bi/backward/0") in recurrent
    (dense,) = diagram.find("output")
    # the output reads where each direction ends: the last step forwards, the first backwards
    assert {e.source for e in diagram.edges if e.target == dense.id} == {"bi/forward/4", "bi/backward/0"}


def test_encoder_decoder_with_repeat_vector_gets_its_own_time_axis():
    model = keras.Sequential([
        keras.Input((20, 3)), L.LSTM(8, name="encoder"), L.RepeatVector(4, name="repeat"),
        L.LSTM(8, return_sequences=True, name="decoder"), L.TimeDistributed(L.Dense(3)),
    ])
    diagram = unrolled_diagram(describe_model(model), max_steps=6)
    encoder, decoder = _cells(diagram, "encoder"), _cells(diagram, "decoder")
    assert len(decoder) == 4 and min(n.x for n in decoder) > max(n.x for n in encoder)
    context = diagram.find("context")
    assert len(context) == 4 and all(any(e.source == "encoder/19" and e.target == c.id for e in diagram.edges) for c in context)


def test_encoder_decoder_passing_states():
    encoder_in, decoder_in = keras.Input((12, 3)), keras.Input((4, 2))
    _, h, c = L.LSTM(4, return_state=True, name="encoder")(encoder_in)
    out = L.LSTM(4, return_sequences=True, name="decoder")(decoder_in, initial_state=[h, c])
    model = keras.Model([encoder_in, decoder_in], L.Dense(2, name="head")(out))
    stages = describe_model(model)
    assert {s.name: s.state_source for s in stages}["decoder"] == "encoder"
    diagram = unrolled_diagram(stages)
    (state_edge,) = [e for e in diagram.edges if e.role == "state"]
    assert (state_edge.source, state_edge.target) == ("encoder/11", "decoder/0")
    assert not diagram.find("output", layer="encoder")  # its states go on, not out


def test_a_saved_trace_remembers_its_architecture(tmp_path):
    model = keras.Sequential([keras.Input((6, 1)), L.GRU(3, name="gru"), L.Dense(2, name="head")])
    trace = rnnviz.record(model, np.zeros((1, 6, 1), "float32"))
    again = rnnviz.load(trace.save(tmp_path / "t.npz"))
    assert again.architecture == trace.architecture
    assert [s["name"] for s in again.architecture][1:] == ["gru", "head"]


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "peephole_lstm", "gru"])
def test_cell_diagrams_have_one_node_per_gate(kind):
    diagram = cell_diagram(kind)
    assert sorted(n.data["gate"] for n in diagram.find("gate")) == sorted(rnnviz.CELL_KINDS[kind].gates)


def test_peepholes_connect_the_cell_state_to_three_gates():
    peephole = [e for e in cell_diagram("peephole_lstm").edges if e.role == "peephole"]
    assert sorted(e.target for e in peephole) == ["forget", "input", "output"]
    assert not [e for e in cell_diagram("lstm").edges if e.role == "peephole"]


def test_gru_variants_place_the_reset_gate_as_keras_computes():
    after, before = cell_diagram("gru", reset_after=True), cell_diagram("gru", reset_after=False)
    # reset_after=True: r multiplies (U h + b); False: r multiplies h before U
    assert ("recurrent_product", "reset_times") in {(e.source, e.target) for e in after.edges}
    assert ("h_in", "reset_times") in {(e.source, e.target) for e in before.edges}
    # Keras keeps the old state where z is open: z feeds the product with h_{t-1}, 1 - z the candidate's
    assert ("update", "keep_times") in {(e.source, e.target) for e in after.edges}
    assert ("one_minus", "new_times") in {(e.source, e.target) for e in after.edges}


def test_unknown_cell_kind():
    with pytest.raises(ValueError, match="kind: no cell diagram for 'elman'"):
        cell_diagram("elman")


def test_cell_diagrams_name_the_layers_own_activations():
    relu = cell_diagram("simple_rnn", activation="relu")
    assert relu.node("activation").label == "relu" and "relu(W xₜ" in relu.labels[0].text
    lstm = cell_diagram("lstm", recurrent_activation="hard_sigmoid")
    assert lstm.node("forget").data["activation"] == "hard σ" and lstm.node("candidate").data["activation"] == "tanh"

"""Diagram geometry: plain data derived from real models, matching the cells' equations."""

import keras
import numpy as np
import pytest

import rnnviz
from rnnviz.diagrams import Diagram, Edge, Node, cell_diagram, describe_model, shown_steps, unrolled_diagram
from rnnviz.diagrams.unrolled import LABEL_CHARACTER, SUBSCRIPTS

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
    assert shown_steps(5, 4) == [0, 1, 2, 3, 4]  # "…" for one step would take as much room as the step
    assert shown_steps(6, 4) == [0, 1, None, 4, 5]
    assert shown_steps(500, 8) == [0, 1, 2, 3, None, 496, 497, 498, 499]
    with pytest.raises(ValueError, match="max_steps"):
        shown_steps(10, 1)


def _cells(diagram, layer=None):
    return diagram.find("cell", **({} if layer is None else {"layer": layer}))


def _sources(diagram, node_id) -> set:
    return {e.source for e in diagram.edges if e.target == node_id}


def test_sequence_to_vector_forecaster():
    model = keras.Sequential([keras.Input((500, 1)), L.SimpleRNN(16, name="rnn"), L.Dense(5, name="head")])
    diagram = unrolled_diagram(describe_model(model), max_steps=6)
    assert sorted(n.data["step"] for n in _cells(diagram)) == [0, 1, 2, 497, 498, 499]
    assert len(diagram.find("ellipsis")) == 2  # in the input row and the cell row
    (head,) = diagram.find("layer", layer="head")  # Dense(5): one box, its five values above it
    assert [e.source for e in diagram.edges if e.target == head.id] == ["rnn/499"]  # only the last step feeds it
    outputs = diagram.find("output")
    assert [n.label for n in outputs] == ["ŷ₁", "ŷ₂", "ŷ₃", "ŷ₄", "ŷ₅"]
    assert all(_sources(diagram, n.id) == {"head"} for n in outputs)
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
    # a deep RNN: its layers numbered from the bottom, in the row labels and the cells' names
    assert [label.text.split("\n")[0] for label in diagram.labels if label.text.startswith("layer")] == ["layer 1", "layer 2"]
    assert low[0].label == "h⁽¹⁾₀" and high[3].label == "h⁽²⁾₃"


def test_layers_are_numbered_only_in_a_stack():
    one = keras.Sequential([keras.Input((4, 2)), L.GRU(3, name="only"), L.Dense(1)])
    handed_on = keras.Sequential([keras.Input((4, 2)), L.LSTM(3, name="encoder"), L.RepeatVector(2),
                                  L.LSTM(3, return_sequences=True, name="decoder")])
    for model in (one, handed_on):
        diagram = unrolled_diagram(describe_model(model))
        assert not any(label.text.startswith("layer") for label in diagram.labels)
        assert all(node.label.startswith("h") and "⁽" not in node.label for node in _cells(diagram))


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
    # the output reads the merge of where each direction ends: the last step forwards, the first backwards
    (merge,) = diagram.find("merge")
    assert merge.label == "concat" and _sources(diagram, merge.id) == {"bi/forward/4", "bi/backward/0"}
    assert _sources(diagram, dense.id) == {merge.id}


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
    passed = {(e.source, e.target) for e in diagram.edges if e.role == "state"}  # the LSTM passes h and c
    assert passed == {("encoder/11", "decoder/0"), ("encoder/c/11", "decoder/c/0")}
    # h is handed over under the decoder's row label, which stands between the two on h's row
    (label,) = [label for label in diagram.labels if label.text.startswith("decoder")]
    (handed,) = [e for e in diagram.edges if e.role == "state" and e.source == "encoder/11"]
    lines = label.text.count("\n") + 1
    assert min(y for _, y in handed.points) < label.y - 0.15 * lines  # below the label's last line
    left = label.x - LABEL_CHARACTER * max(map(len, label.text.split("\n")))
    assert all(not left <= x <= label.x for x, y in handed.points if y >= label.y - 0.15 * lines)  # beside it
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
    with pytest.raises(ValueError, match="kind: unknown cell kind .elman."):
        cell_diagram("elman")


def test_cell_diagrams_name_the_layers_own_activations():
    relu = cell_diagram("simple_rnn", activation="relu")
    assert relu.node("activation").label == "relu" and "relu(W xₜ" in relu.labels[0].text
    lstm = cell_diagram("lstm", recurrent_activation="hard_sigmoid")
    assert lstm.node("forget").data["activation"] == "hard σ" and lstm.node("candidate").data["activation"] == "tanh"


# ---------------------------------------------------------------- layers that change time (issue 15)

from rnnviz.diagrams.architecture import step_ranges, window_reads, window_steps  # noqa: E402
from rnnviz.diagrams.unrolled import MAX_ROWS  # noqa: E402
from tests.course_models import deepspeech2, strided_conv_gru  # noqa: E402


def _steps_read(model, length, features=1) -> list:
    """For each output step of ``model`` on ``length`` steps, the input steps whose change changes it (Keras's own answer)."""
    x = np.random.default_rng(0).normal(size=(1, length, features)).astype("float32")
    nudged = np.repeat(x, length, axis=0)
    nudged[np.arange(length), np.arange(length)] += 1.0  # sample i: input step i nudged
    change = np.abs(np.asarray(model(nudged)) - np.asarray(model(x)))
    changed = change.reshape(length, change.shape[1], -1).max(axis=-1) > 1e-6  # (input step, output step)
    return [np.flatnonzero(changed[:, step]).tolist() for step in range(changed.shape[1])]


WINDOWS = {
    "conv k4 s2 valid": L.Conv1D(3, 4, strides=2),
    "conv k3 s2 same": L.Conv1D(3, 3, strides=2, padding="same"),
    "conv k5 s3 same": L.Conv1D(3, 5, strides=3, padding="same"),
    "conv k3 causal": L.Conv1D(3, 3, padding="causal"),
    "conv k2 d3 causal": L.Conv1D(3, 2, dilation_rate=3, padding="causal"),
    "conv k3 d2 same": L.Conv1D(3, 3, dilation_rate=2, padding="same"),
    "avg pool 2": L.AveragePooling1D(2),
    "avg pool 3 s2 same": L.AveragePooling1D(3, strides=2, padding="same"),
}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("length", [11, 12])
def test_window_arithmetic_is_what_keras_computes(name, length):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((length, 2)), WINDOWS[name].__class__.from_config(WINDOWS[name].get_config())])
    (stage,) = [s for s in describe_model(model) if s.role != "input"]
    window = stage.extra["time"]
    read = _steps_read(model, length, features=2)
    assert window_steps(window, length)[0] == len(read)
    assert [window_reads(window, length, step) for step in range(len(read))] == read
    assert step_ranges([window], length) == [(r[0], r[-1]) for r in read]


def test_composed_windows_over_time_and_frequency_are_what_keras_computes():
    """A DeepSpeech2 front end: Conv2D over (time, frequency) between two Reshapes; linear, so every read shows."""
    keras.utils.set_random_seed(0)
    x = keras.Input((None, 9))
    y = L.Reshape((-1, 9, 1), name="expand_dim")(x)
    y = L.Conv2D(2, [11, 5], strides=[2, 2], padding="same", name="conv_1")(y)
    y = L.Conv2D(2, [11, 3], strides=[1, 2], padding="same", name="conv_2")(y)
    y = L.Reshape((-1, y.shape[-2] * y.shape[-1]), name="reshape")(y)
    stages = describe_model(keras.Model(x, y))
    assert ["time" in s.extra for s in stages[1:]] == [False, True, True, False]  # the Reshapes keep time
    windows = [s.extra["time"] for s in stages if "time" in s.extra]
    read = _steps_read(keras.Model(x, y), 30, features=9)
    assert step_ranges(windows, 30) == [(r[0], r[-1]) for r in read]


def test_layers_whose_effect_on_time_is_not_known_say_so():
    model = keras.Sequential([keras.Input((8, 2)), L.Reshape((4, 4), name="pairs"), L.Flatten(name="flat")])
    assert [s.extra.get("time") for s in describe_model(model)[1:]] == ["unknown", "unknown"]


def _input_ids(diagram):
    return {node.data["step"]: node.id for node in diagram.find("input")}


def test_a_strided_conv_shows_the_real_input_steps_and_which_each_step_reads():
    """Géron's Conv1D(kernel 4, stride 2) + GRU: 112 input steps, 55 GRU steps; step j reads inputs 2j … 2j+3."""
    model, _ = strided_conv_gru()
    diagram = unrolled_diagram(describe_model(model))
    inputs, convs = _input_ids(diagram), diagram.find("conv1d")
    cells = {node.data["step"]: node for node in diagram.find("cell")}
    assert sorted(cells) == sorted(node.data["step"] for node in convs) and max(cells) == 54
    for conv in convs:
        step = conv.data["step"]
        assert conv.data["reads"] == [2 * step, 2 * step + 1, 2 * step + 2, 2 * step + 3]
        assert sorted(e.source for e in diagram.edges if e.target == conv.id) == sorted(inputs[i] for i in conv.data["reads"])
        middle = np.mean([diagram.node(inputs[i]).x for i in conv.data["reads"]])
        assert conv.x == pytest.approx(middle) and cells[step].x == pytest.approx(middle)  # over what it reads
    # the input row shows the model's own steps, each labelled as itself, from the first to the last
    assert sorted(inputs) == sorted({i for conv in convs for i in conv.data["reads"]}) and max(inputs) == 111
    assert all(diagram.node(node_id).label == "x" + str(step).translate(SUBSCRIPTS) for step, node_id in inputs.items())
    assert any("kernel 4, stride 2\n112 → 55 steps" in label.text for label in diagram.labels)


def test_recorded_lengths_that_disagree_with_the_arithmetic_are_not_mapped():
    model, _ = strided_conv_gru()
    diagram = unrolled_diagram(describe_model(model), steps={"gru": 54})  # not what the arithmetic gives
    (band,) = diagram.find("band")
    assert "not known" in band.label and not diagram.find("window") and not diagram.find("conv1d")
    assert sorted(node.data["step"] for node in diagram.find("cell"))[-1] == 53


def test_a_layer_in_front_that_changes_time_unknowably_is_said_so():
    model = keras.Sequential([keras.Input((12, 2)), L.Lambda(lambda x: x[:, ::-1], name="reverse"), L.GRU(3, name="gru")])
    diagram = unrolled_diagram(describe_model(model), steps={"gru": 12})
    (band,) = diagram.find("band")
    assert band.label == "which steps below each step reads is not known: reverse (Lambda)"
    assert not [node for node in diagram.nodes if "reads" in node.data]
    assert sorted(node.data["step"] for node in diagram.find("cell"))[-1] == 11  # the GRU on its own steps


def test_a_deep_model_is_summarised_to_fit_its_rows():
    """DeepSpeech2: the conv front end is one band, four of the five Bidirectional GRUs a row of "⋮", the head one row."""
    model, _ = deepspeech2()
    diagram = unrolled_diagram(describe_model(model), steps={"input": 30, "bidirectional_1": 15})
    rows = {node.y for node in diagram.nodes if node.role not in ("port", "ellipsis")}  # a cell row's "…" sits low
    assert len(rows) <= MAX_ROWS
    assert {node.data["layer"] for node in diagram.find("cell")} == {"bidirectional_1/forward", "bidirectional_1/backward"}
    assert {node.data["layer"] for node in diagram.find("elided")} == {"bidirectional_5"}
    assert any(label.text.startswith("bidirectional_2 …\n… bidirectional_5") for label in diagram.labels)
    (band,) = diagram.find("band")
    assert band.data["layers"] == ["expand_dim", "conv_1", "conv_2", "reshape"]
    windows = [{"kernel": 11, "stride": 2, "dilation": 1, "padding": "same"},
               {"kernel": 11, "stride": 1, "dilation": 1, "padding": "same"}]
    ranges = step_ranges(windows, 30)
    assert len(ranges) == 15 and all(node.data["reads"] == list(ranges[node.data["step"]]) for node in diagram.find("window"))
    assert {node.data["layer"] for node in diagram.find("output")} == {"dense"}  # dense_1 and dense, folded
    for node in diagram.find("elided"):  # bidirectional_1's two states at each step go on, merged there, not before
        assert _sources(diagram, node.id) == {f"bidirectional_1/{direction}/{node.data['step']}"
                                              for direction in ("forward", "backward")}
    assert not diagram.find("merge") and not [e for e in diagram.edges if _through(diagram, e)]


def test_models_that_fit_are_drawn_as_they_are():
    model = keras.Sequential([keras.Input((4, 2)), L.Dense(3, name="a"), L.Dense(3, name="b"),
                              L.LSTM(3, return_sequences=True, name="low"), L.LSTM(3, name="high")])
    diagram = unrolled_diagram(describe_model(model))
    assert not diagram.find("band") and not diagram.find("elided")
    assert {node.data["layer"] for node in diagram.find("layer")} == {"a", "b"}


# ---------------------------------------------------------------- Bidirectional layers (issue 18, item 2)

from rnnviz.diagrams import stages_from_trace  # noqa: E402
from rnnviz.diagrams.appearance import edge_path  # noqa: E402
from tests.models import bidirectional  # noqa: E402


def _through(diagram, edge) -> list:
    """The boxes (other than its ends) that an edge's path runs through."""
    path = edge_path(diagram, edge)
    points = [(a[0] + (b[0] - a[0]) * k / 40, a[1] + (b[1] - a[1]) * k / 40) for a, b in zip(path, path[1:])
              for k in range(41)]
    return [node.id for node in diagram.nodes if node.shape == "box" and node.id not in (edge.source, edge.target)
            and any(abs(x - node.x) < node.width / 2 - 1e-6 and abs(y - node.y) < node.height / 2 - 1e-6 for x, y in points)]


def _directions(diagram, edge) -> set:
    return {diagram.node(end).data.get("direction") for end in (edge.source, edge.target)}


def _check_two_independent_rows(diagram, layer, below):
    """Each step below feeds both directions, no edge joins the two rows, and no edge runs through a box."""
    for cell in _cells(diagram, f"{layer}/forward") + _cells(diagram, f"{layer}/backward"):
        assert _sources(diagram, cell.id) - {e.source for e in diagram.edges if e.role == "recurrent"} == {
            below[cell.data["step"]]}
    assert not [e for e in diagram.edges if _directions(diagram, e) == {"forward", "backward"}]
    assert not {e.source: _through(diagram, e) for e in diagram.edges if _through(diagram, e)}


def test_bidirectional_rows_read_the_same_inputs_side_by_side_and_merge_at_their_ends():
    model = keras.Sequential([keras.Input((12, 1)), L.Bidirectional(L.GRU(8), name="bi"), L.Dense(1, name="output")])
    diagram = unrolled_diagram(describe_model(model), max_steps=6)
    _check_two_independent_rows(diagram, "bi", {node.data["step"]: node.id for node in diagram.find("input")})
    assert {node.label for node in _cells(diagram, "bi/forward")} >= {"h→₀", "h→₁₁"}
    assert {node.label for node in _cells(diagram, "bi/backward")} >= {"h←₀", "h←₁₁"}
    recurrent = {(e.source, e.target) for e in diagram.edges if e.role == "recurrent"}
    assert ("bi/forward/10", "bi/forward/11") in recurrent and ("bi/backward/11", "bi/backward/10") in recurrent
    (merge,) = diagram.find("merge")
    assert _sources(diagram, merge.id) == {"bi/forward/11", "bi/backward/0"}
    assert _sources(diagram, "output") == {merge.id}
    assert merge.y > max(node.y for node in _cells(diagram)) and diagram.node("output").y > merge.y


def test_bidirectional_sequences_merge_at_every_step():
    model = keras.Sequential([keras.Input((5, 1)), L.Bidirectional(L.LSTM(3, return_sequences=True), name="bi"),
                              L.TimeDistributed(L.Dense(1), name="out")])
    diagram = unrolled_diagram(describe_model(model))
    _check_two_independent_rows(diagram, "bi", {node.data["step"]: node.id for node in diagram.find("input")})
    merges = {node.data["step"]: node for node in diagram.find("merge")}
    assert sorted(merges) == list(range(5))
    for step, merge in merges.items():
        assert _sources(diagram, merge.id) == {f"bi/forward/{step}", f"bi/backward/{step}"}
        assert _sources(diagram, f"out/{step}") == {merge.id}


def test_stacked_bidirectional_layers_read_the_merge_below():
    model = keras.Sequential([keras.Input((6, 1)), L.Bidirectional(L.GRU(3, return_sequences=True), name="low"),
                              L.Bidirectional(L.GRU(3), name="high"), L.Dense(1, name="output")])
    diagram = unrolled_diagram(describe_model(model))
    merged = {node.data["step"]: node.id for node in diagram.find("merge", layer="low")}
    _check_two_independent_rows(diagram, "high", merged)
    assert _sources(diagram, "high/merge") == {"high/forward/5", "high/backward/0"}


def test_unmerged_bidirectional_outputs_go_round_the_backward_row_to_their_reader():
    diagram = unrolled_diagram(describe_model(bidirectional(None)))  # merge_mode=None, then a Concatenate layer
    assert not diagram.find("merge")
    assert len({node.data["layer"] for node in diagram.find("layer")}) == 1
    for node in diagram.find("layer"):
        step = node.data["step"]
        assert _sources(diagram, node.id) == {f"bi/forward/{step}", f"bi/backward/{step}"}
    _check_two_independent_rows(diagram, "bi", {node.data["step"]: node.id for node in diagram.find("input")})


@pytest.mark.parametrize("sequences", [False, True])
def test_the_merge_reads_the_states_keras_merges(sequences):
    """Keras's Bidirectional output is the forward state after the last step with the backward state after step 0
    (the trace keeps the backward direction in input time order), or at every step both states of that step."""
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((6, 2)), L.Bidirectional(L.GRU(3, return_sequences=sequences), name="bi"),
                              L.Dense(1, name="head")])
    x = np.random.default_rng(4).normal(size=(2, 6, 2)).astype("float32")
    trace = rnnviz.record(model, x)
    diagram = unrolled_diagram(stages_from_trace(trace), trace_layers=trace.layer_names)
    expected = np.asarray(keras.Model(model.inputs, model.get_layer("bi").output)([x]))
    for merge in diagram.find("merge"):
        sources = sorted((diagram.node(e.source) for e in diagram.edges if e.target == merge.id),
                         key=lambda node: node.data["direction"] != "forward")
        merged = np.concatenate([trace[node.data["layer"]].states["h"][:, node.data["step"]] for node in sources], -1)
        np.testing.assert_allclose(merged, expected[:, merge.data["step"]] if sequences else expected, atol=1e-6)
    assert len(diagram.find("merge")) == (6 if sequences else 1)


# ---------------------------------------------------------------- the forecasters (issue 18, item 4)

from rnnviz.diagrams.unrolled import ROW  # noqa: E402


def _forecaster(cell, *, steps=40, horizon=5):
    from rnnviz.forecasting.models import recurrent

    keras.utils.set_random_seed(0)
    return recurrent(cell, steps, horizon, units=4)


def _texts(diagram) -> str:
    return "\n".join([node.label for node in diagram.nodes] + [label.text for label in diagram.labels])


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm"])
def test_a_forecaster_is_drawn_with_its_readers_names_today_and_each_step_ahead(cell):
    diagram = unrolled_diagram(describe_model(_forecaster(cell)), max_steps=8)
    texts = _texts(diagram)
    for internal in ("minus_today", "plus_today", "ChangeFrom", "AddBack", "forecast (Dense)", "d₀", "not known"):
        assert internal not in texts
    assert not diagram.find("band")
    # x − today at every step: step t reads step t and today (the last step), and says so
    changes = diagram.find("layer", layer="minus_today")
    assert {n.data["step"] for n in changes} == {n.data["step"] for n in _cells(diagram)}
    for node in changes:
        step = node.data["step"]
        assert _sources(diagram, node.id) == {f"window/{step}", "window/39"}
        assert node.label == f"x{_sub(step)}−x₃₉"
    assert any(label.text == "x − today\ntoday = x₃₉" for label in diagram.labels)
    # the Dense(5) head reads the last h only; its five values each add today
    (head,) = diagram.find("layer", layer="forecast")
    assert _sources(diagram, head.id) == {f"{cell}/39"} and head.label == "Dense, 5 units"
    outputs = diagram.find("output")
    assert [n.label for n in outputs] == ["ŷ₁", "ŷ₂", "ŷ₃", "ŷ₄", "ŷ₅"]
    assert all(_sources(diagram, n.id) == {"forecast", "window/39"} for n in outputs)
    assert any(label.text == "+ today → ŷ\n1 … 5 steps ahead" for label in diagram.labels)
    assert sorted(n.x for n in outputs) == [n.x for n in outputs] and head.x - head.width / 2 < outputs[0].x


def _sub(number) -> str:
    return str(number).translate(SUBSCRIPTS)


def test_an_lstm_forecaster_shows_its_cell_state_chain():
    lstm = unrolled_diagram(describe_model(_forecaster("lstm")), max_steps=8)
    simple = unrolled_diagram(describe_model(_forecaster("simple_rnn")), max_steps=8)
    assert not simple.find("state")
    cells = {n.data["step"]: n for n in _cells(lstm)}
    states = {n.data["step"]: n for n in lstm.find("state", state="c", layer="lstm")}
    assert set(states) == set(cells)
    for step, state in states.items():  # on top of its cell, the same width, labelled c
        cell = cells[step]
        assert (state.x, state.width, state.label) == (cell.x, cell.width, f"c{_sub(step)}")
        assert state.y - state.height / 2 == pytest.approx(cell.y + cell.height / 2)
    conveyor = {(e.source, e.target) for e in lstm.edges if e.role == "conveyor"}
    shown = sorted(states)
    assert conveyor == {(states[a].id, states[b].id) for a, b in zip(shown, shown[1:])}
    # h leaves the last cell round its cell state box, not through it
    (edge,) = [e for e in lstm.edges if e.target == "forecast"]
    last = cells[39]
    assert edge.source == last.id and all(x > last.x + last.width / 2 for x, _ in edge.points)


def test_spread_rows_keep_every_node_and_its_place_in_the_row():
    stages = describe_model(_forecaster("lstm"))
    flat = unrolled_diagram(stages, max_steps=8)
    tall = unrolled_diagram(stages, max_steps=8, row_pitch=1.5 * ROW)
    assert [n.id for n in tall.nodes] == [n.id for n in flat.nodes]
    assert [n.x for n in tall.nodes] == [n.x for n in flat.nodes]
    assert tall.bounds[3] - tall.bounds[2] > 1.3 * (flat.bounds[3] - flat.bounds[2])
    for state in tall.find("state"):  # still on its cell
        (cell,) = tall.find("cell", step=state.data["step"])
        assert state.y - cell.y == pytest.approx(cell.height)


def test_cells_take_their_kind_colour_and_directions_colour_only_bidirectional_rows():
    """Issue 18 item 1: a cell's direction never overrides its kind; a direction is coloured only where both show."""
    from rnnviz.diagrams.appearance import direction_colour, edge_colour, label_colour, node_colour
    from rnnviz.palette import PALETTE

    model = keras.Sequential([keras.Input((6, 1)), L.LSTM(4, return_sequences=True, name="one_way"),
                              L.Bidirectional(L.GRU(3), name="bi"), L.Dense(1, name="output")])
    diagram = unrolled_diagram(describe_model(model))
    cells = diagram.find("cell")
    assert {node_colour(cell) for cell in cells if cell.data["layer"] == "one_way"} == {PALETTE["lstm"]}
    assert {node_colour(cell) for cell in cells if cell.data["layer"].startswith("bi/")} == {PALETTE["gru"]}
    assert {direction_colour(cell) for cell in cells if cell.data["layer"] == "one_way"} == {None}
    for direction in ("forward", "backward"):
        assert {direction_colour(cell) for cell in _cells(diagram, f"bi/{direction}")} == {PALETTE[direction]}
        assert PALETTE[direction] in {label_colour(label) for label in diagram.labels}
    assert edge_colour(Edge("c", "f", "peephole")) == PALETTE["c"]


def _branches(layer):
    """Two stacked branches on one input, one reading it backwards, joined by a Concatenate at every step: a
    bidirectional RNN built by hand."""
    inputs = keras.Input((5, 2), name="x")
    forward = layer(3, return_sequences=True, name="f2")(layer(3, return_sequences=True, name="f1")(inputs))
    backward = layer(3, return_sequences=True, go_backwards=True, name="b1")(inputs)
    backward = layer(3, return_sequences=True, go_backwards=True, name="b2")(backward)
    joined = L.Concatenate(name="joined")([forward, backward])
    return keras.Model(inputs, L.Dense(1, name="head")(joined))


def _vertical_overlaps(diagram) -> list:
    """Pairs of edges whose wires run up the same line over some of the same height (one wire hiding the other)."""
    runs = [(edge, a[0], *sorted((a[1], b[1]))) for edge in diagram.edges
            for a, b in zip(edge.points, edge.points[1:]) if abs(a[0] - b[0]) < 1e-9 and a[1] != b[1]]
    return [(one.source, one.target, other.source, other.target) for i, (one, x, low, high) in enumerate(runs)
            for other, x2, low2, high2 in runs[i + 1:]
            if abs(x - x2) < 1e-9 and min(high, high2) - max(low, low2) > 1e-9 and one.source != other.source]


def _wired(diagram, node):
    """The nodes wired into ``node``, other than along its own row."""
    return [diagram.node(e.source) for e in diagram.edges if e.target == node.id and e.role != "recurrent"]


@pytest.mark.parametrize("layer", [L.SimpleRNN, L.LSTM])
def test_branches_reading_one_sequence_each_get_rows_of_their_own(layer):
    diagram = unrolled_diagram(describe_model(_branches(layer)), max_rows=10)
    rows = {name: {cell.y for cell in _cells(diagram, name)} for name in ("f1", "b1", "f2", "b2")}
    assert all(len(ys) == 1 for ys in rows.values())
    assert len({ys.pop() for ys in rows.values()}) == 4  # no two layers drawn on one row
    # b2 reads b1's sequence as Keras returns it, in the order b1 ran: its step t is b1's state after step 4 - t
    reads = {"f1": ("x", lambda t: t), "b1": ("x", lambda t: t), "f2": ("f1", lambda t: t), "b2": ("b1", lambda t: 4 - t)}
    for name, (source, step_read) in reads.items():
        for cell in _cells(diagram, name):
            assert [n.id for n in _wired(diagram, cell)] == [f"{source}/{step_read(cell.data['step'])}"], name
    for node in diagram.find("layer", layer="joined"):  # each step joins f2's state and b2's output of that step
        step = node.data["step"]
        assert {n.id for n in _wired(diagram, node)} == {f"f2/{step}", f"b2/{4 - step}"}
    assert not {e.source: _through(diagram, e) for e in diagram.edges if _through(diagram, e)}
    assert not _vertical_overlaps(diagram)
    titles = [label.text for label in diagram.labels]
    assert sum(text.count("\nb1\n") + text.count("\nf1\n") for text in titles) == 2  # each row titled once


def test_every_wire_from_a_go_backwards_layer_carries_what_keras_hands_on():
    """Keras returns a go_backwards layer's sequence in the order the layer ran (step k: the state after input step
    T-1-k); each wire into a reader comes from the cell holding what the reader is given at its step."""
    keras.utils.set_random_seed(0)
    model = _branches(L.GRU)
    x = np.random.default_rng(0).normal(size=(2, 5, 2)).astype("float32")
    trace = rnnviz.record(model, x)
    diagram = unrolled_diagram(stages_from_trace(trace), trace_layers=trace.layer_names, max_rows=10)
    joined = np.asarray(keras.Model(model.inputs, model.get_layer("joined").output)(x))
    for reader in ("f2", "b2"):
        for cell in _cells(diagram, reader):
            (source,) = _wired(diagram, cell)
            np.testing.assert_allclose(trace[reader].inputs[:, cell.data["step"]],
                                       trace[source.data["layer"]].states["h"][:, source.data["step"]], atol=1e-6)
    for node in diagram.find("layer", layer="joined"):
        given = np.concatenate([trace[n.data["layer"]].states["h"][:, n.data["step"]]
                                for n in sorted(_wired(diagram, node), key=lambda n: n.data["layer"] != "f2")], -1)
        np.testing.assert_allclose(given, joined[:, node.data["step"]], atol=1e-6)


def test_two_heads_on_one_sequence_are_drawn_one_above_the_other():
    inputs = keras.Input((5, 2))
    states = L.GRU(3, return_sequences=True, name="gru")(inputs)
    model = keras.Model(inputs, [L.Dense(1, name="level")(states), L.Dense(1, name="trend")(states)])
    diagram = unrolled_diagram(describe_model(model))
    level, trend = diagram.find("output", layer="level"), diagram.find("output", layer="trend")
    assert {node.y for node in level} != {node.y for node in trend}
    for node in level + trend:
        assert _sources(diagram, node.id) == {f"gru/{node.data['step']}"}
    assert not {e.source: _through(diagram, e) for e in diagram.edges if _through(diagram, e)}


def test_a_backward_lstm_row_carries_its_cell_state_the_way_it_runs():
    model = keras.Sequential([keras.Input((5, 2)), L.Bidirectional(L.LSTM(3, return_sequences=True), name="bi"),
                              L.LSTM(3, go_backwards=True, name="back")])
    diagram = unrolled_diagram(describe_model(model), max_rows=10)
    for layer, direction in (("bi/forward", "forward"), ("bi/backward", "backward"), ("back", "backward")):
        steps = {diagram.node(e.source).data["step"] - diagram.node(e.target).data["step"] for e in diagram.edges
                 if e.role in ("recurrent", "conveyor") and diagram.node(e.source).data.get("layer") == layer}
        assert steps == ({-1} if direction == "forward" else {1}), layer


def test_a_band_reading_a_go_backwards_layer_names_the_cells_it_pools():
    """A pooling band over a go_backwards layer's sequence: each cell wired straight up into the band (no wires
    across the steps), and each pooled step names the cells it reads, checked against Keras's pooled numbers."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 2))
    backward = L.LSTM(3, return_sequences=True, go_backwards=True, name="back")(inputs)
    pooled = L.MaxPooling1D(2, name="pool")(backward)
    model = keras.Model(inputs, L.Dense(1, name="head")(L.GRU(3, name="gru")(pooled)))
    x = np.random.default_rng(0).normal(size=(2, 8, 2)).astype("float32")
    trace = rnnviz.record(model, x)
    diagram = unrolled_diagram(stages_from_trace(trace), trace_layers=trace.layer_names)
    nodes = {node.id: node for node in diagram.nodes}
    into_band = [edge for edge in diagram.edges if nodes[edge.target].role == "port" and "/in/" in edge.target]
    assert len(into_band) == 8 and all(nodes[edge.source].x == nodes[edge.target].x for edge in into_band)
    given = np.asarray(keras.Model(inputs, pooled)(x))
    h = trace["back"].states["h"]  # input time order: h[:, t] is the cell above input step t
    for window in diagram.find("window", layer="pool"):
        first, last = (int(part.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))[1:])
                       for part in window.label.split("…"))
        cells = range(first, last - 1, -1)  # a reversed sequence pools cells from the right
        np.testing.assert_allclose(given[:, window.data["step"]], h[:, list(cells)].max(axis=1), atol=1e-6,
                                   err_msg=window.label)

"""A layer a functional model calls more than once (a Siamese encoder, a layer applied again to what came out of
it): a stage per call, named as the call's traces are ("encoder", "encoder#2"), reading what that call read, and a
row per call in the unrolled diagram with that call's states; a layer merging several encoders wired from each; a
model used as a layer drawn as its own layers."""

import keras
import matplotlib.pyplot as plt
import numpy as np

import rnnviz
from rnnviz.diagrams import describe_model, unrolled_diagram
from rnnviz.diagrams.architecture import read_name, stages_from_trace

L = keras.layers
STEPS, FEATURES = 5, 3


def siamese(first_built="left"):
    """One LSTM encoding two inputs; ``first_built`` is the input it is called on first in the code (node 0), while
    the model runs its calls in the order its outputs list them (here the other way round)."""
    keras.utils.set_random_seed(0)
    encoder = L.LSTM(4, name="encoder")
    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    inputs = {"left": left, "right": right}
    later = "right" if first_built == "left" else "left"
    encoded = {first_built: encoder(inputs[first_built]), later: encoder(inputs[later])}
    merged = L.Concatenate(name="both")([encoded[later], encoded[first_built]])
    return keras.Model([left, right], L.Dense(1, name="score")(merged))


def sequences(seed):
    return np.random.default_rng(seed).normal(size=(2, STEPS, FEATURES)).astype(np.float32)


def test_each_call_is_a_stage_named_as_its_traces_reading_what_that_call_read():
    for first_built in ("left", "right"):
        model = siamese(first_built)
        given = {"left": sequences(1), "right": sequences(2)}
        trace = rnnviz.record(model, [given["left"], given["right"]])
        assert trace.layer_names == ["encoder", "encoder#2"]
        stages = {stage.name: stage for stage in describe_model(model)}
        assert stages_from_trace(trace) == list(stages.values())  # stored with the trace
        for name in ("encoder", "encoder#2"):
            (source,) = stages[name].sources
            np.testing.assert_array_equal(trace[name].inputs, given[source], err_msg=f"{name} reads {source}")
        assert set(stages["both"].sources) == {"encoder", "encoder#2"}


def layer_applied_again():
    """x → lstm → Dense → the same lstm → Dense: the second call reads what the first call's output became."""
    keras.utils.set_random_seed(0)
    lstm = L.LSTM(FEATURES, return_sequences=True, name="lstm")
    inputs = keras.Input((STEPS, FEATURES))
    middle = L.Dense(FEATURES, name="middle")(lstm(inputs))
    return keras.Model(inputs, L.Dense(2, name="head")(lstm(middle)))


def test_a_layer_applied_again_is_drawn_once_per_call_with_each_calls_states():
    model = layer_applied_again()
    x = sequences(3)
    trace = rnnviz.record(model, x)
    stages = describe_model(model)
    assert [(stage.name, stage.sources) for stage in stages[1:]] == [
        ("lstm", (stages[0].name,)), ("middle", ("lstm",)), ("lstm#2", ("middle",)), ("head", ("lstm#2",))]
    np.testing.assert_allclose(trace["lstm#2"].inputs, model.get_layer("middle")(trace["lstm"].states["h"]),
                               atol=1e-5)
    display = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=STEPS).plot()
    diagram = display.diagram_
    rows = {layer: {node.y for node in diagram.find("cell", layer=layer)} for layer in ("lstm", "lstm#2")}
    assert all(len(ys) == 1 for ys in rows.values()) and rows["lstm"] != rows["lstm#2"]
    assert min(rows["lstm#2"]) > min(rows["lstm"])  # above the first call and the Dense between
    labels = [label.text for label in diagram.labels]
    assert any(text.startswith("lstm, call 1\n") for text in labels), labels
    assert any(text.startswith("lstm, call 2\n") for text in labels), labels
    head = diagram.find("output", layer="head")
    second = {node.id for node in diagram.find("cell", layer="lstm#2")}
    assert {edge.source for edge in diagram.edges if edge.target in {node.id for node in head}} <= second
    plt.close(display.figure_)


def test_a_stacked_layer_called_twice_is_a_stack_per_call():
    keras.utils.set_random_seed(0)
    stack = L.RNN(L.StackedRNNCells([L.SimpleRNNCell(3), L.GRUCell(FEATURES)]), return_sequences=True, name="stack")
    inputs = keras.Input((STEPS, FEATURES))
    model = keras.Model(inputs, stack(L.Dense(FEATURES, name="middle")(stack(inputs))))
    trace = rnnviz.record(model, sequences(4))
    stages = describe_model(model)
    assert [stage.name for stage in stages] == [stages[0].name, "stack/layer1", "stack/layer2", "middle",
                                                "stack/layer1#2", "stack/layer2#2"]
    assert [stage.name for stage in stages if stage.role == "recurrent"] == trace.layer_names
    assert stages[4].sources == ("middle",) and stages[5].sources == ("stack/layer1#2",)


def test_a_bidirectional_layer_called_twice_has_both_directions_of_each_call():
    keras.utils.set_random_seed(0)
    both_ways = L.Bidirectional(L.GRU(3, return_sequences=True), name="bi")
    inputs = keras.Input((STEPS, FEATURES))
    model = keras.Model(inputs, L.Dense(1, name="head")(both_ways(L.Dense(FEATURES, name="middle")(both_ways(inputs)))))
    trace = rnnviz.record(model, sequences(5))
    assert trace.layer_names == ["bi/forward", "bi/backward", "bi/forward#2", "bi/backward#2"]
    assert [(stage.name, stage.sources) for stage in describe_model(model)[2:]] == [
        ("middle", ("bi",)), ("bi#2", ("middle",)), ("head", ("bi#2",))]
    display = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=STEPS).plot()
    drawn = {node.data["layer"] for node in display.diagram_.find("cell")}
    assert drawn == set(trace.layer_names)
    plt.close(display.figure_)


def test_a_merge_of_two_encoders_is_wired_from_both_of_their_last_states():
    """A Concatenate of two encoders' last states, each on a time axis of its own: a wire from each (before: from
    the first alone), up and across at right angles (no diagonal through the labels)."""
    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    merged = L.Concatenate(name="both")([L.GRU(4, name="enc_a")(left), L.SimpleRNN(4, name="enc_b")(right)])
    model = keras.Model([left, right], L.Dense(1, name="score")(merged))
    diagram = unrolled_diagram(describe_model(model), max_steps=STEPS)
    nodes = {node.id: node for node in diagram.nodes}
    last = {layer: max(diagram.find("cell", layer=layer), key=lambda node: node.x).id for layer in ("enc_a", "enc_b")}
    wires = [edge for edge in diagram.edges if edge.target == "both"]
    assert {edge.source for edge in wires} == set(last.values())
    for edge in wires:
        path = [(nodes[edge.source].x, nodes[edge.source].y), *edge.points, (nodes["both"].x, nodes["both"].y)]
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(path, path[1:])), edge


def test_a_model_used_as_a_layer_is_drawn_as_its_own_layers_once_per_call():
    """A Siamese network's shared encoder built as a model of its own: its layers are stages (before: one opaque box
    per step, no cell drawn), a stage per call named as its traces, each reading that call's input."""
    keras.utils.set_random_seed(0)
    inner = keras.Input((STEPS, FEATURES))
    base = keras.Model(inner, L.Dense(2, name="proj")(L.LSTM(4, name="lstm")(inner)), name="base")
    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    model = keras.Model([left, right], L.Dense(1, name="score")(L.Concatenate(name="both")([base(left), base(right)])))
    given = {"left": sequences(6), "right": sequences(7)}
    trace = rnnviz.record(model, [given["left"], given["right"]])
    stages = {stage.name: stage for stage in describe_model(model)}
    assert [name for name, stage in stages.items() if stage.role == "recurrent"] == trace.layer_names == [
        "lstm", "lstm#2"]
    for name, source in (("lstm", "left"), ("lstm#2", "right")):
        assert stages[name].sources == (source,)
        np.testing.assert_array_equal(trace[name].inputs, given[source])
    assert stages["proj#2"].sources == ("lstm#2",) and set(stages["both"].sources) == {"proj", "proj#2"}
    display = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=STEPS).plot()
    assert {node.data["layer"] for node in display.diagram_.find("cell")} == {"lstm", "lstm#2"}
    plt.close(display.figure_)


def test_a_trained_model_wrapped_with_its_text_vectorization_is_drawn_as_its_layers():
    """The text tutorials' export model, Sequential([TextVectorization, the trained model, Activation]): drawn as
    the trained model's own layers reading token ids."""
    texts = np.array(["the film was great", "a dull and boring film", "great acting", "boring"])
    vectorize = L.TextVectorization(max_tokens=50, output_sequence_length=6)
    vectorize.adapt(texts)
    keras.utils.set_random_seed(0)
    trained = keras.Sequential([keras.Input((6,)), L.Embedding(50, 4), L.LSTM(5, name="lstm"), L.Dense(1)])
    export = keras.Sequential([keras.Input((1,), dtype="string"), vectorize, trained, L.Activation("sigmoid")])
    trace = rnnviz.record(export, texts[:2, None])
    roles = [stage.role for stage in stages_from_trace(trace)]
    assert roles == ["input", "embedding", "recurrent", "dense"]
    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    assert len(display.diagram_.find("cell", layer="lstm")) == 6
    plt.close(display.figure_)


def test_a_later_call_reading_a_layer_listed_after_the_first_call():
    """x → lstm → LayerNormalization → the same lstm: Keras lists the shared layer at its first call, before the
    normalisation its second call reads; the second call still reads the first call's output, through it."""
    keras.utils.set_random_seed(0)
    lstm = L.LSTM(FEATURES, return_sequences=True, name="lstm")
    inputs = keras.Input((STEPS, FEATURES))
    model = keras.Model(inputs, lstm(L.LayerNormalization(name="norm")(lstm(inputs))))
    stages = {stage.name: stage for stage in describe_model(model)}
    assert stages["lstm#2"].sources == ("lstm",)
    assert read_name(list(stages.values()), "lstm#2") == "output of lstm"
    trace = rnnviz.record(model, sequences(8))
    display = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=STEPS).plot()
    assert {node.data["layer"] for node in display.diagram_.find("cell")} == {"lstm", "lstm#2"}
    plt.close(display.figure_)


def test_a_model_used_twice_that_calls_a_layer_twice_itself_is_named_as_its_traces():
    keras.utils.set_random_seed(0)
    lstm = L.LSTM(FEATURES, return_sequences=True, name="lstm")
    inner = keras.Input((STEPS, FEATURES))
    twice = keras.Model(inner, lstm(lstm(inner)), name="twice")
    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    model = keras.Model([left, right], L.Concatenate(name="both")([twice(left), twice(right)]))
    trace = rnnviz.record(model, [sequences(9), sequences(10)])
    recurrent = [stage for stage in describe_model(model) if stage.role == "recurrent"]
    assert [stage.name for stage in recurrent] == trace.layer_names == ["lstm", "lstm#2", "lstm#3", "lstm#4"]
    assert [stage.sources for stage in recurrent] == [("left",), ("lstm",), ("right",), ("lstm#3",)]


def test_a_model_used_as_a_layer_keeps_what_its_outputs_come_from_and_its_inputs_order():
    keras.utils.set_random_seed(0)
    first, second = keras.Input((STEPS, FEATURES), name="first"), keras.Input((STEPS, FEATURES), name="second")
    encoded = L.UnitNormalization(name="unit")(L.GRU(4, name="gru")(L.Subtract(name="minus")([first, second])))
    pair = keras.Model([first, second], encoded, name="pair")
    a, b = keras.Input((STEPS, FEATURES), name="a"), keras.Input((STEPS, FEATURES), name="b")
    model = keras.Model([a, b], [pair([b, a]), pair([a, b])])  # outputs straight from the nested model's last layer
    given = {"a": sequences(11), "b": sequences(12)}
    trace = rnnviz.record(model, [given["a"], given["b"]])
    stages = {stage.name: stage for stage in describe_model(model)}
    assert {"unit", "unit#2"} <= set(stages)  # not dropped as dead ends
    assert {stages["minus"].sources, stages["minus#2"].sources} == {("a", "b"), ("b", "a")}
    for call in ("", "#2"):  # each call's GRU reads its first argument less its second, in the order drawn
        first_given, second_given = stages[f"minus{call}"].sources
        np.testing.assert_allclose(trace[f"gru{call}"].inputs, given[first_given] - given[second_given], atol=1e-6)


def test_a_model_used_as_a_layer_with_nothing_drawn_hands_its_input_on():
    texts = np.array(["a good film", "a bad film"])
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(texts)
    to_ids = keras.Sequential([keras.Input((1,), dtype="string"), vectorize], name="to_ids")
    inputs = keras.Input((1,), dtype="string")
    model = keras.Model(inputs, L.LSTM(3, name="lstm")(L.Embedding(20, 2, name="embedding")(to_ids(inputs))))
    stages = {stage.name: stage for stage in describe_model(model)}
    (text,) = [name for name, stage in stages.items() if stage.role == "input"]
    assert stages["embedding"].sources == (text,) and stages["lstm"].sources == ("embedding",)


def test_a_merge_wire_runs_across_above_a_deeper_encoder():
    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    deeper = L.GRU(4, name="top_a")(L.GRU(4, return_sequences=True, name="low_a")(left))
    model = keras.Model([left, right], L.Concatenate(name="both")([deeper, L.GRU(4, name="enc_b")(right)]))
    diagram = unrolled_diagram(describe_model(model), max_steps=STEPS)
    highest = max(node.y + node.height / 2 for node in diagram.find("cell"))
    for edge in (edge for edge in diagram.edges if edge.target == "both"):
        across = [y for (_, y), (_, next_y) in zip(edge.points, edge.points[1:]) if y == next_y]
        assert all(y > highest for y in across), edge


def test_each_output_of_a_model_used_as_a_layer_is_read_from_its_own_stage():
    """A Bidirectional encoder model returning its sequence and its concatenated states: the reader of the sequence
    reads the Bidirectional layer, the decoder starts from the concatenated h (before: everything read its last
    output, and the other concatenation was dropped)."""
    keras.utils.set_random_seed(0)
    inner = keras.Input((STEPS, FEATURES))
    sequence, forward_h, forward_c, backward_h, backward_c = L.Bidirectional(
        L.LSTM(3, return_sequences=True, return_state=True), name="bi")(inner)
    encoder = keras.Model(inner, [sequence, L.Concatenate(name="ch")([forward_h, backward_h]),
                                  L.Concatenate(name="cc")([forward_c, backward_c])], name="encoder")
    source, target = keras.Input((STEPS, FEATURES), name="source"), keras.Input((4, 2), name="target")
    encoded, h, c = encoder(source)
    model = keras.Model([source, target], L.Concatenate(name="both")(
        [L.LSTM(2, name="reader")(encoded), L.LSTM(6, name="decoder")(target, initial_state=[h, c])]))
    stages = {stage.name: stage for stage in describe_model(model)}
    assert stages["reader"].sources == ("bi",)
    assert stages["decoder"].sources == ("target",) and stages["decoder"].state_source == "ch"
    assert stages["ch"].sources == ("bi",)


def test_models_whose_layers_share_a_name_stay_one_box_each():
    """Two towers built apart, each with a layer named "lstm_t": the recorder names its traces by layer name
    ("lstm_t", "lstm_t#2" in the order they run), so the towers are not drawn as their layers (which stage would be
    which trace?) but as a box each, no stage name used twice."""
    def tower(name):
        inner = keras.Input((STEPS, FEATURES))
        return keras.Model(inner, L.LSTM(3, name="lstm_t")(inner), name=name)

    left, right = keras.Input((STEPS, FEATURES), name="left"), keras.Input((STEPS, FEATURES), name="right")
    model = keras.Model([left, right], L.Concatenate(name="both")([tower("tower_a")(left), tower("tower_b")(right)]))
    stages = describe_model(model)
    names = [stage.name for stage in stages]
    assert len(names) == len(set(names)) and {"tower_a", "tower_b"} <= set(names)
    assert set({stage.name: stage for stage in stages}["both"].sources) == {"tower_a", "tower_b"}

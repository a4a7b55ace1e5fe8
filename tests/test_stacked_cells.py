"""keras.layers.RNN(StackedRNNCells([...])): every cell recorded as a layer of the stack ("<name>/layer<k>"), exact
against Keras and against a NumPy reference, its gradients against autodiff through Keras's own cells, drawn as a
stack."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnviz
from rnnviz.diagrams.architecture import read_name, stages_from_trace
from rnnviz.errors import UnsupportedModelError
from tests.reference import reference_trace
from tests.test_custom_cells import MinimalRNNCell, NormalisedCell

L = keras.layers
BATCH, STEPS, FEATURES = 3, 7, 4


def cells():
    return [L.SimpleRNNCell(5, activation="relu"), L.LSTMCell(6), L.GRUCell(3, reset_after=False)]


def stacked_model(go_backwards=False, return_sequences=True, return_state=False, masking=False, name="stack"):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, FEATURES))
    sequences = L.Masking()(inputs) if masking else inputs
    layer = L.RNN(L.StackedRNNCells(cells()), go_backwards=go_backwards, return_sequences=return_sequences,
                  return_state=return_state, name=name)
    outputs = layer(sequences)
    head = L.Dense(2, name="head")(outputs[0] if return_state else outputs)
    return keras.Model(inputs, [head, *outputs[1:]] if return_state else head), layer


def batch(padded=False):
    x = np.random.default_rng(1).normal(size=(BATCH, STEPS, FEATURES)).astype(np.float32)
    if padded:  # as Masking reads it: all-zero steps are padding
        x[0, :3] = 0
        x[2, 5:] = 0
    return x


def unrolled_by_keras(layer, x):
    """Each cell's h at every step (input time order), running the stack's cells one at a time as Keras layers."""
    sequences, h = x, []
    for cell in layer.cell.cells:
        output = np.asarray(L.RNN(cell, return_sequences=True, go_backwards=layer.go_backwards)(sequences))
        h.append(output[:, ::-1] if layer.go_backwards else output)
        sequences = h[-1]
    return h


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_every_cell_is_a_layer_of_the_stack_equal_to_keras(go_backwards, return_sequences):
    model, layer = stacked_model(go_backwards, return_sequences)
    x = batch()
    trace = rnnviz.record(model, x)
    assert [(each.name, each.kind) for each in trace.layers] == [
        ("stack/layer1", "simple_rnn"), ("stack/layer2", "lstm"), ("stack/layer3", "gru")]
    for layer_trace, expected in zip(trace.layers, unrolled_by_keras(layer, x)):
        np.testing.assert_allclose(layer_trace.states["h"], expected, atol=1e-5, err_msg=layer_trace.name)
        reference = reference_trace(layer_trace)
        for key, value in {**layer_trace.states, **layer_trace.gates}.items():
            np.testing.assert_allclose(value, reference[key], atol=1e-5, err_msg=f"{layer_trace.name} {key}")
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    assert trace["stack/layer1"].config["activation"] == "relu"  # the cell's settings, for the cell diagrams
    assert trace["stack/layer1"].config["return_sequences"]  # a cell below the top hands on its whole sequence
    assert trace["stack/layer3"].config["return_sequences"] == return_sequences
    assert all(each.go_backwards == go_backwards for each in trace.layers)


def test_final_states_initial_states_and_padding_as_keras_has_them():
    model, layer = stacked_model(return_state=True, masking=True)
    x = batch(padded=True)
    trace = rnnviz.record(model, x)
    expected = model.predict(x, verbose=0)
    recorded = rnnviz.recording.replay.traced_replica(model).model(x)
    for got, want in zip(keras.tree.flatten(recorded), keras.tree.flatten(expected)):
        np.testing.assert_allclose(np.asarray(got), want, atol=1e-5)
    assert trace["stack/layer2"].mask[0].tolist() == [False] * 3 + [True] * 4
    # Padding: every cell holds its states over the padded steps, as Keras does.
    for layer_trace in trace.layers:
        np.testing.assert_allclose(layer_trace.states["h"][2, 5:], layer_trace.states["h"][2, 4:5].repeat(2, 0))

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, FEATURES))
    starts = [keras.Input((5,)), [keras.Input((6,)), keras.Input((6,))], [keras.Input((3,))]]
    stack = L.RNN(L.StackedRNNCells(cells()), return_sequences=True, name="stack")
    started = keras.Model([inputs, *keras.tree.flatten(starts)], stack(inputs, initial_state=starts))
    given = [batch()] + [np.full((BATCH, size), 0.5, np.float32) for size in (5, 6, 6, 3)]
    trace = rnnviz.record(started, given)
    np.testing.assert_allclose(trace.model_output, started.predict(given, verbose=0), atol=1e-5)
    np.testing.assert_allclose(trace["stack/layer2"].initial_states["c"], given[3])


def test_the_diagram_draws_the_stack_one_layer_per_cell():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, _ = stacked_model(return_sequences=False)
    trace = rnnviz.record(model, batch())
    stages = stages_from_trace(trace)
    assert [(stage.name, stage.kind, stage.units, stage.return_sequences) for stage in stages[1:]] == [
        ("stack/layer1", "simple_rnn", 5, True), ("stack/layer2", "lstm", 6, True),
        ("stack/layer3", "gru", 3, False), ("head", "", 2, False)]
    assert stages[-1].sources == ("stack/layer3",)
    assert read_name(stages, "stack/layer2") == "output of stack/layer1"
    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    layers = {node.data.get("layer") for node in display.diagram_.nodes if node.data.get("layer")}
    assert {"stack/layer1", "stack/layer2", "stack/layer3"} <= layers
    plt.close(display.figure_)


def autodiff_through_cells(layer, head, x, y, position, wrt_loss=True):
    """By autodiff through Keras's own cells, run step by step: dL/dh_t of the cell at ``position`` (1, 2, ...)
    for the model's mean squared error, or (``wrt_loss`` False) ||d h_T / d h_t||_F within that cell."""
    stacked = layer.cell.cells
    inputs = tf.constant(x[:, ::-1] if layer.go_backwards else x)
    with tf.GradientTape(persistent=True) as tape:
        states = [cell.get_initial_state(batch_size=len(x)) if hasattr(cell, "get_initial_state") else
                  [tf.zeros((len(x), size)) for size in np.atleast_1d(cell.state_size)] for cell in stacked]
        watched, outputs = [], []
        for t in range(x.shape[1]):
            step_input = inputs[:, t]
            for index, cell in enumerate(stacked):
                step_input, states[index] = cell(step_input, states[index])
                if index == position - 1:  # h is both what the cell hands up and the state it carries
                    tape.watch(step_input)
                    watched.append(step_input)
            outputs.append(step_input)
        output = tf.stack(outputs, 1) if layer.return_sequences else outputs[-1]
        loss = tf.reduce_mean(keras.losses.mean_squared_error(y, head(output)))
    if wrt_loss:
        gradients = np.stack([np.asarray(g) for g in tape.gradient(loss, watched)], 1)
    else:
        last = watched[-1]
        gradients = np.stack([
            np.linalg.norm(np.asarray(tape.batch_jacobian(last, h)).reshape(len(x), -1), axis=-1)
            if h is not last else np.full(len(x), np.sqrt(int(last.shape[-1])))
            for h in watched], 1)
    return gradients[:, ::-1] if layer.go_backwards else gradients


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gradients_at_every_position_of_the_stack_equal_autodiff(go_backwards, return_sequences):
    model, layer = stacked_model(go_backwards, return_sequences)
    x = batch()
    y = np.random.default_rng(2).normal(size=model.predict(x, verbose=0).shape).astype(np.float32)
    for position in (1, 2, 3):
        name = f"stack/layer{position}"
        profile = rnnviz.gradient_profile(model, x, layer=name, loss="mse", y=y)
        expected = autodiff_through_cells(layer, model.get_layer("head"), x, y, position)
        assert np.abs(expected).max() > 0
        np.testing.assert_allclose(profile.loss_gradients, expected, rtol=1e-4, atol=1e-6 * np.abs(expected).max(),
                                   err_msg=name)
        norms = autodiff_through_cells(layer, model.get_layer("head"), x, y, position, wrt_loss=False)
        np.testing.assert_allclose(profile.norms, norms, rtol=1e-4, atol=1e-6, err_msg=name)


def test_a_stack_called_twice_has_each_calls_traces_and_gradients():
    """One stacked layer called on two sequences: its second call's cells are "stack/layer<k>#2" (the call's number
    last, as in every trace name), and each call's gradients equal autodiff through Keras's cells on that call's
    input, the loss reached through everything after it (for the first call: the layer's second call too)."""
    keras.utils.set_random_seed(0)
    layer = L.RNN(L.StackedRNNCells(cells()), return_sequences=True, name="stack")
    middle, head = L.Dense(FEATURES, name="middle"), L.Dense(2, name="head")
    inputs = keras.Input((None, FEATURES))
    between = middle(layer(inputs))
    model = keras.Model(inputs, head(layer(between)))
    x = batch()
    y = np.random.default_rng(2).normal(size=(BATCH, STEPS, 2)).astype(np.float32)
    trace = rnnviz.record(model, x)
    assert trace.layer_names == [f"stack/layer{k}{call}" for call in ("", "#2") for k in (1, 2, 3)]
    second_input = np.asarray(keras.Model(inputs, between)(x))
    after_the_first = lambda output: head(layer(middle(output)))  # noqa: E731  (the layer's second call by Keras)
    for call, (given, after) in {"": (x, after_the_first), "#2": (second_input, head)}.items():
        for position in (1, 2, 3):
            name = f"stack/layer{position}{call}"
            profile = rnnviz.gradient_profile(model, x, layer=name, loss="mse", y=y)
            expected = autodiff_through_cells(layer, after, given, y, position)
            assert np.abs(expected).max() > 0
            np.testing.assert_allclose(profile.loss_gradients, expected, rtol=1e-4,
                                       atol=1e-6 * np.abs(expected).max(), err_msg=name)
            norms = autodiff_through_cells(layer, after, given, y, position, wrt_loss=False)
            np.testing.assert_allclose(profile.norms, norms, rtol=1e-4, atol=1e-6, err_msg=name)


def test_a_bidirectional_stack_of_cells_is_refused_by_name():
    inputs = keras.Input((None, FEATURES))
    model = keras.Model(inputs, L.Bidirectional(L.RNN(L.StackedRNNCells(cells())), name="both")(inputs))
    with pytest.raises(UnsupportedModelError, match="'both' is a Bidirectional around StackedRNNCells"):
        rnnviz.record(model, batch())


def own_and_keras_cells():
    """A stack of cells of one's own (Keras's own StackedRNNCells tests stack such cells) and a Keras cell."""
    return [MinimalRNNCell(3), NormalisedCell(4), L.LSTMCell(2)]


def stack_of_own_cells(go_backwards=False, return_sequences=True, masking=False, stateful=False):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, FEATURES), batch_size=BATCH if stateful else None)
    sequences = L.Masking()(inputs) if masking else inputs
    layer = L.RNN(L.StackedRNNCells(own_and_keras_cells()), go_backwards=go_backwards, stateful=stateful,
                  return_sequences=return_sequences, name="stack")
    return keras.Model(inputs, L.Dense(2, name="head")(layer(sequences))), layer


def by_the_cells_calls(layer, x, states=None):
    """Each cell's output and its states at every step (input time order), calling the stack's cells step by step
    as StackedRNNCells does (from ``states``, else zeros), and the states after the last step."""
    cells = layer.cell.cells
    states = states or [[np.zeros((len(x), size), np.float32) for size in np.atleast_1d(cell.state_size)]
                        for cell in cells]
    order = range(x.shape[1] - 1, -1, -1) if layer.go_backwards else range(x.shape[1])
    outputs, carried = [[] for _ in cells], [[] for _ in cells]
    for t in order:
        step_input = x[:, t]
        for index, cell in enumerate(cells):
            step_input, states[index] = cell(step_input, list(states[index]))
            outputs[index].append(np.asarray(step_input))
            carried[index].append([np.asarray(state) for state in states[index]])
    flip = (lambda steps: steps[::-1]) if layer.go_backwards else (lambda steps: steps)  # noqa: E731
    return ([np.stack(flip(each), 1) for each in outputs],
            [[np.stack(parts, 1) for parts in zip(*flip(each))] for each in carried], states)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_cells_of_ones_own_in_a_stack_are_recorded_through_their_calls(go_backwards):
    model, layer = stack_of_own_cells(go_backwards)
    x = batch()
    trace = rnnviz.record(model, x)
    assert [(each.name, each.kind, each.units) for each in trace.layers] == [
        ("stack/layer1", "custom", 3), ("stack/layer2", "custom", 4), ("stack/layer3", "lstm", 2)]
    outputs, carried, _ = by_the_cells_calls(layer, x)
    for layer_trace, output in zip(trace.layers, outputs):
        np.testing.assert_allclose(layer_trace.states["h"], output, atol=1e-5, err_msg=layer_trace.name)
    np.testing.assert_allclose(trace["stack/layer2"].states["state2"], carried[1][1], atol=1e-5)
    reference = reference_trace(trace["stack/layer3"])  # the LSTM on top reads the custom cell's output
    for key, value in {**trace["stack/layer3"].states, **trace["stack/layer3"].gates}.items():
        np.testing.assert_allclose(value, reference[key], atol=1e-5, err_msg=key)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    assert trace["stack/layer2"].config["cell_class"] == "NormalisedCell"
    assert all(each.go_backwards == go_backwards for each in trace.layers)


def test_a_stack_of_ones_own_cells_holds_padding_and_carries_state_between_calls():
    model, layer = stack_of_own_cells(masking=True)
    x = batch(padded=True)
    trace = rnnviz.record(model, x)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    for layer_trace in trace.layers:  # every cell holds its states over the padded steps, as Keras does
        for value in layer_trace.states.values():
            np.testing.assert_allclose(value[2, 5:], value[2, 4:5].repeat(2, 0), err_msg=layer_trace.name)

    model, layer = stack_of_own_cells(stateful=True)
    x = batch()
    model.predict(x, verbose=0)  # the first call leaves the stack in a state the next call starts from
    _, _, after_first = by_the_cells_calls(layer, x)
    trace = rnnviz.record(model, x)
    outputs, _, _ = by_the_cells_calls(layer, x, states=after_first)
    for layer_trace, output in zip(trace.layers, outputs):
        np.testing.assert_allclose(layer_trace.states["h"], output, atol=1e-5, err_msg=layer_trace.name)


def test_a_stack_of_ones_own_cells_is_drawn_and_a_keras_cell_in_it_has_its_gradients():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, layer = stack_of_own_cells(return_sequences=False)
    x = batch()
    trace = rnnviz.record(model, x)
    stages = {stage.name: stage for stage in stages_from_trace(trace)}
    assert [(stages[f"stack/layer{k}"].kind, stages[f"stack/layer{k}"].units) for k in (1, 2, 3)] == [
        ("custom", 3), ("custom", 4), ("lstm", 2)]
    assert stages["stack/layer2"].extra["cell_class"] == "NormalisedCell"
    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    texts = [label.text for label in display.diagram_.labels]
    assert any("MinimalRNNCell, 3 units" in text for text in texts)
    plt.close(display.figure_)

    y = np.random.default_rng(2).normal(size=(BATCH, 2)).astype(np.float32)
    profile = rnnviz.gradient_profile(model, x, layer="stack/layer3", loss="mse", y=y)
    expected = autodiff_through_cells(layer, model.get_layer("head"), x, y, 3)
    np.testing.assert_allclose(profile.loss_gradients, expected, rtol=1e-4, atol=1e-6 * np.abs(expected).max())
    with pytest.raises(UnsupportedModelError, match="'stack/layer1' runs a cell of its own \\(MinimalRNNCell\\)"):
        rnnviz.gradient_profile(model, x, layer="stack/layer1")

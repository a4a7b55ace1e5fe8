"""Subclassed Keras models whose own call runs recurrent layers and cells (TensorFlow's time-series tutorial's
autoregressive FeedBack): recorded through the calls of one forward pass, exact, and drawn as what ran."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnviz
from rnnviz.diagrams.architecture import stages_from_trace
from rnnviz.errors import InputError, UnsupportedModelError
from tests.reference import reference_trace

L = keras.layers


class FeedBack(keras.Model):
    """The tutorial's model, as written there (tensorflow.org/tutorials/structured_data/time_series)."""

    def __init__(self, units, out_steps, num_features):
        super().__init__()
        self.out_steps = out_steps
        self.units = units
        self.lstm_cell = L.LSTMCell(units)
        self.lstm_rnn = L.RNN(self.lstm_cell, return_state=True)
        self.dense = L.Dense(num_features)

    def warmup(self, inputs):
        x, *state = self.lstm_rnn(inputs)
        prediction = self.dense(x)
        return prediction, state

    def call(self, inputs, training=None):
        predictions = []
        prediction, state = self.warmup(inputs)
        predictions.append(prediction)
        for n in range(1, self.out_steps):
            x = prediction
            x, state = self.lstm_cell(x, states=state, training=training)
            prediction = self.dense(x)
            predictions.append(prediction)
        predictions = tf.stack(predictions)
        return tf.transpose(predictions, [1, 0, 2])


class CellLoop(keras.Model):
    """A hand-written RNN: a cell run over the input in a Python loop, twice (two sentences, each from zeros)."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def call(self, inputs):
        outputs = []
        for sentence in (inputs, inputs[:, ::-1]):
            state = self.cell.get_initial_state(batch_size=inputs.shape[0])
            for t in range(inputs.shape[1]):
                output, state = self.cell(sentence[:, t], state)
            outputs.append(output)
        return tf.concat(outputs, axis=-1)


class Classifier(keras.Model):
    """Layers (not cells) called in a subclassed model: a Bidirectional GRU over an LSTM's sequence."""

    def __init__(self):
        super().__init__()
        self.lstm = L.LSTM(5, return_sequences=True, name="lstm")
        self.both = L.Bidirectional(L.GRU(3), name="both")
        self.head = L.Dense(1, name="head")

    def call(self, inputs):
        return self.head(self.both(self.lstm(inputs)))


def batch(steps=6, features=3):
    return np.random.default_rng(0).normal(size=(2, steps, features)).astype(np.float32)


def feedback(out_steps=5):
    keras.utils.set_random_seed(0)
    model = FeedBack(8, out_steps, 3)
    model(batch())  # built and called once, as after fit
    return model


def test_the_feedback_model_is_recorded_through_its_calls():
    model = feedback()
    x = batch()
    trace = rnnviz.record(model, x)
    assert [(layer.name, layer.steps) for layer in trace.layers] == [(model.lstm_rnn.name, 6),
                                                                     (model.lstm_cell.name, 4)]
    warmup, loop = trace.layers
    h, c = np.zeros((2, 8), np.float32), np.zeros((2, 8), np.float32)
    for t in range(6):  # the warm-up, by Keras's own cell
        _, (h, c) = model.lstm_cell(x[:, t], [h, c])
        np.testing.assert_allclose(warmup.states["h"][:, t], h, atol=1e-5)
        np.testing.assert_allclose(warmup.states["c"][:, t], c, atol=1e-5)
    prediction = model.dense(h)
    for step in range(4):  # then the cell on its own predictions
        np.testing.assert_allclose(loop.inputs[:, step], prediction, atol=1e-5)
        _, (h, c) = model.lstm_cell(prediction, [h, c])
        np.testing.assert_allclose(loop.states["h"][:, step], h, atol=1e-5)
        np.testing.assert_allclose(loop.states["c"][:, step], c, atol=1e-5)
        prediction = model.dense(h)
    for layer in trace.layers:
        reference = reference_trace(layer)
        for key, value in {**layer.states, **layer.gates}.items():
            np.testing.assert_allclose(value, reference[key], atol=1e-5, err_msg=f"{layer.name} {key}")
    np.testing.assert_allclose(trace.model_output, model(x), atol=1e-6)
    assert "call" not in vars(model.lstm_cell) and "call" not in vars(model.lstm_rnn)  # left as it was


def test_the_feedback_model_is_drawn_as_a_warm_up_and_a_loop_from_its_states():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = feedback()
    warmup, loop = model.lstm_rnn.name, model.lstm_cell.name
    trace = rnnviz.record(model, batch())
    stages = {stage.name: stage for stage in stages_from_trace(trace)}
    assert stages[warmup].sources == ("input",) and not stages[warmup].return_sequences
    assert stages[loop].state_source == warmup  # the loop starts from the warm-up's final states
    assert stages[loop].sources == (f"input of {loop}",)  # what the call computed: the predictions
    assert stages[f"input of {loop}"].steps == 4
    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    layers = {node.data.get("layer") for node in display.diagram_.nodes if node.data.get("layer")}
    assert {warmup, loop} <= layers
    plt.close(display.figure_)


@pytest.mark.parametrize("cell", [L.SimpleRNNCell(4), L.GRUCell(4), L.LSTMCell(4)], ids=lambda cell: cell.name)
def test_a_cell_in_a_loop_is_a_trace_per_chain_of_calls(cell):
    keras.utils.set_random_seed(1)
    model = CellLoop(cell)
    x = batch()
    trace = rnnviz.record(model, x)
    assert [layer.name for layer in trace.layers] == [cell.name, f"{cell.name}#2"]
    for layer, sentence in zip(trace.layers, (x, x[:, ::-1])):
        expected = np.asarray(L.RNN(cell, return_sequences=True)(sentence))
        np.testing.assert_allclose(layer.states["h"], expected, atol=1e-5)
        assert not layer.initial_states["h"].any()


def test_layers_called_by_a_subclassed_model_are_recorded_as_in_a_graph():
    keras.utils.set_random_seed(2)
    model = Classifier()
    x = batch()
    trace = rnnviz.record(model, x)
    assert [layer.name for layer in trace.layers] == ["lstm", "both/forward", "both/backward"]
    functional = keras.Sequential([keras.Input((6, 3)), model.lstm, model.both, model.head])
    graph = rnnviz.record(functional, x)
    for watched, replayed in zip(trace.layers, graph.layers):
        for key, value in {**replayed.states, **replayed.gates}.items():
            np.testing.assert_allclose(watched.states.get(key, watched.gates.get(key)), value, atol=1e-6)
    stages = {stage.name: stage for stage in stages_from_trace(trace)}
    assert stages["both"].sources == ("lstm",) and stages["both"].bidirectional


def test_gradient_profile_of_the_feedback_loop_equals_autodiff():
    model = feedback()
    x = batch()
    profile = rnnviz.gradient_profile(model, x, layer=model.lstm_cell.name)
    loop = rnnviz.record(model, x)[model.lstm_cell.name]
    states = [tf.constant(loop.initial_states["h"]), tf.constant(loop.initial_states["c"])]
    with tf.GradientTape(persistent=True) as tape:
        watched = []
        for step in range(loop.steps):
            h, states = model.lstm_cell(tf.constant(loop.inputs[:, step]), states)
            tape.watch(h)
            watched.append(h)
    expected = [np.linalg.norm(np.asarray(tape.batch_jacobian(watched[-1], h)).reshape(2, -1), axis=-1)
                for h in watched[:-1]] + [np.full(2, np.sqrt(8))]
    np.testing.assert_allclose(profile.norms, np.stack(expected, 1), rtol=1e-4, atol=1e-6)
    with pytest.raises(UnsupportedModelError, match="loss and y: '.*' is a subclassed model"):
        rnnviz.gradient_profile(model, x, layer=model.lstm_cell.name, loss="mse", y=np.zeros((2, 5, 3)))


def test_recomputed_states_that_differ_from_the_calls_are_an_error(monkeypatch):
    from rnnviz.recording import calls

    real = calls.scan_cell

    def off_by_a_little(*args, **kwargs):
        per_step, sequence = real(*args, **kwargs)
        return {key: value + 1e-3 for key, value in per_step.items()}, sequence

    monkeypatch.setattr(calls, "scan_cell", off_by_a_little)
    with pytest.raises(UnsupportedModelError, match="differ from the h it returned"):
        rnnviz.record(feedback(), batch())


def test_bad_subclassed_models_and_inputs_are_refused_by_name():
    class Plain(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(UnsupportedModelError, match="has no recurrent layer or cell rnnviz can record"):
        rnnviz.record(Plain(), batch())
    with pytest.raises(InputError, match="x: the FeedBack model rejected the input"):
        rnnviz.record(feedback(), batch(features=5))
    with pytest.raises(InputError, match="mask: '.*' is a subclassed model"):
        rnnviz.record(feedback(), batch(), mask=np.ones((2, 6), bool))
    with pytest.raises(InputError, match="x: expected numbers"):
        rnnviz.record(feedback(), np.array([["a"]]))

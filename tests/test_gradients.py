"""rnnviz.gradient_profile against brute-force GradientTape on Keras's own layers, and against theory."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnviz
from rnnviz.errors import InputError
from tests.models import build, randomise, sequences, sequential

L = keras.layers


def forward_twin(layer):
    """A copy of ``layer`` that runs forwards and returns its sequence and states."""
    config = {**layer.get_config(), "return_sequences": True, "return_state": True, "go_backwards": False}
    twin = type(layer).from_config(config)
    twin.build((None, None, layer.cell.kernel.shape[0]))
    twin.set_weights(layer.get_weights())
    return twin


def brute_force_state_norms(layer, inputs, mask=None):
    """||d h_T / d h_t||_F for each t, one GradientTape per t, with Keras's layer split at t.

    For a layer that runs backwards, its forward twin on the reversed sequence; the
    result is returned in input time order.
    """
    backwards = layer.go_backwards
    if backwards:
        inputs = inputs[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    twin = forward_twin(layer)
    steps = inputs.shape[1]
    norms = np.zeros(inputs.shape[:2])
    for t in range(steps):
        head = twin(inputs[:, : t + 1], mask=None if mask is None else mask[:, : t + 1])
        states = list(head[1:])
        if t == steps - 1:
            norms[:, t] = np.sqrt(layer.cell.units)
            continue
        with tf.GradientTape() as tape:
            tape.watch(states[0])
            tail = twin(inputs[:, t + 1 :], initial_state=states, mask=None if mask is None else mask[:, t + 1 :])
            h_last = tail[1]
        jacobian = tape.batch_jacobian(h_last, states[0])
        norms[:, t] = np.linalg.norm(np.asarray(jacobian).reshape(len(inputs), -1), axis=-1)
    return norms[:, ::-1] if backwards else norms


def brute_force_input_norms(layer, inputs):
    twin = forward_twin(layer)
    x = tf.constant(inputs[:, ::-1] if layer.go_backwards else inputs)
    with tf.GradientTape() as tape:
        tape.watch(x)
        h_last = twin(x)[1]
    jacobian = np.asarray(tape.batch_jacobian(h_last, x))  # (batch, units, time, features)
    norms = np.sqrt((jacobian**2).sum(axis=(1, 3)))
    return norms[:, ::-1] if layer.go_backwards else norms


@pytest.mark.parametrize(
    "name", ["simple_rnn_tanh", "lstm", "gru_reset_after", "gru_reset_before", "peephole_lstm", "no_bias"]
)
def test_state_norms_equal_brute_force(name):
    model, x = build(name)
    layer_trace = rnnviz.record(model, x).layers[0]
    profile = rnnviz.gradient_profile(model, x)
    expected = brute_force_state_norms(model.layers[0], layer_trace.inputs)
    np.testing.assert_allclose(profile.norms, expected, rtol=1e-4, atol=1e-6)
    assert profile.kind == layer_trace.kind and profile.layer == layer_trace.name


@pytest.mark.parametrize("layer", [L.SimpleRNN, L.LSTM, L.GRU])
def test_seeds_split_between_cores_give_the_same_profile(layer, monkeypatch):
    """64 units are split into shares, one thread each; the result must not depend on the split."""
    from rnnviz.recording import gradients

    model = sequential(layer(64), input_shape=(6, 3))
    randomise(model, seed=3)
    x = sequences(batch=2, steps=6, features=3, seed=3)
    monkeypatch.setattr(gradients, "_shares", lambda units: 4)
    split = rnnviz.gradient_profile(model, x)
    monkeypatch.setattr(gradients, "_shares", lambda units: 1)
    whole = rnnviz.gradient_profile(model, x)
    np.testing.assert_allclose(split.norms, whole.norms, rtol=1e-5)
    np.testing.assert_allclose(split.norms, brute_force_state_norms(model.layers[0], x), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["lstm", "gru_reset_after", "simple_rnn_relu"])
def test_input_norms_equal_brute_force(name):
    model, x = build(name)
    profile = rnnviz.gradient_profile(model, x, wrt="input")
    np.testing.assert_allclose(profile.norms, brute_force_input_norms(model.layers[0], x), rtol=1e-4, atol=1e-6)


def test_chosen_layer_of_a_stack():
    model, x = build("stacked")
    trace = rnnviz.record(model, x)
    third = trace.layers[2]
    profile = rnnviz.gradient_profile(model, x, layer=third.name)
    expected = brute_force_state_norms(model.get_layer(third.name), third.inputs)
    np.testing.assert_allclose(profile.norms, expected, rtol=1e-4, atol=1e-6)


def test_masked_input():
    model, x = build("masking_layer")
    trace = rnnviz.record(model, x)
    for layer_trace in trace.layers[:2]:  # forwards, then backwards
        profile = rnnviz.gradient_profile(model, x, layer=layer_trace.name)
        expected = brute_force_state_norms(model.get_layer(layer_trace.name), layer_trace.inputs, layer_trace.mask)
        np.testing.assert_allclose(profile.norms, expected, rtol=1e-4, atol=1e-6)
        np.testing.assert_array_equal(profile.mask, layer_trace.mask)


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_bidirectional_per_direction(direction):
    model, x = build("bidirectional_sum")
    layer_trace = rnnviz.record(model, x)[f"bi/{direction}"]
    profile = rnnviz.gradient_profile(model, x, layer=f"bi/{direction}")
    sublayer = getattr(model.get_layer("bi"), f"{direction}_layer")
    np.testing.assert_allclose(profile.norms, brute_force_state_norms(sublayer, layer_trace.inputs), rtol=1e-4, atol=1e-6)
    last = 0 if direction == "backward" else -1  # the last step taken: identity, norm sqrt(units)
    np.testing.assert_allclose(profile.norms[:, last], np.sqrt(4), rtol=1e-6)
    assert profile.steps_back[last] == 0


def test_linear_rnn_decays_at_the_spectral_radius():
    """Pascanu, Mikolov & Bengio (2013): with linear activation d h_T / d h_t = (W_h^T)^(T-t)."""
    units, steps = 6, 40
    model = sequential(L.SimpleRNN(units, activation="linear", use_bias=False), input_shape=(steps, 2))
    rng = np.random.default_rng(7)
    recurrent = rng.normal(size=(units, units))
    for radius in (0.8, 1.15):
        scaled = recurrent * radius / np.abs(np.linalg.eigvals(recurrent)).max()
        model.layers[0].cell.recurrent_kernel.assign(scaled.astype("float32"))
        x = rng.normal(size=(2, steps, 2)).astype("float32")
        profile = rnnviz.gradient_profile(model, x)
        exact = np.array([np.linalg.norm(np.linalg.matrix_power(scaled.T, k)) for k in range(steps)])[::-1]
        np.testing.assert_allclose(profile.norms[0], exact, rtol=1e-3)
        slope = np.polyfit(profile.steps_back[10:], np.log(profile.norms[0, 10:]), 1)[0]
        assert slope == pytest.approx(np.log(radius), abs=0.03)


def test_loss_gradients_equal_brute_force():
    x = sequences()
    model = randomise(sequential(L.GRU(5), L.Dense(2)))
    y = np.random.default_rng(3).normal(size=(len(x), 2)).astype("float32")
    profile = rnnviz.gradient_profile(model, x, loss="mse", y=y)
    layer, dense = model.layers
    twin = forward_twin(layer)
    steps = x.shape[1]
    for t in range(steps):
        states = list(twin(x[:, : t + 1])[1:])
        with tf.GradientTape() as tape:
            tape.watch(states[0])
            h_last = twin(x[:, t + 1 :], initial_state=states)[1] if t < steps - 1 else states[0]
            loss = keras.losses.MeanSquaredError()(y, dense(h_last))
        expected = np.asarray(tape.gradient(loss, states[0]))
        np.testing.assert_allclose(profile.loss_gradients[:, t], expected, rtol=1e-4, atol=1e-7, err_msg=f"t={t}")
    assert profile.loss_gradient_norms.shape == (len(x), steps)


def test_loss_gradients_through_a_sequence_output():
    x = sequences()
    model = randomise(sequential(L.LSTM(4, return_sequences=True), L.TimeDistributed(L.Dense(1))))
    y = np.random.default_rng(4).normal(size=(len(x), x.shape[1], 1)).astype("float32")
    profile = rnnviz.gradient_profile(model, x, loss="mae", y=y)
    layer, head = model.layers
    twin = forward_twin(layer)
    steps = x.shape[1]
    for t in (0, 4, steps - 1):
        first = twin(x[:, : t + 1])
        states = list(first[1:])
        with tf.GradientTape() as tape:
            tape.watch(states[0])
            pieces = [first[0][:, :t], states[0][:, None]]
            if t < steps - 1:
                pieces.append(twin(x[:, t + 1 :], initial_state=states)[0])
            loss = keras.losses.MeanAbsoluteError()(y, head(tf.concat(pieces, axis=1)))
        expected = np.asarray(tape.gradient(loss, states[0]))
        np.testing.assert_allclose(profile.loss_gradients[:, t], expected, rtol=1e-4, atol=1e-7, err_msg=f"t={t}")


def test_profile_saves_and_loads_without_tensorflow(tmp_path):
    model, x = build("gru_reset_after")
    y = np.zeros((len(x), x.shape[1], 5), "float32")
    profile = rnnviz.gradient_profile(model, x, loss="mse", y=y)
    path = profile.save(tmp_path / "profile.npz")
    loaded = rnnviz.load_profile(path)
    np.testing.assert_array_equal(loaded.norms, profile.norms)
    np.testing.assert_array_equal(loaded.loss_gradients, profile.loss_gradients)
    assert (loaded.layer, loaded.kind, loaded.wrt, loaded.loss_name) == (profile.layer, profile.kind, "state", "mean_squared_error")
    with pytest.raises(rnnviz.TraceFileError, match="holds a rnnviz.GradientProfile, expected a rnnviz.ModelTrace"):
        rnnviz.load(path)


def test_bad_arguments():
    model, x = build("bidirectional_concat")
    with pytest.raises(InputError, match=r"wrt: expected one of \('state', 'input'\)"):
        rnnviz.gradient_profile(model, x, wrt="weights")
    with pytest.raises(InputError, match=r"layer: no recurrent layer named 'bi'; 'bi' is Bidirectional: choose \['bi/forward', 'bi/backward'\]"):
        rnnviz.gradient_profile(model, x, layer="bi")
    with pytest.raises(InputError, match="loss and y: give both"):
        rnnviz.gradient_profile(model, x, loss="mse")
    with pytest.raises(InputError, match=r"y: expected targets shaped like the model's output \(3, 2\), got \(3, 9\)"):
        rnnviz.gradient_profile(model, x, loss="mse", y=np.zeros((3, 9)))


def test_memory_map_equals_brute_force():
    from rnnviz.recording.gradients import memory_map

    model, x = build("gru_reset_after")
    x = x[:, :6]
    model = keras.Sequential([keras.Input((6, x.shape[2])), model.layers[0]])
    result = memory_map(model, x)
    layer = model.layers[0]
    for t in range(6):
        np.testing.assert_allclose(result[:, t, : t + 1], brute_force_input_norms(layer, x[:, : t + 1]), rtol=1e-4, atol=1e-7)
        assert np.isnan(result[:, t, t + 1 :]).all()

"""rnnviz.record traces every supported configuration exactly as Keras computes it."""

import keras
import numpy as np
import pytest

import rnnviz
from tests.models import CONFIGURATIONS, build
from tests.reference import reference_trace

TOLERANCE = 1e-5


@pytest.fixture(scope="module", params=sorted(CONFIGURATIONS))
def recorded(request):
    model, x = build(request.param)
    return model, x, rnnviz.record(model, x)


def keras_layer_for(model, trace_name):
    """The Keras RNN layer a trace came from (a direction of a Bidirectional layer included)."""
    name, _, direction = trace_name.partition("/")
    layers = {layer.name: layer for layer in _all_layers(model)}
    layer = layers[name]
    if direction:
        return layer.forward_layer if direction == "forward" else layer.backward_layer
    return layer


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def keras_twin_outputs(layer, trace):
    """Run a copy of ``layer`` returning its whole sequence and states on the trace's own inputs."""
    config = {**layer.get_config(), "return_sequences": True, "return_state": True}
    twin = type(layer).from_config(config)
    twin.build(trace.inputs.shape)
    twin.set_weights(layer.get_weights())
    initial = [trace.initial_states[key] for key in trace.state_names]
    sequence, *states = twin(trace.inputs, mask=trace.mask, initial_state=initial)
    return keras.ops.convert_to_numpy(sequence), [keras.ops.convert_to_numpy(s) for s in states]


def test_model_output_is_unchanged_by_recording(recorded):
    model, x, trace = recorded
    expected = model.predict(x, verbose=0)
    expected = expected[0] if isinstance(expected, list) else expected
    np.testing.assert_allclose(trace.model_output, expected, atol=TOLERANCE)


def test_states_equal_keras_outputs_and_returned_states(recorded):
    model, x, trace = recorded
    for layer_trace in trace.layers:
        layer = keras_layer_for(model, layer_trace.name)
        sequence, final_states = keras_twin_outputs(layer, layer_trace)
        h, mask = layer_trace.states["h"], layer_trace.mask
        if layer_trace.go_backwards:  # Keras returns the sequence in the order it ran
            sequence = sequence[:, ::-1]
        np.testing.assert_allclose(h[mask], sequence[mask], atol=TOLERANCE, err_msg=layer_trace.name)
        last = 0 if layer_trace.go_backwards else layer_trace.steps - 1
        for key, final in zip(layer_trace.state_names, final_states):
            np.testing.assert_allclose(
                layer_trace.states[key][:, last], final, atol=TOLERANCE, err_msg=f"{layer_trace.name} {key}"
            )


def test_states_and_gates_equal_numpy_reference(recorded):
    _, _, trace = recorded
    for layer_trace in trace.layers:
        reference = reference_trace(layer_trace)
        for key in (*layer_trace.state_names, *layer_trace.gate_names):
            got = layer_trace.states.get(key, layer_trace.gates.get(key))
            np.testing.assert_allclose(got, reference[key], atol=TOLERANCE, err_msg=f"{layer_trace.name} {key}")


def test_trace_shapes_and_names_follow_the_contract(recorded):
    model, x, trace = recorded
    assert trace.layers, "every configuration has recurrent layers"
    for layer_trace in trace.layers:
        batch, steps = layer_trace.inputs.shape[:2]
        assert batch == (x[0] if isinstance(x, list) else x).shape[0]
        assert layer_trace.kind in rnnviz.CELL_KINDS
        expected_gates = set(rnnviz.CELL_KINDS[layer_trace.kind].gates)
        assert set(layer_trace.gates) == expected_gates
        for array in (*layer_trace.states.values(), *layer_trace.gates.values()):
            assert array.shape == (batch, steps, layer_trace.units)
            assert array.dtype == np.float32
        assert layer_trace.mask.shape == (batch, steps) and layer_trace.mask.dtype == bool
        assert trace[layer_trace.name] is layer_trace


def test_masked_steps_carry_the_state_and_are_marked():
    model, x = build("masking_layer")
    trace = rnnviz.record(model, x)
    padded = np.all(x == 0.0, axis=-1)
    for layer_trace in trace.layers:
        np.testing.assert_array_equal(layer_trace.mask, ~padded)
    forward = trace.layers[0]  # sample 0 is padded at the end: its state stays at step 5's value
    for t in range(STEPS_MINUS_3 := x.shape[1] - 3, x.shape[1]):
        np.testing.assert_array_equal(forward.states["h"][0, t], forward.states["h"][0, STEPS_MINUS_3 - 1])
    backward = trace.layers[1]  # go_backwards: sample 1's leading padding comes last, carrying step 2's state
    np.testing.assert_array_equal(backward.states["h"][1, 0], backward.states["h"][1, 2])
    np.testing.assert_array_equal(backward.states["c"][1, 1], backward.states["c"][1, 2])


def test_embedding_mask_zero_marks_padding_in_every_layer():
    model, ids = build("embedding_mask_zero")
    trace = rnnviz.record(model, ids)
    assert [layer.name for layer in trace.layers][1:3] == ["bi/forward", "bi/backward"]
    for layer_trace in trace.layers:
        np.testing.assert_array_equal(layer_trace.mask, ids != 0)
    np.testing.assert_array_equal(trace.model_input, ids)


def test_bidirectional_gives_two_traces_aligned_to_input_time():
    model, x = build("bidirectional_concat")
    trace = rnnviz.record(model, x)
    forward, backward = trace["bi/forward"], trace["bi/backward"]
    assert not forward.go_backwards and backward.go_backwards
    merged = keras.Model(model.inputs, model.get_layer("bi").output).predict(x, verbose=0)
    np.testing.assert_allclose(merged[..., :4], forward.states["h"], atol=TOLERANCE)
    np.testing.assert_allclose(merged[..., 4:], backward.states["h"], atol=TOLERANCE)


def test_encoder_states_start_the_decoder():
    model, x = build("functional_encoder_decoder")
    trace = rnnviz.record(model, x)
    encoder, decoder = trace["encoder"], trace["decoder"]
    for key in ("h", "c"):
        np.testing.assert_array_equal(decoder.initial_states[key], encoder.states[key][:, -1])


def test_recording_does_not_change_the_model():
    model, x = build("bidirectional_peephole_masked")
    before_weights = [w.copy() for w in model.get_weights()]
    before_config = model.get_config()
    before_nodes = {layer.name: len(layer._inbound_nodes) for layer in model.layers}
    before_output = model.predict(x, verbose=0)
    rnnviz.record(model, x)
    rnnviz.record(model, x[:1])
    assert model.get_config() == before_config
    for old, new in zip(before_weights, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert {layer.name: len(layer._inbound_nodes) for layer in model.layers} == before_nodes
    np.testing.assert_array_equal(model.predict(x, verbose=0), before_output)


def test_explicit_mask_argument_is_used():
    model, x = build("lstm")
    mask = np.ones(x.shape[:2], dtype=bool)
    mask[0, 4:] = False
    trace = rnnviz.record(model, x, mask=mask)
    np.testing.assert_array_equal(trace.layers[0].mask, mask)
    h = trace.layers[0].states["h"]
    np.testing.assert_array_equal(h[0, 4:], np.broadcast_to(h[0, 3], h[0, 4:].shape))


def test_long_sequences_are_recorded_in_chunks_exactly(monkeypatch):
    from rnnviz.recording import scan

    model, _ = build("go_backwards")
    model = keras.Sequential([keras.Input((None, 4)), *model.layers])
    x = np.random.default_rng(3).normal(size=(2, 50, 4)).astype("float32")
    whole = rnnviz.record(model, x)
    monkeypatch.setattr(scan, "CHUNK_BYTES", 2 * 4 * 6 * 4 * 7)  # 7 steps per chunk for the LSTM
    chunked = rnnviz.record(model, x)
    for a, b in zip(whole.layers, chunked.layers):
        for key in (*a.state_names, *a.gate_names):
            got = a.states.get(key, a.gates.get(key))
            # Same equations; only the blocking of the input matmul differs (float rounding).
            np.testing.assert_allclose(got, b.states.get(key, b.gates.get(key)), atol=1e-6)


def test_stateful_layer_starts_from_its_states_and_keeps_them():
    x = np.random.default_rng(4).normal(size=(2, 6, 3)).astype("float32")
    model = keras.Sequential([keras.Input(batch_shape=(2, 6, 3)), keras.layers.LSTM(4, stateful=True)])
    model.predict(x, batch_size=2, verbose=0)  # the layer now holds non-zero states
    layer = model.layers[0]
    held = [keras.ops.convert_to_numpy(state).copy() for state in layer.states]
    trace = rnnviz.record(model, x)
    np.testing.assert_array_equal(trace.layers[0].initial_states["h"], held[0])
    np.testing.assert_array_equal(trace.layers[0].initial_states["c"], held[1])
    for before, state in zip(held, layer.states):  # recording does not advance the model's states
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(state))
    np.testing.assert_allclose(trace.model_output, model.predict(x, batch_size=2, verbose=0), atol=TOLERANCE)


def test_decoder_started_from_a_single_state_tensor():
    model, x = build("functional_gru_decoder")
    trace = rnnviz.record(model, x)
    assert trace.layer_names == ["encoder/forward", "encoder/backward", "decoder"]
    assert np.abs(trace["decoder"].initial_states["h"]).max() > 0


@pytest.mark.parametrize("name", ["peephole_lstm", "go_backwards", "no_bias", "stacked", "bidirectional_concat"])
def test_fused_lstm_kernel_and_step_loop_agree(name, monkeypatch):
    from rnnviz.recording.kinds.lstm import LSTMEquations

    model, x = build(name)
    fused = rnnviz.record(model, x)
    monkeypatch.setattr(LSTMEquations, "can_fuse", lambda self, cell: False)
    stepped = rnnviz.record(model, x)
    for a, b in zip(fused.layers, stepped.layers):
        for key in (*a.state_names, *a.gate_names):
            got = a.states.get(key, a.gates.get(key))
            np.testing.assert_allclose(got, b.states.get(key, b.gates.get(key)), atol=1e-6, err_msg=f"{a.name} {key}")


class _InPlace:
    """An executor that runs what is submitted at once, in the calling thread."""

    def submit(self, function, *args, **kwargs):
        from concurrent.futures import Future

        future = Future()
        future.set_result(function(*args, **kwargs))
        return future


@pytest.mark.parametrize("name", ["bidirectional_concat", "bidirectional_peephole_masked", "functional_gru_decoder"])
def test_bidirectional_directions_recorded_at_once_equal_one_after_the_other(name, monkeypatch):
    from rnnviz.recording import replay

    model, x = build(name)
    at_once = rnnviz.record(model, x)
    monkeypatch.setattr(replay, "_threads", lambda: _InPlace())
    in_turn = rnnviz.record(model, x)
    np.testing.assert_array_equal(at_once.model_output, in_turn.model_output)
    for a, b in zip(at_once.layers, in_turn.layers, strict=True):
        assert a.name == b.name
        for key in (*a.state_names, *a.gate_names):
            np.testing.assert_array_equal(a.states.get(key, a.gates.get(key)), b.states.get(key, b.gates.get(key)))



def test_tensorflows_retracing_warning_about_the_recorders_loops_is_dropped_not_about_a_users_function():
    """The recorder's loops are one tf.function per cell (traced per cell and input shape), so TensorFlow's
    "frequent retracing" warning about them says nothing a user can act on; the same warning about anything else
    still shows. The message below is TensorFlow's, as seen from a gallery run of 2026-12-02."""
    import logging

    import tensorflow as tf

    import rnnviz.recording.scan  # noqa: F401  (installs the filter)

    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = tf.get_logger()
    level = logger.level  # (other tests may have quietened TensorFlow's log)
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        logger.warning("5 out of the last 5 calls to <function _compiled_loop.<locals>.with_sequence.<locals>."
                       "run_and_arrange at 0x7f4c99d651c0> triggered tf.function retracing. Tracing is expensive")
        logger.warning("5 out of the last 5 calls to <function users_own at 0x7f4c99d651c0> triggered tf.function "
                       "retracing. Tracing is expensive")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(seen) == 1 and "users_own" in seen[0]

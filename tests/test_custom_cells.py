"""keras.layers.RNN around a cell of one's own: recorded through the cell's own call (every state it carries, at
every step, exact), drawn as a box labelled with its class, refused where equations are needed."""

import keras
import numpy as np
import pytest
from keras import ops

import rnnviz
from rnnviz.diagrams.architecture import stages_from_trace
from rnnviz.errors import UnsupportedModelError

L = keras.layers


class MinimalRNNCell(L.Layer):
    """The minimal cell of Keras's documentation and RNN tests."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        output = ops.matmul(inputs, self.kernel) + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


class NormalisedCell(L.Layer):
    """A SimpleRNN cell with layer normalisation inside, carrying a running sum of its outputs as a second state
    (of another size than the output: the sum of its first two units)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units, self.state_size, self.output_size = units, [units, 2], units
        self.cell, self.norm = L.SimpleRNNCell(units), L.LayerNormalization()

    def build(self, input_shape):
        self.cell.build(input_shape)
        self.norm.build((None, self.units))

    def call(self, inputs, states):
        h, _ = self.cell(inputs, [states[0]])
        h = self.norm(h)
        return h, [h, states[1] + h[:, :2]]


def by_its_own_call(cell, x, initial=None, go_backwards=False):
    """The cell's output and states at every step (input time order), calling it step by step."""
    states = initial or [np.zeros((len(x), size), np.float32) for size in np.atleast_1d(cell.state_size)]
    outputs, carried = [], []
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    for t in order:
        output, states = cell(x[:, t], states)
        outputs.append(np.asarray(output))
        carried.append([np.asarray(state) for state in states])
    if go_backwards:
        outputs, carried = outputs[::-1], carried[::-1]
    return np.stack(outputs, 1), [np.stack(parts, 1) for parts in zip(*carried)]


def model_of(cell, **options):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, 3))
    layer = L.RNN(cell, name="rnn", **options)
    outputs = layer(inputs)
    head = L.Dense(1, name="head")(outputs[0] if options.get("return_state") else outputs)
    return keras.Model(inputs, head), layer


def batch():
    return np.random.default_rng(0).normal(size=(2, 6, 3)).astype(np.float32)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_the_minimal_cell_is_recorded_through_its_call(go_backwards):
    model, layer = model_of(MinimalRNNCell(4), return_sequences=True, go_backwards=go_backwards)
    x = batch()
    trace = rnnviz.record(model, x)
    recorded = trace["rnn"]
    assert recorded.kind == "custom" and recorded.state_names == ("h",) and not recorded.gates
    expected, _ = by_its_own_call(layer.cell, x, go_backwards=go_backwards)
    np.testing.assert_allclose(recorded.states["h"], expected, atol=1e-5)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    assert recorded.config["cell_class"] == "MinimalRNNCell" and recorded.go_backwards == go_backwards
    assert set(recorded.weights) == {variable.path for variable in layer.cell.weights}


def test_every_state_the_cell_carries_is_kept_with_padding_held_over():
    model, layer = model_of(NormalisedCell(4), return_sequences=True)
    x = batch()
    trace = rnnviz.record(model, x)
    recorded = trace["rnn"]
    assert recorded.state_names == ("h", "state2")  # its first state is h itself, kept once
    output, (first, second) = by_its_own_call(layer.cell, x)
    np.testing.assert_allclose(recorded.states["h"], output, atol=1e-5)
    np.testing.assert_allclose(recorded.states["state2"], second, atol=1e-5)
    assert recorded.states["state2"].shape == (2, 6, 2)

    masked = np.ones((2, 6), bool)
    masked[1, 4:] = False
    padded = rnnviz.record(model, x, mask=masked)["rnn"]
    np.testing.assert_allclose(padded.states["state2"][1, 4:], padded.states["state2"][1, 3:4].repeat(2, 0))
    np.testing.assert_allclose(padded.states["h"][0], recorded.states["h"][0], atol=1e-6)
    np.testing.assert_allclose(rnnviz.record(model, x, mask=masked).model_output, model(x, mask=masked), atol=1e-5)


def test_final_states_and_initial_states_as_keras_hands_them_on():
    keras.utils.set_random_seed(0)
    inputs, starts = keras.Input((None, 3)), [keras.Input((4,)), keras.Input((2,))]
    layer = L.RNN(NormalisedCell(4), return_state=True, name="rnn")
    model = keras.Model([inputs, *starts], layer(inputs, initial_state=starts))
    given = [batch(), np.full((2, 4), 0.3, np.float32), np.full((2, 2), -1.0, np.float32)]
    trace = rnnviz.record(model, given)
    recorded = trace["rnn"]
    np.testing.assert_allclose(recorded.initial_states["state2"], given[2])
    _, (_, second) = by_its_own_call(layer.cell, given[0], initial=given[1:])
    np.testing.assert_allclose(recorded.states["state2"], second, atol=1e-5)
    replica = rnnviz.recording.replay.traced_replica(model).model(given)
    for got, want in zip(replica, model.predict(given, verbose=0)):
        np.testing.assert_allclose(np.asarray(got), want, atol=1e-5)


def test_it_is_drawn_as_a_box_labelled_with_its_class_and_saved(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, _ = model_of(NormalisedCell(4), return_sequences=True)
    trace = rnnviz.load(rnnviz.record(model, batch()).save(tmp_path / "custom.npz"))
    assert trace["rnn"].states["state2"].shape == (2, 6, 2)
    stage = {stage.name: stage for stage in stages_from_trace(trace)}["rnn"]
    assert (stage.kind, stage.units, stage.extra["cell_class"]) == ("custom", 4, "NormalisedCell")
    unrolled = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    texts = [label.text for label in unrolled.diagram_.labels]
    assert any("NormalisedCell, 4 units" in text for text in texts)
    cell = rnnviz.CellDisplay.from_trace(trace, step=2).plot()
    assert any(node.label == "NormalisedCell" for node in cell.view.diagram.nodes)
    heatmap = rnnviz.StateHeatmapDisplay.from_trace(trace).plot()
    for display in (unrolled, cell, heatmap):
        plt.close(display.figure_)


def test_inside_the_cell_every_state_it_carries_goes_in_and_comes_out():
    """The cell view of a cell carrying a state besides h: that state before the step goes into the box and after
    it comes out, with the trace's numbers, and the equation names it."""
    from rnnviz.views.cell import CellReader

    model, _ = model_of(NormalisedCell(4), return_sequences=True)
    trace = rnnviz.record(model, batch())
    view = CellReader(trace, "rnn", sample=1).view(2)
    carried = trace["rnn"].states["state2"][1]
    np.testing.assert_array_equal(view.strips["state2_in"].values, carried[1])
    np.testing.assert_array_equal(view.strips["state2_out"].values, carried[2])
    wired = {(edge.source, edge.target) for edge in view.diagram.edges}
    assert {("state2_in", "cell"), ("cell", "state2_out")} <= wired
    (equation,) = [label.text for label in view.diagram.labels if label.role == "equation"]
    assert equation.startswith("(hₜ, state2ₜ) = NormalisedCell(xₜ, hₜ₋₁, state2ₜ₋₁)")


def test_gradients_of_a_cell_without_equations_are_refused_by_name():
    model, _ = model_of(MinimalRNNCell(4), return_sequences=True)
    with pytest.raises(UnsupportedModelError, match="'rnn' runs a cell of its own \\(MinimalRNNCell\\)"):
        rnnviz.gradient_profile(model, batch(), layer="rnn")


def test_a_cell_with_states_that_are_not_vectors_is_refused_by_name():
    from rnnviz.recording.custom import state_sizes

    class GridCell:  # a 2 x 2 state per sample, as convolutional cells carry
        name, state_size = "grid", [(2, 2)]

    with pytest.raises(UnsupportedModelError, match="'grid' \\(GridCell\\) carries states of size"):
        state_sizes(GridCell())

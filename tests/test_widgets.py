"""Notebook explorers, headless: set a control's ``.value``, check the artists show the trace's numbers."""

from __future__ import annotations

import base64
import dataclasses
import io

import keras
import numpy as np
import pytest
from PIL import Image

import rnnviz
from rnnviz.views.cell import diagram_of, node_values as cell_values
from rnnviz.figures.nonfinite import NonFiniteValuesWarning
from rnnviz.layers import PeepholeLSTM
from rnnviz.widgets import CellExplorer, GradientExplorer, NeuronPlayground, TimeStepExplorer, WindowingExplorer
from rnnviz.widgets.neuron import gradient_verdict, neuron_input, run_neuron
from rnnviz.widgets.png import png_bytes
from rnnviz.style import shown_title
from tests.models import functional_encoder_decoder, randomise

STEPS = 23


@pytest.fixture(scope="module")
def trace():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((STEPS, 2)),
        keras.layers.LSTM(6, return_sequences=True, name="lstm"),
        PeepholeLSTM(5, return_sequences=True, name="peephole"),
        keras.layers.GRU(4, return_sequences=True, name="gru"),
        keras.layers.SimpleRNN(3, name="simple"),
    ])
    randomise(model, seed=3)
    x = np.random.default_rng(1).normal(size=(3, STEPS, 2)).astype("float32")
    return rnnviz.record(model, x)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


# ---------------------------------------------------------------- time-step explorer

def test_time_step_explorer_shows_the_traced_values_at_the_chosen_step(trace):
    explorer = TimeStepExplorer(trace, window=5)
    layer = trace["lstm"]
    for sample, step in ((0, 0), (0, 3), (0, 12), (2, 12), (1, STEPS - 1)):
        explorer.sample.value, explorer.step.value = sample, step
        artists = explorer.artists
        start = artists["start"]
        assert start <= step < start + 5
        strips = artists["strips"].get_array().reshape(5, layer.units)  # one row of colours per cell
        for k, strip in enumerate(strips):
            np.testing.assert_array_equal(strip, layer.states["h"][sample, start + k])
            assert artists["labels"][k].get_text() == "h" + str(start + k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
        framed = artists["highlight"]
        assert framed.get_x() + framed.get_width() / 2 == pytest.approx(artists["column_x"][step - start])
        heights = [path.vertices[1, 1] for path in artists["bars"].get_paths()]
        np.testing.assert_allclose(heights, np.concatenate([layer.states["h"][sample, step],
                                                            layer.states["c"][sample, step]]), rtol=1e-6)
        gate_heights = [path.vertices[1, 1] for path in artists["gate_bars"].get_paths()]  # gate by gate
        np.testing.assert_allclose(gate_heights, np.concatenate([layer.gates[gate][sample, step]
                                                                 for gate in artists["gate_names"]]), rtol=1e-6)
        np.testing.assert_array_equal(artists["heatmap"].get_array(), layer.states["h"][sample].T)
        assert list(artists["cursor"].get_xdata()) == [step, step]


def test_moving_the_slider_redraws_in_place_as_a_fresh_view_would(trace):
    """Blitting must leave no trace of earlier steps: the moved view equals a view opened at that step."""
    moved = TimeStepExplorer(trace, window=5)
    first = moved.png()
    before = moved.view.redraws
    for step in (1, 2, 7, 16, 9):
        moved.step.value = step
    assert moved.view.redraws == before + 5
    assert moved.png() != first
    fresh = TimeStepExplorer(trace, window=5, step=9)
    np.testing.assert_array_equal(pixels(moved.png()), pixels(fresh.png()))


def test_switching_layer_redraws_for_that_layer(trace):
    explorer = TimeStepExplorer(trace)
    explorer.layer.value = "gru"
    explorer.step.value = 4
    assert explorer.artists["gate_names"] == ["update", "reset", "candidate"]
    update = [path.vertices[1, 1] for path in explorer.artists["gate_bars"].get_paths()][: trace["gru"].units]
    np.testing.assert_allclose(update, trace["gru"].gates["update"][0, 4], rtol=1e-6)
    explorer.layer.value = "simple"  # no gates, no cell state: still drawn
    assert explorer.artists["gate_bars"] is None and explorer.artists["bar_states"] == ["h"]


def test_gates_are_bars_per_unit_not_a_line_joining_units(trace):
    """Units are categories: each gate's value is a bar inside its unit's slot, and no line runs across units."""
    explorer = TimeStepExplorer(trace, step=5)
    bars, names, units = explorer.artists["gate_bars"], explorer.artists["gate_names"], trace["lstm"].units
    centres = np.array([path.vertices[[0, 2], 0].mean() for path in bars.get_paths()]).reshape(len(names), units)
    assert (np.abs(centres - np.arange(units)) < 0.4).all()
    assert (np.diff(centres, axis=0) > 0).all()  # the gates side by side, in the same order at every unit
    assert all(len(set(line.get_xdata())) <= 2 and len(set(line.get_ydata())) == 1 for line in bars.axes.get_lines())
    assert all(tick == int(tick) for tick in bars.axes.get_xticks())


def test_switching_to_a_shorter_layer_fits_the_step_slider():
    """An encoder–decoder: encoder 9 steps, decoder 5; at step 8 of the encoder, the decoder shows its last step."""
    model = randomise(functional_encoder_decoder())
    x = [np.random.default_rng(0).normal(size=(3, 9, 4)).astype("float32"),
         np.random.default_rng(1).normal(size=(3, 5, 2)).astype("float32")]
    trace = rnnviz.record(model, x)
    for explorer in (TimeStepExplorer(trace, layer="encoder", step=8), CellExplorer(trace, layer="encoder", step=8)):
        explorer.layer.value = "decoder"
        assert (explorer.step.max, explorer.step.value) == (4, 4)
        explorer.step.value = 2
        assert explorer.error is None
    assert explorer.artists["captions"] and explorer.layer_trace.name == "decoder"


def test_exploding_states_are_marked_not_silently_drawn():
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.SimpleRNN(3, activation="relu", name="r")])
    model.layers[0].set_weights([np.full((1, 3), 3.0, "float32"), 30 * np.eye(3, dtype="float32"),
                                 np.zeros(3, "float32")])
    with pytest.warns(NonFiniteValuesWarning, match="r: h"):
        trace = rnnviz.record(model, np.ones((1, 30, 1), "float32"), allow_nonfinite=True)
        explorer = TimeStepExplorer(trace, step=29)
    bad = ~np.isfinite(trace["r"].states["h"][0]) | (np.abs(trace["r"].states["h"][0]) > 1e6)
    assert bad[29].all() and not bad[0].any()
    np.testing.assert_array_equal(np.ma.getmaskarray(explorer.artists["heatmap"].get_array()), bad.T)
    assert explorer.artists["note"].get_text() == "3 of 3 values of h not finite or beyond ±1e+06"
    explorer.step.value = 0
    assert explorer.artists["note"].get_text() == ""


def test_a_one_step_trace_and_bad_values_at_one_step(trace):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1, 3)), keras.layers.LSTM(4, return_sequences=True)])
    one_step = rnnviz.record(model, np.ones((1, 1, 3), "float32"))
    TimeStepExplorer(one_step)
    CellExplorer(one_step)
    gates = {name: values.copy() for name, values in trace["lstm"].gates.items()}  # the fixture's stay intact
    damaged = dataclasses.replace(trace, layers=[dataclasses.replace(trace["lstm"], gates=gates)])
    damaged.layers[0].gates["forget"][0, 0, 1] = np.nan
    moved = CellExplorer(damaged)
    assert "not finite" in moved.artists["readout"].get_text()
    moved.step.value = 3  # the mark of step 0 must not stay
    np.testing.assert_array_equal(pixels(moved.png()), pixels(CellExplorer(damaged, step=3).png()))
    assert all(caption.get_text().split("\n")[1].startswith("mean") for caption in moved.artists["captions"].values())


def test_token_inputs_are_shown_as_their_ids():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(20, 4),
                              keras.layers.GRU(3, return_sequences=True, name="g")])
    ids = np.array([[3, 7, 1, 19, 4, 2]], "int32")
    explorer = TimeStepExplorer(model, ids, window=3, step=4)
    assert [text.get_text() for text in explorer.artists["input_texts"]] == ["19", "4", "2"]  # steps 3, 4, 5


def test_explorers_take_a_model_a_trace_or_a_saved_trace(trace, tmp_path):
    path = trace.save(tmp_path / "trace.npz")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 1)), keras.layers.GRU(3, return_sequences=True, name="g")])
    x = np.random.default_rng(0).normal(size=(2, 8, 1)).astype("float32")
    from_model = TimeStepExplorer(model, x, step=5)
    np.testing.assert_allclose(from_model.artists["strips"].get_array()[:3],
                               np.asarray(model(x))[0, from_model.artists["start"]], atol=1e-5)
    from_path = CellExplorer(str(path), layer="gru", step=2)
    assert from_path.layer.value == "gru"


@pytest.mark.parametrize("make, message", [
    (lambda t: TimeStepExplorer(42), "source: expected a ModelTrace"),
    (lambda t: TimeStepExplorer(t, np.zeros((1, 2, 3))), "x: only a model"),
    (lambda t: TimeStepExplorer(t, sample=3), "sample: expected an index in 0..2"),
    (lambda t: TimeStepExplorer(t, step=STEPS), "step: expected an index in"),
    (lambda t: TimeStepExplorer(t, window=1), "window: expected an integer >= 2, got 1"),
    (lambda t: TimeStepExplorer(t, layer="nope"), "nope"),
    (lambda t: TimeStepExplorer(t, theme="sepia"), "theme"),
    (lambda t: CellExplorer(t, step=-STEPS - 1), "step: expected an index in"),
    (lambda t: NeuronPlayground(w_h=3.0), "w_h: expected a number from -2 to 2, got 3.0"),
    (lambda t: NeuronPlayground(activation="sigmoid"), "activation: expected one of"),
    (lambda t: NeuronPlayground(steps=1), "steps: expected an integer from 2 to 200, got 1"),
    (lambda t: GradientExplorer("rnn"), "kind: expected one of"),
    (lambda t: GradientExplorer(radius=0), "radius: expected a number from 0.1 to 3, got 0"),
])
def test_bad_arguments_name_the_argument(trace, make, message):
    with pytest.raises((ValueError, TypeError, KeyError)) as error:
        make(trace)
    assert message in str(error.value)


def test_a_model_without_its_input_is_refused():
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.SimpleRNN(2)])
    with pytest.raises(ValueError, match="x: a model needs its input"):
        TimeStepExplorer(model)


# ---------------------------------------------------------------- cell explorer

@pytest.mark.parametrize("layer", ["lstm", "peephole", "gru", "simple"])
def test_cell_explorer_strips_are_the_trace_at_each_step(trace, layer):
    explorer = CellExplorer(trace, layer=layer)
    diagram = explorer.artists["diagram"]
    for sample, step in ((0, 0), (1, 5), (2, STEPS - 1)):
        explorer.sample.value, explorer.step.value = sample, step
        expected = cell_values(trace[layer], diagram, sample, step)
        for node_id, strip in explorer.artists["strips"].items():
            np.testing.assert_array_equal(strip.get_array()[0], expected[node_id])
        for node_id, caption in explorer.artists["captions"].items():
            assert caption.get_text().endswith(f"mean {expected[node_id].mean():.2f}" if expected[node_id].size > 1
                                               else f"\n{expected[node_id].mean():.2f}")
    fresh = CellExplorer(trace, layer=layer, sample=2, step=STEPS - 1)
    np.testing.assert_array_equal(pixels(explorer.png()), pixels(fresh.png()))


def test_cell_explorer_switches_layer(trace):
    explorer = CellExplorer(trace, layer="lstm")
    explorer.layer.value = "peephole"
    assert explorer.artists["diagram"] == diagram_of(trace["peephole"]) != diagram_of(trace["lstm"])
    explorer.step.value = 7
    gate = next(node.id for node in explorer.artists["diagram"].nodes if node.data.get("gate") == "forget")
    np.testing.assert_array_equal(explorer.artists["strips"][gate].get_array()[0],
                                  trace["peephole"].gates["forget"][0, 7])


# ---------------------------------------------------------------- recurrent-neuron playground

@pytest.mark.parametrize("activation, w_h, inputs", [("tanh", 0.9, "noise"), ("relu", 1.1, "sine"),
                                                     ("linear", -0.8, "noise"), ("tanh", 1.8, "pulse")])
def test_neuron_equals_a_keras_simple_rnn_with_those_weights(activation, w_h, inputs):
    steps, w_x, bias = 25, 0.7, 0.1
    x = neuron_input(inputs, steps)
    run = run_neuron(x, w_x=w_x, w_h=w_h, bias=bias, activation=activation)
    layer = keras.layers.SimpleRNN(1, activation=activation, return_sequences=True)
    model = keras.Sequential([keras.Input((steps, 1)), layer])
    layer.set_weights([np.array([[w_x]], "float32"), np.array([[w_h]], "float32"), np.array([bias], "float32")])
    np.testing.assert_allclose(run.h, np.asarray(model(x[None, :, None]))[0, :, 0], rtol=1e-5, atol=1e-6)
    profile = rnnviz.gradient_profile(model, x[None, :, None], allow_nonfinite=True)
    np.testing.assert_allclose(run.gradient, profile.norms[0], rtol=1e-4, atol=1e-30)


def test_linear_neuron_gradient_is_a_power_of_the_recurrent_weight():
    run = run_neuron(neuron_input("noise", 30), w_x=1.0, w_h=0.8, bias=0.0, activation="linear")
    np.testing.assert_allclose(run.gradient, 0.8 ** np.arange(29, -1, -1), rtol=1e-5)


def test_playground_shows_vanishing_and_exploding_as_w_h_moves():
    playground = NeuronPlayground(activation="linear", steps=40)
    gradient_line, state_line = playground.artists["gradient_line"], playground.artists["state_line"]
    playground.w_h.value = 0.5
    assert gradient_line.get_ydata()[-1] == pytest.approx(0.5 ** 39, rel=1e-4)
    assert "vanishing" in shown_title(playground.artists["gradient_ax"])
    playground.w_h.value = 1.5
    assert gradient_line.get_ydata()[-1] == pytest.approx(1.5 ** 39, rel=1e-4)
    assert "exploding" in shown_title(playground.artists["gradient_ax"])
    x, run = playground.run()
    np.testing.assert_array_equal(state_line.get_ydata(), run.h)
    playground.steps.value = 12
    assert len(state_line.get_xdata()) == 12


def test_gradient_verdict_is_the_change_over_the_steps_shown():
    """Shrunk more than 10x from the last step to the oldest: vanishing; grown more than 10x: exploding."""
    assert gradient_verdict(np.array([0.0999, 0.5, 1.0])) == "vanishing"
    assert gradient_verdict(np.array([0.1, 1.0])) == gradient_verdict(np.array([10.0, 1.0])) == "neither"
    assert gradient_verdict(np.array([10.01, 1.0])) == gradient_verdict(np.array([np.inf, 1.0])) == "exploding"
    run = run_neuron(neuron_input("pulse", 30), w_x=1.0, w_h=0.01 ** (1 / 29), bias=0.0, activation="linear")
    assert run.gradient[0] == pytest.approx(0.01, rel=1e-4)  # a 99% decay over 29 steps
    assert gradient_verdict(run.gradient) == "vanishing"


@pytest.mark.parametrize("settings, verdict", [
    ({}, "vanishing"),  # the default: tanh, w_h 0.9, 30 steps: 0.011 after 29 steps
    ({"activation": "linear", "w_h": 0.5}, "vanishing"),
    ({"activation": "linear", "w_h": 0.95}, "neither"),  # 0.95^29 = 0.23
    ({"activation": "linear", "w_h": 1.05}, "neither"),  # 1.05^29 = 4.1
    ({"activation": "linear", "w_h": 1.5}, "exploding"),
    ({"activation": "linear", "w_h": 2.0, "steps": 200}, "exploding"),  # beyond float32
])
def test_playground_verdict_is_read_off_the_curve_it_shows(settings, verdict):
    playground = NeuronPlayground(**settings)
    shown = playground.artists["gradient_line"].get_ydata()  # from the last step back to the oldest
    change = shown[-1] / shown[0]
    assert (change < 0.1) == (verdict == "vanishing") and (not change <= 10) == (verdict == "exploding")
    title = shown_title(playground.artists["gradient_ax"]).replace("\n", " ")
    endings = {"vanishing": "below 1/10: vanishing", "exploding": "above 10: exploding",
               "neither": "between 1/10 and 10: neither vanishing nor exploding"}
    assert title.endswith(endings[verdict])


# ---------------------------------------------------------------- windowing explorer

def test_windowing_explorer_draws_the_pipelines_first_batch():
    explorer = WindowingExplorer(input_steps=20, horizon=3, shift=2, batch_size=6)
    explorer.input_steps.value = 25
    windows = explorer.windows()
    inputs, targets = next(windows.unshuffled("train").take(1).as_numpy_iterator())
    display = explorer.artists["display"]
    np.testing.assert_array_equal(display.view.inputs, inputs[..., 0])
    np.testing.assert_array_equal(display.view.starts, windows.starts("train")[:6])
    assert display.batch_image_.get_array().shape == (6, 25 + 3)


def test_windowing_explorer_reports_an_impossible_window_and_keeps_its_view():
    explorer = WindowingExplorer()
    shown = explorer.png()
    explorer.input_steps.value, explorer.horizon.value = 120, 30
    explorer.shift.value = 30
    assert explorer.error is not None and "window spans" in explorer.status.value
    assert explorer.png() == shown
    explorer.input_steps.value = 10
    assert explorer.error is None and explorer.png() != shown


# ---------------------------------------------------------------- gradient explorer

def test_gradient_explorer_measures_a_keras_layer_at_the_chosen_radius():
    explorer = GradientExplorer("gru", steps=15, radius=0.6, units=6, batch=3)
    from rnnviz.recording.experiments import rescaled_recurrent  # the model, kept per (kind, units, seed)

    model = rescaled_recurrent("gru", 0.6, units=6, seed=0)
    kernel = model.layers[-1].cell.recurrent_kernel.numpy()
    for block in np.split(kernel, 3, axis=1):
        assert np.abs(np.linalg.eigvals(block)).max() == pytest.approx(0.6, rel=1e-5)
    x = np.random.default_rng(0).normal(size=(3, 200, 1)).astype("float32")[:, :15]
    expected = np.median(rnnviz.gradient_profile(model, x).by_steps_back(), axis=0)
    np.testing.assert_allclose(explorer.artists["median"].get_ydata(), expected, rtol=1e-6)
    explorer.radius.value = 2.0
    assert explorer.artists["previous"].get_label().startswith("before: GRU, ρ 0.60")
    assert explorer.artists["median"].get_ydata()[-1] > expected[-1]


# ---------------------------------------------------------------- fallback and saving

def test_static_fallback_is_the_current_view(trace):
    explorer = TimeStepExplorer(trace)
    explorer.step.value = 6
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == explorer.png()


def test_save_writes_a_slide_figure_the_same_every_time(trace, tmp_path):
    explorer = CellExplorer(trace, layer="gru", step=3)
    (png,) = explorer.save(tmp_path / "cell.png")
    again = explorer.save(tmp_path / "again", formats=["png", "svg", "pdf"])
    assert png.read_bytes() == again[0].read_bytes()
    assert [path.suffix for path in again] == [".png", ".svg", ".pdf"]
    assert Image.open(png).size == (1999, 1125)  # 16:9 (13.333 x 7.5 in) at 150 dpi
    (square,) = explorer.save(tmp_path / "four_three.png", size="4:3", theme="dark")
    assert Image.open(square).size == (1500, 1125)


def test_png_writer_round_trips():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    np.testing.assert_array_equal(pixels(png_bytes(rgba)), rgba)
    with pytest.raises(ValueError, match="rgba: expected a"):
        png_bytes(rgba[..., :3])

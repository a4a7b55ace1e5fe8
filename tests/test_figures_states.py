"""State, gate and text heatmap figures draw the trace's own values, mark bad values, and touch only their own figure."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.figures.nonfinite import NonFiniteValuesWarning, finite_or_marked, heatmap
from rnnviz.figures.states import (
    GateTimelineDisplay,
    StateHeatmapDisplay,
    StateTrajectoriesDisplay,
    rank_units,
    select_layer,
)
from rnnviz.figures.text_heatmap import TextHeatmapDisplay, tokens_for
from rnnviz.kinds import cell_kind
from rnnviz.style import VALUE_COLOURS, color
from rnnviz.style import shown_title


def _layer(kind="lstm", *, name=None, batch=2, steps=6, units=3, features=1, seed=0, mask=None, config=None):
    """A LayerTrace of plausible values (gates in their ranges), made from numpy alone."""
    rng = np.random.default_rng(seed)
    spec = cell_kind(kind)

    def draw(low, high):
        return rng.uniform(low, high, size=(batch, steps, units))

    gates = {gate: draw(-1, 1) if gate == "candidate" else draw(0, 1) for gate in spec.gates}
    states = {"h": draw(-1, 1)}
    if "c" in spec.states:
        states["c"] = draw(-3, 3)
    return rnnviz.LayerTrace(
        name=name or kind,
        kind=kind,
        units=units,
        inputs=rng.normal(size=(batch, steps, features)),
        states=states,
        gates=gates,
        mask=np.ones((batch, steps), bool) if mask is None else mask,
        config=config or {},
    )


def _model_trace(*layers, model_input=None):
    return rnnviz.ModelTrace(layers=list(layers), model_name="toy", model_input=model_input)


def _writable(layer):
    """Copies of the layer's arrays that a test may change."""
    layer.states = {key: value.copy() for key, value in layer.states.items()}
    layer.gates = {key: value.copy() for key, value in layer.gates.items()}
    return layer


# ---------------------------------------------------------------- gate timeline


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm", "gru"])
def test_gate_images_are_the_recorded_gates(kind):
    trace = _model_trace(_layer("simple_rnn", name="first"), _layer(kind, name="second"))
    display = GateTimelineDisplay.from_trace(trace, layer="second", sample=1).plot()
    layer = trace["second"]
    assert list(display.images_) == list(cell_kind(kind).gates)
    assert list(display.axes_) == ["x", *cell_kind(kind).gates]
    for gate, image in display.images_.items():
        np.testing.assert_array_equal(image.get_array(), layer.gates[gate][1].T)  # units down, time across
        expected_limits = (-1, 1) if gate == "candidate" else (0, 1)
        assert (image.norm.vmin, image.norm.vmax) == expected_limits
        unit, step = 2, 4
        value = layer.gates[gate][1, step, unit]
        np.testing.assert_allclose(image.to_rgba(image.get_array())[unit, step], image.cmap(image.norm(value)))
        assert image.get_extent() == [-0.5, 5.5, 2.5, -0.5]
        assert gate in display.axes_[gate].get_title(loc="left")
        assert matplotlib.colors.same_color(display.labels_[gate].get_bbox_patch().get_facecolor(), color(gate))
    assert len(display.colorbars_) == len(cell_kind(kind).gates)  # one per colour scale: each σ gate's ramp, candidate
    for gate, image in display.images_.items():  # a σ gate fades to its own colour; the candidate is a signed value
        top = color(gate) if gate != "candidate" else VALUE_COLOURS["positive"]
        np.testing.assert_allclose(image.cmap(1.0)[:3], matplotlib.colors.to_rgb(top), atol=1e-6)
    np.testing.assert_array_equal(display.input_lines_[0].get_ydata(), layer.inputs[1, :, 0])
    assert "'second'" in display.figure_._suptitle.get_text() and "sample 1" in display.figure_._suptitle.get_text()


def test_gate_timeline_defaults_to_the_first_layer_and_takes_a_layer_trace():
    first, second = _layer("gru", name="a"), _layer("lstm", name="b")
    assert GateTimelineDisplay.from_trace(_model_trace(first, second)).layer_name == "a"
    display = GateTimelineDisplay.from_trace(second).plot()
    np.testing.assert_array_equal(display.images_["forget"].get_array(), second.gates["forget"][0].T)


def test_a_simple_rnn_has_no_gates():
    with pytest.raises(ValueError, match=r"layer: 'rnn' is a SimpleRNN, which has no gates.*StateHeatmapDisplay"):
        GateTimelineDisplay.from_trace(_model_trace(_layer("simple_rnn", name="rnn")))


def test_errors_name_the_argument():
    trace = _model_trace(_layer("lstm", name="enc"))
    with pytest.raises(ValueError, match=r"layer: no recurrent layer named 'dec'; this trace has \['enc'\]"):
        GateTimelineDisplay.from_trace(trace, layer="dec")
    with pytest.raises(ValueError, match=r"sample: expected an index in 0..1 \(batch of 2\), got 5"):
        StateHeatmapDisplay.from_trace(trace, sample=5)
    with pytest.raises(TypeError, match="trace: expected a ModelTrace or LayerTrace"):
        StateHeatmapDisplay.from_trace(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="units: expected unit indices in 0..2"):
        StateTrajectoriesDisplay.from_trace(trace, units=[0, 7])
    with pytest.raises(TypeError):
        GateTimelineDisplay({"input": np.zeros((3, 2))}, np.zeros((3, 1)))  # keyword-only
    assert select_layer(trace, 0).name == "enc"


def test_many_input_features_are_drawn_as_a_heatmap():
    layer = _layer("gru", features=12)
    display = GateTimelineDisplay.from_trace(layer).plot()
    assert display.input_lines_ == []
    np.testing.assert_array_equal(display.input_image_.get_array(), layer.inputs[0].T)


def test_time_ticks_are_whole_steps_and_many_units_are_labelled_sparsely():
    display = StateHeatmapDisplay.from_trace(_layer("lstm", steps=37, units=40)).plot()
    display.figure_.canvas.draw()
    panel = display.axes_["h"]
    ticks = [tick for tick in panel.get_xticks() if -0.5 <= tick <= 36.5]
    assert ticks == [round(tick) for tick in ticks] and len(ticks) <= 13
    assert len([tick for tick in panel.get_yticks() if -0.5 <= tick <= 39.5]) <= 8


# ---------------------------------------------------------------- states


def test_state_heatmap_shows_h_and_c_centred_at_zero():
    layer = _layer("lstm", config={"activation": "tanh"})
    display = StateHeatmapDisplay.from_trace(layer, sample=1).plot()
    assert list(display.images_) == ["h", "c"]
    for name, image in display.images_.items():
        np.testing.assert_array_equal(image.get_array(), layer.states[name][1].T)
        assert image.norm.vmin == -image.norm.vmax  # centred at 0
    assert display.images_["h"].norm.vmax == 1.0  # tanh h
    assert display.images_["c"].norm.vmax == pytest.approx(np.abs(layer.states["c"][1]).max())  # c: from the data
    middle = display.images_["c"].cmap(0.5)
    np.testing.assert_allclose(display.images_["c"].to_rgba(np.zeros((1, 1)))[0, 0], middle)
    for end, value in (("negative", 0.0), ("positive", 1.0)):  # the value map's ends (issue 18)
        np.testing.assert_allclose(display.images_["c"].cmap(value)[:3], matplotlib.colors.to_rgb(VALUE_COLOURS[end]),
                                   atol=1e-6)
    assert set(display.colorbars_) == {"h", "c"}


def test_unbounded_h_takes_its_limits_from_the_data():
    layer = _layer("simple_rnn", config={"activation": "relu"})
    layer.states["h"] = layer.states["h"] * 7
    display = StateHeatmapDisplay.from_trace(layer).plot()
    assert list(display.images_) == ["h"]
    assert display.images_["h"].norm.vmax == pytest.approx(np.abs(layer.states["h"][0]).max())


def test_trajectories_default_to_the_units_that_vary_most():
    layer = _writable(_layer("lstm", units=8, steps=10))
    spread = np.linspace(0.1, 1.0, 8)[::-1]  # unit 0 varies most
    layer.states["h"][0] = np.sin(np.arange(10))[:, None] * spread
    display = StateTrajectoriesDisplay.from_trace(layer, k=3).plot()
    assert display.units == [0, 1, 2]
    for (state, unit), line in display.lines_.items():
        np.testing.assert_array_equal(line.get_xdata(), np.arange(10))
        np.testing.assert_array_equal(line.get_ydata(), layer.states[state][0, :, unit])
    assert set(display.lines_) == {(s, u) for s in ("h", "c") for u in (0, 1, 2)}
    for unit in (0, 1, 2):  # a unit keeps its colour in both panels
        assert display.lines_["h", unit].get_color() == display.lines_["c", unit].get_color()
    assert [text.get_text() for text in display.legend_.get_texts()] == ["unit 0", "unit 1", "unit 2"]


def test_trajectories_of_chosen_units():
    layer = _layer("gru", units=5)
    display = StateTrajectoriesDisplay.from_trace(layer, sample=1, units=[4, 1]).plot(linewidth=3)
    assert list(display.axes_) == ["x", "h"]
    np.testing.assert_array_equal(display.lines_["h", 4].get_ydata(), layer.states["h"][1, :, 4])
    assert display.lines_["h", 1].get_linewidth() == 3


def test_padding_steps_are_greyed_on_every_panel():
    mask = np.ones((2, 8), bool)
    mask[1, 5:] = False
    mask[1, :1] = False
    layer = _layer("gru", steps=8, mask=mask)
    display = GateTimelineDisplay.from_trace(layer, sample=1).plot()
    panels = len(display.axes_)
    assert len(display.mask_spans_) == 2 * panels
    spans = sorted({(span.get_x(), span.get_x() + span.get_width()) for span in display.mask_spans_})
    assert spans == [(-0.5, 0.5), (4.5, 7.5)]
    assert GateTimelineDisplay.from_trace(layer, sample=0).plot().mask_spans_ == []


def test_given_axes_are_used_and_the_current_figure_is_left_alone():
    layer = _layer("lstm")
    for display_type, count in ((GateTimelineDisplay, 5), (StateHeatmapDisplay, 3), (StateTrajectoriesDisplay, 3)):
        figure, axes = plt.subplots(count)
        display = display_type.from_trace(layer).plot(ax=axes)
        assert display.figure_ is figure and list(display.axes_.values()) == list(axes)
        assert plt.gcf() is figure
        other = display_type.from_trace(layer).plot()
        assert other.figure_ is not figure
        assert sum(1 for ax in figure.axes if ax.get_label() != "<colorbar>") == count
        with pytest.raises(ValueError, match=f"ax: expected {count} axes"):
            display_type.from_trace(layer).plot(ax=axes[:2])
    figure, axes = plt.subplots(2)
    display = StateHeatmapDisplay.from_trace(layer).plot(ax=axes, show_input=False)
    assert list(display.axes_) == ["h", "c"]


# ---------------------------------------------------------------- non-finite values


def test_nonfinite_and_exploding_values_are_marked_and_warned():
    layer = _writable(_layer("lstm", steps=8, units=4))
    layer.states["c"][0, 5, 2] = np.nan
    layer.states["c"][0, 6, 3] = 1e9
    with pytest.warns(NonFiniteValuesWarning, match=r"state c, sample 0: 1 NaN and 1 exploding .* of 32 values.*"
                                                    r"\(unit 2, step 5\), \(unit 3, step 6\)"):
        display = StateHeatmapDisplay.from_trace(layer).plot()
    image = display.images_["c"]
    shown = image.get_array()
    assert shown.mask[2, 5] and shown.mask[3, 6] and shown.mask.sum() == 2
    np.testing.assert_array_equal(shown.data, layer.states["c"][0].T)  # every value kept, bad ones masked
    good = np.delete(layer.states["c"][0].ravel(), [5 * 4 + 2, 6 * 4 + 3])
    assert image.norm.vmax == pytest.approx(np.abs(good).max())  # the explosion does not wash out the scale
    np.testing.assert_array_equal(display.markers_["c"].get_offsets(), [[5, 2], [6, 3]])
    assert display.markers_["h"] is None
    assert any(patch.get_hatch() for patch in display.axes_["c"].patches)  # hatched under the masked cells


def test_nonfinite_gates_and_lines_are_marked():
    layer = _writable(_layer("gru", steps=6, units=3))
    layer.gates["reset"][0, 2, 1] = np.inf
    layer.states["h"][0, 4, 0] = -np.inf
    with pytest.warns(NonFiniteValuesWarning, match=r"reset gate.*1 infinite"):
        gates = GateTimelineDisplay.from_trace(layer).plot()
    np.testing.assert_array_equal(gates.markers_["reset"].get_offsets(), [[2, 1]])
    with pytest.warns(NonFiniteValuesWarning, match=r"state h.*\(step 4, unit 0\)"):
        lines = StateTrajectoriesDisplay.from_trace(layer, units=[2, 0]).plot()
    assert np.ma.getmaskarray(lines.lines_["h", 0].get_ydata())[4]
    np.testing.assert_array_equal(lines.markers_["h"].get_offsets(), [[4, 0]])


def test_an_all_nan_array_is_never_a_blank_plot():
    figure, ax = plt.subplots()
    with pytest.warns(NonFiniteValuesWarning, match="empty: 6 NaN of 6 values"):
        image, markers = heatmap(ax, np.full((2, 3), np.nan), name="empty", norm=matplotlib.colors.Normalize(0, 1),
                                 cmap="viridis")
    assert image.get_array().mask.all() and len(markers.get_offsets()) == 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown, markers = finite_or_marked(ax, np.arange(4.0), name="fine", layout="lines")
    assert markers is None and not np.ma.getmaskarray(shown).any()


# ---------------------------------------------------------------- text heatmap

WORDS = ["the", "cat", '"', "sat", "on", '"', "mat", "<pad>"]


def test_text_heatmap_colours_each_token_by_the_unit():
    mask = np.ones((2, 8), bool)
    mask[0, -1] = False
    layer = _layer("lstm", steps=8, units=4, mask=mask)
    display = TextHeatmapDisplay.from_trace(layer, WORDS, unit=2).plot()
    values = layer.states["h"][0, :, 2]
    np.testing.assert_array_equal(display.values, values)
    for step in range(7):
        text = display.texts_[step]
        assert text.get_text() == WORDS[step]
        face = text.get_bbox_patch().get_facecolor()
        np.testing.assert_allclose(face, display.cmap_(display.norm_(values[step])))
    padding = display.texts_[7].get_bbox_patch().get_facecolor()
    assert not np.allclose(padding, display.cmap_(display.norm_(values[7])))  # greyed, not coloured
    assert (display.norm_.vmin, display.norm_.vmax) == (-1, 1)
    assert display.colorbar_.mappable.norm is display.norm_
    assert "padding" in shown_title(display.ax_)
    omitted = TextHeatmapDisplay.from_trace(layer, WORDS, unit=2).plot(padding="omit")
    assert 7 not in omitted.texts_


def test_text_heatmap_of_a_gate_and_of_c():
    layer = _layer("lstm", steps=8, units=4)
    gate = TextHeatmapDisplay.from_trace(layer, WORDS, unit=1, activation="forget")
    np.testing.assert_array_equal(gate.values, layer.gates["forget"][0, :, 1])
    assert gate.limits == (0.0, 1.0)
    cell = TextHeatmapDisplay.from_trace(layer, WORDS, unit=1, activation="c")
    assert cell.limits[1] == pytest.approx(np.abs(layer.states["c"][0, :, 1]).max())
    with pytest.raises(ValueError, match=r"activation: layer 'lstm' \(lstm\) has no 'update'"):
        TextHeatmapDisplay.from_trace(layer, WORDS, activation="update")


def test_tokens_must_match_the_steps():
    layer = _layer("lstm", steps=8)
    with pytest.raises(ValueError, match=r"tokens: got 3 tokens for the 8 steps of layer 'lstm'; give one string per step"):
        TextHeatmapDisplay.from_trace(layer, ["a", "b", "c"])
    with pytest.raises(ValueError, match="tokens: give either tokens .* or vocabulary"):
        TextHeatmapDisplay.from_trace(layer)
    assert tokens_for(layer, "abcdefgh") == list("abcdefgh")  # a string: one character per step
    assert tokens_for(layer, [WORDS, list("abcdefgh")], sample=1) == list("abcdefgh")  # one list per sample


def test_vocabulary_maps_the_model_input_token_ids():
    ids = np.array([[3, 1, 2, 0], [1, 1, 1, 1]])
    layer = _layer("gru", steps=4, mask=ids > 0)
    trace = _model_trace(layer, model_input=ids)
    vocabulary = {0: "<pad>", 1: "a", 2: "b", 3: "c"}
    assert tokens_for(trace, vocabulary=vocabulary) == ["c", "a", "b", "<pad>"]
    assert tokens_for(trace, vocabulary=["<pad>", "a", "b", "c"], sample=1) == ["a"] * 4
    display = TextHeatmapDisplay.from_trace(trace, vocabulary=vocabulary, unit=0).plot()
    assert [display.texts_[step].get_text() for step in range(4)] == ["c", "a", "b", "<pad>"]
    with pytest.raises(ValueError, match=r"vocabulary: no string for token id 3 \(step 0\)"):
        tokens_for(trace, vocabulary={0: "", 1: "a", 2: "b"})
    with pytest.raises(ValueError, match="vocabulary: needs a ModelTrace holding model_input"):
        tokens_for(layer, vocabulary=vocabulary)


def test_text_wraps_into_lines_and_warns_when_a_given_axes_is_too_small():
    layer = _layer("lstm", steps=300, units=2)
    text = ("the quick brown fox jumps over the lazy dog " * 7)[:300]
    display = TextHeatmapDisplay.from_trace(layer, text, unit=0).plot()
    assert display.line_count_ > 2
    display.figure_.canvas.draw()
    right = display.ax_.get_window_extent().x1
    assert all(t.get_window_extent().x1 <= right + 1 for t in display.texts_.values())
    assert display.texts_[0].get_fontfamily() == ["monospace"]
    figure, ax = plt.subplots(figsize=(3, 1))
    with pytest.warns(UserWarning, match="ax: the text needs"):
        small = TextHeatmapDisplay.from_trace(layer, text, unit=0).plot(ax=ax)
    assert small.ax_ is ax and small.figure_ is figure and plt.gcf() is figure


def test_nonfinite_tokens_are_hatched_and_warned():
    layer = _writable(_layer("lstm", steps=8, units=2))
    layer.states["h"][0, 3, 1] = np.nan
    with pytest.warns(NonFiniteValuesWarning, match=r"h\[1\], sample 0: 1 NaN of 8 values.*\(step 3\)"):
        display = TextHeatmapDisplay.from_trace(layer, WORDS, unit=1).plot()
    assert display.texts_[3].get_bbox_patch().get_hatch()
    np.testing.assert_array_equal(display.bad_steps_, [3])


def test_rank_units_finds_the_unit_that_follows_a_signal():
    layer = _writable(_layer("lstm", steps=12, units=6, seed=3))
    inside = (np.arange(12) % 5 < 2).astype(float)
    layer.states["h"][0, :, 4] = 0.8 * inside - 0.3
    layer.states["h"][0, :, 1] = -0.5 * inside
    ranking = rank_units(layer, inside, k=2)
    assert sorted(ranking.units) == [1, 4]
    np.testing.assert_allclose(sorted(ranking.scores), [-1.0, 1.0])
    units, scores = rank_units(layer, k=None)
    assert len(units) == 6 and np.all(np.diff(scores) <= 0)  # by variance, largest first
    with pytest.raises(ValueError, match=r"signal: expected one number per step, shape \(12,\)"):
        rank_units(layer, np.zeros(5))


def test_rank_units_ignores_padding():
    mask = np.ones((1, 6), bool)
    mask[0, 3:] = False
    layer = _writable(_layer("gru", batch=1, steps=6, units=2, mask=mask))
    layer.states["h"][0, :, 0] = [0.1, 0.2, 0.1, 5.0, -5.0, 5.0]  # large only in the padding
    layer.states["h"][0, :, 1] = [0.5, -0.5, 0.5, 0.0, 0.0, 0.0]
    assert list(rank_units(layer, k=2).units) == [1, 0]


# ---------------------------------------------------------------- real Keras models


@pytest.fixture(scope="module")
def keras_traces():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 10, 2)).astype("float32")
    traces = {}
    for seed, layer_type in enumerate((keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN)):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((10, 2)), layer_type(4, return_sequences=True, name="rnn")])
        traces[layer_type.__name__] = (rnnviz.record(model, x), model, x)
    return traces


def test_displays_of_real_keras_layers_draw_the_recorded_values(keras_traces):
    for name in ("LSTM", "GRU"):
        trace, model, x = keras_traces[name]
        layer = trace["rnn"]
        gates = GateTimelineDisplay.from_trace(trace, sample=1).plot()
        for gate in layer.gate_names:
            np.testing.assert_array_equal(gates.images_[gate].get_array(), layer.gates[gate][1].T)
        np.testing.assert_allclose(gates.input_lines_[1].get_ydata(), x[1, :, 1])
        states = StateHeatmapDisplay.from_trace(trace, sample=1).plot()
        for state in layer.state_names:
            np.testing.assert_array_equal(states.images_[state].get_array(), layer.states[state][1].T)
        np.testing.assert_allclose(layer.states["h"], np.asarray(model(x)), atol=1e-6)  # the trace is Keras's own
    trace, _, _ = keras_traces["SimpleRNN"]
    with pytest.raises(ValueError, match="has no gates"):
        GateTimelineDisplay.from_trace(trace)
    display = StateTrajectoriesDisplay.from_trace(trace, k=2).plot()
    assert list(display.axes_) == ["x", "h"] and len(display.lines_) == 2


@pytest.mark.slow
def test_from_model_records_and_draws(keras_traces):
    _, model, x = keras_traces["LSTM"]
    display = GateTimelineDisplay.from_model(model, x, sample=0).plot()
    expected = rnnviz.record(model, x)["rnn"].gates["output"][0].T
    np.testing.assert_allclose(display.images_["output"].get_array(), expected)
    assert display.description.startswith("LSTM layer 'rnn', 4 units")  # a name that says more than its kind


@pytest.mark.slow
def test_text_heatmap_from_an_embedding_model_with_padding():
    import keras

    keras.utils.set_random_seed(0)
    vocabulary = ["<pad>", *"abcdefgh "]
    ids = np.array([[1, 2, 9, 3, 4, 9, 5, 0, 0], [6, 7, 8, 9, 1, 2, 3, 4, 5]])
    model = keras.Sequential([
        keras.Input((9,), dtype="int32"),
        keras.layers.Embedding(len(vocabulary), 4, mask_zero=True),
        keras.layers.LSTM(5, name="lstm"),
    ])
    display = TextHeatmapDisplay.from_model(model, ids, vocabulary=vocabulary, unit=3).plot()
    trace = rnnviz.record(model, ids)
    np.testing.assert_allclose(display.values, trace["lstm"].states["h"][0, :, 3])
    np.testing.assert_array_equal(display.mask, ids[0] > 0)
    assert display.texts_[2].get_text() == " " and display.texts_[8].get_text() == "<pad>"


def test_the_input_panel_is_named_as_the_unrolled_figure_names_it(keras_traces):
    """A forecaster's recurrent layer reads x − today, not x: its input panel says so, in the unrolled figure's words;
    a layer reading the model's input says "input x" in both (issue 18, item 5)."""
    import keras

    from rnnviz.figures.unrolled import UnrolledDisplay
    from rnnviz.forecasting.models import recurrent

    keras.utils.set_random_seed(0)
    x = np.cumsum(np.random.default_rng(0).normal(size=(2, 12, 1)), axis=1).astype("float32")
    forecaster = rnnviz.record(recurrent("gru", 12, 3, units=4), x)
    plain, _, plain_x = keras_traces["GRU"]
    for trace, name, values in ((forecaster, "x − today", x[0, :, 0] - x[0, -1, 0]), (plain, "input x", plain_x[0, :, 0])):
        unrolled = UnrolledDisplay.from_trace(trace).plot()
        assert name in [text.get_text().split("\n")[0] for text in unrolled.texts_]
        for display in (StateHeatmapDisplay.from_trace(trace).plot(), GateTimelineDisplay.from_trace(trace).plot()):
            panel = display.axes_["x"]
            assert panel.get_ylabel() == name and panel.get_title(loc="left").startswith(f"{name} at each step")
            np.testing.assert_allclose(display.input_lines_[0].get_ydata(), values, atol=1e-6)
        plt.close("all")

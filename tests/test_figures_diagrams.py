"""Unrolled and cell figures draw the trace's own values."""

import copy
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")
import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.figures.cell import CellDisplay
from rnnviz.figures.nonfinite import NonFiniteValuesWarning
from rnnviz.figures.unrolled import UnrolledDisplay

L = keras.layers


@pytest.fixture(scope="module")
def stacked_trace():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((12, 2)), L.LSTM(4, return_sequences=True, name="lstm"), L.GRU(3, name="gru", reset_after=False),
        L.Dense(1, name="head"),
    ])
    x = np.random.default_rng(0).normal(size=(3, 12, 2)).astype("float32")
    return rnnviz.record(model, x)


def test_each_cell_strip_is_that_steps_state(stacked_trace):
    display = UnrolledDisplay.from_trace(stacked_trace, sample=2, max_steps=6).plot()
    assert len(display.strips_) == 18  # 6 shown steps x 2 layers, and the LSTM's cell state c at each
    for node_id, image in display.strips_.items():
        node = display.diagram.node(node_id)
        state = node.data.get("state", "h")
        expected = stacked_trace[node.data["layer"]].states[state][2, node.data["step"]]
        np.testing.assert_array_equal(image.get_array()[0], expected)
        # and the colour shown for unit 0 is the colormap's colour for that value, on its state's scale
        scale = display.view.scales[state]
        assert (image.norm.vmin, image.norm.vmax) == (scale.low, scale.high)
        np.testing.assert_allclose(image.to_rgba(image.get_array())[0, 0], image.cmap(image.norm(expected[0])))
    assert display.view.scale is display.view.scales["h"] and display.norm_.vmax == display.view.scales["h"].high


def test_unrolled_inputs_are_labelled_with_the_values_given(stacked_trace):
    display = UnrolledDisplay.from_trace(stacked_trace, sample=1, max_steps=4).plot()
    texts = {node_id: t.get_text() for node_id, t in display.input_texts_.items()}
    step = display.diagram.node(next(iter(texts))).data["step"]
    first = stacked_trace.model_input[1, step]
    assert texts[next(iter(texts))] == f"{first[0]:.2f} {first[1]:.2f}"


def test_cell_display_fills_every_gate_with_its_trace_values(stacked_trace):
    display = CellDisplay.from_trace(stacked_trace, "lstm", sample=1, step=5).plot()
    layer = stacked_trace["lstm"]
    for gate in ("input", "forget", "candidate", "output"):
        image = display.strips_[gate]
        np.testing.assert_array_equal(image.get_array()[0], layer.gates[gate][1, 5])
        value = layer.gates[gate][1, 5, 2]
        np.testing.assert_allclose(image.to_rgba(image.get_array())[0, 2], display.cmaps_[gate](display.norms_[gate](value)))
    np.testing.assert_array_equal(display.strips_["c_in"].get_array()[0], layer.states["c"][1, 4])
    np.testing.assert_array_equal(display.strips_["c_out"].get_array()[0], layer.states["c"][1, 5])
    assert display.mean_texts_["forget"].get_text() == f"σ\nmean {layer.gates['forget'][1, 5].mean():.2f}"


def test_cell_display_at_the_first_step_reads_the_initial_state(stacked_trace):
    display = CellDisplay.from_trace(stacked_trace, "gru", sample=0, step=0)
    np.testing.assert_array_equal(display.values["h_in"], stacked_trace["gru"].initial_states["h"][0])
    assert "reset_after=False" in display.description


def test_cell_display_checks_its_arguments(stacked_trace):
    with pytest.raises(ValueError, match=r"step: expected an index in \[0, 12\), got 12"):
        CellDisplay.from_trace(stacked_trace, "lstm", step=12)
    with pytest.raises(ValueError, match=r"sample: expected an index in 0\.\.2 \(batch of 3\), got 3"):
        UnrolledDisplay.from_trace(stacked_trace, sample=3)


def test_non_finite_states_are_marked_and_warned(stacked_trace):
    broken = copy.deepcopy(stacked_trace)
    broken["lstm"].states["c"][0, 3, 1] = np.nan
    display = CellDisplay.from_trace(broken, "lstm", step=3)
    assert display.view.bad_strips == ["cₜ"]
    with pytest.warns(NonFiniteValuesWarning, match="1 NaN of 4 values"):
        display.plot()
    assert np.ma.getmaskarray(display.strips_["c_out"].get_array())[0, 1]


def _pixels(figure):
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())


def test_a_cell_from_a_trace_draws_like_one_from_its_arrays(stacked_trace):
    """An image comparison: the same values given as arrays draw the same pixels."""
    from_trace = CellDisplay.from_trace(stacked_trace, "gru", sample=1, step=7).plot()
    layer = stacked_trace["gru"]
    values = {"h_in": layer.states["h"][1, 6], "h_out": layer.states["h"][1, 7], "h_up": layer.states["h"][1, 7],
              "x": layer.inputs[1, 7], **{gate: layer.gates[gate][1, 7] for gate in ("reset", "update", "candidate")}}
    view = from_trace.view
    strips = {node_id: replace(strip, values=values[node_id]) for node_id, strip in view.strips.items()}
    from_arrays = CellDisplay(view=replace(view, strips=strips)).plot()
    np.testing.assert_array_equal(_pixels(from_trace.figure_), _pixels(from_arrays.figure_))
    strips["reset"] = replace(strips["reset"], values=1 - values["reset"])
    changed = CellDisplay(view=replace(view, strips=strips)).plot()
    assert (_pixels(changed.figure_) != _pixels(from_trace.figure_)).any()


def test_same_trace_same_svg_and_pdf_bytes(stacked_trace, tmp_path):
    from rnnviz.export import save_figure

    written = []
    for run in range(2):
        figure = UnrolledDisplay.from_trace(stacked_trace, max_steps=4).plot().figure_
        written.append(save_figure(figure, tmp_path / f"run{run}" / "unrolled", formats=("svg", "pdf")))
    for first, second in zip(*written):
        assert first.read_bytes() == second.read_bytes()


def test_draws_on_the_given_axes_only(stacked_trace):
    figure, ax = plt.subplots()
    current = plt.figure()
    display = UnrolledDisplay.from_trace(stacked_trace).plot(ax=ax, colorbar=False)
    assert display.ax_ is ax and not current.axes


def test_bidirectional_chains_show_each_directions_own_states():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((7, 1)), L.Bidirectional(L.GRU(3), name="bi"), L.Dense(1)])
    trace = rnnviz.record(model, np.random.default_rng(1).normal(size=(2, 7, 1)).astype("float32"))
    display = UnrolledDisplay.from_trace(trace, sample=1).plot()
    for direction in ("forward", "backward"):
        cells = display.diagram.find("cell", layer=f"bi/{direction}")
        assert len(cells) == 7
        for node in cells:
            expected = trace[f"bi/{direction}"].states["h"][1, node.data["step"]]
            np.testing.assert_array_equal(display.strips_[node.id].get_array()[0], expected)


def test_a_loaded_trace_draws_the_same_pixels(stacked_trace, tmp_path):
    """An image comparison: a saved and loaded trace (no TensorFlow needed) draws exactly what the recording drew."""
    loaded = rnnviz.load(stacked_trace.save(tmp_path / "trace.npz"))
    drawn = [UnrolledDisplay.from_trace(t, sample=1, max_steps=4).plot().figure_ for t in (stacked_trace, loaded)]
    np.testing.assert_array_equal(_pixels(drawn[0]), _pixels(drawn[1]))


def test_unrolled_from_model_records_it_first():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((5, 2)), L.SimpleRNN(2, name="rnn")])
    x = np.ones((1, 5, 2), "float32")
    display = UnrolledDisplay.from_model(model, x)
    np.testing.assert_allclose(display.view.strips["rnn/4"].values, model(x)[0], atol=1e-6)  # the last h is the model's output
    assert len(display.diagram.find("output")) == 1  # a model ending in its RNN outputs the last state


# ---------------------------------------------------------------- course models at the slide size (issue 15)

from rnnviz import style  # noqa: E402
from tests.course_models import deepspeech2, strided_conv_gru  # noqa: E402


def _shown_texts(figure) -> list:
    """Every text a saved figure shows: its own, its axes' texts and titles, and the tick labels of axes left on."""
    texts = list(figure.texts)
    for ax in figure.axes:
        texts += [*ax.texts, ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                low, high = sorted(axis.get_view_interval())
                texts += [axis.label, *(tick.label1 for tick in axis.get_major_ticks() if low <= tick.get_loc() <= high)]
    return [text for text in texts if text.get_visible() and text.get_text().strip()]


def _check_legible_on_a_slide(figure):
    """Every text at least 12 pt and inside the figure; the diagram (and its row labels) across most of its width."""
    figure.canvas.draw()
    renderer, frame = figure.canvas.get_renderer(), figure.bbox
    texts = _shown_texts(figure)
    assert tuple(figure.get_size_inches()) == style.SLIDE_SIZES["16:9"]
    small = sorted({(round(t.get_fontsize(), 1), t.get_text()) for t in texts if t.get_fontsize() < 12})
    assert not small, f"texts under 12 pt: {small[:5]}"
    outside = [t.get_text() for t in texts if not frame.padded(0.5).contains(*t.get_window_extent(renderer).p0)
               or not frame.padded(0.5).contains(*t.get_window_extent(renderer).p1)]
    assert not outside, f"texts past the figure's edge: {outside[:5]}"
    ax = figure.axes[0]
    xs = [x for artist in [*ax.patches, *ax.texts] for x in artist.get_window_extent(renderer).intervalx]
    assert (max(xs) - min(xs)) / frame.width > 0.8


@pytest.fixture(scope="module")
def deepspeech_trace():
    return rnnviz.record(*deepspeech2())


@pytest.fixture(scope="module")
def conv_gru_trace():
    return rnnviz.record(*strided_conv_gru())


def test_a_deep_model_fills_a_slide_with_legible_text(deepspeech_trace):
    with style.context("slides", size="16:9"):
        display = UnrolledDisplay.from_trace(deepspeech_trace).plot()
    _check_legible_on_a_slide(display.figure_)
    drawn = {node.data["layer"] for node in display.diagram.find("cell")}
    assert drawn == {"bidirectional_1/forward", "bidirectional_1/backward"}
    for node_id, image in display.strips_.items():  # the drawn cells still show their own states
        node = display.diagram.node(node_id)
        np.testing.assert_array_equal(image.get_array()[0], deepspeech_trace[node.data["layer"]].states["h"][0, node.data["step"]])


def test_a_strided_conv_figure_shows_the_input_steps_given(conv_gru_trace):
    with style.context("slides", size="16:9"):
        display = UnrolledDisplay.from_trace(conv_gru_trace, sample=1).plot()
    _check_legible_on_a_slide(display.figure_)
    given = conv_gru_trace.model_input[1]
    inputs = display.diagram.find("input")
    assert max(node.data["step"] for node in inputs) == len(given) - 1 == 111
    for node in inputs:  # the model's own input at that input step
        assert display.input_texts_[node.id].get_text() == f"{given[node.data['step'], 0]:.2f}"
    for node in display.diagram.find("cell"):
        assert display.diagram.find("conv1d", step=node.data["step"])[0].data["reads"] == [2 * node.data["step"] + i for i in range(4)]
    assert conv_gru_trace["gru"].steps == 55


def test_a_deep_model_draws_the_same_bytes_every_time(deepspeech_trace, tmp_path):
    from rnnviz.export import save_figure

    written = []
    for run in range(2):
        with style.context("slides", size="16:9"):
            figure = UnrolledDisplay.from_trace(deepspeech_trace).plot().figure_
        written.append(save_figure(figure, tmp_path / f"run{run}" / "unrolled", formats=("svg", "png")))
    for first, second in zip(*written):
        assert first.read_bytes() == second.read_bytes()


def test_a_trace_saved_before_layers_told_their_time_draws_no_false_mapping(conv_gru_trace):
    from dataclasses import replace

    untimed = [{**entry, "extra": {k: v for k, v in entry["extra"].items() if k != "time"}}
               for entry in conv_gru_trace.architecture]
    old = replace(conv_gru_trace, architecture=untimed)
    display = UnrolledDisplay.from_trace(old).plot()
    (band,) = display.diagram.find("band")
    assert band.label == "which steps below each step reads is not known: 112 input steps, 55 of gru"
    assert max(node.data["step"] for node in display.diagram.find("cell")) == 54
    assert max(node.data["step"] for node in display.diagram.find("input")) == 111


def test_the_bidirectional_architecture_fills_a_slide_with_legible_text():
    """The gallery's Bidirectional model: its merge row added, every text still at least 12 pt on a 16:9 slide."""
    from rnnviz.recording.experiments import architecture_models

    model, x = architecture_models(0)["bidirectional"]
    with style.context("slides", size="16:9"):
        display = UnrolledDisplay.from_model(model, x, max_steps=6).plot()
    _check_legible_on_a_slide(display.figure_)
    (merge,) = display.diagram.find("merge")
    assert merge.id in display.patches_ and len(display.arrows_) == len(display.diagram.edges)


# ---------------------------------------------------------------- the forecasters (issue 18, items 4 and 5)


@pytest.fixture(scope="module")
def forecaster_trace():
    from rnnviz.forecasting.models import recurrent

    keras.utils.set_random_seed(0)
    model = recurrent("lstm", 40, 5, units=4)
    x = np.cumsum(np.random.default_rng(0).normal(size=(2, 40, 1)), axis=1).astype("float32")
    return rnnviz.record(model, x)


def _drawn_span(display) -> tuple:
    """(height share of the diagram's own patches and texts, lowest point of anything drawn) in figure fractions."""
    figure = display.figure_
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ys = [y for artist in [*display.ax_.patches, *display.ax_.texts] for y in artist.get_window_extent(renderer).intervaly]
    lowest = min(min(ys), display.colorbar_.ax.get_tightbbox(renderer).y0)
    return (max(ys) - min(ys)) / figure.bbox.height, lowest / figure.bbox.height


def test_a_forecaster_figure_writes_today_s_differences_and_each_forecast_value(forecaster_trace):
    from rnnviz.mpl.legibility import legibility_problems

    with style.context("slides", size="16:9"):
        display = UnrolledDisplay.from_trace(forecaster_trace, sample=1).plot()
    given = forecaster_trace["lstm"].inputs[1, :, 0]  # what the LSTM read: the window minus today
    np.testing.assert_allclose(given, forecaster_trace.model_input[1, :, 0] - forecaster_trace.model_input[1, -1, 0],
                               atol=1e-6)
    changes = display.diagram.find("layer", layer="minus_today")
    assert changes and all(node.label == f"{given[node.data['step']]:.2f}" for node in changes)
    outputs = display.diagram.find("output")
    assert [node.label for node in outputs] == [f"ŷ{'₁₂₃₄₅'[k]}\n{forecaster_trace.model_output[1, k]:.2f}"
                                                for k in range(5)]
    texts = [text.get_text() for text in display.texts_]
    assert "x − today\ntoday = x₃₉" in texts and "input x" in texts and not any("minus_today" in t for t in texts)
    # the cell state c has its own strips, on its own scale, told on the colour bar's other side
    assert {display.diagram.node(node_id).data.get("state", "h") for node_id in display.strips_} == {"h", "c"}
    assert display.colorbar_.second_axis_ is not None
    assert legibility_problems(display.figure_, diagram=True) == []
    height, lowest = _drawn_span(display)
    assert height > 0.55 and lowest < 0.05  # the slide filled down to its colour bar, not 40 % left empty


def test_a_flat_diagram_is_spread_to_fill_the_slide_and_draws_the_same_bytes(tmp_path):
    from rnnviz.export import save_figure
    from rnnviz.recording.experiments import architecture_traces

    trace = architecture_traces(0)["sequence_to_sequence"]
    written = []
    for run in range(2):
        with style.context("slides", size="16:9"):
            display = UnrolledDisplay.from_trace(trace, max_steps=6).plot()
        written.append(save_figure(display.figure_, tmp_path / f"run{run}" / "unrolled", formats=("svg", "png")))
    for first, second in zip(*written):
        assert first.read_bytes() == second.read_bytes()
    flat, drawn = display.diagram, display.diagram_
    assert [node.id for node in drawn.nodes] == [node.id for node in flat.nodes]
    rows = [sorted({node.y for node in diagram.find("cell")} | {node.y for node in diagram.find("output")})
            for diagram in (flat, drawn)]
    assert rows[1][-1] - rows[1][0] > 1.2 * (rows[0][-1] - rows[0][0])  # rows spread apart
    height, lowest = _drawn_span(display)
    assert height > 0.55 and lowest < 0.05


def test_a_bidirectional_rows_title_is_in_its_directions_colour():
    from matplotlib.colors import to_hex

    from rnnviz.palette import PALETTE
    from rnnviz.scenes.traces import ARCHITECTURE_TRACES, DATA

    display = UnrolledDisplay.from_trace(rnnviz.load(DATA / ARCHITECTURE_TRACES.format("bidirectional"))).plot()
    colours = {text.get_text().rpartition("\n")[2]: to_hex(text.get_color()) for text in display.ax_.texts
               if text.get_text().endswith(("forward", "backward"))}
    assert colours == {"forward": PALETTE["forward"].lower(), "backward": PALETTE["backward"].lower()}


def test_on_a_narrow_slide_the_unrolled_figure_draws_fewer_steps_not_smaller_text():
    """The LSTM forecaster at 4:3: its eight drawn steps would set text under 12 pt, so it draws fewer, each cell
    still its step's state, and the subtitle counts the steps drawn."""
    from rnnviz.gallery import shipped_forecasters
    from rnnviz.mpl.legibility import small_texts

    _, _, traces = shipped_forecasters(0)
    trace = traces["lstm"]
    with style.context("slides", size="16:9"):
        wide = UnrolledDisplay.from_trace(trace, max_steps=8).plot()
    with style.context("slides", size="4:3"):
        narrow = UnrolledDisplay.from_trace(trace, max_steps=8).plot()
        full = UnrolledDisplay.from_trace(trace, max_steps=8)
        full._paint(None, True, True)  # the eight steps, as they would be drawn at 4:3
    try:
        steps = {name: {n.data["step"] for n in d.diagram.find("cell")} for name, d in
                 (("wide", wide), ("narrow", narrow), ("full", full))}
        assert len(steps["wide"]) == len(steps["full"]) == 8 and 4 <= len(steps["narrow"]) < 8
        assert steps["narrow"] < steps["wide"] and {0, trace.layers[0].steps - 1} <= steps["narrow"]
        assert small_texts(full.figure_, slide="4:3") and not small_texts(narrow.figure_, slide="4:3")
        assert f"{len(steps['narrow'])} drawn" in narrow.description
        for node_id, image in narrow.strips_.items():
            node = narrow.diagram.node(node_id)
            expected = trace[node.data["layer"]].states[node.data.get("state", "h")][0, node.data["step"]]
            np.testing.assert_array_equal(image.get_array()[0], expected)
    finally:
        for display in (wide, narrow, full):
            plt.close(display.figure_)

"""Forecasting: baselines, model builders, training and MAE in the series' units, the table, the figures."""

import numpy as np
import pytest

from rnnviz.forecasting import MODELS, ForecastResults, model_spec, naive, seasonal_naive, train_models
from rnnviz import style
from rnnviz.forecasting.models import BASELINES, STYLES
from rnnviz.style import neutral


def seasonal_series(length=240, *, period=12, seed=0):
    """Level + trend + seasonality + noise, seeded."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return 5 + 0.02 * t + 2 * np.sin(2 * np.pi * t / period) + rng.normal(scale=0.3, size=length)


# ---------------------------------------------------------------- baselines


def test_naive_repeats_the_last_input_value():
    inputs = np.array([[1.0, 2.0, 3.0], [7.0, 5.0, -1.0]])
    np.testing.assert_array_equal(naive(inputs, 4), [[3, 3, 3, 3], [-1, -1, -1, -1]])
    np.testing.assert_array_equal(naive(inputs[..., None], 1), [[3], [-1]])  # (windows, steps, 1) too


def test_seasonal_naive_takes_the_value_one_period_before():
    inputs = np.arange(10.0)[None] + np.array([[0.0], [100.0]])  # window values 0..9 and 100..109
    # Target steps are 10, 11, 12, ...; a period of 4 before them: 6, 7, 8, 9, then the last season again.
    np.testing.assert_array_equal(seasonal_naive(inputs, 6, 4)[0], [6, 7, 8, 9, 6, 7])
    np.testing.assert_array_equal(seasonal_naive(inputs, 2, 10)[1], [100, 101])


def test_seasonal_naive_needs_a_whole_period_of_inputs():
    with pytest.raises(ValueError, match=r"period: .*input_steps=5 < period=7"):
        seasonal_naive(np.zeros((2, 5)), 3, 7)
    with pytest.raises(ValueError, match="horizon: expected an integer >= 1, got 0"):
        naive(np.zeros((2, 5)), 0)
    with pytest.raises(ValueError, match=r"inputs: expected .* got shape \(5,\)"):
        naive(np.zeros(5), 1)


# ---------------------------------------------------------------- builders


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("relative", [True, False])
def test_every_builder_forecasts_horizon_steps(name, relative):
    spec = MODELS[name]
    model = spec.build(12, 3, relative=relative)
    output = np.asarray(model(np.zeros((2, 12, 1), "float32")))
    assert output.shape == ((2, 12, 3) if spec.targets == "sequence" else (2, 3))
    assert model.inputs[0].shape[1:] == (12, 1)


@pytest.mark.parametrize("name", list(MODELS))
def test_relative_models_move_with_the_level(name):
    """Relative to today: raising the whole window by c raises every forecast by c."""
    model = MODELS[name].build(12, 3)
    x = np.random.default_rng(1).normal(size=(4, 12, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x + 5.0)), np.asarray(model(x)) + 5.0, atol=1e-4)


def test_deep_rnn_stacks_simple_rnns_and_seq2seq_returns_every_step():
    import keras

    deep = MODELS["deep_rnn"].build(12, 3)
    stacked = [layer for layer in deep.layers if isinstance(layer, keras.layers.SimpleRNN)]
    assert [layer.return_sequences for layer in stacked] == [True, False]
    recurrent = [layer for layer in MODELS["seq2seq"].build(12, 3).layers if isinstance(layer, keras.layers.GRU)]
    assert [layer.return_sequences for layer in recurrent] == [True]


def test_unknown_names_and_bad_sizes_are_named():
    with pytest.raises(ValueError, match=r"names: unknown model 'transformer'; expected names from \['linear'"):
        model_spec("transformer")
    with pytest.raises(ValueError, match="cell: unknown recurrent cell 'rnn'"):
        from rnnviz.forecasting import recurrent

        recurrent("rnn", 12, 3)
    with pytest.raises(ValueError, match="horizon: expected an integer >= 1, got 0"):
        MODELS["linear"].build(12, 0)


def test_forecasters_save_load_and_record(tmp_path):
    """The relative layers are Keras-serialisable, and rnnviz.record sees the window minus today."""
    import keras

    import rnnviz

    model = MODELS["lstm"].build(12, 3, units=4)
    x = np.random.default_rng(2).normal(size=(2, 12, 1)).astype("float32")
    model.save(tmp_path / "lstm.keras")
    np.testing.assert_allclose(np.asarray(keras.models.load_model(tmp_path / "lstm.keras")(x)), np.asarray(model(x)))
    trace = rnnviz.record(model, x)
    np.testing.assert_allclose(trace["lstm"].inputs, x - x[:, -1:], atol=1e-6)


def test_change_from_checks_its_position():
    from rnnviz.forecasting.layers import ChangeFrom

    with pytest.raises(ValueError, match="position: expected one of \\['last', 'first'\\], got 'middle'"):
        ChangeFrom("middle")


# ---------------------------------------------------------------- training on a tiny series


@pytest.fixture(scope="module")
def tiny():
    """A short run: linear and seq2seq, two epochs, on a small seasonal series."""
    from rnnviz.data.windows import make_windows

    windows = make_windows(seasonal_series(), input_steps=12, horizon=3, batch_size=16)
    lines = []
    results = train_models(windows, ["linear", "seq2seq"], epochs=2, period=12, jit_compile=False, progress=lines.append)
    return windows, results, lines


def test_mae_is_in_the_series_units(tiny):
    windows, results, _ = tiny
    series = windows.series
    starts = windows.starts("validation")
    inputs = series[starts[:, None] + np.arange(12)]
    truth = series[starts[:, None] + 12 + np.arange(3)]
    model_input = windows.normalise(inputs)[..., None].astype("float32")
    forecast = np.asarray(results.models["linear"](model_input)) * windows.std + windows.mean
    mae = results.mae("validation")
    assert mae["linear"] == pytest.approx(np.abs(forecast - truth).mean(), rel=1e-5)
    assert mae["naive"] == pytest.approx(np.abs(inputs[:, -1:] - truth).mean(), rel=1e-5)
    assert mae["seasonal_naive"] == pytest.approx(np.abs(inputs[:, :3] - truth).mean(), rel=1e-5)
    np.testing.assert_allclose(results.truth["validation"], truth, rtol=1e-5)


def test_seq2seq_is_judged_on_its_last_step(tiny):
    windows, results, _ = tiny
    inputs, _ = windows.numpy("test")
    every_step = np.asarray(results.models["seq2seq"](inputs))
    np.testing.assert_allclose(results.forecasts["test"]["seq2seq"], windows.denormalise(every_step[:, -1]), rtol=1e-5)


def test_results_keep_history_progress_and_the_naive_reference(tiny):
    windows, results, lines = tiny
    assert results.names == ["naive", "seasonal_naive", "linear", "seq2seq"]
    assert results.model_names == ["linear", "seq2seq"]
    assert {len(results.history[name]["val_loss"]) for name in results.model_names} == {2}
    assert results.best_epoch("linear") == int(np.argmin(results.history["linear"]["val_loss"]))
    naive_error = (results.truth["validation"] - results.forecasts["validation"]["naive"]) / windows.std
    assert results.reference_loss == pytest.approx(np.mean(naive_error**2))
    assert any("linear: validation MAE" in line for line in lines)


def test_sequence_windows_train_vector_models_too():
    from rnnviz.data.windows import make_windows

    windows = make_windows(seasonal_series(), input_steps=12, horizon=3, targets="sequence")
    results = train_models(windows, ["linear"], epochs=1, jit_compile=False)
    starts = windows.starts("validation")
    np.testing.assert_allclose(results.truth["validation"], windows.series[starts[:, None] + 12 + np.arange(3)], rtol=1e-5)
    assert results.forecasts["validation"]["linear"].shape == (len(starts), 3)


def test_train_models_checks_its_arguments():
    from rnnviz.data.windows import make_windows

    windows = make_windows(seasonal_series(), input_steps=8, horizon=2)
    with pytest.raises(ValueError, match=r"period: .*input_steps=8 < period=12"):
        train_models(windows, [], period=12)
    with pytest.raises(ValueError, match="names: unknown model 'arima'"):
        train_models(windows, ["arima"])
    with pytest.raises(ValueError, match="epochs: expected an integer >= 1, got 0"):
        train_models(windows, ["linear"], epochs=0)
    strided = make_windows(seasonal_series(), input_steps=8, horizon=2, stride=2)
    with pytest.raises(ValueError, match="period: 5 series steps is not a whole number of window steps at stride=2"):
        train_models(strided, [], period=5)


def hand_results():
    truth = np.array([[1.0, 2.0], [3.0, 4.0]])
    forecasts = {"naive": truth + 1.0, "linear": truth - 0.5, "lstm": truth + np.array([[0.25, -0.25], [0.25, 0.25]])}
    history = {"linear": {"loss": [1.0, 0.5, 0.4], "val_loss": [0.9, 0.3, 0.6]}, "lstm": {"loss": [2.0, 1.0], "val_loss": [1.0, 0.8]}}
    return ForecastResults(
        input_steps=4, horizon=2, forecasts={"validation": forecasts, "test": forecasts},
        truth={"validation": truth, "test": truth}, history=history, reference_loss=0.7,
    )


def test_table_sorts_by_mae_with_the_ratio_to_naive():
    results = hand_results()
    assert results.rows() == [("lstm", 0.25, 0.25), ("linear", 0.5, 0.5), ("naive", 1.0, 1.0)]
    lines = results.table().splitlines()
    assert lines[0] == "validation MAE, 2 steps ahead from 4 steps"
    assert lines[2].split() == ["LSTM", "0.250", "0.25"]
    assert lines[-1].split() == ["naive", "1.000", "1.00"]
    assert results.markdown().splitlines()[2] == "| LSTM | 0.250 | 0.25 |"
    with pytest.raises(ValueError, match="part: expected one of \\['validation', 'test'\\], got 'train'"):
        results.mae("train")


# ---------------------------------------------------------------- figures


def test_forecast_display_draws_the_results_arrays(tiny):
    from rnnviz.figures.forecast import ForecastDisplay

    windows, results, _ = tiny
    display = ForecastDisplay.from_results(results, windows, part="test", window_index=3).plot()
    start = windows.starts("test")[3]
    np.testing.assert_array_equal(display.lines_["observed"].get_xdata(), start + np.arange(12))
    np.testing.assert_allclose(display.lines_["observed"].get_ydata(), windows.series[start : start + 12])
    np.testing.assert_array_equal(display.lines_["truth"].get_ydata(), results.truth["test"][3])
    for name in results.names:
        np.testing.assert_array_equal(display.lines_[name].get_ydata(), results.forecasts["test"][name][3])
        np.testing.assert_array_equal(display.lines_[name].get_xdata(), start + 12 + np.arange(3))
    assert display.today_.get_xdata()[0] == start + 11
    assert display.lines_["naive"].get_linestyle() == "--"
    assert display.lines_["naive"].get_color() == neutral("muted")
    assert display.lines_["seq2seq"].get_linestyle() == "-."  # a second GRU model: dash-dotted
    labels = [text.get_text() for text in display.legend_.get_texts()]
    assert f"linear  {results.mae('test')['linear']:.2f}" in labels


def test_forecast_display_checks_window_and_models(tiny):
    from rnnviz.figures.forecast import ForecastDisplay

    windows, results, _ = tiny
    count = len(results.truth["validation"])
    with pytest.raises(ValueError, match=rf"window_index: {count} validation windows; expected an integer from -{count} to {count - 1}"):
        ForecastDisplay.from_results(results, windows, window_index=count)
    with pytest.raises(ValueError, match="models: expected names from"):
        ForecastDisplay.from_results(results, windows, models=["gru"])
    display = ForecastDisplay.from_results(results, windows, models=["naive", "linear"]).plot()
    assert set(display.lines_) == {"observed", "truth", "naive", "linear"}


def test_learning_curves_draw_each_models_history():
    from rnnviz.figures.forecast import LearningCurvesDisplay

    results = hand_results()
    display = LearningCurvesDisplay.from_results(results).plot()
    assert list(display.axes_) == ["linear", "lstm"]
    np.testing.assert_array_equal(display.lines_["linear", "val_loss"].get_ydata(), [0.9, 0.3, 0.6])
    np.testing.assert_array_equal(display.lines_["lstm", "loss"].get_xdata(), [1, 2])
    assert display.best_["linear"].get_xdata()[0] == 2 and display.best_["linear"].get_ydata()[0] == 0.3
    assert display.axes_["lstm"].get_yscale() == "log"
    assert display.lines_["lstm", "val_loss"].get_color() == STYLES["lstm"].colour


def test_error_bars_are_the_mae_with_ratios():
    from rnnviz.figures.forecast import ForecastErrorsDisplay

    display = ForecastErrorsDisplay.from_results(hand_results()).plot()
    assert {name: bar.get_width() for name, bar in display.bars_.items()} == {"naive": 1.0, "linear": 0.5, "lstm": 0.25}
    assert display.labels_["lstm"].get_text() == "0.25×"


def every_forecaster_drawn(theme):
    """The three forecasting figures drawn with every registered forecaster, in ``theme``."""
    from rnnviz.figures.forecast import ForecastDisplay, ForecastErrorsDisplay, LearningCurvesDisplay

    names = [*BASELINES, *MODELS]
    truth = np.zeros(2)
    with style.context("notebook", theme=theme):
        forecast = ForecastDisplay(history_time=[0, 1], history=[0.0, 0.0], forecast_time=[2, 3], truth=truth,
                                   forecasts={name: truth + k for k, name in enumerate(names)}).plot()
        errors = ForecastErrorsDisplay(mae={name: 1.0 + k for k, name in enumerate(names)}).plot()
        curves = LearningCurvesDisplay(history={name: {"loss": [1.0, 0.5], "val_loss": [1.0, 0.6]} for name in MODELS}).plot()
    return forecast, errors, curves


def luminance_contrast(first, second):
    """WCAG contrast of two colours' relative luminances: how far apart they stay in greyscale."""
    from matplotlib.colors import to_rgb

    def luminance(colour):
        rgb = np.asarray(to_rgb(colour))
        linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return linear @ [0.2126, 0.7152, 0.0722]

    low, high = sorted([luminance(first), luminance(second)])
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_model_has_its_own_colour_and_marker_in_every_figure(theme):
    from matplotlib.colors import to_hex

    forecast, errors, curves = every_forecaster_drawn(theme)
    lines = {name: forecast.lines_[name] for name in [*BASELINES, *MODELS]}
    colours = {name: to_hex(line.get_color()) for name, line in lines.items()}
    assert len({colours[name] for name in MODELS} | {neutral("muted", theme)}) == len(MODELS) + 1
    assert len({line.get_marker() for line in lines.values()}) == len(lines)
    for name, line in lines.items():  # the same colour and marker in the errors and the learning curves
        assert to_hex(errors.bars_[name].get_edgecolor()) == colours[name]
        assert errors.markers_[name].get_marker() == line.get_marker()
        if name in MODELS:
            assert to_hex(curves.lines_[name, "val_loss"].get_color()) == colours[name]
            assert curves.best_[name].get_marker() == line.get_marker()
    same_kind = {(a, b) for a in MODELS for b in MODELS if a < b and MODELS[a].kind and MODELS[a].kind == MODELS[b].kind}
    assert same_kind == {("deep_rnn", "simple_rnn"), ("gru", "seq2seq")}
    for first, second in same_kind:  # told apart by line style and by lightness (greyscale) too
        assert lines[first].get_linestyle() != lines[second].get_linestyle()
        assert luminance_contrast(colours[first], colours[second]) >= 1.5, (first, second)



def test_recurrent_forecasters_wear_their_cell_kind_colour():
    """Issue 18: one colour, one meaning; a recurrent forecaster is its kind's colour (a second one its shade)."""
    from rnnviz.palette import OTHER_COLOURS, PALETTE

    for name, spec in MODELS.items():
        expected = PALETTE[spec.kind] if spec.kind else OTHER_COLOURS[name]
        assert STYLES[name].colour == expected, name
    assert {STYLES[name].colour for name in BASELINES} == {None}  # muted grey


# ---------------------------------------------------------------- the lecture's claim, on a small real run


@pytest.mark.slow
def test_linear_and_an_rnn_beat_naive_on_the_default_data():
    """On the default synthetic series (trend, seasonality, noise), a few epochs are enough."""
    from rnnviz.data import synthetic_series
    from rnnviz.data.windows import make_windows

    series = synthetic_series()
    windows = make_windows(series, input_steps=40, horizon=5)
    results = train_models(windows, ["linear", "simple_rnn", "gru"], epochs=6, period=series.period)
    mae = results.mae("validation")
    assert mae["linear"] < 0.8 * mae["naive"]
    assert min(mae["simple_rnn"], mae["gru"]) < 0.8 * mae["naive"]


# ---------------------------------------------------------------- how the diagrams draw the forecasters (issue 18)


@pytest.mark.parametrize("sequence", [False, True])
def test_the_today_layers_say_how_they_are_drawn_and_the_architecture_keeps_it(sequence):
    from rnnviz.diagrams import describe_model
    from rnnviz.forecasting.models import recurrent

    stages = {stage.class_name: stage for stage in describe_model(recurrent("gru", 12, 3, units=2, sequence=sequence))}
    change, add = stages["ChangeFrom"].extra, stages["AddBack"].extra
    assert "time" not in change and "time" not in add  # they keep time step by step
    assert change["drawn_as"] == ({"name": "x − first day", "reference": "first", "reference_name": "first day"}
                                  if sequence else {"name": "x − today", "reference": "last", "reference_name": "today"})
    assert add["drawn_as"]["name"] == "+ today" and add["drawn_as"]["outputs"] == "steps ahead"
    plain = describe_model(recurrent("gru", 12, 3, units=2, relative=False))
    assert not [stage for stage in plain if "drawn_as" in stage.extra]


def test_forecasters_rnnviz_does_not_know_are_drawn_in_ink_never_in_a_palette_colour():
    from rnnviz import style
    from rnnviz.figures.forecast import forecaster_style
    from rnnviz.palette import OTHER_COLOURS, PALETTE, VALUE_COLOURS

    meaningful = {colour.lower() for colours in (PALETTE, OTHER_COLOURS, VALUE_COLOURS) for colour in colours.values()}
    for theme in ("light", "dark"):
        with style.context(theme=theme):
            styles = [forecaster_style(f"mine {k}", k) for k in range(6)]
            baseline = style.neutral("muted")
        assert not {s["color"].lower() for s in styles} & (meaningful | {baseline.lower()})
        assert len({(s["linestyle"], s["marker"]) for s in styles}) == 6  # each told apart by line and marker

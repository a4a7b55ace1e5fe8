"""The lesson ``strategies``: three ways to forecast several steps ahead; its windows, its recursion, the figure and
the explorer drawing its shipped numbers (the claims themselves are checked for every lesson in test_lessons.py)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.lessons import strategies


@pytest.fixture(scope="module")
def results():
    return lessons.results("strategies")


def test_the_windows_are_the_forecasting_lessons_series_cut_three_ways():
    """Held-out windows of the test part, normalised with the training part; each strategy's own targets."""
    from rnnviz.data import synthetic_series

    made = strategies.make_data(1)
    series = synthetic_series(seed=1).values
    mean, std = float(made["held_out_mean"]), float(made["held_out_std"])
    starts = made["held_out_starts"]
    window = starts[:, None] + np.arange(strategies.INPUT_STEPS)
    after = starts[:, None] + strategies.INPUT_STEPS + np.arange(strategies.HORIZON)
    np.testing.assert_allclose(made["held_out_x"][..., 0] * std + mean, series[window], atol=1e-4)
    np.testing.assert_allclose(made["held_out_y"] * std + mean, series[after], atol=1e-4)
    assert starts[0] >= round(0.85 * len(series))  # the test part: neither training nor early stopping saw it
    assert np.isclose(mean, series[: round(0.7 * len(series))].mean())
    assert made["y_recursive"].shape[1:] == (1,)  # one step ahead
    assert made["y_seq2vec"].shape[1:] == (strategies.HORIZON,)
    assert made["y_seq2seq"].shape[1:] == (strategies.INPUT_STEPS, strategies.HORIZON)  # the next H at every step
    np.testing.assert_allclose(made["y_seq2seq"][:, -1], made["y_seq2vec"], atol=1e-6)
    np.testing.assert_allclose(made["y_seq2seq"][:, 0, :-1], made["x_seq2vec"][:, 1:strategies.HORIZON, 0], atol=1e-6)


def test_the_recursive_forecast_feeds_its_own_forecasts_back(results):
    models = {name: lessons.model("strategies", name) for name in strategies.STRATEGIES}
    inputs, _ = lessons.data("strategies")
    x = inputs[-3:]
    forecast = strategies.forecast(models, x)["recursive"]
    window = x.copy()
    for k in range(strategies.HORIZON):  # by hand: one step, appended, the oldest dropped
        step = np.asarray(models["recursive"](window, training=False))[:, 0]
        np.testing.assert_allclose(forecast[:, k], step, rtol=1e-5, atol=1e-6)
        window = np.concatenate([window[:, 1:], step[:, None, None]], axis=1).astype("float32")
    assert models["recursive"].output_shape == (None, 1)
    assert models["seq2seq"].output_shape == (None, strategies.INPUT_STEPS, strategies.HORIZON)
    for model in models.values():  # the same cell for every strategy
        cells = [layer for layer in model.layers if layer.__class__.__name__ == "GRU"]
        assert len(cells) == 1 and cells[0].units == strategies.UNITS


def test_the_shipped_errors_are_those_of_the_shipped_forecasts(results):
    truth = results["truth"]
    for name in (*strategies.STRATEGIES, "naive"):
        np.testing.assert_allclose(results[f"mae_{name}"], np.abs(results[f"forecast_{name}"] - truth).mean(axis=0))
    np.testing.assert_allclose(results["forecast_naive"], np.repeat(results["inputs"][:, -1:], strategies.HORIZON, 1))
    assert results["inputs"].shape == (len(truth), strategies.INPUT_STEPS)


def test_the_figure_draws_the_shipped_numbers(results):
    from rnnviz.figures.strategies import StrategiesDisplay

    display = StrategiesDisplay.from_lesson().plot()
    try:
        shown = strategies.typical_window(results)
        assert display.view.window == shown and f"window {shown + 1} of {len(results['truth'])} (the most typical)" \
            in style.shown_title(display.figure_).replace("\n", " ")
        truth = results["truth"][shown]
        for name in strategies.STRATEGIES:
            forecast = results[f"forecast_{name}"][shown]
            np.testing.assert_allclose(display.lines_[name].get_ydata(), [results["inputs"][shown, -1], *forecast])
            title = style.shown_title(display.axes_[name]).replace("\n", " ")
            assert title.startswith(strategies.TITLES[name]) and strategies.HOW[name] in title
            assert f"MAE {np.abs(forecast - truth).mean():.2f} on this window" in title
        legend = [text.get_text() for text in display.legend_.get_texts()]
        for name in (*strategies.STRATEGIES, "naive"):
            errors = results[f"mae_{name}"]
            np.testing.assert_allclose(display.error_lines_[name].get_ydata(), errors)
            assert f"{strategies.TITLES[name]}\n{errors[0]:.2f} → {errors[-1]:.2f}" in legend
        colours = {display.lines_[name].get_color() for name in strategies.STRATEGIES}
        styles = {str(display.lines_[name].get_linestyle()) for name in strategies.STRATEGIES}
        markers = {display.lines_[name].get_marker() for name in strategies.STRATEGIES}
        assert len(styles) == len(markers) == 3 and len(colours) == 3  # told apart without colour too
    finally:
        plt.close(display.figure_)


def test_the_figure_is_legible_on_every_slide():
    from rnnviz.figures.strategies import StrategiesDisplay
    from rnnviz.mpl.legibility import legibility_problems

    for size, theme in (("16:9", "light"), ("4:3", "dark")):
        with style.context("slides", size=size, theme=theme):
            display = StrategiesDisplay.from_lesson().plot()
            try:
                assert legibility_problems(display.figure_, slide=size) == [], size
            finally:
                plt.close(display.figure_)


def test_the_same_results_give_the_same_png(tmp_path):
    from rnnviz.export import save_figure
    from rnnviz.figures.strategies import StrategiesDisplay

    written = []
    for name in ("first", "second"):
        display = StrategiesDisplay.from_lesson(window=3).plot()
        written.append(save_figure(display.figure_, tmp_path / f"{name}.png", dpi=60)[0].read_bytes())
        plt.close(display.figure_)
    assert written[0] == written[1]


def test_a_view_names_its_bad_arguments(results):
    from rnnviz.views.strategies import strategies_view

    count = len(results["starts"])
    with pytest.raises(InputError, match=rf"window: {count} held-out windows; expected an integer from -{count} "
                                         rf"to {count - 1}, got {count}"):
        strategies_view(results, window=count)
    with pytest.raises(InputError, match="step: the horizon is 10 steps; expected an integer from 1 to 10, got 0"):
        strategies_view(results, step=0)
    with pytest.raises(InputError, match=r"strategies: expected names with forecasts in the results .*got \['bad'\]"):
        strategies_view(results, strategies=["bad"])
    view = strategies_view(results, window=-1, step=4)
    assert view.window == count - 1 and view.step == 4 and view.strategies == strategies.STRATEGIES


def test_the_explorer_updates_in_place(results):
    from rnnviz.widgets.strategies import StrategiesExplorer

    explorer = StrategiesExplorer()
    shown = strategies.typical_window(results)
    assert explorer.window.value == shown and explorer.step.value == strategies.HORIZON
    forecast, errors = explorer.artists["forecast"], explorer.artists["errors"]
    first, draws = explorer.png(), explorer.view.redraws
    explorer.step.value = 3
    value = results["forecast_recursive"][shown, 2]
    np.testing.assert_allclose(forecast["step_marker"].get_ydata(), [value])
    assert f"forecast {value:.2f}" in forecast["step_text"].get_text()
    assert errors["cursor"].get_xdata()[0] == 3 and explorer.png() != first
    assert explorer.view.redraws == draws + 1 and explorer.artists["forecast"] is forecast  # the same artists
    explorer.strategy.value = "seq2seq"
    np.testing.assert_allclose(forecast["forecast"].get_ydata()[1:], results["forecast_seq2seq"][shown])
    assert errors["lines"]["seq2seq"].get_linewidth() > errors["lines"]["recursive"].get_linewidth()
    assert style.shown_title(forecast["forecast"].axes).startswith("Sequence-to-sequence")
    explorer.window.value = 0
    np.testing.assert_allclose(forecast["forecast"].get_ydata()[1:], results["forecast_seq2seq"][0])
    np.testing.assert_allclose(forecast["observed"].get_ydata(), results["inputs"][0])
    np.testing.assert_allclose(forecast["truth"].get_ydata(), [results["inputs"][0, -1], *results["truth"][0]])
    assert forecast["today"].get_xdata()[0] == results["starts"][0] + strategies.INPUT_STEPS - 1
    assert explorer.error is None


def test_the_explorer_names_bad_arguments():
    from rnnviz.widgets.strategies import StrategiesExplorer

    with pytest.raises(InputError, match="strategy: expected one of recursive, seq2vec, seq2seq, got 'direct'"):
        StrategiesExplorer("direct")
    with pytest.raises(InputError, match="step: the horizon is 10 steps; expected an integer from 1 to 10, got 11"):
        StrategiesExplorer(step=11)
    with pytest.raises(InputError, match="window: .* held-out windows; expected an integer from 0 to"):
        StrategiesExplorer(window=-1)


def test_the_figure_and_the_explorer_need_no_tensorflow():
    from tests.test_without_tensorflow import run_blocked

    out = run_blocked("""
        import matplotlib.pyplot as plt

        from rnnviz.figures.strategies import StrategiesDisplay
        from rnnviz.widgets.strategies import StrategiesExplorer

        StrategiesDisplay.from_lesson().plot()
        explorer = StrategiesExplorer("seq2vec", step=2)
        explorer.window.value = 5
        check_never_imported("the strategies figure and explorer")
        print("drawn")
    """)
    assert "drawn" in out

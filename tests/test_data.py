"""Time series data: synthetic components, real statsmodels series, their decomposition and figure."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import style
from rnnviz.data import RealSeries, SeriesComponents, co2_weekly, decompose, elnino_monthly, sunspots, synthetic_series
from rnnviz.figures.series import SeriesComponentsDisplay


@pytest.fixture(scope="module")
def co2():
    return co2_weekly()


# ---------------------------------------------------------------- synthetic


@pytest.mark.parametrize("options", [{}, {"seasonality": "smooth"}, {"ar": 0.7, "start": "2020-01-01"}])
def test_components_add_up_exactly(options):
    c = synthetic_series(**options)
    assert np.array_equal(c.values, c.level + c.trend + c.seasonal + c.noise)
    assert len(c.values) == len(c.time) == 1461 and c.level == 10.0 and c.period == 30
    np.testing.assert_allclose(c.trend, 0.01 * np.arange(1461))


def test_defaults_are_the_documented_lecture_series():
    c = synthetic_series()
    np.testing.assert_array_equal(c.time, np.arange(1461))
    assert c.frequency == "daily" and c.time_unit == "day"
    assert np.abs(c.seasonal).max() == pytest.approx(2.0)
    assert np.std(c.noise) == pytest.approx(0.5, rel=0.1)
    dated = synthetic_series(start="2020-01-01")
    assert dated.time[0] == np.datetime64("2020-01-01") and dated.time[-1] == np.datetime64("2023-12-31")


def test_same_seed_same_series_different_seed_different_series():
    np.testing.assert_array_equal(synthetic_series(seed=3).values, synthetic_series(seed=3).values)
    assert not np.allclose(synthetic_series(seed=3).values, synthetic_series(seed=4).values)
    assert not np.allclose(synthetic_series(seed=3).seasonal, synthetic_series(seed=4).seasonal)
    # independent streams: the seasonality flavour does not change the noise
    np.testing.assert_array_equal(synthetic_series(seasonality="smooth").noise, synthetic_series().noise)


@pytest.mark.parametrize("seasonality", ["indices", "smooth"])
@pytest.mark.parametrize("period", [7, 30, 52])
def test_seasonality_sums_to_zero_over_a_period_and_repeats(seasonality, period):
    c = synthetic_series(10 * period + 3, period=period, seasonality=seasonality, amplitude=1.5)
    one = c.seasonal[:period]
    assert one.sum() == pytest.approx(0, abs=1e-12)
    assert np.abs(one).max() == pytest.approx(1.5)
    np.testing.assert_array_equal(c.seasonal, np.resize(one, len(c.seasonal)))
    assert len(np.unique(np.round(one, 12))) > period // 2  # a real pattern, not a constant


def test_ar1_noise_has_the_given_lag_one_autocorrelation_and_size():
    for ar in (0.7, -0.4):
        noise = synthetic_series(100_000, period=7, ar=ar, noise=2.0, seed=1).noise
        assert np.corrcoef(noise[1:], noise[:-1])[0, 1] == pytest.approx(ar, abs=0.02)
        assert noise.std() == pytest.approx(2.0, rel=0.05)
    white = synthetic_series(100_000, period=7, seed=1).noise
    assert abs(np.corrcoef(white[1:], white[:-1])[0, 1]) < 0.02


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"length": 10}, r"length: expected at least two periods \(60 steps for period=30\), got 10"),
        ({"length": 2.5}, "length: expected an integer >= 2, got 2.5"),
        ({"period": 1}, "period: expected an integer >= 2, got 1"),
        ({"seasonality": "weekly"}, r"seasonality: expected one of \['indices', 'smooth'\], got 'weekly'"),
        ({"amplitude": -1}, "amplitude: expected a finite number >= 0, got -1"),
        ({"noise": float("nan")}, "noise: expected a finite number >= 0, got nan"),
        ({"level": "10"}, "level: expected a finite number, got '10'"),
        ({"ar": 1.0}, r"ar: expected None or an AR\(1\) coefficient in \(-1, 1\), got 1.0"),
        ({"ar": "0.5"}, r"ar: expected None or an AR\(1\) coefficient in \(-1, 1\), got '0.5'"),
        ({"seed": -1}, "seed: expected a non-negative integer or None, got -1"),
        ({"start": "tomorrow"}, "start: expected None or a date like '2020-01-01', got 'tomorrow'"),
    ],
)
def test_argument_errors_name_argument_value_and_expectation(options, message):
    with pytest.raises(ValueError, match=message):
        synthetic_series(**options)


def test_components_that_do_not_add_up_are_refused():
    c = synthetic_series(100, period=7)
    with pytest.raises(ValueError, match="values: expected level \\+ trend \\+ seasonal \\+ noise, off by up to 1"):
        SeriesComponents(time=c.time, values=c.values + 1, level=c.level, trend=c.trend, seasonal=c.seasonal,
                         noise=c.noise, period=7)
    with pytest.raises(ValueError, match=r"noise: expected shape \(100,\) like values, got \(99,\)"):
        SeriesComponents(time=c.time, values=c.values, level=c.level, trend=c.trend, seasonal=c.seasonal,
                         noise=c.noise[1:], period=7)


# ---------------------------------------------------------------- real series


def test_co2_gaps_are_filled_by_time_interpolation_and_counted(co2):
    raw = pytest.importorskip("statsmodels.datasets.co2").load_pandas().data["co2"]
    assert isinstance(co2, RealSeries) and co2.period == 52 and co2.frequency == "weekly" and co2.units == "ppm"
    assert not np.isnan(co2.values).any()
    assert co2.filled > 0 and co2.filled == raw.isna().sum() == co2.missing.sum()
    np.testing.assert_array_equal(co2.missing, raw.isna().to_numpy())
    np.testing.assert_array_equal(co2.values[~co2.missing], raw.dropna().to_numpy())
    np.testing.assert_array_equal(co2.time, raw.index.to_numpy().astype("datetime64[D]"))
    assert f"{co2.filled} missing weeks filled by linear interpolation in time" in co2.description
    gap = np.flatnonzero(co2.missing)[0]  # a single missing week between two known ones: their mean
    assert not co2.missing[gap - 1] and not co2.missing[gap + 1]
    assert co2.values[gap] == pytest.approx((co2.values[gap - 1] + co2.values[gap + 1]) / 2)


def test_more_real_series():
    spots, sea = sunspots(), elnino_monthly()
    assert spots.time[0] == 1700 and spots.time[-1] == 2008 and spots.period == 11 and spots.filled == 0
    assert len(sea.values) == 61 * 12 and sea.period == 12 and np.isfinite(sea.values).all()
    assert sea.time[0] == np.datetime64("1950-01-01") and sea.time[13] == np.datetime64("1951-02-01")


def test_decomposition_is_statsmodels_stl_split_into_level_and_trend(co2):
    from statsmodels.tsa.seasonal import STL

    expected = STL(co2.values, period=52, robust=True).fit()
    c = decompose(co2)
    assert c.level == expected.trend[0]
    np.testing.assert_array_equal(c.level + c.trend, expected.trend)
    np.testing.assert_array_equal(c.seasonal, expected.seasonal)
    np.testing.assert_array_equal(c.noise, expected.resid)
    np.testing.assert_allclose(c.level + c.trend + c.seasonal + c.noise, co2.values, rtol=1e-12)
    assert c.trend[0] == 0 and c.period == 52 and c.units == "ppm" and "STL (robust, period 52)" in c.description


def test_classical_decomposition_and_arrays():
    from statsmodels.tsa.seasonal import seasonal_decompose

    values = synthetic_series(200, period=7, seed=2).values
    expected = seasonal_decompose(values, period=7, extrapolate_trend=7)
    c = decompose(values, period=7, method="classical")
    np.testing.assert_array_equal(c.level + c.trend, expected.trend)
    np.testing.assert_array_equal(c.seasonal, expected.seasonal)
    np.testing.assert_allclose(c.level + c.trend + c.seasonal + c.noise, values, rtol=1e-12)
    np.testing.assert_array_equal(c.time, np.arange(200))


@pytest.mark.parametrize(
    ("series", "options", "message"),
    [
        (np.ones(50), {}, r"period: the seasonal period in steps; expected an integer >= 2, got None"),
        (np.ones(10), {"period": 7}, r"series: expected at least two periods \(14 values\), got 10"),
        (np.ones((5, 5)), {"period": 2}, r"series: expected a RealSeries, SeriesComponents or 1-D array, got shape"),
        (np.ones(50), {"period": 7, "method": "x11"}, r"method: expected one of \['stl', 'classical'\], got 'x11'"),
        (np.r_[np.ones(20), np.nan], {"period": 7}, "series: expected finite values"),
    ],
)
def test_decompose_errors(series, options, message):
    with pytest.raises(ValueError, match=message):
        decompose(series, **options)


# ---------------------------------------------------------------- figure


@pytest.mark.parametrize("seasonality", ["indices", "smooth"])
def test_display_draws_the_components_own_arrays(seasonality):
    c = synthetic_series(seasonality=seasonality, ar=0.5)
    display = SeriesComponentsDisplay.from_components(c).plot(zoom=2)
    expected = {"series": c.values, "trend": c.level + c.trend, "seasonal": c.seasonal, "noise": c.noise}
    for name, values in expected.items():
        x, y = display.lines_[name].get_data()
        np.testing.assert_array_equal(x, c.time)
        np.testing.assert_array_equal(y, values)
        np.testing.assert_array_equal(display.zoom_lines_[name].get_ydata(), values[:60])  # 2 periods of 30
    np.testing.assert_array_equal(display.lines_["level"].get_ydata(), np.full(len(c.values), c.level))
    assert set(display.axes_) == set(display.zoom_axes_) == {"series", "trend", "seasonal", "noise"}
    assert display.axes_["seasonal"].get_title(loc="left").startswith("Seasonality: a repetitive short-term pattern")
    assert display.axes_["noise"].get_shared_x_axes().joined(display.axes_["noise"], display.axes_["series"])
    assert display.figure_ is display.axes_["series"].figure


def test_display_from_series_decomposes_with_statsmodels(co2):
    display = SeriesComponentsDisplay.from_series(co2)
    expected = decompose(co2)
    np.testing.assert_array_equal(display.components.seasonal, expected.seasonal)
    display.plot(zoom=None)
    assert display.zoom_axes_ == {} and display.zoom_lines_ == {}
    np.testing.assert_array_equal(display.lines_["trend"].get_ydata(), expected.level + expected.trend)
    assert display.axes_["series"].get_title(loc="left").startswith("Series (ppm) =")


def test_display_uses_theme_neutrals():
    with style.context(theme="dark"):
        display = SeriesComponentsDisplay.from_components(synthetic_series(100, period=7)).plot()
        assert matplotlib.colors.same_color(display.lines_["series"].get_color(), style.neutral("text"))
        assert matplotlib.colors.same_color(display.lines_["noise"].get_color(), style.neutral("muted"))


def test_display_axes_are_checked_and_the_current_figure_left_alone():
    display = SeriesComponentsDisplay.from_components(synthetic_series(100, period=7))
    figure, axes = plt.subplots(4, 1)
    with pytest.raises(ValueError, match=r"ax: expected 8 axes \(series, trend, seasonal, noise, then the same four"):
        display.plot(ax=axes)
    display.plot(ax=axes, zoom=None)
    assert display.figure_ is figure and list(display.axes_.values()) == list(axes)
    grid_figure, grid = plt.subplots(4, 2)
    display.plot(ax=grid)
    assert list(display.axes_.values()) == list(grid[:, 0]) and list(display.zoom_axes_.values()) == list(grid[:, 1])
    assert plt.gcf() is grid_figure
    display.plot()
    assert display.figure_ not in (figure, grid_figure) and len(grid_figure.axes) == 8
    with pytest.raises(ValueError, match="zoom: None, or a number of periods; expected an integer >= 1, got 0"):
        display.plot(zoom=0)
    with pytest.raises(TypeError, match="components: expected a SeriesComponents, got ndarray"):
        SeriesComponentsDisplay.from_components(np.ones(5))

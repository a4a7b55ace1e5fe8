"""Real series shipped with statsmodels (no download), and their decomposition by statsmodels.

Needs the ``data`` extra (``pip install rnnviz[data]``): statsmodels, imported on first use.
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np

from rnnviz.data.synthetic import SeriesComponents
from rnnviz.errors import check_int

METHODS = ("stl", "classical")


@dataclasses.dataclass(frozen=True, eq=False)
class RealSeries:
    """A real series: values over time, with where the raw data had gaps.

    time : (n,) numpy datetime64[D], or integer years
    values : (n,) float, no NaN (gaps filled, see ``missing``)
    name, units, frequency ("weekly", "monthly", "yearly"), description : str
    period : int, the seasonal period in steps (52 for weekly CO2)
    filled : int, how many values were missing and filled; missing : (n,) bool, where
    """

    time: np.ndarray
    values: np.ndarray
    name: str
    units: str
    frequency: str
    period: int
    description: str
    filled: int = 0
    missing: np.ndarray | None = None

    def __post_init__(self):
        object.__setattr__(self, "values", np.asarray(self.values, dtype=float))
        missing = np.zeros(len(self.values), bool) if self.missing is None else np.asarray(self.missing, bool)
        object.__setattr__(self, "missing", missing)


def co2_weekly() -> RealSeries:
    """Mauna Loa atmospheric CO2, weekly averages 1958-2001 (statsmodels.datasets.co2); gaps time-interpolated."""
    raw = _dataset("co2").load_pandas().data["co2"]
    missing = raw.isna().to_numpy()
    values = raw.interpolate(method="time").to_numpy(float)
    filled = int(missing.sum())
    description = (
        f"Mauna Loa CO2, weekly averages, {raw.index[0]:%Y-%m} to {raw.index[-1]:%Y-%m} (Keeling & Whorf, "
        f"via statsmodels); {filled} missing weeks filled by linear interpolation in time"
    )
    return RealSeries(
        time=raw.index.to_numpy().astype("datetime64[D]"), values=values, name="Atmospheric CO2 at Mauna Loa",
        units="ppm", frequency="weekly", period=52, description=description, filled=filled, missing=missing,
    )


def sunspots() -> RealSeries:
    """Yearly sunspot numbers 1700-2008 (statsmodels.datasets.sunspots); period 11, the solar cycle."""
    data = _dataset("sunspots").load_pandas().data
    years = data["YEAR"].to_numpy().astype(int)
    description = (
        f"yearly sunspot numbers {years[0]}-{years[-1]} (NOAA NGDC, via statsmodels); the ~11-year solar "
        "cycle varies in length and height: a cycle more than a fixed season"
    )
    return RealSeries(
        time=years, values=data["SUNACTIVITY"].to_numpy(float), name="Sunspots", units="sunspot number",
        frequency="yearly", period=11, description=description,
    )


def elnino_monthly() -> RealSeries:
    """Monthly sea surface temperature off Peru, 1950-2010 (statsmodels.datasets.elnino); period 12."""
    data = _dataset("elnino").load_pandas().data
    years = data["YEAR"].to_numpy().astype(int)
    values = data.drop(columns="YEAR").to_numpy(float).ravel()  # one row per year, one column per month
    months = np.datetime64(f"{years[0]}-01", "M") + np.arange(len(values))
    description = (
        f"monthly mean sea surface temperature, 0-10°S 90-80°W, {years[0]}-{years[-1]} (NOAA, via statsmodels); "
        "El Niño years stand out as irregular warm bumps on the yearly season"
    )
    return RealSeries(
        time=months.astype("datetime64[D]"), values=values, name="Pacific sea surface temperature (El Niño region)",
        units="°C", frequency="monthly", period=12, description=description,
    )


def decompose(series, *, period=None, method="stl", **options) -> SeriesComponents:
    """Split a series into level, trend, seasonality and noise with statsmodels.

    series: a RealSeries, a SeriesComponents (its values are decomposed afresh) or a 1-D array.
    period: seasonal period in steps; default the series' own (required for an array).
    method: "stl" (``statsmodels.tsa.seasonal.STL``, robust) or "classical" (``seasonal_decompose``,
        additive, moving-average trend extrapolated to the ends).
    options: passed on to statsmodels (e.g. ``trend=`` window for STL, longer = smoother).

    The statsmodels trend is split into level = its first value (the starting value before trend and
    seasonality are added) and trend = the rest, starting at 0; noise is statsmodels' residual.
    """
    if method not in METHODS:
        raise ValueError(f"method: expected one of {list(METHODS)}, got {method!r}")
    time, values, name, units, frequency, own_period, about = _series_parts(series)
    period = own_period if period is None else period
    period = check_int("period", period, 2, context="the seasonal period in steps")
    if len(values) < 2 * period:
        raise ValueError(f"series: expected at least two periods ({2 * period} values), got {len(values)}")
    if not np.isfinite(values).all():
        raise ValueError("series: expected finite values; fill missing values first")
    seasonal_module = _statsmodels("tsa.seasonal")
    settings = "".join(f", {key}={value!r}" for key, value in options.items())
    if method == "stl":
        result = seasonal_module.STL(values, **{"period": int(period), "robust": True, **options}).fit()
        how = f"STL (robust, period {period}{settings})"
    else:
        result = seasonal_module.seasonal_decompose(
            values, **{"model": "additive", "period": int(period), "extrapolate_trend": int(period), **options}
        )
        how = f"classical moving-average decomposition (period {period}{settings})"
    trend = np.asarray(result.trend, float)
    level = float(trend[0])
    description = f"{about}{'; ' if about else ''}split by statsmodels' {how}; level = the trend's first value"
    return SeriesComponents(
        time=time, values=values, level=level, trend=trend - level, seasonal=np.asarray(result.seasonal, float),
        noise=np.asarray(result.resid, float), period=int(period), name=name, description=description, units=units,
        frequency=frequency,
    )


def _series_parts(series):
    """(time, values, name, units, frequency, period, description) of a RealSeries, SeriesComponents or array."""
    if isinstance(series, (RealSeries, SeriesComponents)):
        s = series
        return s.time, s.values, s.name, s.units, s.frequency, s.period, s.description
    values = np.asarray(series, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"series: expected a RealSeries, SeriesComponents or 1-D array, got shape {values.shape}")
    return np.arange(len(values)), values, "", "", "", None, ""


def _dataset(name):
    return _statsmodels(f"datasets.{name}")


def _statsmodels(module):
    try:
        return importlib.import_module(f"statsmodels.{module}")
    except ImportError as error:
        message = f"rnnviz.data needs statsmodels for real series: pip install 'rnnviz[data]' ({error})"
        raise ImportError(message) from None

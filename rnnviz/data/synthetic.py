"""A seeded synthetic time series with its known components: level + trend + seasonality + noise."""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np

from rnnviz.errors import check_int, check_number

SEASONALITIES = ("indices", "smooth")

# Time-unit words for integer time axes, by frequency.
TIME_UNITS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}


@dataclasses.dataclass(frozen=True, eq=False)
class SeriesComponents:
    """A series and its additive components: ``values == level + trend + seasonal + noise``.

    time : (n,) integer steps or numpy datetime64
    values, trend, seasonal, noise : (n,) float arrays
    level : float (or (n,) array): the starting value before trend and seasonality are added
    period : int, the seasonal period in time steps
    name, description : str; units : str (of the values); frequency : str ("daily", "weekly", ...)
    """

    time: np.ndarray
    values: np.ndarray
    level: float | np.ndarray
    trend: np.ndarray
    seasonal: np.ndarray
    noise: np.ndarray
    period: int
    name: str = ""
    description: str = ""
    units: str = ""
    frequency: str = ""

    def __post_init__(self):
        for field in ("values", "trend", "seasonal", "noise"):
            object.__setattr__(self, field, np.asarray(getattr(self, field), dtype=float))
        object.__setattr__(self, "time", np.asarray(self.time))
        level = np.asarray(self.level, dtype=float)
        object.__setattr__(self, "level", float(level) if level.ndim == 0 else level)
        n = len(self.values)
        for field in ("time", "trend", "seasonal", "noise"):
            if np.shape(getattr(self, field)) != (n,):
                raise ValueError(f"{field}: expected shape ({n},) like values, got {np.shape(getattr(self, field))}")
        if np.ndim(self.level) not in (0, 1) or np.ndim(self.level) == 1 and np.shape(self.level) != (n,):
            raise ValueError(f"level: expected a scalar or shape ({n},), got shape {np.shape(self.level)}")
        total = self.level + self.trend + self.seasonal + self.noise
        if not np.allclose(total, self.values, rtol=1e-9, atol=1e-9 * (1 + np.nanmax(np.abs(self.values), initial=0))):
            worst = float(np.nanmax(np.abs(total - self.values), initial=0))
            raise ValueError(f"values: expected level + trend + seasonal + noise, off by up to {worst:.3g}")

    @property
    def time_unit(self) -> str:
        """What one step of an integer time axis is ("day", "week", ...), or "time step"."""
        return TIME_UNITS.get(self.frequency, "time step")


def synthetic_series(length=1461, *, level=10.0, slope=0.01, period=30, seasonality="indices", amplitude=2.0,
                     noise=0.5, ar=None, seed=0, start=None) -> SeriesComponents:
    """A seeded daily series ``level + slope * t + seasonal + noise``, returned with its components.

    length: number of steps (default 4 years of days, 1461); at least two periods.
    level: the starting value before trend and seasonality are added.
    slope: trend per step (the trend is ``slope * t``, zero at t = 0).
    period: seasonal period in steps (default 30).
    seasonality: "indices" (one seeded value per position in the period, repeated: a jagged pattern)
        or "smooth" (a sum of two sines); both sum to zero over a period and peak at ``amplitude``
        (see :func:`seasonal_pattern`).
    amplitude: the largest seasonal effect, ``max |seasonal|``.
    noise: standard deviation of the noise (for AR(1) noise too: the innovations are scaled down).
    ar: None for white noise, or an AR(1) coefficient in (-1, 1): the noise's lag-1 autocorrelation.
    seed: seeds the seasonal indices and the noise (independent streams: the same seed gives the
        same noise for both seasonalities).
    start: None for integer time steps 0..length-1, or a date ("2020-01-01") for daily datetime64 times.
    """
    length = check_int("length", length, 2)
    period = check_int("period", period, 2)
    if length < 2 * period:
        expected = f"at least two periods ({2 * period} steps for period={period})"
        raise ValueError(f"length: expected {expected}, got {length}")
    level, slope = check_number("level", level), check_number("slope", slope)
    amplitude, noise = check_number("amplitude", amplitude, 0), check_number("noise", noise, 0)
    if seasonality not in SEASONALITIES:
        raise ValueError(f"seasonality: expected one of {list(SEASONALITIES)}, got {seasonality!r}")
    if ar is not None and not (_real_or_none(ar) is not None and -1 < ar < 1):
        raise ValueError(f"ar: expected None or an AR(1) coefficient in (-1, 1), got {ar!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"seed: expected a non-negative integer or None, got {seed!r}")

    seasonal_rng, noise_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    steps = np.arange(length)
    one_period = seasonal_pattern(period, seasonality, amplitude, rng=seasonal_rng)
    seasonal = one_period[steps % period]
    trend = slope * steps.astype(float)
    noise_values = ar1_noise(length, noise, ar, rng=noise_rng)
    values = level + trend + seasonal + noise_values

    time = steps if start is None else _daily_dates(start, length)
    kind = "seasonal indices" if seasonality == "indices" else "smooth seasonality (two sines)"
    noise_text = f"white noise (sd {noise:g})" if ar is None else f"AR(1) noise (phi {ar:g}, sd {noise:g})"
    description = (
        f"synthetic daily series, {length} steps: level {level:g}, trend {slope:g} per step, "
        f"{kind} with period {period} and amplitude {amplitude:g}, {noise_text}, seed {seed}"
    )
    return SeriesComponents(
        time=time, values=values, level=level, trend=trend, seasonal=seasonal, noise=noise_values, period=period,
        name=f"Synthetic series ({'seasonal indices' if seasonality == 'indices' else 'smooth seasonality'})",
        description=description, units="", frequency="daily",
    )


def seasonal_pattern(period: int, seasonality: str, amplitude: float, *, rng=None) -> np.ndarray:
    """One period of seasonality: ``period`` values that sum to zero, with ``max |value| == amplitude``.

    seasonality: "indices" (a closed random walk drawn from ``rng``: jagged, yet a shape one can
        recognise) or "smooth" (sin + 0.5 sin of the second harmonic, shifted; no randomness).
    """
    if seasonality == "indices":
        steps = np.random.default_rng(rng).normal(size=period)
        pattern = np.cumsum(steps - steps.mean())  # steps sum to zero: the walk closes after one period
    elif seasonality == "smooth":
        angle = 2 * np.pi * np.arange(period) / period
        pattern = np.sin(angle) + 0.5 * np.sin(2 * angle + np.pi / 4)
    else:
        raise ValueError(f"seasonality: expected one of {list(SEASONALITIES)}, got {seasonality!r}")
    pattern = pattern - pattern.mean()
    peak = np.abs(pattern).max()
    return pattern * (amplitude / peak) if peak > 0 else np.zeros(period)


def ar1_noise(length: int, sd: float, ar=None, *, rng=None) -> np.ndarray:
    """Gaussian noise of standard deviation ``sd``; with ``ar``, stationary AR(1) noise of lag-1 correlation ``ar``."""
    rng = np.random.default_rng(rng)
    draws = rng.normal(size=length)
    if not ar:
        return sd * draws
    innovations = sd * np.sqrt(1 - ar**2) * draws
    noise = np.empty(length)
    noise[0] = sd * draws[0]  # start from the stationary distribution
    for t in range(1, length):
        noise[t] = ar * noise[t - 1] + innovations[t]
    return noise


def _daily_dates(start, length):
    try:
        first = np.datetime64(start, "D")
    except (ValueError, TypeError):
        raise ValueError(f"start: expected None or a date like '2020-01-01', got {start!r}") from None
    return first + np.arange(length)



def _real_or_none(value):
    """``value`` as a float if it is a finite real number (not a bool), else None."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and np.isfinite(value)
    return float(value) if ok else None

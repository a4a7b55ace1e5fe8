"""Forecasts without learning: the naive and seasonal-naive baselines, from windows' inputs."""

from __future__ import annotations

import numpy as np

from rnnviz.errors import check_int


def naive(inputs, horizon: int) -> np.ndarray:
    """The last input value of each window, repeated ``horizon`` times: "tomorrow is like today".

    inputs: ``(windows, input_steps)`` or ``(windows, input_steps, 1)``. Returns ``(windows, horizon)``.
    """
    values = _window_values(inputs)
    return np.repeat(values[:, -1:], check_int("horizon", horizon, 1), axis=1)


def seasonal_naive(inputs, horizon: int, period: int) -> np.ndarray:
    """For each target step, the value one period earlier: "this season is like the last one".

    Target step ``k`` (0-based, after the window's ``input_steps`` values) takes the input
    ``period`` steps before it; beyond one period ahead, the last observed season repeats.
    ``period`` counts window steps and needs ``input_steps >= period``.
    Returns ``(windows, horizon)``.
    """
    values = _window_values(inputs)
    horizon, period = check_int("horizon", horizon, 1), check_int("period", period, 1)
    input_steps = values.shape[1]
    if input_steps < period:
        raise ValueError(
            f"period: seasonal naive needs one whole period of inputs, but the windows have "
            f"input_steps={input_steps} < period={period}; expected windows of at least {period} input steps"
        )
    ahead = np.arange(horizon)
    return values[:, input_steps - period + ahead % period]


def _window_values(inputs) -> np.ndarray:
    values = np.asarray(inputs, dtype=float)
    if values.ndim == 3 and values.shape[-1] == 1:
        values = values[..., 0]
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"inputs: expected (windows, input_steps) or (windows, input_steps, 1), got shape {np.shape(inputs)}")
    return values

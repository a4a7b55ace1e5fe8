"""What the multi-step strategies picture shows: one held-out window, the truth after it, each strategy's forecast
of it, and every strategy's error (and the naive forecast's) at each step ahead over all held-out windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.errors import InputError, check_int


@dataclass(frozen=True)
class StrategiesView:
    """One window forecast several ways, and the error of each way against the step ahead.

    ``history_time``, ``history``: the window's last observed steps (series indices) and values;
    ``forecast_time``, ``truth``: the steps after "today" and the values that came; ``forecasts[name]``: each
    strategy's forecast of them; ``window_mae[name]``: its mean absolute error on this window;
    ``step_mae[name]``: its MAE at each step ahead 1 … horizon over every held-out window (the naive forecast's
    too, under ``"naive"``); ``titles`` and ``how``: each strategy's name and how it forecasts, in a line;
    ``window``, ``windows``: which held-out window this is (0-based) of how many; ``step``: a step ahead
    (1 … horizon) the picture marks, or None; ``observed_steps``: the window's length (of which
    ``history`` shows the last ones).
    """

    strategies: tuple
    titles: dict
    how: dict
    history_time: np.ndarray
    history: np.ndarray
    forecast_time: np.ndarray
    truth: np.ndarray
    forecasts: dict
    window_mae: dict
    step_mae: dict
    window: int
    windows: int
    observed_steps: int
    step: int | None = None

    @property
    def horizon(self) -> int:
        return len(self.truth)

    @property
    def steps_ahead(self) -> np.ndarray:
        """1 … horizon."""
        return np.arange(1, self.horizon + 1)

    @property
    def today(self):
        """The last observed step: where the forecasts start."""
        return self.history_time[-1]


def strategies_view(results: dict, *, window: int = -1, step: int | None = None, shown_steps: int | None = None,
                    strategies=None, titles=None, how=None) -> StrategiesView:
    """A :class:`StrategiesView` of held-out window ``window`` (time order; -1: the last) of ``results`` (as the
    lesson ``strategies`` measures them: ``starts``, ``inputs`` ``(windows, observed steps)``, ``truth`` and
    ``forecast_<name>`` ``(windows, horizon)``, ``mae_<name>`` ``(horizon,)``, with ``"naive"`` among the names).

    step: a step ahead to mark (1 … horizon), or None. shown_steps: how many of the window's last observed steps to
    show (default all). strategies: the names to show (default: every ``forecast_<name>`` but the naive one, in
    the results' order); titles, how: name -> text (default the names, and nothing).
    """
    inputs, truth = np.asarray(results["inputs"], float), np.asarray(results["truth"], float)
    starts = np.asarray(results["starts"])
    count, observed = inputs.shape
    horizon = truth.shape[1]
    if strategies is None:
        strategies = [key.removeprefix("forecast_") for key in results
                      if key.startswith("forecast_") and key != "forecast_naive"]
    strategies = tuple(strategies)
    missing = [name for name in (*strategies, "naive") if f"forecast_{name}" not in results]
    if missing or not strategies:
        found = [key.removeprefix("forecast_") for key in results if key.startswith("forecast_")]
        raise InputError(f"strategies: expected names with forecasts in the results ({', '.join(found)}, naive "
                         f"among them), got {list(strategies)}")
    window = check_int("window", window, -count, count - 1, f"{count} held-out windows")
    if step is not None:
        step = check_int("step", step, 1, horizon, f"the horizon is {horizon} steps")
    shown = observed if shown_steps is None else check_int("shown_steps", shown_steps, 1, observed,
                                                              f"the windows have {observed} observed steps")
    start = int(starts[window])
    names = (*strategies, "naive")
    forecasts = {name: np.asarray(results[f"forecast_{name}"], float)[window] for name in names}
    return StrategiesView(
        strategies=strategies,
        titles={name: dict(titles or {}).get(name, name) for name in names},
        how={name: dict(how or {}).get(name, "") for name in strategies},
        history_time=start + np.arange(observed - shown, observed), history=inputs[window, observed - shown:],
        forecast_time=start + observed + np.arange(horizon), truth=truth[window],
        forecasts=forecasts, window_mae={name: float(np.abs(values - truth[window]).mean())
                                         for name, values in forecasts.items()},
        step_mae={name: np.asarray(results[f"mae_{name}"], float) for name in names},
        window=window % count, windows=count, observed_steps=observed, step=step)


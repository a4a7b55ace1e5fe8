"""Forecasting figures: one window's forecasts by every model, learning curves, and errors against naive.

All three draw :class:`rnnviz.forecasting.ForecastResults` (see
:func:`rnnviz.forecasting.train_models`). Each forecaster has its own colour and marker,
the same in all three (:data:`rnnviz.forecasting.models.STYLES`): its line and marker in
the forecasts, its bar and a marker at the bar's end in the errors, its curves and
best-epoch marker in the learning curves. The baselines are the theme's muted grey.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import ticker
from matplotlib.colors import to_hex, to_rgb
from matplotlib.markers import MarkerStyle

from rnnviz.errors import check_int
from rnnviz.mpl.legends import fitting_columns
from rnnviz.mpl.ticks import FittingStepLocator
from rnnviz.style import axes_title, figure_title, neutral, new_or_given_axes, new_or_given_panels

# Forecasters rnnviz does not know: the text's ink, or a little lighter (the baselines' grey is lighter still), each
# with its own line and marker, so no colour with a meaning in the palette (kinds, gates, states, values) stands for them.
_UNKNOWN_STYLES = [(0.0, "-", "o"), (0.25, "--", "s"), (0.0, "-.", "^"), (0.25, ":", "D"), (0.0, "--", "v"),
                   (0.25, "-", "P")]


def forecaster_style(name: str, index: int = 0) -> dict:
    """Line colour, line style and marker of a forecaster (read the theme's grey inside a style context).

    The styles of rnnviz's forecasters are :data:`rnnviz.forecasting.models.STYLES`.
    index: the forecaster's position, which picks a shade of ink, line and marker for names rnnviz does not know.
    """
    from rnnviz.forecasting.models import STYLES

    style = STYLES.get(name)
    if style is None:
        shade, linestyle, marker = _UNKNOWN_STYLES[index % len(_UNKNOWN_STYLES)]
        return {"color": _mixed(neutral("text"), neutral("background"), shade), "linestyle": linestyle,
                "marker": marker}
    if style.colour is None:
        return {"color": neutral("muted"), "linestyle": style.linestyle, "marker": style.marker}
    return {"color": _mixed(style.colour, neutral("text"), style.shade), "linestyle": style.linestyle,
            "marker": style.marker}


def _mixed(colour: str, other: str, amount: float) -> str:
    """``colour`` mixed ``amount`` (0 … 1) of the way to ``other``, as hex."""
    if amount == 0:
        return colour
    return to_hex((1 - amount) * np.asarray(to_rgb(colour)) + amount * np.asarray(to_rgb(other)))


def _lone_marker(style: dict, size: float) -> dict:
    """A forecaster's marker without a line: filled ones in its colour edged in ink, "x" and "+" in its colour."""
    filled = MarkerStyle(style["marker"]).is_filled()
    return {"marker": style["marker"], "markersize": size, "color": style["color"], "linestyle": "none",
            "markeredgecolor": neutral("text") if filled else style["color"], "markeredgewidth": 1 if filled else 2}


def _title(name: str) -> str:
    from rnnviz.forecasting.models import title

    return title(name)


class ForecastDisplay:
    """One window: what was observed, what came, and each forecaster's forecast, with a "today" marker.

    Parameters
    ----------
    history_time, history : (input_steps,) the observed steps (series indices) and values
    forecast_time, truth : (horizon,) the steps after "today" and the values that came
    forecasts : dict of str to (horizon,) — each forecaster's forecast of those steps
    mae : dict of str to float, optional — shown in the legend (e.g. the MAE over all windows)
    mae_label : str — the legend's title over those numbers
    ylabel, description : str
    """

    def __init__(self, *, history_time, history, forecast_time, truth, forecasts: dict, mae=None,
                 mae_label: str = "MAE", ylabel: str = "value", description: str = ""):
        self.history_time, self.history = np.asarray(history_time), np.asarray(history, float)
        self.forecast_time, self.truth = np.asarray(forecast_time), np.asarray(truth, float)
        if self.history.shape != self.history_time.shape or self.history.ndim != 1:
            raise ValueError(f"history: expected one value per history_time {self.history_time.shape}, got {self.history.shape}")
        if self.truth.shape != self.forecast_time.shape or self.truth.ndim != 1:
            raise ValueError(f"truth: expected one value per forecast_time {self.forecast_time.shape}, got {self.truth.shape}")
        self.forecasts = {name: np.asarray(values, float) for name, values in forecasts.items()}
        for name, values in self.forecasts.items():
            if values.shape != self.truth.shape:
                raise ValueError(f"forecasts[{name!r}]: expected shape {self.truth.shape} like truth, got {values.shape}")
        self.mae = dict(mae or {})
        self.mae_label, self.ylabel, self.description = mae_label, ylabel, description

    @property
    def today(self):
        """The last observed step: where the forecasts start."""
        return self.history_time[-1]

    @classmethod
    def from_results(cls, results, windows, *, part: str = "validation", window_index: int = -1, models=None,
                     ylabel: str = "value"):
        """The forecasts of window ``window_index`` of ``part`` (time order; -1 = the last) in ``results``.

        windows: the windows ``results`` were trained on (for the observed values and their steps).
        models: forecaster names to show (default: all in ``results``, baselines first).
        """
        names = _checked_names(results, models)
        truth = results.truth[_checked_part(results, part)]
        count = len(truth)
        check_int("window_index", window_index, -count, count - 1, context=f"{count} {part} windows")
        stride = getattr(windows, "stride", 1)
        start = int(windows.starts(part)[window_index])
        history_time = start + stride * np.arange(results.input_steps)
        forecast_time = start + stride * (results.input_steps + np.arange(results.horizon))
        mae = results.mae(part)
        description = (
            f"{part} window {window_index % count + 1} of {count}: {results.input_steps} steps observed, "
            f"{results.horizon} forecast; in the legend each forecaster's MAE over all {count} {part} windows"
        )
        return cls(
            history_time=history_time, history=np.asarray(windows.series)[history_time], forecast_time=forecast_time,
            truth=truth[window_index], forecasts={name: results.forecasts[part][name][window_index] for name in names},
            mae={name: mae[name] for name in names}, mae_label=f"{part} MAE", ylabel=ylabel, description=description,
        )

    def plot(self, ax=None, *, title=True, legend=True, zoom_steps=None, **kwargs):
        """Two panels: the whole window, and a close-up of the forecast steps; ``kwargs`` style the forecast lines.

        ax: None (a new figure) or two axes (window, close-up).
        zoom_steps: observed steps the close-up shows before today (default: as many as the horizon, at least 5).
        Both panels draw the same arrays; the close-up only narrows the view. Keeps ``figure_``,
        ``axes_`` (``"window"``, ``"forecast"``), ``ax_`` (the close-up), ``lines_`` (its lines:
        ``"observed"``, ``"truth"`` and one per forecaster, y data the arrays given), ``window_lines_``
        (the window panel's), ``today_`` (the close-up's marker line) and ``legend_``.
        """
        self.figure_, axes = new_or_given_panels(
            ax, 2, what="window, close-up of the forecast", figsize=(12, 5), gridspec_kw={"width_ratios": (1, 1.1)}
        )
        self.axes_ = dict(zip(("window", "forecast"), axes))
        self.ax_ = self.axes_["forecast"]
        self.window_lines_ = self._draw_observed(self.axes_["window"])
        self.lines_ = self._draw_observed(self.ax_)
        for index, (name, values) in enumerate(self.forecasts.items()):
            label = _title(name) + (f"  {self.mae[name]:.2f}" if name in self.mae else "")
            (self.lines_[name],) = self.ax_.plot(
                self.forecast_time, values,
                **{**forecaster_style(name, index), "linewidth": 1.8, "markersize": 8, "label": label, **kwargs},
            )
        for panel in axes:
            marker = self._mark_today(panel)
        self.today_ = marker
        self._zoom(zoom_steps)
        self.axes_["window"].set_ylabel(self.ylabel)
        self.axes_["window"].set_title("the window", loc="left")
        self.ax_.set_title(f"close-up: the next {len(self.truth)} steps", loc="left")
        self.legend_ = None
        if legend:
            self.legend_ = self.ax_.legend(
                title=self.mae_label if self.mae else None, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1),
                alignment="left",
            )
        if title:
            figure_title(self.figure_, "Forecasting the next steps: every model on one window", self.description)
        return self

    def _draw_observed(self, panel) -> dict:
        """The observed values, and the truth continuing them from today; returns their lines."""
        ink = neutral("text")
        lines = {}
        (lines["observed"],) = panel.plot(self.history_time, self.history, color=ink, linewidth=2, label="observed")
        panel.plot([self.today, self.forecast_time[0]], [self.history[-1], self.truth[0]], color=ink, linewidth=2)
        (lines["truth"],) = panel.plot(
            self.forecast_time, self.truth, color=ink, linewidth=2, marker="o", markersize=7,
            markerfacecolor=neutral("background"), markeredgewidth=2, label="what came", zorder=3,
        )
        panel.set_xlabel("time step")
        panel.xaxis.set_major_locator(FittingStepLocator(most=6))
        panel.grid(True, alpha=0.3)
        return lines

    def _mark_today(self, panel):
        """A dotted line at today, labelled, and the forecast steps shaded."""
        marker = panel.axvline(self.today, color=neutral("muted"), linestyle=":", linewidth=1.5, zorder=0)
        panel.annotate("today", (self.today, 1), xycoords=("data", "axes fraction"), xytext=(-4, -4),
                       textcoords="offset points", ha="right", va="top", color=neutral("muted"))
        step = self.forecast_time[0] - self.today
        panel.axvspan(self.today, self.forecast_time[-1] + step / 2, color=neutral("grid"), alpha=0.35, linewidth=0, zorder=-1)
        return marker

    def _zoom(self, zoom_steps):
        """Narrow the close-up to the last ``zoom_steps`` observed steps and the forecast, fitting y to what shows."""
        steps = zoom_steps or max(5, len(self.truth))
        shown = self.history_time >= self.history_time[max(0, len(self.history_time) - 1 - steps)]
        left, right = self.history_time[shown][0], self.forecast_time[-1]
        values = np.concatenate([self.history[shown], self.truth, *self.forecasts.values()])
        low, high = values.min(), values.max()
        pad = 0.08 * (high - low or 1)
        margin = 0.03 * (right - left)
        self.ax_.set_xlim(left - margin, right + margin)
        self.ax_.set_ylim(low - pad, high + pad)


class LearningCurvesDisplay:
    """Training and validation loss per epoch, one panel per model, the best epoch marked.

    Parameters
    ----------
    history : dict of str to dict with ``"loss"`` and ``"val_loss"`` (per epoch)
    reference_loss : float, optional — drawn as a dashed line (e.g. the naive forecast's validation loss)
    reference_label : str
    sequence_models : names whose loss covers every step's forecast (no reference line for them)
    description : str
    """

    def __init__(self, *, history: dict, reference_loss=None, reference_label: str = "naive forecast",
                 sequence_models=(), description: str = ""):
        self.history = {}
        for name, curves in history.items():
            loss, val_loss = (np.asarray(curves[key], float) for key in ("loss", "val_loss"))
            if loss.ndim != 1 or loss.shape != val_loss.shape or loss.size == 0:
                raise ValueError(f"history[{name!r}]: expected 'loss' and 'val_loss' of the same length >= 1, "
                                 f"got shapes {loss.shape} and {val_loss.shape}")
            self.history[name] = {"loss": loss, "val_loss": val_loss}
        if not self.history:
            raise ValueError("history: expected at least one model's curves, got none")
        self.reference_loss, self.reference_label = reference_loss, reference_label
        self.sequence_models = tuple(sequence_models)
        self.description = description

    @classmethod
    def from_results(cls, results, *, models=None):
        """The curves of the trained models in ``results`` (default all; ``models`` picks some)."""
        from rnnviz.forecasting.models import MODELS

        names = results.model_names if models is None else [n for n in _checked_names(results, models) if n in results.history]
        if not names:
            raise ValueError(f"models: expected trained models from {results.model_names}, got {models!r}")
        sequence = [name for name in names if name in MODELS and MODELS[name].targets == "sequence"]
        description = (
            "MSE on normalised values; the weights kept are the best epoch's (early stopping on the validation loss)"
            + ("; seq2seq: loss over the forecasts made at every step" if sequence else "")
        )
        return cls(history={name: results.history[name] for name in names}, reference_loss=results.reference_loss,
                   reference_label="naive forecast (validation)", sequence_models=sequence, description=description)

    def best_epoch(self, name: str) -> int:
        """The 0-based epoch of the lowest validation loss."""
        return int(np.argmin(self.history[name]["val_loss"]))

    def plot(self, ax=None, *, title=True, ncols=None, **kwargs):
        """Log-scale loss against epoch (from 1), one panel per model, sharing the axes.

        ax: None (a new figure) or one axes per model. ``kwargs`` style the loss lines.
        Keeps ``figure_``, ``axes_`` (by model), ``lines_`` (by ``(model, "loss" | "val_loss")``),
        ``best_`` (by model: the marker of the best epoch) and ``legend_``.
        """
        names = list(self.history)
        if ax is None:
            ncols = ncols or min(4, len(names))
            nrows = math.ceil(len(names) / ncols)
            self.figure_, axes = new_or_given_panels(
                None, nrows * ncols, what="", figsize=(3.2 * ncols + 2, 2.8 * nrows + 1), nrows=nrows, sharex=True, sharey=True
            )
            for spare in axes[len(names):]:
                spare.set_visible(False)
        else:
            self.figure_, axes = new_or_given_panels(ax, len(names), what="one per model", figsize=None)
        self.axes_, self.lines_, self.best_ = dict(zip(names, axes)), {}, {}
        for index, (name, panel) in enumerate(self.axes_.items()):
            style = forecaster_style(name, index)
            curves = self.history[name]
            epochs = np.arange(1, len(curves["loss"]) + 1)
            (self.lines_[name, "loss"],) = panel.plot(
                epochs, curves["loss"], **{"color": style["color"], "linewidth": 1.5, "linestyle": "--", **kwargs})
            (self.lines_[name, "val_loss"],) = panel.plot(
                epochs, curves["val_loss"], **{"color": style["color"], "linewidth": 2.2, **kwargs})
            best = self.best_epoch(name)
            (self.best_[name],) = panel.plot(best + 1, curves["val_loss"][best], **_lone_marker(style, 10), zorder=3)
            if self.reference_loss is not None and name not in self.sequence_models:
                panel.axhline(self.reference_loss, color=neutral("muted"), linestyle=":", linewidth=1.5, zorder=0)
            panel.set_title(_title(name), loc="left")
            panel.set_yscale("log")
            panel.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
            panel.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
            panel.yaxis.set_minor_formatter(ticker.NullFormatter())
            panel.grid(True, alpha=0.3)
        columns = axes[0].get_subplotspec().get_gridspec().ncols if ax is None else len(axes)
        for index, panel in enumerate(axes[: len(names)]):
            if index + columns >= len(names):  # nothing below it: label its epochs
                panel.xaxis.set_tick_params(labelbottom=True)
                panel.set_xlabel("epoch")
            if index % columns == 0:
                panel.set_ylabel("loss (MSE)")
        handles = self._legend_handles()
        columns = fitting_columns(self.figure_, [handle.get_label() for handle in handles], most=4)
        self.legend_ = self.figure_.legend(handles=handles, loc="outside lower center", ncols=columns, frameon=False)
        if title:
            figure_title(self.figure_, "Learning curves: training and validation loss per epoch", self.description)
        return self

    def _legend_handles(self):
        from matplotlib.lines import Line2D

        ink = neutral("text")
        handles = [
            Line2D([], [], color=ink, linestyle="--", linewidth=1.5, label="training"),
            Line2D([], [], color=ink, linewidth=2.2, label="validation"),
            Line2D([], [], color=ink, marker="o", markersize=8, linestyle="none", label="best epoch (weights kept)"),
        ]
        if self.reference_loss is not None:
            handles.append(Line2D([], [], color=neutral("muted"), linestyle=":", linewidth=1.5, label=self.reference_label))
        return handles


class ForecastErrorsDisplay:
    """Each forecaster's MAE as a bar, best at the top, with its ratio to the naive forecast.

    Parameters
    ----------
    mae : dict of str to float
    reference : str — the forecaster the ratios are taken to (``"naive"``); its MAE is a dashed line
    part, description : str
    """

    def __init__(self, *, mae: dict, reference: str = "naive", part: str = "validation", description: str = ""):
        self.mae = {name: float(value) for name, value in mae.items()}
        if reference not in self.mae:
            raise ValueError(f"reference: {reference!r} is not among the forecasters {list(self.mae)}")
        self.reference, self.part, self.description = reference, part, description

    @classmethod
    def from_results(cls, results, *, part: str = "validation", models=None):
        """The MAE of each forecaster in ``results`` on ``part`` (default every forecaster)."""
        names = _checked_names(results, models)
        mae = results.mae(_checked_part(results, part))
        description = (f"mean absolute error over every {part} window and all {results.horizon} steps ahead, "
                       f"in the series' units; ratio to the naive forecast at the end of each bar")
        return cls(mae={name: mae[name] for name in dict.fromkeys(["naive", *names]) if name in mae}, part=part, description=description)

    def plot(self, ax=None, *, title=True, **kwargs):
        """Horizontal bars, best at the top, each ending in its forecaster's marker.

        Keeps ``figure_``, ``ax_``, ``bars_``, ``markers_`` and ``labels_`` (by name).
        """
        from rnnviz.forecasting.models import BASELINES

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(9, 5))
        ordered = sorted(self.mae, key=self.mae.get)
        reference = self.mae[self.reference]
        self.bars_, self.markers_, self.labels_ = {}, {}, {}
        for row, name in enumerate(ordered):
            style = forecaster_style(name, row)
            baseline = name in BASELINES
            self.bars_[name] = self.ax_.barh(
                row, self.mae[name],
                **{"color": "none" if baseline else style["color"], "edgecolor": style["color"], "linewidth": 2,
                   "hatch": "//" if baseline else None, "linestyle": "--" if baseline else "-", **kwargs},
            )[0]
            (self.markers_[name],) = self.ax_.plot(self.mae[name], row, **_lone_marker(style, 11), zorder=3)
            self.labels_[name] = self.ax_.annotate(
                f"{self.mae[name] / reference:.2f}×", (self.mae[name], row), xytext=(10, 0), textcoords="offset points",
                va="center", ha="left", color=neutral("text"),
            )
        self.ax_.axvline(reference, color=neutral("muted"), linestyle="--", linewidth=1.5, zorder=0)
        self.ax_.set_yticks(range(len(ordered)), [_title(name) for name in ordered])
        self.ax_.invert_yaxis()
        self.ax_.set_xlabel(f"{self.part} MAE (series units)")
        self.ax_.set_xlim(0, max(self.mae.values()) * 1.15)
        self.ax_.grid(True, axis="x", alpha=0.3)
        self.ax_.set_axisbelow(True)
        if title:
            axes_title(self.ax_, f"Which forecaster beats naive? {self.part.capitalize()} error", self.description)
        return self


def _checked_part(results, part: str) -> str:
    if part not in results.truth:
        raise ValueError(f"part: expected one of {list(results.truth)}, got {part!r}")
    return part


def _checked_names(results, models) -> list:
    if models is None:
        return results.names
    names = [models] if isinstance(models, str) else list(models)
    unknown = [name for name in names if name not in results.names]
    if unknown or not names:
        raise ValueError(f"models: expected names from {results.names}, got {names!r}")
    return names

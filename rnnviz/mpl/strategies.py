"""The multi-step strategies picture painted with matplotlib (shared by the slide figure and the explorer): a held-out
window with one strategy's forecast of it, and every strategy's error against the step ahead.

Every strategy is drawn in the colour of its cell kind (all three use one kind): a colour means a cell kind, as in
every rnnviz picture. The strategies are told apart by line style and marker, and by a shade of that colour, as
the forecasting figures tell apart two models of one kind (:data:`rnnviz.forecasting.models.STYLES`): the
sequence-to-vector strategy is drawn as the forecasting lesson's GRU, the sequence-to-sequence one as its seq2seq
GRU. The naive forecast is the theme's muted grey, dashed.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_hex, to_rgb
from matplotlib.ticker import MaxNLocator

from rnnviz.forecasting.models import STYLES, VARIANT_SHADE, ForecasterStyle
from rnnviz.mpl.ticks import FittingStepLocator
from rnnviz.palette import PALETTE
from rnnviz.style import axes_title, neutral

STRATEGY_STYLES = {  # colour None: the cell kind's (given when painting)
    "recursive": ForecasterStyle(None, (0, (1, 1.3)), ">", VARIANT_SHADE / 2),
    "seq2vec": ForecasterStyle(None, STYLES["gru"].linestyle, STYLES["gru"].marker, STYLES["gru"].shade),
    "seq2seq": ForecasterStyle(None, STYLES["seq2seq"].linestyle, STYLES["seq2seq"].marker, STYLES["seq2seq"].shade),
}
HEADING = "Forecasting several steps ahead: three strategies"  # the figure's and the explorer's title
ERRORS_HEADING = "Error against the step ahead"


def strategy_style(name: str, kind: str) -> dict:
    """Colour, line style and marker of strategy ``name`` (or ``"naive"``) for a model of cell kind ``kind``; read
    inside a style context (the shade and the naive grey follow the theme)."""
    if name == "naive":
        return {"color": neutral("muted"), "linestyle": STYLES["naive"].linestyle, "marker": STYLES["naive"].marker}
    style = STRATEGY_STYLES.get(name, ForecasterStyle(None, "-", "o"))
    colour = PALETTE.get(kind, neutral("text"))
    mixed = (1 - style.shade) * np.asarray(to_rgb(colour)) + style.shade * np.asarray(to_rgb(neutral("text")))
    return {"color": to_hex(mixed), "linestyle": style.linestyle, "marker": style.marker}


def paint_forecast(ax, view, name: str, *, kind: str, title: bool = True) -> dict:
    """Paint strategy ``name``'s forecast of ``view``'s window on ``ax``: the observed steps, what came and the
    forecast, both from today, a "today" line; the step ``view.step`` ringed, with its numbers, if set.

    Returns the artists: ``observed``, ``truth`` and ``forecast`` (y data: today's value, then what came or the
    forecast), ``today`` (its line), ``today_label``, ``ahead`` (the forecast steps' shading), ``step_marker`` and
    ``step_text`` (empty when no step is marked). The axes' title (``title``) says the strategy, how it forecasts
    and its MAE on the window.
    """
    ink, background = neutral("text"), neutral("background")
    style = strategy_style(name, kind)
    artists = {}
    (artists["observed"],) = ax.plot(view.history_time, view.history, color=ink, linewidth=2, label="observed")
    (artists["truth"],) = ax.plot(*_from_today(view, view.truth), color=ink, linewidth=2, marker="o", markersize=7,
                                  markevery=slice(1, None), markerfacecolor=background, markeredgewidth=2,
                                  label="what came", zorder=3)
    (artists["forecast"],) = ax.plot(*_from_today(view, view.forecasts[name]), color=style["color"],
                                     linestyle=style["linestyle"], marker=style["marker"], markersize=9,
                                     markevery=slice(1, None), linewidth=2.5, markeredgecolor=ink,
                                     markeredgewidth=0.8, label=view.titles[name], zorder=4)
    artists["today"] = ax.axvline(view.today, color=neutral("muted"), linestyle=":", linewidth=1.5, zorder=0)
    artists["ahead"] = ax.axvspan(view.today, view.forecast_time[-1], color=neutral("grid"), alpha=0.35, linewidth=0,
                                  zorder=-1)
    artists["today_label"] = ax.annotate("today", (view.today, 1), xycoords=("data", "axes fraction"),
                                         xytext=(-4, -4), textcoords="offset points", ha="right", va="top",
                                         color=neutral("muted"), fontsize="small", annotation_clip=False,
                                         in_layout=False)
    (artists["step_marker"],) = ax.plot([], [], linestyle="none", marker="o", markersize=18, markerfacecolor="none",
                                        markeredgecolor=ink, markeredgewidth=2, zorder=6)
    artists["step_text"] = ax.text(0.03, 0.03, "", transform=ax.transAxes, ha="left", va="bottom", color=ink,
                                   fontsize="small", zorder=5, in_layout=False,
                                   bbox={"boxstyle": "round,pad=0.2", "facecolor": background, "edgecolor": "none",
                                         "alpha": 0.85})
    move_forecast(artists, view, name, title=title)
    ax.set_xlabel("time step")
    ax.xaxis.set_major_locator(FittingStepLocator(most=5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(True, alpha=0.3)
    return artists


def move_forecast(artists: dict, view, name: str, *, title: bool = True) -> None:
    """Bring ``paint_forecast``'s artists to ``view`` (another window or step of the same length) and strategy
    ``name`` (its line's style is not changed: paint again for another strategy's look); with ``title``, the axes'
    title again: the strategy, how it forecasts, its MAE on the window."""
    artists["observed"].set_data(view.history_time, view.history)
    artists["truth"].set_data(*_from_today(view, view.truth))
    artists["forecast"].set_data(*_from_today(view, view.forecasts[name]))
    artists["today"].set_xdata([view.today, view.today])
    artists["today_label"].xy = (view.today, 1)
    step = view.forecast_time[1] - view.forecast_time[0] if view.horizon > 1 else 1
    artists["ahead"].set_x(view.today)
    artists["ahead"].set_width(view.forecast_time[-1] + step / 2 - view.today)
    margin = 0.03 * (view.forecast_time[-1] - view.history_time[0])
    artists["forecast"].axes.set_xlim(view.history_time[0] - margin, view.forecast_time[-1] + margin)
    if title:
        how = view.how.get(name, "")
        axes_title(artists["forecast"].axes, view.titles[name], (how + "; " if how else "") + _mae_text(view, name))
    if view.step is None:
        artists["step_marker"].set_data([], [])
        artists["step_text"].set_text("")
        artists["step_text"].set_visible(False)
        return
    k = view.step - 1
    value, came = view.forecasts[name][k], view.truth[k]
    artists["step_marker"].set_data([view.forecast_time[k]], [value])
    artists["step_text"].set_text(f"{view.step} ahead: forecast {value:.2f}\nwhat came {came:.2f}, "
                                  f"error {abs(value - came):.2f}")
    artists["step_text"].set_visible(True)


def restyle_forecast(artists: dict, name: str, *, kind: str, title: str) -> None:
    """Draw ``paint_forecast``'s forecast line as strategy ``name``'s (``title``: its legend label)."""
    style = strategy_style(name, kind)
    line = artists["forecast"]
    line.set_color(style["color"])
    line.set_linestyle(style["linestyle"])
    line.set_marker(style["marker"])
    line.set_label(title)


def forecast_limits(view, names, *, below: float = 0.08) -> tuple:
    """y limits that show the window, what came and the forecasts ``names`` with a margin, room above for the
    "today" label and ``below`` (a share of the values' range) under them (for the step's numbers: 0.45)."""
    values = np.concatenate([view.history, view.truth, *(view.forecasts[name] for name in names)])
    low, high = float(values.min()), float(values.max())
    span = high - low or 1.0
    return low - below * span, high + 0.25 * span


def paint_errors(ax, view, *, kind: str, highlight: str | None = None, legend_axes=None, title: bool = True) -> dict:
    """Paint every strategy's MAE (and the naive forecast's) against the step ahead 1 … horizon on ``ax``, from 0;
    the legend gives each its MAE at step 1 and at the last step (in ``legend_axes`` if given, an empty axes,
    else right of ``ax``). ``highlight``: a strategy drawn thicker.

    Returns the artists: ``lines`` (name -> Line2D, y data ``view.step_mae[name]``), ``cursor`` (a line at
    ``view.step``, hidden when None), ``cursor_texts`` (name -> the MAE at that step, written by its line),
    ``legend``.
    """
    artists = {"lines": {}, "cursor_texts": {}}
    steps = view.steps_ahead
    for name in (*view.strategies, "naive"):
        style = strategy_style(name, kind)
        errors = view.step_mae[name]
        label = f"{view.titles[name]}\n{errors[0]:.2f} → {errors[-1]:.2f}"
        (artists["lines"][name],) = ax.plot(steps, errors, color=style["color"], linestyle=style["linestyle"],
                                            marker=style["marker"], markersize=8, linewidth=2.2, label=label,
                                            markeredgecolor=neutral("text") if name != "naive" else style["color"],
                                            markeredgewidth=0.8 if name != "naive" else 2)
    artists["cursor"] = ax.axvline(steps[0], color=neutral("muted"), linewidth=1.5, zorder=0)
    for name in (*view.strategies, "naive"):
        artists["cursor_texts"][name] = ax.annotate(
            "", (steps[0], 0), xytext=(7, 7), textcoords="offset points", ha="left", va="bottom",
            color=neutral("text"), fontsize="small", zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": neutral("background"), "edgecolor": "none",
                  "alpha": 0.85})
    move_errors(artists, view, highlight=highlight)
    ax.set_xlim(0.5, view.horizon + 0.5)
    top = max(float(np.max(values)) for values in view.step_mae.values())
    ax.set_ylim(0, 1.1 * top)
    ax.xaxis.set_major_locator(FittingStepLocator(most=view.horizon))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_xlabel("steps ahead")
    ax.set_ylabel("MAE")
    ax.grid(True, alpha=0.3)
    options = {"title": f"MAE 1 → {view.horizon} steps ahead", "frameon": False, "alignment": "left",
               "handlelength": 2.2, "fontsize": "small", "title_fontsize": "small", "labelspacing": 0.4}
    if legend_axes is not None:
        handles = list(artists["lines"].values())
        artists["legend"] = legend_axes.legend(handles, [line.get_label() for line in handles], loc="center left",
                                               borderaxespad=0, **options)
    else:
        artists["legend"] = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), **options)
    if title:
        axes_title(ax, ERRORS_HEADING, f"mean absolute error over all {view.windows} held-out windows")
    return artists


def move_errors(artists: dict, view, *, highlight: str | None = None) -> None:
    """Bring ``paint_errors``'s artists to ``view.step`` and ``highlight``."""
    for name, line in artists["lines"].items():
        line.set_linewidth(3.6 if name == highlight else 2.2)
        line.set_zorder(3 if name == highlight else 2)
    shown = view.step is not None
    artists["cursor"].set_visible(shown)
    if shown:
        artists["cursor"].set_xdata([view.step, view.step])
    for name, text in artists["cursor_texts"].items():
        text.set_visible(shown and (highlight is None or name in (highlight, "naive")))
        if shown:
            text.xy = (view.step, view.step_mae[name][view.step - 1])
            text.set_text(f"{view.step_mae[name][view.step - 1]:.2f}")


def _from_today(view, values) -> tuple:
    """``values`` of the forecast steps (a forecast, or what came) drawn from today's observed value on: ``(x, y)``."""
    return np.concatenate([[view.today], view.forecast_time]), np.concatenate([[view.history[-1]], values])


def _mae_text(view, name) -> str:
    return f"MAE {view.window_mae[name]:.2f} on this window"

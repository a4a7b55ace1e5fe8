"""A time series and its components (level + trend, seasonality, noise) in stacked panels."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

from rnnviz.data.synthetic import SeriesComponents
from rnnviz.errors import check_int
from rnnviz.mpl.ticks import labels_that_fit, tick_points
from rnnviz.style import figure_title, fitted_to_figure, neutral, new_or_given_panels

COMPONENTS = ("series", "trend", "seasonal", "noise")
# Each component has its own panel, so none needs a palette colour (which would claim a meaning): theme neutrals.
# The level shares the trend's panel and is dashed; the noise is muted.
COMPONENT_COLOURS = {"series": "text", "trend": "text", "level": "text", "seasonal": "text", "noise": "muted"}


def component_colour(name: str) -> str:
    """Colour of a component's line: a theme neutral (text, or muted for the noise)."""
    return neutral(COMPONENT_COLOURS[name])


def component_notes(period: int, unit: str, units: str = "") -> dict:
    """One line per panel on what the component is (the lecture's definitions); ``units`` of the values."""
    return {
        "series": f"Series{f' ({units})' if units else ''} = level + trend + seasonality + noise",
        "trend": "Level (dashed): the starting value.  Trend: long-term movement, not cycles",
        "seasonal": f"Seasonality: a repetitive short-term pattern, every {period} {unit}s",
        "noise": "Noise: the remaining random variation",
    }


class SeriesComponentsDisplay:
    """A series on top, its components below (level + trend, seasonality, noise), sharing the time axis.

    Parameters
    ----------
    time : (n,) integer steps or datetime64
    values, trend, seasonal, noise : (n,) arrays with ``values == level + trend + seasonal + noise``
    level : float or (n,) array
    period : int, seasonal period in steps
    name, description, units, frequency : str (frequency "daily", "weekly", ... names integer time steps)
    """

    def __init__(self, *, time, values, level, trend, seasonal, noise, period, name="", description="", units="",
                 frequency=""):
        self.components = SeriesComponents(
            time=time, values=values, level=level, trend=trend, seasonal=seasonal, noise=noise, period=period,
            name=name, description=description, units=units, frequency=frequency,
        )  # checks shapes and that the components add up

    @classmethod
    def from_components(cls, components: SeriesComponents):
        """Show known components (e.g. of :func:`rnnviz.data.synthetic_series`)."""
        if not isinstance(components, SeriesComponents):
            raise TypeError(f"components: expected a SeriesComponents, got {type(components).__name__}")
        return cls(**{field: getattr(components, field) for field in components.__dataclass_fields__})

    @classmethod
    def from_series(cls, series, *, period=None, method="stl", **options):
        """Decompose a RealSeries, SeriesComponents or 1-D array with :func:`rnnviz.data.decompose`, then show it.

        period, method, options: as for :func:`rnnviz.data.decompose`.
        """
        from rnnviz.data.real import decompose

        return cls.from_components(decompose(series, period=period, method=method, **options))

    def plot(self, ax=None, *, zoom=3, notes=True, title=True, **kwargs):
        """Draw the panels; ``zoom`` periods from the start are repeated, enlarged, in a right-hand column.

        ax: None (a new figure) or 4 axes (series, trend, seasonal, noise); with zoom, 8 (those four, then
            the same four zoomed) or a (4, 2) array as from ``plt.subplots(4, 2)`` (zoom on the right).
        zoom: number of periods in the zoom column, or None for no zoom column.
        notes: write what each component is over its panel. kwargs: for every component line.

        Keeps ``figure_``, ``axes_`` and ``lines_`` (by component, plus ``"level"``), ``zoom_axes_`` and
        ``zoom_lines_`` (empty without zoom).
        """
        if zoom is not None:
            check_int("zoom", zoom, 1, context="None, or a number of periods")
        c = self.components
        what = "series, trend, seasonal, noise" + (", then the same four zoomed; zoom=None for 4" if zoom else "")
        if np.ndim(ax) == 2:  # rows of (full, zoom): the full column first
            ax = list(np.asarray(ax, dtype=object).T.ravel())
        if ax is None and zoom:
            figure, grid = new_or_given_panels(None, 8, what=what, figsize=(12, 8), nrows=4, sharex="col",
                                               width_ratios=(3.2, 1))
            axes = grid[0::2] + grid[1::2]
        else:
            figure, axes = new_or_given_panels(ax, 8 if zoom else 4, what=what, figsize=(12, 8), nrows=4, sharex=True)
        self.figure_ = figure
        self.axes_ = dict(zip(COMPONENTS, axes[:4]))
        self.zoom_axes_ = dict(zip(COMPONENTS, axes[4:]))
        arrays = {"series": c.values, "trend": c.level + c.trend, "seasonal": c.seasonal, "noise": c.noise}
        level = np.broadcast_to(c.level, c.values.shape)
        stop = min(len(c.values), zoom * c.period) if zoom else 0
        width = plt.rcParams["lines.linewidth"]
        widths = {"series": 0.6 * width, "trend": 1.2 * width, "seasonal": 0.6 * width, "noise": 0.6 * width}

        self.lines_, self.zoom_lines_ = {}, {}
        for name, panel in self.axes_.items():
            style = {"color": component_colour(name), "linewidth": widths[name], "label": name}
            (self.lines_[name],) = panel.plot(c.time, arrays[name], **{**style, **kwargs})
            panel.grid(True, alpha=0.3)
            if stop:
                panel.axvspan(c.time[0], c.time[stop - 1], color=neutral("muted"), alpha=0.15, linewidth=0, zorder=0)
        for name, panel in self.zoom_axes_.items():
            marks = {} if name == "trend" else {"marker": ".", "markersize": 1.5 * width}  # one dot per step
            style = {"color": component_colour(name), "linewidth": 0.8 * width, "label": name, **marks}
            (self.zoom_lines_[name],) = panel.plot(c.time[:stop], arrays[name][:stop], **{**style, **kwargs})
            panel.grid(True, alpha=0.3)
        self._draw_level(level, stop)
        self.axes_["noise"].axhline(0, color=neutral("text"), linewidth=0.8, alpha=0.6)
        self.axes_["seasonal"].axhline(0, color=neutral("text"), linewidth=0.8, alpha=0.6)

        unit = c.time_unit
        if np.issubdtype(c.time.dtype, np.datetime64):
            for panel in self.zoom_axes_.values():  # few, short date labels in the narrow column: years fit
                inches = 0.9 * panel.get_position().width * figure.get_size_inches()[0]
                locator = mdates.AutoDateLocator(minticks=2, maxticks=max(2, min(4, labels_that_fit(inches, 4,
                                                                                                 tick_points()))))
                panel.xaxis.set_major_locator(locator)
                panel.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        else:
            for column in (self.axes_, self.zoom_axes_):
                if column:
                    column["noise"].set_xlabel(unit)
        if notes:
            for name, note in component_notes(c.period, unit, c.units).items():
                self.axes_[name].set_title(fitted_to_figure(note, self.axes_[name], "medium"), loc="left",
                                           fontsize="medium")
        if self.zoom_axes_:
            self.zoom_axes_["series"].set_title(f"first {zoom} periods", loc="left", fontsize="medium")
        if title:
            figure_title(figure, f"{c.name or 'A series'}: level, trend, seasonality and noise", c.description)
        return self

    def _draw_level(self, level, stop):
        """The level as a dashed line in the trend panels, labelled with its (first) value."""
        c = self.components
        width = 1.2 * plt.rcParams["lines.linewidth"]
        style = {"color": component_colour("level"), "linestyle": "--", "linewidth": width}
        (self.lines_["level"],) = self.axes_["trend"].plot(c.time, level, label="level", **style)
        self.axes_["trend"].annotate(  # at the right end, where the trend has usually moved away
            f"level {level[-1]:.4g}", (c.time[-1], level[-1]), xytext=(-4, 4), textcoords="offset points",
            color=style["color"], ha="right", va="bottom", fontsize="small",
            bbox={"facecolor": neutral("background"), "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
        if stop:
            zoomed = self.zoom_axes_["trend"]
            (self.zoom_lines_["level"],) = zoomed.plot(c.time[:stop], level[:stop], label="level", **style)

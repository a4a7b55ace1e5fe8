"""Multi-step strategies: one held-out window forecast three ways, and each way's error against the step ahead."""

from __future__ import annotations

from rnnviz.mpl.layout import constrained_layout
from rnnviz.mpl.strategies import HEADING, forecast_limits, paint_errors, paint_forecast
from rnnviz.style import figure_title, new_or_given_panels
from rnnviz.views.strategies import StrategiesView, strategies_view


class StrategiesDisplay:
    """One panel per strategy, each with the same held-out window, what came and that strategy's forecast (its
    MAE on the window written in), and a panel of every strategy's MAE against the step ahead, with the naive
    forecast's.

    Build it with :meth:`from_lesson` (the lesson ``strategies``, shipped: no TensorFlow) or :meth:`from_view`.

    Parameters
    ----------
    view : :class:`~rnnviz.views.strategies.StrategiesView`
    kind : str
        The cell kind of the strategies' models: their colour (:data:`rnnviz.palette.PALETTE`).
    description : str
        The subtitle: what was trained and measured.
    """

    def __init__(self, view: StrategiesView, *, kind: str, description: str = ""):
        self.view, self.kind, self.description = view, kind, description

    @classmethod
    def from_view(cls, view: StrategiesView, **kwargs):
        return cls(view, **kwargs)

    @classmethod
    def from_lesson(cls, results=None, *, window: int | None = None):
        """Held-out window ``window`` (0-based in time order; default the most typical one,
        :func:`rnnviz.lessons.strategies.typical_window`) as the lesson ``strategies`` forecast it (default its
        shipped results; no TensorFlow)."""
        from rnnviz import lessons
        from rnnviz.lessons import strategies

        results = lessons.results("strategies") if results is None else results
        typical = strategies.typical_window(results)
        view = strategies_view(results, window=typical if window is None else window,
                               strategies=strategies.STRATEGIES, titles=strategies.TITLES, how=strategies.HOW)
        description = (f"Three {strategies.CELL_TITLE}s of {strategies.UNITS} units, each trained for its strategy on "
                       f"the forecasting lesson's series; held-out window {view.window + 1} of {view.windows}"
                       f"{' (the most typical)' if view.window == typical else ''}")
        return cls(view, kind=strategies.CELL, description=description)

    def plot(self, ax=None, *, title=True):
        """Draw; ``ax``: None (a new figure) or one axes per strategy and one for the errors.

        Keeps ``figure_``, ``axes_`` (strategy name -> its axes, ``"errors"`` -> the errors' axes), ``ax_`` (the
        errors' axes), ``lines_`` (strategy name -> its forecast line, whose y data are today's value then the
        forecast), ``error_lines_`` (name, naive included -> its MAE line) and ``legend_``. Each strategy's title
        (:func:`rnnviz.style.shown_title` of its axes) says how it forecasts and its MAE on the window.
        """
        names = self.view.strategies
        if ax is None:
            self.figure_, axes, key = _new_figure(len(names))
        else:
            key = None
            self.figure_, axes = new_or_given_panels(ax, len(names) + 1, what="one per strategy, then the errors",
                                                     figsize=None)
        self.axes_ = dict(zip((*names, "errors"), axes))
        self.ax_ = self.axes_["errors"]
        self.lines_ = {}
        limits = forecast_limits(self.view, names)
        for index, name in enumerate(names):
            panel = self.axes_[name]
            artists = paint_forecast(panel, self.view, name, kind=self.kind, title=title)
            self.lines_[name] = artists["forecast"]
            panel.set_ylim(*limits)
            if index:
                panel.tick_params(labelleft=False)
            else:
                panel.set_ylabel("value")
        errors = paint_errors(self.ax_, self.view, kind=self.kind, title=title, legend_axes=key)
        self.error_lines_, self.legend_ = errors["lines"], errors["legend"]
        if title:
            figure_title(self.figure_, HEADING, self.description)
        return self


def _new_figure(count: int):
    """A figure (the slide's size inside a slide context) with ``count`` panels side by side over an errors panel
    as wide as all but the last, and an empty axes for its legend under the last; the top panels share their y
    axis. Returns ``(figure, panels, legend axes)``."""
    import matplotlib.pyplot as plt

    from rnnviz.style import ensure_shipped_fonts, slide_size

    ensure_shipped_fonts()
    figure = plt.figure(figsize=slide_size() or (13.333, 7.5), layout=constrained_layout())
    grid = figure.add_gridspec(2, count, height_ratios=(1.5, 1))
    first = figure.add_subplot(grid[0, 0])
    top = [first, *(figure.add_subplot(grid[0, column], sharey=first) for column in range(1, count))]
    key = figure.add_subplot(grid[1, -1])
    key.set_axis_off()
    return figure, [*top, figure.add_subplot(grid[1, : max(1, count - 1)])], key

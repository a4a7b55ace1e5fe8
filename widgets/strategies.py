"""StrategiesExplorer: choose a multi-step strategy, a step ahead and a held-out window; see its forecast and errors."""

from __future__ import annotations

import ipywidgets

from rnnviz.errors import InputError, check_int
from rnnviz.mpl.strategies import (
    HEADING,
    forecast_limits,
    move_errors,
    move_forecast,
    paint_errors,
    paint_forecast,
    restyle_forecast,
)
from rnnviz.style import figure_title
from rnnviz.views.strategies import strategies_view
from rnnviz.widgets.explorer import Explorer, observe

BELOW = 0.45  # room under the values (a share of their range) for the chosen step's numbers


class StrategiesExplorer(Explorer):
    """The lesson ``strategies``: one held-out window forecast by the chosen strategy, the chosen step ahead ringed
    with its numbers, and every strategy's error against the step ahead with the chosen one drawn thicker and each
    error at the chosen step written in.

    Parameters
    ----------
    strategy : "recursive", "seq2vec" or "seq2seq"
    step : int
        The step ahead to mark, 1 … the lesson's horizon (default the last).
    window : int
        The held-out window, 0-based in time order (default the most typical one, as the slide figure shows:
        :func:`rnnviz.lessons.strategies.typical_window`).
    results : dict, optional
        The lesson's results (default the shipped ones: no TensorFlow needed).
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 5.6)

    def __init__(self, strategy: str = "recursive", step: int | None = None, window: int | None = None, *,
                 results=None, theme: str = "light", dpi: int = 80):
        super().__init__()
        from rnnviz import lessons
        from rnnviz.lessons import strategies

        self._lesson = strategies
        self.results = lessons.results("strategies") if results is None else results
        if strategy not in strategies.STRATEGIES:
            raise InputError(f"strategy: expected one of {', '.join(strategies.STRATEGIES)}, got {strategy!r}")
        count, horizon = len(self.results["starts"]), strategies.HORIZON
        step = check_int("step", horizon if step is None else step, 1, horizon, f"the horizon is {horizon} steps")
        typical = strategies.typical_window(self.results)
        window = check_int("window", typical if window is None else window, 0, count - 1,
                           f"{count} held-out windows")
        self.strategy = ipywidgets.ToggleButtons(options=[(strategies.TITLES[name], name)
                                                          for name in strategies.STRATEGIES], value=strategy,
                                                 description="strategy")
        self.step = ipywidgets.IntSlider(value=step, min=1, max=horizon, description="steps ahead")
        self.window = ipywidgets.IntSlider(value=window, min=0, max=count - 1, description="window",
                                           continuous_update=False)
        self._start([[self.strategy], [self.step, self.window]], theme=theme, dpi=dpi)
        observe(self, self.strategy, self.step, self.window)

    def current_view(self):
        """The :class:`~rnnviz.views.strategies.StrategiesView` of the current window and step."""
        lesson = self._lesson
        return strategies_view(self.results, window=self.window.value, step=self.step.value,
                               strategies=lesson.STRATEGIES, titles=lesson.TITLES, how=lesson.HOW)

    def _draw(self, figure) -> dict:
        lesson, view = self._lesson, self.current_view()
        forecast_ax, errors_ax, key = figure.subplots(1, 3, width_ratios=(1.3, 1, 0.62))
        key.set_axis_off()
        name = self.strategy.value
        forecast = paint_forecast(forecast_ax, view, name, kind=lesson.CELL)
        forecast_ax.set_ylim(*forecast_limits(view, view.strategies, below=BELOW))
        forecast_ax.set_ylabel("value")
        errors = paint_errors(errors_ax, view, kind=lesson.CELL, highlight=name, legend_axes=key)
        figure_title(figure, HEADING, self._subtitle(view))
        self._shown = (name, view.window)
        moving = [forecast["step_marker"], forecast["step_text"], errors["cursor"], *errors["cursor_texts"].values()]
        return {"forecast": forecast, "errors": errors, "layers": [moving]}

    def _move(self, artists):
        """A new step moves only the rings and the numbers (blitted); a new window or strategy changes the lines,
        the titles and the limits, so the figure is drawn again (its artists kept)."""
        lesson, view = self._lesson, self.current_view()
        name = self.strategy.value
        changed = self._shown != (name, view.window)
        forecast = artists["forecast"]
        if changed:
            restyle_forecast(forecast, name, kind=lesson.CELL, title=lesson.TITLES[name])
            forecast["forecast"].axes.set_ylim(*forecast_limits(view, view.strategies, below=BELOW))
            figure_title(self.figure, HEADING, self._subtitle(view))
            self._shown = (name, view.window)
        move_forecast(forecast, view, name, title=changed)
        move_errors(artists["errors"], view, highlight=name)
        return None if changed else 0

    def _subtitle(self, view) -> str:
        lesson = self._lesson
        return (f"Three {lesson.CELL_TITLE}s of {lesson.UNITS} units, each trained for its strategy; held-out "
                f"window {view.window + 1} of {view.windows}")

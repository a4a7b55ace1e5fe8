"""The windowing explorer: window length, horizon, shift and batch size → the windows tf.data makes."""

from __future__ import annotations

import ipywidgets

from rnnviz.errors import check_int
from rnnviz.mpl.windowing import WindowingPainter
from rnnviz.views.windowing import windowing_view
from rnnviz.widgets.explorer import Explorer


class WindowingExplorer(Explorer):
    """The windows of :func:`rnnviz.data.make_windows` (the TensorFlow Data API pipeline) drawn over the series.

    Panels as :class:`~rnnviz.WindowingDisplay`: the split, a few windows of the first
    training batch cut out of the series, and the whole batch as an image. A new
    setting makes a new pipeline, and the number of windows and panel sizes change
    with it, so the figure is drawn again (the pipeline costs more than the drawing).

    Parameters
    ----------
    series : 1-D array, or an object with ``.values`` (default: a seeded synthetic series of 2 years)
    input_steps, horizon, shift, batch_size : int
        Shown first (make_windows' arguments).
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 7.5)

    def __init__(self, series=None, *, input_steps: int = 30, horizon: int = 5, shift: int = 1, batch_size: int = 8,
                 theme: str = "light", dpi: int = 80):
        super().__init__()
        if series is None:
            from rnnviz.data.synthetic import synthetic_series

            series = synthetic_series(730, seed=0)
        self.series = series
        input_steps, horizon = check_int("input_steps", input_steps, 2, 120), check_int("horizon", horizon, 1, 30)
        shift, batch_size = check_int("shift", shift, 1, 30), check_int("batch_size", batch_size, 1, 64)
        slider = dict(continuous_update=False)
        self.input_steps = ipywidgets.IntSlider(value=input_steps, min=2, max=120, description="window", **slider)
        self.horizon = ipywidgets.IntSlider(value=horizon, min=1, max=30, description="horizon", **slider)
        self.shift = ipywidgets.IntSlider(value=shift, min=1, max=30, description="shift", **slider)
        self.batch_size = ipywidgets.IntSlider(value=batch_size, min=1, max=64, description="batch size", **slider)
        self._windows = self.windows()  # checks the settings before anything is drawn
        self._start([[self.input_steps, self.horizon], [self.shift, self.batch_size]], theme=theme, dpi=dpi)
        for control in (self.input_steps, self.horizon, self.shift, self.batch_size):
            control.observe(self._new_windows, names="value")

    def windows(self):
        """The :class:`~rnnviz.data.windows.Windows` for the current settings (its pipeline is tf.data's)."""
        from rnnviz.data.windows import make_windows

        try:
            import tensorflow  # noqa: F401  (the windows shown are the ones the pipeline makes)
        except ImportError as error:
            raise ImportError(f"WindowingExplorer shows the windows the TensorFlow Data API pipeline makes, so it needs "
                              f"TensorFlow ({error}); WindowingScene() draws the shipped default windows without "
                              f"it") from error

        return make_windows(self.series, input_steps=self.input_steps.value, horizon=self.horizon.value,
                            shift=self.shift.value, batch_size=self.batch_size.value)

    def _new_windows(self, change) -> None:
        try:
            self._windows = self.windows()
        except ValueError as error:  # e.g. windows longer than a part of the series: keep the last view
            self.show_error(error)
            return
        self.clear_error()
        self.rebuild()

    def _draw(self, figure) -> dict:
        windows = self._windows
        rows = min(4, windows.batch_size, len(windows.starts("train")))
        display = WindowingPainter(windowing_view(windows, count=rows))
        axes = figure.subplot_mosaic([["overview"], ["windows"], ["batch"]], height_ratios=[0.8, 4.5, 3])
        display.plot([axes["overview"], axes["windows"], axes["batch"]])
        return {"display": display}

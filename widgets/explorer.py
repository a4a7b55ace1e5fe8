"""What every explorer shares: controls over a figure redrawn in place, a static PNG fallback, saving as a slide."""

from __future__ import annotations

import base64
import html

import ipywidgets
import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, LogLocator, NullLocator

from rnnviz import style
from rnnviz.export import save_figure
from rnnviz.mpl.layout import constrained_layout
from rnnviz.widgets.view import FigureView


class Explorer(ipywidgets.VBox):
    """Controls above a figure; moving a control updates the figure's artists in place.

    A subclass builds its controls, calls :meth:`_start` with them, and implements

    - ``_draw(figure)``: draw the current view on an empty figure; return a dict of
      the artists it made, with the ones the controls move under ``"layers"`` (lists
      of artists, slowest-changing first; see :class:`FigureView`);
    - ``_move(artists)``: bring those artists to the current control values; return
      the index of the first layer that changed (only those are redrawn), or None
      when something else changed too (axis limits, say) and the figure must be
      drawn again.

    Attributes: ``view`` (the :class:`FigureView`), ``status`` (an HTML line that shows
    errors of bad settings instead of raising them in the notebook), ``error`` (the
    last such error, or None).
    """

    figsize = (11, 6.5)
    margins = None  # fixed subplots_adjust margins, for views whose tick labels change; None: constrained layout

    def _start(self, controls, *, theme: str = "light", dpi: int = 80):
        """Lay out ``controls`` (rows of widgets) over the figure, and draw it."""
        self.theme = theme  # checked by style.context when the figure is drawn, below
        self.error = None
        self.view = FigureView(figsize=self.figsize, dpi=dpi)
        self.status = ipywidgets.HTML()
        self.children = [*(ipywidgets.HBox(row) for row in controls), self.status, self.view.image]
        self.rebuild()

    @property
    def figure(self) -> Figure:
        """The live figure (matplotlib, Agg)."""
        return self.view.figure

    def rebuild(self) -> None:
        """Draw the figure from scratch (for a change of structure: another layer, another cell)."""
        figure = self.view.figure
        figure.clear()
        if self.margins is None:
            figure.set_layout_engine(constrained_layout())
        else:  # before drawing: titles are wrapped to the width of their axes
            figure.set_layout_engine(None)
            figure.subplots_adjust(**self.margins)
        with style.context("notebook", theme=self.theme):
            figure.set_facecolor(rcParams["figure.facecolor"])
            self.artists = self._draw(figure)
        self.view.set_layers(self.artists.get("layers", []))
        self.view.draw()
        figure.set_layout_engine("none")  # keep this layout: a step must not pay for a new one

    def refresh(self, change=None) -> None:
        """Update the figure for the controls' current values (the controls' observer)."""
        try:
            with style.context("notebook", theme=self.theme):
                first_changed = self._move(self.artists)
        except ValueError as error:  # a setting the explorer cannot show: say so, keep the last view
            self.show_error(error)
            return
        self.clear_error()
        if first_changed is None:
            self.view.draw()
        else:
            self.view.blit(first_changed)

    def show_error(self, error) -> None:
        """Say in the status line why the last setting cannot be shown."""
        self.error = error
        # in the page's own text colour, marked by the sign: vermilion means a positive value, not an error
        self.status.value = f'<span>⚠ {html.escape(str(error))}</span>'

    def clear_error(self) -> None:
        """Empty the status line: the last setting is shown."""
        self.status.value, self.error = "", None

    def save(self, path, *, size: str = "16:9", theme: str = "light", formats=None, dpi: int = 150):
        """Save the current view as a slide figure (slide context, ``size`` "16:9" or "4:3"); returns the paths.

        path: the file; its suffix picks the format unless ``formats`` (some of "png", "svg", "pdf") is given.
        """
        with style.context("slides", theme=theme, size=size):
            figure = Figure(figsize=style.slide_size(), layout=constrained_layout())
            FigureCanvasAgg(figure)
            figure.set_facecolor(rcParams["figure.facecolor"])
            self._draw(figure)
        return save_figure(figure, path, formats=formats, dpi=dpi)

    def png(self) -> bytes:
        """The view as shown now, as PNG bytes."""
        return self.view.image.value

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current view as a PNG for wherever widgets do not run (a saved notebook)."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle

    def _draw(self, figure) -> dict:
        raise NotImplementedError

    def _move(self, artists) -> int | None:
        raise NotImplementedError


def observe(explorer: Explorer, *controls) -> None:
    """Refresh ``explorer`` whenever one of ``controls`` changes its value."""
    for control in controls:
        control.observe(explorer.refresh, names="value")


def step_controls(steps: int, value: int = 0, *, description: str = "step t"):
    """A step slider with a play button driving it (in the browser); returns (slider, play)."""
    slider = ipywidgets.IntSlider(value=value, min=0, max=steps - 1, description=description,
                                  continuous_update=True, layout=ipywidgets.Layout(width="420px"))
    play = ipywidgets.Play(value=value, min=0, max=steps - 1, interval=150, description="play")
    ipywidgets.jslink((play, "value"), (slider, "value"))
    return slider, play


def bar_outlines(values) -> list:
    """Rectangles for grouped bars (a PolyCollection's verts): one vector per group, side by side at 0, 1, 2, …

    Non-finite values get no height. One collection redraws in one call, where
    ``Axes.bar`` makes one artist per bar.
    """
    width = 0.8 / len(values)
    outlines = []
    for offset, vector in enumerate(values):
        heights = np.where(np.isfinite(vector), vector, 0.0)
        left = np.arange(len(vector)) + (offset - (len(values) - 1) / 2) * width - width / 2
        outlines.extend([(x, 0), (x, y), (x + width, y), (x + width, 0)] for x, y in zip(left, heights))
    return outlines


def log_axis(ax, *, ticks: int = 8) -> None:
    """A log-scale y axis quick to redraw: at most ``ticks`` plain labels ("1e-05": mathtext is slow), no minor ticks."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=ticks))
    ax.yaxis.set_major_formatter(LogFormatter())
    ax.yaxis.set_minor_locator(NullLocator())


def log_limits(values) -> tuple:
    """Log-axis limits around the finite values, always showing 1 and 0.5 … 2, within float32's range."""
    finite = np.asarray(values, float)[np.isfinite(values)]
    low, high = min(finite.min(initial=1.0), 0.5) / 3, max(finite.max(initial=1.0), 2.0) * 3
    return max(low, 1e-38), min(high, 1e38)

"""The controls every explorer of a recorded model shares: step (with play button), sample and layer."""

from __future__ import annotations

import ipywidgets

from rnnviz.views.selection import check_sample, check_step, select_layer
from rnnviz.widgets.explorer import Explorer, observe, step_controls
from rnnviz.widgets.sources import default_caption, trace_from


class TraceExplorer(Explorer):
    """An explorer of a trace: ``step`` slider and ``play`` button, ``sample`` slider, ``layer`` menu.

    A subclass calls :meth:`_start_trace` from its ``__init__``; a step or sample moves
    the view in place (``_move``), another layer draws it again.

    Parameters every trace explorer takes
    -------------------------------------
    source : ModelTrace, path of a saved trace, a Keras model (then give ``x``), or None: the trained LSTM of the
        lesson ``gates`` (:func:`rnnviz.lessons.trace`)
    x : array (batch, time, features), for a model
    layer : name or index of the layer (default: the first)
    sample, step : int
        Shown first.
    theme : "light" or "dark"
    dpi : int
        Pixels per inch of the view.
    """

    def _start_trace(self, source, x, *, layer, sample: int, step: int, theme: str, dpi: int) -> None:
        self.trace = trace_from(source, x)
        first = select_layer(self.trace, layer)
        sample = check_sample(first, sample)
        self.step, self.play = step_controls(first.steps, check_step(first, step))
        self.sample = ipywidgets.IntSlider(value=sample, min=0, max=first.batch_size - 1, description="sample",
                                           disabled=first.batch_size == 1)
        self.layer = ipywidgets.Dropdown(options=self.trace.layer_names, value=first.name, description="layer")
        rows = [[self.step, self.play], [self.sample, self.layer]]
        if source is None:  # the shipped lesson: say what it shows
            rows.insert(0, [ipywidgets.HTML(default_caption())])
        self._start(rows, theme=theme, dpi=dpi)
        observe(self, self.step, self.sample)
        self.layer.observe(self._new_layer, names="value")

    @property
    def layer_trace(self):
        """The :class:`~rnnviz.LayerTrace` shown."""
        return self.trace[self.layer.value]

    def _new_layer(self, change) -> None:
        """Fit the step slider to the new layer's length (quietly: the old view must not move), then draw."""
        self.step.unobserve(self.refresh, names="value")
        try:
            self.step.max = self.play.max = self.layer_trace.steps - 1
        finally:
            self.step.observe(self.refresh, names="value")
        self.rebuild()

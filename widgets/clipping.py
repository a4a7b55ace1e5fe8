"""ClippingExplorer: move the clipping threshold and watch what Keras's three clipping options do to a real gradient."""

from __future__ import annotations

import math

import ipywidgets

from rnnviz.errors import InputError
from rnnviz.mpl.clipping_vectors import ClippingVectorsPainter, subtitle
from rnnviz.style import figure_title
from rnnviz.views.clipping import OPTIONS, clipping_view
from rnnviz.widgets.explorer import Explorer, observe

LOWEST = -3  # the slider's lowest threshold: 10 ** LOWEST
HEADING = "What clipping at a threshold does to one real gradient"


class ClippingExplorer(Explorer):
    """The lesson ``gradients``' first training step's gradient and its ``global_clipnorm``, ``clipnorm`` and
    ``clipvalue`` versions at the threshold on the slider (:class:`~rnnviz.ClippingVectorsDisplay`'s panels, drawn
    once: the arrows, angles and numbers move in place). NumPy clipping, checked against Keras; no TensorFlow.

    Parameters
    ----------
    threshold : float
        Where to start (default: the lesson's, 1); from 10⁻³ to ten times past the gradient's norm.
    results : dict, optional
        The lesson's results (default: shipped).
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 6.2)
    # fixed: tick labels change with the threshold (10⁻³ … 10⁹); room for the title, 5-line panel titles and ticks
    margins = {"left": 0.1, "right": 0.98, "bottom": 0.1, "top": 0.6, "wspace": 0.35}

    def __init__(self, threshold=None, *, results=None, theme: str = "light", dpi: int = 80):
        super().__init__()
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        self.gradients = gradients.first_gradient_of(results)
        start = clipping_view(self.gradients, gradients.CLIP_THRESHOLD if threshold is None else threshold)
        highest = math.ceil(math.log10(start.norm)) + 1
        if not 10.0**LOWEST <= start.threshold <= 10.0**highest:
            raise InputError(f"threshold: expected a number from 1e{LOWEST} to 1e{highest} (ten times past the "
                             f"gradient's norm, {start.norm:.3g}), got {threshold!r}")
        self.threshold = ipywidgets.FloatLogSlider(value=start.threshold, base=10, min=LOWEST, max=highest, step=0.05,
                                                   description="threshold", readout_format=".3g",
                                                   continuous_update=True, layout=ipywidgets.Layout(width="480px"))
        self._start([[self.threshold]], theme=theme, dpi=dpi)
        observe(self, self.threshold)

    def clipping(self):
        """The :class:`~rnnviz.views.clipping.ClippingView` at the slider's threshold."""
        return clipping_view(self.gradients, self.threshold.value)

    def _draw(self, figure) -> dict:
        view = self.clipping()
        painter = ClippingVectorsPainter(view).plot(figure.subplots(1, len(OPTIONS)))
        figure_title(figure, HEADING, subtitle(view, threshold="the threshold"), width=125)  # (by measure: 1.5 % past)
        return {"painter": painter}

    def _move(self, artists) -> None:
        """Arrows, arcs, texts and each panel's reach follow the threshold: the figure is drawn again, its artists
        kept."""
        artists["painter"].show(self.clipping())
        return None

"""What gradient clipping does to the gradient vector: one real gradient before and after Keras's ``global_clipnorm``,
``clipnorm`` and ``clipvalue``, drawn as arrows (the lesson ``gradients``' first training step)."""

from __future__ import annotations

from rnnviz.mpl.clipping_vectors import ClippingVectorsPainter, subtitle
from rnnviz.style import figure_title, new_or_given_panels
from rnnviz.views.clipping import OPTIONS, clipping_view

HEADING = "Clipping the whole gradient keeps its direction; clipping its parts turns it"


class ClippingVectorsDisplay:
    """The gradient ``g`` and each clipping option's ``v`` as arrows, one panel per option, each in the plane through
    ``g`` and ``v`` (so ``v``'s length and angle to ``g`` are true), with norms and cosines written.

    Build it with :meth:`from_lesson` (the shipped gradient, no TensorFlow) or from a
    :class:`~rnnviz.views.clipping.ClippingView` of your own.
    """

    def __init__(self, view, *, heading: str = "", description: str = ""):
        self.view = view
        self.heading = heading or f"A gradient clipped at {view.threshold:g} three ways"
        self.description = description

    @classmethod
    def from_lesson(cls, results=None, threshold=None):
        """The lesson ``gradients``' first training step's gradient (default: shipped), clipped at ``threshold``
        (default: the lesson's, 1, where its claims ``clipnorm_turns`` and ``clipvalue_turns`` back the heading)."""
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        threshold = gradients.CLIP_THRESHOLD if threshold is None else threshold
        view = clipping_view(gradients.first_gradient_of(results), threshold)
        heading = HEADING if view.threshold == gradients.CLIP_THRESHOLD else ""
        return cls(view, heading=heading, description=subtitle(view))

    def plot(self, ax=None, *, title=True):
        """Draw; keeps ``figure_``, ``axes_`` (by option) and the painter's artists (``arrows_``, ``raw_``,
        ``arcs_``, ``angle_texts_``, ``circles_``, ``raw_texts_``, ``titles_``, each by option)."""
        self.figure_, axes = new_or_given_panels(ax, len(OPTIONS), what=", ".join(OPTIONS), figsize=(13, 6))
        painter = ClippingVectorsPainter(self.view).plot(axes)
        for name in ("axes_", "arrows_", "raw_", "arcs_", "angle_texts_", "circles_", "raw_texts_", "titles_"):
            setattr(self, name, getattr(painter, name))
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

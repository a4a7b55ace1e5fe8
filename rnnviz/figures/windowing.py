"""Windowing: how a series becomes batches of (inputs, targets), drawn from the tf.data pipeline's own tensors."""

from __future__ import annotations

from rnnviz.mpl.windowing import INPUT_COLOUR, TARGET_COLOUR, WindowingPainter  # noqa: F401 (the colours: re-exported)
from rnnviz.views.windowing import WindowingView, windowing_view


class WindowingDisplay(WindowingPainter):
    """The series with a few windows of one batch cut out of it, and the whole batch as an image.

    Parameters: the fields of :class:`~rnnviz.views.windowing.WindowingView` (series,
    boundaries, starts, inputs, targets, stride, rows, description); ``view`` holds them.
    """

    def __init__(self, *, series, boundaries, starts, inputs, targets, stride=1, rows=(0,), description=""):
        super().__init__(WindowingView(series=series, boundaries=boundaries, starts=starts, inputs=inputs,
                                       targets=targets, stride=stride, rows=rows, description=description))

    @classmethod
    def from_view(cls, view: WindowingView):
        display = cls.__new__(cls)
        WindowingPainter.__init__(display, view)
        return display

    @classmethod
    def from_windows(cls, windows, part="train", count=4, batch_index=0):
        """Take batch ``batch_index`` of ``part`` from the pipeline (unshuffled) and highlight ``count`` of its windows.

        See :func:`rnnviz.views.windowing.windowing_view`.
        """
        return cls.from_view(windowing_view(windows, part=part, count=count, batch_index=batch_index))

    def __getattr__(self, name):  # the view's fields and derived values (series, rows, next_values, ...)
        if name == "view":
            raise AttributeError(name)
        return getattr(self.view, name)

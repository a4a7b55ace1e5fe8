"""The tf.data pipeline as a flow: each stage's call, its element's shape and its first values, from the pipeline."""

from __future__ import annotations

from rnnviz.mpl.pipeline import TARGET_COLOUR, PipelinePainter  # noqa: F401 (the colour: re-exported)
from rnnviz.views.pipeline import PipelineView, pipeline_view


class PipelineDisplay(PipelinePainter):
    """The stages of one part's tf.data pipeline, top to bottom as the code reads, one box per call.

    Parameters: the fields of :class:`~rnnviz.views.pipeline.PipelineView` (rows, part, description,
    headers); ``view`` holds them. ``record`` is the :class:`~rnnviz.data.pipeline_stages.PipelineStages`
    it was built from (None if built from a view).
    """

    def __init__(self, *, rows, part, description="", headers=None, heading=None):
        view = PipelineView(rows=tuple(rows), part=part, description=description,
                            **({} if headers is None else {"headers": tuple(headers)}))
        super().__init__(view)
        self.record = None
        if heading is not None:
            self.heading = heading

    @classmethod
    def from_view(cls, view: PipelineView, *, heading=None):
        if not isinstance(view, PipelineView):
            raise TypeError(f"view: expected a PipelineView, got {type(view).__name__}")
        display = cls.__new__(cls)
        PipelinePainter.__init__(display, view)
        display.record = None
        if heading is not None:
            display.heading = heading
        return display

    @classmethod
    def from_stages(cls, record, *, values: int = 3, heading=None):
        """From a record of the pipeline run stage by stage (:func:`rnnviz.data.pipeline_stages.pipeline_stages`,
        or one loaded with ``load_pipeline_stages``); no TensorFlow.

        values: how many numbers of each element to write (1 to 8).
        """
        display = cls.from_view(pipeline_view(record, values=values), heading=heading)
        display.record = record
        return display

    @classmethod
    def from_windows(cls, windows, part="train", *, values: int = 3, heading=None):
        """Run ``windows``' own pipeline of ``part`` stage by stage (TensorFlow) and show it.

        windows: a :class:`rnnviz.data.windows.Windows` (from ``make_windows``).
        part: "train" (shuffled, as ``windows.train``), "validation" or "test".
        values: how many numbers of each element to write (1 to 8).
        """
        from rnnviz.data.pipeline_stages import pipeline_stages

        return cls.from_stages(pipeline_stages(windows, part), values=values, heading=heading)

    def __getattr__(self, name):  # the view's fields (rows, part, description, headers)
        if name == "view":
            raise AttributeError(name)
        return getattr(self.view, name)

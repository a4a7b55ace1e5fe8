"""The general memory cell, folded and unrolled, with a trained SimpleRNN's own Wₓ, Wₕ and b beside their arrows."""

from __future__ import annotations

from rnnviz.diagrams.memory_cell import subscript
from rnnviz.style import axes_title, new_or_given_axes, slide_name
from rnnviz.views.memory_cell import MemoryCellView, memory_cell_view

MARGIN = 0.3  # around the diagram, in its units
FEWEST_STEPS = 2  # a figure whose text would be too small on its slide is drawn with fewer steps, down to this
LESSON_MODEL = "simple_rnn"  # the lesson ``forecasting``'s SimpleRNN forecaster


class MemoryCellDisplay:
    """The memory cell folded (its weights as heatmaps beside the input's arrow, the loop and the cell) and unrolled
    (each step's arrows with small copies of the same heatmaps, each cell with its recorded state hₜ).

    Parameters
    ----------
    view : rnnviz.views.memory_cell.MemoryCellView
    heading, description : str
        The title and what was measured (the subtitle).
    """

    HEADING = "The memory cell, folded and unrolled: the same weights at every step"

    def __init__(self, *, view: MemoryCellView, heading: str = HEADING, description: str = ""):
        self.view = view
        self.heading = heading
        self.description = description

    @property
    def diagram(self):
        return self.view.diagram

    @classmethod
    def from_trace(cls, trace, *, layer=None, sample: int = 0, steps: int = 4, description: str | None = None):
        """A traced SimpleRNN ``layer`` of ``trace`` (a :class:`~rnnviz.ModelTrace`), ``sample``'s first ``steps``."""
        view = memory_cell_view(trace, layer=layer, sample=sample, steps=steps)
        if description is None:
            description = (f"Layer {view.layer} ({view.units} units), sample {sample}: Wₓ, Wₕ and b as Keras holds them, "
                           f"one colour scale for the three; each cell's state hₜ as recorded")
        return cls(view=view, description=description)

    @classmethod
    def from_lesson(cls, trace=None, *, sample: int = 0, steps: int = 4):
        """The lesson ``forecasting``'s SimpleRNN forecaster (shipped; no TensorFlow) on its showcase validation
        window ``sample``."""
        from rnnviz import lessons

        trace = lessons.trace("forecasting", LESSON_MODEL) if trace is None else trace
        view = memory_cell_view(trace, sample=sample, steps=steps)
        description = (f"The trained SimpleRNN forecaster's layer ({view.units} units; its input xₜ: the window minus "
                       f"today), validation window {sample}: Wₓ, Wₕ and b as Keras holds them, on one colour scale; "
                       f"each cell's state hₜ as recorded (the forecast reads h{subscript(view.total_steps)})")
        return cls(view=view, description=description)

    def plot(self, ax=None, *, title=True):
        """Paint; keeps ``figure_``, ``ax_``, ``patches_``, ``arrows_``, ``texts_``, ``heatmaps_`` (slot node id ->
        its AxesImage), ``strips_`` (cell node id -> AxesImage), ``weight_key_`` and ``state_key_`` (Colorbars).

        A new figure inside ``style.context(size=...)`` whose text would be under 12 pt on that slide is drawn
        again with fewer steps unrolled (down to FEWEST_STEPS; ``view`` then says how many).
        """
        self._paint(ax, title)
        slide = slide_name()
        if ax is None and slide is not None:
            import matplotlib.pyplot as plt

            from rnnviz.mpl.legibility import small_texts

            full = self.view
            for fewer in range(full.steps - 1, FEWEST_STEPS - 1, -1):
                if not small_texts(self.figure_, slide=slide):
                    break
                plt.close(self.figure_)
                self.view = full.with_steps(fewer)
                self._paint(None, title)
        return self

    def _paint(self, ax, title):
        from rnnviz.mpl.diagram import diagram_limits, laid_out_points_per_unit, paint_diagram
        from rnnviz.mpl.strips import paint_strip
        from rnnviz.mpl.weights import paint_heatmap, paint_key

        view, drawn = self.view, self.view.diagram
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 6.0))
        if title:
            axes_title(self.ax_, self.heading, self.description)
        points = laid_out_points_per_unit(self.ax_, diagram_limits(drawn, MARGIN))
        self.patches_, self.arrows_, self.texts_, _ = paint_diagram(drawn, self.ax_, margin=MARGIN, points=points,
                                                                    label_shift={"cell": 0.22})
        self.heatmaps_ = {node.id: paint_heatmap(self.ax_, node, view.image(node.data["weight"]), view.weight_scale)
                          for node in drawn.find("weights")}
        self.strips_ = {node_id: paint_strip(self.ax_, drawn.node(node_id), strip)
                        for node_id, strip in view.strips.items()}
        self.weight_key_ = paint_key(self.ax_, drawn.node("weights_key"), view.weight_scale)
        self.state_key_ = paint_key(self.ax_, drawn.node("states_key"), view.state_scale)
        return self

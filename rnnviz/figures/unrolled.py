"""The unrolled network with its real values: each step's hidden state as a strip of colours in its cell."""

from __future__ import annotations

from rnnviz.diagrams.unrolled import COLUMN
from rnnviz.style import axes_title, new_or_given_axes, slide_name
from rnnviz.views.unrolled import UnrolledView, unrolled_view

MARGIN = 0.4  # around the diagram, in its units
FEWEST_STEPS = 2  # a figure too wide for its slide keeps at least the first and the last step of each time axis


class UnrolledDisplay:
    """An unrolled diagram of a model, every shown cell filled with its traced state for one sample.

    Parameters
    ----------
    view : rnnviz.views.unrolled.UnrolledView
        The diagram, each drawn cell's state with its colour scale, the inputs' labels
        (:func:`rnnviz.views.unrolled.unrolled_view`).
    heading : str
        The title (say "untrained" here for a model that is).
    """

    HEADING = "The network unrolled through time, with its real states"

    def __init__(self, *, view: UnrolledView, heading: str = HEADING):
        self.view = view
        self.heading = heading

    @property
    def diagram(self):
        return self.view.diagram

    @property
    def description(self) -> str:
        return self.view.description

    @classmethod
    def from_trace(cls, trace, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None, fed_back=None):
        """Draw ``trace`` (a :class:`~rnnviz.ModelTrace`) for one ``sample``; ``tokens`` label token inputs,
        ``fed_back`` names inputs that are the model's last output (see :func:`rnnviz.views.unrolled.unrolled_view`)."""
        return cls(view=unrolled_view(trace, sample=sample, max_steps=max_steps, state=state, tokens=tokens,
                                      fed_back=fed_back))

    @classmethod
    def from_model(cls, model, x, *, sample: int = 0, max_steps: int = 8, state: str = "h", tokens=None):
        """Record ``model`` on ``x`` (:func:`rnnviz.record`) and draw it."""
        from rnnviz.recording.dispatch import record

        return cls.from_trace(record(model, x), sample=sample, max_steps=max_steps, state=state, tokens=tokens)

    def plot(self, ax=None, *, title=True, colorbar=True):
        """Paint the diagram and the states; keeps ``figure_``, ``ax_``, ``diagram_`` (as drawn), ``patches_``,
        ``strips_``, ``input_texts_``, ``output_texts_``, ``colorbar_``.

        The diagram fills the axes (as wide or as tall as they are; a flat one with its rows spread apart, see
        :meth:`~rnnviz.views.unrolled.UnrolledView.filling`) and its text is sized for the figure laid
        out with its title and colour bar. A new figure inside ``style.context(size=...)`` whose text would be
        under 12 pt on that slide is drawn again with fewer steps (down to FEWEST_STEPS per time axis; ``view``
        then says which).
        """
        self._paint(ax, title, colorbar)
        slide = slide_name()
        if ax is None and slide is not None and self.view.layout:
            import matplotlib.pyplot as plt

            from rnnviz.mpl.legibility import small_texts

            full = self.view
            for fewer in range(full.layout["max_steps"] - 1, FEWEST_STEPS - 1, -1):
                if not small_texts(self.figure_, slide=slide):
                    break
                plt.close(self.figure_)
                self.view = full.with_max_steps(fewer)
                self._paint(None, title, colorbar)
        return self

    def _paint(self, ax, title, colorbar):
        from matplotlib import rcParams

        from rnnviz.mpl.diagram import (
            axes_aspect,
            diagram_limits,
            fill_width,
            fitting_width,
            laid_out_points_per_unit,
            paint_diagram,
        )
        from rnnviz.mpl.strips import norm, paint_strip

        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 6.5))
        self.colorbar_ = self._colorbar() if colorbar and self.view.scale is not None else None
        if title:
            axes_title(self.ax_, self.heading, self.view.description)
        laid_out_points_per_unit(self.ax_, diagram_limits(self.diagram, MARGIN))  # lays out: the axes' box is known
        self.diagram_ = drawn = self.view.filling(axes_aspect(self.ax_), MARGIN).diagram
        points = laid_out_points_per_unit(self.ax_, diagram_limits(drawn, MARGIN))
        if self.view.scale is not None:
            self.norm_ = norm(self.view.scale)
        self.patches_, self.arrows_, self.texts_, _ = paint_diagram(drawn, self.ax_, margin=MARGIN, points=points,
                                                                    label_shift={"cell": 0.22, "state": 0.22})
        fill_width(self.ax_)  # a deep model's diagram is centred, its title over the figure
        self.strips_ = {node_id: paint_strip(self.ax_, drawn.node(node_id), strip)
                        for node_id, strip in self.view.strips.items()}
        texts = {**self.view.inputs, **self.view.outputs}
        room = 0.92 * min(_spacing(drawn, "input"), _spacing(drawn, "output"))  # each text clear of its neighbours'
        size = min([0.8 * rcParams["font.size"], 0.3 * points, *(fitting_width(t, room, points) for t in texts.values())])
        self.input_texts_ = {node_id: self._text_by(drawn.node(node_id), text, size, below=True)
                             for node_id, text in self.view.inputs.items()}
        self.output_texts_ = {node_id: self._text_by(drawn.node(node_id), text, size, below=False)
                              for node_id, text in self.view.outputs.items()}
        return self

    def _text_by(self, node, text, size, *, below: bool):
        """``text`` written just under ``node`` (an input's value) or just over it (an output's)."""
        y = node.y - node.height / 2 - 0.08 if below else node.y + node.height / 2 + 0.08
        return self.ax_.text(node.x, y, text, ha="center", va="top" if below else "bottom", fontsize=size)

    def _colorbar(self):
        """The states' colour bar: under a diagram flatter than the figure (the room it leaves free), else on its right.

        An LSTM's cell state c has a scale of its own on the same colours: its ticks on the bar's other side
        (kept as ``colorbar_.second_axis_``).
        """
        from matplotlib.cm import ScalarMappable

        from rnnviz.mpl.strips import colour_map, norm

        xmin, xmax, ymin, ymax = self.diagram.bounds
        width, height = self.figure_.get_size_inches()
        under = (xmax - xmin) / (ymax - ymin) > width / height
        place = {"location": "bottom", "shrink": 0.35, "aspect": 35} if under else {"shrink": 0.35, "fraction": 0.03}
        scale, other = self.view.scale, self.view.scales.get("c")
        two = other is not None and len(self.view.scales) > 1
        label = "state h" if two else "state value"
        colorbar = self.figure_.colorbar(ScalarMappable(norm(scale), colour_map(scale, self.ax_.get_facecolor())),
                                         ax=self.ax_, pad=0.01, **place,
                                         label=f"{label}{' ' if under else chr(10)}(one colour per unit)")
        if under:  # a short bar: as many ticks as keep their labels ("−0.25") apart
            from matplotlib import ticker

            from rnnviz.mpl.ticks import labels_that_fit, tick_points

            fit = labels_that_fit(0.9 * place["shrink"] * width, 5, tick_points())
            colorbar.ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=max(2, fit - 1)))
        colorbar.second_axis_ = None
        if two:  # the same colour at the same share of each state's full strength
            ratio = other.high / scale.high
            functions = (lambda v: v * ratio, lambda v: v / ratio)
            second = (colorbar.ax.secondary_xaxis("top", functions=functions) if under
                      else colorbar.ax.secondary_yaxis("left", functions=functions))
            second.set_xlabel("state c") if under else second.set_ylabel("state c")
            colorbar.second_axis_ = second
        return colorbar


def _spacing(diagram, role) -> float:
    """The least distance between two nodes of ``role`` side by side (the room for a text under each)."""
    rows = {}
    for node in diagram.find(role):
        rows.setdefault(node.y, []).append(node.x)
    gaps = [b - a for xs in rows.values() for a, b in zip(sorted(xs), sorted(xs)[1:])]
    return min(gaps, default=COLUMN)

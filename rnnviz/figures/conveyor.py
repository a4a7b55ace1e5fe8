"""The cell state as a conveyor belt: an LSTM's c riding through the steps, its forget and input gates as valves."""

from __future__ import annotations

from matplotlib import rcParams
from matplotlib.patches import Patch, Rectangle

from rnnviz.kinds import CELL_KINDS
from rnnviz.style import PALETTE, axes_title, drawn_width, neutral, new_or_given_axes
from rnnviz.views.conveyor import (
    BELT_HALF,
    COLUMN_SPAN,
    FORGET_VALVE,
    G_BOX,
    INPUT_VALVE,
    GAP_PLACES,
    GAP_X,
    PIPE_TOP,
    PIPE_WIDTH,
    ROW_COLOURS,
    ROWS,
    TEXT_PLACES,
    VALVE,
    conveyor_view,
    lesson_view,
    valve_boxes,
)
from rnnviz.views.selection import shown_layer_name

HEADING = "The cell state as a conveyor belt, its gates as valves"
TEXT_SHARE = 0.75  # the column texts' size, of the font size (13.5 pt on a slide)
CLEAR = 0.15  # of a column, kept clear between a text and the next column's text or pipe
ROW_LABEL_GAP = 0.4  # between the row labels and the first column's middle less a half, in columns
LIMITS_Y = COLUMN_SPAN


class ConveyorDisplay:
    """One unit of an LSTM's cell state as a belt across the steps, with each step's forget valve (opening f) on the
    belt and input valve (opening i) on the candidate's pipe, and every number written.

    Build it with :meth:`from_lesson` (the lesson ``gates``' shipped showcase) or :meth:`from_trace`; ``view`` is a
    :class:`~rnnviz.views.conveyor.ConveyorView`. Drawn in a new figure, it shows every step if they fit at the
    figure's text size, else the first ones, a gap and the last one (the subtitle says which).
    """

    def __init__(self, *, view, heading: str = HEADING, description: str = ""):
        self.view = view
        self.heading = heading
        self.description = description

    @classmethod
    def from_trace(cls, trace, layer=None, *, sample: int = 0, unit: int = 0, input_names=None, marker=None,
                   max_steps: int | None = None, description: str | None = None):
        """``unit`` of the LSTM ``layer`` (default the first) in ``sample``; ``max_steps`` draws at most that many
        columns (see :func:`~rnnviz.views.conveyor.conveyor_view` for ``input_names`` and ``marker``)."""
        view = conveyor_view(trace, layer, sample=sample, unit=unit, input_names=input_names, marker=marker)
        if max_steps is not None:
            view = view.fitting(max_steps)
        if description is None:
            name = shown_layer_name(view.layer, view.kind)
            title = CELL_KINDS[view.kind].title
            description = f"{f'{title} layer {name!r}' if name else title}, sample {sample}, unit {unit}"
        return cls(view=view, description=description)

    @classmethod
    def from_lesson(cls, kind: str = "LSTM", *, trace=None, max_steps: int | None = None):
        """The lesson ``gates``' model ``kind`` ("LSTM" or "PeepholeLSTM") on the sequence its pictures show (held-out
        sample 0, its memory unit); default its shipped trace, no TensorFlow."""
        view, shows = lesson_view(kind, trace=trace)
        if max_steps is not None:
            view = view.fitting(max_steps)
        return cls(view=view, description=f"{shows}: its cell state c (the answer) and gates on that sequence, every "
                                          "number recorded from Keras")

    def plot(self, ax=None, *, title=True):
        """Draw; keeps ``figure_``, ``ax_``, ``view_`` (the columns drawn), ``belt_`` (the belt's pieces),
        ``forget_valves_`` / ``input_valves_`` (step -> (frame, flaps)), ``candidates_`` (step -> box), ``texts_``
        ((row, step) -> Text), ``gap_texts_`` (a gap's column -> row -> Text), ``row_labels_`` and ``legend_``."""
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 7.5))
        self.ax_.set_axis_off()
        size = TEXT_SHARE * rcParams["font.size"]
        if title:
            axes_title(self.ax_, self.heading, self._subtitle(self.view))
        self.legend_ = self._legend() if ax is None else None
        engine = self.figure_.get_layout_engine()
        if engine is not None:
            engine.execute(self.figure_)
        view, size, pitch, labels = self._columns(size)
        self.view_ = view
        if title and view.columns != self.view.columns:
            axes_title(self.ax_, self.heading, self._subtitle(view))
        self.ax_.set_xlim(-0.5 - ROW_LABEL_GAP - labels / pitch, len(view.columns) - 0.5)
        self.ax_.set_ylim(*LIMITS_Y)
        self._paint(view, size)
        return self

    def _columns(self, size) -> tuple:
        """``(view, text size, column width, row labels' width)``: every step if they fit the axes at ``size``, else
        the steps that matter and the earliest that fit; the text made smaller (to 12 pt on the slide at least)
        where the steps that matter would not fit at ``size``."""
        from rnnviz.mpl.legibility import MINIMUM_POINTS, slide_scale
        from rnnviz.style import slide_name

        width = self.ax_.get_position().width * self.figure_.get_size_inches()[0] * 72
        smallest = MINIMUM_POINTS / slide_scale(self.figure_, slide_name() or "16:9")
        while True:
            labels = max(drawn_width(label, size) for label in self.view.row_labels.values())
            count = max(1, int((width - labels) / _pitch(self.view, size) - ROW_LABEL_GAP))
            view = self.view if len(self.view.columns) < self.view.steps else self.view.fitting(count)
            if len(view.columns) <= count or size <= smallest:
                return view, size, (width - labels) / (len(view.columns) + ROW_LABEL_GAP), labels
            size = max(smallest, size * 0.95)

    def _subtitle(self, view) -> str:
        return f"{self.description}; {view.shows}" if self.description else view.shows

    def _paint(self, view, size):
        ax, background, muted = self.ax_, neutral("background"), neutral("muted")
        self.texts_, self.gap_texts_, self.forget_valves_, self.input_valves_, self.candidates_ = {}, {}, {}, {}, {}
        for position, step in enumerate(view.columns):
            if step is not None and view.marked[step]:
                ax.add_patch(Rectangle((position - 0.5, LIMITS_Y[0]), 1, LIMITS_Y[1] - LIMITS_Y[0],
                                       facecolor=neutral("grid"), edgecolor="none", zorder=0))
        pieces = view.segments()
        colours = view.colours([value for _, _, value in pieces], background)
        self.belt_ = [ax.add_patch(Rectangle((x0, ROWS["belt"] - BELT_HALF), x1 - x0, 2 * BELT_HALF, facecolor=colour,
                                             edgecolor="none", zorder=1))
                      for (x0, x1, _), colour in zip(pieces, colours)]
        ax.add_patch(Rectangle((-0.5, ROWS["belt"] - BELT_HALF), len(view.columns), 2 * BELT_HALF, facecolor="none",
                               edgecolor=PALETTE["c"], linewidth=2.5, zorder=3))
        for position, step in enumerate(view.columns):
            if step is None:
                self.gap_texts_[position] = {}
                for row, text in view.gap_texts(view.gap_steps(position)).items():
                    dx = GAP_PLACES.get(row, GAP_X)
                    self.gap_texts_[position][row] = ax.text(position + dx, ROWS[row], text, ha="center",
                                                             va="center", fontsize=size, color=muted)
                continue
            self._paint_step(view, position, step, size, background, muted)
        self.row_labels_ = {row: ax.text(-0.5 - ROW_LABEL_GAP, ROWS[row], label, ha="right", va="center",
                                         fontsize=size, color=_label_colour(row))
                            for row, label in view.row_labels.items()}

    def _paint_step(self, view, position, step, size, background, muted):
        ax, ink = self.ax_, neutral("text")
        # the forget valve across the belt: flaps from above and below, the opening f of the belt's height between
        valve_x = position + VALVE
        self.forget_valves_[step] = _valve(ax, (valve_x, ROWS["belt"]), *FORGET_VALVE, view.forget[step],
                                           PALETTE["forget"], across="vertical")
        # the candidate's box and its pipe up to the belt: g below the input valve, i·g above it
        g_top = ROWS["g"] + G_BOX[1] / 2
        g_colour, on_colour = view.colours([view.candidate[step]], background, scale="candidate")[0], \
            view.colours([view.written[step]], background)[0]
        for bottom, top, colour in ((g_top, ROWS["i"], g_colour), (ROWS["i"], PIPE_TOP, on_colour)):
            ax.add_patch(Rectangle((position - PIPE_WIDTH / 2, bottom), PIPE_WIDTH, top - bottom, facecolor=colour,
                                   edgecolor=muted, linewidth=0.8, zorder=1))
        self.candidates_[step] = ax.add_patch(Rectangle((position - G_BOX[0] / 2, ROWS["g"] - G_BOX[1] / 2), *G_BOX,
                                                        facecolor=g_colour, edgecolor=muted, linewidth=1, zorder=2))
        self.input_valves_[step] = _valve(ax, (position, ROWS["i"]), *INPUT_VALVE, view.input[step], PALETTE["input"],
                                          across="horizontal")
        texts = view.texts(step)
        for row, text in texts.items():
            dx, align, _ = TEXT_PLACES[row]
            marked = row == "x" and view.marked[step]
            box = ({"boxstyle": "round,pad=0.25", "facecolor": "none", "edgecolor": ink, "linewidth": 2} if marked
                   else None)
            self.texts_[row, step] = ax.text(position + dx, ROWS[row], text, ha=align, va="center", fontsize=size,
                                             color=muted if row == "step" else ink, bbox=box, zorder=4)

    def _legend(self):
        from rnnviz.mpl.legends import fitting_columns
        from rnnviz.style import VALUE_COLOURS

        handles = [Patch(facecolor=VALUE_COLOURS["negative"], label="value < 0"),
                   Patch(facecolor=VALUE_COLOURS["positive"], label="value > 0"),
                   Patch(facecolor=PALETTE["forget"], label="forget valve, open by f"),
                   Patch(facecolor=PALETTE["input"], label="input valve, open by i"),
                   Patch(facecolor=neutral("grid"), label="a marked step")]
        fit = fitting_columns(self.figure_, [handle.get_label() for handle in handles])
        rows = -(-len(handles) // fit)
        columns = -(-len(handles) // rows)  # as few columns as keep that many rows: no entry alone on its row
        return self.figure_.legend(handles=handles, loc="outside lower center", ncols=columns, frameon=False)


def _valve(ax, centre, width, height, opening, colour, *, across):
    """A valve (:func:`~rnnviz.views.conveyor.valve_boxes`): its frame and its two flaps."""
    frame, *flaps = valve_boxes(*centre, width, height, opening, vertical=across == "vertical")
    drawn = [ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, zorder=3, **style))
             for (x0, x1, y0, y1), style in zip((frame, *flaps), (
                 {"facecolor": "none", "edgecolor": colour, "linewidth": 1.5},
                 *[{"facecolor": colour, "edgecolor": "none"}] * 2))]
    return drawn[0], drawn[1:]


def _pitch(view, size) -> float:
    """The least column width (points) at which every text of ``view`` keeps CLEAR (of a column) from the next text,
    pipe or valve in its row (:data:`~rnnviz.views.conveyor.TEXT_PLACES`)."""
    needed = [drawn_width(text, size) / (TEXT_PLACES[row][2] - CLEAR)
              for step in range(view.steps) for row, text in view.texts(step).items()]
    others = [step for step in range(view.steps) if step not in view.steps_that_matter]
    if others:  # a gap's centred texts (a gap hides none of the steps that matter: those are drawn)
        needed += [drawn_width(text, size) / (1 - CLEAR) for text in view.gap_texts(others).values()]
    return max(needed)


def _label_colour(row) -> str:
    """A row label in the colour of what the row shows (a gate, c, h), else muted."""
    return PALETTE.get(ROW_COLOURS.get(row, ""), neutral("muted"))

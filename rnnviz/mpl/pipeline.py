"""A :class:`~rnnviz.views.pipeline.PipelineView` painted with matplotlib: the stages top to bottom, as the code reads.

Each row: the call in a box (arrows from box to box), the element's shape with a note under it,
and the first values. Code, shapes and numbers are set in a monospaced font; one text size for
all, the largest at which every column fits the axes' width and every row its height.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnnviz.style import OTHER_COLOURS, drawn_width, figure_title, neutral, new_or_given_axes
from rnnviz.views.pipeline import call_lines

MONO = "DejaVu Sans Mono"  # shipped with matplotlib: the same widths on every machine
TARGET_COLOUR = OTHER_COLOURS["target"]  # targets: their palette colour, as in the windowing figure
LINE = 1.3  # line pitch, in text sizes
PAD = 0.35  # padding inside a call's box, in text sizes
ROW_GAP = 0.9  # space between boxes (where the arrow runs), in text sizes
COLUMN_GAP = 1.0  # least space between columns, in text sizes
HEADER = 1.6  # the column headers' row, in text sizes
LABEL_GAP = 0.5  # between a value line's label and its numbers, in text sizes
MONO_SLACK = 1.06  # monospaced widths as drawn, at most this much wider than measured
MINIMUM_POINTS = 12.5  # notes and labels no smaller than this, nor than the main text (a slide's 12 pt, a margin)


def role_colour(role: str) -> str:
    """The colour of a piece of text by what it shows: targets in theirs, the rest in ink."""
    return TARGET_COLOUR if role == "targets" else neutral("text")


class PipelinePainter:
    """Paints ``self.view`` (a PipelineView); keeps what it drew as attributes ending in ``_``."""

    heading = "The tf.data pipeline, stage by stage"

    def __init__(self, view):
        self.view = view

    def plot(self, ax=None, *, title=True, box_kw=None, arrow_kw=None):
        """Draw the stages top to bottom in ``ax`` (None: a new figure).

        box_kw, arrow_kw: passed to the call boxes (FancyBboxPatch) and the arrows (FancyArrowPatch).

        Keeps ``figure_``, ``ax_``, ``fontsize_`` (points), ``boxes_`` and ``call_texts_`` (one per stage),
        ``arrows_`` (one between each two stages), ``shape_texts_`` (per stage, its pieces), ``note_texts_``,
        ``value_texts_`` (per stage, ``(label, numbers)`` per line) and ``header_texts_``.
        """
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(13.333, 7.5))
        ax = self.ax_
        ax.set_axis_off()
        if title:
            figure_title(self.figure_, self.heading, self.view.description)
        engine = self.figure_.get_layout_engine()
        if engine is not None:
            engine.execute(self.figure_)  # the axes' size once the title has its room
        position, inches = ax.get_position(), self.figure_.get_size_inches()
        width, height = position.width * inches[0] * 72, position.height * inches[1] * 72
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)  # data units: points, so sizes and places are in one unit
        layout = _layout(self.view, width, height)
        self.fontsize_ = layout["size"]
        self._draw(layout, dict(box_kw or {}), dict(arrow_kw or {}))
        return self

    def _draw(self, layout, box_kw, arrow_kw) -> None:
        ax, size, note_size = self.ax_, layout["size"], layout["note_size"]
        ink, muted = neutral("text"), neutral("muted")
        x_call, x_shape, x_values = layout["columns"]
        label_right = x_values + layout["label_width"]
        line = LINE * size
        top = layout["top"]
        self.header_texts_ = [ax.text(x, top, header, ha="left", va="top", color=muted, fontsize=note_size)
                              for x, header in zip(layout["columns"], self.view.headers)]
        y = top - layout["header_height"]
        self.boxes_, self.call_texts_, self.arrows_ = [], [], []
        self.shape_texts_, self.note_texts_, self.value_texts_ = [], [], []
        for k, (row, box_height) in enumerate(zip(self.view.rows, layout["box_heights"])):
            middle = y - box_height / 2
            box = FancyBboxPatch((x_call, y - box_height), layout["call_width"], box_height,
                                 boxstyle=f"round,pad=0,rounding_size={0.3 * size}",
                                 **{"facecolor": neutral("grid"), "edgecolor": ink, "linewidth": 1.0, **box_kw})
            ax.add_patch(box)
            self.boxes_.append(box)
            self.call_texts_.append(ax.text(x_call + PAD * size, middle, layout["calls"][k], ha="left", va="center",
                                            color=ink, fontsize=size, family=MONO, linespacing=1.15))
            pieces = []
            for text, role in row.shape:  # each piece a space after the one before, as drawn (at any dpi)
                style = {"color": role_colour(role), "fontsize": size, "family": MONO, "ha": "left"}
                if pieces:
                    pieces.append(ax.annotate(text, xy=(1, 0), xycoords=pieces[-1], xytext=(0.6 * size, 0),
                                              textcoords="offset points", va="bottom", **style))
                else:
                    pieces.append(ax.text(x_shape, middle + line / 2, text, va="center", **style))
            self.shape_texts_.append(pieces)
            self.note_texts_.append(ax.text(x_shape, middle - line / 2, row.note, ha="left", va="center", color=muted,
                                            fontsize=note_size))
            lines = []
            for j, (label, numbers, role) in enumerate(row.values):
                line_y = middle + (len(row.values) - 1) * line / 2 - j * line
                lines.append((ax.text(label_right, line_y, label, ha="right", va="center", color=muted,
                                      fontsize=note_size),
                              ax.text(label_right + LABEL_GAP * size, line_y, numbers, ha="left", va="center",
                                      color=role_colour(role), fontsize=size, family=MONO)))
            self.value_texts_.append(lines)
            if k:
                centre = x_call + layout["call_width"] / 2
                arrow = FancyArrowPatch((centre, y + layout["row_gap"]), (centre, y), arrowstyle="-|>",
                                        mutation_scale=0.9 * size, shrinkA=1, shrinkB=1,
                                        **{"color": ink, "linewidth": 1.5, **arrow_kw})
                ax.add_patch(arrow)
                self.arrows_.append(arrow)
            y -= box_height + layout["row_gap"]


def drawn_width_mono(text: str, points: float) -> float:
    """The width in points of ``text`` (its longest line) in the monospaced font at ``points``, with room for hinting
    (which widens a monospaced font's letters to whole pixels: 4 % at 150 dpi and 12 pt)."""
    return MONO_SLACK * _mono_advance() * points * max(len(line) for line in text.split("\n"))


@functools.cache
def _mono_advance() -> float:
    """One letter's width in the monospaced font at 1 pt (every letter's)."""
    with mpl.rc_context({"font.family": MONO}):
        return drawn_width("0" * 100, 1.0) / 100


def _layout(view, width: float, height: float) -> dict:
    """Where every column and row goes in an axes ``width`` x ``height`` points, and at what text size: the largest
    (up to the rcParams' font size) at which all fits, with long calls broken onto more lines (their rows taller) where
    that allows a larger one."""
    base = mpl.font_manager.FontProperties(size=mpl.rcParams["font.size"]).get_size_in_points()
    # every width is proportional to the text size (notes too, at the size's share): measured once, at 1 pt
    measures = {"shape": max(drawn_width_mono(" ".join(text for text, _ in row.shape), 1) for row in view.rows),
                "note": max(drawn_width(row.note, 1) for row in view.rows),
                "label": max(drawn_width(label, 1) for row in view.rows for label, _, _ in row.values),
                "numbers": max(drawn_width_mono(numbers, 1) for row in view.rows for _, numbers, _ in row.values),
                "headers": [drawn_width(header, 1) for header in view.headers]}
    best = None
    longest = max(len(row.call) for row in view.rows)
    for limit in range(longest, longest // 3, -1):  # calls longer than the limit broken onto more lines
        layout = _fitted(view, [call_lines(row.call, limit) for row in view.rows], measures, width, height, base)
        if best is None or layout["size"] > best["size"] + 1e-9:
            best = layout
    return best


def _fitted(view, calls, measures, width, height, base) -> dict:
    """The layout with ``calls`` as given, at the largest size that fits (see :func:`_layout`)."""
    lines = [max(2, call.count("\n") + 1, len(row.values)) for call, row in zip(calls, view.rows)]
    rows = len(view.rows)
    note_share = 0.85
    calls_w = max(drawn_width_mono(call, 1) for call in calls) + 2 * PAD
    shape_w, note_w, label_w, numbers_w, headers = (measures[key] for key in
                                                    ("shape", "note", "label", "numbers", "headers"))

    def widths(size):
        note = max(min(size, MINIMUM_POINTS), note_share * size)
        return [max(calls_w * size, headers[0] * note), max(shape_w * size, note_w * note, headers[1] * note),
                max(label_w * note + (LABEL_GAP + numbers_w) * size, headers[2] * note)]

    def total(size):
        return sum(widths(size)) + 2 * COLUMN_GAP * size

    row_heights = [1 + (count - 1) * LINE + 2 * PAD for count in lines]  # each box: its lines, padded (in sizes)
    tall = HEADER + sum(row_heights) + (rows - 1) * ROW_GAP  # header and rows, in sizes
    size = min(base, height / tall)
    while size > 4 and total(size) > width:  # notes do not shrink under the minimum: not quite linear, so step
        size *= min(0.995, width / total(size))
    note_size = max(min(size, MINIMUM_POINTS), note_share * size)
    column = widths(size)
    spare = max(0.0, width - total(size))
    gap = COLUMN_GAP * size + min(spare / 2, 3 * size)  # spread what is left between the columns, within reason
    x_shape = column[0] + gap
    x_values = x_shape + column[1] + gap
    label_width = label_w * note_size
    spare_height = max(0.0, height - tall * size)
    row_gap = ROW_GAP * size + (min(spare_height / (rows - 1), 2 * size) if rows > 1 else 0)  # longer arrows
    return {"size": size, "note_size": note_size, "calls": calls, "columns": (0.0, x_shape, x_values),
            "call_width": calls_w * size, "label_width": label_width,
            "box_heights": [row_height * size for row_height in row_heights], "row_gap": row_gap,
            "header_height": HEADER * size, "top": height}

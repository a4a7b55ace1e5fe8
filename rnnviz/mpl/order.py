"""The "order matters" picture painted with matplotlib (shared by the slide figure and the explorer): rows of words
in boxes as wide as the words are drawn, a state strip under each word, each model's answer to the right."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch, Rectangle

from rnnviz.mpl.strips import colour_map, norm
from rnnviz.style import drawn_width, neutral

STATE_LABEL = "state h after each word (one colour per unit)"
HEADING = "Order matters: the same words, another order"
AXES, COLOUR_BAR = [0.0, 0.2, 1.0, 0.62], [0.3, 0.13, 0.4, 0.03]  # on a figure of its own: room for titles above


def paint_order(ax, view, *, model_colours=None, colorbar_axes=None) -> dict:
    """Paint ``view`` (an :class:`~rnnviz.views.order.OrderView`) on ``ax``, laid out in inches for the axes' size
    (set its position first). Returns the artists: ``word_texts`` (rows of Texts), ``strips`` (per row, per word, an
    image), ``answer_texts`` ((model, row) -> Text) and ``colorbar`` (in ``colorbar_axes`` if given)."""
    figure = ax.figure
    box = ax.get_position()
    width, height = box.width * figure.get_figwidth(), box.height * figure.get_figheight()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    layout = _Layout(view, width, height)
    artists = {"word_texts": [], "strips": [], "answer_texts": {}, "colorbar": None}
    for row in range(len(view.words)):
        _row(ax, view, layout, row, artists, dict(model_colours or {}))
    _answer_headers(ax, view, layout)
    if view.states is not None:
        artists["colorbar"] = figure.colorbar(artists["strips"][0][0], cax=colorbar_axes,
                                              ax=None if colorbar_axes is not None else ax,
                                              orientation="horizontal", label=STATE_LABEL)
    return artists


def _row(ax, view, layout, row, artists, model_colours):
    """One row: its name, its words in boxes, a strip under each word, each model's answer."""
    ink = neutral("text")
    top = layout.tops[row]
    ax.text(layout.margin, top, view.rows[row], ha="left", va="top", color=neutral("muted"),
            fontsize=layout.label_points)
    middle = top - layout.label_height - layout.box_height / 2
    texts, strips = [], []
    for word, (left, right) in zip(view.words[row], layout.word_spans[row]):
        ax.add_patch(FancyBboxPatch((left, middle - layout.box_height / 2), right - left, layout.box_height,
                                    boxstyle=f"round,pad=0,rounding_size={layout.box_height / 5}",
                                    facecolor=neutral("grid"), edgecolor=ink, linewidth=1.0))
        texts.append(ax.text((left + right) / 2, middle, word, ha="center", va="center_baseline", color=ink,
                             fontsize=layout.word_points))
    if view.states is not None:
        below = middle - layout.box_height / 2 - layout.gap / 2
        for k, (left, right) in enumerate(layout.word_spans[row]):
            values = np.ma.masked_array(view.states[row][k], mask=view.bad[row][k])[None]
            strips.append(ax.imshow(values, cmap=colour_map(view.scale, ax.get_facecolor()), norm=norm(view.scale),
                                    extent=(left, right, below - layout.strip_height, below), aspect="auto",
                                    interpolation="nearest"))
    artists["word_texts"].append(texts)
    artists["strips"].append(strips)
    for model, left in zip(view.answers, layout.answer_lefts):
        artists["answer_texts"][model, row] = _answer(ax, view, layout, model, row, left, middle,
                                                      model_colours.get(model, neutral("muted")))


def _answer(ax, view, layout, model, row, left, middle, colour):
    """``model``'s answer for ``row``: a bar from 0 to 1 filled to the answer, the answer written after it."""
    value = float(view.answers[model][row])
    height = 0.45 * layout.box_height
    ax.add_patch(Rectangle((left, middle - height / 2), layout.bar_width, height, facecolor="none",
                           edgecolor=neutral("muted"), linewidth=0.8))
    ax.add_patch(Rectangle((left, middle - height / 2), layout.bar_width * float(np.clip(value, 0, 1)), height,
                           facecolor=colour, edgecolor="none"))
    return ax.text(left + layout.bar_width + layout.gap, middle, f"{value:.2f}", ha="left", va="center_baseline",
                   color=neutral("text"), fontsize=layout.word_points)


def _answer_headers(ax, view, layout):
    """Each model's name over its answers, and what the answers are over them all."""
    top = layout.tops[0] + layout.gap
    for model, left in zip(view.answers, layout.answer_lefts):
        ax.text(left, top, layout.model_names[model], ha="left", va="bottom", color=neutral("text"),
                fontsize=layout.label_points)
    ax.text(layout.answer_lefts[0], top + layout.header_height, view.answer_name, ha="left", va="bottom",
            color=neutral("muted"), fontsize=layout.label_points)


class _Layout:
    """Where everything goes, in inches on the axes: words in boxes as wide as they are drawn, answers to the right.

    The words are set as large as fits the width, from MAX_SHARE of the theme's font size down to MIN_SHARE of it.
    """

    MIN_SHARE, MAX_SHARE = 0.7, 1.5

    def __init__(self, view, width, height):
        base = plt.rcParams["font.size"]
        self.margin = 0.15
        for share in np.linspace(self.MAX_SHARE, self.MIN_SHARE, 17):
            self.word_points = base * share
            self.label_points = base * min(share, 1.0) * 0.9
            self._measure(view)
            if self.needed <= width - self.margin:
                break
        rows = len(view.words)
        block = self.label_height + self.box_height + self.gap + self.strip_height + 4 * self.gap
        used = self.header_height * 2 + rows * block
        self.tops = [height - (height - used) / 2 - self.header_height * 2 - row * block for row in range(rows)]

    def _measure(self, view):
        inch = 1 / 72
        pad = 0.6 * self.word_points * inch
        self.gap = 0.35 * self.word_points * inch
        self.box_height = 1.9 * self.word_points * inch
        self.strip_height = 0.55 * self.box_height
        self.label_height = 1.5 * self.label_points * inch
        self.word_spans, widest = [], 0.0
        for words in view.words:
            left, spans = self.margin, []
            for word in words:
                right = left + drawn_width(word, self.word_points) * inch + 2 * pad
                spans.append((left, right))
                left = right + self.gap
            self.word_spans.append(spans)
            widest = max(widest, spans[-1][1])
        self.bar_width = 1.2 * self.box_height * 2
        number = drawn_width("0.00", self.word_points) * inch
        self.model_names, column = {}, self.bar_width + self.gap + number
        for model in view.answers:
            lines = _two_lines(model) if drawn_width(model, self.label_points) * inch > column else model
            self.model_names[model] = lines
            column = max(column, drawn_width(lines, self.label_points) * inch)
        self.header_height = 2.4 * self.label_points * inch
        start = widest + 3 * self.gap
        self.answer_lefts = [start + k * (column + 3 * self.gap) for k in range(len(view.answers))]
        self.needed = self.answer_lefts[-1] + column

def _two_lines(text: str) -> str:
    """``text`` broken at the space nearest its middle."""
    spaces = [k for k, character in enumerate(text) if character == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda k: abs(k - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]

"""Can a class read it? Measured on a drawn matplotlib figure, at the size it is saved.

Every check reads what matplotlib actually drew (after ``figure.canvas.draw()``):

- :func:`small_texts`: texts set under a size in points (12 pt by default: the back of
  a lecture hall, on a 16:9 slide of 13.33 × 7.5 in);
- :func:`overlapping_texts`: pairs of texts whose drawn boxes overlap;
- :func:`texts_off_the_figure`: texts that run past the figure's edges;
- :func:`crossed_texts`: texts a diagram's wire (an arrow patch) runs through;
- :func:`width_share`: how much of the figure's width its drawing takes.

:func:`legibility_problems` gathers them for one figure, as sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

MINIMUM_POINTS = 12.0
POINT_TOLERANCE = 0.05  # a text fitted to exactly the minimum comes out a hair under it (float arithmetic)
SLIDE_INCHES = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}


def slide_scale(figure, slide: str = "16:9") -> float:
    """How much a figure is scaled to fit the slide (its text's points are multiplied by this on the slide)."""
    width, height = figure.get_size_inches()
    slide_width, slide_height = SLIDE_INCHES[slide]
    return min(slide_width / width, slide_height / height)


@dataclass(frozen=True)
class DrawnText:
    """One visible text as drawn: its string, its size in points and its box in display pixels."""

    text: str
    points: float
    box: tuple  # (x0, y0, x1, y1)
    artist: object  # the matplotlib Text

    def __str__(self):
        shown = self.text if len(self.text) <= 40 else self.text[:39] + "…"
        return f"{shown!r} ({self.points:.1f} pt)"


def drawn_texts(figure, slide: str = "16:9") -> list:
    """Every text matplotlib draws on ``figure`` (titles, labels, ticks, legends, diagram labels), with its box;
    its points as on a ``slide`` the figure is fitted to.

    The texts are those the renderer is asked to draw, so hidden ticks and turned-off axes do not count.
    """
    shown = _texts_drawn(figure)
    renderer = figure.canvas.get_renderer()
    scale = slide_scale(figure, slide)
    found = []
    for artist in shown:
        box = artist.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            found.append(DrawnText(artist.get_text(), float(artist.get_fontsize()) * scale,
                                   (box.x0, box.y0, box.x1, box.y1), artist))
    return found


def _texts_drawn(figure) -> list:
    """The Text artists the renderer draws, in drawing order (each once).

    A text of several lines is drawn a line at a time without saying whose line it is (matplotlib passes
    ``mtext`` only for one-line texts), so the Text being drawn is followed through ``Text.draw`` itself.
    """
    renderer = figure.canvas.get_renderer()
    draw_text, drawn, drawing = renderer.draw_text, {}, []
    text_draw = Text.draw

    def recording(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        owner = mtext if mtext is not None else drawing[-1] if drawing else None
        if owner is not None and s.strip() and gc.get_rgb()[3] > 0 and gc.get_alpha() != 0:  # visible ink only
            drawn.setdefault(id(owner), owner)
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def following(text, *args, **kwargs):
        drawing.append(text)
        try:
            return text_draw(text, *args, **kwargs)
        finally:
            drawing.pop()

    renderer.draw_text = recording
    Text.draw = following
    try:
        figure.canvas.draw()
    finally:
        Text.draw = text_draw
        del renderer.draw_text  # back to the class's method
    return list(drawn.values())


def small_texts(figure, minimum: float = MINIMUM_POINTS, slide: str = "16:9") -> list:
    """The drawn texts under ``minimum`` points on a ``slide`` the figure is fitted to."""
    return [text for text in drawn_texts(figure, slide) if text.points < minimum - POINT_TOLERANCE]


def overlapping_texts(figure, *, tolerance: float = 1.0) -> list:
    """Pairs of drawn texts whose boxes overlap by more than ``tolerance`` pixels each way."""
    texts = drawn_texts(figure)
    pairs = []
    for i, first in enumerate(texts):
        for second in texts[i + 1:]:
            if _overlap(first.box, second.box) > tolerance:
                pairs.append((first, second))
    return pairs


def texts_off_the_figure(figure, *, tolerance: float = 1.0) -> list:
    """The drawn texts that run past the figure's edges (a title too long for one line, a label cut off)."""
    width, height = figure.bbox.width, figure.bbox.height
    return [text for text in drawn_texts(figure) if text.box[0] < -tolerance or text.box[1] < -tolerance
            or text.box[2] > width + tolerance or text.box[3] > height + tolerance]


def _overlap(a, b) -> float:
    """How far two boxes overlap: the smaller of their overlaps in x and in y (pixels; <= 0: apart)."""
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def crossed_texts(figure, *, inset: float = 1.5) -> list:
    """``(text, arrow)`` pairs where a diagram wire (an arrow patch) runs through a drawn text's box."""
    figure.canvas.draw()
    arrows = [patch for patch in figure.findobj(FancyArrowPatch) if patch.get_visible()]
    crossed = []
    for text in drawn_texts(figure):
        x0, y0, x1, y1 = text.box[0] + inset, text.box[1] + inset, text.box[2] - inset, text.box[3] - inset
        for arrow in arrows:
            if _passes_through(_display_points(arrow), (x0, y0, x1, y1)):
                crossed.append((text, arrow))
                break
    return crossed


def _display_points(arrow) -> np.ndarray:
    """The arrow's drawn path (line and head) in display pixels, densely sampled along each of its pieces."""
    path = arrow.get_transform().transform_path(arrow.get_path())  # get_path() is in the arrow's own coordinates
    samples = [np.linspace(a, b, 60) for piece in path.to_polygons(closed_only=False)
               for a, b in zip(piece[:-1], piece[1:])]
    return np.concatenate(samples) if samples else np.empty((0, 2))


def _passes_through(points, box) -> bool:
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return False
    inside = (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)
    return bool(inside.any())


def width_share(figure) -> float:
    """The share of the figure's width its drawn texts and patches span (0 … 1)."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    lefts, rights = [], []
    for ax in figure.axes:
        for artist in [*ax.patches, *ax.texts, *ax.images, *ax.lines]:
            if artist.get_visible():
                box = artist.get_window_extent(renderer)
                if box.width > 0:
                    lefts.append(box.x0)
                    rights.append(box.x1)
    if not lefts:
        return 0.0
    width = figure.bbox.width
    return float((min(max(rights), width) - max(min(lefts), 0.0)) / width)


def legibility_problems(figure, *, diagram: bool = False, minimum: float = MINIMUM_POINTS,
                        fill: float = 0.6, slide: str = "16:9") -> list:
    """Every problem a class would see on ``figure``, one sentence each (empty: none).

    ``diagram``: also wires through labels and a drawing narrower than ``fill`` of the width.
    """
    problems = [f"text under {minimum:g} pt on a {slide} slide: {text}" for text in small_texts(figure, minimum, slide)]
    problems += [f"texts overlap: {first} and {second}" for first, second in overlapping_texts(figure)]
    problems += [f"text runs off the figure: {text}" for text in texts_off_the_figure(figure)]
    if diagram:
        problems += [f"a wire runs through {text}" for text, _ in crossed_texts(figure)]
        share = width_share(figure)
        if share < fill:
            problems.append(f"the drawing takes {share:.0%} of the width (at least {fill:.0%})")
    return problems

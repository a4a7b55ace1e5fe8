"""What a class sees of a video frame: the size of every text on a 16:9 slide, texts that overlap, texts off the frame.

The frame is ``config.frame_height`` units tall and fills a 16:9 slide 7.5 in tall, so a unit is
``540 / frame_height`` points. A ``Text``'s ``font_size`` follows it as it is scaled, and a manim font
size of 1 is an em of 1/72 unit (measured: "M" at font size 48 is 0.486 units tall, DejaVu Sans's cap
height being 0.729 em), so a text's size on the slide is ``font_size * 540 / (72 * frame_height)``
points: 0.9375 pt per font size in manim's default frame of 8 units.
"""

from __future__ import annotations

import numpy as np
from manim import DecimalNumber, Text, config

from rnnviz.mpl.legibility import MINIMUM_POINTS

SLIDE_HEIGHT_POINTS = 540.0  # a 16:9 slide 13.33 x 7.5 in
EM_PER_FONT_SIZE = 1 / 72  # manim units per unit of Text.font_size
OVERLAP = 0.02  # units two texts' boxes may share (glyph boxes touch)


def slide_points(text) -> float:
    """The size in points of ``text`` (a manim ``Text``) on a 16:9 slide the frame fills."""
    return float(text.font_size) * EM_PER_FONT_SIZE * SLIDE_HEIGHT_POINTS / config.frame_height


def frame_texts(mobjects) -> list:
    """Every text a frame of ``mobjects`` shows: each ``Text``, and each number as one (not its digits)."""
    found = []

    def visit(mobject):
        if isinstance(mobject, (Text, DecimalNumber)):
            found.append(mobject)
            return
        for part in mobject.submobjects:
            visit(part)

    for mobject in mobjects:
        visit(mobject)
    return found


def frame_problems(mobjects, *, minimum: float = MINIMUM_POINTS) -> list:
    """Every problem a class would see in a frame of ``mobjects``, one sentence each (empty: none)."""
    texts = [text for text in frame_texts(mobjects) if text.width > 0 and _shown(text)]
    problems = []
    for text in texts:
        shown = text if isinstance(text, Text) else text.submobjects[0]
        if isinstance(shown, Text) and slide_points(shown) < minimum - 0.05:
            problems.append(f"text under {minimum:g} pt on a 16:9 slide: {_name(text)!r} ({slide_points(shown):.1f} pt)")
    boxes = [_box(text) for text in texts]
    for i, first in enumerate(texts):
        for j in range(i + 1, len(texts)):
            if _overlap(boxes[i], boxes[j]) > OVERLAP:
                problems.append(f"texts overlap: {_name(first)!r} and {_name(texts[j])!r}")
    half_width, half_height = config.frame_width / 2, config.frame_height / 2
    for text, (left, bottom, right, top) in zip(texts, boxes):
        if left < -half_width or right > half_width or bottom < -half_height or top > half_height:
            problems.append(f"text runs off the frame: {_name(text)!r}")
    return problems


def _shown(text) -> bool:
    """Whether any part of ``text`` is drawn (fill or stroke not fully transparent)."""
    return any(part.get_fill_opacity() > 0 or part.get_stroke_opacity() > 0 for part in text.family_members_with_points())


def _name(text) -> str:
    if isinstance(text, Text):
        return getattr(text, "original_text", text.text)[:30]
    return "".join(_name(part) for part in text.submobjects if isinstance(part, Text))[:30]


def _box(text) -> tuple:
    left, bottom = text.get_corner(np.array([-1, -1, 0]))[:2]
    right, top = text.get_corner(np.array([1, 1, 0]))[:2]
    return float(left), float(bottom), float(right), float(top)


def _overlap(a, b) -> float:
    """The smaller side of the rectangle two boxes share (0 if they are apart)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, min(width, height))

"""Paint a :class:`~rnnviz.diagrams.Diagram` in manim: the same geometry and colours as the slide figures.

:class:`DiagramMobject` is a ``VGroup`` with one mobject per node, edge and label,
placed at the diagram's own coordinates (y up, as in manim) and then scaled to fit
the frame. :class:`ValueStrip` shows a vector (a gate's activation per unit, a
state) as a row of squares whose fill opacity or colour follows the values.
"""

from __future__ import annotations

import functools

import numpy as np
from manim import (
    Arrow,
    DashedLine,
    Ellipse,
    Line,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
)

from rnnviz.diagrams.appearance import direction_colour, drawn_path, edge_colour, node_colour
from rnnviz.style import neutral

THEME = "dark"  # videos: light text on manim's dark background
FONT = "DejaVu Sans"  # installed with the system libraries manim needs; the slide figures' font too


def point(x, y):
    return np.array([x, y, 0.0])


def strip_place(node):
    """Where a node's value strip goes: its lower part, under a label shifted up (``label_shift`` ~0.2)."""
    return point(node.x, node.y - node.height * 0.2)


class DiagramMobject(VGroup):
    """A diagram painted with manim mobjects: ``get_node(id)``, ``get_edge(source, target)``, ``get_label(text)``.

    Parameters
    ----------
    diagram : rnnviz.diagrams.Diagram
    width, height : float, optional
        Scale the painted diagram to fit inside this size (frame units).
    label_shift : dict, optional
        Role -> fraction of a node's height to move its label up (room for a value strip below).
    """

    def __init__(self, diagram, *, width=None, height=None, label_shift=None, **kwargs):
        super().__init__(**kwargs)
        self.diagram = diagram
        self.nodes, self.node_labels, self.edges, self.labels = {}, {}, {}, []
        text = neutral("text", THEME)
        for edge in diagram.edges:
            self.edges[edge.source, edge.target] = _arrow(diagram, edge)
        for node in diagram.nodes:
            shape = _shape(node)
            self.nodes[node.id] = shape
            if node.label:
                shift = (label_shift or {}).get(node.role, 0.0) * node.height
                label = _fitted_text(node.label, node.width * 0.92, node.height * (0.42 if shift else 0.75), text)
                label.move_to(point(node.x, node.y + shift))
                self.node_labels[node.id] = label
        _same_size([self.node_labels[node.id] for node in diagram.nodes if node.role == "gate" and node.label])
        xmin, xmax, _, _ = diagram.bounds
        for diagram_label in diagram.labels:
            room = 3.0 if diagram_label.role == "row" else 0.8 * (xmax - xmin)
            slant = "ITALIC" if diagram_label.role == "equation" else "NORMAL"
            colour = direction_colour(diagram_label) or text  # a Bidirectional row's title in its direction's colour
            lines = diagram_label.text.count("\n") + 1  # each line up to 0.3 units tall, as the layouts reserve
            label = _fitted_text(diagram_label.text, room, 0.3 * lines, colour, slant=slant, font_size=20)
            edge = {"left": -1, "center": 0, "right": 1}[diagram_label.anchor]
            label.move_to(point(diagram_label.x, diagram_label.y))
            label.shift(-edge * label.width / 2 * np.array([1, 0, 0]))
            self.labels.append(label)
        self.add(*self.edges.values(), *self.nodes.values(), *self.node_labels.values(), *self.labels)
        if width is not None or height is not None:
            self.fit(width, height)

    def fit(self, width=None, height=None):
        """Scale the whole diagram (and what was added to it) to fit ``width`` x ``height``, centred in the frame.

        Until then it sits at the diagram's own coordinates, so more can be added at a node's (x, y).
        """
        factors = [limit / size for limit, size in ((width, self.width), (height, self.height)) if limit is not None]
        self.scale(min(factors))
        return self.move_to(np.zeros(3))

    def get_node(self, node_id: str):
        """The outline of node ``node_id`` (a rounded rectangle or an ellipse)."""
        if node_id not in self.nodes:
            raise KeyError(f"node_id: no node {node_id!r}; expected one of {sorted(self.nodes)}")
        return self.nodes[node_id]

    def get_edge(self, source: str, target: str):
        """The arrow from ``source`` to ``target``."""
        return self.edges[source, target]

    def get_label(self, node_id: str):
        """The text drawn in node ``node_id``."""
        return self.node_labels[node_id]


def _shape(node):
    colour = node_colour(node, THEME)
    if node.shape == "circle":
        shape = Ellipse(width=node.width, height=node.height, color=colour, stroke_width=3)
        shape.set_fill(neutral("background", THEME), opacity=1.0)
    elif node.shape == "text":
        shape = Rectangle(width=node.width, height=node.height, stroke_opacity=0.0)
    else:
        shape = RoundedRectangle(width=node.width, height=node.height, corner_radius=min(0.08, node.height / 4),
                                 color=colour, stroke_width=4 if node.role in ("cell", "gate") else 2.5)
        shape.set_fill(colour, opacity=0.18)
    shape.move_to(point(node.x, node.y))
    return shape


def _arrow(diagram, edge):
    """The edge as line segments ending in an arrow tip (dashed for peepholes and elided steps)."""
    points = [point(*p) for p in drawn_path(diagram, edge)]
    colour = edge_colour(edge, THEME)
    width = 7 if edge.role == "conveyor" else 3
    segment = DashedLine if edge.style == "dashed" else Line
    parts = [segment(a, b, color=colour, stroke_width=width) for a, b in zip(points[:-2], points[1:-1])]
    parts.append(Arrow(points[-2], points[-1], buff=0, color=colour, stroke_width=width,
                       max_tip_length_to_length_ratio=0.5, tip_length=0.16))
    return VGroup(*parts)


class SceneText(Text):
    """``Text`` (Pango, no LaTeX) in the videos' font; also the digits of ``DecimalNumber(mob_class=SceneText)``."""

    def __init__(self, content: str, **kwargs):
        kwargs.setdefault("font", FONT)
        super().__init__(content, **kwargs)


def text(content: str, *, font_size: float = 24, colour: str | None = None, **kwargs) -> Text:
    """A :class:`SceneText`, by default in the theme's text colour.

    Laying out text takes ~40 ms and the same labels recur (h₀, x₁, row names), so each
    distinct text is laid out once and copied after that.
    """
    return _laid_out(content, font_size, colour or neutral("text", THEME), tuple(sorted(kwargs.items()))).copy()


@functools.lru_cache(maxsize=1024)
def _laid_out(content, font_size, colour, options) -> Text:
    return SceneText(content, font_size=font_size, color=colour, **dict(options))


def _fitted_text(content, width, height, colour, **kwargs):
    """``Text`` (font size 24 unless given) in diagram units, made smaller where it would not fit ``width`` x ``height``."""
    text_mobject = text(content, colour=colour, **kwargs)
    return _fit(text_mobject, width, height)


def _same_size(labels) -> None:
    """Scale every label down to the smallest one's font size (each one's centre kept): one size for a family."""
    if labels:
        smallest = min(label.font_size for label in labels)
        for label in labels:
            label.scale(smallest / label.font_size)


def _fit(text, width, height):
    if text.width > width:
        text.scale_to_fit_width(width)
    if text.height > height:
        text.scale_to_fit_height(height)
    return text


class ValueStrip(VGroup):
    """A vector as a row of squares coloured by a :class:`~rnnviz.views.scales.ColourScale`.

    Each square is filled with the colour its value fades towards (the scale's hue), at
    an opacity equal to its strength: over the background that is exactly the colour
    :meth:`ColourScale.colours` gives, as in the slide figures. Values that cannot be a
    colour (``bad``) are filled with the text colour. ``values`` is what the squares show.
    """

    def __init__(self, count: int, *, width: float, height: float, scale):
        super().__init__()
        self.scale = scale
        step = width / count  # square cells while they fit, narrower bars for many units
        size = min(height, step)
        outline = 1 if count <= 16 else 0
        self.cells = [Rectangle(width=step * 0.88, height=size * 0.9 if step >= height else height, stroke_width=outline,
                                stroke_color=neutral("muted", THEME)) for _ in range(count)]
        self.add(*self.cells).arrange(buff=step * 0.12)
        self.values = np.zeros(count)
        self.set_values(self.values)

    def set_values(self, values, bad=None):
        """Colour the squares for ``values`` (count,); ``bad`` (count,) bool marks the ones that cannot be a colour."""
        values = np.asarray(values, float)
        if values.shape != (len(self.cells),):
            raise ValueError(f"values: expected {len(self.cells)} values, got shape {values.shape}")
        bad = ~np.isfinite(values) if bad is None else np.asarray(bad, bool) | ~np.isfinite(values)
        self.values = values
        strengths, hues = self.scale.strength(values), self.scale.hues(values)
        for cell, strength, hue, marked in zip(self.cells, strengths, hues, bad):
            if marked:
                cell.set_fill(neutral("text", THEME), opacity=1.0)
            else:
                cell.set_fill(hue, opacity=float(strength))
        return self

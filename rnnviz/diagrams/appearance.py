"""What every painter of a diagram shares: the colour of a node or an edge, and an edge's path between node outlines.

The matplotlib painter (:mod:`rnnviz.mpl.diagram`) and the manim painter
(:mod:`rnnviz.scenes.painter`) both take their look from here, so a slide figure and
a video frame of the same diagram agree.
"""

from __future__ import annotations

import math

from rnnviz.style import PALETTE, neutral

# What a wire carries: c on the conveyor, on its taps and on peepholes (which read c; the diagrams dash them), h on
# recurrent links;
# a state handed from one layer to another is coloured by the state (its data["state"]: "h" or "c").
EDGE_COLOURS = {"conveyor": PALETTE["c"], "tap": PALETTE["c"], "recurrent": PALETTE["h"], "peephole": PALETTE["c"]}

DIRECTIONS = ("forward", "backward")


def node_colour(node, theme: str | None = None) -> str:
    """The palette colour a node is drawn in: its gate's, its state's, its cell kind's, or the text colour.

    A cell is always its kind's colour, whichever way it reads; a direction has a colour only where a
    picture shows both (see :func:`direction_colour`).
    """
    data = node.data
    if "gate" in data:
        return PALETTE[data["gate"]]
    if node.role == "cell":
        return PALETTE.get(data.get("kind"), neutral("text", theme))
    if node.role == "state" and data.get("state") in PALETTE:
        return PALETTE[data["state"]]
    return neutral("text", theme)


def direction_colour(item) -> str | None:
    """The direction colour of a node or row label of a Bidirectional layer (rows of both directions), else None.

    A cell of such a row names its layer ``"<name>/forward"`` or ``"<name>/backward"``; its row label ends in a
    line ``forward`` or ``backward``. A one-way layer's cells and labels have no direction colour: with only one
    direction in a picture the colour would say nothing.
    """
    data = getattr(item, "data", None)
    if data is not None:
        direction, layer = data.get("direction"), str(data.get("layer", "")).split("#")[0]
        return PALETTE[direction] if direction in DIRECTIONS and layer.endswith(f"/{direction}") else None
    last_line = getattr(item, "text", "").rpartition("\n")[2].strip()
    return PALETTE[last_line] if getattr(item, "role", "") == "row" and last_line in DIRECTIONS else None


def label_colour(label, theme: str | None = None) -> str:
    """The colour of a free label: a Bidirectional row's title in its direction's colour, any other in the text colour."""
    return direction_colour(label) or neutral("text", theme)


def edge_colour(edge, theme: str | None = None) -> str:
    """The colour of an edge: its role's (the cell state's conveyor, recurrent links, peepholes), a handed-over
    state's, or the text colour."""
    if edge.role == "state":
        return PALETTE[edge.data.get("state", "h")]
    return EDGE_COLOURS.get(edge.role, neutral("text", theme))


def edge_path(diagram, edge) -> list:
    """The points (x, y) an edge's arrow goes through, from the source's outline to the target's."""
    source, target = diagram.node(edge.source), diagram.node(edge.target)
    points = [(source.x, source.y), *edge.points, (target.x, target.y)]
    points[0] = clip(source, points[1])
    points[-1] = clip(target, points[-2])
    return points


HOP = 0.09  # the radius of the bridge a wire makes over a wire it crosses (diagram units)


def drawn_path(diagram, edge) -> list:
    """:func:`edge_path` as painted: with a small bridge (a half circle) wherever it crosses, at a right angle, a
    wire drawn before it (earlier in ``diagram.edges``), so two crossing wires never read as joined."""
    path = edge_path(diagram, edge)
    earlier = [edge_path(diagram, other) for other in diagram.edges[:diagram.edges.index(edge)]
               if other.source != edge.source]  # branches of one wire may meet: they carry the same value
    drawn = [path[0]]
    for start, end in zip(path[:-1], path[1:]):
        for crossing in sorted(_crossings(start, end, earlier), key=lambda c: math.dist(start, c)):
            drawn += _bridge(start, end, crossing)
        drawn.append(end)
    return drawn


def _crossings(start, end, paths) -> list:
    """Where the upright or level segment ``start``–``end`` crosses a segment of ``paths`` at a right angle, away
    from both segments' ends."""
    found = []
    for path in paths:
        for a, b in zip(path[:-1], path[1:]):
            for level, upright in (((start, end), (a, b)), ((a, b), (start, end))):
                (x0, y), (x1, y1) = level
                (x, y2), (x3, y3) = upright
                if y != y1 or x != x3:
                    continue
                if min(x0, x1) + HOP < x < max(x0, x1) - HOP and min(y2, y3) + HOP < y < max(y2, y3) - HOP:
                    found.append((x, y))
    return found


def _bridge(start, end, crossing) -> list:
    """The points of a half circle of radius HOP over ``crossing`` on the segment ``start``–``end`` (up for a level
    segment, right for an upright one)."""
    length = math.dist(start, end)
    ux, uy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    nx, ny = (0.0, 1.0) if uy == 0 else (1.0, 0.0)
    return [(crossing[0] - HOP * math.cos(angle) * ux + HOP * math.sin(angle) * nx,
             crossing[1] - HOP * math.cos(angle) * uy + HOP * math.sin(angle) * ny)
            for angle in (math.pi * k / 8 for k in range(9))]


def clip(node, towards) -> tuple:
    """Where the line from the node's centre towards ``towards`` leaves the node.

    A box's wire from a point above or below its outline (within its width) enters upright at that point's x.
    """
    dx, dy = towards[0] - node.x, towards[1] - node.y
    if dx == 0 and dy == 0 or node.role == "junction":
        return (node.x, node.y)
    if node.shape != "circle" and dx and dy and abs(dx) < node.width / 2:  # from straight above or below: enter upright
        return (towards[0], node.y + math.copysign(node.height / 2, dy))
    if node.shape == "circle":
        scale = 1 / math.hypot(dx / (node.width / 2), dy / (node.height / 2))
    else:
        scale = min(abs(node.width / 2 / dx) if dx else math.inf, abs(node.height / 2 / dy) if dy else math.inf)
    scale = min(scale, 1.0)
    return (node.x + dx * scale, node.y + dy * scale)

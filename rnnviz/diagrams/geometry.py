"""The plain-data vocabulary of every diagram: :class:`Node`, :class:`Edge`, :class:`Label`, :class:`Diagram`.

Coordinates are abstract units with y pointing up (as in manim and in a
matplotlib axes with equal aspect); a painter scales them to its canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHAPES = ("box", "circle", "text")


@dataclass(frozen=True)
class Node:
    """One thing drawn: a cell, a gate, a pointwise operation, an input or an output.

    Parameters
    ----------
    id : str
        Unique within its diagram.
    x, y : float
        Centre.
    width, height : float
    role : str
        What it is (``"cell"``, ``"input"``, ``"output"``, ``"gate"``, ``"operation"``,
        ``"state"``, ``"ellipsis"``, ...); painters choose the look by role.
    label : str
    shape : ``"box"``, ``"circle"`` or ``"text"``
    data : dict
        Where the node's values live in a trace: ``layer``, ``step``, ``gate``,
        ``state``, ``direction``.
    """

    id: str
    x: float
    y: float
    width: float
    height: float
    role: str
    label: str = ""
    shape: str = "box"
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"shape: expected one of {SHAPES}, got {self.shape!r}")


@dataclass(frozen=True)
class Edge:
    """An arrow from one node to another, through optional bend ``points`` (x, y) on the way."""

    source: str
    target: str
    role: str = "flow"
    points: tuple = ()
    label: str = ""
    style: str = "solid"  # or "dashed" (peepholes, elided steps)
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Label:
    """Free text placed at (x, y): a row title, an equation, a caption.

    ``width``, if given, is the room the text takes beside its anchor (diagram units):
    it counts in the diagram's :attr:`~Diagram.bounds`, and painters keep the text within it.
    """

    text: str
    x: float
    y: float
    role: str = "caption"
    anchor: str = "center"  # "left", "center" or "right"
    width: float = 0.0

    @property
    def span(self) -> tuple:
        """(left, right) of the room the text takes."""
        left = {"left": 0.0, "center": 0.5, "right": 1.0}[self.anchor] * self.width
        return self.x - left, self.x - left + self.width


@dataclass(frozen=True)
class Diagram:
    """A whole picture: nodes, edges between them, free labels, and named groups of node ids."""

    name: str
    nodes: tuple
    edges: tuple = ()
    labels: tuple = ()
    groups: dict = field(default_factory=dict)

    def __post_init__(self):
        ids = [node.id for node in self.nodes]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"nodes: ids must be unique, repeated: {repeated}")
        known = set(ids)
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in known:
                    raise ValueError(f"edges: {edge.source!r} -> {edge.target!r} names an unknown node {end!r}")

    def __deepcopy__(self, memo):
        # A diagram is a value (frozen): copies of what holds one (manim copies every mobject
        # it animates) can share it instead of rebuilding every node.
        return self

    def node(self, node_id: str) -> Node:
        """The node called ``node_id``."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"node_id: no node {node_id!r} in diagram {self.name!r}")

    def find(self, role: str | None = None, **data) -> list:
        """The nodes with this ``role`` (if given) whose ``data`` has all the given items."""
        return [
            node
            for node in self.nodes
            if (role is None or node.role == role) and all(node.data.get(k) == v for k, v in data.items())
        ]

    @property
    def bounds(self) -> tuple:
        """(xmin, xmax, ymin, ymax) around every node and label."""
        xs = [n.x - n.width / 2 for n in self.nodes] + [n.x + n.width / 2 for n in self.nodes]
        ys = [n.y - n.height / 2 for n in self.nodes] + [n.y + n.height / 2 for n in self.nodes]
        for edge in self.edges:
            xs += [p[0] for p in edge.points]
            ys += [p[1] for p in edge.points]
        xs += [x for label in self.labels for x in label.span]
        ys += [label.y for label in self.labels]
        return min(xs), max(xs), min(ys), max(ys)

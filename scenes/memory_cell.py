"""The memory cell: folded with its trained weights, then unrolled step by step, every step using the same weights.

    rnnviz render memory_cell

The numbers are the lesson ``forecasting``'s (shipped): the SimpleRNN forecaster's own Wₓ, Wₕ
and b (as Keras holds them) drawn as heatmaps beside the folded cell's arrows, and its states on a
validation window. At each step copies of the one set of heatmaps fly to that step's arrows, the
input appears, one unit's sum is written with its numbers, and the cell fills with the state hₜ
the trained layer computed.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, ORIGIN, UL, Create, FadeIn, Group, Rectangle, SurroundingRectangle, Transform, VGroup, Write

from rnnviz.diagrams.memory_cell import UNROLLED_LEFT, WEIGHT_NAMES
from rnnviz.scenes.painter import THEME, DiagramMobject, ValueStrip, point, strip_place, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import neutral
from rnnviz.views.memory_cell import memory_cell_view

WIDTH, HEIGHT = 13.0, 5.4  # the diagram's room in the frame
KEY_SEGMENTS = 64  # colours in a colour key
STEPS = 3  # unrolled: text of 12 pt or more on a 16:9 slide


class MemoryCellMobject(Group):
    """The memory cell picture of a :class:`~rnnviz.views.memory_cell.MemoryCellView`: the slide figure's diagram,
    each weight slot with its heatmap (``heatmaps[node id]``), each cell with its state (``strips[node id]``), the
    colour keys (``keys``).

    ``folded()`` is the folded cell with its heatmaps and key, ``skeleton()`` the unrolled chain without values,
    ``step_values(k)`` what step ``k`` adds: its copies of the weights, its input's value, its state.
    """

    def __init__(self, view, *, width: float = WIDTH, height: float = HEIGHT):
        super().__init__()
        self.view = view
        self.diagram = DiagramMobject(view.diagram, label_shift={"cell": 0.22})
        background = neutral("background", THEME)
        self.heatmaps = {node.id: heatmap(view.image(node.data["weight"]), view.weight_scale, node, background)
                         for node in view.diagram.find("weights")}
        self.strips = {}
        for node_id, strip in view.strips.items():
            node = view.diagram.node(node_id)
            painted = ValueStrip(len(strip.values), width=node.width * 0.8, height=node.height * 0.34, scale=strip.scale)
            self.strips[node_id] = painted.move_to(strip_place(node)).set_values(strip.values, strip.bad)
        self.keys = {node.data["key"]: colour_key(view.weight_scale if node.data["key"] == "weights"
                                                  else view.state_scale, node, background)
                     for node in view.diagram.find("key")}
        self.diagram.add(*self.strips.values(), *self.keys.values())
        self.add(self.diagram, *self.heatmaps.values())  # images are no VMobjects: beside the diagram, at its coordinates
        self.scale(min(width / self.width, height / self.height), about_point=ORIGIN).move_to(ORIGIN)

    def _parts(self, node_ids, *, labels) -> list:
        diagram = self.diagram
        nodes = [part for node_id in node_ids for part in (diagram.nodes[node_id], diagram.node_labels.get(node_id))
                 if part is not None]
        edges = [arrow for (source, target), arrow in diagram.edges.items() if target in node_ids]
        return [*edges, *nodes, *labels]

    def folded(self) -> Group:
        """The folded cell, its weights' heatmaps and their colour key, the equations."""
        folded = {node.id for node in self.view.diagram.nodes if "step" not in node.data and node.x < UNROLLED_LEFT}
        labels = [label for label, drawn in zip(self.diagram.labels, self.view.diagram.labels) if drawn.x < UNROLLED_LEFT]
        return Group(*self._parts(folded - {"weights_key"}, labels=labels), *self.heatmaps_of(folded),
                     self.keys["weights"])

    def skeleton(self) -> VGroup:
        """The unrolled chain without values: h₀, the cells, the inputs, the arrows and their names, the state key."""
        values = {node.id for node in self.view.diagram.find("value")} | {node.id for node in self.view.diagram.find("weights")}
        unrolled = {node.id for node in self.view.diagram.nodes if node.x >= UNROLLED_LEFT} - values - {"states_key"}
        labels = [label for label, drawn in zip(self.diagram.labels, self.view.diagram.labels) if drawn.x >= UNROLLED_LEFT]
        return VGroup(*self._parts(unrolled, labels=labels), self.keys["states"])

    def heatmaps_of(self, node_ids) -> list:
        return [image for node_id, image in self.heatmaps.items() if node_id in node_ids]

    def copies(self, step: int) -> dict:
        """Weight name -> step ``step``'s copy of it (its heatmap beside that step's arrow)."""
        return {node.data["weight"]: self.heatmaps[node.id] for node in self.view.diagram.find("weights", step=step)}

    def step_values(self, step: int) -> list:
        """What step ``step`` shows of its own: its input's value and its state (its copies of the weights apart)."""
        return [self.diagram.node_labels[f"x_{step}_value"], self.strips[f"cell_{step}"]]


def heatmap(values, scale, node, background) -> VGroup:
    """``values`` (rows, units) as squares filling ``node``'s box, each the colour its scale gives it, outlined."""
    rows = np.atleast_2d(values)
    colours = _hex(scale.colours(rows, background))
    height, width = node.height / rows.shape[0], node.width / rows.shape[1]
    left, top = node.x - node.width / 2, node.y + node.height / 2
    square = Rectangle(width=width, height=height, stroke_width=0)  # copied: a thousand squares made fast
    cells = VGroup(*(square.copy().set_fill(colours[i * rows.shape[1] + j], 1.0)
                     .move_to(point(left + (j + 0.5) * width, top - (i + 0.5) * height))
                     for i in range(rows.shape[0]) for j in range(rows.shape[1])))
    outline = Rectangle(width=node.width, height=node.height, stroke_width=1.5, stroke_color=neutral("muted", THEME))
    return VGroup(cells, outline.move_to(point(node.x, node.y)))


def colour_key(scale, node, background) -> VGroup:
    """``scale``'s colours as a bar in ``node``'s box, its ends and 0 written under it."""
    values = np.linspace(scale.low, scale.high, KEY_SEGMENTS)
    width = node.width / KEY_SEGMENTS
    bar = VGroup(*(Rectangle(width=width, height=node.height, stroke_width=0).set_fill(colour, opacity=1.0)
                   .move_to(point(node.x - node.width / 2 + (k + 0.5) * width, node.y))
                   for k, colour in enumerate(_hex(scale.colours(values, background)))))
    ticks = [(scale.low, f"{scale.low:+.2f}".replace("-", "−")), (0.0, "0"), (scale.high, f"{scale.high:+.2f}")]
    labels = VGroup(*(text(label, font_size=20).move_to(
        point(node.x + node.width * (value - scale.low) / (scale.high - scale.low) - node.width / 2,
              node.y - node.height / 2 - 0.25)) for value, label in ticks))
    return VGroup(bar, labels)


def _hex(rgb) -> list:
    return ["#" + "".join(f"{round(channel * 255):02X}" for channel in colour) for colour in rgb]


class MemoryCellScene(SteppedScene):
    """The memory cell of ``trace``'s SimpleRNN (default: the lesson ``forecasting``'s, shipped) folded, then
    unrolled over ``steps`` steps of ``sample``."""

    def __init__(self, trace=None, *, sample: int = 0, steps: int = STEPS, step: int | None = None, **kwargs):
        if trace is None:
            from rnnviz import lessons

            trace = lessons.trace("forecasting", "simple_rnn")
        self.view = memory_cell_view(trace, sample=sample, steps=steps)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return ["the folded cell and its weights", *(f"step {k + 1}: h{k + 1}" for k in range(self.view.steps))]

    def build(self):
        """Title, subtitle and the picture (kept as ``picture``; its parts are shown step by step)."""
        title = text("The memory cell: the same weights at every step", font_size=32).to_corner(UL, buff=0.3)
        subtitle = text(f"the trained SimpleRNN forecaster's Wₓ, Wₕ, b ({self.view.units} units) and its states on "
                        f"validation window {self.view.sample}", font_size=20, colour=neutral("muted", THEME))
        subtitle.next_to(title, DOWN, buff=0.12).align_to(title, [-1, 0, 0])
        self.picture = picture = MemoryCellMobject(self.view).next_to(subtitle, DOWN, buff=0.25)
        return VGroup(title, subtitle), picture

    def sum_line(self, step: int, picture):
        return text(self.view.sum_text(step), font_size=22).next_to(picture, DOWN, buff=0.25)

    @staticmethod
    def ring(picture, step: int):
        """The frame around step ``step``'s cell: the step being computed."""
        return SurroundingRectangle(picture.diagram.nodes[f"cell_{step}"], buff=0.08, corner_radius=0.1, stroke_width=4,
                                    color=neutral("text", THEME))

    def still(self, step: int):
        heading, picture = self.build()
        self.add(heading, picture.folded())
        if step == 0:
            return
        self.add(picture.skeleton())
        for k in range(step):
            self.add(*picture.copies(k).values(), *picture.step_values(k))
        self.add(self.sum_line(step - 1, picture), self.ring(picture, step - 1))

    def animate(self):
        heading, picture = self.build()
        self.begin_step(0)
        self.play(Write(heading[0]), FadeIn(heading[1]), run_time=0.8)
        self.play(FadeIn(picture.folded()), run_time=1.0)
        self.end_step()
        line = ring = None
        big = {name: picture.heatmaps[name] for name in WEIGHT_NAMES}  # the folded cell's: the one set
        for k in range(self.view.steps):
            self.begin_step(k + 1)
            if k == 0:
                self.play(FadeIn(picture.skeleton()), run_time=0.8)
            new_ring = self.ring(picture, k)
            if ring is None:
                self.play(Create(new_ring), run_time=0.4)
                ring = new_ring
            else:
                self.play(ring.animate.become(new_ring), run_time=0.4)
            flying = {name: big[name].copy() for name in big}
            targets = picture.copies(k)
            self.play(*(Transform(flying[name], targets[name]) for name in flying), run_time=0.8)
            self.remove(*flying.values())
            self.add(*targets.values())
            value, strip = picture.step_values(k)
            new_line = self.sum_line(k, picture)
            self.play(FadeIn(value), FadeIn(new_line) if line is None else Transform(line, new_line), run_time=0.5)
            if line is not None:
                self.remove(line)
            self.add(new_line)
            line = new_line
            self.play(FadeIn(VGroup(strip)), run_time=0.5)  # a ValueStrip's own .scale is its colour scale
            self.end_step()
        self.wait(0.6)

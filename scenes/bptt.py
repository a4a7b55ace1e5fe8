"""Backpropagation through time: the answer's error signal walks back one Jacobian at a time, SimpleRNN above LSTM.

    manim -ql scenes/bptt.py BPTTScene

The numbers are the lesson ``memory``'s (shipped, :func:`rnnviz.lessons.memory.measure_bptt`), drawn from its
results through :func:`rnnviz.views.bptt.bptt_view`, the slide figure's view
(:class:`rnnviz.figures.bptt.BPTTDisplay`): one held-out sequence whose first marked number lies 100 steps
back. Each step moves the signal one arrow back: the arrow's Jacobian norm appears on it and, under the cell
reached, the error signal ``‖∂ŷ/∂s_t‖``, the product ``‖∂h_T/∂h_t‖`` and the product of the norms crossed.
The last step crosses the many steps the picture does not draw one by one.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UL, UP, Arrow, DashedLine, Dot, FadeIn, RoundedRectangle, VGroup, Write, config

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import PALETTE, neutral
from rnnviz.views.bptt import ARROWS, HEADING, ROWS, bptt_view

LEFT_EDGE, RIGHT_EDGE = -3.75, 6.35  # the drawn cells' centres span this, in frame units
CELL = (1.25, 0.5)
ROW_GAP = 0.5  # between the rows of numbers under a chain
CHAIN_TOPS = (1.5, -1.6)  # each chain's cells' centre
FONT = 17  # numbers and labels (16 pt on a 16:9 slide)


class BPTTScene(SteppedScene):
    """``results`` (the lesson ``memory``'s; default: shipped) drawn one step back per section."""

    def __init__(self, results=None, *, sequence: int = 0, step: int | None = None, **kwargs):
        if results is None:
            from rnnviz import lessons

            results = lessons.results("memory")
        self.view = bptt_view(results, sequence=sequence)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [self.view.step_name(k) for k in range(len(self.view.visits))]

    def x_of(self, t: int) -> float:
        slots = self.view.slot(self.view.drawn[-1])
        return LEFT_EDGE + (RIGHT_EDGE - LEFT_EDGE) * self.view.slot(t) / slots

    def cell(self, row: int, t: int):
        return [self.x_of(t), CHAIN_TOPS[row], 0]

    def layout(self) -> VGroup:
        """Title, subtitle, each chain's name, cells, arrows and row labels."""
        view, muted = self.view, neutral("muted", THEME)
        title = text(HEADING, font_size=30).to_corner(UL, buff=0.25)
        subtitle = text(f"The lesson 'memory', held-out sequence {view.sequence}: its first marked number lies "
                        f"{view.last} steps back. J: a step's Jacobian of the whole state s (Frobenius norm);\n"
                        "the LSTM's product ‖∂h_T/∂h_t‖ is the h-to-h block, c_t held (rnnviz.gradient_profile)",
                        font_size=15, colour=muted)
        if subtitle.width > config.frame_width - 0.5:
            subtitle.scale_to_fit_width(config.frame_width - 0.5)
        subtitle.next_to(title, DOWN, buff=0.1).align_to(title, LEFT)
        parts = VGroup(title, subtitle)
        for row, chain in enumerate(view.chains):
            kind_colour, y = PALETTE[chain.kind], CHAIN_TOPS[row]
            parts.add(text(f"{chain.label}: s = {chain.state}", font_size=20, colour=kind_colour).move_to(
                [-config.frame_width / 2 + 0.3, y + 0.85, 0], aligned_edge=LEFT))
            for t in view.drawn:
                box = RoundedRectangle(corner_radius=0.08, width=CELL[0], height=CELL[1], color=kind_colour,
                                       stroke_width=3).move_to(self.cell(row, t))
                parts.add(box, text(view.step_label(t).removeprefix("t = "), font_size=FONT).move_to(box))
            for source, target in view.arrows():
                start = [self.x_of(target) - CELL[0] / 2, y, 0]
                end = [self.x_of(source) + CELL[0] / 2, y, 0]
                ink = neutral("text", THEME)
                if target - source == 1:
                    parts.add(Arrow(start, end, buff=0.02, stroke_width=3, max_tip_length_to_length_ratio=0.25, color=ink))
                else:  # the steps not drawn one by one
                    parts.add(DashedLine(start, end, color=ink, stroke_width=3).add_tip(tip_length=0.2, tip_width=0.2))
            labels = [ARROWS, *ROWS.values()]
            for k, label in enumerate(labels):
                shown = text(label, font_size=15, colour=muted if k == len(labels) - 1 else neutral("text", THEME))
                at = [LEFT_EDGE - CELL[0] / 2 - 0.25, self.row_y(row, k - 1), 0]
                parts.add(shown.move_to(at, aligned_edge=RIGHT))
        return parts

    def row_y(self, row: int, k: int) -> float:
        """The y of row ``k`` of numbers under chain ``row`` (-1: the arrows' numbers, above the cells)."""
        y = CHAIN_TOPS[row]
        return y + CELL[1] / 2 + 0.22 if k < 0 else y - CELL[1] / 2 - ROW_GAP * (k + 0.55)

    def arrived(self, visit: int) -> VGroup:
        """What step ``visit`` adds: in each chain the crossed arrow's norm (none at the first step), the cell
        reached lit up and its numbers under it."""
        view, group = self.view, VGroup()
        t = view.visits[visit]
        for row, chain in enumerate(view.chains):
            if visit:
                source, target = t, view.visits[visit - 1]
                middle = (self.x_of(target) + self.x_of(source)) / 2
                written = chain.arrow(source, target).replace("\n", " ")
                group.add(text(written, font_size=FONT).move_to([middle, self.row_y(row, -1), 0]))
            lit = RoundedRectangle(corner_radius=0.08, width=CELL[0], height=CELL[1], stroke_width=0,
                                   fill_color=PALETTE[chain.kind], fill_opacity=0.35).move_to(self.cell(row, t))
            group.add(lit)
            for k, (key, number) in enumerate(chain.numbers(t).items()):
                colour = neutral("muted" if key == "bound" else "text", THEME)
                group.add(text(number, font_size=FONT, colour=colour).move_to([self.x_of(t), self.row_y(row, k), 0]))
        return group

    def signals(self, visit: int) -> VGroup:
        """The error signal's dot in each chain, on the cell of step ``visit``."""
        t = self.view.visits[visit]
        return VGroup(*(Dot(self.cell(row, t), radius=0.1, color=neutral("text", THEME)).shift(UP * CELL[1] / 2)
                        for row in range(len(self.view.chains))))

    def still(self, step: int):
        self.add(self.layout(), *(self.arrived(k) for k in range(step + 1)), self.signals(step))

    def animate(self):
        layout, signals = self.layout(), self.signals(0)
        for visit in range(len(self.view.visits)):
            self.begin_step(visit)
            if visit == 0:
                self.play(Write(layout[0]), FadeIn(layout[1]), run_time=0.8)
                self.play(FadeIn(layout[2:]), run_time=0.8)
                self.play(FadeIn(self.arrived(0)), FadeIn(signals), run_time=0.6)
            else:
                self.play(signals.animate.become(self.signals(visit)), run_time=1.2 if visit == len(self.view.visits)
                          - 1 else 0.6)
                self.play(FadeIn(self.arrived(visit)), run_time=0.5)
            self.end_step()
        self.wait(0.6)


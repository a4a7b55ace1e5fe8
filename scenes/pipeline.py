"""The tf.data pipeline, stage by stage: each call, the shape of its elements and their first values.

    rnnviz render pipeline

Every shape and number is the pipeline's own (``rnnviz.data.pipeline_stages``: the stages
``rnnviz.data.make_windows`` runs, each element read from the dataset), the same record the
slide figure ``series/pipeline`` draws. The default is shipped in ``scenes/data/pipeline.npz``
(written by ``scenes/make_default_data.py``), so rendering needs no TensorFlow.
"""

from __future__ import annotations

import textwrap

from manim import DOWN, LEFT, RIGHT, UL, Arrow, FadeIn, GrowArrow, RoundedRectangle, VGroup, Write

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import OTHER_COLOURS, neutral
from rnnviz.views.pipeline import call_lines, pipeline_view

ROW_PITCH = 0.8  # between stages, in frame units
TOP = 1.6  # y of the first stage
CALL_CHARACTERS = 34  # a call longer than this is broken onto more lines (rnnviz.views.pipeline.call_lines)
CALL_LEFT, SHAPE_LEFT, VALUES_LEFT = -6.8, -1.55, 2.55
COLOURS = {"value": "text", "inputs": "text", "targets": None}  # targets in the palette's target colour


def default_record():
    """The pipeline record shipped for the scene (the gallery's windows of the seeded synthetic series)."""
    from rnnviz.data.pipeline_stages import load_pipeline_stages
    from rnnviz.scenes.traces import PIPELINE_FILE

    return load_pipeline_stages(PIPELINE_FILE)


class PipelineScene(SteppedScene):
    """``record`` (a :class:`~rnnviz.data.pipeline_stages.PipelineStages`; default: shipped) one stage per step."""

    def __init__(self, record=None, *, step: int | None = None, **kwargs):
        self.view = pipeline_view(default_record() if record is None else record)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [row.name for row in self.view.rows]

    def heading(self) -> VGroup:
        title = text("The tf.data pipeline, stage by stage", font_size=32).to_corner(UL, buff=0.3)
        muted = neutral("muted", THEME)
        subtitle = text(textwrap.fill(self.view.description, 112), font_size=17, colour=muted)
        subtitle.next_to(title, DOWN, buff=0.12).align_to(title, LEFT)
        headers = VGroup(*(text(header, font_size=17, colour=muted).move_to([x, TOP + 0.62, 0], aligned_edge=LEFT)
                           for header, x in zip(self.view.headers, (CALL_LEFT, SHAPE_LEFT, VALUES_LEFT))))
        return VGroup(title, subtitle, headers)

    def stage(self, index: int) -> VGroup:
        """Stage ``index``'s row: its call in a box, its element's shape with a note, its first values."""
        row, y = self.view.rows[index], TOP - index * ROW_PITCH
        call = text(call_lines(row.call.replace("\n", " "), CALL_CHARACTERS), font_size=17, font="DejaVu Sans Mono")
        box = RoundedRectangle(corner_radius=0.08, width=SHAPE_LEFT - CALL_LEFT - 0.25, height=0.62,
                               color=neutral("text", THEME), stroke_width=1.5)
        box.set_fill(neutral("grid", THEME), opacity=1.0).move_to([CALL_LEFT + box.width / 2, y, 0])
        call.move_to(box).align_to(box, LEFT).shift(RIGHT * 0.12)
        shape = VGroup(*(text(piece, font_size=17, colour=_colour(role), font="DejaVu Sans Mono")
                         for piece, role in row.shape)).arrange(RIGHT, buff=0.25)
        shape.move_to([SHAPE_LEFT, y + 0.14, 0], aligned_edge=LEFT)
        note = text(row.note, font_size=14, colour=neutral("muted", THEME))
        note.move_to([SHAPE_LEFT, y - 0.2, 0], aligned_edge=LEFT)
        lines = VGroup()
        for k, (label, numbers, role) in enumerate(row.values):
            line = VGroup(text(label, font_size=14, colour=neutral("muted", THEME)),
                          text(numbers, font_size=16, colour=_colour(role), font="DejaVu Sans Mono"))
            line.arrange(RIGHT, buff=0.15).move_to([VALUES_LEFT, y + 0.14 - 0.32 * k, 0], aligned_edge=LEFT)
            lines.add(line)
        return VGroup(box, call, shape, note, lines)

    def arrow(self, index: int) -> Arrow:
        """From stage ``index - 1``'s box down to stage ``index``'s."""
        x = CALL_LEFT + 0.5
        top, bottom = TOP - (index - 1) * ROW_PITCH - 0.31, TOP - index * ROW_PITCH + 0.31
        return Arrow([x, top, 0], [x, bottom, 0], buff=0, stroke_width=2.5, max_tip_length_to_length_ratio=0.5,
                     color=neutral("text", THEME))

    def still(self, step: int):
        self.add(self.heading(), *(self.stage(k) for k in range(step + 1)), *(self.arrow(k) for k in range(1, step + 1)))

    def animate(self):
        heading = self.heading()
        for index in range(len(self.view.rows)):
            self.begin_step(index)
            if index == 0:
                self.play(Write(heading[0]), FadeIn(heading[1]), FadeIn(heading[2]), run_time=0.8)
            else:
                self.play(GrowArrow(self.arrow(index)), run_time=0.3)
            row = self.stage(index)
            self.play(FadeIn(row[0]), FadeIn(row[1]), run_time=0.5)
            self.play(FadeIn(row[2], shift=RIGHT * 0.2), FadeIn(row[3]), run_time=0.5)
            self.play(FadeIn(row[4], shift=RIGHT * 0.2), run_time=0.5)
            self.end_step(0.8)
        self.wait(0.6)


def _colour(role: str) -> str:
    return OTHER_COLOURS["target"] if role == "targets" else neutral(COLOURS[role], THEME)

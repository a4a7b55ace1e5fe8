"""The cell state as a conveyor belt: a trained LSTM's c riding through the steps, its forget and input gates as valves.

    rnnviz render conveyor

The numbers are the lesson ``gates``' (shipped): its LSTM on the sequence its pictures show
(markers at steps 2 and 6). Each step the belt brings the c it held; the forget valve closes to
its real opening f and what it shuts out, (1 − f)·c, comes off the belt; the input valve opens
to i and i·g of the candidate rises onto the belt; the new c rides on. The picture's geometry
and every number are the slide figure's (:mod:`rnnviz.views.conveyor`).
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    FadeIn,
    FadeOut,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    Transform,
    VGroup,
    Write,
)

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import PALETTE, VALUE_COLOURS, neutral
from rnnviz.views.conveyor import (
    BELT_HALF,
    COLUMN_SPAN,
    FORGET_VALVE,
    G_BOX,
    INPUT_VALVE,
    PIPE_TOP,
    PIPE_WIDTH,
    ROWS,
    TEXT_PLACES,
    VALVE,
    ROW_COLOURS,
    lesson_view,
    valve_boxes,
)

STEPS = 10  # the first steps drawn: both markers, a hold after each
X_START, X_END = -4.15, 6.6  # the columns span this, in frame units
LABEL_X = -4.3  # the row labels' right edge
Y_TOP, Y_SCALE = 2.3, 0.73  # the step row's y; frame units per row unit
VALUE_SIZE, TITLE_SIZE, NOTE_SIZE = 16, 30, 16


class ConveyorScene(SteppedScene):
    """The lesson ``gates``' LSTM (or ``kind``) as a conveyor belt, one section per step of its first ``steps``."""

    def __init__(self, trace=None, *, kind: str = "LSTM", steps: int = STEPS, step: int | None = None, **kwargs):
        view, self.shows = lesson_view(kind, trace=trace)
        self.view = view.with_steps(range(min(steps, view.steps)))
        self.pitch = (X_END - X_START) / len(self.view.columns)
        self.background = neutral("background", THEME)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        marked = set(self.view.marked_steps)
        return [f"step {step}" + (" (marked)" if step in marked else "") for step in self.view.drawn]

    # geometry: the view's column and row units in the frame
    def x(self, column_x: float) -> float:
        return X_START + (column_x + 0.5) * self.pitch

    def y(self, row_y: float) -> float:
        return Y_TOP - (ROWS["step"] - row_y) * Y_SCALE

    def box(self, x0, x1, y0, y1, colour, *, stroke=None, width=0.0) -> Rectangle:
        """A rectangle over view units [x0, x1] x [y0, y1], filled with ``colour`` (None: unfilled)."""
        shape = Rectangle(width=max((x1 - x0) * self.pitch, 1e-3), height=max((y1 - y0) * Y_SCALE, 1e-3),  # a flat
                          stroke_width=width,  # valve flap still has points to move
                          stroke_color=stroke or self.background)
        shape.set_fill(colour or self.background, opacity=1.0 if colour else 0.0)
        return shape.move_to([self.x((x0 + x1) / 2), self.y((y0 + y1) / 2), 0])

    def colour(self, value: float, scale: str = "belt") -> str:
        rgb = self.view.colours([value], self.background, scale=scale)[0]
        return "#" + "".join(f"{round(255 * channel):02X}" for channel in rgb)

    # what stays on screen
    def layout(self) -> VGroup:
        """Title, subtitle, row labels, the belt's outline, the step numbers and the key."""
        view, muted = self.view, neutral("muted", THEME)
        title = text("The cell state as a conveyor belt, its gates as valves", font_size=TITLE_SIZE).to_corner(UL, buff=0.3)
        subtitle = text(f"{self.shows};\nits cell state c and gates, {view.shows}, every number recorded from Keras",
                        font_size=NOTE_SIZE, colour=muted).next_to(title, DOWN, aligned_edge=LEFT, buff=0.12)
        labels = VGroup(*(text(label, font_size=VALUE_SIZE, colour=_label_colour(row)).move_to(
            [LABEL_X, self.y(ROWS[row]), 0], aligned_edge=RIGHT) for row, label in view.row_labels.items()))
        belt = self.box(-0.5, len(view.columns) - 0.5, ROWS["belt"] - BELT_HALF, ROWS["belt"] + BELT_HALF, None,
                        stroke=PALETTE["c"], width=5).set_z_index(1)
        numbers = VGroup(*(text(str(step), font_size=VALUE_SIZE, colour=muted).move_to(
            [self.x(position), self.y(ROWS["step"]), 0]) for position, step in enumerate(view.columns)))
        return VGroup(title, subtitle, labels, belt, numbers, self.key())

    def key(self) -> VGroup:
        entries = [(VALUE_COLOURS["negative"], "value < 0"), (VALUE_COLOURS["positive"], "value > 0"),
                   (PALETTE["forget"], "forget valve, open by f"), (PALETTE["input"], "input valve, open by i"),
                   (neutral("grid", THEME), "a marked step")]
        key = VGroup(*(VGroup(Rectangle(width=0.35, height=0.2, stroke_width=0).set_fill(colour, opacity=1),
                              text(label, font_size=VALUE_SIZE, colour=neutral("muted", THEME))).arrange(RIGHT, buff=0.12)
                       for colour, label in entries)).arrange(RIGHT, buff=0.45)
        return key.move_to([0, -3.72, 0])

    def column(self, position: int) -> dict:
        """Everything column ``position`` shows once its step is done, by part: ``shade`` (a marked step), ``input``,
        ``candidate`` (box, value, pipe below the input valve), ``forget`` and ``input valve``, ``on`` (the pipe above
        the valve, what goes on), ``off``, ``belt`` (f·c after the valve, the new c after the pipe), ``values``."""
        view, step = self.view, self.view.columns[position]
        ink = neutral("text", THEME)
        texts = view.texts(step)
        parts = {"shade": VGroup()}
        if view.marked[step]:
            shade = self.box(position - 0.5, position + 0.5, *COLUMN_SPAN, neutral("grid", THEME))
            parts["shade"] = VGroup(shade.set_z_index(-1))
        x_text = self.value(position, "x", texts["x"])
        frame = (RoundedRectangle(corner_radius=0.08, width=x_text.width + 0.2, height=x_text.height + 0.18,
                                  stroke_color=ink, stroke_width=3).move_to(x_text) if view.marked[step] else VGroup())
        parts["input"] = VGroup(x_text, frame)
        g_top = ROWS["g"] + G_BOX[1] / 2
        g_colour = self.colour(view.candidate[step], "candidate")
        muted = neutral("muted", THEME)
        parts["candidate"] = VGroup(
            self.box(position - PIPE_WIDTH / 2, position + PIPE_WIDTH / 2, g_top, ROWS["i"], g_colour, stroke=muted,
                     width=1),
            self.box(position - G_BOX[0] / 2, position + G_BOX[0] / 2, ROWS["g"] - G_BOX[1] / 2, g_top, g_colour,
                     stroke=muted, width=1.5),
            self.value(position, "g value", texts["g value"]))
        parts["on"] = VGroup(self.box(position - PIPE_WIDTH / 2, position + PIPE_WIDTH / 2, ROWS["i"], PIPE_TOP,
                                      self.colour(view.written[step]), stroke=muted, width=1),
                             *self.values(position, texts, ("on",)))
        parts["forget"] = self.valve(position + VALVE, ROWS["belt"], *FORGET_VALVE, view.forget[step],
                                     PALETTE["forget"], vertical=True)
        parts["input valve"] = self.valve(position, ROWS["i"], *INPUT_VALVE, view.input[step], PALETTE["input"],
                                          vertical=False)
        parts["off"] = VGroup(*self.values(position, texts, ("off",)))
        belt = [self.belt_piece(x0, x1, value) for x0, x1, value in self.pieces(position)]
        parts["belt"] = VGroup(*belt)
        parts["values"] = VGroup(*self.values(position, texts, ("f", "i", "c", "h")))
        return parts

    def pieces(self, position) -> list:
        """The belt pieces column ``position`` fills: from its forget valve (from the belt's start, in the first
        column) to the next one."""
        low, high = position + VALVE, position + 1 + VALVE
        return [(x0, x1, value) for x0, x1, value in self.view.segments()
                if x0 >= low - 1e-9 and x1 <= high + 1e-9 or (position == 0 and x1 <= low + 1e-9)]

    def belt_piece(self, x0, x1, value) -> Rectangle:
        return self.box(x0, x1, ROWS["belt"] - BELT_HALF, ROWS["belt"] + BELT_HALF, self.colour(value))

    def values(self, position: int, texts: dict, rows) -> list:
        """The texts of ``rows`` the step writes (an amount only where it shows)."""
        return [self.value(position, row, texts[row]) for row in rows if row in texts]

    def value(self, position: int, row: str, content: str):
        """A column's text in ``row``, where the view places it."""
        dx, align, _ = TEXT_PLACES[row]
        colour = neutral("text", THEME)
        shown = text(content, font_size=VALUE_SIZE, colour=colour)
        at = np.array([self.x(position + dx), self.y(ROWS[row]), 0])
        return shown.move_to(at, aligned_edge=LEFT) if align == "left" else shown.move_to(at)

    def valve(self, column_x, row_y, width, height, opening, colour, *, vertical: bool) -> VGroup:
        """A valve (:func:`~rnnviz.views.conveyor.valve_boxes`): its frame and two flaps."""
        frame, *flaps = valve_boxes(column_x, row_y, width, height, opening, vertical=vertical)
        return VGroup(self.box(*frame, None, stroke=colour, width=2.5),
                      *(self.box(*flap, colour) for flap in flaps)).set_z_index(1)  # over the belt

    def chip(self, column_x: float, value: float) -> Rectangle:
        """What rides the belt at ``column_x``: a piece of it coloured by ``value``, as tall as ``value`` is large on
        the belt's scale (so f·c is f times as tall as c), outlined."""
        height = max(2 * BELT_HALF * abs(value) / self.view.belt.high, 0.04)
        chip = self.box(column_x - 0.15, column_x + 0.15, ROWS["belt"] - height / 2, ROWS["belt"] + height / 2,
                        self.colour(value), stroke=neutral("text", THEME), width=2)
        return chip.set_z_index(2)

    def cursor(self, position: int) -> Rectangle:
        """The column of the current step, outlined."""
        return self.box(position - 0.5, position + 0.5, *COLUMN_SPAN, None, stroke=neutral("muted", THEME), width=3)

    def still(self, step: int):
        self.add(self.layout(), self.cursor(step))
        for position in range(step + 1):
            self.add(*self.column(position).values())

    def animate(self):
        view = self.view
        layout, cursor = self.layout(), self.cursor(0)
        for position, step in enumerate(view.columns):
            self.begin_step(position)
            parts = self.column(position)
            if position == 0:
                self.play(Write(layout[0]), FadeIn(layout[1]), run_time=0.8)
                self.play(FadeIn(layout[2:]), FadeIn(cursor), run_time=0.8)
            else:
                self.play(Transform(cursor, self.cursor(position)), run_time=0.4)
            self.play(FadeIn(parts["shade"]), FadeIn(parts["input"]), FadeIn(parts["candidate"]), run_time=0.5)
            # the belt brings the c the step starts from to the forget valve, which closes to its opening f
            chip = self.chip(position - 0.9, view.previous[step])
            shut = self.valve(position + VALVE, ROWS["belt"], *FORGET_VALVE, 1.0, PALETTE["forget"], vertical=True)
            self.play(FadeIn(chip), run_time=0.2)
            self.play(chip.animate.move_to([self.x(position + VALVE - 0.2), self.y(ROWS["belt"]), 0]),
                      ReplacementTransform(shut, parts["forget"]), FadeIn(parts["values"][0]), run_time=0.7)
            # what the valve shuts out, (1 − f)·c, comes off the belt; f·c rides on
            off = self.chip(position + VALVE, view.erased[step])
            kept = self.chip(position + VALVE + 0.2, view.kept[step])
            self.play(ReplacementTransform(chip, kept), FadeIn(off), run_time=0.4)
            self.play(off.animate.shift(UP * 1.0).set_opacity(0), FadeIn(parts["off"]), FadeIn(parts["belt"][:-1]),
                      run_time=0.5)
            self.remove(off)
            # the input valve opens to i; i·g of the candidate rises up the pipe onto the belt
            opened = self.valve(position, ROWS["i"], *INPUT_VALVE, 0.0, PALETTE["input"], vertical=False)
            self.play(ReplacementTransform(opened, parts["input valve"]), FadeIn(parts["values"][1]), run_time=0.5)
            self.play(FadeIn(parts["on"], shift=UP * 0.3), run_time=0.5)
            # f·c and i·g make the new c, which rides on
            new = self.chip(position + 0.2, view.c[step])
            self.play(ReplacementTransform(kept, new), run_time=0.4)
            self.play(FadeIn(parts["belt"][-1]), FadeIn(parts["values"][2:]), FadeOut(new), run_time=0.5)
            self.end_step()
        self.wait(0.6)


def _label_colour(row) -> str:
    """A row label in the colour of what the row shows (a gate, c, h), else muted."""
    return PALETTE.get(ROW_COLOURS.get(row, ""), neutral("muted", THEME))

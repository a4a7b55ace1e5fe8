"""Windowing: the windows of the tf.data pipeline slide over the series and stack into a batch.

    manim -ql scenes/windowing.py WindowingScene

Every window drawn is one the pipeline itself produced (``make_windows``, taken
from the dataset's tensors, unshuffled), over the normalised series it came from.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    Axes,
    Create,
    FadeIn,
    Line,
    Rectangle,
    TransformFromCopy,
    VGroup,
    VMobject,
    Write,
)

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.scenes.traces import default_windowing
from rnnviz.style import OTHER_COLOURS, neutral
from rnnviz.views.windowing import windowing_view

# The same as the windowing figure (rnnviz.mpl.windowing): inputs in ink, targets in the palette's target colour.
INPUT_COLOUR, TARGET_COLOUR = neutral("text", THEME), OTHER_COLOURS["target"]


class WindowingScene(SteppedScene):
    """``windows`` (a :class:`rnnviz.data.windows.Windows`; default: the seeded synthetic series) drawn batch by window."""

    def __init__(self, windows=None, *, count: int = 6, step: int | None = None, **kwargs):
        if windows is None:  # shipped: the windows tf.data made of the seeded synthetic series (make_default_data.py)
            self.display, windows = default_windowing(count)
        else:
            self.display = windowing_view(windows, count=count)
        self.windows = windows
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        rows = self.display.rows
        spans = [(int(self.display.input_positions(row)[0]), int(self.display.target_positions(row)[-1])) for row in rows]
        return [f"window {index}, time steps {first}–{last}" for index, (first, last) in enumerate(spans)]

    def layout(self) -> tuple:
        """``(title, subtitle, time axis, series, axes, box)``: what stays on screen; ``axes`` give coordinates only."""
        display, muted = self.display, neutral("muted", THEME)
        end = int(display.target_positions(display.rows[-1])[-1]) + 8
        values = display.series[:end]
        title = text("Windows from the TensorFlow Data API", font_size=32).to_corner(UL, buff=0.3)
        subtitle = text(f"window({self.windows.input_steps + self.windows.horizon}, shift={self.windows.shift}) → "
                        f"{self.windows.input_steps} inputs, the next {self.windows.horizon} values as targets; "
                        f"batch({len(display.inputs)})", font_size=18, colour=muted)
        subtitle.next_to(title, DOWN, buff=0.1).align_to(title, LEFT)
        low, high = float(values.min()), float(values.max())
        pad = 0.08 * (high - low)
        axes = Axes(x_range=(0, end, 10), y_range=(low - pad, high + pad, high - low), x_length=12.4, y_length=2.6)
        axes.next_to(subtitle, DOWN, buff=0.35).to_edge(LEFT, buff=0.8)  # coordinates only; not drawn
        time_axis = VGroup(Line(axes.c2p(0, low - pad), axes.c2p(end, low - pad), color=muted, stroke_width=2),
                           text("time steps →", font_size=16, colour=muted).next_to(axes.c2p(end, low - pad), DOWN, buff=0.1)
                           .align_to(axes.c2p(end, 0), RIGHT))
        series = VMobject(color=neutral("text", THEME), stroke_width=2.5)
        series.set_points_as_corners([axes.c2p(t, v) for t, v in enumerate(values)])
        return title, subtitle, time_axis, series, axes, (low - pad, high + pad)

    def window(self, axes, box, index) -> tuple:
        """Window ``index``'s boxes over the series (inputs, targets) and its row in the batch."""
        row = self.display.rows[index]
        boxes = (_span(axes, self.display.input_positions(row), box, INPUT_COLOUR),
                 _span(axes, self.display.target_positions(row), box, TARGET_COLOUR))
        stacked = _batch_row(self.display.inputs[row], self.display.next_values[row], box)
        return boxes, stacked.move_to(np.array([0.6, -0.75 - 0.45 * index, 0.0]))

    def batch_label(self, first_row):
        return text("the batch", font_size=20, colour=neutral("muted", THEME)).next_to(first_row, LEFT, buff=0.4)

    def shape(self, batch):
        """The batch's shapes, under it: shown once every window is in."""
        count = len(self.display.inputs)
        shape = text(f"inputs ({count}, {self.windows.input_steps}, 1)  →  targets ({count}, {self.windows.horizon})",
                     font_size=20)
        return shape.next_to(batch, DOWN, buff=0.3)

    def still(self, step: int):
        title, subtitle, time_axis, series, axes, box = self.layout()
        rows = [self.window(axes, box, index)[1] for index in range(step + 1)]
        (window_box, target_box), _ = self.window(axes, box, step)
        self.add(title, subtitle, time_axis, series, window_box, target_box, self.batch_label(rows[0]), *rows)
        if step == len(self.display.rows) - 1:
            self.add(self.shape(VGroup(*rows)))

    def animate(self):
        title, subtitle, time_axis, series, axes, box = self.layout()
        batch = VGroup()
        window_box = target_box = None
        for index in range(len(self.display.rows)):
            self.begin_step(index)
            (new_window, new_target), stacked = self.window(axes, box, index)
            if index == 0:  # the intro belongs to the first window's step
                self.play(Write(title), FadeIn(subtitle), FadeIn(time_axis), run_time=0.8)
                self.play(Create(series), run_time=1.2)
                window_box, target_box = new_window, new_target
                self.play(FadeIn(window_box), FadeIn(target_box), run_time=0.5)
                self.play(FadeIn(self.batch_label(stacked)), run_time=0.3)
            else:
                self.play(window_box.animate.become(new_window), target_box.animate.become(new_target), run_time=0.6)
            self.play(TransformFromCopy(VGroup(window_box, target_box), stacked), run_time=0.6)
            batch.add(stacked)
            if index == len(self.display.rows) - 1:
                self.play(FadeIn(self.shape(batch)), run_time=0.5)
            self.end_step()
        self.wait(0.6)


def _span(axes, positions, box, colour) -> Rectangle:
    """A box over the series from the first to the last of ``positions``, ``box`` = (low, high) in values."""
    left, right = axes.c2p(positions[0] - 0.5, box[0]), axes.c2p(positions[-1] + 0.5, box[1])
    rectangle = Rectangle(width=right[0] - left[0], height=right[1] - left[1], color=colour, stroke_width=3)
    rectangle.set_fill(colour, opacity=0.15)
    return rectangle.move_to((left + right) / 2)


def _batch_row(inputs, targets, box, *, width=7.5, height=0.34) -> VGroup:
    """One window as the model receives it: its inputs, then its targets, as a small line in a frame."""
    values = np.concatenate([inputs, targets])
    xs = np.linspace(0, width, len(values))
    ys = (values - box[0]) / (box[1] - box[0]) * height
    split = len(inputs)
    given = VMobject(color=INPUT_COLOUR, stroke_width=2.5).set_points_as_corners(
        [np.array([x, y, 0.0]) for x, y in zip(xs[:split], ys[:split])])
    wanted = VMobject(color=TARGET_COLOUR, stroke_width=2.5).set_points_as_corners(
        [np.array([x, y, 0.0]) for x, y in zip(xs[split - 1:], ys[split - 1:])])
    frame = Rectangle(width=width + 0.1, height=height + 0.1, color=neutral("muted", THEME), stroke_width=1)
    frame.move_to(np.array([width / 2, height / 2, 0.0]))
    return VGroup(frame, given, wanted)

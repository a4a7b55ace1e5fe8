"""A trained Conv1D sliding over a window of the series: its real kernel, what it reads, and each output below.

    rnnviz render convolution

The numbers are the lesson ``forecasting``'s (shipped): the 1D-convolution forecaster's
Conv1D, its input on a validation window (the window minus today, as the forecaster feeds
it) and its outputs, all recorded from Keras; the scene draws one filter, the one most
active on that window. Each step moves the kernel to the next output and writes
``Σ w·x + b`` and, after relu, the output Keras computed.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, FadeIn, Line, Rectangle, VGroup, Write

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import VALUE_COLOURS, neutral
from rnnviz.views.convolution import sliding_view

LEFT_EDGE, WIDTH = -6.3, 12.6  # the input's steps span this, in frame units
INPUT_SPAN = (0.3, 2.0)  # (low, high) y of the input's values
OUTPUT_Y = -2.4


class ConvolutionScene(SteppedScene):
    """``results`` (the lesson ``forecasting``'s; default: shipped) drawn one output per step."""

    def __init__(self, results=None, *, step: int | None = None, **kwargs):
        if results is None:
            from rnnviz import lessons

            results = lessons.results("forecasting")
        self.view = sliding_view(results)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        size, stride = self.view.size, self.view.stride
        return [f"output {k}: steps {k * stride}–{k * stride + size - 1}" for k in range(len(self.view.output))]

    def x_of(self, step: float) -> float:
        return LEFT_EDGE + WIDTH * (step + 0.5) / len(self.view.input)

    def layout(self) -> VGroup:
        """Title, subtitle, the input as dots on a line with its zero, and the outputs' row label."""
        view, muted = self.view, neutral("muted", THEME)
        title = text("A trained Conv1D sliding over the series", font_size=32).to_corner(UL, buff=0.3)
        subtitle = text(f"The 1D-conv forecaster's filter {view.filter} of {view.filters} (kernel "
                        f"{view.size}, stride {view.stride}, relu) on a validation window minus today;\n"
                        "the weights w and b are the trained ones, every number recorded from Keras", font_size=17,
                        colour=muted)
        subtitle.next_to(title, DOWN, buff=0.12).align_to(title, LEFT)
        values = view.input
        zero = Line([LEFT_EDGE, self.y_of(0.0), 0], [LEFT_EDGE + WIDTH, self.y_of(0.0), 0], color=muted, stroke_width=1)
        dots = VGroup(*(Line([self.x_of(t), self.y_of(0.0), 0], [self.x_of(t), self.y_of(value), 0],
                             color=neutral("text", THEME), stroke_width=5) for t, value in enumerate(values)))
        labels = VGroup(text("input: x − today", font_size=18, colour=muted).move_to(
                            [LEFT_EDGE, INPUT_SPAN[1] + 0.35, 0], aligned_edge=LEFT),
                        text(f"output of filter {view.filter} (relu)", font_size=18, colour=muted).move_to(
                            [LEFT_EDGE, OUTPUT_Y + 0.55, 0], aligned_edge=LEFT))
        return VGroup(title, subtitle, zero, dots, labels)

    def y_of(self, value: float) -> float:
        limit = float(np.abs(self.view.input).max()) or 1.0
        return (INPUT_SPAN[0] + INPUT_SPAN[1]) / 2 + value / limit * (INPUT_SPAN[1] - INPUT_SPAN[0]) / 2

    def reading(self, k: int) -> VGroup:
        """Output ``k``'s window over the input, its kernel's weights under the steps, and its sum."""
        view, ink = self.view, neutral("text", THEME)
        first = k * view.stride
        steps = range(first, first + view.size)
        left, right = self.x_of(first - 0.5), self.x_of(first + view.size - 0.5)
        frame = Rectangle(width=right - left, height=INPUT_SPAN[1] - INPUT_SPAN[0] + 0.5, color=ink, stroke_width=3)
        frame.move_to([(left + right) / 2, (INPUT_SPAN[0] + INPUT_SPAN[1]) / 2, 0])
        weights = VGroup(text("w =", font_size=18, colour=neutral("muted", THEME)),
                         *(text(_signed(w), font_size=18, colour=ink) for w in view.kernel),
                         text(f"b = {_signed(view.bias)}", font_size=18, colour=neutral("muted", THEME)))
        weights.arrange(RIGHT, buff=0.25).move_to([(left + right) / 2, INPUT_SPAN[0] - 0.6, 0])
        weights.shift(RIGHT * _inside(weights, LEFT_EDGE, LEFT_EDGE + WIDTH))
        total = view.total(k)
        words = f"Σ w·x + b = {_signed(total)}   relu → {view.output[k]:.2f}"
        sum_text = text(words, font_size=20, colour=ink).move_to([0, -1.3, 0])
        return VGroup(frame, weights, sum_text)

    def output(self, k: int) -> VGroup:
        """Output ``k``'s cell under the middle of the steps it reads, coloured by its value, the value written."""
        view = self.view
        middle = k * view.stride + (view.size - 1) / 2
        width = WIDTH / len(view.input) * view.stride * 0.92
        value = float(view.output[k])
        strength = float(view.scale.strength([value])[0])
        cell = Rectangle(width=width, height=0.6, stroke_width=1, color=neutral("muted", THEME))
        cell.set_fill(VALUE_COLOURS["positive" if value >= 0 else "negative"], opacity=strength)
        cell.move_to([self.x_of(middle), OUTPUT_Y, 0])
        number = text(f"{value:.2f}", font_size=13, colour=neutral("text", THEME)).next_to(cell, DOWN, buff=0.1)
        return VGroup(cell, number)

    def still(self, step: int):
        self.add(self.layout(), *(self.output(k) for k in range(step + 1)), self.reading(step))

    def animate(self):
        layout, reading = self.layout(), None
        for k in range(len(self.view.output)):
            self.begin_step(k)
            new = self.reading(k)
            if k == 0:
                self.play(Write(layout[0]), FadeIn(layout[1]), run_time=0.8)
                self.play(FadeIn(layout[2:]), run_time=0.8)
                self.play(FadeIn(new), run_time=0.6)
                reading = new
            else:
                self.play(reading.animate.become(new), run_time=0.5)
            self.play(FadeIn(self.output(k)), run_time=0.4)
            self.end_step()
        self.wait(0.6)


def _inside(group, low: float, high: float) -> float:
    """How far to move ``group`` right (negative: left) to keep it between ``low`` and ``high``."""
    return max(low - group.get_left()[0], 0.0) - max(group.get_right()[0] - high, 0.0)


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")

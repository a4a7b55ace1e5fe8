"""Components: a series built up from level, trend, seasonality and noise; then CO₂ at Mauna Loa taken apart by STL.

    rnnviz render components

The synthetic series is ``rnnviz.data.synthetic_series`` (seeded, its components known
because they were added); the real one is statsmodels' weekly CO₂, split by
``rnnviz.data.decompose`` (STL). The top panel shows the series so far, the lower one
the component the step adds (or takes out), each on its own scale with its numbers.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, UP, Create, FadeIn, FadeOut, Line, Transform, VGroup, VMobject, Write

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.style import neutral

PANEL_WIDTH = 11.6
TOP, BOTTOM = (-0.1, 2.0), (-3.05, -1.05)  # (low, high) y of the two panels on the 8-unit frame
SYNTHETIC_DAYS = 365  # a year of the synthetic series: its 30-day pattern shows as a pattern, not as a blur
LEFT_EDGE = -5.4


def default_parts(seed: int = 0) -> list:
    """``[(name, SeriesComponents)]``: the seeded synthetic series and Mauna Loa CO₂ decomposed by STL."""
    from rnnviz.data import co2_weekly, decompose, synthetic_series

    return [("a synthetic series", synthetic_series(length=SYNTHETIC_DAYS, seed=seed)),
            ("CO₂ at Mauna Loa", decompose(co2_weekly()))]


def steps_of(parts) -> list:
    """``[(part index, step name, what the top panel shows, the lower panel's component name, its values)]``."""
    steps = []
    for index, (name, parts_of) in enumerate(parts):
        level = np.full(len(parts_of.values), float(np.ravel(parts_of.level)[0]))
        if index == 0:  # built up, one component at a time
            sums = np.cumsum([level, parts_of.trend, parts_of.seasonal, parts_of.noise], axis=0)
            added = (("level", level), ("+ trend", parts_of.trend), ("+ seasonality", parts_of.seasonal),
                     ("+ noise", parts_of.noise))
            steps += [(index, label, total, label.lstrip("+ "), values) for (label, values), total in zip(added, sums)]
        else:  # taken apart: the measured series above, each component below
            taken = (("trend (STL)", level + parts_of.trend), ("seasonality (STL)", parts_of.seasonal),
                     ("noise (STL's residual)", parts_of.noise))
            steps += [(index, f"{name}: {label}", parts_of.values, label, values) for label, values in taken]
    return steps


class ComponentsScene(SteppedScene):
    """``parts`` (``[(name, SeriesComponents)]``; default :func:`default_parts`): the first built up from its
    components, the others taken apart into theirs."""

    def __init__(self, parts=None, *, step: int | None = None, **kwargs):
        self.parts = default_parts() if parts is None else list(parts)
        self.steps = steps_of(self.parts)
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [name for _, name, _, _, _ in self.steps]

    def heading(self, part: int) -> VGroup:
        name, components = self.parts[part]
        built = part == 0
        title = text("Level + trend + seasonality + noise" if built else "Taken apart: " + name, font_size=32)
        title.to_corner(UL, buff=0.3)
        unit = {"daily": "days", "weekly": "weeks", "monthly": "months"}.get(components.frequency, "steps")
        period = f"seasonal period {components.period} {unit}"
        about = (f"{name}, {len(components.values)} {unit}, built up one component at a time; {period}" if built else
                 f"{len(components.values)} {components.frequency or ''} values, split by STL (statsmodels); {period}")
        subtitle = text(about, font_size=20, colour=neutral("muted", THEME))
        subtitle.next_to(title, DOWN, buff=0.12).align_to(title, LEFT)
        return VGroup(title, subtitle)

    def panel(self, values, span, label, low_high, time=None) -> VGroup:
        """``values`` as a line over the panel's width between ``span`` (y low, high), its name and its range (and,
        given ``time``, its first and last time under it)."""
        low, high = low_high
        xs = np.linspace(LEFT_EDGE, LEFT_EDGE + PANEL_WIDTH, len(values))
        ys = span[0] + (np.asarray(values, float) - low) / (high - low) * (span[1] - span[0])
        line = VMobject(color=neutral("text", THEME), stroke_width=3)
        line.set_points_as_corners(np.column_stack([xs, ys, np.zeros_like(xs)]))
        muted = neutral("muted", THEME)
        frame = VGroup(Line([LEFT_EDGE, span[0], 0], [LEFT_EDGE, span[1], 0], color=muted, stroke_width=1.5),
                       Line([LEFT_EDGE, span[0], 0], [LEFT_EDGE + PANEL_WIDTH, span[0], 0], color=muted,
                            stroke_width=1.5))
        numbers = VGroup(*(text(_number(value), font_size=18, colour=muted)
                           .next_to([LEFT_EDGE, y, 0], LEFT, buff=0.12) for value, y in ((low, span[0]), (high, span[1]))))
        name = text(label, font_size=22).next_to([LEFT_EDGE, span[1], 0], UP, buff=0.12, aligned_edge=LEFT)
        ends = VGroup()
        if time is not None:
            for when, x, edge in ((time[0], LEFT_EDGE, LEFT), (time[-1], LEFT_EDGE + PANEL_WIDTH, RIGHT)):
                ends.add(text(_when(when), font_size=18, colour=muted).next_to([x, span[0], 0], DOWN, buff=0.1,
                                                                             aligned_edge=edge))
        return VGroup(frame, numbers, line, name, ends)

    def top(self, step: int) -> VGroup:
        part, name, shown, _, _ = self.steps[step]
        every = np.concatenate([total for index, _, total, _, _ in self.steps if index == part])
        label = "the series so far" if part == 0 else "measured"
        return self.panel(shown, TOP, label, _range(every))

    def bottom(self, step: int) -> VGroup:
        part, _, _, component, values = self.steps[step]
        label = _component_name(component)
        if np.ptp(values) == 0:  # a constant (the level): its value said, its line alone would not
            label += f" = {_number(values[0])}"
        return self.panel(values, BOTTOM, label, _range(values), time=self.parts[part][1].time)

    def still(self, step: int):
        self.add(self.heading(self.steps[step][0]), self.top(step), self.bottom(step))

    def animate(self):
        heading = top = bottom = None
        for step, (part, *_rest) in enumerate(self.steps):
            self.begin_step(step)
            new_heading, new_top, new_bottom = self.heading(part), self.top(step), self.bottom(step)
            if heading is None:
                self.play(Write(new_heading[0]), FadeIn(new_heading[1]), run_time=0.8)
                self.play(Create(new_top), FadeIn(new_bottom), run_time=1.2)
                heading, top, bottom = new_heading, new_top, new_bottom
            else:
                changes = [FadeOut(bottom, shift=DOWN * 0.2), Transform(top, new_top)]
                if part != self.steps[step - 1][0]:  # the next part: a new heading
                    changes.append(Transform(heading, new_heading))
                self.play(*changes, run_time=1.0)
                self.play(FadeIn(new_bottom, shift=UP * 0.2), run_time=0.6)
                bottom = new_bottom
            self.end_step()
        self.wait(0.6)


def _range(values) -> tuple:
    """(low, high) of ``values``, widened a little (a flat line gets a range of its own)."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = 0.05 * (high - low) if high > low else max(1.0, abs(low)) * 0.1
    return low - pad, high + pad


def _when(moment) -> str:
    """A time as the panel writes it: a date's year and month, or a step ("day 364")."""
    moment = np.asarray(moment)
    if np.issubdtype(moment.dtype, np.datetime64):
        return str(moment.astype("datetime64[M]"))
    return f"day {int(moment)}"


def _number(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


def _component_name(component: str) -> str:
    """The lower panel's label: the component and what it is (the lecture's words)."""
    about = {"level": "the starting value", "trend": "long-term movement", "seasonality": "a repeating pattern",
             "noise": "what remains"}
    key = next((word for word in about if component.startswith(word)), None)
    return f"{component}: {about[key]}" if key else component

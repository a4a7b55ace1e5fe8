"""Every video's frames, measured as drawn: text a class can read on a 16:9 slide, no overlaps, nothing off the frame.

The stills of a scene's steps are the last frames of its sections (tests/test_scene_steps.py),
so measuring the stills of the first, middle and last step (every step of the
architectures) measures what the video shows at those steps. It failed on the gate videos'
gate names (11.4 pt) while they were fitted into 0.85 of their boxes' width, and on the
encoder–decoder (9.7 pt) while the architectures were drawn 12.4 units wide with row labels
squeezed into 0.5 units of height.
"""

import importlib

import pytest
from manim import Text, tempconfig

from rnnviz.scenes.legibility import frame_problems, slide_points
from rnnviz.scenes.render import SCENES


def still_mobjects(name: str, step: int) -> list:
    entry = SCENES[name]
    scene_class = getattr(importlib.import_module(entry.module), entry.name)
    scene = scene_class(step=step)
    scene.setup()
    scene.construct()
    return scene.mobjects


def measured_steps(name: str) -> list:
    entry = SCENES[name]
    steps = len(getattr(importlib.import_module(entry.module), entry.name)().step_names())
    return list(range(steps)) if name == "architectures" else sorted({0, steps // 2, steps - 1})


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_video_frame_is_legible_on_a_slide(name):
    with tempconfig({"quality": "low_quality", "dry_run": True}):
        report = {step: problems for step in measured_steps(name) if (problems := frame_problems(still_mobjects(name, step)))}
    assert not report, "\n".join(f"step {step}: " + "; ".join(problems[:6]) for step, problems in report.items())


def test_the_measure_sees_small_overlapping_and_escaping_texts():
    with tempconfig({"quality": "low_quality", "dry_run": True}):
        small = Text("tiny", font_size=10)
        first, second = Text("first label", font_size=30), Text("second label", font_size=30).shift([0.3, 0, 0])
        outside = Text("outside", font_size=30).shift([8.5, 0, 0])
        problems = frame_problems([small.shift([0, 3, 0]), first, second, outside])
        assert slide_points(Text("M", font_size=48)) == pytest.approx(45.0)  # 48 x 0.9375 pt in an 8-unit frame
    assert any("under 12 pt" in problem and "'tiny'" in problem for problem in problems)
    assert any("overlap" in problem and "first label" in problem for problem in problems)
    assert any("off the frame" in problem and "outside" in problem for problem in problems)
    assert not any("'tiny'" in problem and "overlap" in problem for problem in problems)

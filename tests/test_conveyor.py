"""The conveyor belt (the idea of gates): the view reads the trace, the figure and the video draw the view.

The numbers are the lesson ``gates``' shipped LSTM on the sequence its pictures show (held-out sample 0): the same
numbers its claims check (``the_shown_sequence_shows_it``).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.lessons.gates import INPUT_NAMES, SHOWCASE_MARKS
from rnnviz.mpl.legibility import legibility_problems
from rnnviz.views.conveyor import VALVE, conveyor_view, lesson_view


@pytest.fixture(scope="module")
def trace():
    return lessons.trace("gates", "LSTM")


@pytest.fixture(scope="module")
def view():
    return lesson_view("LSTM")[0]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_view_reads_the_trace(view, trace):
    layer = trace.layers[0]
    unit = int(lessons.results("gates")["memory_unit_LSTM"])
    for name, values in (("forget", view.forget), ("input", view.input), ("candidate", view.candidate)):
        np.testing.assert_array_equal(values, layer.gates[name][0, :, unit])
    np.testing.assert_array_equal(view.c, layer.states["c"][0, :, unit])
    np.testing.assert_array_equal(view.h, layer.states["h"][0, :, unit])
    assert view.previous[0] == layer.initial_states["c"][0, unit]
    np.testing.assert_array_equal(view.previous[1:], view.c[:-1])
    np.testing.assert_allclose(view.forget * view.previous + view.input * view.candidate, view.c, atol=1e-6)
    np.testing.assert_allclose(view.kept + view.erased, view.previous)
    np.testing.assert_allclose(view.kept + view.written, view.c, atol=1e-6)
    assert view.marked_steps == SHOWCASE_MARKS  # found in the input's marker feature
    assert view.input_text(2) == f"{layer.inputs[0, 2, 0]:.2f}".replace("-", "−")
    assert view.row_labels["x"] == "input number"


def test_the_view_draws_the_numbers_the_lessons_claims_check(view):
    results = lessons.results("gates")
    unit = int(results["memory_unit_LSTM"])
    np.testing.assert_array_equal(results["forget_LSTM"][0, :, unit], view.forget)
    np.testing.assert_array_equal(results["input_LSTM"][0, :, unit], view.input)
    np.testing.assert_array_equal(results["marks"][0], view.marked)


def test_what_each_step_writes(view):
    new = SHOWCASE_MARKS[-1]
    texts = view.texts(new)
    assert texts["f"] == f"{view.forget[new]:.2f}" and texts["i"] == f"{view.input[new]:.2f}"
    assert texts["off"] == f"{view.erased[new]:.2f}".replace("-", "−")  # the old number comes off
    assert texts["on"] == f"{view.written[new]:+.2f}".replace("-", "−")  # the new one goes on
    held = SHOWCASE_MARKS[-1] + 1
    assert "off" not in view.texts(held) and "on" not in view.texts(held)  # nothing that shows goes on or off
    assert view.texts(0)["h"] in ("0.00", f"{view.h[0]:.2f}")  # no "−0.00"


def test_the_belt_runs_on_without_a_break(view):
    fewer = view.fitting(9)
    for shown in (view, fewer):
        pieces = shown.segments()
        assert pieces[0][0] == -0.5 and pieces[-1][1] == len(shown.columns) - 0.5
        assert all(a[1] == pytest.approx(b[0]) for a, b in zip(pieces, pieces[1:]))
    position = view.columns.index(SHOWCASE_MARKS[-1])
    at_valve = [value for x0, x1, value in view.segments() if x0 == pytest.approx(position + VALVE)]
    assert at_valve == [pytest.approx(view.kept[SHOWCASE_MARKS[-1]])]


def test_fewer_columns_keep_the_steps_that_matter(view):
    assert view.steps_that_matter == (2, 3, 6, 7, 29)  # each marker, the step after it, the last
    for count in (6, 8, 9, 12):
        fewer = view.fitting(count)
        drawn = set(fewer.drawn)
        assert {2, 3, 6, 7, view.steps - 1} <= drawn
        assert len(fewer.columns) <= max(count, 8)  # 8: the steps that matter with their gaps
        assert f"of {view.steps}" in fewer.shows
    assert view.fitting(9).columns == (0, 1, 2, 3, None, 6, 7, None, 29)
    assert view.fitting(9).shows == "steps 0–3, 6–7 and 29 of 30"
    assert view.fitting(30).shows == "30 steps"
    assert view.with_steps(range(10)).columns == tuple(range(10))
    gap = view.fitting(9).gap_texts(range(8, 29))
    assert gap["f"] == f"≥ {np.floor(view.forget[8:29].min() * 100) / 100:.2f}" and gap["step"] == "8–28"


def test_bad_input_is_named(trace):
    with pytest.raises(ValueError, match="layer: the conveyor belt is an LSTM's cell state; 'gru' is a gru"):
        conveyor_view(lessons.trace("gates", "GRU"))
    with pytest.raises(InputError, match="unit"):
        conveyor_view(trace, unit=1)
    with pytest.raises(ValueError, match="marker: expected one of the input names"):
        conveyor_view(trace, input_names=INPUT_NAMES, marker="flag")
    with pytest.raises(ValueError, match="input_names: expected one name per input feature"):
        conveyor_view(trace, input_names=("number",))
    with pytest.raises(InputError, match="kind: expected one of LSTM, PeepholeLSTM"):
        lesson_view("GRU")
    with pytest.raises(InputError, match="count"):
        conveyor_view(trace).fitting(0)


def test_a_trace_whose_c_is_not_the_gates_sum_is_refused(trace):
    from dataclasses import replace

    layer = trace.layers[0]
    c = layer.states["c"].copy()
    c[0, 5, 0] += 0.1
    broken = replace(layer, states={**layer.states, "c": c})
    with pytest.raises(ValueError, match="c at step 5 is .*, not f·c_prev \\+ i·g"):
        conveyor_view(broken)


def draw(size="16:9", theme="light", **kwargs):
    from rnnviz.figures.conveyor import ConveyorDisplay

    with style.context("slides", theme=theme, size=size):
        display = ConveyorDisplay.from_lesson(**kwargs).plot()
        display.figure_.canvas.draw()
        return display, legibility_problems(display.figure_, diagram=True, slide=size)


def test_the_figure_draws_the_traces_numbers():
    display, _ = draw()
    view, background = display.view_, style.neutral("background", "light")
    assert display.view_.drawn[:10] == tuple(range(10)) and view.drawn[-1] == view.steps - 1
    for step in view.drawn:
        texts = view.texts(step)
        for row, text in texts.items():
            assert display.texts_[row, step].get_text() == text
        assert display.texts_["f", step].get_text() == f"{view.forget[step]:.2f}"
        frame, flaps = display.forget_valves_[step]
        assert flaps[0].get_height() == pytest.approx((1 - view.forget[step]) / 2 * frame.get_height())
        frame, flaps = display.input_valves_[step]
        assert flaps[0].get_width() == pytest.approx((1 - view.input[step]) / 2 * frame.get_width())
        assert np.allclose(display.candidates_[step].get_facecolor()[:3],
                           view.colours([view.candidate[step]], background, scale="candidate")[0])
        assert (display.texts_["x", step].get_bbox_patch() is not None) == bool(view.marked[step])
    pieces = view.segments()
    assert len(display.belt_) == len(pieces)
    for patch, (x0, x1, value) in zip(display.belt_, pieces):
        assert patch.get_x() == pytest.approx(x0) and patch.get_width() == pytest.approx(x1 - x0)
        assert np.allclose(patch.get_facecolor()[:3], view.colours([value], background)[0])
    (gap,) = display.gap_texts_.values()
    assert gap["step"].get_text() == f"{view.hidden[0]}–{view.hidden[-1]}"


def test_the_figure_is_legible_at_16_9_light_and_says_what_it_shows():
    display, problems = draw()
    assert not problems, problems
    shown = style.shown_title(display.ax_)
    heading = shown.split("\n")[0]
    assert heading == "The cell state as a conveyor belt, its gates as valves"
    assert display.view_.shows in shown.replace("\n", " ") and "markers at steps 2 and 6" in shown.replace("\n", " ")


def test_the_figure_is_legible_at_4_3_dark_with_fewer_steps_said():
    display, problems = draw("4:3", "dark")
    assert not problems, problems
    view = display.view_
    assert view.hidden and set(SHOWCASE_MARKS) <= set(view.drawn)
    assert f"{view.shows}" in style.shown_title(display.ax_).replace("\n", " ")


def test_the_figure_from_a_trace_and_its_bytes(trace, tmp_path):
    from rnnviz.figures.conveyor import ConveyorDisplay

    display = ConveyorDisplay.from_trace(trace, input_names=INPUT_NAMES, max_steps=9).plot(title=False)
    assert display.view_.columns == (0, 1, 2, 3, None, 6, 7, None, 29)
    peephole = ConveyorDisplay.from_lesson("PeepholeLSTM")
    assert peephole.view.marked_steps == SHOWCASE_MARKS
    from rnnviz.export import save_figure

    files = []
    for run in range(2):
        with style.context("slides", size="16:9"):
            figure = ConveyorDisplay.from_lesson().plot().figure_
        (path,) = save_figure(figure, tmp_path / str(run) / "conveyor", formats=("svg",))
        files.append(path.read_bytes())
    assert files[0] == files[1]


def test_drawing_needs_no_tensorflow():
    from tests.test_without_tensorflow import run_blocked

    out = run_blocked("""
        from rnnviz.figures.conveyor import ConveyorDisplay
        from rnnviz.views.conveyor import lesson_view
        ConveyorDisplay.from_lesson().plot()
        lesson_view("PeepholeLSTM")
        check_never_imported("the conveyor figure")
        print("drawn")
    """)
    assert "drawn" in out


# the video

def stills(steps):
    from rnnviz.scenes.conveyor import ConveyorScene
    from tests.frames import built_still

    return {step: built_still(ConveyorScene, step) for step in steps}


def test_the_video_steps_and_its_stills_are_legible():
    from rnnviz.scenes.legibility import frame_problems

    scenes = stills([0, 2, 3, 6, 9])
    names = scenes[0].step_names()
    assert names[2] == "step 2 (marked)" and names[3] == "step 3" and len(names) == 10
    for step, scene in scenes.items():
        assert not frame_problems(scene.mobjects), (step, frame_problems(scene.mobjects))


def test_a_still_shows_the_steps_done_with_their_numbers():
    from manim import Text

    from rnnviz.scenes.legibility import frame_texts

    scenes = stills([5, 6])
    before = [text.text for text in frame_texts(scenes[5].mobjects) if isinstance(text, Text)]
    after = [text.text for text in frame_texts(scenes[6].mobjects) if isinstance(text, Text)]
    view = scenes[6].view
    taken_off, put_on = view.texts(6)["off"], view.texts(6)["on"]
    assert taken_off not in before and taken_off in after and put_on in after
    assert after.count(view.texts(6)["f"]) >= 1

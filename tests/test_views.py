"""The views: their numbers are the trace's, and the three painters give every strip the view's colours."""

import numpy as np
import pytest
from manim.utils.color import ManimColor

from rnnviz import lessons, style
from rnnviz.figures.cell import CellDisplay
from rnnviz.mpl.strips import strip_colours
from rnnviz.scenes.cell import CellMobject
from rnnviz.scenes.painter import THEME
from rnnviz.views.cell import CellReader, cell_view
from rnnviz.views.scales import ColourScale, gate_scale, state_scale
from rnnviz.views.unrolled import unrolled_view
from rnnviz.widgets import CellExplorer

TOLERANCE = 2 / 255  # one step of an 8-bit channel, twice: the colour map's 1024 levels and rounding


@pytest.fixture(scope="module", params=[("gates", "LSTM"), ("gates", "GRU"), ("forecasting", "peephole_lstm")])
def trace(request):
    return lessons.trace(*request.param)


def test_a_cell_view_holds_the_trace_at_its_step(trace):
    layer = trace.layers[0]
    step = layer.steps // 2
    view = cell_view(trace, sample=0, step=step)
    for strip in view.strips.values():
        node = view.diagram.node(strip.node)
        if "gate" in node.data:
            np.testing.assert_array_equal(strip.values, layer.gates[node.data["gate"]][0, step])
        elif node.data["state"] == "x":
            np.testing.assert_array_equal(strip.values, layer.inputs[0, step])
        else:
            when = step if node.data["time"] == "current" else step - 1
            np.testing.assert_array_equal(strip.values, layer.states[node.data["state"]][0, when])


def test_one_scale_rule_holds_for_every_step_of_a_sample(trace):
    """Scales come from the whole sample, so the still of step t and the video at t agree."""
    reader = CellReader(trace, sample=0)
    first, last = reader.view(0), reader.view(trace.layers[0].steps - 1)
    for node_id, strip in first.strips.items():
        assert strip.scale == last.strips[node_id].scale
        if strip.activation == "σ":
            assert (strip.scale.low, strip.scale.high) == (0.0, 1.0) and not strip.scale.two_sided
        elif strip.activation is None:  # a state: full strength at its largest magnitude in the sample
            state = first.diagram.node(node_id).data["state"]
            every = trace.layers[0].inputs[0] if state == "x" else trace.layers[0].states[state][0]
            assert strip.scale.high == pytest.approx(np.abs(every).max())


def _composited(fill_colour, opacity, background) -> np.ndarray:
    fill = np.array(ManimColor(fill_colour).to_rgb())
    back = np.array(ManimColor(background).to_rgb())
    return back + (fill - back) * opacity


def test_figure_video_and_explorer_give_every_strip_the_same_colours(trace):
    """For one trace and step: the slide figure, the video's mobject and the explorer paint the view's colours."""
    step = trace.layers[0].steps // 2
    view = cell_view(trace, sample=0, step=step)
    background = style.neutral("background", THEME)  # all three on the video's background
    with style.context(theme=THEME):
        figure = CellDisplay.from_trace(trace, step=step).plot()
    explorer = CellExplorer(trace, step=step, theme=THEME)
    mobject = CellMobject.from_trace(trace).show(step)
    for node_id, strip in view.strips.items():
        expected = strip.scale.colours(strip.values, background)
        np.testing.assert_allclose(strip_colours(figure.strips_[node_id]), expected, atol=TOLERANCE, err_msg=node_id)
        np.testing.assert_allclose(strip_colours(explorer.artists["strips"][node_id]), expected, atol=TOLERANCE,
                                   err_msg=node_id)
        painted = np.array([_composited(cell.get_fill_color(), cell.get_fill_opacity(), background)
                            for cell in mobject.get_strip(node_id).cells])
        np.testing.assert_allclose(painted, expected, atol=TOLERANCE, err_msg=node_id)


def test_the_time_step_explorer_colours_h_as_the_cell_views_do(trace):
    """The TimeStepExplorer's chain paints each step's h with the colours of that step's cell view."""
    from rnnviz.widgets import TimeStepExplorer

    layer = trace.layers[0]
    step = layer.steps // 2
    explorer = TimeStepExplorer(trace, step=step, theme=THEME)
    strips = explorer.artists["strips"]
    strips.update_scalarmappable()
    painted = strips.get_facecolors()[:, :3].reshape(explorer.artists["window"], layer.units, 3)
    background = np.array(ManimColor(style.neutral("background", THEME)).to_rgb())
    for column, shown in enumerate(range(explorer.artists["start"], explorer.artists["start"] + len(painted))):
        strip = cell_view(trace, sample=0, step=shown).strips["h_out"]
        expected = strip.scale.colours(strip.values, style.neutral("background", THEME))
        np.testing.assert_allclose(painted[column], expected, atol=TOLERANCE, err_msg=f"step {shown}")
    assert not np.allclose(painted, background)  # the chain shows something


def test_neighbouring_steps_differ_in_colour_for_the_gates_lesson():
    """The comparison above can fail: the lesson's LSTM writes at a marker, so its input gate's colour changes there."""
    trace = lessons.trace("gates", "LSTM")
    reader = CellReader(trace, sample=0)
    background = style.neutral("background", THEME)
    colours = [reader.view(step).strips["input"].scale.colours(reader.view(step).strips["input"].values, background)
               for step in range(trace.layers[0].steps)]
    assert max(np.abs(a - b).max() for a, b in zip(colours, colours[1:])) > 0.5


def test_scales_and_their_colours():
    gate = gate_scale("forget", "σ", np.array([0.2]))
    background = "#000000"
    np.testing.assert_allclose(gate.colours([0.0, 1.0], background)[0], 0.0)
    np.testing.assert_allclose(gate.colours([1.0], background)[0], np.array(ManimColor(style.PALETTE["forget"]).to_rgb()))
    signed = state_scale(np.array([-2.0, 0.5]))
    assert (signed.low, signed.high) == (-2.0, 2.0) and signed.two_sided
    assert signed.hues([-1.0, 1.0]) == [signed.negative, signed.positive]
    np.testing.assert_allclose(signed.strength([-1.0, 4.0, np.nan])[:2], [0.5, 1.0])
    with pytest.raises(ValueError, match="low: a two-sided scale is centred at 0"):
        ColourScale(-1.0, 2.0, positive="#FFFFFF", negative="#000000")


def test_an_unrolled_view_shares_one_scale_and_holds_each_cells_state():
    trace = lessons.trace("forecasting", "simple_rnn")
    view = unrolled_view(trace, sample=1, max_steps=6)
    layer = trace.layers[0]
    assert {strip.scale for strip in view.strips.values()} == {state_scale(layer.states["h"][1])}
    for node_id, strip in view.strips.items():
        np.testing.assert_array_equal(strip.values, layer.states["h"][1, view.diagram.node(node_id).data["step"]])


def test_views_need_numpy_only_and_painters_never_import_each_other():
    """The views import no drawing library and no TensorFlow; scenes and widgets never import the slide figures."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, rnnviz.views.cell, rnnviz.views.unrolled, rnnviz.views.windowing, rnnviz.views.gradients; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'manim', 'ipywidgets', "
            "'tensorflow', 'keras'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
    root = Path(__file__).resolve().parents[1]
    for folder in ("scenes", "widgets"):
        for source in (root / folder).glob("*.py"):
            for line in source.read_text().splitlines():
                assert not (line.lstrip().startswith(("from rnnviz.figures", "import rnnviz.figures"))), (source, line)


def test_the_deep_rnn_is_drawn_layer_by_layer_with_each_cells_recorded_state():
    """The gallery's deep RNN: both stacked layers, each cell holding its own layer's state at its step."""
    trace = lessons.trace("forecasting", "deep_rnn")
    view = unrolled_view(trace, sample=0, max_steps=8)
    drawn = {view.diagram.node(node_id).data["layer"] for node_id in view.strips}
    assert drawn == {layer.name for layer in trace.layers} and len(drawn) == 2
    for node_id, strip in view.strips.items():
        node = view.diagram.node(node_id)
        layer = trace[node.data["layer"]]
        np.testing.assert_array_equal(strip.values, layer.states["h"][0, node.data["step"]])
        assert node.label.startswith(f"h⁽{'¹²'[trace.layers.index(layer)]}⁾")


def test_the_shipped_deep_rnn_trace_is_the_shipped_model_recorded():
    import rnnviz
    from rnnviz.lessons import forecasting

    trace = lessons.trace("forecasting", "deep_rnn")
    inputs, _ = lessons.data("forecasting")
    sample = inputs[:: max(1, len(inputs) // forecasting.SHOWCASE_WINDOWS)][: forecasting.SHOWCASE_WINDOWS]
    again = rnnviz.record(lessons.model("forecasting", "deep_rnn"), sample)
    for shipped, recorded in zip(trace.layers, again.layers):
        np.testing.assert_allclose(shipped.states["h"], recorded.states["h"], atol=1e-6)

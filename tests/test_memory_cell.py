"""The memory cell picture: the weights drawn are the trained Keras layer's own, the states drawn follow the recurrence
hₜ = tanh(xₜ Wₓ + hₜ₋₁ Wₕ + b) from those weights, the figure and the video paint exactly those, legibly."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.export import save_figure
from rnnviz.figures.memory_cell import MemoryCellDisplay
from rnnviz.mpl.legibility import legibility_problems
from rnnviz.views.memory_cell import memory_cell_view
from tests.test_without_tensorflow import run_blocked

WEIGHTS = {"W_x": "kernel", "W_h": "recurrent_kernel", "b": "bias"}


@pytest.fixture(scope="module")
def trace():
    return lessons.trace("forecasting", "simple_rnn")


@pytest.fixture(scope="module")
def view(trace):
    return memory_cell_view(trace)


def recurrence(view, steps):
    """h₁ … h_steps from h₀ with the view's weights and inputs, in float64."""
    weights = {name: np.asarray(view.weights[name], float) for name in WEIGHTS}
    h, states = np.asarray(view.initial, float), []
    for x in np.asarray(view.inputs[:steps], float):
        h = np.tanh(x @ weights["W_x"] + h @ weights["W_h"] + weights["b"])
        states.append(h)
    return np.array(states)


# ---------------------------------------------------------------- the numbers


def test_the_weights_are_the_keras_layers_own(view):
    model = lessons.model("forecasting", "simple_rnn")  # TensorFlow: the shipped .keras file, loaded by Keras
    kernel, recurrent, bias = model.get_layer("simple_rnn").get_weights()
    for name, keras in zip(WEIGHTS, (kernel, recurrent, bias)):
        assert view.weights[name].dtype == keras.dtype and np.array_equal(view.weights[name], keras)
    assert view.weights["W_x"].shape == (1, 32) and view.weights["W_h"].shape == (32, 32) and view.weights["b"].shape == (32,)


def test_the_states_follow_the_recurrence_from_those_weights(trace, view):
    layer = trace.layers[0]
    assert not np.any(view.initial) and np.array_equal(view.inputs, layer.inputs[0, :4])
    assert np.abs(view.states - recurrence(view, 4)).max() < 1e-5
    assert np.array_equal(view.states, layer.states["h"][0, :4])  # what is drawn is what was recorded
    for k in range(view.steps):
        terms = view.terms(k)
        assert np.allclose(terms["sum"], terms["input"] + terms["recurrent"] + terms["bias"])
        assert np.abs(terms["state"] - view.states[k]).max() < 1e-5
    every = memory_cell_view(trace, steps=layer.steps)  # and over the whole window
    assert np.abs(every.states - recurrence(every, layer.steps)).max() < 1e-5


def test_one_scale_for_the_three_weights_and_one_for_the_states(trace, view):
    largest = max(np.abs(values).max() for values in view.weights.values())
    assert view.weight_scale.two_sided and view.weight_scale.high == pytest.approx(largest)
    assert view.state_scale.high == pytest.approx(np.abs(trace.layers[0].states["h"][0]).max())
    assert {strip.scale for strip in view.strips.values()} == {view.state_scale}


def test_the_written_sum_is_the_recurrence_for_one_unit(view):
    unit = view.shown_unit
    assert unit == int(np.argmax(np.abs(view.weights["W_x"][0])))
    for k in range(view.steps):
        text = view.sum_text(k)
        x_term = view.inputs[k, 0] * view.weights["W_x"][0, unit]
        h_term = view.before(k) @ view.weights["W_h"][:, unit]
        b_term = view.weights["b"][unit]
        inside = text.split("tanh(")[2].split(")")[0]  # "0.26 + 0.00 − 0.13"
        written = [float(number.replace("−", "-")) * (-1 if sign == "−" else 1)
                   for sign, number in re.findall(r"([+−]?)\s*(−?\d+\.\d+)", inside)]
        assert written == pytest.approx([x_term, h_term, b_term], abs=0.0051)
        assert float(text.rsplit("=", 1)[1].replace("−", "-")) == pytest.approx(view.states[k, unit], abs=0.0051)
        assert np.tanh(x_term + h_term + b_term) == pytest.approx(view.states[k, unit], abs=1e-5)


def test_fewer_steps_keep_the_same_numbers(view):
    fewer = view.with_steps(2)
    assert fewer.steps == 2 and np.array_equal(fewer.states, view.states[:2]) and set(fewer.strips) == {"cell_0", "cell_1"}
    assert len(fewer.diagram.find("cell", kind="simple_rnn")) == 3  # the folded cell and two steps
    labels = [node.label for node in fewer.diagram.nodes if node.role == "value"]
    assert labels == ["−0.59", "−0.26"] and fewer.diagram.node("more").label == "… h₄₀"


def test_bad_arguments_are_named(trace):
    with pytest.raises(InputError, match="steps: .*expected an integer from 1 to 40, got 0"):
        memory_cell_view(trace, steps=0)
    with pytest.raises(ValueError, match="sample: "):
        memory_cell_view(trace, sample=8)
    with pytest.raises(InputError, match="layer: the memory cell picture draws a SimpleRNN's .*'lstm'"):
        memory_cell_view(lessons.trace("forecasting", "lstm"))
    with pytest.raises(InputError, match="step: .*4 steps are drawn"):
        memory_cell_view(trace).terms(4)


# ---------------------------------------------------------------- the figure


def test_the_figure_draws_the_weights_and_the_states(view):
    display = MemoryCellDisplay.from_lesson().plot()
    heatmaps = display.heatmaps_
    assert set(heatmaps) == {"W_x", "W_h", "b", *(f"{w}_{k}" for w in WEIGHTS for k in range(4))}
    for node_id, image in heatmaps.items():
        name = node_id if node_id in WEIGHTS else node_id.rsplit("_", 1)[0]
        assert np.array_equal(image.get_array(), np.atleast_2d(view.weights[name]))  # every step: the same weights
        assert (image.norm.vmin, image.norm.vmax) == (view.weight_scale.low, view.weight_scale.high)  # one scale
    for k in range(4):
        assert np.array_equal(display.strips_[f"cell_{k}"].get_array()[0], view.states[k])
    texts = [text.get_text() for text in display.texts_]
    assert "any memory cell:  hₜ = f(hₜ₋₁, xₜ)" in texts and "the same Wₓ, Wₕ and b at every step" in texts
    assert "SimpleRNN:  f = tanh(xₜ Wₓ + hₜ₋₁ Wₕ + b),  yₜ = hₜ" in texts
    assert all(f"{value:.2f}".replace("-", "−") in texts for value in view.inputs[:, 0])
    assert [tick.get_text() for tick in display.weight_key_.ax.get_xticklabels()] == ["−0.58", "0", "+0.58"]
    assert display.state_key_.norm.vmax == view.state_scale.high


@pytest.mark.parametrize(("size", "theme", "steps"), [("16:9", "light", 4), ("4:3", "dark", 3)])
def test_the_figure_is_legible_on_a_slide(size, theme, steps):
    with style.context("slides", theme=theme, size=size):
        display = MemoryCellDisplay.from_lesson().plot()
        assert legibility_problems(display.figure_, diagram=True, slide=size) == []
        assert display.view.steps == steps  # 4:3 draws one step fewer to keep its text at 12 pt
        if size == "16:9":
            assert "\n" not in display.ax_._left_title._rnnviz_shown[0].get_text()  # a one-line heading


def test_the_same_figure_gives_the_same_png_bytes(tmp_path):
    def png(name):
        with style.context("slides", size="16:9", theme="dark"):
            display = MemoryCellDisplay.from_lesson().plot()
            (path,) = save_figure(display.figure_, tmp_path / f"{name}.png")
            plt.close(display.figure_)
        return path.read_bytes()

    assert png("first") == png("second")


def test_the_figure_needs_no_tensorflow():
    out = run_blocked("""
        from rnnviz.figures.memory_cell import MemoryCellDisplay
        from rnnviz.scenes.memory_cell import MemoryCellScene

        MemoryCellDisplay.from_lesson().plot()
        MemoryCellScene(step=2)
        check_never_imported("the memory cell figure and scene")
        print("ok")
    """)
    assert out.splitlines()[-1] == "ok"


# ---------------------------------------------------------------- the video


def still_mobjects(step):
    from rnnviz.scenes.memory_cell import MemoryCellScene
    from tests.frames import built_still

    return built_still(MemoryCellScene, step)


def test_the_video_paints_the_same_numbers(view):
    from manim import Text

    shown = still_mobjects(2)
    assert shown.step_names() == ["the folded cell and its weights", "step 1: h1", "step 2: h2", "step 3: h3"]
    picture, background = shown.picture, style.neutral("background", "dark")
    for node_id, squares in picture.heatmaps.items():
        name = node_id if node_id in WEIGHTS else node_id.rsplit("_", 1)[0]
        colours = np.array([square.get_fill_color().to_rgb() for square in squares[0]])
        expected = view.weight_scale.colours(np.atleast_2d(view.weights[name]), background)
        assert np.abs(colours - expected).max() < 1 / 255 + 1e-9  # every step's copy: the one set of weights
    for k in range(3):
        assert np.array_equal(picture.strips[f"cell_{k}"].values, view.states[k])
    on_screen = {id(mobject) for mobject in shown.mobjects}
    assert all(id(copy) in on_screen for k in range(2) for copy in picture.copies(k).values())
    assert not any(id(copy) in on_screen for copy in picture.copies(2).values())  # step 3 not yet taken
    texts = {mobject.text for mobject in shown.mobjects for mobject in mobject.get_family() if isinstance(mobject, Text)}
    assert view.sum_text(1).replace(" ", "") in {text.replace(" ", "") for text in texts}

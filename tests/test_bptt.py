"""Backpropagation through time: the per-step Jacobians against GradientTape on Keras's own cells, the lesson
``memory``'s shipped numbers against gradient_profile, and the figure and video drawing exactly those numbers."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.lessons import memory
from rnnviz.views.bptt import ROWS, bptt_view, written


# --- the per-step Jacobians, brute force ------------------------------------------------------------------------


def keras_steps(cell, inputs):
    """Run Keras's ``cell`` step by step from zero states; per step, the Jacobian of its new states (stacked) with
    respect to the states before, one full ``tape.jacobian`` per step (batch, time, n, n), and its outputs."""
    import tensorflow as tf

    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    batch, steps = inputs.shape[:2]
    states = [tf.zeros((batch, size)) for size in sizes]
    jacobians, outputs = [], []
    for t in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(states)
            before = tf.concat(states, axis=-1)
            split = tf.split(before, sizes, axis=-1)
            output, new = cell(tf.constant(inputs[:, t]), split, training=False)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            stacked = tf.concat(new, axis=-1)
        full = tape.jacobian(stacked, before).numpy()  # (batch, n, batch, n): every sample against every sample
        jacobians.append(np.stack([full[b, :, b, :] for b in range(batch)]))
        outputs.append(output.numpy())
        states = [tf.constant(s.numpy()) for s in new]
    return np.stack(jacobians, axis=1), np.stack(outputs, axis=1)


def short_sequences():
    from tests.models import sequences

    return sequences(batch=2)


def small_model(*layers):
    from tests.models import randomise, sequential

    return randomise(sequential(*layers), seed=3)


def kinds():
    import keras

    L = keras.layers
    return {
        "SimpleRNN": lambda: L.SimpleRNN(5, name="cell"),
        "LSTM": lambda: L.LSTM(4, name="cell"),
        "GRU": lambda: L.GRU(5, name="cell"),
        "GRU (reset_after=False)": lambda: L.GRU(5, reset_after=False, name="cell"),
    }


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU", "GRU (reset_after=False)"])
def test_step_jacobians_match_gradient_tape_on_kerass_cell(name):
    from rnnviz.recording.gradients import step_jacobian_norms, step_jacobians

    model = small_model(kinds()[name]())
    x = short_sequences()
    expected, _ = keras_steps(model.get_layer("cell").cell, x)
    found = step_jacobians(model, x)
    assert found.shape == expected.shape
    np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    norms = np.linalg.norm(expected, axis=(-2, -1))
    np.testing.assert_allclose(step_jacobian_norms(model, x), norms, rtol=1e-5)
    np.testing.assert_allclose(step_jacobian_norms(model, x, ord=2), np.linalg.norm(expected, ord=2, axis=(-2, -1)),
                               rtol=1e-5)


def test_step_jacobians_in_a_stack_at_both_positions():
    import keras

    from rnnviz.recording.gradients import step_jacobian_norms

    model = small_model(keras.layers.GRU(5, return_sequences=True, name="first"), keras.layers.LSTM(4, name="second"))
    x = short_sequences()
    first, first_outputs = keras_steps(model.get_layer("first").cell, x)
    second, _ = keras_steps(model.get_layer("second").cell, first_outputs)
    for layer, expected in (("first", first), ("second", second)):
        np.testing.assert_allclose(step_jacobian_norms(model, x, layer=layer), np.linalg.norm(expected, axis=(-2, -1)),
                                   rtol=1e-5)


def test_the_norm_of_the_product_is_at_most_the_product_of_the_norms_and_ord_is_checked():
    from rnnviz.recording.gradients import gradient_profile, step_jacobian_norms
    from tests.models import sequences

    model = small_model(kinds()["LSTM"]())
    x = sequences()
    product = gradient_profile(model, x).norms
    norms = step_jacobian_norms(model, x)
    bound = np.cumprod(norms[:, :0:-1], axis=1)[:, ::-1]  # after t: the steps t+1 .. T
    assert np.all(product[:, :-1] <= bound * (1 + 1e-5))
    with pytest.raises(InputError, match="ord: expected 'fro' or 2, got 'nuc'"):
        step_jacobian_norms(model, x, ord="nuc")


def test_the_error_signal_is_the_answers_gradient_with_respect_to_the_whole_state():
    """``‖∂ŷ/∂s_t‖`` carried back by the Jacobians equals GradientTape's through Keras's cell and Dense, run from s_t."""
    import keras
    import tensorflow as tf

    from rnnviz.recording.gradients import step_jacobians
    from tests.models import sequences

    model = small_model(keras.layers.LSTM(4, name="cell"), keras.layers.Dense(1, name="sum"))
    x = sequences()
    cell, readout = model.get_layer("cell").cell, model.get_layer("sum")
    found = memory._error_signal(step_jacobians(model, x, layer="cell"), np.asarray(readout.kernel)[:, 0])
    states = [np.zeros((len(x), 4), np.float32)] * 2
    history = []
    for t in range(x.shape[1]):
        history.append(states)
        _, states = cell(tf.constant(x[:, t]), [tf.constant(s) for s in states], training=False)
        states = [s.numpy() for s in states]
    for t in (0, 4, x.shape[1] - 1):
        start = [tf.Variable(s) for s in (history[t + 1] if t + 1 < x.shape[1] else states)]
        with tf.GradientTape() as tape:
            now = list(start)
            for k in range(t + 1, x.shape[1]):
                _, now = cell(tf.constant(x[:, k]), now, training=False)
            answer = tf.reduce_sum(readout(now[0]))
        gradient = np.concatenate([g.numpy() for g in tape.gradient(
            answer, start, unconnected_gradients=tf.UnconnectedGradients.ZERO)], axis=-1)
        np.testing.assert_allclose(found[:, t], np.linalg.norm(gradient, axis=-1), rtol=1e-5)


# --- the lesson's shipped numbers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results():
    return lessons.results("memory")


def test_the_shipped_product_is_gradient_profiles_and_the_norms_are_the_step_jacobians(results):
    from rnnviz.recording.gradients import gradient_profile, step_jacobian_norms

    x, _ = lessons.data("memory")
    view = bptt_view(results)
    row = view.sequence
    assert row == results["bptt_rows"][0] and results["distance"][row] == memory.DISTANCES[-1] == view.last
    for chain in view.chains:
        model = lessons.model("memory", chain.label)
        np.testing.assert_allclose(chain.product, gradient_profile(model, x[[row]]).norms[0], rtol=1e-5)
        np.testing.assert_allclose(chain.step_norms, step_jacobian_norms(model, x[[row]])[0], rtol=1e-5)
        assert chain.product[-1] == pytest.approx(np.sqrt(memory.UNITS))  # ‖∂h_T/∂h_T‖ = ‖I‖
        readout = np.asarray(model.get_layer("sum").kernel)[:, 0]
        assert chain.signal[-1] == pytest.approx(np.linalg.norm(readout), rel=1e-6)  # ∂ŷ/∂s_T = (w, 0)


def test_the_view_reads_every_step_and_its_bound_bounds_the_product(results):
    view = bptt_view(results)
    assert view.drawn == (0, 96, 97, 98, 99, 100) and view.visits[0] == 100
    assert [chain.state for chain in view.chains] == ["h", "(h, c)"]
    for chain in view.chains:
        bound = chain.bound()
        assert np.isnan(bound[-1]) and bound[-2] == pytest.approx(chain.step_norms[-1])
        assert bound[0] == pytest.approx(np.prod(chain.step_norms[1:].astype(float)), rel=1e-9)
        assert np.all(chain.product[:-1] <= bound[:-1] * (1 + 1e-5))  # "≥ the product", as the figure says
        assert chain.arrow(0, 96).startswith("96 steps")
    assert view.step_name(0) == "the answer's error signal at the last step"
    assert view.step_name(len(view.visits) - 1) == "100 steps back (the first marked number)"
    measured = len(results["bptt_rows"])  # every held-out sequence of the longest distance
    assert measured == np.sum(results["distance"] == memory.DISTANCES[-1]) > 100
    with pytest.raises(InputError, match=f"sequence: .*{measured} sequences"):
        bptt_view(results, sequence=measured)
    assert written(1.234e-5) == "1.23×10⁻⁵" and written(4.8) == "4.8" and written(9.996e63) == "1.00×10⁶⁴"


def test_the_lessons_claim_holds_on_the_shipped_numbers(results):
    (claim,) = [c for c in memory.LESSON.check(results) if c.claim == "error_signal_fades_in_the_simple_rnn"]
    assert claim.holds, claim


# --- the figure --------------------------------------------------------------------------------------------------


def test_the_figure_draws_the_shipped_numbers(results):
    from rnnviz.figures.bptt import BPTTDisplay

    display = BPTTDisplay.from_lesson().plot()
    try:
        view = bptt_view(results)
        for chain in view.chains:
            for t in view.drawn:
                for key in ROWS:
                    assert display.number_texts_[chain.label, key, t].get_text() == chain.numbers(t)[key]
                assert display.cells_[chain.label, t].get_edgecolor()[:3] == matplotlib.colors.to_rgb(
                    style.color(chain.kind))
            for source, target in view.arrows():
                shown = display.arrow_texts_[chain.label, source, target].get_text()
                if target - source == 1:
                    assert shown == written(results[f"bptt_step_norm_{chain.label}"][0][target])
        simple = display.number_texts_["SimpleRNN", "signal", 0].get_text()
        assert simple == written(results["bptt_signal_SimpleRNN"][0, 0])
    finally:
        plt.close(display.figure_)


@pytest.mark.parametrize("theme, size", [("light", "16:9"), ("dark", "4:3")])
def test_the_figure_is_legible_on_a_slide(theme, size):
    from rnnviz.figures.bptt import BPTTDisplay
    from rnnviz.mpl.legibility import legibility_problems

    with style.context("slides", theme=theme, size=size):
        display = BPTTDisplay.from_lesson().plot()
        try:
            assert legibility_problems(display.figure_, diagram=True, slide=size) == []
        finally:
            plt.close(display.figure_)


# --- the video ---------------------------------------------------------------------------------------------------


def scene_stills(step):
    from rnnviz.scenes.bptt import BPTTScene
    from tests.frames import built_still

    return built_still(BPTTScene, step)


@pytest.mark.parametrize("step", [5, pytest.param(0, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)])
def test_each_step_of_the_video_shows_the_numbers_reached_so_far(results, step):
    from manim import Text, tempconfig

    from rnnviz.scenes.legibility import frame_problems

    view = bptt_view(results)
    scene = scene_stills(step)
    shown = [m.original_text for m in scene.get_mobject_family_members() if isinstance(m, Text)]
    assert len(scene.mobjects) == step + 3  # the layout, what each step so far added, the signal's dots
    for chain in view.chains:
        for t in view.visits[: step + 1]:
            assert all(number in shown for number in chain.numbers(t).values())
        if step + 1 < len(view.visits):
            ahead = chain.numbers(view.visits[step + 1])["bound"]
            assert ahead not in shown  # each bound is larger than any before it here (all norms > 1)
        if step:
            assert chain.arrow(view.visits[step], view.visits[step - 1]).replace("\n", " ") in shown
    with tempconfig({"quality": "low_quality", "dry_run": True}):
        assert frame_problems(scene.mobjects) == [], step


def test_the_figure_and_the_video_need_no_tensorflow():
    from tests.test_without_tensorflow import run_blocked

    out = run_blocked("""
        import matplotlib.pyplot as plt
        from manim import tempconfig

        from rnnviz.figures.bptt import BPTTDisplay
        from rnnviz.scenes.bptt import BPTTScene

        plt.close(BPTTDisplay.from_lesson().plot().figure_)
        with tempconfig({"quality": "low_quality", "dry_run": True}):
            scene = BPTTScene(step=5)
            scene.setup()
            scene.construct()
        check_never_imported("the BPTT figure and video")
        print("ok")
    """)
    assert out.strip().endswith("ok")

"""What gradient clipping does to the gradient vector: NumPy clipping equal to Keras 3's, the projection's arithmetic,
the figure drawing the shipped gradient, legible at 16:9 and 4:3, and the threshold explorer."""

import subprocess
import sys

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.lessons import gradients
from rnnviz.mpl.legibility import legibility_problems
from rnnviz.views.clipping import OPTIONS, clip, clipping_view, plane_basis, scientific


@pytest.fixture(scope="module")
def shipped():
    return gradients.first_gradient_of(lessons.results("gradients"))


def keras_update(grads: list, **option) -> list:
    """One step of Keras's SGD at learning rate 1 from zero weights, clipping as ``option`` says: −(clipped gradient)."""
    variables = [keras.Variable(np.zeros(g.shape, "float32")) for g in grads]
    keras.optimizers.SGD(learning_rate=1.0, **option).apply_gradients(
        zip([keras.ops.convert_to_tensor(g.astype("float32")) for g in grads], variables))
    return [keras.ops.convert_to_numpy(variable) for variable in variables]


@pytest.mark.parametrize("threshold", [1.0, 1e5, 1e9])
@pytest.mark.parametrize("option", OPTIONS)
def test_numpy_clipping_equals_keras_on_the_shipped_gradient(shipped, option, threshold):
    """At 1e5 clipnorm cuts four variables and not the Dense bias; at 1e9 nothing is cut."""
    grads = list(shipped.values())
    for ours, theirs in zip(clip(grads, option, threshold), keras_update(grads, **{option: threshold}), strict=True):
        np.testing.assert_allclose(-theirs, ours, rtol=1e-6, atol=1e-6)


def test_numpy_clipping_equals_keras_where_variables_are_cut_by_different_factors():
    rng = np.random.default_rng(4)
    grads = [rng.normal(scale=scale, size=shape) for scale, shape in ((5.0, (3, 4)), (0.1, (6,)), (40.0, (2, 2)))]
    for option in OPTIONS:
        for ours, theirs in zip(clip(grads, option, 0.7), keras_update(grads, **{option: 0.7})):
            np.testing.assert_allclose(-theirs, ours, rtol=1e-6, atol=1e-6)


def test_what_each_option_keeps_holds_for_any_gradient():
    """global_clipnorm keeps the direction exactly; clipnorm keeps each variable's direction, turning the whole when
    the factors differ; clipvalue bounds every element. Exact facts: tests, not claims."""
    rng = np.random.default_rng(0)
    grads = {"a": rng.normal(scale=10, size=(4, 3)), "b": rng.normal(scale=0.01, size=5), "c": rng.normal(size=7)}
    view = clipping_view(grads, 0.5)
    whole = view.vectors["global_clipnorm"]
    assert whole.cosine == pytest.approx(1.0, abs=1e-12) and whole.norm == pytest.approx(0.5)
    assert whole.xy[1] == pytest.approx(0.0, abs=1e-12) and whole.angle < 1e-4
    per_variable = clip(list(grads.values()), "clipnorm", 0.5)
    for raw, cut in zip(grads.values(), per_variable):
        assert raw.ravel() @ cut.ravel() == pytest.approx(np.linalg.norm(raw) * np.linalg.norm(cut))
        assert np.linalg.norm(cut) <= 0.5 + 1e-12
    np.testing.assert_array_equal(per_variable[1], grads["b"])  # under the threshold: not cut
    assert view.vectors["clipnorm"].angle > 1 and view.vectors["clipnorm"].clipped == 2
    assert np.abs(view.vectors["clipvalue"].vector).max() == 0.5 and view.vectors["clipvalue"].angle > 1


def test_each_clipped_vector_is_drawn_in_its_plane_with_g_without_loss():
    rng = np.random.default_rng(1)
    g = rng.normal(size=50)
    for v in (np.clip(g, -0.3, 0.3), 2 * g, rng.normal(size=50)):
        basis = plane_basis(g, v)
        np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
        np.testing.assert_allclose(basis @ g, [np.linalg.norm(g), 0], atol=1e-12)
        xy = basis @ v
        np.testing.assert_allclose(basis.T @ xy, v, atol=1e-12)  # v lies in the plane: nothing lost
        assert xy[1] >= -1e-12  # across g, towards v (0 when v lies on g's line)
    view = clipping_view({"g": g}, 0.3)
    for vector in view.vectors.values():
        assert np.hypot(*vector.xy) == pytest.approx(vector.norm)
        assert np.degrees(np.arctan2(vector.xy[1], vector.xy[0])) == pytest.approx(vector.angle, abs=1e-6)
        assert vector.cosine == pytest.approx(vector.vector @ g / (vector.norm * np.linalg.norm(g)))


def test_the_shipped_gradient_is_the_clipping_runs_first_step(shipped):
    """The same for every setting: its global norm is each run's first recorded gradient norm."""
    assert list(shipped) == ["SimpleRNN/kernel", "SimpleRNN/recurrent_kernel", "SimpleRNN/bias", "Dense/kernel",
                             "Dense/bias"]
    norm = np.sqrt(sum(np.sum(np.square(part.astype(float))) for part in shipped.values()))
    for run in gradients.clipping_runs(lessons.results("gradients")).values():
        assert run["gradient_norm"][0] == pytest.approx(norm, rel=1e-6)


def test_measuring_again_from_the_shipped_seed_gives_the_shipped_gradient(shipped):
    again = gradients.first_gradient(int(lessons.results("gradients")["seed"]))
    for name, value in again.items():
        np.testing.assert_allclose(value, shipped[name], rtol=gradients.FIRST_GRADIENT_RTOL)


def test_the_headings_claims_hold_on_the_shipped_gradient():
    checked = {result.claim: result for result in gradients.LESSON.check(lessons.results("gradients"))}
    for claim in ("clipnorm_turns", "clipvalue_turns"):
        assert checked[claim].holds, checked[claim]


def test_bad_thresholds_and_gradients_are_named(shipped):
    for bad in (0, -1.0, float("nan"), "1", True):
        with pytest.raises(InputError, match="threshold: a clipping threshold; expected"):
            clipping_view(shipped, bad)
    with pytest.raises(InputError, match="option: expected one of global_clipnorm, clipnorm, clipvalue"):
        clip(list(shipped.values()), "clipnorms", 1.0)
    with pytest.raises(InputError, match="gradients: expected finite numbers"):
        clipping_view({"a": np.zeros(3)}, 1.0)


def test_numbers_are_written_with_powers_of_ten():
    assert [scientific(v) for v in (63633096.0, 17.0, 1.0, 0.781, 1e-3)] == ["6.36×10⁷", "17.0", "1.00", "0.781",
                                                                            "1.00×10⁻³"]
    assert scientific(6e7, 2, zeros=False) == "6×10⁷" and scientific(0.6, 2, zeros=False) == "0.6"


def test_the_figure_draws_the_shipped_gradient_clipped_at_the_lessons_threshold(shipped):
    from rnnviz.figures.clipping_vectors import HEADING, ClippingVectorsDisplay

    display = ClippingVectorsDisplay.from_lesson().plot()
    try:
        view = clipping_view(shipped, gradients.CLIP_THRESHOLD)
        assert display.heading == HEADING and "6.36×10⁷" in display.description
        for option, vector in view.vectors.items():
            assert display.arrows_[option]._posA_posB == [(0, 0), tuple(vector.xy)]
            start, end = display.raw_[option]._posA_posB
            assert start == (0, 0) and end[1] == 0 and end[0] < view.norm  # g along x, beyond the panel
            title = display.titles_[option].get_text()
            assert f"‖v‖ = {scientific(vector.norm)}" in title and f"cos(v, g) = {vector.cosine:.3f}" in title
            assert display.angle_texts_[option].get_text() == f"{vector.angle:.1f}°"
        assert display.titles_["clipnorm"].get_text().splitlines()[:3] == ["clipnorm=1", "each variable", "5 of 5 cut"]
        assert display.titles_["clipvalue"].get_text().splitlines()[2] == "288 of 305 cut"
    finally:
        plt.close(display.figure_)
    other = ClippingVectorsDisplay.from_lesson(threshold=1e9).plot()
    assert other.heading != HEADING  # the claims are at the lesson's threshold only
    plt.close(other.figure_)


@pytest.mark.parametrize("size, theme", [("16:9", "light"), ("4:3", "dark")])
def test_the_figure_is_legible_on_a_slide(size, theme):
    from rnnviz.figures.clipping_vectors import ClippingVectorsDisplay

    with style.context("slides", theme=theme, size=size):
        display = ClippingVectorsDisplay.from_lesson().plot()
        try:
            assert legibility_problems(display.figure_, slide=size) == []
        finally:
            plt.close(display.figure_)


def test_the_view_needs_numpy_only():
    code = ("import sys, rnnviz.views.clipping; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'tensorflow', 'keras', 'manim'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_the_figure_is_the_same_bytes_every_time(tmp_path):
    from rnnviz.export import save_figure
    from rnnviz.figures.clipping_vectors import ClippingVectorsDisplay

    paths = []
    for run in range(2):
        display = ClippingVectorsDisplay.from_lesson().plot()
        paths += save_figure(display.figure_, tmp_path / f"run{run}.png")
        plt.close(display.figure_)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_the_figure_and_explorer_need_no_tensorflow():
    code = ("import sys, matplotlib; matplotlib.use('Agg'); "
            "from rnnviz.figures.clipping_vectors import ClippingVectorsDisplay; "
            "from rnnviz.widgets.clipping import ClippingExplorer; "
            "ClippingVectorsDisplay.from_lesson().plot(); ClippingExplorer().threshold.value = 10.0; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_the_explorer_moves_its_arrows_and_numbers_in_place(shipped):
    from rnnviz.widgets.clipping import ClippingExplorer

    explorer = ClippingExplorer()
    painter = explorer.artists["painter"]
    arrows, titles = dict(painter.arrows_), dict(painter.titles_)
    for threshold in (0.01, 1e5, 1e9):
        explorer.threshold.value = threshold
        view = clipping_view(shipped, explorer.threshold.value)
        assert explorer.error is None and explorer.artists["painter"] is painter
        for option, vector in view.vectors.items():
            assert painter.arrows_[option] is arrows[option] and painter.titles_[option] is titles[option]
            np.testing.assert_allclose(painter.arrows_[option]._posA_posB[1], vector.xy)
            assert f"‖v‖ = {scientific(vector.norm)}" in painter.titles_[option].get_text()
    assert painter.titles_["clipvalue"].get_text().splitlines()[2] == "0 of 305 cut"  # 1e9: nothing cut
    assert painter.raw_texts_["clipnorm"].get_text() == "g"  # g fits its panel now
    fresh = ClippingExplorer(threshold=explorer.threshold.value)
    assert fresh.png() == explorer.png()


@pytest.mark.parametrize("threshold, message", [
    (0, "threshold: a clipping threshold; expected a number > 0, got 0"),
    (-2.0, "expected a number > 0"),
    ("1", "threshold: a clipping threshold; expected a finite number"),
    (1e12, r"threshold: expected a number from 1e-3 to 1e9 \(ten times past the gradient's norm, 6.36e\+07\)"),
])
def test_the_explorer_refuses_a_bad_threshold(threshold, message):
    from rnnviz.widgets.clipping import ClippingExplorer

    with pytest.raises(InputError, match=message):
        ClippingExplorer(threshold=threshold)

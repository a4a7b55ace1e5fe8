"""Long-range memory: the adding problem's data, its figures, and the known results of real training."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.errors import InputError
from rnnviz.figures.gradient_decay import GradientDecayDisplay
from rnnviz.figures.long_range import LongRangeMemoryDisplay, adding_problem, train_adding
from rnnviz.style import color


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_adding_problem_marks_two_numbers_and_targets_their_sum():
    x, y, distance = adding_problem(500, distances=(3, 7, 12), seed=4)
    assert x.shape == (500, 13, 2) and set(np.unique(distance)) == {3, 7, 12}
    marked = x[..., 1] == 1
    assert (marked.sum(axis=1) == 2).all()
    first = np.argmax(marked, axis=1)
    np.testing.assert_array_equal(first, 12 - distance)  # the first marked number lies `distance` steps before the end
    np.testing.assert_allclose(y, (x[..., 0] * marked).sum(axis=1), rtol=1e-6)
    assert x[..., 0].min() >= 0 and x[..., 0].max() <= 1


def test_adding_problem_is_seeded():
    a, b = adding_problem(50, seed=1), adding_problem(50, seed=1)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)


def test_adding_problem_rejects_bad_distances():
    with pytest.raises(ValueError, match="distances: expected positive"):
        adding_problem(10, distances=(0, 5))


def test_display_draws_the_given_errors_in_the_cells_colours():
    mse = {"SimpleRNN": [0.01, 0.05, 0.1], "LSTM": [0.002, 0.002, 0.003]}
    display = LongRangeMemoryDisplay(distances=(2, 10, 40), mse=mse, no_memory_mse=[0.17, 0.16, 0.17]).plot()
    for label, values in mse.items():
        x, y = display.lines_[label].get_data()
        np.testing.assert_array_equal(x, [2, 10, 40])
        np.testing.assert_array_equal(y, values)
    assert display.lines_["SimpleRNN"].get_color() == color("simple_rnn")
    np.testing.assert_array_equal(display.lines_["no memory"].get_data()[1], [0.17, 0.16, 0.17])
    assert display.ax_.get_yscale() == "log"


def test_display_needs_one_error_per_distance():
    with pytest.raises(ValueError, match=r"mse\['LSTM'\]: expected one value per distance"):
        LongRangeMemoryDisplay(distances=(2, 10), mse={"LSTM": [0.1, 0.2, 0.3]})


@pytest.fixture(scope="module")
def adding():
    """One training run of the three cells on the adding problem, for the figures drawn from it."""
    return train_adding()


@pytest.mark.slow
def test_simple_rnn_forgets_first_as_distance_grows(adding):
    display = LongRangeMemoryDisplay.from_result(adding)
    simple, lstm, gru = (display.mse[label] for label in ("SimpleRNN", "LSTM", "GRU"))
    assert simple[-1] > 3 * simple[0]  # the SimpleRNN's error grows with the distance
    assert simple[-1] > 5 * max(lstm[-1], gru[-1])  # and at the longest distance it is far behind
    assert (np.stack([simple, lstm, gru]) < display.no_memory_mse).all()  # everyone learned something


@pytest.mark.slow
@pytest.mark.xfail(
    strict=False,
    reason="issue 16: this claim rests on one training run trained on the fly; it holds on some machines and "
    "seeds only (e.g. SimpleRNN 1.5 against 0.25 for the gated cells), so it waits for the shipped lessons",
)
def test_trained_gated_cells_keep_their_gradient(adding):
    display = GradientDecayDisplay.from_adding_problem(adding, sequences=8)
    farthest = {label: np.median(norms[:, 60]) for label, norms in display.norms.items()}  # 60 steps back
    assert min(farthest["LSTM"], farthest["GRU"]) > 10 * farthest["SimpleRNN"]


@pytest.mark.slow
def test_trained_decay_curves_are_the_profiles_of_the_trained_models(adding):
    display = GradientDecayDisplay.from_adding_problem(adding, sequences=8)
    assert list(display.norms) == ["SimpleRNN", "LSTM", "GRU"]
    # The curves are gradient_profile's numbers for the trained models.
    profile = rnnviz.gradient_profile(adding["models"]["GRU"], adding["x_test"][:8])
    np.testing.assert_allclose(display.norms["GRU"], profile.by_steps_back())
    for bad in (0, 1.5, len(adding["x_test"]) + 1):
        with pytest.raises(InputError, match="sequences: there are 4096 test sequences; expected an integer from 1 to 4096"):
            GradientDecayDisplay.from_adding_problem(adding, sequences=bad)

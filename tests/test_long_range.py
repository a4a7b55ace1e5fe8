"""Long-range memory: the adding problem's data and the figures drawn from the lesson ``memory``."""

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from rnnviz import lessons
from rnnviz.figures.gradient_decay import GradientDecayDisplay
from rnnviz.figures.long_range import AnswerGradientDisplay, LongRangeMemoryDisplay
from rnnviz.figures.memory import MemoryHeatmapDisplay
from rnnviz.lessons.memory import adding_problem, per_distance
from rnnviz.style import color


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


def test_answer_gradient_display_draws_the_medians_and_quartiles():
    gradients = {"SimpleRNN": [np.array([0.9, 1.0, 1.1]), np.array([0.0, 0.1, 0.2])],
                 "LSTM": [np.array([1.0, 1.0, 1.0]), np.array([0.8, 0.9, 1.0])]}
    display = AnswerGradientDisplay(distances=(2, 50), gradients=gradients).plot()
    np.testing.assert_array_equal(display.lines_["SimpleRNN"].get_data()[1], [1.0, 0.1])
    np.testing.assert_array_equal(display.lines_["LSTM"].get_data()[1], [1.0, 0.9])
    assert display.lines_["LSTM"].get_color() == color("lstm")
    with pytest.raises(ValueError, match=r"gradients\['LSTM'\]: expected one array per distance \(3\)"):
        AnswerGradientDisplay(distances=(2, 10, 50), gradients={"LSTM": [np.ones(2)]})


def test_shipped_lesson_figures_draw_the_shipped_results():
    results = lessons.results("memory")
    errors = LongRangeMemoryDisplay.from_lesson().plot()
    for label in ("SimpleRNN", "LSTM", "GRU"):
        np.testing.assert_allclose(errors.lines_[label].get_data()[1],
                                   per_distance(results, f"squared_error_{label}", np.mean))
    gradients = AnswerGradientDisplay.from_lesson().plot()
    np.testing.assert_array_equal(gradients.lines_["GRU"].get_data()[0], results["distances"])
    np.testing.assert_allclose(gradients.lines_["GRU"].get_data()[1], per_distance(results, "answer_gradient_GRU"))
    assert "untrained" not in gradients.ax_.get_title(loc="left").lower()


def test_untrained_figures_say_untrained_in_their_titles():
    decay = GradientDecayDisplay.from_cells(units=4, steps=6, batch=2).plot()
    assert decay.ax_.get_title(loc="left").startswith("Untrained")
    heatmap = MemoryHeatmapDisplay.from_cells(units=4, steps=6, batch=2).plot()
    assert heatmap.figure_._suptitle.get_text().startswith("Untrained")

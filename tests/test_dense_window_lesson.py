"""The lesson ``dense_window``: a dense network on a window, its weights and its blindness to order (the claims are
checked for every lesson in test_lessons.py)."""

import numpy as np
import pytest

from rnnviz import lessons
from rnnviz.lessons import dense_window as lesson


@pytest.mark.parametrize("steps", [1, 40, lesson.ECG_HERTZ * lesson.ECG_SECONDS])
def test_the_weights_drawn_are_what_keras_counts(steps):
    """The weights panel's numbers (a minute of ECG included) are Keras's own parameter counts."""
    import keras

    dense = keras.layers.Dense(lesson.UNITS)
    dense.build((None, steps))
    rnn = keras.layers.SimpleRNN(lesson.UNITS)
    rnn.build((None, steps, 1))
    assert lesson.first_layer_weights(steps) == {"Dense": dense.count_params(), "SimpleRNN": rnn.count_params()}
    assert lesson.first_layer_weights(15000)["Dense"] == 480_032


def test_the_permutation_is_fixed_and_shuffles():
    order = lesson.permutation(40)
    assert sorted(order) == list(range(40)) and not np.array_equal(order, np.arange(40))
    np.testing.assert_array_equal(order, lesson.permutation(40))
    np.testing.assert_array_equal(lessons.results("dense_window")["permutation"], order)


def test_a_dense_model_with_its_rows_permuted_reads_shuffled_windows_as_the_model_reads_ordered_ones():
    model = lessons.model("dense_window", "Dense")
    x, _ = lessons.data("dense_window")
    order = lesson.permutation(x.shape[1])
    ordered = model.predict(x[:64], verbose=0)
    np.testing.assert_allclose(lesson.permuted_dense(model, order).predict(x[:64, order], verbose=0), ordered,
                               atol=lesson.EXACT)
    assert not np.allclose(model.predict(x[:64, order], verbose=0), ordered, atol=1e-2)  # shuffling alone changes it


def test_the_figure_draws_the_shipped_numbers():
    from rnnviz.figures.dense_window import DenseWindowDisplay

    results = lessons.results("dense_window")
    display = DenseWindowDisplay.from_lesson().plot()
    assert display.bar_texts_["Dense", "ordered"].get_text() == f"{results['mae_Dense']:.3f}"
    assert display.bar_texts_["Dense", "shuffled"].get_text() == f"{results['mae_DenseShuffled']:.3f}"
    xs, ys = display.lines_["Dense"].get_data()
    np.testing.assert_array_equal(ys, [lesson.first_layer_weights(int(x))["Dense"] for x in xs])
    texts = [text.get_text() for text in display.axes_[0].texts]
    assert any("1 min of ECG at 250 Hz" in text and "480,032 weights" in text for text in texts)


def test_a_window_of_another_length_does_not_fit_the_dense_network():
    """The subtitle's "41 days do not fit the one built for 40": Keras refuses the longer window; a SimpleRNN of the
    same units reads either length with the same weights."""
    import keras

    model = lessons.model("dense_window", "Dense")
    steps = model.inputs[0].shape[1]
    x = np.zeros((1, steps + 1, 1), "float32")
    with pytest.raises(ValueError):
        model(x)
    rnn = keras.layers.SimpleRNN(lesson.UNITS)
    assert rnn(x).shape == rnn(x[:, :steps]).shape == (1, lesson.UNITS)

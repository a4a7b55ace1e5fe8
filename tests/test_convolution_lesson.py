"""The forecasting lesson's Conv1D as the pictures show it: its sliding kernel's arithmetic, and a bump answered
alike at two times (the claims are checked for every lesson in test_lessons.py)."""

import numpy as np

from rnnviz import lessons
from rnnviz.lessons.forecasting import TRANSLATION_BUMP, TRANSLATION_STARTS


def test_the_sliding_kernel_computes_what_keras_computed():
    """What the convolution video writes at each step, Σ w·x + b and relu of it, is Keras's output there."""
    from rnnviz.views.convolution import sliding_view

    view = sliding_view(lessons.results("forecasting"))
    assert len(view.output) == (len(view.input) - view.size) // view.stride + 1
    for k, shown in enumerate(view.output):
        np.testing.assert_allclose(max(view.total(k), 0.0), shown, atol=1e-5)
    assert view.output.max() > 0  # the filter drawn answers this window


def test_the_conv_input_is_the_window_minus_today():
    results = lessons.results("forecasting")
    window = lessons.data("forecasting")[0][0, :, 0]
    np.testing.assert_allclose(results["convolution_input"], window - window[-1], atol=1e-6)


def test_the_translation_figure_writes_the_same_numbers_for_both_bumps():
    from rnnviz.figures.translation import TranslationDisplay

    results = lessons.results("forecasting")
    bumps = results["translation_inputs"]
    for row, start in enumerate(TRANSLATION_STARTS):
        np.testing.assert_array_equal(np.flatnonzero(bumps[row]), start + np.arange(len(TRANSLATION_BUMP)))
    display = TranslationDisplay.from_lesson().plot()
    early, late = ([[text.get_text() for text in row] for row in texts] for texts in display.value_texts_)
    assert early == late and any(early)
    shift = (TRANSLATION_STARTS[1] - TRANSLATION_STARTS[0]) // int(results["translation_stride"])
    early_x = [text.get_position()[0] for text in display.value_texts_[0][0]]
    late_x = [text.get_position()[0] for text in display.value_texts_[1][0]]
    np.testing.assert_allclose(np.array(late_x) - np.array(early_x), shift * int(results["translation_stride"]))

"""The lesson ``order``: a question and a shuffle of its words; the figure and the explorer show what the models
answer (the claims themselves are checked for every lesson in test_lessons.py)."""

import itertools

import numpy as np
import pytest

from rnnviz import lessons
from rnnviz.errors import InputError
from rnnviz.lessons import order


def test_pairs_are_a_question_and_a_shuffle_of_its_own_words():
    made = order.make_data(2)
    pairs = made["held_out_x"]
    assert pairs.shape == (order.HELD_OUT_SENTENCES, 2, len(order.TEMPLATE))
    assert order.words(pairs[0, 0]) == order.SHOWN and order.words(pairs[0, 1]) == order.SHOWN_SHUFFLED
    templates = [set(kinds) for kinds in order.TEMPLATE]
    for sentence, shuffle in pairs[:200]:
        assert all(word in kinds for word, kinds in zip(order.words(sentence), templates))  # well formed
        assert sorted(sentence) == sorted(shuffle) and not np.array_equal(sentence, shuffle)
    training = {order.words(row) for row in made["x"][::2]}
    assert training.isdisjoint({order.words(pair[0]) for pair in pairs})
    np.testing.assert_array_equal(made["y"][:4], [1, 0, 1, 0])
    again = order.make_data(2)
    assert all(np.array_equal(made[key], again[key]) for key in made)


def test_unknown_words_are_named():
    with pytest.raises(InputError, match="words: 'Yoda' is not in the lesson's vocabulary"):
        order.ids(["Why", "Yoda"])
    with pytest.raises(InputError, match="count: the template makes"):
        order.sentence_pairs(10**6)


def test_averaging_the_embeddings_cannot_see_order():
    """The order-blind model gives every order of the same words the same answer, to rounding (not only on the
    held-out pairs the claim measures: every reordering of the slide's sentence)."""
    model = lessons.model("order", "MeanOfEmbeddings")
    orders = np.array(list(itertools.permutations(order.ids(order.SHOWN))))
    answers = model.predict(orders, batch_size=len(orders), verbose=0)[:, 0]
    assert np.ptp(answers) <= order.ROUNDING


def test_read_gives_what_was_shipped():
    answers, states = order.read([order.SHOWN, order.SHOWN_SHUFFLED])
    results = lessons.results("order")
    for name in order.MODELS:
        np.testing.assert_allclose(answers[name], results[f"probability_{name}"][0], atol=1e-5)
    trace = lessons.trace("order", "SimpleRNN")
    for row in range(2):
        np.testing.assert_allclose(states[row], trace.layers[0].states["h"][row], atol=1e-5)
    with pytest.raises(InputError, match="sentences: expected one or more sentences of one or more words"):
        order.read([order.SHOWN, ()])


def test_the_figure_draws_the_shipped_words_answers_and_states():
    from rnnviz.figures.order import OrderDisplay
    from matplotlib.colors import to_hex

    from rnnviz.mpl.strips import strip_colours

    display = OrderDisplay.from_lesson().plot()
    results, trace = lessons.results("order"), lessons.trace("order", "SimpleRNN")
    assert [[text.get_text() for text in row] for row in display.word_texts_] == [list(order.SHOWN),
                                                                                 list(order.SHOWN_SHUFFLED)]
    for name in order.MODELS:
        for row in range(2):
            written = display.answer_texts_[order.MODEL_TITLES[name], row].get_text()
            assert written == f"{results[f'probability_{name}'][0, row]:.2f}"
    view = display.view
    background = to_hex(display.ax_.get_facecolor())
    for row in range(2):
        for word, image in enumerate(display.strips_[row]):
            expected = view.scale.colours(trace.layers[0].states["h"][row, word], background)
            np.testing.assert_allclose(strip_colours(image), expected, atol=2 / 255)


def test_a_view_checks_its_rows():
    from rnnviz.views.order import order_view

    with pytest.raises(ValueError, match=r"answers\['m'\]: expected one number per row \(2\)"):
        order_view([["a"], ["b"]], {"m": [0.5]})
    with pytest.raises(ValueError, match=r"states\[1\]: expected \(words, units\) = \(2, units\)"):
        order_view([["a"], ["b", "c"]], {"m": [0.5, 0.5]}, states=[np.zeros((1, 3)), np.zeros((1, 3))])
    with pytest.raises(ValueError, match="rows: expected one name per row"):
        order_view([["a"]], {"m": [0.5]}, rows=("x", "y"))


def test_the_explorer_answers_for_the_words_as_ordered():
    from rnnviz.widgets import OrderExplorer

    explorer = OrderExplorer()
    first = explorer.png()
    explorer.words.value = list(order.SHOWN)
    np.testing.assert_allclose(explorer.answers["SimpleRNN"][1], explorer.answers["SimpleRNN"][0], atol=1e-6)
    assert explorer.answers["SimpleRNN"][1] >= order.SURE and explorer.png() != first
    explorer.words.value = ["Why", "do", "we", "care", "sequences", "about", "?"]
    blind = explorer.answers["MeanOfEmbeddings"]
    assert abs(blind[1] - blind[0]) <= order.ROUNDING and explorer.answers["SimpleRNN"][1] < 0.5
    shown = explorer.png()
    explorer.words.value = []
    assert "sentences: expected one or more sentences" in explorer.status.value and explorer.png() == shown
    with pytest.raises(InputError, match="words: 'Yoda'"):
        OrderExplorer(["Yoda"])

"""The lesson ``agreement`` ("The BA students … was"): its sentences, its shipped claims, its figures (drawn from the
shipped numbers, legible on a slide) and its explorer (the claims are re-measured on the shipped models for every
lesson in test_lessons.py)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from rnnviz import lessons, style
from rnnviz.errors import InputError
from rnnviz.lessons import agreement
from rnnviz.mpl.legibility import legibility_problems


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_sentences_have_a_subject_a_clause_of_its_length_and_attractors():
    made = agreement.sentences(np.repeat([2, 7, 30], 40), seed=3)
    nouns = {noun: number for pair in agreement.NOUNS for number, noun in enumerate(pair)}
    for row, tokens in enumerate(made["x"]):
        said = list(agreement.words(tokens))
        assert said[0] == "the" and said[-1] == ","  # pre-padded: the last word is the clause's closing comma
        first_comma = said.index(",")
        assert nouns[said[first_comma - 1]] == made["y"][row]  # the subject's number is the label
        clause = said[first_comma + 1:-1]
        assert len(clause) == made["length"][row] and clause[0] == "which" and "," not in clause
        numbers = [nouns[word] for word in clause if word in nouns]
        assert made["attractors"][row] == sum(number != made["y"][row] for number in numbers)
        assert made["nearest_plural"][row] == (numbers[-1] if numbers else -1)
        assert not set(clause) & set(agreement.VERBS)  # no verb in the clause shows number
    assert made["attractors"][made["length"] == 30].mean() > 2  # long clauses hold nouns of the other number
    assert made["y"].mean() == 0.5


def test_held_out_data_is_per_length_and_apart_from_training():
    made = agreement.make_data(1)
    lengths, counts = np.unique(made["held_out_length"], return_counts=True)
    assert lengths.tolist() == list(agreement.MEASURED) and set(counts) == {agreement.PER_LENGTH}
    for length in agreement.MEASURED:  # half of each length's sentences with a plural subject
        assert made["held_out_y"][made["held_out_length"] == length].mean() == 0.5
    held = {tuple(row[row > 0]) for row in made["held_out_x"]}
    trained = {tuple(row[row > 0]) for row in made["x"]}
    assert held.isdisjoint(trained)
    assert all(agreement.measured_half(np.array(row)) for row in held)
    assert not any(agreement.measured_half(np.array(row)) for row in trained)
    assert agreement.measured_half(agreement.ids(agreement.SHOWN))  # the slide's sentence is never trained on
    clause = np.array([len(row) - row.index(agreement.VOCABULARY.index(",")) - 2 for row in map(list, trained)])
    assert clause.min() == agreement.LENGTHS[0] == 2 and clause.max() == agreement.LENGTHS[1]  # short ones too
    assert made["x"].shape[0] == made["y"].shape[0] == agreement.TRAIN_SENTENCES
    assert abs(made["y"].mean() - 0.5) < 0.001  # half of each length plural, give or take one
    again = agreement.make_data(1)
    assert all(np.array_equal(made[key], again[key]) for key in made)


def test_other_subject_changes_only_the_subjects_number():
    made = agreement.sentences([2, 9, 30], seed=4)
    other = agreement.other_subject(made["x"])
    nouns = {noun: number for pair in agreement.SUBJECTS for number, noun in enumerate(pair)}
    for row, (before, after) in enumerate(zip(made["x"], other)):
        changed = np.flatnonzero(before != after)
        assert len(changed) == 1 and agreement.words(after[changed])[0] in nouns
        assert nouns[agreement.words(after[changed])[0]] == 1 - made["y"][row]
    np.testing.assert_array_equal(agreement.other_subject(other), made["x"])
    assert agreement.words(agreement.other_subject(agreement.ids(agreement.SHOWN))[0])[:3] == ("the", "ba", "student")
    with pytest.raises(InputError, match="token_ids: expected sentences of the lesson"):
        agreement.other_subject(agreement.ids(["which", "worked", ","]))


def test_the_noise_is_added_in_training_only_and_the_shipped_model_is_the_same_without_it():
    import keras

    x = agreement.sentences([2, 5, 12], seed=2)["x"]
    for name in agreement.MODELS:
        keras.utils.set_random_seed(0)
        sigma = keras.Variable(0.8, trainable=False)
        noisy = agreement._training_model(name, sigma)
        plain = agreement.build(name)
        plain.set_weights(noisy.get_weights())
        np.testing.assert_allclose(noisy(x, training=False), plain(x), atol=1e-6)
        assert np.abs(np.asarray(noisy(x, training=True)) - np.asarray(plain(x))).max() > 0.01
        sigma.assign(0.0)
        np.testing.assert_allclose(noisy(x, training=True), plain(x), atol=1e-6)
    assert [agreement.noise_at(epoch) for epoch in (0, agreement.NOISE_RAMP, agreement.EPOCHS - 1)] == [
        0.0, agreement.NOISE, agreement.NOISE]


def test_the_slides_sentence_is_in_the_vocabulary_and_unknown_words_are_named():
    assert agreement.words(agreement.ids(agreement.SHOWN)) == tuple(word.lower() for word in agreement.SHOWN)
    assert agreement.SHOWN == tuple("The BA students , which had been working for days on end ,".split())
    with pytest.raises(InputError, match=r"words: 'Yoda', 'cats' are not in the lesson's vocabulary"):
        agreement.ids(["The", "Yoda", "cats", "Yoda"])
    with pytest.raises(InputError, match="lengths: expected clause lengths of 2 words or more"):
        agreement.sentences([1])


def test_the_shipped_claims_hold():
    checked = lessons.check("agreement", remeasure=False)
    assert [result.claim for result in checked] == [claim.name for claim in agreement.LESSON.claims]
    failed = [str(result) for result in checked if not result.holds]
    assert not failed, "\n".join(failed)


def test_the_shipped_unit_is_the_best_tracker_and_its_trace_is_the_shipped_one():
    results = lessons.results("agreement")
    unit = int(results["tracking_unit"])
    assert abs(results["unit_correlations"][unit]) == np.max(np.abs(results["unit_correlations"]))
    trace = lessons.trace("agreement", "LSTM")
    np.testing.assert_allclose(trace.layers[0].states["c"][0, :, unit], results["shown_unit"], atol=1e-6)
    np.testing.assert_array_equal(trace.model_input[0], results["shown_ids"])
    assert results["counts"].tolist() == [agreement.PER_LENGTH] * len(agreement.MEASURED)


def test_the_sentence_figure_draws_the_shipped_beliefs_and_unit():
    from rnnviz.figures.agreement import AgreementSentenceDisplay

    display = AgreementSentenceDisplay.from_lesson().plot()
    results = lessons.results("agreement")
    unit = int(results["tracking_unit"])
    for name in agreement.MODELS:
        row = display.rows_[name]
        assert [row.texts_[step].get_text() for step in range(len(agreement.SHOWN))] == list(agreement.SHOWN)
        for step, value in enumerate(results[f"shown_belief_{name}"]):
            face = row.texts_[step].get_bbox_patch().get_facecolor()
            assert to_hex(face) == to_hex(row.cmap_(row.norm_(value)))
        assert row.norm_.vmin == 0 and row.norm_.vmax == 1
        verb = "were" if results[f"shown_belief_{name}"][-1] > 0.5 else "was"
        value = results[f"shown_belief_{name}"][-1]
        assert display.verdicts_[name].get_text().endswith(f"at the verb {value:.2f}: \u201c{verb}\u201d")
    unit_row = display.rows_["unit"]
    assert unit_row.norm_.vmin == -unit_row.norm_.vmax  # signed, centred on 0
    sign = np.sign(results["unit_correlations"][unit])  # drawn so that a plural subject is warm, as in the beliefs
    for step, value in enumerate(results["shown_unit"]):
        assert to_hex(unit_row.texts_[step].get_bbox_patch().get_facecolor()) == to_hex(
            unit_row.cmap_(unit_row.norm_(sign * value)))
    assert sign * results["shown_unit"][-1] > 0  # the slide's subject is plural
    assert f"unit {unit}" in display.labels_["unit"].get_text()
    assert ("\u2212c[" in display.labels_["unit"].get_text()) == (sign < 0)


def test_the_accuracy_figure_draws_the_shipped_accuracies_and_subject_effects():
    from rnnviz.figures.agreement import AgreementAccuracyDisplay

    display = AgreementAccuracyDisplay.from_lesson().plot()
    results = lessons.results("agreement")
    for name, kind in (("SimpleRNN", "simple_rnn"), ("LSTM", "lstm")):
        for lines, key in ((display.lines_, "accuracy"), (display.effect_lines_, "subject_effect")):
            np.testing.assert_array_equal(lines[name].get_xdata(), agreement.MEASURED)
            np.testing.assert_allclose(lines[name].get_ydata(), results[f"{key}_{name}"])
            assert to_hex(lines[name].get_color()) == to_hex(style.color(kind))
    assert display.chance_.get_ydata()[0] == 0.5
    with pytest.raises(InputError, match=r"subject_effects: expected the models of accuracies"):
        AgreementAccuracyDisplay(lengths=[2, 4], accuracies={"LSTM": [1, 1]}, subject_effects={"GRU": [1, 1]},
                                 counts=[1, 1])


@pytest.mark.parametrize("size, theme", [("16:9", "light"), ("4:3", "dark")])
@pytest.mark.parametrize("which", ["sentence", "accuracy"])
def test_the_figures_are_legible_on_a_slide(which, size, theme):
    from rnnviz.figures.agreement import AgreementAccuracyDisplay, AgreementSentenceDisplay

    display = {"sentence": AgreementSentenceDisplay, "accuracy": AgreementAccuracyDisplay}[which]
    with style.context("slides", theme=theme, size=size):
        figure = display.from_lesson().plot().figure_
        assert not legibility_problems(figure, slide=size)


def test_the_explorer_refuses_unknown_words_and_follows_the_sentence():
    from rnnviz.widgets.agreement import AgreementExplorer

    explorer = AgreementExplorer()
    results = lessons.results("agreement")
    for name in agreement.MODELS:
        np.testing.assert_allclose(explorer.beliefs[name], results[f"shown_belief_{name}"], atol=1e-5)
        np.testing.assert_allclose(explorer.artists["lines"][name].get_ydata(), explorer.beliefs[name])
    first = explorer.png()
    explorer.sentence.value = "the teacher , which worked ,"
    assert explorer.error is None and explorer.shown == ("the", "teacher", ",", "which", "worked", ",")
    assert len(explorer.artists["lines"]["LSTM"].get_ydata()) == 6 and explorer.png() != first
    shown = explorer.png()
    explorer.sentence.value = "the Yoda students , which flew ,"
    assert "'Yoda', 'flew' are not in the lesson's vocabulary" in str(explorer.error)
    assert "Yoda" in explorer.status.value
    assert explorer.png() == shown and explorer.shown[1] == "teacher"
    with pytest.raises(InputError, match="words: 'Yoda'"):
        AgreementExplorer("the Yoda")


def test_the_explorer_lengthens_the_clause_and_draws_the_other_subject():
    from rnnviz.widgets.agreement import PHRASES, AgreementExplorer

    explorer = AgreementExplorer()
    assert not explorer.other_beliefs and not explorer.artists["other_lines"]["LSTM"].get_visible()
    explorer.other.value = True
    other = agreement.words(agreement.other_subject(agreement.ids(agreement.SHOWN)))
    assert other[:3] == ("the", "ba", "student")
    for name in agreement.MODELS:  # the same sentence with "student": the shipped models' own reading of it
        np.testing.assert_allclose(explorer.other_beliefs[name], agreement.read(other)[name], atol=1e-6)
        line = explorer.artists["other_lines"][name]
        assert line.get_visible() and line.get_linestyle() == "--"
        np.testing.assert_allclose(line.get_ydata(), explorer.other_beliefs[name])
    explorer.longer.click()
    explorer.longer.click()
    added = " ".join(PHRASES[:2]).split()
    assert explorer.shown == (*agreement.SHOWN[:-1], *added, ",") and explorer.error is None
    assert len(explorer.artists["other_lines"]["SimpleRNN"].get_ydata()) == len(explorer.shown)
    explorer.sentence.value = "which worked ,"  # no subject to change: said, the last view kept
    assert "token_ids: expected sentences of the lesson" in str(explorer.error)
    explorer.other.value = False
    assert explorer.error is None and not explorer.artists["other_lines"]["LSTM"].get_visible()


def test_the_figures_need_no_tensorflow():
    from tests.test_without_tensorflow import run_blocked

    out = run_blocked("""
        from rnnviz.figures.agreement import AgreementAccuracyDisplay, AgreementSentenceDisplay

        for display in (AgreementSentenceDisplay, AgreementAccuracyDisplay):
            display.from_lesson().plot()
        check_never_imported("the agreement figures")
        print("drawn")
    """)
    assert "drawn" in out

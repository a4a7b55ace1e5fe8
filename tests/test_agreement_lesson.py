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
    held = {tuple(row[row > 0]) for row in made["held_out_x"]}
    assert held.isdisjoint({tuple(row[row > 0]) for row in made["x"]})
    assert tuple(agreement.ids(agreement.SHOWN)) not in {tuple(row[row > 0]) for row in made["x"]}
    assert made["x"].shape[0] == made["y"].shape[0] > 0.9 * agreement.TRAIN_SENTENCES
    again = agreement.make_data(1)
    assert all(np.array_equal(made[key], again[key]) for key in made)


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
    for step, value in enumerate(results["shown_unit"]):
        assert to_hex(unit_row.texts_[step].get_bbox_patch().get_facecolor()) == to_hex(
            unit_row.cmap_(unit_row.norm_(value)))
    assert f"unit {unit}" in display.labels_["unit"].get_text()


def test_the_accuracy_figure_draws_the_shipped_accuracies():
    from rnnviz.figures.agreement import AgreementAccuracyDisplay

    display = AgreementAccuracyDisplay.from_lesson().plot()
    results = lessons.results("agreement")
    for name, kind in (("SimpleRNN", "simple_rnn"), ("LSTM", "lstm")):
        line = display.lines_[name]
        np.testing.assert_array_equal(line.get_xdata(), agreement.MEASURED)
        np.testing.assert_allclose(line.get_ydata(), results[f"accuracy_{name}"])
        assert to_hex(line.get_color()) == to_hex(style.color(kind))
    assert display.chance_.get_ydata()[0] == 0.5


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

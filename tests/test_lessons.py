"""The lessons: shipped trained models whose claims hold, measured again here, and a lesson retrained from scratch."""

import numpy as np
import pytest

from rnnviz import lessons
from rnnviz.cli import main
from rnnviz.errors import InputError
from rnnviz.lessons import gradients, store


@pytest.fixture(scope="module")
def remeasured():
    """Every lesson measured again on its shipped models and held-out data."""
    found = {}
    for name in lessons.LESSONS:
        lesson = lessons.get(name)
        models = {model_name: lessons.model(name, model_name) for model_name in lesson.model_names}
        found[name] = lesson.measure(models, store.load_held_out(name))
    return found


@pytest.mark.parametrize("name", list(lessons.LESSONS))
def test_every_claim_holds_on_the_shipped_models(name, remeasured):
    checked = lessons.get(name).check(remeasured[name])
    assert checked, f"lesson {name} states no claim"
    failed = [str(result) for result in checked if not result.holds]
    assert not failed, "\n".join(failed)


# Results computed through an exploding recurrence, whose rounding differs between CPUs (rnnviz.lessons.gradients).
AMPLIFIED = {("gradients", "clipping_first_gradient_"): gradients.FIRST_GRADIENT_RTOL}


@pytest.mark.parametrize("name", list(lessons.LESSONS))
def test_shipped_results_are_what_the_shipped_models_give(name, remeasured):
    shipped = lessons.results(name)
    assert set(shipped) == set(remeasured[name])
    for key, value in remeasured[name].items():
        if np.asarray(value).dtype.kind in "US":  # text (a description)
            np.testing.assert_array_equal(shipped[key], value, err_msg=f"{name}: {key}")
        else:
            rtol = next((tolerance for (lesson, start), tolerance in AMPLIFIED.items()
                         if lesson == name and key.startswith(start)), 1e-5)
            np.testing.assert_allclose(shipped[key], value, rtol=rtol, atol=1e-6, err_msg=f"{name}: {key}")


def test_check_returns_every_claim_with_its_numbers():
    checked = lessons.check("memory", remeasure=False)
    assert [result.claim for result in checked] == [claim.name for claim in lessons.get("memory").claims]
    for result in checked:
        assert result.holds and result.numbers
        assert str(result).startswith(f"holds  memory/{result.claim}: ")


def test_data_and_models_are_the_shipped_ones():
    inputs, targets = lessons.data("memory")
    assert inputs.shape[0] == targets.shape[0] and inputs.ndim == 3
    model = lessons.model("memory", "LSTM")
    assert model.output_shape == (None, 1) and model.layers[0].__class__.__name__ == "LSTM"
    _, meta = store.load_results("memory")
    assert meta["seed"] == 0  # the shipped models are seed 0 of the 5-seed run


def test_unknown_lessons_and_models_are_named():
    with pytest.raises(InputError, match="lesson: expected one of memory.*got 'memroy'"):
        lessons.get("memroy")
    with pytest.raises(InputError, match="name: lesson 'memory' has the models SimpleRNN, LSTM, GRU; got 'lstm'"):
        lessons.model("memory", "lstm")


def test_a_lesson_not_shipped_says_how_to_make_it(tmp_path):
    with pytest.raises(InputError, match="lessons train memory --out"):
        store.load_results("memory", root=tmp_path)


def test_cli_check_prints_every_claim_and_exits_zero(capsys):
    assert main(["lessons", "check", "memory"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("holds  memory/") == len(lessons.get("memory").claims)


def test_cli_rejects_an_unknown_lesson_and_bad_seeds(capsys):
    assert main(["lessons", "check", "nope"]) == 2
    assert "lesson: expected one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["lessons", "train", "memory", "--seeds", "4-x"])


def test_gallery_captions_name_claims_that_hold():
    from rnnviz.gallery import _gate_lesson_figures, _gradient_figures, checked_claims

    with_claims = [figure for figure in [*_gradient_figures(seed=0), *_gate_lesson_figures()] if figure.claims]
    assert {figure.name for figure in with_claims} >= {
        "gradient_decay_trained", "memory_heatmap_trained", "long_range_memory", "spectral_radius",
        "gradient_clipping", "gates_lstm", "gates_peephole_lstm", "gates_gru", "cell_lstm", "cell_gru"}
    for figure in with_claims:
        assert all(result.holds for result in checked_claims(figure)), figure.name


def test_the_trained_memory_heatmap_draws_the_numbers_the_claim_checks():
    from rnnviz.figures.long_range import AnswerGradientMapDisplay
    from rnnviz.lessons.memory import per_distance

    results = lessons.results("memory")
    drawn = AnswerGradientMapDisplay.from_lesson(results).medians
    assert set(drawn) == {"SimpleRNN", "LSTM", "GRU"}
    for name, values in drawn.items():
        np.testing.assert_array_equal(values, per_distance(results, f"answer_gradient_{name}"))


def test_the_gate_traces_are_the_showcase_and_load_without_keras():
    from rnnviz.lessons.gates import SHOWCASE_MARKS

    for name, kind in (("LSTM", "lstm"), ("PeepholeLSTM", "peephole_lstm"), ("GRU", "gru")):
        trace = lessons.trace("gates", name)
        assert trace.layers[0].kind == kind
        np.testing.assert_array_equal(np.flatnonzero(trace.model_input[0, :, 1]), SHOWCASE_MARKS)
        inputs, _ = lessons.data("gates")
        np.testing.assert_array_equal(trace.model_input, inputs[: len(trace.model_input)])
    with pytest.raises(InputError, match="lesson: 'memory' ships no traces"):
        lessons.trace("memory", "LSTM")


def test_the_forecasting_results_rebuild_without_training():
    from rnnviz.lessons.forecasting import forecast_results

    results = forecast_results()
    assert set(results.model_names) == set(lessons.get("forecasting").model_names)
    assert set(results.names) == {"naive", "seasonal_naive", *results.model_names}
    assert all(results.truth[part].shape == results.forecasts[part]["lstm"].shape for part in ("validation", "test"))


def test_the_memory_unit_is_read_from_the_last_marker_on():
    from rnnviz.lessons.gates import from_last_marker, keeping

    marks = np.zeros((3, 8), bool)
    marks[0, [1, 4]] = True
    marks[1, 6] = True
    marks[2, [0, 2, 5]] = True
    expected = np.zeros((3, 8), bool)
    expected[0, 4:], expected[1, 6:], expected[2, 5:] = True, True, True
    np.testing.assert_array_equal(from_last_marker(marks), expected)
    answer = np.array([0.5, -0.3, 0.9])
    states = np.zeros((3, 8, 2))
    states[..., 1] = np.where(expected, answer[:, None], np.random.default_rng(0).normal(size=(3, 8)))
    states[..., 0] = np.random.default_rng(1).normal(size=(3, 8))
    assert np.argmax(keeping(states, answer, marks)) == 1 and keeping(states, answer, marks)[1] > 0.999


def test_a_failed_claim_is_stated_on_its_figure():
    import matplotlib.pyplot as plt

    from rnnviz.gallery import state_failed_claims

    failed = lessons.ClaimResult("gradients", "clipped_trains", "Clipped by norm, the model trains", False,
                                 {"clipnorm=1: last / first loss": 0.5})
    figure = plt.figure()
    state_failed_claims(figure, [failed])
    stated = " ".join(text.get_text() for text in figure.texts)
    plt.close(figure)
    assert "CLAIM DOES NOT HOLD" in stated and "Clipped by norm, the model trains" in stated and "0.5" in stated


@pytest.mark.slow
class _InProcess:
    """The gallery's helper process, stood in for by a call in this process (its own test: test_gallery_helper)."""

    def __init__(self, bar, work, *args, **kwargs):
        self.value = work(bar.step, *args, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        return None

    def result(self):
        return self.value


def _gallery_of_the_clipping_claim(monkeypatch):
    """The gallery cut to the figures stating gradients/unclipped_overflows, drawn in this process: the tests of a
    failed claim need the whole run (lessons, claims, index), not every figure (test_cli draws them all)."""
    from rnnviz import gallery

    def seeded_figures(seed):
        stating = [figure for figure in gallery._gradient_figures(seed)
                   if ("gradients", "unclipped_overflows") in figure.claims]
        assert stating, "no gallery figure states gradients/unclipped_overflows"
        return stating

    monkeypatch.setattr(gallery, "_Helper", _InProcess)
    monkeypatch.setattr(gallery, "seeded_figures", seeded_figures)
    monkeypatch.setattr(gallery, "forecaster_figures", lambda *_: [])


def test_the_gallery_states_a_failed_claim_and_exits_1(tmp_path, monkeypatch, capsys):
    """Lessons whose clipping run did not overflow: the claim fails, and the gallery says so everywhere."""
    import shutil

    _gallery_of_the_clipping_claim(monkeypatch)
    root = tmp_path / "lessons"
    shutil.copytree(store.SHIPPED, root)
    _without_overflow(root / "gradients" / "results.npz")
    monkeypatch.setenv(store.ROOT_VARIABLE, str(root))
    assert main(["gallery", "--out", str(tmp_path / "out"), "--formats", "png"]) == 1
    output = capsys.readouterr().out
    assert "claim(s) do NOT hold" in output and "FAILS  gradients/unclipped_overflows" in output
    index = (tmp_path / "out" / "index.html").read_text()
    assert "FAILS  gradients/unclipped_overflows" in index


@pytest.mark.slow
def test_memory_retrained_from_scratch_keeps_its_claims(tmp_path):
    """A spot check with seed 1 (not the shipped seed 0); the 5-seed tables of every lesson are in benchmarks/README.md."""
    _, measured, checked = lessons.train("memory", seed=1, out=tmp_path, progress=lambda _: None)
    failed = [str(result) for result in checked if not result.holds]
    assert not failed, "\n".join(failed)
    reloaded = lessons.get("memory").measure(
        {name: store.load_model("memory", name, root=tmp_path) for name in lessons.get("memory").model_names},
        store.load_held_out("memory", root=tmp_path),
    )
    np.testing.assert_allclose(reloaded["answer_gradient_LSTM"], measured["answer_gradient_LSTM"], rtol=1e-5, atol=1e-6)


def test_the_readme_lists_every_claimed_figure_with_its_checks():
    """README: figure -> claim -> check, one row per gallery figure whose caption makes a claim."""
    import re
    from pathlib import Path

    from rnnviz.gallery import (_architecture_figures, _forecast_figures, _gate_lesson_figures, _gradient_figures,
                                _sequence_figures)
    from rnnviz.lessons import forecasting

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = {match[0]: set(re.findall(r"`(\w+) / (\w+)`", match[1]))
            for match in re.findall(r"^\| `(\w+/\w+)` \| [^|]+ \| (.+) \|$", readme, flags=re.M)}
    figures = [*_sequence_figures(), *_forecast_figures(forecasting.forecast_results(), forecasting.windows(0)[0]),
               *_gate_lesson_figures(), *_gradient_figures(seed=0), *_architecture_figures(seed=0)]
    claimed = {f"{figure.section}/{figure.name}": set(figure.claims) for figure in figures if figure.claims}
    assert rows == claimed


def test_the_readme_names_real_figures_videos_and_widgets_for_each_lecture_section():
    """README's section -> figure / video / widget table: every figure a gallery figure (``*`` for several), every
    video a scene of ``rnnviz render``, every widget an explorer; and every gallery figure in some section."""
    import fnmatch
    import re
    from pathlib import Path

    import rnnviz.widgets
    from rnnviz import gallery
    from rnnviz.scenes import SCENES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## The lecture, section by section", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and not line.startswith("| lecture")]
    assert len(rows) >= 20 and all(len(row) == 4 for row in rows)
    results, windows, traces = gallery.shipped_forecasters(0)
    names = [f"{figure.section}/{figure.name}" for figure in
             [*gallery.seeded_figures(0), *gallery._forecast_figures(results, windows), *gallery._trace_figures(traces)]]
    shown = set()
    for section, figures, videos, widgets in rows:
        assert re.findall(r"`([\w*]+/[\w*]+)`", figures), f"README: no figure for the section {section!r}"
        for pattern in re.findall(r"`([\w*]+/[\w*]+)`", figures):
            matched = fnmatch.filter(names, pattern)
            assert matched, f"README names a figure the gallery does not draw: {pattern}"
            shown.update(matched)
        assert set(re.findall(r"`(\w+)`", videos)) <= set(SCENES)
        assert all(hasattr(rnnviz.widgets, name) for name in re.findall(r"`(\w+)`", widgets))
    assert set(names) - {"key/colours"} <= shown


@pytest.mark.parametrize("kind, name", [("lstm", "LSTM"), ("peephole_lstm", "PeepholeLSTM"), ("gru", "GRU")])
def test_the_gate_videos_and_explorers_default_to_the_trained_lesson(kind, name):
    from rnnviz.scenes.traces import default_gate_trace
    from rnnviz.widgets.sources import trace_from

    trace, about = default_gate_trace(kind)
    assert about.startswith("trained to say the last marked number")
    shipped = lessons.trace("gates", name)
    for gate, values in shipped.layers[0].gates.items():
        np.testing.assert_array_equal(trace.layers[0].gates[gate], values)
    default = trace_from(None)  # what CellExplorer() and TimeStepExplorer() show
    np.testing.assert_array_equal(default.layers[0].states["c"], lessons.trace("gates", "LSTM").layers[0].states["c"])


def test_the_shipped_lessons_fit_in_the_wheel_budget():
    """Everything the lessons ship (models, data, results, traces) is package data: at most 10 MB in all."""
    files = [path for path in store.SHIPPED.rglob("*") if path.is_file()]
    assert {path.parent.name for path in files} == set(lessons.LESSONS)
    assert sum(path.stat().st_size for path in files) <= 10_000_000
    assert all(path.suffix in (".keras", ".npz") for path in files)  # what pyproject's package-data takes


@pytest.mark.slow
def test_gallery_retrain_draws_from_the_lessons_it_trained(tmp_path, monkeypatch, capsys):
    """--retrain: every lesson trained into OUT/lessons (here copied, as if trained), then drawn from there."""
    import shutil

    trained = []

    def train_as_if(name, *, seed, out, progress):  # the shipped lesson, but its clipping run did not overflow
        trained.append((name, seed))
        shutil.copytree(store.SHIPPED / name, store.lesson_dir(name, out))
        if name == "gradients":
            _without_overflow(store.lesson_dir(name, out) / "results.npz")

    monkeypatch.delenv(store.ROOT_VARIABLE, raising=False)
    monkeypatch.setattr(lessons, "train", train_as_if)
    _gallery_of_the_clipping_claim(monkeypatch)
    out = tmp_path / "out"
    assert main(["gallery", "--retrain", "--out", str(out), "--formats", "png"]) == 1  # drawn from what it trained
    assert trained == [(name, 0) for name in lessons.LESSONS]
    assert sorted(path.name for path in (out / "lessons").iterdir()) == sorted(lessons.LESSONS)
    printed = capsys.readouterr().out
    assert "every claim, checked on the lessons trained now:" in printed
    claims = sum(len(lessons.get(name).claims) for name in lessons.LESSONS)
    assert printed.count("  holds  ") == claims - 1 and "  FAILS  gradients/unclipped_overflows" in printed
    assert "FAILS  gradients/unclipped_overflows" in (out / "index.html").read_text()
    assert store.ROOT_VARIABLE not in __import__("os").environ  # the shipped lessons again after the run


def _without_overflow(path):
    """Rewrite a lesson ``gradients`` results file as if its unclipped run had trained without overflowing."""
    from rnnviz.archive import read_archive, write_archive

    meta, results = read_archive(path, kind=store.RESULTS_FORMAT, max_version=store.FORMAT_VERSION)
    results["clipping_loss_no clipping"] = np.ones_like(results["clipping_loss_no clipping"])
    meta = {key: value for key, value in meta.items() if key not in ("format", "format_version")}
    write_archive(path, kind=store.RESULTS_FORMAT, version=store.FORMAT_VERSION, meta=meta, arrays=results)


def test_an_explorer_given_nothing_shows_the_trained_lstm_and_says_what_its_gates_do():
    from rnnviz.widgets import CellExplorer

    explorer = CellExplorer(step=6)
    np.testing.assert_array_equal(explorer.trace.layers[0].gates["forget"],
                                  lessons.trace("gates", "LSTM").layers[0].gates["forget"])
    caption = explorer.children[0].children[0].value
    assert "trained to say the last marked number" in caption and "markers at steps 2 and 6" in caption


@pytest.mark.slow
def test_gradients_retrained_with_another_seed_keeps_its_claims(tmp_path):
    """A spot check with seed 3 (the lesson trains in seconds)."""
    _, _, checked = lessons.train("gradients", seed=3, out=tmp_path, progress=lambda _: None)
    failed = [str(result) for result in checked if not result.holds]
    assert not failed, "\n".join(failed)

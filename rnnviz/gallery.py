"""``rnnviz gallery``: every figure of the lecture, drawn from the lessons trained once and shipped with rnnviz.

The figures draw the shipped lessons (:mod:`rnnviz.lessons`): the forecasters
trained to convergence, the memory, gates and gradients experiments, each with
the claims its captions make checked on the numbers drawn. Nothing is trained,
so for the same options the files are the same on every machine. With
``retrain`` every lesson is trained again from scratch (with the seed) first,
into ``out/lessons``; every claim is printed, a claim that fails is stated on its
figure and in ``index.html``, and the run reports failure.

Figures go in the chosen formats, sized for slides and themed, with an
``index.html`` contact sheet and the recorded traces as ``.npz``. Every file is
written atomically: an interrupted run leaves no half-written file under a final
name. The figures that need no forecaster are drawn by a helper process
meanwhile, on the other core.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.errors import InputError, check_int
from rnnviz.forecasting.models import title
from rnnviz.kinds import CELL_KINDS
from rnnviz.lessons.forecasting import HORIZON, INPUT_STEPS
from rnnviz.lessons.gates import LAYER_NAMES as GATE_LAYERS
from rnnviz.recording.experiments import (  # no TensorFlow until called
    ARCHITECTURES,
    TRAINED_ARCHITECTURES,
    architecture_models,
)

GATE_LESSON_KINDS = tuple(GATE_LAYERS.values())  # cells whose insides the lesson ``gates`` shows (trained to gate)


SECTIONS = {
    "key": "The colour key: one colour, one meaning, in every figure, video and widget",
    "sequences": "Why sequences: order matters; a dense network on a window; 1D convolutions",
    "series": "Time series: level, trend, seasonality, noise; windows with the TensorFlow Data API",
    "forecasting": "Forecasting: baselines, a linear model, 1D convolutions, RNNs, sequence-to-vector and -to-sequence",
    "unrolled": "The recurrent neuron, unrolled",
    "cells": "Inside the cells: LSTM, peephole LSTM, GRU",
    "gradients": "Training through time: vanishing and exploding gradients, clipping, memory",
    "architectures": "Architectures: sequence-to-vector, vector-to-sequence, sequence-to-sequence, encoder–decoder, bidirectional",
}


@dataclass(frozen=True)
class GalleryFigure:
    """One figure of the gallery: where it goes, what it says, and how to make it (a plotted Display).

    ``claims`` names the lesson claims (``(lesson, claim)``) that check what the caption says.
    """

    section: str
    name: str
    caption: str
    make: Callable[[], object]
    claims: tuple = ()


@dataclass
class GalleryResult:
    """What a gallery run wrote, the forecasters' validation errors, and the claims that failed."""

    out: Path
    files: list
    mae_table: str
    seconds: float
    failed: list = field(default_factory=list)  # ClaimResult of every claim that does not hold

    def summary(self, *, mae_table: bool = True) -> str:
        """What the run wrote (every file counted once), the MAE table unless ``mae_table`` is False, failed claims."""
        files = set(self.files)
        figures = [path for path in files if path.suffix in (".png", ".svg", ".pdf")]
        traces = [path for path in files if path.parent == self.out / "traces"]
        lines = [f"rnnviz gallery: {len(files)} files in {self.out} ({self.seconds:.0f} s)",
                 f"  {len(figures)} figure files, {len(traces)} traces; open {self.out / 'index.html'}"]
        if mae_table:
            lines += ["", *("  " + line for line in self.mae_table.splitlines())]
        if self.failed:
            lines += ["", f"  {len(self.failed)} claim(s) do NOT hold on these models:"]
            lines += [f"  {result}" for result in self.failed]
        return "\n".join(lines)


def check_out_dir(out) -> Path:
    """Create ``out`` if needed and make sure files can be written there."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {str(out)!r} is a file; expected a directory (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot create directory {str(out)!r} ({exc.strerror})") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(f"--out: no permission to write in {str(out)!r}")
    return out


def run_gallery(out, *, seed: int | None = None, retrain: bool = False, theme: str = "light", size: str = "16:9",
                formats=("png", "svg", "pdf"), progress=None, video: bool = False,
                titles: bool = True) -> GalleryResult:
    """Draw every figure of the lecture from the shipped lessons (or, with ``retrain``, from lessons trained anew).

    Figures go to ``out/figures/<section>/<name>.<format>``, the forecasters' traces to
    ``out/traces``, and a contact sheet to ``out/index.html``. Every file is written
    atomically. ``seed``: with ``retrain``, the seed to train every lesson with (default 0)
    into ``out/lessons``, every claim then printed; without, it must be the seed the
    lessons were trained with (the shipped ones: 0), which is also the series' seed. With
    ``video``, every lecture video too (:mod:`rnnviz.scenes`, low quality) as
    ``out/videos/<scene>.mp4``, drawn from the same lessons. ``titles=False``: figures without their titles and
    subtitles (``--no-titles``), for slides that carry their own.
    """
    from rnnviz import lessons

    started = time.perf_counter()
    formats = check_options(theme=theme, size=size, formats=formats)
    if not retrain:
        trained = trained_seed()
        if seed is not None and seed != trained:
            raise InputError(f"--seed: the lessons drawn were trained with seed {trained}; add --retrain to train "
                             f"them again with seed {seed}")
    seed = (0 if seed is None else seed) if retrain else trained
    out = check_out_dir(out)
    write = progress or print
    bar = ProgressBar(planned_steps(seed, retrain=retrain, video=video), write=write)  # the total, before any work
    with _lessons_from(retrain_lessons(out / "lessons", seed=seed, bar=bar) if retrain else None):
        # The sections that need no forecaster are drawn by a second process meanwhile, on the other core.
        with _Helper(bar, _draw_seeded_sections, out, seed=seed, theme=theme, size=size, formats=formats,
                     titles=titles) as helper:
            results, windows, traces = shipped_forecasters(seed)
            files = [trace.save(out / "traces" / f"{name}.npz") for name, trace in traces.items()]
            entries = draw_all(forecaster_figures(results, windows, traces), out, theme=theme, size=size,
                               formats=formats, titles=titles, step=bar.step)
            entries += helper.result()
        checked = lessons.check(remeasure=False)  # every claim, also one no figure states
        if retrain:
            files += [path for path in sorted((out / "lessons").rglob("*")) if path.is_file()]
            write("every claim, checked on the lessons trained now:")
            for claim in checked:
                write(f"  {claim}")
        if video:
            files += render_videos(out, step=bar.step)
    entries.sort(key=lambda entry: list(SECTIONS).index(entry["section"]))  # lecture order; stable within a section
    for entry in entries:
        files.extend(out / path for path in entry["files"].values())
        entry["section"] = SECTIONS[entry["section"]]
    failed = [claim for claim in checked if not claim.holds]
    result = GalleryResult(out, files, results.table(), time.perf_counter() - started, failed)
    bar.step("index.html: the contact sheet")
    files.append(out / "index.html")  # counted in the summary the page itself shows
    write_index(out, entries, result, theme=theme, tables={SECTIONS["forecasting"]: mae_rows(results)})
    result.seconds = time.perf_counter() - started
    return result


def planned_steps(seed: int, *, retrain: bool, video: bool) -> int:
    """The steps of a run, counted before it starts: each lesson retrained, figure drawn, video, and the contact sheet.

    The figures are listed (not drawn) from the lessons in place: retraining changes their numbers, not which there are.
    """
    from rnnviz import lessons
    from rnnviz.scenes import SCENES

    figures = [*forecaster_figures(*shipped_forecasters(seed)), *seeded_figures(seed)]
    return (len(lessons.LESSONS) if retrain else 0) + len(figures) + (len(SCENES) if video else 0) + 1


def forecaster_figures(results, windows, traces: dict) -> list:
    """The figures of the lesson ``forecasting`` (drawn in this process): forecasts, errors, the recorded cells."""
    return [*_forecast_figures(results, windows), *_trace_figures(traces)]


def mae_rows(results) -> tuple:
    """``(header, rows)``: each forecaster's validation MAE and its ratio to the naive one's, as the page's table."""
    return (["forecaster", "validation MAE", "/ naive"],
            [(title(name), f"{error:.3f}", f"{ratio:.2f}") for name, error, ratio in results.rows()])


def trained_seed() -> int:
    """The seed the lessons drawn were trained with (the shipped ones, or those in $RNNVIZ_LESSONS)."""
    from rnnviz import lessons

    return int(lessons.results("forecasting")["seed"])


def retrain_lessons(root: Path, *, seed: int, bar) -> Path:
    """Train every lesson from scratch with ``seed`` into ``root``; ``root``."""
    from rnnviz import lessons

    for name in lessons.LESSONS:
        bar.step(f"training the lesson {name!r} from scratch (seed {seed})")
        lessons.train(name, seed=seed, out=root, progress=bar.note)
    return root


@contextmanager
def _lessons_from(root):
    """Within the block, lessons (here and in the helper process) come from ``root``; None: the shipped ones."""
    from rnnviz.lessons.store import ROOT_VARIABLE

    before = os.environ.get(ROOT_VARIABLE)
    if root is not None:
        os.environ[ROOT_VARIABLE] = str(Path(root).resolve())  # the helper process may start elsewhere
    try:
        yield
    finally:
        if root is not None:
            if before is None:
                os.environ.pop(ROOT_VARIABLE, None)
            else:
                os.environ[ROOT_VARIABLE] = before


def shipped_forecasters(seed: int) -> tuple:
    """``(ForecastResults, windows, traces)`` of the lesson ``forecasting`` (the shipped one, or the retrained one)."""
    from rnnviz import lessons
    from rnnviz.lessons import forecasting

    results = forecasting.forecast_results()
    traces = {name: lessons.trace("forecasting", name) for name in forecasting.RECORDED}
    return results, forecasting.windows(seed)[0], traces


def render_videos(out: Path, *, step) -> list:
    """Render every scene at low quality to ``out/videos/<scene>.mp4`` (moved into place when finished).

    ``step(message)`` is called before each video; manim's working files
    (``out/videos/.manim``) are removed afterwards, so only the videos stay.
    """
    from rnnviz.scenes import SCENES, render_scene

    videos = out / "videos"
    written = []
    try:
        for name in SCENES:
            step(f"videos/{name}.mp4: {SCENES[name].about}")
            rendered = render_scene(name, quality="low", format="mp4", out=videos / ".manim")
            target = videos / f"{name}.mp4"
            os.replace(rendered, target)  # manim writes its file whole; moving it is atomic
            written.append(target)
    finally:
        shutil.rmtree(videos / ".manim", ignore_errors=True)
    return written


def seeded_figures(seed: int) -> list:
    """The figures that need only the seed (not the trained forecasters): series, gradients, architectures."""
    return [*_key_figures(), *_sequence_figures(), *_series_figures(seed), *_gate_lesson_figures(),
            *_gradient_figures(seed), *_architecture_figures(seed)]


def _key_figures() -> list:
    from rnnviz.figures.key import PaletteKeyDisplay

    return [GalleryFigure("key", "colours", "The colour key: every colour rnnviz draws with and its one meaning",
                          lambda: PaletteKeyDisplay().plot())]


def _sequence_figures() -> list:
    """Why sequences need models of their own: the lessons ``order`` and ``dense_window``, and 1D convolutions (the
    forecasting lesson's Conv1D); shipped, no TensorFlow."""
    from rnnviz.figures.convolution import PoolingDisplay, ReceptiveFieldDisplay
    from rnnviz.figures.dense_window import DenseWindowDisplay
    from rnnviz.figures.order import OrderDisplay
    from rnnviz.figures.translation import TranslationDisplay

    return [GalleryFigure("sequences", "order_matters", "Order matters: a model that averages its words gives a "
                          "question and its shuffle the same answer; a SimpleRNN tells them apart",
                          lambda: OrderDisplay.from_lesson().plot(),
                          claims=(("order", "rnn_tells_them_apart"), ("order", "blind_cannot"),
                                  ("order", "the_shown_sentence"))),
            GalleryFigure("sequences", "dense_window", "A dense network on a window: its weights grow with the "
                          "window's length, and trained on shuffled steps (its weights shuffled alike) it reaches the "
                          "same error: it has no definition of order",
                          lambda: DenseWindowDisplay.from_lesson().plot(),
                          claims=(("dense_window", "dense_blind_to_order"), ("dense_window", "same_model_permuted"))),
            GalleryFigure("sequences", "conv_receptive_field", "Stacked and dilated 1D convolutions: the steps one "
                          "output sees (the same as perturbing a Keras stack finds)",
                          lambda: ReceptiveFieldDisplay.from_layers(3, dilations=(1, 2, 4), padding="causal").plot()),
            GalleryFigure("sequences", "conv_pooling", "Pooling destroys order: a peak then a dip, and a dip then a "
                          "peak, give the trained forecaster's Conv1D the same pooled features",
                          lambda: PoolingDisplay.from_lesson().plot(), claims=(("forecasting", "pooling_forgets_order"),)),
            GalleryFigure("sequences", "conv_translation", "Translation invariance: the trained Conv1D answers the "
                          "same bump on two days alike, though the days sit at different points of the season",
                          lambda: TranslationDisplay.from_lesson().plot(),
                          claims=(("forecasting", "translation_invariant"),))]


def draw_all(figures, out: Path, *, theme, size, formats, step, titles=True) -> list:
    """Draw and save each figure, calling ``step(message)`` before each; its contact-sheet entries."""
    entries = []
    for figure in figures:
        step(f"{figure.section}/{figure.name}: {figure.caption}")
        claims = checked_claims(figure)
        failed = [claim for claim in claims if not claim.holds]
        written = draw_and_save(figure, out, theme=theme, size=size, formats=formats, titles=titles, failed=failed)
        entries.append({"section": figure.section, "caption": figure.caption,
                        "files": {path.suffix[1:]: path.relative_to(out).as_posix() for path in written},
                        "claims": [str(result) for result in claims]})
    return entries


def checked_claims(figure: GalleryFigure) -> list:
    """The lesson claims behind ``figure``'s caption, checked on the shipped results it draws."""
    from rnnviz import lessons

    results = []
    for lesson, claim in figure.claims:
        found = {result.claim: result for result in lessons.check(lesson, remeasure=False)}
        if claim not in found:
            raise ValueError(f"figure {figure.name!r}: lesson {lesson!r} has no claim {claim!r}")
        results.append(found[claim])
    return results


def _draw_seeded_sections(report, out, *, seed, theme, size, formats, titles=True) -> list:
    """In the helper process: draw :func:`seeded_figures`, reporting each step."""
    return draw_all(seeded_figures(seed), Path(out), theme=theme, size=size, formats=formats, titles=titles,
                    step=report)


class _Helper:
    """Run ``work(report, *args, **kwargs)`` in a fresh process, showing its progress on ``bar`` as it goes.

    A fresh (spawned) process, not a fork: TensorFlow's threads do not survive a fork.
    The work calls ``report`` with one line per step (the bar counts its steps
    already); a thread here moves them onto the bar. TensorFlow there keeps its
    routine messages off stderr (:func:`import_tensorflow_quietly`); a failure
    comes back with its traceback. Leaving the ``with`` block on an error (or
    Ctrl-C) stops the process at once.
    """

    def __init__(self, bar, work, *args, **kwargs):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.bar, self.outcome = bar, None
        self.messages = context.Queue()
        self.process = context.Process(target=_helper_main, args=(self.messages, work, args, kwargs), daemon=True)
        self.process.start()
        self.relay = threading.Thread(target=self._relay, daemon=True)
        self.relay.start()

    def _relay(self):
        while True:
            message = self.messages.get()
            if isinstance(message, tuple):  # ("result", value) or ("error", text): the last message
                self.outcome = message
                return
            self.bar.step(message)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is not None and self.process.is_alive():
            self.process.terminate()
        self.process.join()

    def result(self):
        """Wait for the work and its last messages; its return value."""
        while self.relay.is_alive():
            self.relay.join(timeout=0.5)
            if not self.process.is_alive() and self.relay.is_alive():
                self.relay.join(timeout=2.0)  # its last messages may still be in the pipe
                if self.relay.is_alive():
                    raise RuntimeError(f"the gallery's helper process ended without a result "
                                       f"(exit code {self.process.exitcode})")
        kind, value = self.outcome
        if kind == "error":
            raise RuntimeError(f"the gallery's helper process failed:\n{value}")
        return value


def _helper_main(messages, work, args, kwargs):
    """The helper process: TensorFlow on one thread (the other core is the main process's), then the work."""
    import traceback

    tf = import_tensorflow_quietly()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    try:
        messages.put(("result", work(messages.put, *args, **kwargs)))
    except BaseException:
        messages.put(("error", traceback.format_exc()))


# What TensorFlow's libraries print as they load, before their log is set up (whatever TF_CPP_MIN_LOG_LEVEL says):
# absl's notice and info lines such as oneDNN's. Warnings and errors (W, E, F lines) and anything else are kept.
_START_UP_NOTES = re.compile(r"WARNING: All log messages before absl::InitializeLog\(\) is called|I\d{4} ")


def quiet_tensorflow() -> None:
    """Keep TensorFlow's routine messages off stderr from now on (call it before TensorFlow is imported).

    Its C++ log, down to the graph optimizer's harmless errors (``TF_CPP_MIN_LOG_LEVEL``, unless already
    set), and its Python log below errors (retracing warnings). A real failure still raises, and is printed
    by whoever catches it (the command line prints it and fails).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def import_tensorflow_quietly():
    """``tensorflow``, imported after :func:`quiet_tensorflow` without the notes its libraries print on loading."""
    quiet_tensorflow()
    with _stderr_filtered(_START_UP_NOTES):
        import tensorflow as tf
    return tf


@contextmanager
def _stderr_filtered(dropped: re.Pattern):
    """Within the block, what goes to stderr (the file descriptor: C++ too) is held back; then each line of it
    that ``dropped`` does not match is written out."""
    sys.stderr.flush()
    original = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(original, 2)
            os.close(original)
            held.seek(0)
            lines = held.read().decode("utf-8", errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not dropped.match(line)))
            sys.stderr.flush()


def check_options(*, theme, size, formats) -> list:
    """The formats as a list; InputError naming the option for an unknown theme, size or format."""
    from rnnviz.export import FORMATS
    from rnnviz.style import SLIDE_SIZES, THEMES

    if theme not in THEMES:
        raise InputError(f"--theme: unknown theme {theme!r}; expected one of {sorted(THEMES)}")
    if size not in SLIDE_SIZES:
        raise InputError(f"--size: unknown slide size {size!r}; expected one of {sorted(SLIDE_SIZES)}")
    formats = [formats] if isinstance(formats, str) else list(formats)
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise InputError(f"--formats: expected some of {list(FORMATS)} (comma-separated), got {','.join(formats)!r}")
    return formats


def draw_and_save(figure: GalleryFigure, out: Path, *, theme, size, formats, titles=True, failed=()) -> list:
    """Make the figure at slide size in the theme, write it in every format, close it.

    ``failed``: claims of its caption that do not hold, stated across its foot.
    """
    import matplotlib.pyplot as plt

    from rnnviz import style
    from rnnviz.export import save_figure

    with style.context("slides", theme=theme, size=size, titles=titles):
        display = figure.make()
        if failed:
            state_failed_claims(display.figure_, failed)
        try:
            return save_figure(display.figure_, out / "figures" / figure.section / figure.name, formats=formats)
        finally:
            plt.close(display.figure_)


def state_failed_claims(figure, failed) -> None:
    """Write across the foot of ``figure`` that its caption's claims ``failed`` do not hold, with their numbers."""
    from rnnviz.style import neutral

    lines = [f"CLAIM DOES NOT HOLD on these models: {claim.sentence} ({claim.numbers_text()})" for claim in failed]
    figure.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=12, wrap=True,
                color=neutral("text"), backgroundcolor=neutral("background"), fontweight="bold")


def write_index(out: Path, entries: list, result: GalleryResult, *, theme: str, tables=None) -> Path:
    """``out/index.html``, written atomically; its summary leaves the MAE table to ``tables`` (drawn once)."""
    from rnnviz.contact_sheet import contact_sheet
    from rnnviz.files import write_atomically
    from rnnviz.style import neutral

    colours = {role: neutral(role, theme) for role in ("background", "text", "muted")}
    page = contact_sheet(entries, title="rnnviz gallery: the lecture's figures",
                         summary=result.summary(mae_table=False), colours=colours, tables=tables)
    return write_atomically(out / "index.html", lambda path: Path(path).write_text(page, encoding="utf-8"))


class ProgressBar:
    """A text progress bar, one line per step: ``[#####.....] 12/30   41 s  what is being done``.

    ``total``: every step the run will take, counted before it starts, so the total never changes.
    """

    def __init__(self, total: int, *, write=print, width: int = 24):
        check_int("total", total, 0, context="the number of steps")
        self.total, self.done, self.write, self.width = total, 0, write, width
        self.started = time.perf_counter()
        self.lock = threading.Lock()  # steps come from this process and, relayed, from the helper

    def note(self, message: str) -> None:
        """A line under the current step, without advancing."""
        with self.lock:
            self.write(f"{'':{self.width + 2}}   {message}")

    def step(self, message: str) -> None:
        with self.lock:
            self.done += 1
            filled = round(self.width * self.done / max(self.total, self.done))
            elapsed = time.perf_counter() - self.started
            self.write(f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {elapsed:4.0f} s  {message}")


def _forecast_figures(results, windows) -> list:
    """Every forecaster on one validation window, their errors, their learning curves; and the three multi-step
    strategies (the lesson ``strategies``)."""
    from rnnviz.figures.forecast import ForecastDisplay, ForecastErrorsDisplay, LearningCurvesDisplay
    from rnnviz.figures.strategies import StrategiesDisplay

    return [
        GalleryFigure("forecasting", "forecast", f"Every model forecasting the next {HORIZON} steps, with a today marker",
                      lambda: ForecastDisplay.from_results(results, windows).plot()),
        GalleryFigure("forecasting", "errors", "Validation MAE of each forecaster against the naive forecast: every "
                      "trained one beats it", lambda: ForecastErrorsDisplay.from_results(results).plot(),
                      claims=(("forecasting", "trained_beat_naive"),)),
        GalleryFigure("forecasting", "learning_curves", "Learning curves: training and validation loss per epoch; "
                      "early stopping ended every run (best weights kept)",
                      lambda: LearningCurvesDisplay.from_results(results).plot(),
                      claims=(("forecasting", "converged"),)),
        GalleryFigure("forecasting", "strategies", "Three ways to forecast 10 steps ahead, each a GRU trained on the "
                      "same series: every one beats the naive forecast; fed its own forecasts, the recursive model's "
                      "error grows with the step ahead, and the sequence-to-vector model beats it 10 steps ahead",
                      lambda: StrategiesDisplay.from_lesson().plot(),
                      claims=(("strategies", "every_strategy_beats_naive"), ("strategies", "recursive_errors_compound"),
                              ("strategies", "seq2vec_beats_recursive"))),
    ]


def _series_figures(seed: int) -> list:
    """The series with its components (synthetic, both seasonalities, and Mauna Loa CO2), the tf.data pipeline and
    its windows."""
    from rnnviz.data import co2_weekly, make_windows, synthetic_series
    from rnnviz.figures.pipeline import PipelineDisplay
    from rnnviz.figures.series import SeriesComponentsDisplay
    from rnnviz.figures.windowing import WindowingDisplay

    def windows(targets):
        series = synthetic_series(seed=seed)
        return make_windows(series, input_steps=INPUT_STEPS, horizon=HORIZON, targets=targets, shuffle_seed=seed)

    return [
        GalleryFigure("series", "components_indices", "A series and its components: seasonality as seasonal indices",
                      lambda: SeriesComponentsDisplay.from_components(synthetic_series(seed=seed)).plot()),
        GalleryFigure("series", "components_smooth", "The same with smooth seasonality and AR(1) noise",
                      lambda: SeriesComponentsDisplay.from_components(
                          synthetic_series(seasonality="smooth", ar=0.7, seed=seed)).plot()),
        GalleryFigure("series", "components_co2", "Mauna Loa CO2, decomposed by STL (statsmodels)",
                      lambda: SeriesComponentsDisplay.from_series(co2_weekly()).plot()),
        GalleryFigure("series", "pipeline", "The tf.data pipeline stage by stage: each call, the shape of its "
                      "elements and their first values, taken from the pipeline itself",
                      lambda: PipelineDisplay.from_windows(windows("vector")).plot()),
        GalleryFigure("series", "windows", "Windows from the tf.data pipeline, and how they stack into a batch",
                      lambda: WindowingDisplay.from_windows(windows("vector")).plot()),
        GalleryFigure("series", "windows_sequence", "Sequence-to-sequence targets: the next steps at every step",
                      lambda: WindowingDisplay.from_windows(windows("sequence")).plot()),
    ]


def _trace_figures(traces: dict) -> list:
    """Per recorded forecaster: unrolled with its states; the insides of those the lesson ``gates`` does not show."""
    from rnnviz.figures.cell import CellDisplay
    from rnnviz.figures.memory_cell import LESSON_MODEL as MEMORY_CELL_MODEL
    from rnnviz.figures.memory_cell import MemoryCellDisplay
    from rnnviz.figures.states import GateTimelineDisplay, StateHeatmapDisplay
    from rnnviz.figures.unrolled import UnrolledDisplay

    figures = []
    for name, trace in traces.items():
        title = CELL_KINDS[trace.layers[0].kind].title
        names = trace.layers[0].state_names
        states = f"state{'s' if len(names) > 1 else ''} {' and '.join(names)}"
        if len(trace.layers) > 1:  # a deep RNN: the stack is the point; its cells are the one-layer forecaster's kind
            figures.append(GalleryFigure("unrolled", f"unrolled_{name}", f"A deep RNN: the forecaster of "
                                         f"{len(trace.layers)} stacked {title} layers unrolled, each layer reading the "
                                         f"states of the layer below at every step, every cell with its recorded "
                                         f"{states}; the top layer's last state feeds the Dense head",
                                         lambda t=trace: UnrolledDisplay.from_trace(t, max_steps=8).plot()))
            continue
        figures.append(GalleryFigure("unrolled", f"unrolled_{name}", f"The {title} forecaster unrolled: the window minus "
                                     f"today at every step, its {states}, and the Dense head's {HORIZON} values "
                                     f"plus today: the forecast 1 … {HORIZON} steps ahead",
                                     lambda t=trace: UnrolledDisplay.from_trace(t, max_steps=8).plot()))
        if name == MEMORY_CELL_MODEL:
            figures.append(GalleryFigure("unrolled", "memory_cell", "The general memory cell hₜ = f(hₜ₋₁, xₜ), folded "
                                         f"and unrolled, with the trained {title} forecaster's own Wₓ, Wₕ and b as "
                                         "heatmaps beside their arrows: the same weights at every step, each cell "
                                         "with its recorded state hₜ",
                                         lambda t=trace: MemoryCellDisplay.from_lesson(t).plot()))
        if name in GATE_LESSON_KINDS:
            continue
        figures.append(GalleryFigure("cells", f"cell_{name}", f"Inside the {title} forecaster's cell at step "
                                     f"{INPUT_STEPS // 2}",
                                     lambda t=trace: CellDisplay.from_trace(t, step=INPUT_STEPS // 2).plot()))
        figures.append(GalleryFigure("cells", f"states_{name}", f"The {title} forecaster's states over time, under the "
                                     "input its layer reads: x − today",
                                     lambda t=trace: StateHeatmapDisplay.from_trace(t).plot()))
        if trace.layers[0].gates:
            figures.append(GalleryFigure("cells", f"gates_{name}", f"The {title} forecaster's gates over time, under the "
                                         "input its layer reads: x − today",
                                         lambda t=trace: GateTimelineDisplay.from_trace(t).plot()))
    return figures


def _gate_lesson_figures() -> list:
    """The lesson ``gates`` (shipped, trained to keep the last marked number): each cell's gates, states and inside."""
    from rnnviz import lessons
    from rnnviz.figures.cell import CellDisplay
    from rnnviz.figures.conveyor import ConveyorDisplay
    from rnnviz.figures.states import GateTimelineDisplay, StateHeatmapDisplay
    from rnnviz.lessons.gates import INPUT_NAMES, SHOWCASE_MARKS, shown_task

    new = SHOWCASE_MARKS[-1]
    task = shown_task()
    lstm_gates = ("the input gate opens at each marker, the forget gate erases the old number at the new marker and "
                  "holds the number between")
    shown = ("gates", "the_shown_sequence_shows_it")
    lstm_claims = (("gates", "lstm_input_gate_writes"), ("gates", "lstm_forget_gate_erases_and_holds"), shown)
    lstm_cell = f"at the new marker (step {new}): forget gate shut, input gate open"
    captions = {  # model -> (gates caption, claims, cell caption)
        "LSTM": (f"The trained LSTM's gates, {task}: {lstm_gates}", lstm_claims,
                 f"Inside the trained LSTM cell {lstm_cell}"),
        "PeepholeLSTM": (f"The trained peephole LSTM's gates (they see the cell state too), {task}: {lstm_gates}",
                         lstm_claims, f"Inside the trained peephole LSTM cell {lstm_cell}"),
        "GRU": (f"The trained GRU's gates, {task}: the update gate z drops to let each marked number in and "
                "holds it between", (("gates", "gru_update_gate_writes_and_holds"), shown),
                f"Inside the trained GRU cell at the new marker (step {new}): the update gate z lets the number in"),
    }
    def named(display):
        display.input_names = INPUT_NAMES
        return display.plot()

    figures = [GalleryFigure("cells", "conveyor_lstm", f"The idea of gates: the cell state as a conveyor belt, the "
                             f"gates as valves (the trained LSTM, {task}): {lstm_gates}",
                             lambda: ConveyorDisplay.from_lesson().plot(),
                             claims=(("gates", "all_learn_the_task"), *lstm_claims))]
    for name, (gates_caption, claims, cell_caption) in captions.items():
        trace = lessons.trace("gates", name)
        kind = GATE_LAYERS[name]
        figures += [
            GalleryFigure("cells", f"gates_{kind}", gates_caption,
                          lambda t=trace: named(GateTimelineDisplay.from_trace(t, description=task)),
                          claims=(("gates", "all_learn_the_task"), *claims)),
            GalleryFigure("cells", f"states_{kind}", f"The trained {CELL_KINDS[kind].title}'s states, {task}",
                          lambda t=trace: named(StateHeatmapDisplay.from_trace(t, description=task))),
            GalleryFigure("cells", f"cell_{kind}", cell_caption,
                          lambda t=trace: CellDisplay.from_trace(t, step=new).plot(), claims=claims),
        ]
    return figures


def _gradient_figures(seed: int) -> list:
    """The gradient figures, in lecture order: the trained lesson first, then what untrained cells do."""
    from rnnviz.figures.agreement import AgreementAccuracyDisplay, AgreementSentenceDisplay
    from rnnviz.figures.bptt import BPTTDisplay
    from rnnviz.figures.clipping import ClippingDisplay
    from rnnviz.figures.clipping_vectors import ClippingVectorsDisplay
    from rnnviz.figures.gradient_decay import GradientDecayDisplay
    from rnnviz.figures.long_range import AnswerGradientDisplay, AnswerGradientMapDisplay, LongRangeMemoryDisplay
    from rnnviz.figures.memory import MemoryHeatmapDisplay
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay
    from rnnviz.lessons.gradients import CLIP_THRESHOLD, NORM_TURNS, VALUE_TURNS
    from rnnviz.lessons.memory import DISTANCES, SIGNAL_KEPT, SIGNAL_SHARE

    return [
        GalleryFigure("gradients", "gradient_decay_trained",
                      "Trained for a long memory (the adding problem): the LSTM's and the GRU's answers still follow "
                      "a number 100 steps back; the SimpleRNN's gradient has faded",
                      lambda: AnswerGradientDisplay.from_lesson().plot(),
                      claims=(("memory", "all_learn_the_task"), ("memory", "gated_cells_keep_the_gradient"))),
        GalleryFigure("gradients", "memory_heatmap_trained",
                      "Trained memory as a heatmap: how much the answer still follows a number d steps back; the LSTM "
                      "and the GRU still do at 100 steps, the SimpleRNN's gradient has faded",
                      lambda: AnswerGradientMapDisplay.from_lesson().plot(),
                      claims=(("memory", "gated_cells_keep_the_gradient"),)),
        GalleryFigure("gradients", "bptt", "Training an RNN is training a very deep network: the answer's error "
                      f"signal reaches a number {DISTANCES[-1]} steps back only through {DISTANCES[-1]} Jacobians, one "
                      "per step (each one's norm on its arrow; under each cell the error signal ‖∂ŷ/∂sₜ‖, the running "
                      "product ‖∂h_T/∂hₜ‖ and the product of the norms crossed, which bounds it). Carried back "
                      f"{DISTANCES[-1]} steps the error signal keeps at least {SIGNAL_KEPT:.0%} of its size in the LSTM, "
                      f"and in the SimpleRNN at most {SIGNAL_SHARE:.0%} of what the LSTM keeps (medians over the held-out "
                      f"sequences whose first marked number lies {DISTANCES[-1]} steps back; the first drawn)",
                      lambda: BPTTDisplay.from_lesson().plot(),
                      claims=(("memory", "error_signal_fades_in_the_simple_rnn"),)),
        GalleryFigure("gradients", "agreement_sentence", "“The BA students … was”: after each word, each model's belief "
                      "that the verb is plural (its output on its state) and the LSTM's cell-state unit that follows "
                      "the subject's number; after the 8-word clause both models still say “were”",
                      lambda: AgreementSentenceDisplay.from_lesson().plot(),
                      claims=(("agreement", "the_slide_sentence"), ("agreement", "a_unit_tracks_the_number"))),
        GalleryFigure("gradients", "agreement_length", "The verb's number against the clause's length, on held-out "
                      "sentences (both models trained on clauses of 2–6 words, with noise on h): the SimpleRNN is "
                      "right at 2 and 4 words and at chance by 35–40, where its answer no longer depends on the "
                      "subject at all; the LSTM keeps the number up to 40 words",
                      lambda: AgreementAccuracyDisplay.from_lesson().plot(),
                      claims=(("agreement", "lstm_keeps_the_number"), ("agreement", "simple_rnn_loses_the_number"),
                              ("agreement", "simple_rnn_forgets_the_subject"))),
        GalleryFigure("gradients", "long_range_memory", "The SimpleRNN forgets first: its error at 100 steps back",
                      lambda: LongRangeMemoryDisplay.from_lesson().plot(),
                      claims=(("memory", "simple_rnn_forgets_first"),)),
        GalleryFigure("gradients", "gradient_decay", "Untrained cells: how fast gradients fade through time",
                      lambda: GradientDecayDisplay.from_lesson().plot()),
        GalleryFigure("gradients", "spectral_radius", "Vanishing below spectral radius 1, exploding well above it; "
                      "the activation decides where they turn: linear between 0.9 and 1.1, tanh between 0.9 and 3, "
                      "relu between 1.1 and 2",
                      lambda: SpectralRadiusDisplay.from_lesson().plot(),
                      claims=(("gradients", "vanish_below_one"), ("gradients", "explode_well_above_one"),
                              ("gradients", "linear_edge"), ("gradients", "tanh_edge"), ("gradients", "relu_edge"))),
        GalleryFigure("gradients", "memory_heatmap", "Untrained cells: how long an input is felt",
                      lambda: MemoryHeatmapDisplay.from_lesson().plot()),
        GalleryFigure("gradients", "gradient_clipping", "Clipping tames exploding gradients: without it training "
                      "overflows; clipped by norm, the same model trains",
                      lambda: ClippingDisplay.from_lesson().plot(),
                      claims=(("gradients", "unclipped_overflows"), ("gradients", "clipped_trains"))),
        GalleryFigure("gradients", "clipping_vectors", "What clipping does to one gradient (the exploding SimpleRNN's "
                      f"first step, clipped at {CLIP_THRESHOLD:g} by Keras): global_clipnorm scales the whole vector and "
                      "keeps its direction; clipnorm cuts each variable on its own and turns the whole by more than "
                      f"{NORM_TURNS:g}°; clipvalue cuts each element and turns it by more than {VALUE_TURNS:g}°",
                      lambda: ClippingVectorsDisplay.from_lesson().plot(),
                      claims=(("gradients", "clipnorm_turns"), ("gradients", "clipvalue_turns"))),
    ]


def _architecture_figures(seed: int) -> list:
    """The architecture family, each a small untrained Keras model recorded on seeded inputs and drawn unrolled."""
    import rnnviz
    from rnnviz.figures.unrolled import UnrolledDisplay

    # Built once, when the first is drawn (TensorFlow): listing the figures, e.g. to count them, builds nothing.
    models = functools.cache(lambda: architecture_models(seed))

    def make(name):
        def draw():
            if name in TRAINED_ARCHITECTURES:
                lesson, model = TRAINED_ARCHITECTURES[name]
                taught = lessons.get(lesson)
                display = UnrolledDisplay.from_trace(lessons.trace(lesson, model), max_steps=6, tokens=taught.tokens,
                                                     fed_back=taught.fed_back)
                display.heading = f"Encoder–decoder {shown_task()}"
                return display.plot()
            model, x = models()[name]
            display = UnrolledDisplay.from_trace(rnnviz.record(model, x), max_steps=6)
            display.heading = "Untrained: the architecture unrolled through time, with its real states"
            return display.plot()

        return draw

    from rnnviz import lessons
    from rnnviz.lessons.encoder_decoder import shown_task

    return [GalleryFigure("architectures", name, caption, make(name), claims=ARCHITECTURE_CLAIMS.get(name, ()))
            for name, caption in ARCHITECTURES.items()]


ARCHITECTURE_CLAIMS = {"encoder_decoder": (("encoder_decoder", "the_hand_over_matters"),
                                           ("encoder_decoder", "writes_on_its_own"),
                                           ("encoder_decoder", "the_shown_sequence_shows_it"))}

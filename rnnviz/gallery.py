"""``rnnviz gallery``: train the lecture's small models and write everything rnnviz draws from them.

The run trains a sequence-to-vector forecaster per cell kind (SimpleRNN, LSTM,
peephole LSTM, GRU) on a seeded series, records each on validation windows, and
writes every figure — diagrams with the recorded values, states and gates,
gradients, clipping, memory, the architecture family — in the chosen formats,
sized for slides and themed, with an ``index.html`` contact sheet and the traces
as ``.npz``. Every file is written atomically: an interrupted run leaves no
half-written file under a final name.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz.errors import InputError
from rnnviz.kinds import CELL_KINDS

INPUT_STEPS = 40
HORIZON = 5
UNITS = 16
PERIOD = 30


SECTIONS = {
    "unrolled": "The recurrent neuron, unrolled",
    "cells": "Inside the cells: LSTM, peephole LSTM, GRU",
    "gradients": "Training through time: vanishing and exploding gradients, clipping, memory",
    "architectures": "Architectures: sequence-to-vector, vector-to-sequence, sequence-to-sequence, encoder–decoder, bidirectional",
}


@dataclass(frozen=True)
class GalleryFigure:
    """One figure of the gallery: where it goes, what it says, and how to make it (a plotted Display)."""

    section: str
    name: str
    caption: str
    make: Callable[[], object]


@dataclass
class GalleryResult:
    """What a gallery run wrote, with each model's validation error."""

    out: Path
    files: list
    validation_mae: dict
    naive_mae: float
    seconds: float

    def summary(self) -> str:
        figures = [path for path in self.files if path.suffix in (".png", ".svg", ".pdf")]
        lines = [f"rnnviz gallery: {len(self.files)} files in {self.out} ({self.seconds:.0f} s)",
                 f"  {len(figures)} figure files, {sum(p.suffix == '.npz' for p in self.files)} traces, "
                 f"open {self.out / 'index.html'}"]
        lines.append(f"  validation MAE over {HORIZON} steps ahead (naive forecast: {self.naive_mae:.3f})")
        for name, mae in self.validation_mae.items():
            lines.append(f"    {name:15s} {mae:.3f}")
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


def lecture_series(seed: int, length: int = 1500) -> np.ndarray:
    """A seeded series with level, trend, seasonality (period PERIOD) and noise, as in the lecture."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    season = np.sin(2 * np.pi * t / PERIOD) + 0.5 * np.sin(4 * np.pi * t / PERIOD)
    return (10 + 0.01 * t + 3 * season + rng.normal(scale=0.4, size=length)).astype("float32")


def windowed(series: np.ndarray):
    """Inputs of INPUT_STEPS values and targets of the next HORIZON values, for every start.

    Both are taken relative to the window's last input value, so a model learns
    the shape of what comes next rather than the level, which the trend keeps
    moving out of the training range.
    """
    starts = np.arange(len(series) - INPUT_STEPS - HORIZON + 1)
    x = np.stack([series[s : s + INPUT_STEPS] for s in starts])
    y = np.stack([series[s + INPUT_STEPS : s + INPUT_STEPS + HORIZON] for s in starts])
    last = x[:, -1:]
    return (x - last)[:, :, None], y - last


def lecture_models():
    """The four sequence-to-vector forecasters, one per cell kind, untrained."""
    import keras

    from rnnviz.layers import PeepholeLSTM

    layers = {
        "simple_rnn": lambda: keras.layers.SimpleRNN(UNITS, name="simple_rnn"),
        "lstm": lambda: keras.layers.LSTM(UNITS, name="lstm"),
        "peephole_lstm": lambda: PeepholeLSTM(UNITS, name="peephole_lstm"),
        "gru": lambda: keras.layers.GRU(UNITS, name="gru"),
    }
    return {
        name: keras.Sequential(
            [keras.Input((INPUT_STEPS, 1)), make(), keras.layers.Dense(HORIZON)], name=f"{name}_forecaster"
        )
        for name, make in layers.items()
    }


def run_gallery(out, *, seed: int = 0, epochs: int = 6, theme: str = "light", size: str = "16:9",
                formats=("png", "svg", "pdf"), progress=None) -> GalleryResult:
    """Build the data, train the lecture's models, record them, and write every figure to ``out``.

    Figures go to ``out/figures/<section>/<name>.<format>``, traces to ``out/traces``,
    and a contact sheet to ``out/index.html``. Every file is written atomically.
    """
    started = time.perf_counter()
    formats = check_options(theme=theme, size=size, formats=formats)
    out = check_out_dir(out)
    import keras

    import rnnviz

    models = lecture_models()
    figures = None  # known once the models are trained
    bar = ProgressBar(len(models) + 1, write=progress or print)
    keras.utils.set_random_seed(seed)
    series = lecture_series(seed)
    split = int(0.8 * len(series))
    std = np.diff(series[:split]).std()  # scale from the training part only
    scaled = series / std
    x_train, y_train = windowed(scaled[:split])
    x_valid, y_valid = windowed(scaled[split - INPUT_STEPS :])
    naive_mae = float(np.abs(y_valid).mean() * std)  # relative to the last value, naive predicts 0

    files, validation_mae, traces = [], {}, {}
    for name, model in models.items():
        bar.step(f"training {name} ({epochs} epochs) and recording 8 validation windows")
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, shuffle=True, verbose=0)
        prediction = model.predict(x_valid, batch_size=256, verbose=0)
        validation_mae[name] = float(np.abs(prediction - y_valid).mean() * std)
        trace = rnnviz.record(model, x_valid[:: max(1, len(x_valid) // 8)][:8])
        files.append(trace.save(out / "traces" / f"{name}.npz"))
        traces[name] = trace

    figures = [*_trace_figures(traces), *_gradient_figures(seed), *_architecture_figures(seed)]
    bar.total += len(figures)
    entries = []
    for figure in figures:
        bar.step(f"{figure.section}/{figure.name}: {figure.caption}")
        written = draw_and_save(figure, out, theme=theme, size=size, formats=formats)
        files.extend(written)
        entries.append({"section": SECTIONS[figure.section], "caption": figure.caption,
                        "files": {path.suffix[1:]: path.relative_to(out).as_posix() for path in written}})
    result = GalleryResult(out, files, validation_mae, naive_mae, time.perf_counter() - started)
    bar.step("index.html: the contact sheet")
    files.append(write_index(out, entries, result, theme=theme))
    result.seconds = time.perf_counter() - started
    return result


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


def draw_and_save(figure: GalleryFigure, out: Path, *, theme, size, formats) -> list:
    """Make the figure at slide size in the theme, write it in every format, close it."""
    import matplotlib.pyplot as plt

    from rnnviz import style
    from rnnviz.export import save_figure

    with style.context("slides", theme=theme, size=size):
        display = figure.make()
        try:
            return save_figure(display.figure_, out / "figures" / figure.section / figure.name, formats=formats)
        finally:
            plt.close(display.figure_)


def write_index(out: Path, entries: list, result: GalleryResult, *, theme: str) -> Path:
    """``out/index.html``, written atomically."""
    from rnnviz.contact_sheet import contact_sheet
    from rnnviz.export import write_atomically
    from rnnviz.style import neutral

    colours = {role: neutral(role, theme) for role in ("background", "text", "muted")}
    page = contact_sheet(entries, title="rnnviz gallery: the lecture's figures", summary=result.summary(),
                         colours=colours)
    return write_atomically(out / "index.html", lambda path: Path(path).write_text(page, encoding="utf-8"))


class ProgressBar:
    """A text progress bar, one line per step: ``[#####.....] 12/30  what is being done``."""

    def __init__(self, total: int, *, write=print, width: int = 24):
        self.total, self.done, self.write, self.width = total, 0, write, width

    def step(self, message: str) -> None:
        self.done += 1
        filled = round(self.width * self.done / max(self.total, self.done))
        self.write(f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}  {message}")


def _trace_figures(traces: dict) -> list:
    """Per recorded forecaster: unrolled with its states, its cell mid-sequence, its states and gates over time."""
    from rnnviz.figures.cell import CellDisplay
    from rnnviz.figures.states import GateTimelineDisplay, StateHeatmapDisplay
    from rnnviz.figures.unrolled import UnrolledDisplay

    figures = []
    for name, trace in traces.items():
        title = CELL_KINDS[trace.layers[0].kind].title
        figures.append(GalleryFigure("unrolled", f"unrolled_{name}", f"The {title} forecaster unrolled, with its states",
                                     lambda t=trace: UnrolledDisplay.from_trace(t, max_steps=8).plot()))
        figures.append(GalleryFigure("cells", f"cell_{name}", f"Inside the {title} cell at step {INPUT_STEPS // 2}",
                                     lambda t=trace: CellDisplay.from_trace(t, step=INPUT_STEPS // 2).plot()))
        figures.append(GalleryFigure("cells", f"states_{name}", f"The {title}'s states over time",
                                     lambda t=trace: StateHeatmapDisplay.from_trace(t).plot()))
        if trace.layers[0].gates:
            figures.append(GalleryFigure("cells", f"gates_{name}", f"The {title}'s gates over time",
                                         lambda t=trace: GateTimelineDisplay.from_trace(t).plot()))
    return figures


def _gradient_figures(seed: int) -> list:
    """The gradient figures, in lecture order."""
    from rnnviz.figures.clipping import ClippingDisplay
    from rnnviz.figures.gradient_decay import GradientDecayDisplay
    from rnnviz.figures.long_range import LongRangeMemoryDisplay
    from rnnviz.figures.memory import MemoryHeatmapDisplay
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay

    return [
        GalleryFigure("gradients", "gradient_decay", "How fast gradients fade through time, per cell",
                      lambda: GradientDecayDisplay.from_cells(seed=seed).plot()),
        GalleryFigure("gradients", "spectral_radius", "Vanishing below spectral radius 1, exploding above",
                      lambda: SpectralRadiusDisplay.from_sweep(seed=seed).plot()),
        GalleryFigure("gradients", "memory_heatmap", "How long an input is felt",
                      lambda: MemoryHeatmapDisplay.from_cells(seed=seed).plot()),
        GalleryFigure("gradients", "gradient_clipping", "Clipping tames exploding gradients",
                      lambda: ClippingDisplay.from_training(seed=seed).plot()),
        GalleryFigure("gradients", "long_range_memory", "The SimpleRNN forgets first: the adding problem",
                      lambda: LongRangeMemoryDisplay.from_training(seed=seed).plot()),
    ]


def _architecture_figures(seed: int) -> list:
    """The architecture family, each a small real Keras model recorded on seeded inputs and drawn unrolled."""
    from rnnviz.figures.unrolled import UnrolledDisplay

    def make(name):
        def draw():
            import rnnviz

            model, x = architecture_models(seed)[name]
            return UnrolledDisplay.from_trace(rnnviz.record(model, x), max_steps=6).plot()
        return draw

    captions = {
        "sequence_to_vector": "Sequence-to-vector: read a sequence, answer once (sentiment, a forecast)",
        "vector_to_sequence": "Vector-to-sequence: one input, a sequence out (captions, music)",
        "sequence_to_sequence": "Sequence-to-sequence: an output at every step (speech, prices)",
        "encoder_decoder": "Encoder–decoder: read everything, then write (translation)",
        "bidirectional": "Bidirectional: each step sees the past and the future",
    }
    return [GalleryFigure("architectures", name, caption, make(name)) for name, caption in captions.items()]


def architecture_models(seed: int) -> dict:
    """name -> (an untrained Keras model of that architecture, seeded inputs for it)."""
    import keras

    layers = keras.layers
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    sequence = rng.normal(size=(2, 12, 1)).astype("float32")
    models = {
        "sequence_to_vector": keras.Sequential(
            [keras.Input((12, 1)), layers.SimpleRNN(8, name="rnn"), layers.Dense(1, name="output")], name="seq2vec"),
        "vector_to_sequence": keras.Sequential(
            [keras.Input((3,)), layers.Dense(8, name="embed"), layers.RepeatVector(6, name="repeat"),
             layers.SimpleRNN(8, return_sequences=True, name="rnn"), layers.Dense(1, name="output")], name="vec2seq"),
        "sequence_to_sequence": keras.Sequential(
            [keras.Input((12, 1)), layers.SimpleRNN(8, return_sequences=True, name="rnn"),
             layers.TimeDistributed(layers.Dense(1), name="output")], name="seq2seq"),
        "encoder_decoder": keras.Sequential(
            [keras.Input((12, 1)), layers.LSTM(8, name="encoder"), layers.RepeatVector(5, name="repeat"),
             layers.LSTM(8, return_sequences=True, name="decoder"), layers.TimeDistributed(layers.Dense(1), name="output")],
            name="encoder_decoder"),
        "bidirectional": keras.Sequential(
            [keras.Input((12, 1)), layers.Bidirectional(layers.GRU(8), name="bidirectional"),
             layers.Dense(1, name="output")], name="bidirectional"),
    }
    inputs = {name: sequence for name in models}
    inputs["vector_to_sequence"] = rng.normal(size=(2, 3)).astype("float32")
    return {name: (model, inputs[name]) for name, model in models.items()}

"""``rnnviz gallery``: train the lecture's small models and write everything rnnviz makes from them.

Today that is one trace per cell kind (SimpleRNN, LSTM, peephole LSTM, GRU), each
a sequence-to-vector forecaster trained on a seeded synthetic series and recorded
on validation windows, and the gradient figures (``FIGURES``) as PNG. Every file
is written atomically, so an interrupted run leaves no half-written file under a
final name.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz.errors import InputError

INPUT_STEPS = 40
HORIZON = 5
UNITS = 16
PERIOD = 30


def _gradient_figures():
    """name -> (caption, function making the Display, plotted), in lecture order."""
    from rnnviz.figures.clipping import ClippingDisplay
    from rnnviz.figures.gradient_decay import GradientDecayDisplay
    from rnnviz.figures.long_range import LongRangeMemoryDisplay
    from rnnviz.figures.memory import MemoryHeatmapDisplay
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay

    return {
        "gradient_decay": ("How fast gradients fade through time, per cell", lambda seed: GradientDecayDisplay.from_cells(seed=seed)),
        "spectral_radius": ("Vanishing below spectral radius 1, exploding above", lambda seed: SpectralRadiusDisplay.from_sweep(seed=seed)),
        "memory_heatmap": ("How long an input is felt", lambda seed: MemoryHeatmapDisplay.from_cells(seed=seed)),
        "gradient_clipping": ("Clipping tames exploding gradients", lambda seed: ClippingDisplay.from_training(seed=seed)),
        "long_range_memory": ("The SimpleRNN forgets first: the adding problem", lambda seed: LongRangeMemoryDisplay.from_training(seed=seed)),
    }


def _trace_figures(trace):
    """The figures drawn from one recorded forecaster: unrolled with its states, and its cell mid-sequence."""
    from rnnviz.figures.cell import CellDisplay
    from rnnviz.figures.states import GateTimelineDisplay, StateHeatmapDisplay
    from rnnviz.figures.unrolled import UnrolledDisplay

    yield UnrolledDisplay.from_trace(trace, max_steps=8).plot()
    yield CellDisplay.from_trace(trace, step=INPUT_STEPS // 2).plot()
    yield StateHeatmapDisplay.from_trace(trace).plot()
    if trace.layers[0].gates:
        yield GateTimelineDisplay.from_trace(trace).plot()


def save_png(figure, path: Path, dpi: int = 150) -> Path:
    """Write ``figure`` to ``path`` as PNG, atomically and with no changing metadata (:func:`rnnviz.export.save_figure`)."""
    from rnnviz.export import save_figure

    return save_figure(figure, path, dpi=dpi)[0]


@dataclass
class GalleryResult:
    """What a gallery run wrote, with each model's validation error."""

    out: Path
    files: list
    validation_mae: dict
    naive_mae: float
    seconds: float

    def summary(self) -> str:
        lines = [f"rnnviz gallery: {len(self.files)} files in {self.out} ({self.seconds:.0f} s)"]
        lines.append(f"  validation MAE over {HORIZON} steps ahead (naive forecast: {self.naive_mae:.3f})")
        for name, mae in self.validation_mae.items():
            lines.append(f"    {name:15s} {mae:.3f}")
        lines.extend(f"  {path.relative_to(self.out)}" for path in self.files)
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


def run_gallery(out, *, seed: int = 0, epochs: int = 6, progress=print) -> GalleryResult:
    """Build the data, train the lecture's models, record them, and write the outputs to ``out``."""
    started = time.perf_counter()
    out = check_out_dir(out)
    import keras

    import rnnviz

    keras.utils.set_random_seed(seed)
    series = lecture_series(seed)
    split = int(0.8 * len(series))
    std = np.diff(series[:split]).std()  # scale from the training part only
    scaled = series / std
    x_train, y_train = windowed(scaled[:split])
    x_valid, y_valid = windowed(scaled[split - INPUT_STEPS :])
    naive_mae = float(np.abs(y_valid).mean() * std)  # relative to the last value, naive predicts 0

    files, validation_mae, traces = [], {}, {}
    models = lecture_models()
    for index, (name, model) in enumerate(models.items(), start=1):
        progress(f"[{index}/{len(models)}] {name}: training {epochs} epochs")
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, shuffle=True, verbose=0)
        prediction = model.predict(x_valid, batch_size=256, verbose=0)
        validation_mae[name] = float(np.abs(prediction - y_valid).mean() * std)
        progress(f"[{index}/{len(models)}] {name}: recording 8 validation windows")
        trace = rnnviz.record(model, x_valid[:: max(1, len(x_valid) // 8)][:8])
        files.append(trace.save(out / "traces" / f"{name}.npz"))
        traces[name] = trace

    import matplotlib.pyplot as plt

    for name, trace in traces.items():
        progress(f"[diagrams] {name}: unrolled network, cell, states and gates with the recorded values")
        for display in _trace_figures(trace):
            kind = type(display).__name__.removesuffix("Display").lower()
            files.append(save_png(display.figure_, out / "figures" / f"{kind}_{name}.png"))
            plt.close(display.figure_)

    figures = _gradient_figures()
    for index, (name, (caption, make)) in enumerate(figures.items(), start=1):
        progress(f"[figure {index}/{len(figures)}] {name}: {caption}")
        display = make(seed).plot()
        files.append(save_png(display.figure_, out / "figures" / f"{name}.png"))
        plt.close(display.figure_)
    return GalleryResult(out, files, validation_mae, naive_mae, time.perf_counter() - started)

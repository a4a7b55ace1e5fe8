"""How fast does a widget follow its slider? Prints milliseconds per step and the ratio to a re-plot.

    python benchmarks/bench_widgets.py

Headless, as in a notebook kernel: a 200-step recording of a 32-unit LSTM and GRU
(batch 4); the step slider of each explorer is set to every step in turn
(``slider.value = t``), each timed until the image widget holds the new PNG (the
observer runs synchronously, so the assignment returns when the image is redrawn).
Then the same explorer is re-plotted from scratch (``rebuild``: a new figure, every
artist made again, laid out and drawn) a few times, for the in-place/re-plot ratio.
Targets (time-step explorer): median at most 30 ms per step, 95th percentile at most 60 ms.
"""

from __future__ import annotations

import time

import numpy as np

STEPS, UNITS, BATCH = 200, 32, 4


def recording():
    import keras

    import rnnviz

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((STEPS, 1)),
        keras.layers.LSTM(UNITS, return_sequences=True, name="lstm"),
        keras.layers.GRU(UNITS, return_sequences=True, name="gru"),
    ])
    time_axis = np.linspace(0, 8 * np.pi, STEPS)
    x = (np.sin(time_axis)[None, :, None] + 0.3 * np.random.default_rng(0).normal(size=(BATCH, STEPS, 1)))
    return rnnviz.record(model, x.astype("float32"))


def sweep(explorer) -> np.ndarray:
    """Milliseconds per step for moving the slider through every step, forwards."""
    times = []
    for step in range(1, STEPS):
        before = explorer.view.redraws
        started = time.perf_counter()
        explorer.step.value = step
        times.append(time.perf_counter() - started)
        assert explorer.view.redraws == before + 1, "the image was not redrawn"
    return 1000 * np.array(times)


def replot(explorer, repeats: int = 5) -> float:
    """Median milliseconds for drawing the explorer's view from scratch."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        explorer.rebuild()
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def main():
    from rnnviz.widgets import CellExplorer, TimeStepExplorer

    trace = recording()
    print(f"{STEPS} steps, {UNITS} units, batch {BATCH}; ms per slider step (until the PNG is in the image widget)\n")
    print(f"{'explorer':28} {'median':>7} {'p95':>7} {'max':>7} {'re-plot':>8} {'re-plot/step':>13}")
    for name, make in (
        ("TimeStepExplorer (LSTM)", lambda: TimeStepExplorer(trace, layer="lstm")),
        ("TimeStepExplorer (GRU)", lambda: TimeStepExplorer(trace, layer="gru")),
        ("CellExplorer (LSTM)", lambda: CellExplorer(trace, layer="lstm")),
        ("CellExplorer (GRU)", lambda: CellExplorer(trace, layer="gru")),
    ):
        explorer = make()
        sweep(explorer)  # warm-up: fonts and text layouts cached, as after a first play
        explorer.step.value = 0
        times = sweep(explorer)
        scratch = replot(explorer)
        median = float(np.median(times))
        print(f"{name:28} {median:7.1f} {np.percentile(times, 95):7.1f} {times.max():7.1f} {scratch:8.1f} "
              f"{scratch / median:12.1f}x", flush=True)
    print("\ntarget (time-step explorer): median at most 30 ms, 95th percentile at most 60 ms")


if __name__ == "__main__":
    main()

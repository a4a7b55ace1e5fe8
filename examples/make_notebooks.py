"""Write the example notebooks (one per part of the lecture) from the cells below, without outputs.

    python examples/make_notebooks.py

The notebooks are committed; edit the cells here and run this again, so every
notebook keeps the same layout. CI executes each one end to end (tests/test_notebooks.py).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text: str):
    return nbformat.v4.new_code_cell(text.strip())


NOTEBOOKS = {
    "01_data_and_windowing.ipynb": [
        md("""
# 1 · Time series, and the windows a model learns from

A series is level + trend + seasonality + noise. We make one with known components,
decompose a real one (Mauna Loa CO₂, shipped with statsmodels), and cut it into the
windows that the TensorFlow Data API feeds to a model.
"""),
        code("""
import rnnviz
from rnnviz.data import co2_weekly, make_windows, synthetic_series
from rnnviz.widgets import WindowingExplorer

series = synthetic_series(length=730, seed=0)
_ = rnnviz.SeriesComponentsDisplay.from_components(series).plot()
"""),
        md("Real data: STL decomposition of weekly CO₂ at Mauna Loa."),
        code("_ = rnnviz.SeriesComponentsDisplay.from_series(co2_weekly()).plot()"),
        md("""
## Windows

`make_windows` splits the series in time order (train / validation / test) and windows
each part with `tf.data`: `input_steps` values in, the next `horizon` values as targets.
"""),
        code("""
windows = make_windows(series, input_steps=30, horizon=5, batch_size=16)
inputs, targets = next(windows.unshuffled("train").as_numpy_iterator())
print(windows)
print("one batch:", inputs.shape, "->", targets.shape)
_ = rnnviz.WindowingDisplay.from_windows(windows).plot()
"""),
        md("""
## Try it

Change the window length, the horizon, the shift between windows and the batch size,
and watch the windows the pipeline produces. `explorer.save("windows.png")` keeps the
current view as a slide figure.
"""),
        code("""
explorer = WindowingExplorer(series, input_steps=30, horizon=5, shift=3, batch_size=8)
explorer
"""),
    ],
    "02_recurrent_neuron_and_unrolling.ipynb": [
        md("""
# 2 · The recurrent neuron, unrolled

One recurrent neuron: h_t = f(w_x · x_t + w_h · h_(t−1) + b). Its state carries the
past forward; its gradient carries the error back, multiplied by w_h · f′ at every
step. Move w_h below and above 1 and watch the gradient vanish or explode.
"""),
        code("""
from rnnviz.widgets import NeuronPlayground

playground = NeuronPlayground(w_x=1.0, w_h=0.9, activation="tanh", steps=30, inputs="pulse")
playground
"""),
        md("""
## A layer of recurrent neurons, unrolled through time

A real Keras SimpleRNN, recorded with `rnnviz.record`: every hidden state of every step.
"""),
        code("""
import keras
import numpy as np
import rnnviz

keras.utils.set_random_seed(0)
steps = 60
t = np.arange(steps)
x = (np.sin(2 * np.pi * t / 15)[None, :, None] + 0.2 * np.random.default_rng(0).normal(size=(4, steps, 1))).astype("float32")
model = keras.Sequential([keras.Input((steps, 1)), keras.layers.SimpleRNN(16, return_sequences=True, name="rnn"),
                          keras.layers.Dense(1)])
trace = rnnviz.record(model, x)
trace["rnn"].states["h"].shape
"""),
        code("_ = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=8).plot()"),
        md("Step through time: the chain around step t, every unit's state over all steps, and h at t."),
        code("""
from rnnviz.widgets import TimeStepExplorer

TimeStepExplorer(trace, step=10)
"""),
        md("""
## A deep RNN

Stack recurrent layers: each one reads the sequence of states of the layer below.
"""),
        code("""
keras.utils.set_random_seed(0)
deep = keras.Sequential([keras.Input((steps, 1)),
                         keras.layers.SimpleRNN(16, return_sequences=True, name="rnn_1"),
                         keras.layers.SimpleRNN(16, return_sequences=True, name="rnn_2"),
                         keras.layers.SimpleRNN(8, name="rnn_3"), keras.layers.Dense(1)])
deep_trace = rnnviz.record(deep, x)
_ = rnnviz.UnrolledDisplay.from_trace(deep_trace, max_steps=6).plot()
"""),
        code("TimeStepExplorer(deep_trace, layer=\"rnn_2\", step=30)"),
    ],
    "03_gradients_and_clipping.ipynb": [
        md("""
# 3 · Vanishing and exploding gradients, clipping, and memory

`rnnviz.gradient_profile` measures ‖∂h_T/∂h_t‖ for every step t of a real layer, in one
backward pass. Below: how fast it fades for SimpleRNN, LSTM and GRU, what the spectral
radius of W_h does, how long an input is felt, and what gradient clipping changes.
"""),
        code("""
import rnnviz

_ = rnnviz.GradientDecayDisplay.from_cells(units=16, steps=40, batch=8, seed=0).plot()
"""),
        md("""
These layers are untrained. As initialised, Keras's SimpleRNN (an orthogonal W_h) keeps its
gradient well and the LSTM's forget gate (near σ(1) ≈ 0.73 at the start) lets it fade. What
matters is what training makes of them. The lesson `memory` ships a SimpleRNN, an LSTM and a
GRU trained on a task that needs a long memory, the adding problem (the sum of two marked
numbers, up to 100 steps back). How much does the answer move when the first marked number
moves by 1 (∂ŷ/∂x_first)? For the gated cells about 1, however far back; for the SimpleRNN
the gradient has faded long before 100 steps.
"""),
        code("""
from rnnviz import lessons

_ = rnnviz.AnswerGradientDisplay.from_lesson().plot()
for claim in lessons.check("memory", remeasure=False):
    print(claim)
"""),
        md("The same SimpleRNN with W_h rescaled: vanishing below spectral radius 1, exploding above."),
        code("_ = rnnviz.SpectralRadiusDisplay.from_sweep(radii=(0.5, 0.9, 1.0, 1.1, 1.5), units=16, steps=30, batch=4).plot()"),
        md("Try it: the cell, the sequence length and the spectral radius of every recurrent block."),
        code("""
from rnnviz.widgets import GradientExplorer

GradientExplorer("simple_rnn", steps=60, radius=1.0, units=16, batch=4)
"""),
        md("How long is an input felt? ‖∂h_t/∂x_s‖ for every pair of steps."),
        code("_ = rnnviz.MemoryHeatmapDisplay.from_cells(units=8, steps=20, batch=4).plot()"),
        md("""
## Gradient clipping

A real Keras training run of a SimpleRNN whose gradients explode, with and without
Keras's own `clipnorm` / `global_clipnorm`.
"""),
        code("_ = rnnviz.ClippingDisplay.from_training(seed=0).plot()"),
        md("""
## Memory

The same training run: the error of each cell against how far back the first marked
number lies. The SimpleRNN forgets first.
"""),
        code("_ = rnnviz.LongRangeMemoryDisplay.from_result(adding).plot()"),
    ],
    "04_lstm_peephole_gru.ipynb": [
        md("""
# 4 · LSTM, peephole LSTM and GRU: the gates at work

Keras never shows a gate's activation; `rnnviz.record` does. One model with the three
gated cells, recorded on a noisy sine.
"""),
        code("""
import keras
import numpy as np
import rnnviz
from rnnviz.layers import PeepholeLSTM
from rnnviz.widgets import CellExplorer, TimeStepExplorer

keras.utils.set_random_seed(0)
steps = 80
t = np.arange(steps)
x = (np.sin(2 * np.pi * t / 20)[None, :, None] + 0.2 * np.random.default_rng(1).normal(size=(4, steps, 1))).astype("float32")
model = keras.Sequential([
    keras.Input((steps, 1)),
    keras.layers.LSTM(16, return_sequences=True, name="lstm"),
    PeepholeLSTM(12, return_sequences=True, name="peephole"),
    keras.layers.GRU(8, name="gru"),
    keras.layers.Dense(1),
])
trace = rnnviz.record(model, x)
[(layer.name, layer.kind, list(layer.gates)) for layer in trace.layers]
"""),
        md("Inside the LSTM cell at one step: every gate's activation, one colour per unit."),
        code("_ = rnnviz.CellDisplay.from_trace(trace, \"lstm\", step=40).plot()"),
        code("_ = rnnviz.GateTimelineDisplay.from_trace(trace, \"lstm\").plot()"),
        md("Step through the cell: switch the layer to the peephole LSTM or the GRU."),
        code("CellExplorer(trace, layer=\"lstm\", step=40)"),
        code("TimeStepExplorer(trace, layer=\"gru\", step=40)"),
        md("A trace saves to `.npz` (no pickle) and loads without TensorFlow: the widgets take the file too. "
           "(Saved to a temporary folder here; give your own path to keep it.)"),
        code("""
import tempfile
from pathlib import Path

path = trace.save(Path(tempfile.mkdtemp()) / "gates.npz")
CellExplorer(str(path), layer="peephole", step=10)
"""),
    ],
    "05_architectures_and_forecasting.ipynb": [
        md("""
# 5 · Architectures, and forecasting a series

Sequence-to-vector, vector-to-sequence, sequence-to-sequence, encoder–decoder and
bidirectional: small real Keras models, recorded and drawn unrolled.
"""),
        code("""
import rnnviz
from rnnviz.gallery import ARCHITECTURES, architecture_models

for name, (model, x) in architecture_models(seed=0).items():
    print(ARCHITECTURES[name])
    _ = rnnviz.UnrolledDisplay.from_trace(rnnviz.record(model, x), max_steps=6).plot()
"""),
        md("""
## Forecasting with the TensorFlow Data API

Windows from `make_windows`, the naive and seasonal-naive baselines and recurrent forecasters
trained for a few epochs; then the validation error of each and their forecasts.
"""),
        code("""
from rnnviz.data import make_windows, synthetic_series
from rnnviz.forecasting import train_models

series = synthetic_series(length=730, seed=0)
windows = make_windows(series, input_steps=30, horizon=5, batch_size=32)
results = train_models(windows, ["linear", "simple_rnn", "lstm", "gru"],  # and the naive baselines
                       epochs=3, period=series.period, seed=0)
print(results.table())
"""),
        code("_ = rnnviz.ForecastDisplay.from_results(results, windows).plot()"),
        code("_ = rnnviz.ForecastErrorsDisplay.from_results(results).plot()"),
        md("What the trained LSTM forecaster does inside, on validation windows:"),
        code("""
from rnnviz.widgets import TimeStepExplorer

inputs, _ = windows.numpy("validation")
TimeStepExplorer(results.models["lstm"], inputs[:4], step=15)
"""),
    ],
}


def main():
    for name, cells in NOTEBOOKS.items():
        notebook = nbformat.v4.new_notebook(cells=cells)
        for index, cell in enumerate(notebook.cells):
            cell.id = f"cell-{index:02d}"  # stable ids: the files change only when the cells do
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()

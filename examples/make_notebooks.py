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
# 1 · Sequences, time series, and the windows a model learns from

Why sequences need models of their own: the same words in another order. Then a
series is level + trend + seasonality + noise. We make one with known components,
decompose a real one (Mauna Loa CO₂, shipped with statsmodels), and cut it into the
windows that the TensorFlow Data API feeds to a model.

## Order matters

"Why do we care about sequences ?" and "care about sequences Why do we ?" hold the
same words. Two models trained once and shipped with rnnviz (the lesson `order`) say
whether each is a well-formed question: one averages its words' embeddings, one is a
SimpleRNN reading them in order. Under each word, the SimpleRNN's state after it.
"""),
        code("""
import rnnviz
from rnnviz import lessons

_ = rnnviz.OrderDisplay.from_lesson().plot()
for claim in lessons.check("order", remeasure=False):
    print(claim)
"""),
        md("""
Put the words in any order (drag them; type a word of the lesson's vocabulary to add
it): the average cannot tell one order from another, the SimpleRNN can.
"""),
        code("""
from rnnviz.widgets import OrderExplorer

OrderExplorer()
"""),
        md("""
## A dense network on a window

The lecture's "more general" basic model reads a window of 40 days with a dense layer.
Its weights grow with the window (a minute of ECG at 250 Hz is 15,000 steps), and it
has no definition of order: trained on the steps shuffled (its weights shuffled alike)
it reaches the same error (the lesson `dense_window`).
"""),
        code("""
_ = rnnviz.DenseWindowDisplay.from_lesson().plot()
for claim in lessons.check("dense_window", remeasure=False):
    print(claim)
"""),
        md("""
## 1D convolutions

Which input steps one output of a stack of Conv1D layers sees (the same as perturbing a
Keras stack finds), why pooling destroys order (the trained forecaster's Conv1D gives a
peak-then-dip and a dip-then-peak the same pooled features), and translation invariance
(the same bump on two days, answered alike).
"""),
        code("""
from rnnviz.widgets import ReceptiveFieldExplorer

_ = rnnviz.ReceptiveFieldDisplay.from_layers(3, dilations=(1, 2, 4), padding="causal").plot()
_ = rnnviz.PoolingDisplay.from_lesson().plot()
_ = rnnviz.TranslationDisplay.from_lesson().plot()
ReceptiveFieldExplorer()
"""),
        md("## A time series and its components"),
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
_ = rnnviz.PipelineDisplay.from_windows(windows).plot()
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
## Memory more generally: one cell, the same weights at every step

Any memory cell computes hₜ = f(hₜ₋₁, xₜ); the SimpleRNN's f is tanh(xₜWₓ + hₜ₋₁Wₕ + b). The lecture's
trained SimpleRNN forecaster (shipped with the lesson `forecasting`), its own Wₓ, Wₕ and b as heatmaps:
unrolled, every step uses the same three.
"""),
        code("""
from rnnviz import lessons

_ = rnnviz.MemoryCellDisplay.from_lesson().plot()
"""),
        md("""
## A deep RNN

Stack recurrent layers: each one reads the sequence of states of the layer below. The lecture's
deep SimpleRNN forecaster (two layers of 32, trained and shipped), unrolled with its recorded states:
"""),
        code("_ = rnnviz.UnrolledDisplay.from_trace(lessons.trace(\"forecasting\", \"deep_rnn\"), max_steps=8).plot()"),
        md("Your own stack works the same way:"),
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
        md("""
Where does the signal go? `∂ŷ/∂x_s` for every step s, one row per distance of the first marked
number (ringed): the trained memory heatmap.
"""),
        code("_ = rnnviz.AnswerGradientMapDisplay.from_lesson().plot()"),
        md("""
The lesson `gradients`: one SimpleRNN with W_h rescaled to several spectral radii. Below 1 the
gradient vanishes, well above 1 it explodes; with relu, about half the units are off at each
step, so just above 1 it still vanishes.
"""),
        code("""
_ = rnnviz.SpectralRadiusDisplay.from_lesson().plot()
for claim in lessons.check("gradients", remeasure=False)[:3]:
    print(claim)
"""),
        md("Try it: the cell, the sequence length and the spectral radius of every recurrent block."),
        code("""
from rnnviz.widgets import GradientExplorer

GradientExplorer("simple_rnn", steps=60, radius=1.0, units=16, batch=4)
"""),
        md("Untrained cells: how long is an input felt? ‖∂h_t/∂x_s‖ for every pair of steps."),
        code("_ = rnnviz.MemoryHeatmapDisplay.from_cells(units=8, steps=20, batch=4).plot()"),
        md("""
## Gradient clipping

A real Keras training run (shipped with the lesson `gradients`) of a relu SimpleRNN whose
gradients explode, with and without Keras's own `clipnorm` / `global_clipnorm`, from the same
start and the same batches.
"""),
        code("""
_ = rnnviz.ClippingDisplay.from_lesson().plot()
for claim in lessons.check("gradients", remeasure=False)[3:]:
    print(claim)
"""),
        md("""
What clipping does to the gradient vector: the first step's gradient of that run, clipped at 1 by
each of Keras's options. `global_clipnorm` scales the whole vector (same direction); `clipnorm` cuts
each variable on its own, and `clipvalue` each element: both turn it. Move the threshold:
"""),
        code("""
from rnnviz.widgets import ClippingExplorer

_ = rnnviz.ClippingVectorsDisplay.from_lesson().plot()
ClippingExplorer()
"""),
        md("""
## A very very deep network: backpropagation through time

The answer's error signal reaches a step 100 steps back only through 100 Jacobians, one per
step. The lesson `memory`'s trained cells: each step's Jacobian norm on its arrow, and under each
cell the error signal, the running product ‖∂h_T/∂h_t‖ and the product of the norms crossed.
`rnnviz.step_jacobian_norms(model, x)` gives the per-step norms of any Keras model.
"""),
        code("_ = rnnviz.BPTTDisplay.from_lesson().plot()"),
        md("""
## When memory loss can be a problem: “The BA students … was”

The lesson `agreement`: a SimpleRNN and an LSTM read “the BA student(s) , which … ,” and say whether
the verb is plural. Both were trained on clauses of 2 to 6 words full of nouns of both numbers, with noise
on h during training (without it a SimpleRNN latches the one bit of number and never loses it); they are
measured without noise on clauses of 2 to 40 words. On the slide's sentence, word by word, each model's
belief and the LSTM's unit that tracks the subject's number: after 8 words both still say “were”. Then,
against the clause's length, how often each is right and how much its answer still depends on the subject:
the SimpleRNN loses the number as the clause grows, the LSTM keeps it.

In the explorer, press “+ a phrase” a few times and tick “the subject's other number too”: where a
model's two lines meet, its answer no longer depends on the subject. Type your own sentence.
"""),
        code("""
from rnnviz.widgets import AgreementExplorer

_ = rnnviz.AgreementSentenceDisplay.from_lesson().plot()
_ = rnnviz.AgreementAccuracyDisplay.from_lesson().plot()
AgreementExplorer()
"""),
        md("""
## Memory

The lesson `memory` again: the error of each cell against how far back the first marked
number lies. The SimpleRNN forgets first.
"""),
        code("_ = rnnviz.LongRangeMemoryDisplay.from_lesson().plot()"),
    ],
    "04_lstm_peephole_gru.ipynb": [
        md("""
# 4 · LSTM, peephole LSTM and GRU: the gates at work

Keras never shows a gate's activation; `rnnviz.record` does. The lesson `gates` ships an LSTM,
a peephole LSTM and a GRU trained on a task that needs their gates: a sequence of numbers, one
to three of them marked; at the end, say the *last* marked number. A cell must write the number
at a marker, erase the old one at a new marker, and hold it in between. The shipped traces are
the trained cells recorded on new sequences (the first has markers at steps 2 and 6).
"""),
        code("""
import rnnviz
from rnnviz import lessons
from rnnviz.widgets import CellExplorer, TimeStepExplorer

trace = lessons.trace("gates", "LSTM")  # no training, no TensorFlow: a saved trace
print(lessons.get("gates").recipe)
for claim in lessons.check("gates", remeasure=False):
    print(claim)
"""),
        md("""
The idea of gates: the cell state is a conveyor belt, managed by valves. The forget gate takes off what is
no longer relevant, the input gate puts on what will be needed later. The trained LSTM's real values:
"""),
        code("_ = rnnviz.ConveyorDisplay.from_lesson().plot()"),
        md("The LSTM's gates over time: the input gate opens at the markers, the forget gate drops at the new marker "
           "and holds the number in between."),
        code("_ = rnnviz.GateTimelineDisplay.from_trace(trace).plot()"),
        md("Inside the LSTM cell at the new marker (step 6): forget gate shut, input gate open."),
        code("_ = rnnviz.CellDisplay.from_trace(trace, step=6).plot()"),
        md("The GRU does it with one gate: z ≈ 0 lets the marked number in, z ≈ 1 holds."),
        code("_ = rnnviz.GateTimelineDisplay.from_trace(lessons.trace(\"gates\", \"GRU\")).plot()"),
        md("Step through the cells (the explorers show the lesson's LSTM when given nothing)."),
        code("CellExplorer(step=6)"),
        code("TimeStepExplorer(lessons.trace(\"gates\", \"PeepholeLSTM\"), step=6)"),
        md("""
Your own model works the same: record it on your inputs. Here the shipped Keras GRU, recorded
again on three new sequences of the task.
"""),
        code("""
from rnnviz.lessons.gates import marked_numbers

x, y, marks = marked_numbers(3, seed=7)
own = rnnviz.record(lessons.model("gates", "GRU"), x)
CellExplorer(own, step=int(marks[0].argmax()))
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
from rnnviz.recording.experiments import ARCHITECTURES, architecture_models

for name, (model, x) in architecture_models(seed=0).items():
    print(ARCHITECTURES[name])
    _ = rnnviz.UnrolledDisplay.from_trace(rnnviz.record(model, x), max_steps=6).plot()
"""),
        md("""
## Forecasting with the TensorFlow Data API

The lesson `forecasting` ships the lecture's forecasters, trained on windows from
`make_windows` until early stopping ended each run: their forecasts of every validation
window against the naive and seasonal-naive baselines, and their learning curves.
"""),
        code("""
from rnnviz import lessons
from rnnviz.lessons import forecasting

results = forecasting.forecast_results()  # the shipped numbers: no training
windows, _ = forecasting.windows(seed=0)
print(results.table())
for claim in lessons.check("forecasting", remeasure=False):
    print(claim)
"""),
        code("_ = rnnviz.ForecastDisplay.from_results(results, windows).plot()"),
        code("_ = rnnviz.ForecastErrorsDisplay.from_results(results).plot()"),
        code("_ = rnnviz.LearningCurvesDisplay.from_results(results).plot()"),
        md("""
## Several steps ahead: three strategies

The lesson `strategies` trains three GRUs on the same series to forecast 10 days: one step
at a time fed back, all 10 at once from the last state, and a target at every step. Choose
the strategy, the step ahead and the window below.
"""),
        code("""
from rnnviz.widgets import StrategiesExplorer

_ = rnnviz.StrategiesDisplay.from_lesson().plot()
for claim in lessons.check("strategies", remeasure=False):
    print(claim)
StrategiesExplorer()
"""),
        md("What the trained LSTM forecaster does inside, on validation windows:"),
        code("""
from rnnviz.widgets import TimeStepExplorer

inputs, _ = windows.numpy("validation")
TimeStepExplorer(lessons.model("forecasting", "lstm"), inputs[:4], step=15)
"""),
    ],
    "06_pytorch.ipynb": [
        md("""
# 6 · The same pictures for a PyTorch model

PyTorch hides what Keras hides: `nn.LSTM` returns the last layer's outputs and the final `(h, c)`, never a
gate and never the cell state at every step. `rnnviz.record` takes a `torch.nn.Module` too: one forward
pass of the module, unchanged; the recurrent submodules' inputs are caught as they run, every step's states and
gates computed from their own weights and checked against what the module returned. Every figure, video and
explorer then works as for Keras.

A course's forecaster, trained briefly (30 epochs) on the lecture's series, cut into windows by the TensorFlow
Data API: 40 days in, the next 5 days out.
"""),
        code("""
import numpy as np
import torch
import rnnviz
from rnnviz.forecasting import naive
from rnnviz.lessons import forecasting

windows, _ = forecasting.windows(seed=0)   # the lecture's series and windows
x_train, y_train = windows.numpy("train")
x_valid, y_valid = windows.numpy("validation")


class Forecaster(torch.nn.Module):
    \"\"\"Two stacked LSTM layers read the window, a linear layer says the next days.\"\"\"

    def __init__(self, units=16, horizon=5):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, units, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(units, horizon)

    def forward(self, x):
        today = x[:, -1:]                     # as the lecture's Keras forecasters: read the window relative to
        out, _ = self.lstm(x - today)         # its last day, and forecast the change from it
        return self.head(out[:, -1]) + today[:, :, 0]


torch.manual_seed(0)
model = Forecaster(horizon=y_train.shape[-1])
optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
inputs, targets = torch.from_numpy(x_train), torch.from_numpy(y_train.reshape(len(y_train), -1))
for epoch in range(30):
    for batch in torch.randperm(len(inputs)).split(32):
        optimiser.zero_grad()
        torch.nn.functional.mse_loss(model(inputs[batch]), targets[batch]).backward()
        optimiser.step()
model.eval()
with torch.no_grad():
    forecast = model(torch.from_numpy(x_valid)).numpy()
truth = y_valid.reshape(len(y_valid), -1)
print(f"validation MAE: this LSTM {np.abs(forecast - truth).mean():.3f}, "
      f"naive forecast {np.abs(naive(x_valid, truth.shape[1]) - truth).mean():.3f}")
"""),
        md("Record it on four validation windows: a trace per layer of the stack, `lstm/layer1` and `lstm/layer2`."),
        code("""
trace = rnnviz.record(model, x_valid[:4])
for layer in trace.layers:
    print(layer.name, layer.kind, layer.units, "units; states", list(layer.states), "gates", list(layer.gates))
print("recorded from", trace.framework)
"""),
        code("_ = rnnviz.UnrolledDisplay.from_trace(trace).plot()"),
        md("The second layer's gates over the 40 days of window 0, and inside its cell at the last day:"),
        code("_ = rnnviz.GateTimelineDisplay.from_trace(trace, layer=\"lstm/layer2\").plot()"),
        code("_ = rnnviz.CellDisplay.from_trace(trace, layer=\"lstm/layer2\", step=39).plot()"),
        md("How far back the first layer's last state still feels its earlier states: ‖∂h_T/∂h_t‖, one backward "
           "pass of PyTorch's autograd (its cell state c held, as for Keras)."),
        code("""
profile = rnnviz.gradient_profile(model, x_valid[:16], layer="lstm/layer1")
_ = rnnviz.GradientDecayDisplay.from_profiles({"PyTorch LSTM, layer 1": profile}).plot()
"""),
        md("The explorers record the module themselves when given it with its input:"),
        code("""
from rnnviz.widgets import CellExplorer, TimeStepExplorer

TimeStepExplorer(model, x_valid[:4], layer="lstm/layer2", step=20)
"""),
        code("CellExplorer(trace, layer=\"lstm/layer1\", step=39)"),
        md("A saved trace loads without PyTorch or TensorFlow (for the scenes: `rnnviz render lstm --trace FILE`)."),
        code("""
trace.save("pytorch_forecaster.npz")
rnnviz.load("pytorch_forecaster.npz").layer_names
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

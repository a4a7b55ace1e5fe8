"""Notebook explorers: ipywidgets that update rnnviz figures in place as a control moves.

Installed as ``rnnviz.widgets``. Each explorer is itself a widget (show it by
leaving it last in a cell), has a static PNG fallback for saved notebooks, and
``.save(path)`` writes its current view as a slide figure.

- :class:`TimeStepExplorer`: a slider over time; the unrolled chain, h, c and the gates at step t.
- :class:`CellExplorer`: the LSTM / peephole LSTM / GRU cell at step t with every gate's values.
- :class:`NeuronPlayground`: one recurrent neuron's weights as sliders; h_t and the gradient decay.
- :class:`WindowingExplorer`: window length, horizon, shift, batch size → the tf.data windows.
- :class:`GradientExplorer`: cell type, sequence length, spectral radius → the gradient decay curve.
- :class:`ReceptiveFieldExplorer`: kernel size, stride, dilation, layers, padding → the steps one Conv1D output sees.
- :class:`OrderExplorer`: reorder a question's words → an order-blind model's and a SimpleRNN's answers.
- :class:`StrategiesExplorer`: strategy, step ahead, window → three ways to forecast several steps ahead.
- :class:`AgreementExplorer`: type a sentence → each model's belief, word by word, that its verb is plural.
- :class:`ClippingExplorer`: the clipping threshold → one real gradient before and after each Keras clipping option.

The first two work from a Keras model with its input, a :class:`~rnnviz.ModelTrace`,
or the path of a saved trace.
"""

from rnnviz.widgets.agreement import AgreementExplorer
from rnnviz.widgets.cell import CellExplorer
from rnnviz.widgets.clipping import ClippingExplorer
from rnnviz.widgets.gradients import GradientExplorer
from rnnviz.widgets.neuron import NeuronPlayground, run_neuron
from rnnviz.widgets.order import OrderExplorer
from rnnviz.widgets.receptive_field import ReceptiveFieldExplorer
from rnnviz.widgets.strategies import StrategiesExplorer
from rnnviz.widgets.time_step import TimeStepExplorer
from rnnviz.widgets.windowing import WindowingExplorer

__all__ = ["AgreementExplorer", "CellExplorer", "ClippingExplorer", "GradientExplorer", "NeuronPlayground", "OrderExplorer", "ReceptiveFieldExplorer",
           "StrategiesExplorer", "TimeStepExplorer", "WindowingExplorer", "run_neuron"]

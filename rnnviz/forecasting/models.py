"""Forecasting models for windows of one series: Keras builders and the registry ``MODELS``.

Every builder takes ``(input_steps, horizon)`` and returns an uncompiled Keras model
for inputs ``(batch, input_steps, 1)``. Sequence-to-vector models output
``(batch, horizon)``: all ``horizon`` steps at once from one Dense layer. The
sequence-to-sequence model outputs ``(batch, input_steps, horizon)``: at every input
step, the next ``horizon`` values.

``relative=True`` (the default) makes a network forecast the change from "today":
its inputs are the window minus its last value, and that value is added back to
its outputs. A trend keeps moving the level of the validation and test parts out
of the range seen in training; the change from today does not move. (A linear
model stays linear: ``y = W (x - x_last) + b + x_last``.) The sequence-to-sequence
model, which forecasts at every step, takes its inputs minus the window's first
value instead (the last one lies in the future of every earlier step) and adds
each step's own value to that step's forecast. Two small layers do this,
``minus_today`` and ``plus_today`` (:mod:`rnnviz.forecasting.layers`), so the model
stays a plain functional Keras model that saves, loads and records.

TensorFlow/Keras is imported on first use, not when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rnnviz.errors import check_int
from rnnviz.kinds import CELL_KINDS
from rnnviz.palette import OTHER_COLOURS, PALETTE

DEFAULT_UNITS = 32


def linear(input_steps: int, horizon: int, *, relative: bool = True):
    """All input values -> Dense(horizon): one weight per (input step, target step), no hidden layer."""
    _check_positive(input_steps=input_steps, horizon=horizon)
    keras = _keras()
    body = [keras.layers.Flatten(name="flatten"), keras.layers.Dense(horizon, name="forecast")]
    return _assemble("linear", input_steps, horizon, body, relative=relative)


def conv1d(input_steps: int, horizon: int, *, filters: int = DEFAULT_UNITS, kernel_size: int = 5, strides: int = 2,
           relative: bool = True):
    """A relu Conv1D over the window (``kernel_size`` steps, every ``strides``-th position) -> Dense(horizon)."""
    _check_positive(input_steps=input_steps, horizon=horizon, filters=filters, kernel_size=kernel_size, strides=strides)
    keras = _keras()
    if kernel_size > input_steps:
        raise ValueError(f"kernel_size: expected at most input_steps={input_steps}, got {kernel_size}")
    body = [
        keras.layers.Conv1D(filters, kernel_size, strides=strides, activation="relu", name="conv1d"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(horizon, name="forecast"),
    ]
    return _assemble("conv1d", input_steps, horizon, body, relative=relative)


def recurrent(cell: str, input_steps: int, horizon: int, *, units: int = DEFAULT_UNITS, layers: int = 1,
              sequence: bool = False, relative: bool = True):
    """``layers`` stacked recurrent layers of kind ``cell`` -> Dense(horizon).

    cell: "simple_rnn", "lstm", "peephole_lstm" or "gru".
    sequence: False — the last state forecasts (sequence-to-vector, output ``(batch, horizon)``);
        True — every step's state forecasts the next ``horizon`` values (sequence-to-sequence,
        output ``(batch, input_steps, horizon)``; Dense acts on each step).
    """
    if cell not in CELL_KINDS:
        raise ValueError(f"cell: unknown recurrent cell {cell!r}; expected one of {list(CELL_KINDS)}")
    _check_positive(input_steps=input_steps, horizon=horizon, units=units, layers=layers)
    keras = _keras()
    layer_class = CELL_KINDS[cell].layer_class()
    body = [
        layer_class(units, return_sequences=sequence or index < layers - 1, name=f"{cell}_{index + 1}" if layers > 1 else cell)
        for index in range(layers)
    ]
    body.append(keras.layers.Dense(horizon, name="forecast"))
    name = f"{'deep_' if layers > 1 else ''}{cell}{'_seq2seq' if sequence else ''}"
    return _assemble(name, input_steps, horizon, body, relative=relative, sequence=sequence)


def simple_rnn(input_steps: int, horizon: int, **options):
    """One SimpleRNN layer; its last state -> Dense(horizon). ``options``: as for :func:`recurrent`."""
    return recurrent("simple_rnn", input_steps, horizon, **options)


def deep_rnn(input_steps: int, horizon: int, *, layers: int = 2, **options):
    """``layers`` stacked SimpleRNN layers (all but the last return sequences) -> Dense(horizon)."""
    return recurrent("simple_rnn", input_steps, horizon, layers=layers, **options)


def lstm(input_steps: int, horizon: int, **options):
    """One LSTM layer; its last state -> Dense(horizon)."""
    return recurrent("lstm", input_steps, horizon, **options)


def peephole_lstm(input_steps: int, horizon: int, **options):
    """One peephole LSTM layer (:class:`rnnviz.layers.PeepholeLSTM`); its last state -> Dense(horizon)."""
    return recurrent("peephole_lstm", input_steps, horizon, **options)


def gru(input_steps: int, horizon: int, **options):
    """One GRU layer; its last state -> Dense(horizon)."""
    return recurrent("gru", input_steps, horizon, **options)


def seq2seq(input_steps: int, horizon: int, *, cell: str = "gru", **options):
    """A ``cell`` layer returning every state; each -> Dense(horizon): a forecast at every step."""
    return recurrent(cell, input_steps, horizon, sequence=True, **options)


@dataclass(frozen=True)
class ForecasterStyle:
    """How the forecasting figures draw one forecaster, the same in each of them.

    colour: hex, or None for the theme's muted grey (the baselines); linestyle: a Matplotlib
    line style; marker: a Matplotlib marker, one per forecaster; shade: how far (0 … 1) the
    colour is mixed towards the theme's text colour (darker on a light theme, lighter on a dark one).
    """

    colour: str | None
    linestyle: object = "-"
    marker: str = "o"
    shade: float = 0.0


@dataclass(frozen=True)
class ModelSpec:
    """A registered forecaster: its builder, a short caption, the targets it trains on, its cell kind."""

    name: str
    build: Callable
    caption: str
    targets: str = "vector"  # "vector": (batch, horizon); "sequence": (batch, input_steps, horizon)
    kind: str | None = None  # the cell kind, None for models without recurrent cells

    @property
    def title(self) -> str:
        """The model's name as a figure or table shows it."""
        return TITLES.get(self.name, self.name)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("linear", linear, "all window values -> Dense(H): a linear model"),
        ModelSpec("conv1d", conv1d, "Conv1D (32 filters, 5 steps, stride 2) -> Dense(H)"),
        ModelSpec("simple_rnn", simple_rnn, "SimpleRNN(32) -> Dense(H)", kind="simple_rnn"),
        ModelSpec("deep_rnn", deep_rnn, "SimpleRNN(32) x 2, stacked -> Dense(H)", kind="simple_rnn"),
        ModelSpec("lstm", lstm, "LSTM(32) -> Dense(H)", kind="lstm"),
        ModelSpec("peephole_lstm", peephole_lstm, "PeepholeLSTM(32) -> Dense(H)", kind="peephole_lstm"),
        ModelSpec("gru", gru, "GRU(32) -> Dense(H)", kind="gru"),
        ModelSpec("seq2seq", seq2seq, "GRU(32) forecasting H steps at every step", targets="sequence", kind="gru"),
    )
}

BASELINES = ("naive", "seasonal_naive")


VARIANT_SHADE = 0.45  # a second model of one cell kind: its kind's hue this far towards the text colour

# Every forecaster its own colour and marker: a recurrent one its cell kind's colour
# (rnnviz.palette.KIND_COLOURS), the linear and 1D-conv ones colours of their own
# (OTHER_COLOURS), which no other meaning uses. A second model of one cell kind (stacked,
# sequence-to-sequence) takes another shade of the same hue (VARIANT_SHADE) and a dash-dotted
# line, so the pair stays apart in greyscale too; the baselines are muted grey and dashed or dotted.
STYLES: dict[str, ForecasterStyle] = {
    "naive": ForecasterStyle(None, "--", "x"),
    "seasonal_naive": ForecasterStyle(None, (0, (1.5, 1.5)), "+"),
    "linear": ForecasterStyle(OTHER_COLOURS["linear"], "-", "o"),
    "conv1d": ForecasterStyle(OTHER_COLOURS["conv1d"], "-", "s"),
    "simple_rnn": ForecasterStyle(PALETTE["simple_rnn"], "-", "^"),
    "deep_rnn": ForecasterStyle(PALETTE["simple_rnn"], "-.", "v", VARIANT_SHADE),
    "lstm": ForecasterStyle(PALETTE["lstm"], "-", "D"),
    "peephole_lstm": ForecasterStyle(PALETTE["peephole_lstm"], "-", "p"),
    "gru": ForecasterStyle(PALETTE["gru"], "-", "h"),
    "seq2seq": ForecasterStyle(PALETTE["gru"], "-.", "*", VARIANT_SHADE),
}

TITLES = {
    "naive": "naive",
    "seasonal_naive": "seasonal naive",
    "linear": "linear",
    "conv1d": "1D conv",
    "simple_rnn": CELL_KINDS["simple_rnn"].title,
    "deep_rnn": "deep SimpleRNN",
    "lstm": CELL_KINDS["lstm"].title,
    "peephole_lstm": CELL_KINDS["peephole_lstm"].title,
    "gru": CELL_KINDS["gru"].title,
    "seq2seq": "seq2seq GRU",
}


def model_spec(name: str) -> ModelSpec:
    """The registered :class:`ModelSpec` called ``name``."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"names: unknown model {name!r}; expected names from {list(MODELS)}") from None


def title(name: str) -> str:
    """How a figure or table names a model or baseline."""
    return TITLES.get(name, name)


# ---------------------------------------------------------------- assembly


def _assemble(name: str, input_steps: int, horizon: int, body: list, *, relative: bool, sequence: bool = False):
    """A functional model: the window through ``body``, relative to today (see the module docstring) if asked."""
    keras = _keras()
    window = keras.Input((input_steps, 1), name="window")
    if not relative:
        return keras.Model(window, _through(body, window), name=name)
    from rnnviz.forecasting.layers import AddBack, ChangeFrom

    change = ChangeFrom("first" if sequence else "last", name="minus_first" if sequence else "minus_today")(window)
    outputs = AddBack(name="plus_each_step" if sequence else "plus_today")([_through(body, change), window])
    return keras.Model(window, outputs, name=name)


def _through(body, tensor):
    for layer in body:
        tensor = layer(tensor)
    return tensor


def _check_positive(**values):
    for argument, value in values.items():
        check_int(argument, value, 1)


def _keras():
    import keras

    return keras

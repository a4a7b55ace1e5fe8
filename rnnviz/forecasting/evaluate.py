"""Train the forecasting models on one set of windows and compare them with the naive baselines.

:func:`train_models` trains each registered model (:data:`~rnnviz.forecasting.models.MODELS`)
with Adam and early stopping on the validation windows, and keeps what the figures
and the MAE table need in :class:`ForecastResults`: every model's forecasts of every
validation and test window in the series' own units, its learning curves, the
trained Keras models and the baselines' forecasts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rnnviz.errors import check_int
from rnnviz.forecasting.baselines import naive, seasonal_naive
from rnnviz.forecasting.models import MODELS, model_spec, title

PARTS = ("validation", "test")


@dataclass
class ForecastResults:
    """Forecasts, errors and learning curves of trained models and baselines on one set of windows.

    forecasts: ``{part: {name: (windows, horizon)}}`` for "validation" and "test", in the
        series' units: the models' (the seq2seq model's last step) and the baselines'.
    truth: ``{part: (windows, horizon)}`` the values that came, in the series' units.
    history: ``{model name: {"loss": per epoch, "val_loss": per epoch}}`` (MSE on normalised values;
        a sequence-to-sequence model's loss covers the forecasts of every step).
    models: ``{model name: trained keras.Model}`` (best validation weights); empty for results built by hand.
    seconds: ``{model name: training time in s}``.
    reference_loss: the naive forecast's validation MSE on normalised values, comparable with ``val_loss``.
    """

    input_steps: int
    horizon: int
    forecasts: dict
    truth: dict
    history: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    period: int | None = None
    reference_loss: float | None = None

    @property
    def names(self) -> list:
        """Every forecaster in the results: baselines first, then the models in training order."""
        return list(self.forecasts["validation"])

    @property
    def model_names(self) -> list:
        """The trained (Keras) models, in training order."""
        return list(self.history)

    def mae(self, part: str = "validation") -> dict:
        """``{name: mean absolute error}`` over every window and horizon step of ``part``, in the series' units."""
        truth = self.truth[_checked_part(part)]
        return {name: float(np.abs(forecast - truth).mean()) for name, forecast in self.forecasts[part].items()}

    def best_epoch(self, name: str) -> int:
        """The epoch (0-based) with the lowest validation loss: the weights the model kept."""
        return int(np.argmin(self.history[name]["val_loss"]))

    def rows(self, part: str = "validation") -> list:
        """``(name, MAE, MAE / naive MAE)`` per forecaster, best first."""
        errors = self.mae(part)
        reference = errors.get("naive")
        rows = [(name, error, error / reference if reference else float("nan")) for name, error in errors.items()]
        return sorted(rows, key=lambda row: row[1])

    def table(self, part: str = "validation") -> str:
        """The MAE table as aligned text: forecaster, MAE, ratio to the naive forecast, best first."""
        rows = self.rows(part)
        width = max(len(title(name)) for name, *_ in rows)
        heading = f"{part} MAE, {self.horizon} steps ahead from {self.input_steps} steps"
        lines = [heading, f"{'forecaster':<{width}}  {'MAE':>8}  {'/ naive':>7}"]
        lines += [f"{title(name):<{width}}  {error:8.3f}  {ratio:7.2f}" for name, error, ratio in rows]
        return "\n".join(lines)

    def markdown(self, part: str = "validation") -> str:
        """The MAE table as a Markdown table (for a README or a notebook)."""
        lines = [f"| forecaster | {part} MAE | / naive |", "|---|---:|---:|"]
        lines += [f"| {title(name)} | {error:.3f} | {ratio:.2f} |" for name, error, ratio in self.rows(part)]
        return "\n".join(lines)

    def __repr__(self):
        return f"ForecastResults(names={self.names}, input_steps={self.input_steps}, horizon={self.horizon})"


def train_models(windows, names=None, *, epochs: int = 20, patience: int = 4, learning_rate: float = 0.005,
                 batch_size: int | None = None, period: int | None = None, seed: int = 0, jit_compile: bool = True,
                 progress=None) -> ForecastResults:
    """Train the models ``names`` on ``windows``; keep their forecasts, errors and learning curves.

    windows: from :func:`rnnviz.data.windows.make_windows` (either targets; the other kind is
        made from the same series and settings for the models that need it).
    names: model names from ``MODELS`` (default: all, in registry order).
    epochs, patience: at most ``epochs`` epochs; stop after ``patience`` epochs without a
        better validation loss, and keep the best epoch's weights.
    learning_rate: Adam's. batch_size: default the windows' own.
    period: the seasonal period in series steps, for the seasonal-naive baseline (None: no
        seasonal naive). Needs ``input_steps >= period``.
    seed: seeds each model's initial weights and batch order (``keras.utils.set_random_seed``)
        before it is built, so a model's result does not depend on the others trained.
    jit_compile: compile training steps with XLA (a few seconds per model, then faster epochs).
    progress: None, or a function called with one line of text per step (e.g. ``print``).

    The windows of each part are taken once as arrays (``windows.numpy``) and fed through a
    ``tf.data`` pipeline that only shuffles and batches them; the windowing pipeline would
    otherwise cut the series into windows again every epoch.
    """
    import keras

    names = list(MODELS) if names is None else [model_spec(name).name for name in _listed(names)]
    batch_size = check_int("batch_size", windows.batch_size if batch_size is None else batch_size, 1)
    check_int("epochs", epochs, 1)
    check_int("patience", patience, 1)
    say = progress or (lambda line: None)

    data = _WindowArrays(windows)
    results = ForecastResults(
        input_steps=windows.input_steps, horizon=windows.horizon, period=period,
        forecasts={part: {} for part in PARTS}, truth={part: data.truth(part) for part in PARTS},
    )
    _add_baselines(results, data, period)
    naive_error = results.truth["validation"] - results.forecasts["validation"]["naive"]
    results.reference_loss = float(np.mean((naive_error / windows.std) ** 2))

    for index, name in enumerate(names, start=1):
        spec = model_spec(name)
        say(f"[{index}/{len(names)}] {name}: {spec.caption}; up to {epochs} epochs")
        started = time.perf_counter()
        keras.utils.set_random_seed(seed)
        model = spec.build(windows.input_steps, windows.horizon)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", jit_compile=jit_compile)
        fitted = model.fit(
            data.dataset("train", spec.targets, batch_size=batch_size, shuffle_seed=seed),
            validation_data=data.dataset("validation", spec.targets, batch_size=256),
            epochs=epochs,
            shuffle=False,  # the pipeline shuffles
            verbose=0,
            callbacks=[keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)],
        )
        results.history[name] = {key: np.asarray(fitted.history[key], float) for key in ("loss", "val_loss")}
        for part in PARTS:
            results.forecasts[part][name] = data.forecast(model, part, spec.targets)
        results.models[name] = model
        results.seconds[name] = time.perf_counter() - started
        say(
            f"[{index}/{len(names)}] {name}: validation MAE {results.mae()[name]:.3f} "
            f"(naive {results.mae()['naive']:.3f}), best epoch {results.best_epoch(name) + 1} of "
            f"{len(fitted.history['loss'])}, {results.seconds[name]:.0f} s"
        )
    return results


def _add_baselines(results: ForecastResults, data: _WindowArrays, period) -> None:
    """The naive (and, with a period, seasonal-naive) forecasts of the validation and test windows."""
    windows = data.windows
    step_period = None
    if period is not None:
        period = check_int("period", period, 1)
        if period % windows.stride:
            raise ValueError(
                f"period: {period} series steps is not a whole number of window steps at stride={windows.stride}; "
                f"expected a multiple of {windows.stride}"
            )
        step_period = period // windows.stride
    for part in PARTS:
        inputs = data.inputs(part)
        results.forecasts[part]["naive"] = naive(inputs, windows.horizon)
        if step_period is not None:
            results.forecasts[part]["seasonal_naive"] = seasonal_naive(inputs, windows.horizon, step_period)


class _WindowArrays:
    """The windows of every part as numpy arrays, for vector and (made on demand) sequence targets."""

    def __init__(self, windows):
        self.windows = windows
        self._by_targets = {windows.targets: windows} if hasattr(windows, "targets") else {"vector": windows}
        self._arrays = {}

    def arrays(self, part: str, targets: str = "vector"):
        """(inputs, targets) of ``part``, normalised, as ``windows.numpy`` gives them."""
        key = (part, targets)
        if key not in self._arrays:
            self._arrays[key] = self._windows(targets).numpy(part)
        return self._arrays[key]

    def inputs(self, part: str) -> np.ndarray:
        """The part's input windows in the series' units, ``(windows, input_steps)``."""
        return self.windows.denormalise(self.arrays(part)[0][..., 0])

    def truth(self, part: str) -> np.ndarray:
        """The values after each window, ``(windows, horizon)``, in the series' units."""
        return self.windows.denormalise(self.arrays(part, "vector")[1])

    def dataset(self, part: str, targets: str, *, batch_size: int, shuffle_seed=None):
        """A tf.data pipeline over the part's arrays: shuffled (reshuffled each epoch) if a seed is given, batched."""
        import tensorflow as tf

        inputs, values = self.arrays(part, targets)
        dataset = tf.data.Dataset.from_tensor_slices((inputs, values))
        if shuffle_seed is not None:
            dataset = dataset.shuffle(len(inputs), seed=shuffle_seed)
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def forecast(self, model, part: str, targets: str) -> np.ndarray:
        """``model``'s forecasts of the part's windows, ``(windows, horizon)``, in the series' units."""
        import keras

        # One eager call: model.predict would compile (with XLA: for seconds) a function used twice.
        predicted = keras.ops.convert_to_numpy(model(self.arrays(part)[0], training=False))
        if targets == "sequence":
            predicted = predicted[:, -1]  # the forecast made at the last input step
        return self.windows.denormalise(predicted)

    def _windows(self, targets: str):
        if targets not in self._by_targets:
            from rnnviz.data.windows import make_windows

            w = self.windows
            self._by_targets[targets] = make_windows(
                w.series, input_steps=w.input_steps, horizon=w.horizon, shift=w.shift, stride=w.stride,
                batch_size=w.batch_size, split=w.split, targets=targets, shuffle_seed=w.shuffle_seed,
            )
        return self._by_targets[targets]


def _checked_part(part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"part: expected one of {list(PARTS)}, got {part!r}")
    return part



def _listed(names) -> list:
    if isinstance(names, str):
        return [names]
    return list(names)

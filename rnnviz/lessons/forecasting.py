"""Lesson ``forecasting``: the lecture's forecasters on the gallery's series, each trained until it stops improving.

The series is :func:`rnnviz.data.synthetic_series` (level, trend, a 30-day
season, noise) of the lesson's seed, cut into windows of :data:`INPUT_STEPS`
days that forecast the next :data:`HORIZON`. Every registered forecaster
(:data:`rnnviz.forecasting.MODELS`: linear, 1D convolution, SimpleRNN, deep
SimpleRNN, LSTM, peephole LSTM, GRU, sequence-to-sequence GRU) is trained with
Adam and early stopping on the validation windows (:data:`PATIENCE` epochs
without improvement, the best weights kept) under a cap of :data:`EPOCH_CAP`
epochs that is there only as a guard: the claim ``converged`` checks that early
stopping, not the cap, ended every run.

Shipped with the models: every forecast of every validation and test window,
the learning curves, and the recurrent forecasters recorded on
:data:`SHOWCASE_WINDOWS` validation windows, so the gallery's forecasting and
unrolled figures need no training (:func:`forecast_results`).
"""

from __future__ import annotations

import numpy as np

from rnnviz.lessons.base import Claim, Lesson

INPUT_STEPS, HORIZON = 40, 5
EPOCH_CAP, PATIENCE, LEARNING_RATE = 200, 10, 0.005
SHOWCASE_WINDOWS = 8
RECORDED = ("simple_rnn", "lstm", "peephole_lstm", "gru", "deep_rnn")  # one forecaster per cell kind, and the deep RNN
BEATS_NAIVE = 1.0  # a trained forecaster's validation MAE below this fraction of the naive forecast's
POOLED_EQUAL = 1e-6  # two sequences' pooled features equal to this: the float32 rounding of a sum in another order
TRANSLATION_BUMP = (0.5, 1.0, 0.5)  # a small bump, put on a flat sequence at two times ...
TRANSLATION_STARTS = (6, 26)  # ... 20 days apart (an even number of steps: the same phase of the stride 2)


def _names() -> tuple:
    from rnnviz.forecasting.models import MODELS

    return tuple(MODELS)


def windows(seed: int):
    """The lesson's series cut into windows (:func:`rnnviz.data.make_windows`), as trained on with ``seed``."""
    from rnnviz.data import make_windows, synthetic_series

    series = synthetic_series(seed=seed)
    return make_windows(series, input_steps=INPUT_STEPS, horizon=HORIZON, shuffle_seed=seed), series.period


def make_data(seed: int) -> dict:
    made, period = windows(seed)
    inputs, targets = made.numpy("validation")
    return {"windows": made, "period": period, "held_out_x": inputs, "held_out_y": targets,
            "held_out_seed": np.int64(seed)}


def train(data: dict, seed: int, progress) -> dict:
    from rnnviz.forecasting import train_models

    results = train_models(data["windows"], epochs=EPOCH_CAP, patience=PATIENCE, learning_rate=LEARNING_RATE,
                           period=data["period"], seed=seed, progress=progress)
    for name, history in results.history.items():  # what training saw; measured with the models, shipped with them
        for key, values in history.items():
            data[f"training_{key}_{name}"] = values
    data["training_reference_loss"] = np.float64(results.reference_loss)
    return results.models


def measure(models: dict, data: dict) -> dict:
    """Every forecast (the models' and the baselines') of the validation and test windows, the truth, and the
    learning curves; everything :func:`forecast_results` needs."""
    from rnnviz.forecasting.evaluate import PARTS, ForecastResults, _add_baselines, _WindowArrays
    from rnnviz.forecasting.models import model_spec

    seed = int(data["held_out_seed"])
    made, period = windows(seed)
    arrays = _WindowArrays(made)
    forecast = ForecastResults(input_steps=INPUT_STEPS, horizon=HORIZON, period=period,
                               forecasts={part: {} for part in PARTS}, truth={part: arrays.truth(part) for part in PARTS})
    _add_baselines(forecast, arrays, period)
    results = {"seed": np.int64(seed), "reference_loss": data["training_reference_loss"]}
    for part in PARTS:
        results[f"truth_{part}"] = forecast.truth[part]
        for name, model in models.items():
            forecast.forecasts[part][name] = arrays.forecast(model, part, model_spec(name).targets)
        for name, values in forecast.forecasts[part].items():
            results[f"forecast_{part}_{name}"] = values
    for key, value in data.items():
        if key.startswith(("training_loss_", "training_val_loss_")):
            results[key.removeprefix("training_")] = value
    results.update(pooling(models["conv1d"].get_layer("conv1d")))
    results.update(convolution(models["conv1d"], data["held_out_x"][0]))
    return results


def convolution(model, window) -> dict:
    """The 1D-convolution forecaster's Conv1D on one window, recorded from Keras: its input (the window minus
    today, as the forecaster feeds it), kernel, bias and outputs; and the same bump at two times of a flat
    sequence (``translation_*``): what the kernel answers to each."""
    import keras

    conv = model.get_layer("conv1d")
    reader = keras.Model(model.inputs, [conv.input, conv.output])
    given, answered = (keras.ops.convert_to_numpy(part) for part in reader(np.asarray(window, "float32")[None]))
    kernel, bias = (keras.ops.convert_to_numpy(weight) for weight in conv.weights)
    stride = int(conv.get_config()["strides"][0])
    if TRANSLATION_STARTS[0] < conv.get_config()["kernel_size"][0]:
        raise ValueError("TRANSLATION_STARTS: the first bump must start after the first output's steps (a flat "
                         "output to compare with)")
    bumps = np.zeros((2, INPUT_STEPS, 1), "float32")
    for row, start in enumerate(TRANSLATION_STARTS):
        bumps[row, start:start + len(TRANSLATION_BUMP), 0] = TRANSLATION_BUMP
    return {"convolution_input": given[0, :, 0], "convolution_kernel": kernel, "convolution_bias": bias,
            "convolution_output": answered[0], "translation_inputs": bumps[..., 0],
            "translation_outputs": keras.ops.convert_to_numpy(conv(bumps)), "translation_stride": np.int64(stride)}


def pooling(conv) -> dict:
    """The trained 1D-convolution forecaster's Conv1D on two sequences holding a peak and a dip in either order,
    then global max and average pooling (Keras's layers): ``pooling_*`` arrays for the picture and the claim."""
    from rnnviz.recording.convolution import pooled_features
    from rnnviz.views.pooling import swapped_patterns

    config = conv.get_config()
    kernel_size, stride = int(config["kernel_size"][0]), int(config["strides"][0])
    sequences = swapped_patterns(kernel_size=kernel_size, stride=stride)
    computed = pooled_features(conv, sequences)
    return {"pooling_sequences": sequences, "pooling_feature_maps": computed["feature_maps"],
            "pooling_max": computed["max"], "pooling_average": computed["average"],
            "pooling_kernel_size": np.int64(kernel_size), "pooling_stride": np.int64(stride)}


def forecast_results(results: dict | None = None):
    """The shipped (or given) results as a :class:`~rnnviz.forecasting.ForecastResults` without models; no training."""
    from rnnviz import lessons
    from rnnviz.forecasting.evaluate import PARTS, ForecastResults

    results = lessons.results("forecasting") if results is None else results
    forecasts = {part: {key.removeprefix(f"forecast_{part}_"): value for key, value in results.items()
                        if key.startswith(f"forecast_{part}_")} for part in PARTS}
    return ForecastResults(
        input_steps=INPUT_STEPS, horizon=HORIZON, period=windows(int(results["seed"]))[1], forecasts=forecasts,
        truth={part: results[f"truth_{part}"] for part in PARTS}, reference_loss=float(results["reference_loss"]),
        history={name: {key: results[f"{key}_{name}"] for key in ("loss", "val_loss")} for name in _names()})


def showcase(models: dict, data: dict) -> dict:
    """The recurrent forecasters (:data:`RECORDED`) recorded on :data:`SHOWCASE_WINDOWS` validation windows."""
    import rnnviz

    inputs = data["held_out_x"]
    sample = inputs[:: max(1, len(inputs) // SHOWCASE_WINDOWS)][:SHOWCASE_WINDOWS]
    return {name: rnnviz.record(models[name], sample) for name in RECORDED}


def _converged(results):
    epochs = {name: len(results[f"loss_{name}"]) for name in _names()}
    return all(count < EPOCH_CAP for count in epochs.values()), {f"{name} epochs": count for name, count in epochs.items()}


def _beat_naive(results):
    errors = forecast_results(results).mae("validation")
    naive_mae = errors["naive"]
    ratios = {name: errors[name] / naive_mae for name in _names()}
    return all(ratio < BEATS_NAIVE for ratio in ratios.values()), {
        "naive MAE": naive_mae, **{f"{name} / naive": ratio for name, ratio in ratios.items()}}


def _pooling_forgets_order(results):
    sequences = results["pooling_sequences"]
    gaps = {kind: float(np.max(np.abs(results[f"pooling_{kind}"][0] - results[f"pooling_{kind}"][1])))
            for kind in ("max", "average")}
    different = not np.array_equal(sequences[0], sequences[1])
    answered = float(np.abs(results["pooling_max"]).max())  # dead filters only would make the equality empty
    return different and answered > 0 and max(gaps.values()) <= POOLED_EQUAL, {
        "largest pooled feature": answered,
        **{f"largest difference, global {kind} pooling": gap for kind, gap in gaps.items()},
        "largest difference between the sequences": float(np.max(np.abs(sequences[0] - sequences[1])))}


def _translation_invariant(results):
    outputs, stride = results["translation_outputs"], int(results["translation_stride"])
    shift = (TRANSLATION_STARTS[1] - TRANSLATION_STARTS[0]) // stride
    early, late = outputs[0], outputs[1]
    # the outputs that read the early bump (output 0 reads only zeros: TRANSLATION_STARTS[0] >= the kernel), and
    # those that read the late one, shift positions later
    reads = np.flatnonzero(np.abs(early - early[0]).max(axis=1) > 0)
    if reads.size == 0 or reads.max() + shift >= len(late):
        return False, {"outputs that read the bump": int(reads.size), "positions": len(late), "shift": shift}
    gap = float(np.max(np.abs(early[reads] - late[reads + shift])))
    return gap <= POOLED_EQUAL, {"largest difference between the two responses": gap,
                                                    "outputs that read the bump": int(reads.size)}


LESSON = Lesson(
    name="forecasting",
    title="Forecasting the next five days: baselines, a linear model, 1D convolutions and RNNs, trained to convergence",
    model_names=_names(),
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("converged", f"Every forecaster trained until its validation loss stopped improving: early stopping "
              f"(patience {PATIENCE}) ended every run, not the cap of {EPOCH_CAP} epochs", _converged),
        Claim("trained_beat_naive", "Every trained forecaster's validation error is below the naive forecast's",
              _beat_naive),
        Claim("pooling_forgets_order", "Pooling destroys order: a peak then a dip, and a dip then a peak, give the "
              f"trained forecaster's Conv1D the same globally max- and average-pooled features (to {POOLED_EQUAL:g})",
              _pooling_forgets_order),
        Claim("translation_invariant", "The trained Conv1D answers a bump on day "
              f"{TRANSLATION_STARTS[0]} and the same bump on day {TRANSLATION_STARTS[1]} alike (to {POOLED_EQUAL:g}), "
              "shifted: its weights are shared by every position, whatever the day means", _translation_invariant),
    ),
    recipe=(f"the synthetic daily series (30-day season), windows of {INPUT_STEPS} days forecasting {HORIZON}; "
            f"Adam (learning rate {LEARNING_RATE}), early stopping on the validation windows (patience {PATIENCE}, "
            f"best weights kept), at most {EPOCH_CAP} epochs"),
    showcase=showcase,
)

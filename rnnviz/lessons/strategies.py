"""Lesson ``strategies``: three ways to forecast several steps ahead, each a GRU trained on the same series.

The series is the forecasting lesson's (:func:`rnnviz.data.synthetic_series` of the seed: level, trend, a
30-day season, noise), cut into windows of :data:`INPUT_STEPS` days, shorter than the season: a model must
know the season's shape from training and find where in it the window ends from what the window shows (with
windows longer than the season, every strategy reads the value one season back instead, and feeding forecasts
back loses nothing it needs: the recursive model's error grew with the step ahead for some seeds only). Every
strategy forecasts the next :data:`HORIZON` days from the same window, with the same cell (a GRU of
:data:`UNITS` units, working relative to "today" like the forecasting lesson's models,
:func:`rnnviz.forecasting.recurrent`):

- ``recursive``: trained to forecast one day; to forecast :data:`HORIZON` it forecasts tomorrow, appends that
  forecast to the window (dropping its oldest day), and forecasts again, :data:`HORIZON` times;
- ``seq2vec`` (sequence to vector): the last state → Dense(:data:`HORIZON`), every day at once;
- ``seq2seq`` (sequence to sequence): every state → Dense(:data:`HORIZON`), trained on the next
  :data:`HORIZON` days at every step of the window; its forecast is the one made at the last step.

Each is trained with Adam and early stopping on the validation windows (its own loss: one day for the
recursive model), as the forecasting lesson trains. Measured on the test windows, which neither training nor
early stopping saw: every strategy's forecast of every window, and the mean absolute error at each step ahead
1 … :data:`HORIZON`, with the naive forecast's ("every coming day is like today").
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError
from rnnviz.kinds import CELL_KINDS
from rnnviz.lessons.base import Claim, Lesson

INPUT_STEPS, HORIZON = 20, 10  # a window shorter than the 30-day season
CELL, UNITS = "gru", 16
CELL_TITLE = CELL_KINDS[CELL].title
EPOCH_CAP, PATIENCE, LEARNING_RATE, BATCH = 200, 10, 0.005, 32
HELD_OUT_PART = "test"
STRATEGIES = ("recursive", "seq2vec", "seq2seq")
TITLES = {"recursive": "Recursive", "seq2vec": "Sequence-to-vector", "seq2seq": "Sequence-to-sequence",
          "naive": "naive"}
HOW = {  # how each strategy forecasts, in a line (the pictures' panel subtitles)
    "recursive": f"1 step, fed back {HORIZON} times",
    "seq2vec": f"last state → Dense({HORIZON})",
    "seq2seq": f"Dense({HORIZON}) at every step",
}


def windows(seed: int, horizon: int = HORIZON, targets: str = "vector"):
    """The lesson's series (the forecasting lesson's, of ``seed``) cut into windows of :data:`INPUT_STEPS` days
    forecasting ``horizon`` (:func:`rnnviz.data.make_windows`)."""
    from rnnviz.data import make_windows, synthetic_series

    return make_windows(synthetic_series(seed=seed), input_steps=INPUT_STEPS, horizon=horizon, targets=targets,
                        shuffle_seed=seed)


def make_data(seed: int) -> dict:
    """Each strategy's training and validation windows (one day ahead for ``recursive``, :data:`HORIZON` days for
    ``seq2vec``, :data:`HORIZON` days at every step for ``seq2seq``), and the held-out test windows, normalised
    with the training part's mean and standard deviation."""
    made = {"recursive": windows(seed, 1), "seq2vec": windows(seed), "seq2seq": windows(seed, targets="sequence")}
    reference = made["seq2vec"]
    inputs, targets = reference.numpy(HELD_OUT_PART)
    data = {"held_out_x": inputs, "held_out_y": targets, "held_out_seed": np.int64(seed),
            "held_out_starts": reference.starts(HELD_OUT_PART), "held_out_mean": np.float64(reference.mean),
            "held_out_std": np.float64(reference.std)}
    for name, windowed in made.items():
        data[f"x_{name}"], data[f"y_{name}"] = windowed.numpy("train")
        data[f"validation_x_{name}"], data[f"validation_y_{name}"] = windowed.numpy("validation")
    data["x"], data["y"] = data["x_seq2vec"], data["y_seq2vec"]
    return data


def build(name: str):
    """The untrained model of strategy ``name``: a GRU of :data:`UNITS` units and its Dense layer."""
    from rnnviz.forecasting.models import recurrent

    if name not in STRATEGIES:
        raise InputError(f"name: expected one of {', '.join(STRATEGIES)}, got {name!r}")
    horizon = 1 if name == "recursive" else HORIZON
    return recurrent(CELL, INPUT_STEPS, horizon, units=UNITS, sequence=name == "seq2seq")


def train(data: dict, seed: int, progress) -> dict:
    """The three models, each from ``seed``, until early stopping ends it (best validation weights kept)."""
    import keras

    models = {}
    for name in STRATEGIES:
        progress(f"lesson strategies: training {name} (up to {EPOCH_CAP} epochs, patience {PATIENCE})")
        keras.utils.set_random_seed(seed)
        model = build(name)
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse", jit_compile=True)
        fitted = model.fit(data[f"x_{name}"], data[f"y_{name}"], batch_size=BATCH, epochs=EPOCH_CAP, verbose=0,
                           validation_data=(data[f"validation_x_{name}"], data[f"validation_y_{name}"]),
                           callbacks=[keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)])
        for key in ("loss", "val_loss"):  # what training saw; shipped with the held-out data
            data[f"training_{key}_{name}"] = np.asarray(fitted.history[key], float)
        progress(f"lesson strategies: {name} stopped after {len(fitted.history['loss'])} epochs")
        models[name] = model
    return models


def forecast(models: dict, inputs) -> dict:
    """Each strategy's forecast of the next :data:`HORIZON` steps of ``inputs`` ``(windows, INPUT_STEPS, 1)``
    (normalised, as the models read them): name -> ``(windows, HORIZON)``, normalised."""
    import keras

    def run(model, x):
        return keras.ops.convert_to_numpy(model(x, training=False))

    inputs = np.asarray(inputs, np.float32)
    window, steps = inputs, []
    for _ in range(HORIZON):  # one step, appended to the window, the oldest step dropped
        step = run(models["recursive"], window)[:, :1]
        steps.append(step[:, 0])
        window = np.concatenate([window[:, 1:], step[:, :, None]], axis=1)
    return {"recursive": np.stack(steps, axis=1), "seq2vec": run(models["seq2vec"], inputs),
            "seq2seq": run(models["seq2seq"], inputs)[:, -1]}


def measure(models: dict, data: dict) -> dict:
    """Every held-out window, the truth, each strategy's and the naive forecast (in the series' units) and their
    MAE at each step ahead; the learning curves."""
    from rnnviz.forecasting.baselines import naive

    mean, std = float(data["held_out_mean"]), float(data["held_out_std"])
    inputs = data["held_out_x"]
    truth = data["held_out_y"] * std + mean
    results = {"seed": np.int64(data["held_out_seed"]), "starts": np.asarray(data["held_out_starts"]),
               "inputs": inputs[..., 0] * std + mean, "truth": truth}
    forecasts = {name: values * std + mean for name, values in forecast(models, inputs).items()}
    forecasts["naive"] = naive(results["inputs"], HORIZON)
    for name, values in forecasts.items():
        results[f"forecast_{name}"] = values
        results[f"mae_{name}"] = np.abs(values - truth).mean(axis=0)
    for key, value in data.items():
        if key.startswith(("training_loss_", "training_val_loss_")):
            results[key.removeprefix("training_")] = value
    return results


def typical_window(results: dict) -> int:
    """The held-out window the pictures show by default: the most typical one, whose absolute errors at each step
    ahead, of every strategy, are closest (least squares) to the strategies' MAE at that step."""
    truth = np.asarray(results["truth"])
    distance = sum(((np.abs(np.asarray(results[f"forecast_{name}"]) - truth) - np.asarray(results[f"mae_{name}"]))
                    ** 2).sum(axis=1) for name in STRATEGIES)
    return int(np.argmin(distance))


def step_errors(results: dict) -> dict:
    """The MAE at each step ahead (name -> ``(HORIZON,)``) of the strategies and the naive forecast."""
    return {name: np.asarray(results[f"mae_{name}"]) for name in (*STRATEGIES, "naive")}


def _beat_naive(results):
    errors = step_errors(results)
    ratios = {name: errors[name] / errors["naive"] for name in STRATEGIES}
    return all(bool(np.all(ratio < 1)) for ratio in ratios.values()), {
        f"{name} / naive, worst step": float(ratio.max()) for name, ratio in ratios.items()}


def _recursive_compounds(results):
    errors = step_errors(results)
    growth = {name: float(errors[name][-1] / errors[name][0]) for name in ("recursive", "seq2vec")}
    holds = errors["recursive"][-1] > errors["recursive"][0] and growth["recursive"] > growth["seq2vec"]
    return holds, {"recursive MAE at step 1": errors["recursive"][0],
                   f"recursive MAE at step {HORIZON}": errors["recursive"][-1],
                   f"MAE step {HORIZON} / step 1: recursive": growth["recursive"], "seq2vec": growth["seq2vec"]}


def _seq2vec_beats_recursive(results):
    errors = step_errors(results)
    last = {name: float(errors[name][-1]) for name in ("recursive", "seq2vec")}
    return last["seq2vec"] < last["recursive"], {f"{name} MAE at step {HORIZON}": value for name, value in last.items()}


LESSON = Lesson(
    name="strategies",
    title=f"Forecasting {HORIZON} steps ahead three ways: one step fed back, all at once from the last state, "
          f"a target at every step",
    model_names=STRATEGIES,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("every_strategy_beats_naive", f"Every strategy's held-out error is below the naive forecast's at every "
              f"step ahead, 1 to {HORIZON}", _beat_naive),
        Claim("recursive_errors_compound", f"Fed its own forecasts, the recursive model's error grows with the step "
              f"ahead: its held-out MAE {HORIZON} steps ahead is above its MAE 1 step ahead, by a larger factor than "
              f"the sequence-to-vector model's", _recursive_compounds),
        Claim("seq2vec_beats_recursive", f"{HORIZON} steps ahead, the sequence-to-vector model (all {HORIZON} steps "
              f"at once from the last state) has a lower held-out MAE than the recursive one",
              _seq2vec_beats_recursive),
    ),
    recipe=(f"the forecasting lesson's synthetic daily series (30-day season), windows of {INPUT_STEPS} days "
            f"(shorter than the season); a {CELL_TITLE} of {UNITS} units for every strategy: 1 day ahead fed back "
            f"{HORIZON} times, the last state → Dense({HORIZON}), every state → Dense({HORIZON}); Adam (learning "
            f"rate {LEARNING_RATE}), batch {BATCH}, early stopping on the validation windows (patience {PATIENCE}, "
            f"best weights kept), at most {EPOCH_CAP} epochs; measured on the {HELD_OUT_PART} windows"),
)

"""Lesson ``dense_window``: a dense network on a window has no definition of order.

The lecture's "more general version" of the basic model is a dense network that reads
a window of :data:`INPUT_STEPS` values and forecasts the next :data:`HORIZON`. Its
issues: it takes one length only, it has no definition of order, and it shares no
parameters across steps. This lesson shows the second one on the forecasting lesson's
series (:func:`rnnviz.lessons.forecasting.windows`):

- the same dense network is trained on the windows as they are and on windows whose
  steps are shuffled by one fixed permutation (:func:`permutation`, the same for every
  window), starting from the same weights with its first layer's rows shuffled like the
  steps: it reaches the same error. Nothing in the network knows which step comes
  first; a shuffle of the steps is undone by the same shuffle of the weights;
- and such a model exists exactly: the ordered model with its first layer's rows
  permuted gives on shuffled windows the very forecasts it gave on ordered ones.

(A SimpleRNN trained the same two ways was tried too: on this series its error on
shuffled steps was only 1.09 times its error on ordered ones at seed 0, so no claim
about it is made here.)

Errors are the mean absolute error on the test windows (early stopping watched the validation
windows), in units of the series' standard deviation (the values the models see), against the naive
forecast's.
"""

from __future__ import annotations

import numpy as np

from rnnviz.lessons.base import Claim, Lesson

MODELS = ("Dense", "DenseShuffled")  # one dense network, trained on ordered and on shuffled steps
UNITS = 32
EPOCH_CAP, PATIENCE, LEARNING_RATE, BATCH = 200, 10, 0.005, 32
PERMUTATION_SEED = 20260301  # the steps' shuffle: one fixed order for every window and every seed

SAME_ERROR = 0.1  # the dense network's errors on shuffled and ordered steps differ by at most this fraction
EXACT = 1e-5  # the permuted model's forecasts equal the ordered one's to this (float32 rounding)

ECG_HERTZ = 250  # a common ECG sampling rate (samples a second)
ECG_SECONDS = 60  # "imagine a minute-long ECG"


def permutation(steps: int) -> np.ndarray:
    """The fixed shuffle of a window's ``steps`` steps (never the identity)."""
    order = np.random.default_rng(PERMUTATION_SEED).permutation(steps)
    return order if not np.array_equal(order, np.arange(steps)) else order[::-1]


def windows(seed: int):
    """The forecasting lesson's windows (same series, length and horizon)."""
    from rnnviz.lessons.forecasting import windows as forecasting_windows

    return forecasting_windows(seed)[0]


def make_data(seed: int) -> dict:
    """Training windows, the validation windows early stopping watches (``training_validation_*``), and the test
    windows the errors are measured on (``held_out_*``); the fixed shuffle of the steps (stored with them)."""
    made = windows(seed)
    x, y = made.numpy("train")
    validation_x, validation_y = made.numpy("validation")
    held_out_x, held_out_y = made.numpy("test")
    return {"x": x, "y": y, "training_validation_x": validation_x, "training_validation_y": validation_y,
            "held_out_x": held_out_x, "held_out_y": held_out_y, "held_out_permutation": permutation(x.shape[1])}


def build(name: str, steps: int, horizon: int):
    """The untrained dense network ``name`` (both names build the same network)."""
    import keras

    inputs = keras.Input((steps, 1), name="window")
    hidden = keras.layers.Dense(UNITS, activation="relu", name="hidden")(keras.layers.Flatten(name="steps")(inputs))
    return keras.Model(inputs, keras.layers.Dense(horizon, name="forecast")(hidden), name=name.lower())


def train(data: dict, seed: int, progress) -> dict:
    """Each model from ``seed`` with early stopping on the validation windows: the dense network on the windows as
    they are, and the same network, from the same initial weights with its first layer's rows shuffled like the
    steps, on the shuffled windows (shuffled alike for validation)."""
    import keras

    order = data["held_out_permutation"]  # stored with the held-out data; it shuffles every window alike
    models = {}
    for name in MODELS:
        shuffled = name.endswith("Shuffled")
        x, val_x = data["x"], data["training_validation_x"]
        if shuffled:
            x, val_x = x[:, order], val_x[:, order]
        progress(f"lesson dense_window: training {name} (up to {EPOCH_CAP} epochs)")
        keras.utils.set_random_seed(seed)
        model = build(name, x.shape[1], data["y"].shape[1])
        if shuffled:  # the same start, its first layer's rows shuffled with the steps; the same batches after it
            model = permuted_dense(model, order)
            keras.utils.set_random_seed(seed)
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse", jit_compile=True)
        model.fit(x, data["y"], validation_data=(val_x, data["training_validation_y"]), epochs=EPOCH_CAP,
                  batch_size=BATCH,
                  verbose=0, callbacks=[keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)])
        models[name] = model
    return models


def measure(models: dict, data: dict) -> dict:
    """Each model's MAE on the test windows (early stopping watched the validation windows), the naive forecast's,
    the parameter counts, and the ordered dense network rebuilt with its first layer's rows permuted, run on the
    shuffled test windows."""
    x, y, order = data["held_out_x"], data["held_out_y"], data["held_out_permutation"]
    results = {"permutation": order, "naive_mae": np.float64(np.mean(np.abs(y - x[:, -1:, 0])))}
    for name, model in models.items():
        given = x[:, order] if name.endswith("Shuffled") else x
        forecast = model.predict(given, batch_size=len(given), verbose=0)
        results[f"mae_{name}"] = np.float64(np.mean(np.abs(forecast - y)))
        results[f"parameters_{name}"] = np.int64(model.count_params())
    ordered = models["Dense"].predict(x, batch_size=len(x), verbose=0)
    permuted = permuted_dense(models["Dense"], order).predict(x[:, order], batch_size=len(x), verbose=0)
    results["permuted_largest_difference"] = np.float64(np.max(np.abs(permuted - ordered)))
    return results


def permuted_dense(model, order):
    """A copy of the dense window model whose first layer reads step ``order[k]`` where ``model`` reads step k:
    on windows shuffled by ``order`` it computes what ``model`` computes on the windows as they are."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    kernel, bias = model.get_layer("hidden").get_weights()  # kernel rows: one per step (one feature a step)
    features = kernel.shape[0] // len(order)
    rows = np.arange(kernel.shape[0]).reshape(len(order), features)[order].ravel()  # row j: the step order[j]
    copy.get_layer("hidden").set_weights([kernel[rows], bias])
    return copy


def first_layer_weights(steps: int, units: int = UNITS, *, features: int = 1) -> dict:
    """The weights each model's layer that reads the window takes for a window of ``steps`` steps: a Dense layer
    of ``units`` on the flattened window grows with it; a SimpleRNN of ``units`` does not (its weights are shared
    by every step)."""
    return {"Dense": steps * features * units + units, "SimpleRNN": features * units + units * units + units}


def _dense_blind_to_order(results):
    ratio = float(results["mae_DenseShuffled"] / results["mae_Dense"])
    return abs(ratio - 1) <= SAME_ERROR, {"dense MAE, ordered steps": results["mae_Dense"],
                                          "dense MAE, shuffled steps": results["mae_DenseShuffled"],
                                          "ratio": ratio}


def _same_model_permuted(results):
    largest = float(results["permuted_largest_difference"])
    return largest <= EXACT, {"largest difference between the forecasts": largest}


LESSON = Lesson(
    name="dense_window",
    title="A dense network on a window has no definition of order: shuffled steps train to the same error",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("dense_blind_to_order", "Trained on windows whose steps are shuffled (one fixed shuffle), from the same "
              "start with its weights shuffled alike, the dense network reaches the same test error as on "
              f"ordered windows (within {SAME_ERROR:.0%})",
              _dense_blind_to_order),
        Claim("same_model_permuted", "The dense network trained on ordered steps, its first layer's rows shuffled "
              f"alike, forecasts the shuffled windows exactly as before (to {EXACT:g})", _same_model_permuted),
    ),
    recipe=(f"Flatten -> Dense({UNITS}, relu) -> Dense(H) on the forecasting "
            f"lesson's windows, as they are and with their steps shuffled; Adam (learning rate {LEARNING_RATE}), "
            f"batch {BATCH}, early stopping (patience {PATIENCE}) on the validation windows, at most {EPOCH_CAP} epochs"),
)

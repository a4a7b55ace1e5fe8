"""Long-range memory: the adding problem, error against how far back the information lies.

The lecture's sentence "The BA students, which had been working for days on end,
... were" needs something from many words back at the verb. The adding problem
(Hochreiter & Schmidhuber 1997) is the standard synthetic version: a sequence of
random numbers in [0, 1], two of them marked; at the end the network must say
their sum. The first marked number lies ``distance`` steps before the end, the
second somewhere after it. SimpleRNN, LSTM and GRU of the same size are trained on
the same sentences of mixed distances; their error on new sequences is measured
per distance. A network with no memory at all can only predict the average sum.
"""

from __future__ import annotations

import numpy as np

from rnnviz.style import axes_title, color, neutral, new_or_given_axes

DEFAULT_DISTANCES = (2, 5, 10, 20, 40, 60)
CELLS = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}


def adding_problem(count: int, *, distances=DEFAULT_DISTANCES, seed: int = 0):
    """``count`` adding-problem sequences of length ``max(distances) + 1``.

    Returns ``(x, y, distance)``: ``x`` (count, length, 2) holds [number, marker],
    ``y`` the sum of the two marked numbers, ``distance`` how many steps before the
    end the first marked number lies (drawn from ``distances``).
    """
    distances = np.asarray(distances)
    if distances.ndim != 1 or distances.size == 0 or distances.min() < 1:
        raise ValueError(f"distances: expected positive step counts, got {distances.tolist()}")
    rng = np.random.default_rng(seed)
    length = int(distances.max()) + 1
    distance = rng.choice(distances, size=count)
    first = length - 1 - distance
    second = first + 1 + np.floor(rng.uniform(size=count) * distance).astype(int)  # after the first, up to the end
    x = np.zeros((count, length, 2), np.float32)
    x[..., 0] = rng.uniform(0, 1, size=(count, length))
    rows = np.arange(count)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = x[rows, first, 0] + x[rows, second, 0]
    return x, y, distance


def train_adding(*, distances=DEFAULT_DISTANCES, units=32, train=8192, test=4096, epochs=10, seed=0,
                 cells=tuple(CELLS)):
    """Train a SimpleRNN, an LSTM and a GRU (or the ``cells`` labels) on the adding problem; error per distance.

    All three see the same sequences in the same order, with Adam (learning rate
    0.005, ``global_clipnorm=1``) and XLA-compiled training steps.

    Returns
    -------
    dict with ``"mse"`` ({cell label: MSE per distance}), ``"no_memory_mse"``
    (per distance, the MSE of always predicting the training set's average sum),
    ``"models"`` ({cell label: the trained Keras model}), ``"x_test"`` (the test
    sequences), and the settings ``"distances"``, ``"units"``, ``"epochs"``.
    """
    import keras

    layers = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}
    x, y, _ = adding_problem(train, distances=distances, seed=seed)
    x_test, y_test, distance_test = adding_problem(test, distances=distances, seed=seed + 1)
    per_distance = [distance_test == d for d in distances]

    mse, models = {}, {}
    for label in cells:
        layer = layers[label]
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input(x.shape[1:]), layer(units), keras.layers.Dense(1)])
        model.compile(
            optimizer=keras.optimizers.Adam(0.005, global_clipnorm=1.0), loss="mse", jit_compile=True
        )
        model.fit(x, y, epochs=epochs, batch_size=128, verbose=0)
        squared_error = (model.predict(x_test, batch_size=1024, verbose=0)[:, 0] - y_test) ** 2
        mse[label] = np.array([squared_error[rows].mean() for rows in per_distance])
        models[label] = model
    no_memory = np.array([((y.mean() - y_test[rows]) ** 2).mean() for rows in per_distance])
    return {"mse": mse, "no_memory_mse": no_memory, "models": models, "x_test": x_test,
            "distances": tuple(int(d) for d in distances), "units": units, "epochs": epochs}


class LongRangeMemoryDisplay:
    """Test error against dependency distance, one line per cell, with the no-memory level.

    Parameters
    ----------
    distances : sequence of int
    mse : dict of str to ndarray (one value per distance)
    no_memory_mse : ndarray, optional
        The error of a predictor that remembers nothing (drawn as a dashed line).
    description : str
    """

    def __init__(self, *, distances, mse: dict, no_memory_mse=None, description: str = ""):
        self.distances = np.asarray(distances)
        self.mse = {label: np.asarray(values, float) for label, values in mse.items()}
        for label, values in self.mse.items():
            if values.shape != self.distances.shape:
                raise ValueError(f"mse[{label!r}]: expected one value per distance {self.distances.shape}, got {values.shape}")
        self.no_memory_mse = None if no_memory_mse is None else np.asarray(no_memory_mse, float)
        self.description = description

    @classmethod
    def from_training(cls, *, distances=DEFAULT_DISTANCES, units=32, epochs=10, seed=0):
        """Train the three cells on the adding problem (:func:`train_adding`) and keep their errors."""
        return cls.from_result(train_adding(distances=distances, units=units, epochs=epochs, seed=seed))

    @classmethod
    def from_result(cls, result):
        """The errors of a :func:`train_adding` result (to draw more from one training run)."""
        description = (
            f"sum of two marked numbers; {result['units']} units per cell, trained together on all distances, "
            f"{result['epochs']} epochs of Adam; error on new sequences"
        )
        return cls(distances=result["distances"], mse=result["mse"], no_memory_mse=result["no_memory_mse"],
                   description=description)

    def plot(self, ax=None, *, title=True, **kwargs):
        """MSE (log) against distance; keeps ``figure_``, ``ax_``, ``lines_`` (by cell label)."""
        self.figure_, self.ax_ = new_or_given_axes(ax)
        self.lines_ = {}
        for label, values in self.mse.items():
            (self.lines_[label],) = self.ax_.plot(
                self.distances,
                values,
                **{"color": color(CELLS.get(label, label)), "marker": "o", "linewidth": 2.2, "label": label, **kwargs},
            )
        if self.no_memory_mse is not None:
            (self.lines_["no memory"],) = self.ax_.plot(
                self.distances, self.no_memory_mse, color=neutral("muted"), linestyle="--",
                label="no memory\n(predicts the average sum)",
            )
        self.ax_.set_yscale("log")
        self.ax_.set_xscale("log")
        self.ax_.minorticks_off()
        self.ax_.set_xticks(self.distances, [str(d) for d in self.distances])
        self.ax_.set_xlabel("steps between the first marked number and the answer")
        self.ax_.set_ylabel("mean squared error on new sequences")
        self.ax_.grid(True, alpha=0.3)
        self.ax_.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        if title:
            axes_title(self.ax_, "Long-range memory: the SimpleRNN forgets first", self.description)
        return self

"""Gradient clipping: a real Keras training run whose gradients explode, with and without clipping."""

from __future__ import annotations

import numpy as np

from rnnviz.style import OKABE_ITO, figure_title, new_or_given_panels

DEFAULT_SETTINGS = {"no clipping": {}, "clipnorm=1": {"clipnorm": 1.0}, "global_clipnorm=1": {"global_clipnorm": 1.0}}
SETTING_COLOURS = (OKABE_ITO["vermilion"], OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["purple"])


def train_with_clipping(settings=None, *, units=16, steps=40, samples=256, batch_size=32, epochs=4, radius=2.0,
                        learning_rate=0.05, seed=0, recurrent_start="scaled"):
    """Train the same relu SimpleRNN once per optimizer setting; return per-step gradient norms and losses.

    The model starts with its recurrent matrix at spectral radius ``radius`` > 1,
    so gradients through time explode. Each setting trains a fresh copy with the
    same initial weights and batches, using ``keras.optimizers.SGD(**setting)``:
    clipping is Keras's own (``clipnorm``, ``global_clipnorm``). Recorded per
    step: the global norm of the raw gradient (what clipping sees) and the loss.

    Returns
    -------
    dict of str to dict with ``"gradient_norm"`` and ``"loss"`` arrays (one value per training step).
    """
    import keras
    import tensorflow as tf

    settings = DEFAULT_SETTINGS if settings is None else settings
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(samples, steps, 1)).astype("float32")
    y = x.mean(axis=1)  # remember the whole sequence: its mean
    batches = [rng.permutation(samples)[:batch_size] for _ in range(epochs * (samples // batch_size))]

    keras.utils.set_random_seed(seed)
    template = keras.Sequential([keras.Input((steps, 1)), keras.layers.SimpleRNN(units, activation="relu"), keras.layers.Dense(1)])
    recurrent = template.layers[0].cell.recurrent_kernel
    if recurrent_start == "orthogonal":  # every singular value = radius: the same growth in every direction
        recurrent.assign(radius * np.linalg.qr(rng.normal(size=(units, units)))[0].astype("float32"))
    else:  # Keras's own start, rescaled
        value = keras.ops.convert_to_numpy(recurrent)
        recurrent.assign(value * radius / np.abs(np.linalg.eigvals(value)).max())
    initial = template.get_weights()

    runs = {}
    for label, options in settings.items():
        model = keras.models.clone_model(template)
        model.set_weights(initial)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate, **options)
        loss_fn = keras.losses.MeanSquaredError()

        @tf.function
        def train_step(inputs, targets, model=model, optimizer=optimizer, loss_fn=loss_fn):
            with tf.GradientTape() as tape:
                loss = loss_fn(targets, model(inputs, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))  # clips as configured
            return tf.linalg.global_norm(grads), loss

        recorded = np.array([[float(v) for v in train_step(x[indices], y[indices])] for indices in batches])
        runs[label] = {"gradient_norm": recorded[:, 0], "loss": recorded[:, 1]}
    return runs


class ClippingDisplay:
    """Global gradient norm and loss per training step, one line per clipping setting.

    Parameters
    ----------
    runs : dict of str to dict with ``"gradient_norm"`` and ``"loss"`` (per step)
    description : str
    """

    def __init__(self, *, runs: dict, description: str = ""):
        self.runs = {label: {key: np.asarray(values, float) for key, values in run.items()} for label, run in runs.items()}
        self.description = description

    @classmethod
    def from_training(cls, settings=None, *, radius=2.0, steps=40, learning_rate=0.05, **kwargs):
        """Run :func:`train_with_clipping` and keep its numbers."""
        runs = train_with_clipping(settings, radius=radius, steps=steps, learning_rate=learning_rate, **kwargs)
        description = (
            f"relu SimpleRNN learning the mean of {steps}-step sequences, recurrent matrix started at "
            f"spectral radius {radius:g}, SGD at learning rate {learning_rate:g}"
        )
        return cls(runs=runs, description=description)

    @classmethod
    def from_lesson(cls, results=None):
        """The clipping runs of the lesson ``gradients`` (default: its shipped results); no TensorFlow needed."""
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        description = (
            f"relu SimpleRNN learning the mean of {gradients.CLIP_STEPS}-step sequences, recurrent matrix started at "
            f"{gradients.CLIP_RADIUS:g} × an orthogonal matrix, SGD at learning rate {gradients.CLIP_LEARNING_RATE:g}; "
            "the same start and batches for every setting"
        )
        return cls(runs=gradients.clipping_runs(results), description=description)

    def plot(self, ax=None, *, title=True, **kwargs):
        """Two panels (gradient norm, loss) against training step; non-finite steps marked with an x.

        Keeps ``figure_``, ``axes_`` (``"gradient_norm"``, ``"loss"``) and ``lines_`` (by (label, panel)).
        """
        self.figure_, axes = new_or_given_panels(
            ax, 2, what="gradient norm, loss", figsize=(10, 6), nrows=2, sharex=True
        )
        self.axes_ = dict(zip(("gradient_norm", "loss"), axes))
        self.lines_ = {}
        for (label, run), line_colour in zip(self.runs.items(), SETTING_COLOURS):
            for key, panel in self.axes_.items():
                values = run[key]
                finite = np.isfinite(values)
                (self.lines_[label, key],) = panel.plot(
                    np.flatnonzero(finite),
                    values[finite],
                    **{"color": line_colour, "linewidth": 1.8, "marker": ".", "label": label, **kwargs},
                )
                if not finite.all():
                    first = int(np.argmax(~finite))
                    panel.axvline(first, color=line_colour, linestyle=":", linewidth=1.5)
                    panel.annotate(
                        f"{label}: not finite (overflow) from step {first} on",
                        (first, 0.96),
                        xycoords=("data", "axes fraction"),
                        xytext=(4, 0),
                        textcoords="offset points",
                        color=line_colour,
                        fontsize=9,
                        ha="left",
                        va="top",
                    )
        self.axes_["gradient_norm"].set_ylabel("global gradient norm\n(before clipping)")
        self.axes_["loss"].set_ylabel("training loss (MSE)")
        self.axes_["loss"].set_xlabel("training step")
        for panel in axes:
            panel.set_yscale("log")
            panel.grid(True, alpha=0.3)
        self.axes_["gradient_norm"].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        if title:
            figure_title(self.figure_, "Gradient clipping tames exploding gradients", self.description)
        return self

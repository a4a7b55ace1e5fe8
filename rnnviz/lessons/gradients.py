"""Lesson ``gradients``: vanishing and exploding gradients against the spectral radius, and gradient clipping.

Two experiments, both on a SimpleRNN:

- *The sweep* (no training): one random recurrent matrix of spectral radius 1,
  rescaled to each radius in :data:`RADII`, with no activation (linear), tanh and
  relu; ``‖∂h_T/∂h_t‖`` against steps back from :func:`rnnviz.gradient_profile`.
  Below radius 1 the gradient vanishes, well above it (3) explodes. Where between
  it turns (:data:`EDGES`) depends on the activation: linear, the radius alone
  decides, at 1; tanh's slope is at most 1 and saturation holds growth back; relu's
  slope is 0 on the units a step switches off, cutting their paths, so with relu
  1.1 still vanishes.
- *Untrained cells* (no training): SimpleRNN, LSTM and GRU as Keras initialises
  them, their ``‖∂h_T/∂h_t‖`` and ``‖∂h_t/∂x_s‖`` (what the untrained figures draw).
- *Clipping* (trained): a relu SimpleRNN whose recurrent matrix starts as
  :data:`CLIP_RADIUS` × an orthogonal matrix (every direction grows by that
  factor per step) learns the mean of :data:`CLIP_STEPS`-step sequences with SGD
  at learning rate :data:`CLIP_LEARNING_RATE`, once per setting: no clipping,
  ``clipnorm=1`` and ``global_clipnorm=1`` (Keras's own), from the same weights
  and batches. Its first gradient (the same for every setting) is kept per variable, for the picture of what
  ``clipnorm``, ``global_clipnorm`` and ``clipvalue`` at :data:`CLIP_THRESHOLD` do to it
  (:mod:`rnnviz.views.clipping`).
"""

from __future__ import annotations

import numpy as np

from rnnviz.lessons.base import Claim, Lesson

RADII = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)
ACTIVATIONS = ("linear", "tanh", "relu")
SWEEP = {"units": 32, "steps": 50, "batch": 8, "input_scale": 0.5}
CLIP_RADIUS, CLIP_STEPS, CLIP_LEARNING_RATE = 2.5, 20, 0.2
CLIP_SETTINGS = {"no clipping": {}, "clipnorm=1": {"clipnorm": 1.0}, "global_clipnorm=1": {"global_clipnorm": 1.0}}

VANISHED, EXPLODED = 0.01, 10.0  # the median gradient at the far end against the nearest step: at most / at least
BELOW_ONE, WELL_ABOVE_ONE = (0.5, 0.9), (3.0,)
# Per activation: the largest swept radius whose gradient vanishes and the smallest that explodes, for every seed
# 0-4 (between them it depends on the seed: tanh at 2, seed 3, grew only 2.5x; relu at 1.5 vanished or exploded).
EDGES = {"linear": (0.9, 1.1), "tanh": (0.9, 3.0), "relu": (1.1, 2.0)}
CLIPPED_FALLS = 0.1  # a clipped run's last loss at most this fraction of its first
CLIP_THRESHOLD = 1.0  # the clipping picture's threshold: CLIP_SETTINGS' norm, and clipvalue's
FIRST_GRADIENT_RTOL = 1e-4  # the first gradient (norms ~1e7, through an exploding recurrence) measured again on
# another CPU: float32 rounding (AVX2 on AMD, AVX-512 on Intel) amplified by the recurrence; seen 1.4e-5 apart
VALUE_TURNS, NORM_TURNS = 40.0, 30.0  # degrees the first gradient turns at least: clipvalue, clipnorm (seeds 0-4: 47.7-63.2, 36.4-40.5)


def make_data(seed: int) -> dict:
    return {"held_out_seed": np.int64(seed)}


def train(data: dict, seed: int, progress) -> dict:
    """The clipping runs; their gradient norms and losses go into ``data`` (there are no models to keep)."""
    progress(f"lesson gradients: training one relu SimpleRNN {len(CLIP_SETTINGS)} ways (clipping)")
    runs = train_with_clipping(CLIP_SETTINGS, radius=CLIP_RADIUS, steps=CLIP_STEPS, learning_rate=CLIP_LEARNING_RATE,
                               seed=seed, recurrent_start="orthogonal")
    for label, run in runs.items():
        for key, values in run.items():
            data[f"training_{key}_{label}"] = values
    return {}


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

    settings = CLIP_SETTINGS if settings is None else settings
    template, x, y, batches = clipping_start(units=units, steps=steps, samples=samples, batch_size=batch_size,
                                             epochs=epochs, radius=radius, seed=seed, recurrent_start=recurrent_start)
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


def clipping_start(*, units=16, steps=40, samples=256, batch_size=32, epochs=4, radius=2.0, seed=0,
                   recurrent_start="scaled"):
    """:func:`train_with_clipping`'s start: ``(model, x, y, batches)``, the untrained model and the data, from ``seed``."""
    import keras

    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(samples, steps, 1)).astype("float32")
    y = x.mean(axis=1)  # remember the whole sequence: its mean
    batches = [rng.permutation(samples)[:batch_size] for _ in range(epochs * (samples // batch_size))]

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, 1)), keras.layers.SimpleRNN(units, activation="relu"), keras.layers.Dense(1)])
    recurrent = model.layers[0].cell.recurrent_kernel
    if recurrent_start == "orthogonal":  # every singular value = radius: the same growth in every direction
        recurrent.assign(radius * np.linalg.qr(rng.normal(size=(units, units)))[0].astype("float32"))
    else:  # Keras's own start, rescaled
        value = keras.ops.convert_to_numpy(recurrent)
        recurrent.assign(value * radius / np.abs(np.linalg.eigvals(value)).max())
    return model, x, y, batches


def first_gradient(seed: int) -> dict:
    """The clipping runs' first gradient, per variable (``"SimpleRNN/kernel"``, ...): the raw gradient of the
    loss on the first batch at the start, the same for every setting (same weights, same batch) of
    :data:`CLIP_SETTINGS`' runs from ``seed``."""
    import keras
    import tensorflow as tf

    model, x, y, batches = clipping_start(radius=CLIP_RADIUS, steps=CLIP_STEPS, seed=seed,
                                          recurrent_start="orthogonal")
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y[batches[0]], model(x[batches[0]], training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    names = [f"{type(layer).__name__}/{variable.name}" for layer in model.layers for variable in layer.trainable_variables]
    return {name: keras.ops.convert_to_numpy(grad) for name, grad in zip(names, grads, strict=True)}


def sweep(seed: int) -> dict:
    """``{(activation, radius): (batch, steps back)}``: ‖∂h_T/∂h_t‖ of the swept SimpleRNN."""
    from rnnviz.recording.experiments import spectral_radius_sweep

    return spectral_radius_sweep(radii=RADII, activations=ACTIVATIONS, seed=seed, **SWEEP)


def measure(models: dict, data: dict) -> dict:
    """The sweep, the untrained cells' gradient decay and memory maps (no training), and the clipping runs."""
    from rnnviz.figures.gradient_decay import GradientDecayDisplay
    from rnnviz.figures.memory import MemoryHeatmapDisplay

    seed = int(data["held_out_seed"])
    results = {"seed": data["held_out_seed"], "radii": np.array(RADII)}
    for (activation, radius), values in sweep(seed).items():
        results[f"sweep_{activation}_{radius:g}"] = values
    decay = GradientDecayDisplay.from_cells(seed=seed)
    results |= {f"untrained_decay_{label}": norms for label, norms in decay.norms.items()}
    memory = MemoryHeatmapDisplay.from_cells(seed=seed)
    results |= {f"untrained_memory_{label}": maps for label, maps in memory.maps.items()}
    results["untrained_decay_description"] = np.array(decay.description)
    results["untrained_memory_description"] = np.array(memory.description)
    for key, value in data.items():
        if key.startswith("training_"):
            results[f"clipping_{key.removeprefix('training_')}"] = value
    gradient = first_gradient(seed)
    results["clipping_first_gradient_variables"] = np.array(list(gradient))
    results |= {f"clipping_first_gradient_{index}": value for index, value in enumerate(gradient.values())}
    return results


def untrained_decay(results: dict) -> tuple:
    """``(norms by cell title, description)``: the untrained cells' ‖∂h_T/∂h_t‖ (the gallery's ``gradient_decay``)."""
    return _by_label(results, "untrained_decay_"), str(results["untrained_decay_description"])


def untrained_memory(results: dict) -> tuple:
    """``(maps by cell title, description)``: the untrained cells' ‖∂h_t/∂x_s‖ (the gallery's ``memory_heatmap``)."""
    return _by_label(results, "untrained_memory_"), str(results["untrained_memory_description"])


def _by_label(results: dict, prefix: str) -> dict:
    return {key.removeprefix(prefix): value for key, value in results.items()
            if key.startswith(prefix) and key != f"{prefix}description"}


def swept(results: dict) -> dict:
    """The sweep's norms from ``results``, by (activation, radius)."""
    return {(activation, float(radius)): results[f"sweep_{activation}_{radius:g}"]
            for activation in ACTIVATIONS for radius in results["radii"]}


def clipping_runs(results: dict) -> dict:
    """The clipping runs from ``results``: ``{setting: {"gradient_norm": ..., "loss": ...}}``."""
    return {label: {key: results[f"clipping_{key}_{label}"] for key in ("gradient_norm", "loss")}
            for label in CLIP_SETTINGS}


def first_gradient_of(results: dict) -> dict:
    """The clipping runs' first gradient from ``results``, by variable name (:func:`first_gradient`), in Keras's order."""
    names = results["clipping_first_gradient_variables"]
    return {str(name): results[f"clipping_first_gradient_{index}"] for index, name in enumerate(names)}


def far_over_near(results: dict, activation: str, radius: float) -> float:
    """The median gradient at the first step (``SWEEP["steps"] - 1`` steps back) over the median at the last step."""
    median = np.median(swept(results)[activation, radius], axis=0)
    return float(median[-1] / median[0])


def _ratios(results, radii) -> dict:
    return {f"{activation} ρ={radius:g}": far_over_near(results, activation, radius)
            for activation in ACTIVATIONS for radius in radii}


def _vanish_below_one(results):
    ratios = _ratios(results, BELOW_ONE)
    return all(ratio <= VANISHED for ratio in ratios.values()), ratios


def _explode_well_above_one(results):
    ratios = _ratios(results, WELL_ABOVE_ONE)
    return all(ratio >= EXPLODED for ratio in ratios.values()), ratios


def edge_sentence(activation: str, separator: str = ", ") -> str:
    """Where the gradient with ``activation`` turns from vanishing to exploding (:data:`EDGES`), in words."""
    vanishes, explodes = EDGES[activation]
    return f"ρ = {vanishes:g} vanishes{separator}ρ = {explodes:g} explodes"


def _edge(activation: str):
    """The measure of :func:`edge_sentence`: the radius below the edge vanishes and the one above explodes."""

    def measure(results):
        vanishes, explodes = EDGES[activation]
        below, above = (far_over_near(results, activation, radius) for radius in (vanishes, explodes))
        return below <= VANISHED and above >= EXPLODED, {f"{activation} ρ={vanishes:g}": below,
                                                          f"{activation} ρ={explodes:g}": above}

    return measure


def _unclipped_overflows(results):
    loss = clipping_runs(results)["no clipping"]["loss"]
    finite = np.isfinite(loss)
    return not finite.all(), {"first loss": loss[0], "steps with a finite loss": int(finite.sum()),
                              "of": len(loss)}


def _clipped_trains(results):
    numbers, holds = {}, True
    for label, run in clipping_runs(results).items():
        if label == "no clipping":
            continue
        loss = run["loss"]
        falls = loss[-1] / loss[0]
        holds &= bool(np.isfinite(loss).all()) and falls <= CLIPPED_FALLS
        numbers[f"{label}: last / first loss"] = falls
    return holds, numbers


def _clipped(results, option):
    from rnnviz.views.clipping import clipping_view

    return clipping_view(first_gradient_of(results), CLIP_THRESHOLD).vectors[option]


def _value_clipping_turns(results):
    clipped = _clipped(results, "clipvalue")
    return clipped.angle > VALUE_TURNS and clipped.clipped > clipped.parts / 2, {
        "angle to g (degrees)": clipped.angle, "elements clipped": clipped.clipped, "of": clipped.parts}


def _norm_clipping_turns(results):
    clipped = _clipped(results, "clipnorm")
    return clipped.angle > NORM_TURNS and clipped.clipped == clipped.parts, {
        "angle to g (degrees)": clipped.angle, "variables clipped": clipped.clipped, "of": clipped.parts}


LESSON = Lesson(
    name="gradients",
    title="Vanishing and exploding gradients against the spectral radius, and what clipping does",
    model_names=(),
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("vanish_below_one", f"Below spectral radius 1 (ρ = {', '.join(map(str, BELOW_ONE))}) the gradient "
              f"vanishes with every activation ({', '.join(ACTIVATIONS)}): {SWEEP['steps'] - 1} steps back it is under "
              f"{VANISHED:g}x its size at the last step", _vanish_below_one),
        Claim("explode_well_above_one", f"Well above 1 (ρ = {', '.join(map(str, WELL_ABOVE_ONE))}) it explodes with "
              f"every activation: {SWEEP['steps'] - 1} steps back it is over {EXPLODED:g}x its size at the last step",
              _explode_well_above_one),
        *(Claim(f"{activation}_edge", f"Where it turns depends on the activation; {activation}: "
                f"{edge_sentence(activation)} ({SWEEP['steps'] - 1} steps back under {VANISHED:g}x, over {EXPLODED:g}x "
                "its size at the last step)", _edge(activation))
          for activation in ACTIVATIONS),
        Claim("unclipped_overflows", "Without clipping, the exploding gradient throws the weights so far that "
              "training overflows (the loss becomes inf or NaN)", _unclipped_overflows),
        Claim("clipped_trains", f"Clipped by norm (clipnorm=1, global_clipnorm=1), the same model from the same start "
              f"trains: its loss stays finite and falls at least {1 / CLIPPED_FALLS:g}x", _clipped_trains),
        Claim("clipnorm_turns", f"clipnorm={CLIP_THRESHOLD:g} cuts each variable's part of the first step's gradient "
              f"to norm {CLIP_THRESHOLD:g} on its own (every variable here), each part keeping its direction, and so "
              f"turns the whole gradient by more than {NORM_TURNS:g}°", _norm_clipping_turns),
        Claim("clipvalue_turns", f"clipvalue={CLIP_THRESHOLD:g} cuts every element of the first step's gradient "
              f"beyond ±{CLIP_THRESHOLD:g} to ±{CLIP_THRESHOLD:g} (most of them here) and turns it by more than "
              f"{VALUE_TURNS:g}°", _value_clipping_turns),
    ),
    recipe=(f"sweep: SimpleRNN({SWEEP['units']}) with each of {', '.join(ACTIVATIONS)}, no bias, "
            f"W_h = ρ × a random matrix of spectral radius 1, {SWEEP['batch']} sequences of {SWEEP['steps']} steps, inputs ~ N(0, {SWEEP['input_scale']}²); clipping: "
            f"relu SimpleRNN(16) learning the mean of {CLIP_STEPS}-step sequences, W_h = {CLIP_RADIUS:g} × an orthogonal "
            f"matrix, SGD at learning rate {CLIP_LEARNING_RATE:g}, 32 steps of 32 sequences"),
)

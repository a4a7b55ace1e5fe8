"""Lesson ``encoder_decoder``: an encoder reads five digits and hands its state to a decoder that writes them backwards.

The task: :data:`LENGTH` digits (0–9), e.g. ``3 8 1 6 4``; the answer is the same
digits in reverse order, ``4 6 1 8 3``. The answer's first digit is the source's
last, so nothing can be written before the whole source is read: an
encoder–decoder's job (Sutskever, Vinyals & Le 2014 reversed their sources).

The model, one per cell kind (:data:`MODELS`), :data:`UNITS` units each:

- the *encoder* reads the source digits (one-hot) and returns its final states
  (``return_state=True``): ``h`` and ``c`` for the LSTM, ``h`` for the GRU;
- the *decoder* starts from them (``initial_state=``), the hand-over, and reads
  at each step the answer's previous digit (a start token first, :data:`START`);
- a Dense softmax head (``"digit"``) says the next digit at every decoder step.

It is trained with *teacher forcing*: the decoder reads the true previous digits
(the start token, then the answer shifted by one). To write an answer on its own
(:func:`generate`) the decoder reads its own previous output instead, one step at a
time, its states carried from step to step.

What is measured, on :data:`HELD_OUT_SEQUENCES` held-out sequences none of which
was trained on:

- the digits right with teacher forcing, against chance (1 in 10) and against
  copying the source in the order it was read (the middle digit is then right);
- the same with the hand-over cut: the same decoder started from a zero state;
- the digits and whole answers right when the decoder writes on its own.

Held-out sequence 0 is the showcase the pictures draw (:data:`SHOWCASE_SOURCE`):
:func:`showcase` records each model on it (and the next few) fed the answer the
decoder wrote itself, so the recorded single pass is the decoder's own run.
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError
from rnnviz.lessons.base import Claim, Lesson, keras_layer

MODELS = ("LSTM", "GRU")
LENGTH, DIGITS = 5, 10  # sequences of LENGTH digits 0 .. DIGITS - 1
START = DIGITS  # the decoder's first input: a token of its own (feature DIGITS of the decoder's one-hot input)
UNITS = 8
SHOWCASE_SOURCE = (3, 8, 1, 6, 4)  # held-out sequence 0: every digit different, so the order shows
TRAIN_SEQUENCES, HELD_OUT_SEQUENCES = 20000, 1000
EPOCHS, BATCH, LEARNING_RATE = 16, 64, 0.01  # the learning rate decays to 0 along a cosine
SHOWCASE_SEQUENCES = 8
TOKENS = {**{digit: str(digit) for digit in range(DIGITS)}, START: "start"}  # how the pictures write each input
LAYER_NAMES = ("encoder", "decoder", "digit")  # the encoder, the decoder and the head, in every model

SOLVES = 0.95  # at least this fraction of the held-out digits right
AT_CHANCE = 0.2  # at most this fraction of the digits right: no better than guessing (chance 1 / DIGITS)
WRITES = 0.9  # at least this fraction of the held-out answers right in every digit, written by the decoder itself
COPYING = 1 / LENGTH + (1 - 1 / LENGTH) / DIGITS  # digits right copying in order: the middle one, others by luck


def reverse_task(count: int, *, seed: int = 0, avoid=None):
    """``count`` different sequences of :data:`LENGTH` digits and their reverses: ``(source, answer)``, both
    ``(count, LENGTH)`` int8, none of them among the sequences ``avoid`` (``(n, LENGTH)`` digits)."""
    codes = np.arange(DIGITS ** LENGTH)
    if avoid is not None and len(avoid):
        codes = np.setdiff1d(codes, as_codes(np.asarray(avoid)))
    if count > len(codes):
        raise InputError(f"count: at most {len(codes)} different sequences are left, got {count}")
    chosen = np.random.default_rng(seed).choice(codes, size=count, replace=False)
    source = (chosen[:, None] // DIGITS ** np.arange(LENGTH - 1, -1, -1) % DIGITS).astype(np.int8)
    return source, source[:, ::-1].copy()


def as_codes(digits: np.ndarray) -> np.ndarray:
    """Each sequence of digits as one number (its digits read in order)."""
    return digits @ (DIGITS ** np.arange(LENGTH - 1, -1, -1))


def make_data(seed: int) -> dict:
    """Training and held-out sequences from ``seed``, all different; held-out sequence 0 is :data:`SHOWCASE_SOURCE`."""
    shown = np.array([SHOWCASE_SOURCE], np.int8)
    held_out, held_out_answer = reverse_task(HELD_OUT_SEQUENCES - 1, seed=seed + 1, avoid=shown)
    held_out = np.concatenate([shown, held_out])
    held_out_answer = np.concatenate([shown[:, ::-1], held_out_answer])
    x, y = reverse_task(TRAIN_SEQUENCES, seed=seed, avoid=held_out)
    return {"x": x, "y": y, "held_out_x": held_out, "held_out_y": held_out_answer}


def one_hot(digits: np.ndarray, size: int = DIGITS) -> np.ndarray:
    """``digits`` (…) as one-hot float32 vectors (…, ``size``)."""
    return np.eye(size, dtype=np.float32)[np.asarray(digits)]


def decoder_inputs(answer: np.ndarray) -> np.ndarray:
    """What the decoder reads for ``answer`` (batch, LENGTH): the start token, then the answer shifted by one, one-hot
    (batch, LENGTH, DIGITS + 1). With the true answer this is teacher forcing."""
    answer = np.asarray(answer)
    previous = np.concatenate([np.full((len(answer), 1), START), answer[:, :-1]], axis=1)
    return one_hot(previous, DIGITS + 1)


def model_inputs(source: np.ndarray, answer: np.ndarray) -> list:
    """The two inputs of a model: the source digits and the decoder's inputs for ``answer``, one-hot."""
    return [one_hot(source), decoder_inputs(answer)]


def build(name: str):
    """The untrained encoder–decoder of cell kind ``name``: encoder, hand-over by ``initial_state``, decoder, head."""
    import keras

    if name not in MODELS:
        raise InputError(f"name: expected one of {', '.join(MODELS)}, got {name!r}")
    layer = keras_layer(name)
    source = keras.Input((LENGTH, DIGITS), name="source")
    previous = keras.Input((LENGTH, DIGITS + 1), name="previous")
    encoder, decoder, head = LAYER_NAMES
    _, *states = layer(UNITS, return_state=True, name=encoder)(source)
    # return_state, though the model does not use the decoder's states: generate() carries them step by step
    decoded, *_ = layer(UNITS, return_sequences=True, return_state=True, name=decoder)(previous, initial_state=states)
    digit = keras.layers.Dense(DIGITS, activation="softmax", name=head)(decoded)
    return keras.Model([source, previous], digit, name=f"reverse_{name.lower()}")


def train(data: dict, seed: int, progress) -> dict:
    """Each model from ``seed``, with teacher forcing, on the same sequences in the same order."""
    import keras

    models = {}
    for name in MODELS:
        progress(f"lesson encoder_decoder: training the {name} ({EPOCHS} epochs)")
        keras.utils.set_random_seed(seed)
        model = build(name)
        model.compile(optimizer=optimizer(), loss="sparse_categorical_crossentropy", jit_compile=True)
        model.fit(model_inputs(data["x"], data["y"]), data["y"], epochs=EPOCHS, batch_size=BATCH, verbose=0)
        models[name] = model
    return models


def optimizer():
    """Adam, its learning rate decaying from :data:`LEARNING_RATE` to 0 along a cosine over the training, so the
    last epochs settle instead of jumping between solutions."""
    import keras

    steps = EPOCHS * -(-TRAIN_SEQUENCES // BATCH)
    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps), global_clipnorm=1.0)


def generate(model, source: np.ndarray) -> tuple:
    """The answer ``model`` writes on its own for ``source`` (batch, LENGTH): ``(digits, probabilities)``.

    The encoder reads the source; its final states start the decoder, which then
    takes one step at a time, reading the digit it wrote last (the start token
    first), its states carried from step to step; each step's digit is the head's
    most probable one.
    """
    from keras import ops

    encoder, decoder, head = (model.get_layer(name) for name in LAYER_NAMES)
    _, *states = encoder(one_hot(source))
    written, probabilities = [], []
    token = np.full(len(source), START)
    for _ in range(LENGTH):
        output, *states = decoder(one_hot(token, DIGITS + 1)[:, None], initial_state=states)
        step = ops.convert_to_numpy(head(output))[:, 0]
        token = step.argmax(axis=-1).astype(np.int8)
        written.append(token)
        probabilities.append(step)
    return np.stack(written, axis=1), np.stack(probabilities, axis=1)


def from_zero_state(model, source: np.ndarray, answer: np.ndarray) -> np.ndarray:
    """The probabilities of ``model``'s decoder with teacher forcing started from a zero state (the hand-over cut):
    (batch, LENGTH, DIGITS). ``source`` is not read: nothing hands it over."""
    from keras import ops

    _, decoder, head = (model.get_layer(name) for name in LAYER_NAMES)
    decoded, *_ = decoder(decoder_inputs(answer))  # no initial_state: zeros
    return ops.convert_to_numpy(head(decoded))


def measure(models: dict, data: dict) -> dict:
    """Per model: the digits it says with teacher forcing, from a zero state, and written on its own."""
    source, answer = data["held_out_x"], data["held_out_y"]
    results = {"source": source, "answer": answer}
    for name, model in models.items():
        forced = model.predict(model_inputs(source, answer), batch_size=len(source), verbose=0)
        written, probabilities = generate(model, source)
        results[f"teacher_forced_{name}"] = forced.argmax(axis=-1).astype(np.int8)
        results[f"zero_state_{name}"] = from_zero_state(model, source, answer).argmax(axis=-1).astype(np.int8)
        results[f"written_{name}"] = written
        results[f"written_probability_{name}"] = np.take_along_axis(probabilities, written[..., None], -1)[..., 0]
    return results


def showcase(models: dict, data: dict) -> dict:
    """Each model recorded on the first :data:`SHOWCASE_SEQUENCES` held-out sources, its decoder fed the answer it
    wrote itself (:func:`generate`): the single recorded pass is the decoder's own run. Sample 0:
    :data:`SHOWCASE_SOURCE`."""
    return {name: record_written(model, data["held_out_x"][:SHOWCASE_SEQUENCES]) for name, model in models.items()}


def record_written(model, source: np.ndarray):
    """:func:`rnnviz.record` of ``model`` on ``source`` and the answer it writes itself (:func:`generate`)."""
    import rnnviz

    written, _ = generate(model, source)
    return rnnviz.record(model, model_inputs(source, written))


def digits_right(said: np.ndarray, answer: np.ndarray) -> float:
    """The fraction of digits right."""
    return float(np.mean(said == answer))


def answers_right(said: np.ndarray, answer: np.ndarray) -> float:
    """The fraction of answers right in every digit."""
    return float(np.mean((said == answer).all(axis=1)))


def _copying(results) -> float:
    """Digits right by copying the source in the order it was read: the baseline that ignores the order."""
    return digits_right(results["source"], results["answer"])


def _solves(results):
    right = {name: digits_right(results[f"teacher_forced_{name}"], results["answer"]) for name in MODELS}
    return all(value >= SOLVES for value in right.values()), {
        **{f"{name} digits right": value for name, value in right.items()},
        "chance": 1 / DIGITS, "copying in order": _copying(results)}


def _hand_over_matters(results):
    numbers, holds = {}, True
    for name in MODELS:
        handed = digits_right(results[f"teacher_forced_{name}"], results["answer"])
        zero = digits_right(results[f"zero_state_{name}"], results["answer"])
        holds &= handed >= SOLVES and zero <= AT_CHANCE
        numbers |= {f"{name} from the encoder's state": handed, f"{name} from a zero state": zero}
    return holds, numbers | {"chance": 1 / DIGITS}


def _writes_on_its_own(results):
    numbers, holds = {}, True
    for name in MODELS:
        whole = answers_right(results[f"written_{name}"], results["answer"])
        holds &= whole >= WRITES
        numbers |= {f"{name} answers right": whole,
                    f"{name} digits right": digits_right(results[f"written_{name}"], results["answer"])}
    return holds, numbers


def _shown_sequence(results):
    """The sequence the pictures draw (held-out 0): every model writes it right on its own."""
    said = {name: results[f"written_{name}"][0] for name in MODELS}
    right = {name: bool((value == results["answer"][0]).all()) for name, value in said.items()}
    return all(right.values()), {"source": results["source"][0],
                                 **{f"{name} writes": value for name, value in said.items()}}


def shown_task() -> str:
    """What the pictures of this lesson say it is (the sequence they draw: held-out sample 0)."""
    return (f"trained to write {LENGTH} digits backwards ({' '.join(map(str, SHOWCASE_SOURCE))} → "
            f"{' '.join(map(str, SHOWCASE_SOURCE[::-1]))})")


LESSON = Lesson(
    name="encoder_decoder",
    title="An encoder–decoder: the encoder's state handed to a decoder that writes the digits backwards",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("solves_the_task", f"Trained with teacher forcing, the LSTM and the GRU encoder–decoders write "
              f"held-out sequences of {LENGTH} digits backwards: at least {SOLVES:.0%} of the digits right (chance "
              f"{1 / DIGITS:.0%}; copying the digits in the order read gets about {COPYING:.0%})", _solves),
        Claim("the_hand_over_matters", f"Started from a zero state instead of the encoder's, the same decoder is no "
              f"better than chance: at most {AT_CHANCE:.0%} of the digits right", _hand_over_matters),
        Claim("writes_on_its_own", f"Fed its own previous digit, one step at a time, the decoder writes at least "
              f"{WRITES:.0%} of the held-out answers right in all {LENGTH} digits", _writes_on_its_own),
        Claim("the_shown_sequence_shows_it", f"The sequence the pictures show ({' '.join(map(str, SHOWCASE_SOURCE))}) "
              "is written back right by every model on its own", _shown_sequence),
    ),
    recipe=(f"an encoder and a decoder of {UNITS} units each (LSTM; GRU), the encoder's final states the decoder's "
            f"initial state, a Dense softmax head per step; {TRAIN_SEQUENCES} different sequences of {LENGTH} digits, "
            f"one-hot; teacher forcing; Adam (learning rate {LEARNING_RATE} decaying to 0 along a cosine, "
            f"global_clipnorm 1), batch {BATCH}, "
            f"{EPOCHS} epochs; measured on {HELD_OUT_SEQUENCES} other sequences"),
    showcase=showcase,
    tokens=TOKENS,
    fed_back={"previous": "digit"},  # the showcase is the decoder's own run: it reads the digit it wrote last
)

"""Lesson ``agreement``: "The BA students, which had been working for days on end, was …": does a recurrent
network still know the subject's number when the verb comes?

The lecture's sentence (slide "When memory loss can be a problem") puts
an eight-word relative clause between a plural subject and its verb. The task here
is that sentence's: a subject, singular or plural ("the BA student", "the
teachers", …), a comma, a relative clause of :data:`LENGTHS` words ("which had
been working for days on end", or longer: more prepositional phrases), a comma,
and then the verb, whose number (``was`` / ``were``) the model predicts. Every
noun in the clause is singular or plural by a fair coin, so about half of them
have the other number than the subject (attractors, as in agreement-attraction
studies, Linzen et al. 2016) and the clause says nothing of the subject's number:
only memory of the subject does. No verb in the clause shows number (``had``).
The models read words in lower case, so the clause's "the" is the subject's "The".

Two models of :data:`UNITS` units, the same but for the cell, read the token ids:
an embedding, a ``SimpleRNN`` or an ``LSTM``, and ``Dense(1, sigmoid)`` after each
word: the probability that the verb is plural if it came next. Only the output
after the last word (where the verb comes) is trained. Both are trained on short
clauses, of every length in :data:`LENGTHS` (most dependencies in text are short),
and in training only, Gaussian noise is added to ``h`` after every step (σ ramped
from 0 to :data:`NOISE`; an LSTM's ``c`` gets none): without it, a SimpleRNN learns
to latch the one bit of number in a saturated unit and holds it at any distance
(benchmarks/README.md: what was tried); with it, it learns a memory that fades, as
the lecture says it does. The shipped models are the plain layers with the trained
weights, measured without noise.

What is measured, on held-out sentences (the other half of all sentences by a
fixed hash: none trained on), :data:`PER_LENGTH` per clause length in
:data:`MEASURED`: each model's accuracy, and how far its answer moves when only
the subject's number is changed (its twin sentence); on the slide's own sentence,
each model's output after each word (before the second comma it reads states it
was never trained on); and the LSTM's unit of its cell state
``c`` whose value after the last word correlates most with the subject's number
over the held-out sentences, with its value after each word of the slide's
sentence.

What was found (the claims, 5 seeds): the LSTM keeps the subject's number at
every length up to 40 words; the SimpleRNN keeps it over the short clauses it was
trained on, and loses it as the clause grows: at 35–40 words its answer is at
chance and no longer depends on the subject at all. Both still say "were" after
the slide's 8-word clause.
"""

from __future__ import annotations

import zlib

import numpy as np

from rnnviz.errors import InputError
from rnnviz.lessons.base import Claim, Lesson, keras_layer

SUBJECTS = (("student", "students"), ("teacher", "teachers"), ("professor", "professors"), ("engineer", "engineers"))
ADJECTIVES = ("BA", "MA", "new")
NOUNS = SUBJECTS + (("day", "days"), ("end", "ends"), ("hour", "hours"), ("week", "weeks"), ("project", "projects"),
                    ("lab", "labs"), ("exam", "exams"), ("friend", "friends"))  # in the clause: any of these
OPENERS = (("which", "worked"), ("which", "had", "worked"), ("which", "had", "been", "working"),
           ("which", "studied"), ("which", "had", "studied"), ("which", "had", "been", "studying"))
PREPOSITIONS = ("for", "on", "with", "in", "at", "after")
VERBS = ("was", "were")  # the verb's two numbers: predicted, never read
PAD = ""  # token id 0: padding before a short sentence (masked)
VOCABULARY = tuple(dict.fromkeys(  # token id -> word; the models read words in lower case ("The" is "the")
    (PAD, "the", *(word.lower() for word in ADJECTIVES), *(noun for pair in NOUNS for noun in pair), ",",
     *(word for opener in OPENERS for word in opener), *PREPOSITIONS, *VERBS)))
TOKENS = dict(enumerate(VOCABULARY))  # how the pictures write each token id
SLIDE = ("The BA students , which had been working for days on end , was finally done with their projects .").split()
SHOWN = tuple(SLIDE[:SLIDE.index("was")])  # what the models read of the slide's sentence: up to the verb
SHOWN_VERB = "was"  # the slide's verb (the subject is plural: it should be "were")
SHOWN_CLAUSE = len(SHOWN) - SHOWN.index(",") - 2  # the slide's clause, in words (8), between its two commas
MODELS = ("SimpleRNN", "LSTM")

LENGTHS = (2, 6)  # clause lengths trained on, in words, every one from the first to the last
MEASURED = (2, 4, 7, 10, 15, 20, 25, 30, 35, 40)  # clause lengths measured on (the slide's has 8 words)
PER_LENGTH = 400  # held-out sentences per measured length, half of them with a plural subject
UNITS, EMBEDDING = 16, 8
TRAIN_SENTENCES = 8000
EPOCHS, BATCH, LEARNING_RATE = 20, 64, 0.005
NOISE, NOISE_RAMP = 0.8, 5  # in training, N(0, σ) added to h after every step; σ ramps from 0 to NOISE in 5 epochs

KEEPS = 0.95  # the LSTM at least this accurate at every measured clause length; the SimpleRNN at the short ones
SHORT = (2, 4)  # clause lengths (words) at which the SimpleRNN still keeps the number: as long as trained ones
FADED, LONG = 0.6, (35, 40)  # the SimpleRNN at most this accurate at these clause lengths (chance is 0.5)
SURE = 0.9  # at the slide's verb, each model's P(plural) at least this: "were"
TRACKS = 0.9  # the LSTM's number-tracking unit: |correlation| with the subject's number at least this
UNMOVED, MOVED = 0.05, 0.9  # changing the subject's number moves the answer at most / at least this much


def ids(words) -> np.ndarray:
    """The token ids of ``words`` (a sequence of words of :data:`VOCABULARY`), else an InputError naming each
    unknown word."""
    words = list(words)
    unknown = list(dict.fromkeys(word for word in words if str(word).lower() not in VOCABULARY or word == PAD))
    if unknown:
        raise InputError(f"words: {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not in the "
                         f"lesson's vocabulary; it knows {', '.join(word for word in VOCABULARY if word)}")
    return np.array([VOCABULARY.index(word.lower()) for word in words], np.int32)


def words(token_ids) -> tuple:
    """The words of ``token_ids``, padding left out."""
    return tuple(VOCABULARY[int(token)] for token in np.asarray(token_ids).ravel() if token != 0)


def _clause(length: int, rng) -> list:
    """A relative clause of exactly ``length`` words (≥ 2): an opener, then prepositional phrases of 2 or 3 words
    whose nouns are singular or plural by a fair coin. Returns ``[(word, number or None), ...]``."""
    openers = [opener for opener in OPENERS if length - len(opener) in (0,) or length - len(opener) >= 2]
    clause = [(word, None) for word in openers[rng.integers(len(openers))]]
    left = length - len(clause)
    while left:
        sizes = [size for size in (2, 3) if left - size == 0 or left - size >= 2]
        size = sizes[rng.integers(len(sizes))]
        number = int(rng.integers(2))
        clause += [(PREPOSITIONS[rng.integers(len(PREPOSITIONS))], None)] + [("the", None)] * (size - 2)
        clause.append((NOUNS[rng.integers(len(NOUNS))][number], number))
        left -= size
    return clause


def sentences(lengths, *, seed: int = 0) -> dict:
    """One sentence per entry of ``lengths`` (clause lengths in words), read up to its verb, pre-padded with 0.

    Returns ``x`` (count, longest) token ids; ``y`` 1.0 where the subject, and so the verb, is plural; ``length``
    the clause lengths; ``attractors`` how many clause nouns have the other number than the subject;
    ``nearest_plural`` 1.0 where the clause's last noun is plural (-1 if it has none).
    """
    lengths = np.asarray(lengths, int)
    if lengths.ndim != 1 or lengths.size == 0 or lengths.min() < 2:
        raise InputError(f"lengths: expected clause lengths of 2 words or more, got {lengths.tolist()}")
    rng = np.random.default_rng(seed)
    rows, plural = [], rng.permutation(np.arange(len(lengths)) % 2)
    attractors, nearest = np.zeros(len(lengths), int), np.full(len(lengths), -1.0)
    for row, length in enumerate(lengths):
        adjective = [ADJECTIVES[rng.integers(len(ADJECTIVES))]] if rng.integers(2) else []
        subject = SUBJECTS[rng.integers(len(SUBJECTS))][plural[row]]
        clause = _clause(int(length), rng)
        numbers = [number for _, number in clause if number is not None]
        attractors[row] = sum(number != plural[row] for number in numbers)
        nearest[row] = numbers[-1] if numbers else -1.0
        rows.append(ids(["the", *adjective, subject, ",", *(word for word, _ in clause), ","]))
    x = np.zeros((len(rows), max(map(len, rows))), np.int32)
    for row, tokens in enumerate(rows):
        x[row, x.shape[1] - len(tokens):] = tokens
    return {"x": x, "y": plural.astype(np.float32), "length": lengths, "attractors": attractors,
            "nearest_plural": nearest}


def measured_half(token_ids) -> bool:
    """Whether the sentence of ``token_ids`` (padding left out) is of the half measured on, never trained on: every
    possible sentence falls in one half by a fixed hash of its words, so short clauses, of which there are few
    sentences (64 of 2 words), are both trained and measured on, never the same sentence."""
    tokens = np.asarray(token_ids, np.int32).ravel()
    return zlib.crc32(tokens[tokens > 0].tobytes()) % 2 == 1


def _drawn(lengths, seed: int, measured: bool) -> dict:
    """:func:`sentences` of ``lengths`` from ``seed``, each from the half :func:`measured_half` says, half of each
    length's with a plural subject (drawn again, in order, until every length has enough)."""
    lengths = np.asarray(lengths, int)
    wanted = {}
    for length, count in zip(*np.unique(lengths, return_counts=True)):
        wanted[int(length), 1.0], wanted[int(length), 0.0] = count // 2, count - count // 2
    made = []
    for attempt in range(100):
        drawn = sentences(np.repeat([length for length, _ in wanted], [4 * count for count in wanted.values()]),
                          seed=seed + 1000 * attempt)
        keep = np.array([measured_half(row) == measured for row in drawn["x"]])
        for (length, plural), count in wanted.items():
            rows = np.flatnonzero(keep & (drawn["length"] == length) & (drawn["y"] == plural))[:count]
            made.append({key: value[rows] for key, value in drawn.items()})
            wanted[length, plural] -= len(rows)
        wanted = {key: count for key, count in wanted.items() if count}
        if not wanted:
            break
    else:
        raise RuntimeError(f"too few sentences in the {'measured' if measured else 'trained'} half: {wanted}")
    longest = max(part["x"].shape[1] for part in made)
    for part in made:  # pre-padded to the longest sentence of all
        part["x"] = np.pad(part["x"], ((0, 0), (longest - part["x"].shape[1], 0)))
    made = {key: np.concatenate([part[key] for part in made]) for key in made[0]}
    order = np.lexsort((np.arange(len(made["length"])), made["length"]))
    return {key: value[order] for key, value in made.items()}


def make_data(seed: int) -> dict:
    """Training sentences with clauses of every length in :data:`LENGTHS`, shuffled; held out, :data:`PER_LENGTH` per
    measured length, from the other half of all sentences (:func:`measured_half`), as is the slide's sentence."""
    rng = np.random.default_rng(seed)
    training = _drawn(rng.integers(LENGTHS[0], LENGTHS[1] + 1, size=TRAIN_SENTENCES), seed, measured=False)
    shuffled = rng.permutation(TRAIN_SENTENCES)
    held = _drawn(np.repeat(MEASURED, PER_LENGTH), seed + 1, measured=True)
    return {"x": training["x"][shuffled], "y": training["y"][shuffled],
            "held_out_x": held["x"], "held_out_y": held["y"], "held_out_length": held["length"],
            "held_out_attractors": held["attractors"], "held_out_nearest_plural": held["nearest_plural"]}


def build(name: str):
    """The untrained model ``name``: token ids in (0 = padding, masked), P(the verb is plural) out."""
    if name not in MODELS:
        raise InputError(f"name: expected one of {', '.join(MODELS)}, got {name!r}")
    return _model(name, keras_layer(name)(UNITS, return_sequences=True, name=name.lower()))


def _model(name: str, recurrent, suffix: str = ""):
    """Words -> embedding -> ``recurrent`` (a layer) -> Dense(1, sigmoid) after each word."""
    import keras

    tokens = keras.Input((None,), dtype="int32", name="words")
    embedded = keras.layers.Embedding(len(VOCABULARY), EMBEDDING, mask_zero=True, name="embedding")(tokens)
    plural = keras.layers.Dense(1, activation="sigmoid", name="plural")(recurrent(embedded))
    return keras.Model(tokens, plural, name=f"agreement_{name.lower()}{suffix}")


def _noisy_cell(name: str, sigma):
    """The cell of layer ``name`` that, in training only, adds N(0, ``sigma``) to its output ``h`` after every step
    (to the ``h`` it carries on, too; an LSTM's ``c`` gets none). ``sigma``: a Keras variable the training ramps up."""
    import keras

    base = getattr(keras.layers, keras_layer(name).__name__ + "Cell")

    class NoisyCell(base):
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.noise_seed = keras.random.SeedGenerator()

        def call(self, inputs, states, training=False):
            output, carried = super().call(inputs, states, training=training)
            if not training:
                return output, carried
            output = output + sigma * keras.random.normal(keras.ops.shape(output), seed=self.noise_seed)
            return output, [output, *carried[1:]] if isinstance(carried, (list, tuple)) else output

    return NoisyCell(UNITS, name=f"noisy_{name.lower()}_cell")


def _training_model(name: str, sigma):
    """The model ``name`` as :func:`build` makes it, its cell adding noise to ``h`` in training (same weights)."""
    import keras

    return _model(name, keras.layers.RNN(_noisy_cell(name, sigma), return_sequences=True, name=name.lower()), "_noisy")


def noise_at(epoch: int) -> float:
    """The noise's standard deviation in epoch ``epoch`` (from 0): 0, then up in a ramp to :data:`NOISE`."""
    return NOISE * min(1.0, epoch / NOISE_RAMP)


def train(data: dict, seed: int, progress) -> dict:
    """Both models, each from ``seed``, on the same sentences in the same order; trained with noise on ``h``
    (:func:`noise_at`), shipped as :func:`build` makes them with the trained weights (no noise)."""
    import keras

    models = {}
    for name in MODELS:
        progress(f"lesson agreement: training the {name} ({EPOCHS} epochs, noise on h in training)")
        keras.utils.set_random_seed(seed)
        sigma = keras.Variable(0.0, trainable=False, name="noise")
        noisy = _training_model(name, sigma)
        noisy.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=1.0), loss="binary_crossentropy")
        at_verb = np.zeros(data["x"].shape, np.float32)
        at_verb[:, -1] = 1  # the verb comes after the last word: its number is learnt there, nothing elsewhere
        targets = np.broadcast_to(data["y"][:, None, None], (*data["x"].shape, 1))
        ramp = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: sigma.assign(noise_at(epoch)))
        noisy.fit(data["x"], targets, sample_weight=at_verb, epochs=EPOCHS, batch_size=BATCH, verbose=0,
                  callbacks=[ramp])
        models[name] = build(name)
        models[name].set_weights(noisy.get_weights())
    return models


def beliefs(model, token_ids) -> np.ndarray:
    """P(plural) after each token of one sentence of ``token_ids``: the model's output after each token (its output
    layer applied to the recurrent state there)."""
    return model.predict(np.asarray(token_ids, np.int32).reshape(1, -1), verbose=0)[0, :, 0]


def read(words, models=None) -> dict:
    """Each model's P(the verb is plural) after each of ``words`` (words of :data:`VOCABULARY`, up to the verb):
    model name -> ``(words,)``. ``models``: default the shipped ones (TensorFlow)."""
    from rnnviz import lessons

    token_ids = ids(words)
    if len(token_ids) == 0:
        raise InputError("words: expected one or more words")
    models = {name: lessons.model("agreement", name) for name in MODELS} if models is None else models
    return {name: beliefs(models[name], token_ids) for name in MODELS}


def other_subject(token_ids) -> np.ndarray:
    """``token_ids`` (sentences, pre-padded, one per row) with each subject of the other number ("students" ->
    "student"); nothing else changed. The subject is the word before the first comma."""
    token_ids = np.array(token_ids, np.int32, ndmin=2)
    swap = {VOCABULARY.index(one): VOCABULARY.index(other) for pair in SUBJECTS for one, other in (pair, pair[::-1])}
    for row in token_ids:
        commas = np.flatnonzero(row == VOCABULARY.index(","))
        if len(commas) == 0 or int(row[commas[0] - 1]) not in swap:
            raise InputError(f"token_ids: expected sentences of the lesson (a subject, then a comma), got "
                             f"{' '.join(words(row))!r}")
        row[commas[0] - 1] = swap[int(row[commas[0] - 1])]
    return token_ids


def _tracking_unit(model, data) -> tuple:
    """The LSTM's unit whose cell state after the last token correlates most (in absolute value) with the subject's
    number over the held-out sentences: ``(unit, correlation of every unit)``."""
    from rnnviz.recording.record import record

    c = record(model, data["held_out_x"]).layers[0].states["c"][:, -1]
    plural = data["held_out_y"]
    centred = c - c.mean(axis=0)
    correlation = centred.T @ (plural - plural.mean()) / (
        np.sqrt((centred ** 2).sum(axis=0) * ((plural - plural.mean()) ** 2).sum()) + 1e-12)
    return int(np.argmax(np.abs(correlation))), correlation


def measure(models: dict, data: dict) -> dict:
    """Per model: P(plural) on every held-out sentence, accuracy per measured length, and how far the answer moves
    when only the subject's number is changed (median per length); on the slide's sentence P(plural) after each
    token; the LSTM's number-tracking unit (of c) and its value after each token of the slide's sentence."""
    from rnnviz.recording.record import record

    x, y, length = data["held_out_x"], data["held_out_y"], data["held_out_length"]
    results = {"measured_lengths": np.asarray(MEASURED), "shown_ids": ids(SHOWN)}
    for name in MODELS:
        probability = models[name].predict(x, batch_size=1000, verbose=0)[:, -1, 0]
        swapped = models[name].predict(other_subject(x), batch_size=1000, verbose=0)[:, -1, 0]
        right = (probability > 0.5) == (y > 0.5)
        moved = np.abs(probability - swapped)
        results[f"probability_{name}"] = probability
        results[f"accuracy_{name}"] = np.array([right[length == each].mean() for each in MEASURED])
        results[f"subject_effect_{name}"] = np.array([np.median(moved[length == each]) for each in MEASURED])
        results[f"shown_belief_{name}"] = beliefs(models[name], results["shown_ids"])
    results["counts"] = np.array([np.sum(length == each) for each in MEASURED])
    unit, correlation = _tracking_unit(models["LSTM"], data)
    results["unit_correlations"] = correlation
    results["tracking_unit"] = np.asarray(unit)
    trace = record(models["LSTM"], results["shown_ids"][None])
    results["shown_unit"] = trace.layers[0].states["c"][0, :, unit]
    return results


def showcase(models: dict, data: dict) -> dict:
    """Both models recorded on the slide's sentence up to the verb."""
    from rnnviz.recording.record import record

    return {name: record(models[name], ids(SHOWN)[None]) for name in MODELS}


def _at(results, key: str, lengths) -> dict:
    """``results[key]`` (one value per measured clause length) at ``lengths``: length -> value."""
    return {length: float(results[key][MEASURED.index(length)]) for length in lengths}


def _lstm_keeps(results):
    accuracy = results["accuracy_LSTM"]
    return accuracy.min() >= KEEPS, {"LSTM lowest accuracy over the lengths": float(accuracy.min()),
                                     f"LSTM at {MEASURED[-1]} words": float(accuracy[-1])}


def _simple_rnn_loses(results):
    short, long = _at(results, "accuracy_SimpleRNN", SHORT), _at(results, "accuracy_SimpleRNN", LONG)
    numbers = {f"SimpleRNN at {length} words": value for length, value in {**short, **long}.items()}
    return min(short.values()) >= KEEPS and max(long.values()) <= FADED, numbers


def _slide_verb(results):
    believed = {name: float(results[f"shown_belief_{name}"][-1]) for name in MODELS}
    return min(believed.values()) >= SURE, {f"{name} P(plural) at the verb": value for name, value in believed.items()}


def _simple_rnn_forgets(results):
    effect = {name: _at(results, f"subject_effect_{name}", LONG) for name in MODELS}
    numbers = {f"{name} at {length} words": value for name in MODELS for length, value in effect[name].items()}
    return max(effect["SimpleRNN"].values()) <= UNMOVED and min(effect["LSTM"].values()) >= MOVED, numbers


def _unit_tracks(results):
    unit = int(results["tracking_unit"])
    correlation = float(results["unit_correlations"][unit])
    return abs(correlation) >= TRACKS, {"LSTM unit": unit, "its c's correlation with the subject's number": correlation}


LESSON = Lesson(
    name="agreement",
    title="The BA students … was: does a recurrent network still know the subject's number when the verb comes?",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("lstm_keeps_the_number", f"The LSTM gets the verb's number right on held-out sentences at every "
              f"clause length from {MEASURED[0]} to {MEASURED[-1]} words: at least {KEEPS:.0%} (chance is 50%)",
              _lstm_keeps),
        Claim("simple_rnn_loses_the_number", f"The SimpleRNN gets it right at least {KEEPS:.0%} of the time with "
              f"clauses of {' and '.join(map(str, SHORT))} words, as long as the ones it was trained on, and at most "
              f"{FADED:.0%} of the time (chance is 50%) with clauses of {' and '.join(map(str, LONG))} words: it "
              f"has lost the subject's number", _simple_rnn_loses),
        Claim("simple_rnn_forgets_the_subject", f"With clauses of {' and '.join(map(str, LONG))} words, changing "
              f"the subject's number (\"students\" -> \"student\") moves the SimpleRNN's P(plural) at the verb by at "
              f"most {UNMOVED:g} (median over the held-out sentences) and the LSTM's by at least {MOVED:g}",
              _simple_rnn_forgets),
        Claim("the_slide_sentence", f"On the slide's sentence both models say the verb is plural, \"were\", not "
              f"\"{SHOWN_VERB}\": P(plural) ≥ {SURE:g}", _slide_verb),
        Claim("a_unit_tracks_the_number", f"One unit of the LSTM's cell state c follows the subject's number at the "
              f"verb: its correlation with it over the held-out sentences is at least {TRACKS:g} in size",
              _unit_tracks),
    ),
    recipe=(f"an embedding of {EMBEDDING} per word, a SimpleRNN or an LSTM of {UNITS} units, Dense(1, sigmoid) after "
            f"each word, trained only after the last; {TRAIN_SENTENCES} sentences with clauses of {LENGTHS[0]}–"
            f"{LENGTHS[1]} words; in training only, Gaussian noise added to h after every step (σ from 0 up to "
            f"{NOISE:g} over the first {NOISE_RAMP} epochs; an LSTM's c gets none); Adam (learning rate "
            f"{LEARNING_RATE}, global clipnorm 1), batch {BATCH}, {EPOCHS} epochs; measured without noise on "
            f"{PER_LENGTH} other sentences per clause length"),
    showcase=showcase,
    tokens=TOKENS,
)

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
after the last word (where the verb comes) is trained. Both are trained on clauses
of every length in :data:`LENGTHS`, mixed.

What is measured, on held-out sentences (none trained on), :data:`PER_LENGTH` per
clause length in :data:`MEASURED`: each model's accuracy; on the slide's own
sentence, each model's output after each word (before the second comma it reads
states it was never trained on); and the LSTM's unit of its cell state ``c`` whose
value after the last word correlates most with the subject's number over the
held-out sentences, with its value after each word of the slide's sentence.

What was found (the claims, 5 seeds): both models keep the subject's number at
every length up to 40 words; the SimpleRNN's memory loss shows where what must be
kept is a graded number (lesson ``memory``, the adding problem), not one bit.
"""

from __future__ import annotations

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
MODELS = ("SimpleRNN", "LSTM")

LENGTHS = (2, 40)  # clause lengths trained on, in words, every one from the first to the last
MEASURED = (2, 4, 7, 10, 15, 20, 25, 30, 35, 40)  # clause lengths measured on (the slide's has 8 words)
PER_LENGTH = 400  # held-out sentences per measured length, half of them with a plural subject
UNITS, EMBEDDING = 16, 8
TRAIN_SENTENCES = 8000
EPOCHS, BATCH, LEARNING_RATE = 10, 64, 0.005

KEEPS = 0.95  # each model at least this accurate at every measured clause length
SURE = 0.9  # at the slide's verb, each model's P(plural) at least this: "were"
TRACKS = 0.9  # the LSTM's number-tracking unit: |correlation| with the subject's number at least this


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


def make_data(seed: int) -> dict:
    """Training sentences of every length in :data:`LENGTHS`; held out, :data:`PER_LENGTH` per measured length
    (sentences also drawn for training are dropped from training); the slide's sentence apart."""
    rng = np.random.default_rng(seed)
    held = sentences(np.repeat(MEASURED, PER_LENGTH), seed=seed + 1)
    training = sentences(rng.integers(LENGTHS[0], LENGTHS[1] + 1, size=TRAIN_SENTENCES), seed=seed)
    seen = {tuple(row[row > 0]) for row in held["x"]} | {tuple(ids(SHOWN))}
    keep = np.array([tuple(row[row > 0]) not in seen for row in training["x"]])
    return {"x": training["x"][keep], "y": training["y"][keep],
            "held_out_x": held["x"], "held_out_y": held["y"], "held_out_length": held["length"],
            "held_out_attractors": held["attractors"], "held_out_nearest_plural": held["nearest_plural"]}


def build(name: str):
    """The untrained model ``name``: token ids in (0 = padding, masked), P(the verb is plural) out."""
    import keras

    if name not in MODELS:
        raise InputError(f"name: expected one of {', '.join(MODELS)}, got {name!r}")
    tokens = keras.Input((None,), dtype="int32", name="words")
    embedded = keras.layers.Embedding(len(VOCABULARY), EMBEDDING, mask_zero=True, name="embedding")(tokens)
    state = keras_layer(name)(UNITS, return_sequences=True, name=name.lower())(embedded)
    plural = keras.layers.Dense(1, activation="sigmoid", name="plural")(state)
    return keras.Model(tokens, plural, name=f"agreement_{name.lower()}")


def train(data: dict, seed: int, progress) -> dict:
    """Both models, each from ``seed``, on the same sentences in the same order."""
    import keras

    models = {}
    for name in MODELS:
        progress(f"lesson agreement: training the {name} ({EPOCHS} epochs)")
        keras.utils.set_random_seed(seed)
        model = build(name)
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=1.0), loss="binary_crossentropy")
        at_verb = np.zeros(data["x"].shape, np.float32)
        at_verb[:, -1] = 1  # the verb comes after the last word: its number is learnt there, nothing elsewhere
        targets = np.broadcast_to(data["y"][:, None, None], (*data["x"].shape, 1))
        model.fit(data["x"], targets, sample_weight=at_verb, epochs=EPOCHS, batch_size=BATCH, verbose=0)
        models[name] = model
    return models


def beliefs(model, token_ids) -> tuple:
    """``(P(plural) after each token, the model's trace)`` for one sentence of ``token_ids``: the model's output
    after each token (its output layer applied to the recurrent state there)."""
    from rnnviz.recording.record import record

    token_ids = np.asarray(token_ids, np.int32)[None]
    return model.predict(token_ids, verbose=0)[0, :, 0], record(model, token_ids)


def read(words, models=None) -> dict:
    """Each model's P(the verb is plural) after each of ``words`` (words of :data:`VOCABULARY`, up to the verb):
    model name -> ``(words,)``. ``models``: default the shipped ones (TensorFlow)."""
    from rnnviz import lessons

    token_ids = ids(words)
    if len(token_ids) == 0:
        raise InputError("words: expected one or more words")
    models = {name: lessons.model("agreement", name) for name in MODELS} if models is None else models
    return {name: beliefs(models[name], token_ids)[0] for name in MODELS}


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
    """Per model: P(plural) on every held-out sentence, accuracy per measured length; on the slide's sentence
    P(plural) after each token; the LSTM's number-tracking unit (of c) and its value after each token."""
    x, y, length = data["held_out_x"], data["held_out_y"], data["held_out_length"]
    results = {"measured_lengths": np.asarray(MEASURED), "shown_ids": ids(SHOWN)}
    for name in MODELS:
        probability = models[name].predict(x, batch_size=1000, verbose=0)[:, -1, 0]
        right = (probability > 0.5) == (y > 0.5)
        results[f"probability_{name}"] = probability
        results[f"accuracy_{name}"] = np.array([right[length == each].mean() for each in MEASURED])
        results[f"shown_belief_{name}"], _ = beliefs(models[name], results["shown_ids"])
    results["counts"] = np.array([np.sum(length == each) for each in MEASURED])
    unit, correlation = _tracking_unit(models["LSTM"], data)
    results["unit_correlations"] = correlation
    results["tracking_unit"] = np.asarray(unit)
    _, trace = beliefs(models["LSTM"], results["shown_ids"])
    results["shown_unit"] = trace.layers[0].states["c"][0, :, unit]
    return results


def showcase(models: dict, data: dict) -> dict:
    """Both models recorded on the slide's sentence up to the verb."""
    from rnnviz.recording.record import record

    return {name: record(models[name], ids(SHOWN)[None]) for name in MODELS}


def _both_keep(results):
    lowest = {name: float(results[f"accuracy_{name}"].min()) for name in MODELS}
    numbers = {f"{name} lowest accuracy over the lengths": value for name, value in lowest.items()}
    numbers.update({f"{name} at {MEASURED[-1]} words": float(results[f"accuracy_{name}"][-1]) for name in MODELS})
    return min(lowest.values()) >= KEEPS, numbers


def _slide_verb(results):
    believed = {name: float(results[f"shown_belief_{name}"][-1]) for name in MODELS}
    return min(believed.values()) >= SURE, {f"{name} P(plural) at the verb": value for name, value in believed.items()}


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
        Claim("both_keep_the_number", f"Both models get the verb's number right on held-out sentences at every "
              f"clause length from {MEASURED[0]} to {MEASURED[-1]} words: at least {KEEPS:.0%} (chance is 50 %)",
              _both_keep),
        Claim("the_slide_sentence", f"On the slide's sentence both models say the verb is plural, \"were\", not "
              f"\"{SHOWN_VERB}\": P(plural) ≥ {SURE:g}", _slide_verb),
        Claim("a_unit_tracks_the_number", f"One unit of the LSTM's cell state c follows the subject's number at the "
              f"verb: its correlation with it over the held-out sentences is at least {TRACKS:g} in size",
              _unit_tracks),
    ),
    recipe=(f"an embedding of {EMBEDDING} per word, a SimpleRNN or an LSTM of {UNITS} units, Dense(1, sigmoid) after "
            f"each word, trained only after the last; {TRAIN_SENTENCES} sentences with clauses of {LENGTHS[0]}–"
            f"{LENGTHS[1]} words; Adam (learning rate {LEARNING_RATE}, global clipnorm 1), batch {BATCH}, {EPOCHS} "
            f"epochs; measured on {PER_LENGTH} other sentences per clause length"),
    showcase=showcase,
    tokens=TOKENS,
)

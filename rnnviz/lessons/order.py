"""Lesson ``order``: the same words in another order; a model that averages its words cannot tell, a SimpleRNN can.

The lecture opens with "Why do we care about sequences?" and the same words
shuffled, "care about sequences Why do we?". The task here is that slide's
question: is this a well-formed question? Sentences follow one template,
``wh-word auxiliary subject verb preposition object ?`` ("Why do we care about
sequences ?", "How can students learn from data ?"); each is paired with a
shuffle of its own words, which is not well formed. The label depends on the
order alone: a sentence and its shuffle hold the same words.

Two models, :data:`UNITS` units each, read the token ids:

- ``MeanOfEmbeddings``: an embedding per word, averaged over the sentence, then a
  small dense network. The average is the same for every order of the words, so
  this model gives a sentence and its shuffle the same answer, up to the rounding
  of a sum taken in another order, whatever it learns;
- ``SimpleRNN``: the same embedding read one word at a time by a SimpleRNN.

What is measured, on :data:`HELD_OUT_SENTENCES` held-out sentences (none trained
on) each with one shuffle: both models' probability that the input is well formed.
Held-out pair 0 is the slide's: :data:`SHOWN` and :data:`SHOWN_SHUFFLED`.
"""

from __future__ import annotations

import itertools

import numpy as np

from rnnviz.errors import InputError
from rnnviz.lessons.base import Claim, Lesson

TEMPLATE = (  # a well-formed question: one word of each kind, in this order
    ("Why", "How", "When", "Where", "What"),
    ("do", "can", "should", "will"),
    ("we", "you", "they", "students"),
    ("care", "learn", "think", "read", "write"),
    ("about", "from", "with", "on"),
    ("sequences", "data", "models", "words", "time"),
    ("?",),
)
VOCABULARY = tuple(word for kinds in TEMPLATE for word in kinds)  # token id -> word
TOKENS = dict(enumerate(VOCABULARY))  # how the pictures write each token id
SHOWN = ("Why", "do", "we", "care", "about", "sequences", "?")  # the lecture's sentence
SHOWN_SHUFFLED = ("care", "about", "sequences", "Why", "do", "we", "?")  # and its shuffle, from the same slide
MODELS = ("MeanOfEmbeddings", "SimpleRNN")
MODEL_TITLES = {"MeanOfEmbeddings": "mean of word embeddings", "SimpleRNN": "SimpleRNN"}  # how the pictures name them
UNITS, EMBEDDING = 16, 8
TRAIN_SENTENCES, HELD_OUT_SENTENCES = 3000, 1000
EPOCHS, BATCH, LEARNING_RATE = 30, 64, 0.005

TELLS_APART = 0.95  # at least this fraction of held-out sentences and shuffles told right
SURE = 0.9  # the shown sentence at least this probable, its shuffle at most 1 - SURE
ROUNDING = 1e-5  # an order-blind model's two answers differ by at most this: the rounding of a sum in another order


def ids(words) -> np.ndarray:
    """The token ids of ``words`` (a sequence of words of :data:`VOCABULARY`)."""
    unknown = [word for word in words if word not in VOCABULARY]
    if unknown:
        raise InputError(f"words: {unknown[0]!r} is not in the lesson's vocabulary; it knows {', '.join(VOCABULARY)}")
    return np.array([VOCABULARY.index(word) for word in words], np.int32)


def words(token_ids) -> tuple:
    """The words of ``token_ids``."""
    return tuple(VOCABULARY[int(token)] for token in np.asarray(token_ids).ravel())


def sentence_pairs(count: int, *, seed: int = 0, exclude=()) -> np.ndarray:
    """``count`` different well-formed sentences, each with a shuffle of its words that is not well formed:
    token ids ``(count, 2, 7)``, ``[:, 0]`` the sentence and ``[:, 1]`` its shuffle. Sentences among ``exclude``
    (word tuples) are left out."""
    rng = np.random.default_rng(seed)
    excluded = set(exclude)
    every = [sentence for sentence in itertools.product(*TEMPLATE) if sentence not in excluded]
    if count > len(every):
        raise InputError(f"count: the template makes {len(every)} sentences, got {count}")
    chosen = [every[index] for index in rng.choice(len(every), size=count, replace=False)]
    pairs = np.empty((count, 2, len(TEMPLATE)), np.int32)
    for row, sentence in enumerate(chosen):
        pairs[row, 0] = ids(sentence)
        order = np.arange(len(sentence))
        while np.array_equal(order, np.arange(len(sentence))):  # a shuffle that is not the sentence itself
            order = rng.permutation(len(sentence))
        pairs[row, 1] = pairs[row, 0][order]
    return pairs


def make_data(seed: int) -> dict:
    """Training pairs and held-out pairs drawn from disjoint sentences; held-out pair 0 is the slide's."""
    held_out = sentence_pairs(HELD_OUT_SENTENCES - 1, seed=seed + 1, exclude=[SHOWN])
    held_out = np.concatenate([np.stack([ids(SHOWN), ids(SHOWN_SHUFFLED)])[None], held_out])
    seen = [words(pair[0]) for pair in held_out]
    training = sentence_pairs(TRAIN_SENTENCES, seed=seed, exclude=seen)
    labels = np.tile(np.array([1.0, 0.0], np.float32), (TRAIN_SENTENCES, 1))
    return {"x": training.reshape(-1, len(TEMPLATE)), "y": labels.reshape(-1),
            "held_out_x": held_out, "held_out_y": np.tile(np.array([1.0, 0.0], np.float32), (len(held_out), 1))}


def build(name: str):
    """The untrained model ``name``: token ids in, the probability that they are a well-formed question out."""
    import keras

    if name not in MODELS:
        raise InputError(f"name: expected one of {', '.join(MODELS)}, got {name!r}")
    tokens = keras.Input((None,), dtype="int32", name="words")
    embedded = keras.layers.Embedding(len(VOCABULARY), EMBEDDING, name="embedding")(tokens)
    if name == "SimpleRNN":
        summary = keras.layers.SimpleRNN(UNITS, name="simple_rnn")(embedded)
    else:
        averaged = keras.layers.GlobalAveragePooling1D(name="mean")(embedded)
        summary = keras.layers.Dense(UNITS, activation="relu", name="hidden")(averaged)
    answer = keras.layers.Dense(1, activation="sigmoid", name="well_formed")(summary)
    return keras.Model(tokens, answer, name=f"order_{name.lower()}")


def train(data: dict, seed: int, progress) -> dict:
    """Both models, each from ``seed``, on the same sentences and shuffles in the same order."""
    import keras

    models = {}
    for name in MODELS:
        progress(f"lesson order: training the {name} ({EPOCHS} epochs)")
        keras.utils.set_random_seed(seed)
        model = build(name)
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="binary_crossentropy")
        model.fit(data["x"], data["y"], epochs=EPOCHS, batch_size=BATCH, verbose=0)
        models[name] = model
    return models


def measure(models: dict, data: dict) -> dict:
    """Each model's probability that each held-out sentence and its shuffle are well formed: ``(pairs, 2)``."""
    pairs = data["held_out_x"]
    flat = pairs.reshape(-1, pairs.shape[-1])
    results = {"held_out_x": pairs}
    for name, model in models.items():
        results[f"probability_{name}"] = model.predict(flat, batch_size=len(flat), verbose=0).reshape(pairs.shape[:2])
    return results


def showcase(models: dict, data: dict) -> dict:
    """The SimpleRNN recorded on the slide's sentence and its shuffle (its state after each word)."""
    from rnnviz.recording.record import record

    return {"SimpleRNN": record(models["SimpleRNN"], data["held_out_x"][0])}


def read(sentences, models=None) -> tuple:
    """Each model's probability that each of ``sentences`` (sequences of words of :data:`VOCABULARY`, any lengths)
    is a well-formed question, and the SimpleRNN's state h after each word: ``({model: (sentences,)}, [(words,
    units) per sentence])``. ``models``: default the shipped ones (TensorFlow)."""
    from rnnviz import lessons
    from rnnviz.recording.record import record

    sentences = [ids(words) for words in sentences]
    if not sentences or any(len(sentence) == 0 for sentence in sentences):
        raise InputError("sentences: expected one or more sentences of one or more words")
    models = {name: lessons.model("order", name) for name in MODELS} if models is None else models
    answers = {name: np.array([float(models[name].predict(sentence[None], verbose=0)[0, 0]) for sentence in sentences])
               for name in MODELS}
    states = [record(models["SimpleRNN"], sentence[None]).layers[0].states["h"][0] for sentence in sentences]
    return answers, states


def shown(sentences, answers: dict, states, rows):
    """What the pictures show (an :class:`~rnnviz.views.order.OrderView`): ``sentences`` (rows of words), each
    model's ``answers`` (model name -> one per row) under its title, the SimpleRNN's ``states`` after each word."""
    from rnnviz.views.order import order_view

    return order_view([tuple(words) for words in sentences],
                      {MODEL_TITLES[name]: values for name, values in answers.items()}, states=list(states),
                      rows=rows, answer_name="P(a well-formed question)")


def accuracy(probabilities) -> float:
    """The fraction of sentences (column 0) judged well formed and shuffles (column 1) judged not, at 0.5."""
    probabilities = np.asarray(probabilities)
    return float(np.mean(np.concatenate([probabilities[:, 0] > 0.5, probabilities[:, 1] < 0.5])))


def _rnn_tells_them_apart(results):
    told = accuracy(results["probability_SimpleRNN"])
    return told >= TELLS_APART, {"SimpleRNN held-out accuracy": told}


def _blind_cannot(results):
    blind = results["probability_MeanOfEmbeddings"]
    gap = float(np.max(np.abs(blind[:, 0] - blind[:, 1])))
    return gap <= ROUNDING and accuracy(blind) <= 0.5, {"largest gap between a sentence and its shuffle": gap,
                             "mean-of-embeddings held-out accuracy": accuracy(blind)}


def _shown_pair(results):
    rnn, blind = results["probability_SimpleRNN"][0], results["probability_MeanOfEmbeddings"][0]
    holds = rnn[0] >= SURE and rnn[1] <= 1 - SURE and abs(blind[0] - blind[1]) <= ROUNDING
    return holds, {"SimpleRNN: sentence, shuffle": rnn, "mean of embeddings: sentence, shuffle": blind}


LESSON = Lesson(
    name="order",
    title="Order matters: the same words in another order, told apart by a SimpleRNN and not by their average",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("rnn_tells_them_apart", f"The SimpleRNN tells held-out questions from shuffles of the same words: at "
              f"least {TELLS_APART:.0%} right", _rnn_tells_them_apart),
        Claim("blind_cannot", "Averaging the words' embeddings forgets their order: the model gives every held-out "
              f"sentence and its shuffle the same answer (to {ROUNDING:g}), so it is right on at most half of them",
              _blind_cannot),
        Claim("the_shown_sentence", f"On the slide's sentence the SimpleRNN is sure it is a question (≥ {SURE:g}) and "
              f"its shuffle is not (≤ {1 - SURE:.1f}); the average gives both the same answer", _shown_pair),
    ),
    recipe=(f"an embedding of {EMBEDDING} per word, then a SimpleRNN of {UNITS} units, or the embeddings' mean and "
            f"Dense({UNITS}, relu); Dense(1, sigmoid); {TRAIN_SENTENCES} sentences and a shuffle of each; Adam "
            f"(learning rate {LEARNING_RATE}), batch {BATCH}, {EPOCHS} epochs; measured on {HELD_OUT_SENTENCES} other "
            f"sentences and their shuffles"),
    showcase=showcase,
    tokens=TOKENS,
)

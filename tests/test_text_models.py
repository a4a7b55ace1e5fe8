"""Models that read text: a TextVectorization first layer (record takes the strings the model takes), and the
mask a functional Embedding(mask_zero=True) computes, which is not a layer of the diagram."""

import keras
import numpy as np
import pytest

import rnnviz
from rnnviz.diagrams.architecture import stages_from_trace
from rnnviz.errors import InputError

TEXTS = ["the students were done", "the student was done with the project", "a lab"]


def text_model(steps=8):
    vectorize = keras.layers.TextVectorization(max_tokens=50, output_sequence_length=steps)
    vectorize.adapt(TEXTS)
    text = keras.Input((1,), dtype="string")
    tokens = keras.layers.Embedding(51, 4, mask_zero=True, name="embedding")(vectorize(text))
    states = keras.layers.LSTM(3, return_sequences=True, name="lstm")(tokens)
    return keras.Model(text, keras.layers.Dense(1, name="dense")(states)), keras.Model(text, states)


def test_a_text_model_is_recorded_on_its_strings():
    model, up_to_lstm = text_model()
    x = np.array(TEXTS)[:, None]
    trace = rnnviz.record(model, x)
    expected = np.asarray(up_to_lstm(x.astype(object)))
    np.testing.assert_allclose(trace["lstm"].states["h"], expected, atol=1e-5)
    assert trace["lstm"].states["h"].shape == (3, 8, 3)
    assert trace["lstm"].mask[2].tolist() == [True, True] + [False] * 6  # "a lab": two words, then padding


def test_its_diagram_reads_token_ids_and_draws_no_mask_operation():
    model, _ = text_model(steps=6)
    stages = stages_from_trace(rnnviz.record(model, np.array(TEXTS)[:, None]))
    assert [(stage.name, stage.role) for stage in stages][1:] == [
        ("embedding", "embedding"), ("lstm", "recurrent"), ("dense", "dense")]
    assert stages[0].role == "input" and stages[0].steps == 6 and stages[0].extra["tokens"]


def test_numbers_given_to_a_text_model_are_refused_by_name():
    model, _ = text_model()
    with pytest.raises(InputError, match="x: the model reads text, so expected strings"):
        rnnviz.record(model, np.zeros((2, 1)))

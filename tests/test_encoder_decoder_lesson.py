"""The encoder–decoder lesson: a real hand-over by initial_state, teacher forcing, and a recorded pass that is the
decoder's own step-by-step run."""

import numpy as np
import pytest

from rnnviz import lessons
from rnnviz.lessons import encoder_decoder as lesson

MODELS = lesson.MODELS


@pytest.fixture(scope="module")
def shipped():
    """name -> (shipped model, shipped showcase trace); and the held-out data."""
    return {name: (lessons.model("encoder_decoder", name), lessons.trace("encoder_decoder", name)) for name in MODELS}


def test_the_data_are_reversed_digits_never_trained_on():
    made = lesson.make_data(3)
    for source, answer in ((made["x"], made["y"]), (made["held_out_x"], made["held_out_y"])):
        assert source.shape[1] == lesson.LENGTH and source.min() >= 0 and source.max() < lesson.DIGITS
        np.testing.assert_array_equal(answer, source[:, ::-1])
    trained, held_out = lesson.as_codes(made["x"]), lesson.as_codes(made["held_out_x"])
    assert len(np.unique(trained)) == len(trained) and len(np.unique(held_out)) == len(held_out)
    assert not np.isin(held_out, trained).any()
    np.testing.assert_array_equal(made["held_out_x"][0], lesson.SHOWCASE_SOURCE)
    again = lesson.make_data(3)
    assert all(np.array_equal(made[key], again[key]) for key in made)


def test_teacher_forcing_reads_the_start_token_then_the_answer_shifted_by_one():
    answer = np.array([[4, 6, 1, 8, 3]])
    read = lesson.decoder_inputs(answer)
    assert read.shape == (1, lesson.LENGTH, lesson.DIGITS + 1)
    np.testing.assert_array_equal(read[0].argmax(axis=-1), [lesson.START, 4, 6, 1, 8])
    assert (read.sum(axis=-1) == 1).all()


@pytest.mark.parametrize("name", MODELS)
def test_the_recorded_pass_is_the_decoders_own_run(name, shipped):
    model, trace = shipped[name]
    source, _ = lessons.data("encoder_decoder")
    source = source[: len(trace.model_input)]
    written, probabilities = lesson.generate(model, source)  # one step at a time, states carried
    np.testing.assert_array_equal(trace.model_input, lesson.one_hot(source))
    np.testing.assert_array_equal(trace["decoder"].inputs, lesson.decoder_inputs(written))
    np.testing.assert_allclose(trace.model_output, probabilities, atol=1e-5)
    np.testing.assert_array_equal(trace.model_output.argmax(axis=-1), written)
    np.testing.assert_array_equal(written[0], lesson.SHOWCASE_SOURCE[::-1])  # the shown sequence, written back


@pytest.mark.parametrize("name", MODELS)
def test_the_trace_records_encoder_decoder_and_the_hand_over(name, shipped):
    _, trace = shipped[name]
    assert trace.layer_names == ["encoder", "decoder"]
    stages = {stage["name"]: stage for stage in trace.architecture}
    assert stages["decoder"]["state_source"] == "encoder" and stages["decoder"]["sources"] == ["previous"]
    assert stages["encoder"]["sources"] == ["source"] and stages["digit"]["sources"] == ["decoder"]
    encoder, decoder = trace["encoder"], trace["decoder"]
    assert set(decoder.initial_states) == set(encoder.states) == ({"h", "c"} if name == "LSTM" else {"h"})
    for key, states in encoder.states.items():
        np.testing.assert_array_equal(decoder.initial_states[key], states[:, -1])
        assert not np.any(encoder.initial_states[key])  # the encoder starts from zeros
    assert encoder.units == decoder.units == lesson.UNITS


def test_cutting_the_hand_over_leaves_the_decoder_blind_to_the_source(shipped):
    model, _ = shipped["GRU"]
    source, answer = lessons.data("encoder_decoder")
    other = np.roll(source[:16], 1, axis=0)
    np.testing.assert_array_equal(lesson.from_zero_state(model, source[:16], answer[:16]),
                                  lesson.from_zero_state(model, other, answer[:16]))


def test_the_shipped_results_are_seed_0_and_small():
    from rnnviz.lessons import store

    _, meta = store.load_results("encoder_decoder")
    assert meta["seed"] == 0
    folder = store.lesson_dir("encoder_decoder")
    assert sum(path.stat().st_size for path in folder.iterdir()) < 400_000


@pytest.mark.parametrize("name", MODELS)
def test_the_pictures_write_the_digits_read_and_written(name, shipped):
    """The figure (and the video, from the same view) writes the source under the encoder, the start token and the
    digits the decoder wrote under the decoder, and those digits over its outputs; the decoder's inputs after the
    first are named after the outputs they are (ŷ₀ … ŷ₃): what is fed back shows."""
    from rnnviz.figures.unrolled import UnrolledDisplay

    _, trace = shipped[name]
    taught = lessons.get("encoder_decoder")
    display = UnrolledDisplay.from_trace(trace, max_steps=6, tokens=taught.tokens, fed_back=taught.fed_back).plot()
    read = {node_id: text.get_text() for node_id, text in display.input_texts_.items()}
    written = {node_id: text.get_text() for node_id, text in display.output_texts_.items()}
    steps = sorted(int(node_id.split("/")[1]) for node_id in written)
    assert len(steps) >= 4
    answer = [str(digit) for digit in lesson.SHOWCASE_SOURCE[::-1]]
    for step in steps:
        assert read[f"source/{step}"] == str(lesson.SHOWCASE_SOURCE[step])
        assert written[f"digit/{step}"] == answer[step]
        assert read[f"previous/{step}"] == ("start" if step == 0 else answer[step - 1])
        fed = display.diagram.node(f"previous/{step}").label
        assert fed == ("x₀" if step == 0 else display.diagram.node(f"digit/{step - 1}").label)


def test_an_input_said_to_be_fed_back_is_checked_on_the_trace(shipped):
    """fed_back is shown only where the trace holds it: the source is not what the decoder wrote, and names that
    are not an input and an output of the model are refused by name."""
    from rnnviz.views.unrolled import unrolled_view

    _, trace = shipped["LSTM"]
    with pytest.raises(ValueError, match=r"fed_back: input 'source' at step 1 .* it is not fed back"):
        unrolled_view(trace, fed_back={"source": "digit"})
    with pytest.raises(ValueError, match=r"fed_back: 'target' is not an input of the model"):
        unrolled_view(trace, fed_back={"target": "digit"})
    with pytest.raises(ValueError, match=r"fed_back: 'decoder' .* is not an output layer"):
        unrolled_view(trace, fed_back={"previous": "decoder"})

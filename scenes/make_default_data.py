"""Write the data the scenes show by default into ``scenes/data/`` (shipped with rnnviz.scenes, a few hundred KB).

    python scenes/make_default_data.py      (seconds; no training; needs TensorFlow)

- ``adding_simple_rnn.npz``, ``adding_lstm.npz``: the vanishing-gradients scene's
  gradient profiles. Untrained, an LSTM's gradient fades faster than an orthogonally
  initialised SimpleRNN's; the lesson is about what training makes of them. They are
  :func:`rnnviz.gradient_profile` of the SimpleRNN and the LSTM of the lesson
  ``memory`` (shipped, trained on the adding problem: the sum of two marked numbers
  up to 100 steps back) on 8 of its held-out sequences.
- ``unrolling_{neuron,layer,deep}.npz``: the unrolling scene's small untrained
  SimpleRNNs (seeded, weights x 1.5) recorded on two pulses
  (:func:`rnnviz.recording.experiments.untrained_stack_traces`).
- ``architecture_<name>.npz``: the architectures scene's small untrained models, the
  gallery's (:func:`rnnviz.recording.experiments.architecture_traces`; the encoder–decoder
  is the lesson ``encoder_decoder``'s trained model, shipped with the lessons).
- ``windowing.npz``: the windowing scene's first training batch from the tf.data
  pipeline (:func:`rnnviz.data.make_windows` on the seeded synthetic series), as the
  :class:`~rnnviz.views.windowing.WindowingView` the scene draws.

The traces are :meth:`ModelTrace.save` files; reading any of them needs no TensorFlow.
``tests/test_scene_data.py`` checks that running this again gives the same numbers.
"""

from __future__ import annotations

from pathlib import Path

from rnnviz.scenes.traces import (
    ARCHITECTURE_TRACES,
    DATA,
    PIPELINE_FILE,
    UNROLLING,
    UNROLLING_TRACES,
    WINDOWING,
    default_windows,
    save_windowing_view,
)

SEQUENCES = 8  # held-out sequences of the lesson ``memory`` in each gradient profile


def write_profiles(out: Path) -> list:
    """The vanishing-gradients scene's profiles of the lesson ``memory``'s trained SimpleRNN and LSTM."""
    import rnnviz
    from rnnviz import lessons
    from rnnviz.scenes.gradients import DEFAULT_PROFILES

    inputs, _ = lessons.data("memory")
    written = []
    for label, path in DEFAULT_PROFILES.items():
        profile = rnnviz.gradient_profile(lessons.model("memory", label), inputs[:SEQUENCES])
        profile.extra["description"] = (
            f"32 units, the lesson 'memory' (trained on the adding problem, two numbers up to 100 steps back); "
            f"{SEQUENCES} held-out sequences")
        written.append(profile.save(out / Path(path).name))
    return written


def write_unrolling(out: Path) -> list:
    """The unrolling scene's neuron, layer and deep RNN: untrained SimpleRNNs recorded on two pulses."""
    from rnnviz.recording.experiments import untrained_stack_traces

    traces = untrained_stack_traces(**UNROLLING)
    return [traces[name].save(out / Path(path).name) for name, path in UNROLLING_TRACES.items()]


def write_architectures(out: Path, seed: int = 0) -> list:
    """The architectures scene's small untrained models (the gallery's), recorded on their seeded inputs."""
    from rnnviz.recording.experiments import architecture_traces

    return [trace.save(out / ARCHITECTURE_TRACES.format(name)) for name, trace in architecture_traces(seed).items()]


def write_windowing(out: Path) -> list:
    """The windowing scene's view: the first training batch the tf.data pipeline makes, ``batch_size`` windows drawn."""
    from rnnviz.views.windowing import windowing_view

    count = WINDOWING["batch_size"]
    view = windowing_view(default_windows(count), count=count)
    return [save_windowing_view(view, out / "windowing.npz", **WINDOWING)]


def write_pipeline(out: Path) -> list:
    """The pipeline scene's record: every stage of the tf.data pipeline the gallery's pipeline figure draws."""
    from rnnviz.data import make_windows, synthetic_series
    from rnnviz.data.pipeline_stages import pipeline_stages
    from rnnviz.lessons.forecasting import HORIZON, INPUT_STEPS

    import keras

    windows = make_windows(synthetic_series(seed=0), input_steps=INPUT_STEPS, horizon=HORIZON, shuffle_seed=0)
    keras.utils.set_random_seed(0)  # the shuffle depends on TensorFlow's global seed too: set, and said in the record
    return [pipeline_stages(windows).save(out / PIPELINE_FILE.name)]


WRITERS = {"profiles": write_profiles, "unrolling": write_unrolling, "architectures": write_architectures,
           "windowing": write_windowing, "pipeline": write_pipeline}


def main(out=DATA, parts=tuple(WRITERS)) -> list:
    """Write ``parts`` (names of :data:`WRITERS`) into ``out``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for part in parts:
        for path in WRITERS[part](out):
            print("wrote", path)
            written.append(path)
    return written


if __name__ == "__main__":
    main()

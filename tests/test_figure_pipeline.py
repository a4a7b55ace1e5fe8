"""The tf.data pipeline run stage by stage (rnnviz.data.pipeline_stages) and its flow figure (PipelineDisplay)."""

import re
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from rnnviz import style
from rnnviz.data import make_windows, synthetic_series
from rnnviz.data.pipeline_stages import PipelineStages, global_seed, load_pipeline_stages, pipeline_stages
from rnnviz.views.pipeline import pipeline_view
from rnnviz.errors import InputError
from rnnviz.export import save_figure
from rnnviz.figures.pipeline import TARGET_COLOUR, PipelineDisplay
from rnnviz.mpl.legibility import legibility_problems

tf = pytest.importorskip("tensorflow")

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"input_steps": 12, "horizon": 3, "batch_size": 8, "shuffle_seed": 0}
TRAIN_NAMES = ["from_tensor_slices", "window", "flat_map", "map", "shuffle", "batch", "prefetch"]


def windows(**changes):
    return make_windows(synthetic_series(length=240, seed=1), **{**SETTINGS, **changes})


@pytest.fixture(scope="module")
def made():
    made = windows()
    return made, pipeline_stages(made, "train")


@pytest.fixture(scope="module")
def validation():
    made = windows(stride=2, shift=3)
    return made, pipeline_stages(made, "validation")


def numbers_in(text: str) -> list:
    return [float(number.replace("\N{MINUS SIGN}", "-")) for number in re.findall(r"[−-]?\d+\.\d+", text)]


def shape_of(spec) -> tuple:
    return tuple(spec.shape.as_list())


# ---------------------------------------------------------------- the record: the library's own stages


def test_the_stages_are_the_library_s_own_calls_and_end_in_its_dataset(made):
    windows, record = made
    assert record.names == TRAIN_NAMES
    assert [stage.call for stage in record.stages] == [stage.call for stage in windows._stages("train", shuffle=True)]
    assert record["window"].call == ".window(15, shift=1, drop_remainder=True)"
    assert record["map"].call == ".map(lambda w: (w[:12, tf.newaxis], w[12:]))"
    assert record["shuffle"].call == f".shuffle({len(windows.starts('train'))}, seed=0)"
    final = windows.train.element_spec
    assert record["prefetch"].shapes == tuple(shape_of(spec) for spec in final) == ((None, 12, 1), (None, 3))


def test_each_stage_s_shapes_are_its_element_spec(made):
    windows, record = made
    expected = {"from_tensor_slices": ((),), "window": ((),), "flat_map": ((15,),), "map": ((12, 1), (3,)),
                "shuffle": ((12, 1), (3,)), "batch": ((None, 12, 1), (None, 3)), "prefetch": ((None, 12, 1), (None, 3))}
    dataset = None
    for stage, recorded in zip(windows._stages("train", shuffle=True), record.stages):
        dataset = stage.apply(dataset)
        spec = dataset.element_spec
        if isinstance(spec, tf.data.DatasetSpec):
            assert recorded.structure == "dataset"
            spec = spec.element_spec
        specs = spec if isinstance(spec, tuple) else (spec,)
        assert recorded.shapes == tuple(shape_of(part) for part in specs) == expected[stage.name]
        assert recorded.dtypes == tuple(part.dtype.name for part in specs)
        for shown, spec_shape in zip(recorded.observed_shapes(), recorded.shapes):  # what came out fits the spec
            assert tf.TensorShape(spec_shape).is_compatible_with(shown if recorded.structure != "dataset" else ())


def test_the_record_says_which_global_seed_its_shuffle_ran_under_and_leaves_it_alone():
    """The shuffle a seeded dataset gives depends on TensorFlow's global seed too: the record says it, and reading
    the pipeline draws nothing from TensorFlow's random stream."""
    import keras

    windows = make_windows(synthetic_series(length=200, seed=1), **SETTINGS)
    keras.utils.set_random_seed(123)
    first_draw = float(tf.random.uniform(()))
    keras.utils.set_random_seed(123)
    record = pipeline_stages(windows)
    assert record.settings["global_seed"] == global_seed() == 123
    assert float(tf.random.uniform(())) == first_draw  # the stream goes on where it was
    assert "(TensorFlow's global seed 123)" in pipeline_view(record).description


def test_values_are_those_of_iterating_the_library_s_datasets(made):
    windows, record = made
    tf.random.set_seed(record.settings["global_seed"])  # the global seed the record says its shuffle ran under
    inputs, targets = next(iter(make_windows(windows.series, **SETTINGS).train))  # a fresh windows.train: epoch 1
    for name in ("batch", "prefetch"):
        np.testing.assert_array_equal(record[name].elements[0][0], inputs.numpy())
        np.testing.assert_array_equal(record[name].elements[0][1], targets.numpy())
    np.testing.assert_array_equal(record["shuffle"].elements[0][0], inputs.numpy()[0])
    ordered_inputs, ordered_targets = windows.numpy("train")  # the unshuffled pipeline, in time order
    np.testing.assert_array_equal(record["map"].elements[0][0], ordered_inputs[0])
    np.testing.assert_array_equal(record["map"].elements[0][1], ordered_targets[0])
    for k in range(2):
        window = np.concatenate([ordered_inputs[k, :, 0], ordered_targets[k]])
        np.testing.assert_array_equal(record["window"].elements[k][0], window)
        np.testing.assert_array_equal(record["flat_map"].elements[k][0], window)
    part = windows.normalise(windows.series[windows.part_slice("train")]).astype("float32")
    np.testing.assert_array_equal([element[0] for element in record["from_tensor_slices"].elements], part[:8])
    counts = {stage.name: stage.count for stage in record.stages}
    assert counts["from_tensor_slices"] == len(part)
    assert counts["window"] == counts["map"] == counts["shuffle"] == len(ordered_inputs)
    assert counts["batch"] == -(-len(ordered_inputs) // 8)
    assert record["batch"].last_shapes[0] == (len(ordered_inputs) - 8 * (counts["batch"] - 1), 12, 1)


def test_window_starts_name_the_windows_shown(made):
    windows, record = made
    ordered_inputs, _ = windows.numpy("train")
    starts = windows.starts("train")
    rows = record["batch"].starts[0]
    assert rows.shape == (8,) and (rows >= 0).all()
    for row, start in enumerate(rows):
        np.testing.assert_array_equal(record["batch"].elements[0][0][row], ordered_inputs[list(starts).index(start)])
    assert int(record["shuffle"].starts[0]) == rows[0]
    assert [int(start) for start in record["window"].starts] == [0, 1]


def test_a_validation_part_has_no_shuffle_and_keeps_time_order(validation):
    windows, record = validation
    assert record.names == [name for name in TRAIN_NAMES if name != "shuffle"]
    assert record["window"].call == ".window(15, shift=3, stride=2, drop_remainder=True)"
    ordered_inputs, _ = windows.numpy("validation")
    np.testing.assert_array_equal(record["batch"].elements[0][0], ordered_inputs[:8])
    np.testing.assert_array_equal(record["batch"].starts[0], windows.starts("validation")[:8])


def test_a_record_saves_and_loads_without_pickle(made, tmp_path):
    _, record = made
    loaded = load_pipeline_stages(record.save(tmp_path / "stages.npz"))
    assert isinstance(loaded, PipelineStages) and loaded.names == record.names and loaded.settings == record.settings
    for ours, theirs in zip(record.stages, loaded.stages):
        assert (ours.call, ours.shapes, ours.dtypes, ours.count, ours.last_shapes) == (
            theirs.call, theirs.shapes, theirs.dtypes, theirs.count, theirs.last_shapes)
        for mine, stored in zip(ours.elements, theirs.elements):
            for a, b in zip(mine, stored):
                np.testing.assert_array_equal(a, b)
                assert a.dtype == b.dtype


# ---------------------------------------------------------------- the figure shows the record


def test_the_figure_shows_each_stage_s_call_shape_and_values(made):
    windows, record = made
    display = PipelineDisplay.from_stages(record).plot()
    assert [text.get_text().replace("\n  ", "").replace("\n", "") for text in display.call_texts_] == [
        stage.call for stage in record.stages]
    assert [" ".join(text.get_text() for text in pieces) for pieces in display.shape_texts_] == [
        "() float32", "dataset of () float32", "(15,) float32", "(12, 1), (3,)", "(12, 1), (3,)",
        "(None, 12, 1), (None, 3)", "(None, 12, 1), (None, 3)"]
    assert [pieces[-1].get_color() for pieces in display.shape_texts_[3:]] == [TARGET_COLOUR] * 4
    tf.random.set_seed(record.settings["global_seed"])
    inputs, targets = next(iter(make_windows(windows.series, **SETTINGS).train))
    shown = {row.name: lines for row, lines in zip(display.rows, display.value_texts_)}
    for row in range(2):  # the batch's first rows, as the dataset gives them
        np.testing.assert_allclose(numbers_in(shown["batch"][row][1].get_text()), inputs.numpy()[row, :3, 0],
                                   atol=0.005)
    np.testing.assert_allclose(numbers_in(shown["shuffle"][1][1].get_text()), targets.numpy()[0], atol=0.005)
    assert shown["shuffle"][1][1].get_color() == TARGET_COLOUR
    assert shown["batch"][0][0].get_text() == f"[0] t={record['batch'].starts[0][0]}"
    assert len(display.arrows_) == len(record.stages) - 1 and len(display.boxes_) == len(record.stages)
    assert display.figure_ is display.ax_.figure


@pytest.mark.parametrize("which, size, theme", [("train", "16:9", "light"), ("train", "4:3", "dark"),
                                               ("validation", "4:3", "light")])
def test_legible_on_a_slide(made, validation, which, size, theme):
    """At 16:9 and 4:3 (light and dark alike: the theme changes colours only); the validation part, with a stride,
    has the longest calls."""
    _, record = made if which == "train" else validation
    with style.context("slides", size=size, theme=theme):
        display = PipelineDisplay.from_stages(record).plot()
    assert legibility_problems(display.figure_, diagram=True, slide=size) == []
    assert display.fontsize_ >= 12


def test_same_record_same_png_bytes_also_once_saved_and_loaded(made, tmp_path):
    _, record = made
    loaded = load_pipeline_stages(record.save(tmp_path / "stages.npz"))
    written = []
    for run, source in enumerate((record, loaded)):
        with style.context("slides", size="16:9"):
            display = PipelineDisplay.from_stages(source).plot()
        written.append(save_figure(display.figure_, tmp_path / f"run{run}.png")[0].read_bytes())
        plt.close(display.figure_)
    assert written[0] == written[1]


def test_draws_on_the_given_axes_only(made):
    _, record = made
    figure, (left, right) = plt.subplots(1, 2, figsize=(16, 6))
    display = PipelineDisplay.from_stages(record).plot(ax=right, title=False)
    assert display.ax_ is right and display.figure_ is figure and not left.texts and right.texts


def test_a_saved_record_draws_without_tensorflow(made, tmp_path):
    _, record = made
    path = record.save(tmp_path / "stages.npz")
    code = f"""
import importlib.abc, sys
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "keras"):
            raise ImportError("blocked")
sys.meta_path.insert(0, Blocker())
from rnnviz.data.pipeline_stages import load_pipeline_stages
from rnnviz.figures.pipeline import PipelineDisplay
PipelineDisplay.from_stages(load_pipeline_stages({str(path)!r})).plot()
assert not [name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras")]
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr[-3000:]


# ---------------------------------------------------------------- errors name the argument


def test_bad_arguments_name_the_argument(made, tmp_path):
    windows, record = made
    with pytest.raises(InputError, match="^windows: expected a rnnviz.data.Windows"):
        pipeline_stages(np.arange(100.0))
    with pytest.raises(InputError, match="^part: expected one of"):
        pipeline_stages(windows, "training")
    with pytest.raises(InputError, match="^part: expected one of"):
        PipelineDisplay.from_windows(windows, part="everything")
    with pytest.raises(ValueError, match="^record: expected a PipelineStages"):
        PipelineDisplay.from_stages({"stages": []})
    with pytest.raises(InputError, match="^values: .*expected an integer from 1 to 8, got 0"):
        PipelineDisplay.from_stages(record, values=0)
    with pytest.raises(TypeError, match="^view: expected a PipelineView"):
        PipelineDisplay.from_view(record)
    with pytest.raises(KeyError, match="name: no stage 'shuffle' in the validation pipeline"):
        pipeline_stages(windows, "validation")["shuffle"]
    (tmp_path / "other.npz").write_bytes(b"not a record")
    with pytest.raises(InputError, match="^path: cannot read a pipeline record"):
        load_pipeline_stages(tmp_path / "other.npz")

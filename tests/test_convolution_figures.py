"""1D convolutions: the receptive field of a Conv1D stack (view, figure, explorer; checked against Keras by
perturbation) and global pooling forgetting order (two sequences, one Conv1D, the same pooled features)."""

import subprocess
import sys
from itertools import product

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import style
from rnnviz.errors import InputError
from rnnviz.export import save_figure
from rnnviz.figures.convolution import PoolingDisplay, ReceptiveFieldDisplay
from rnnviz.mpl.legibility import legibility_problems
from rnnviz.style import shown_title
from rnnviz.views.pooling import pooling_view, swapped_patterns
from rnnviz.views.receptive_field import receptive_field_view, steps_text

SLIDES = list(product(("16:9", "4:3"), ("light", "dark")))
FAST_SLIDES = [("16:9", "light"), ("4:3", "dark")]  # the other two pairs run with --runslow
ALL_SLIDES = [pytest.param(*pair, marks=() if pair in FAST_SLIDES else pytest.mark.slow) for pair in SLIDES]


# ---------------------------------------------------------------- the receptive field, by arithmetic

def test_wavenets_stack_sees_fifteen_steps_and_says_so():
    view = receptive_field_view(3, dilations=(1, 2, 4), padding="causal")
    assert view.heading == "3 layers, kernel 3, dilation 1, 2, 4: one output sees 15 steps"
    assert view.lengths == (17, 17, 17, 17) and view.output == 16
    np.testing.assert_array_equal(view.seen[0], np.arange(2, 17))
    np.testing.assert_array_equal(view.seen[1], np.arange(4, 17, 2))
    np.testing.assert_array_equal(view.seen[2], [8, 12, 16])
    np.testing.assert_array_equal(view.seen[3], [16])
    assert all(len(padded) == 0 for padded in view.padding_seen)
    assert [len(links) for links in view.links] == [7 * 3, 3 * 3, 1 * 3]
    assert "reads input steps 2–16" in view.description


def test_strides_dilation_gaps_and_padding_are_read_as_keras_does():
    strided = receptive_field_view(3, layers=2, strides=2)  # valid: 1 + 2 + 2·2 = 7 steps, 3 outputs
    assert strided.heading == "2 layers, kernel 3, stride 2: one output sees 7 steps"
    assert strided.lengths == (15, 7, 3)
    np.testing.assert_array_equal(strided.seen[0], np.arange(8, 15))
    gapped = receptive_field_view(3, dilations=4)
    assert gapped.heading == "1 layer, kernel 3, dilation 4: one output sees 3 steps spread over 9"
    np.testing.assert_array_equal(gapped.steps, [2, 6, 10])
    early = receptive_field_view(3, dilations=(1, 2), padding="causal", output=1)
    np.testing.assert_array_equal(early.steps, [0, 1])
    np.testing.assert_array_equal(early.padding_seen[0], [-1])  # a zero causal padding puts before step 0
    np.testing.assert_array_equal(early.padding_seen[1], [-3, -1])  # and two before layer 1's first output
    assert "reads input steps 0, 1, and 1 padded zero" in early.description
    same = receptive_field_view(3, layers=2, strides=2, padding="same", output=0)
    assert same.lengths == (15, 8, 4) and same.pads == (1, 0)
    np.testing.assert_array_equal(same.padding_seen[0], [-1])


def test_steps_are_written_as_runs():
    assert steps_text([0, 1, 2, 3]) == "0–3"
    assert steps_text([0, 4, 8]) == "0, 4, 8"
    assert steps_text([2, 3, 7, 9, 10, 11]) == "2, 3, 7, 9–11"
    assert steps_text(range(0, 40, 4)) == "0, 4, 8, 12, 16, …, 36"
    assert steps_text([]) == "none"


@pytest.mark.parametrize("kwargs, words", [
    (dict(kernel_size=0), "kernel_size: expected an integer >= 1, got 0"),
    (dict(kernel_size=(3, 0)), "kernel_size[1]: expected an integer >= 1, got 0"),
    (dict(kernel_size=3, strides=(1, 2), dilations=(1, 2, 4)), "kernel_size, strides, dilations: expected one value "
                                                               "per layer"),
    (dict(kernel_size=3, layers=2, dilations=(1, 2, 4)), "dilations: expected an int or one value per layer (2), "
                                                         "got 3 values"),
    (dict(kernel_size=3, strides=1.5), "strides: expected an int or a sequence of int"),
    (dict(kernel_size=3, padding="full"), "padding: expected one of ['valid', 'causal', 'same'], got 'full'"),
    (dict(kernel_size=3, layers=0), "layers: expected an integer >= 1, got 0"),
    (dict(kernel_size=3, steps=2), "steps: layer 1 (kernel 3, dilation 1, stride 1) would have no output from 2 "
                                   "positions; expected at least 3 there, got steps=2"),
    (dict(kernel_size=3, output=3), "output: the last layer has 3 outputs; expected an integer from -3 to 2, got 3"),
])
def test_bad_stacks_name_the_argument_and_what_was_expected(kwargs, words):
    with pytest.raises(InputError) as caught:
        receptive_field_view(**kwargs)
    assert words in str(caught.value)


# ---------------------------------------------------------------- the receptive-field figure

def _drawn(display):
    """Per row, the x of the filled boxes and of the outlined ones."""
    filled, outlined = [], []
    for row in display.boxes_:
        filled.append(sorted(box.get_x() + box.get_width() / 2 for box in row if box.get_facecolor()[3] > 0))
        outlined.append(sorted(box.get_x() + box.get_width() / 2 for box in row if box.get_facecolor()[3] == 0))
    return filled, outlined


def test_the_figure_fills_the_boxes_the_view_says_and_draws_every_link():
    display = ReceptiveFieldDisplay.from_layers(3, dilations=(1, 2, 4), padding="causal", output=5)
    assert display.plot() is display and display.ax_.figure is display.figure_
    filled, outlined = _drawn(display)
    for row, seen in enumerate(display.view.seen):
        np.testing.assert_allclose(filled[row], display.view.x(row, seen))
        assert len(filled[row]) + len(outlined[row]) == display.view.lengths[row]
    assert [len(row) for row in display.padding_boxes_] == [len(p) for p in display.view.padding_seen]
    assert len(display.links_.get_segments()) == sum(len(links) for links in display.view.links)
    assert display.output_label_.get_text() == "output 5"
    assert shown_title(display.figure_).startswith(display.view.heading + "\n")
    assert [text.get_text() for text in display.legend_.get_texts()] == ["feeds the output", "does not",
                                                                         "padded zero"]


def test_the_figure_can_be_built_from_its_views_fields_and_drawn_in_a_given_axes():
    view = receptive_field_view(2, layers=3, strides=2)
    display = ReceptiveFieldDisplay(**{field: getattr(view, field) for field in view.__dataclass_fields__})
    figure, ax = plt.subplots()
    display.plot(ax=ax, title=False, legend=False)
    assert display.ax_ is ax and display.legend_ is None and display.heading == view.heading


WAVENET = dict(kernel_size=3, dilations=(1, 2, 4), padding="causal")


@pytest.mark.parametrize("size, theme", ALL_SLIDES)
@pytest.mark.parametrize("settings", [
    WAVENET,
    pytest.param(dict(kernel_size=3, layers=3, strides=2), marks=pytest.mark.slow),
    pytest.param(dict(kernel_size=5, dilations=(1, 2, 4, 8), padding="causal", output=10), marks=pytest.mark.slow),
    pytest.param(dict(kernel_size=3, layers=2, strides=2, padding="same", output=0), marks=pytest.mark.slow),
])
def test_the_receptive_field_figure_is_legible_on_a_slide(size, theme, settings):
    with style.context("slides", size=size, theme=theme):
        display = ReceptiveFieldDisplay.from_layers(**settings).plot()
        assert legibility_problems(display.figure_, diagram=True, slide=size) == []
        assert "\n" not in display.figure_._suptitle._rnnviz_shown[0].get_text()  # a one-line heading


def _png_bytes(make, tmp_path, name):
    with style.context("slides", size="16:9", theme="dark"):
        display = make()
        (path,) = save_figure(display.figure_, tmp_path / f"{name}.png")
        plt.close(display.figure_)
    return path.read_bytes()


def test_the_same_stack_gives_the_same_png_bytes(tmp_path):
    def make():
        return ReceptiveFieldDisplay.from_layers(3, dilations=(1, 2, 4), padding="causal").plot()

    assert _png_bytes(make, tmp_path, "first") == _png_bytes(make, tmp_path, "second")


# ---------------------------------------------------------------- the explorer

def test_the_explorer_moves_its_artists_and_says_which_steps_are_seen():
    from rnnviz.widgets import ReceptiveFieldExplorer

    explorer = ReceptiveFieldExplorer(kernel_size=3, growth=2, layers=3, padding="causal")
    painter = explorer.artists["painter"]
    links, shown = painter.links_, explorer.png()
    assert explorer.seen.value == "output 16 of layer 3 sees 15 input steps: 2–16"
    assert explorer.output.max == 16 and explorer.output.value == 16
    explorer.layers.value = 4  # the last output stays the last
    assert explorer.output.max == 32 and explorer.output.value == 32
    assert explorer.artists["painter"] is painter and painter.links_ is links  # the same artists, moved
    np.testing.assert_array_equal(painter.view.steps, np.arange(2, 33))
    explorer.output.value = 3
    assert explorer.seen.value == "output 3 of layer 4 sees 4 input steps: 0–3"
    assert sum(len(row) for row in painter.padding_boxes_) == len(painter.view.padding_seen[0]) + sum(
        len(padded) for padded in painter.view.padding_seen[1:])
    explorer.kernel_size.value, explorer.layers.value = 2, 1  # fewer boxes: the rest hidden, not removed
    visible = [box for box in painter._pool if box.get_visible()]
    assert len(visible) == sum(painter.view.lengths) + sum(len(p) for p in painter.view.padding_seen)
    assert explorer.output.max == painter.view.lengths[-1] - 1 and explorer.png() != shown


def test_the_explorer_takes_a_stride_only_without_dilation_as_keras_does():
    from rnnviz.widgets import ReceptiveFieldExplorer

    explorer = ReceptiveFieldExplorer(stride=2, growth=2, layers=2, padding="valid")
    view = explorer.artists["painter"].view
    assert view.strides == (2, 2) and view.dilations == (1, 1) and explorer.growth.disabled
    assert "takes a stride above 1 only without dilation" in explorer.seen.value
    explorer.stride.value = 1
    assert explorer.artists["painter"].view.dilations == (1, 2) and not explorer.growth.disabled


@pytest.mark.parametrize("kwargs, words", [
    (dict(kernel_size=9), "kernel_size: expected an integer from 1 to 5, got 9"),
    (dict(growth=0), "growth: expected an integer from 1 to 3, got 0"),
    (dict(padding="full"), "padding: expected one of"),
    (dict(output=40), "output: the last layer has 17 outputs; expected an integer from -17 to 16, got 40"),
])
def test_the_explorer_names_a_bad_setting(kwargs, words):
    from rnnviz.widgets import ReceptiveFieldExplorer

    with pytest.raises(ValueError) as caught:
        ReceptiveFieldExplorer(**kwargs)
    assert words in str(caught.value)


# ---------------------------------------------------------------- pooling forgets order (arrays; no Keras)

def _windows(sequence, kernel_size, stride):
    return sorted(tuple(sequence[start:start + kernel_size])
                  for start in range(0, len(sequence) - kernel_size + 1, stride))


@pytest.mark.parametrize("kernel_size, stride", [(3, 1), (5, 2), (4, 3), (2, 2)])
def test_swapped_patterns_differ_but_hold_the_same_windows(kernel_size, stride):
    first, second = swapped_patterns(kernel_size=kernel_size, stride=stride)
    assert not np.array_equal(first, second)
    assert (len(first) - kernel_size) % stride == 0  # the last window ends at the last step
    assert _windows(first, kernel_size, stride) == _windows(second, kernel_size, stride)


def _numpy_conv(sequences, kernel, bias, stride):
    """A ReLU Conv1D over one feature, in NumPy: (count, positions, filters)."""
    size = kernel.shape[0]
    starts = range(0, sequences.shape[1] - size + 1, stride)
    windows = np.stack([sequences[:, start:start + size] for start in starts], axis=1)  # (count, positions, size)
    return np.maximum(windows @ kernel[:, 0, :] + bias, 0.0)


def _pooling_from_arrays(filters=2):
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(3, 1, 4)), rng.normal(scale=0.1, size=4)
    sequences = swapped_patterns(kernel_size=3)
    maps = _numpy_conv(sequences, kernel, bias, 1)
    return PoolingDisplay(sequences=sequences, names=("a peak, then a dip", "a dip, then a peak"), feature_maps=maps,
                          max_pooled=maps.max(axis=1), average_pooled=maps.mean(axis=1), kernel_size=3,
                          filters=filters, description="a NumPy ReLU convolution, seeded")


def _written_numbers(display):
    return ([[[text.get_text() for text in line] for line in table] for table in display.map_texts_],
            [[[text.get_text() for text in line] for line in table] for table in display.pooled_texts_])


def _expected_numbers(display):
    view, digits = display.view, display.digits_
    maps = [[[view.text(value, digits) for value in view.feature_maps[row][:, index]] for index in view.filters]
            for row in range(2)]
    pooled = [[[view.text(view.max_pooled[row, index], digits), view.text(view.average_pooled[row, index], digits)]
               for index in view.filters] for row in range(2)]
    return maps, pooled


def test_the_pooling_figure_writes_the_numbers_it_was_given():
    display = _pooling_from_arrays(filters=(1, 3)).plot()
    assert display.view.filters == (1, 3)
    assert _written_numbers(display) == _expected_numbers(display)
    np.testing.assert_array_equal(display.lines_[1].get_ydata(), display.view.sequences[1])
    np.testing.assert_allclose(display.maps_[0].get_array().reshape(2, -1),
                               display.view.feature_maps[0][:, [1, 3]].T)
    assert [text.get_text() for text in display.axes_[0, "pooled"].get_xticklabels()] == ["max", "mean"]
    assert shown_title(display.figure_).startswith(PoolingDisplay.HEADING + "\n")


def test_the_pooling_figure_draws_the_most_active_filters_by_default():
    display = _pooling_from_arrays(filters=2)
    strongest = np.argsort(-display.view.max_pooled.max(axis=0))[:2]
    assert display.view.filters == tuple(sorted(strongest))


@pytest.mark.parametrize("size, theme", ALL_SLIDES)
def test_the_pooling_figure_is_legible_on_a_slide(size, theme):
    with style.context("slides", size=size, theme=theme):
        display = _pooling_from_arrays(filters=3).plot()
        assert legibility_problems(display.figure_, slide=size) == []
        assert "\n" not in display.figure_._suptitle._rnnviz_shown[0].get_text()


def test_the_same_pooling_input_gives_the_same_png_bytes(tmp_path):
    def make():
        return _pooling_from_arrays().plot()

    assert _png_bytes(make, tmp_path, "first") == _png_bytes(make, tmp_path, "second")


@pytest.mark.parametrize("change, words", [
    (dict(sequences=np.zeros((3, 12))), "sequences: expected two sequences, (2, steps), got shape (3, 12)"),
    (dict(feature_maps=np.zeros((2, 9, 4))), "feature_maps: expected (2, 10, filters) for 12 steps, kernel 3"),
    (dict(max_pooled=np.zeros((2, 3))), "max_pooled: expected (2, 4), one feature per filter, got shape (2, 3)"),
    (dict(filters=5), "filters: the Conv1D has 4 filters; expected an integer from 1 to 4, got 5"),
    (dict(filters=(0, 4)), "filters: the Conv1D has 4 filters; expected an integer from 0 to 3, got 4"),
    (dict(names=("one",)), "names: expected one name per sequence (2), got 1"),
])
def test_bad_pooling_arrays_name_the_argument(change, words):
    maps = np.ones((2, 10, 4))
    arguments = {**dict(sequences=np.zeros((2, 12)), feature_maps=maps, max_pooled=maps.max(axis=1),
                        average_pooled=maps.mean(axis=1), kernel_size=3, names=("a", "b"), filters=2), **change}
    with pytest.raises(InputError) as caught:
        pooling_view(**arguments)
    assert words in str(caught.value)


@pytest.mark.parametrize("kwargs, words", [
    (dict(second=(1.0, 2.0)), "second: expected a pattern as long as first (3) modulo stride 2"),
    (dict(first=()), "first, second: expected two non-empty patterns"),
    (dict(kernel_size=0), "kernel_size: expected an integer >= 1, got 0"),
])
def test_bad_patterns_name_the_argument(kwargs, words):
    with pytest.raises(InputError) as caught:
        swapped_patterns(**{"stride": 2, **kwargs})
    assert words in str(caught.value)


def test_the_convolution_figures_and_the_explorer_import_no_tensorflow():
    code = ("import sys, rnnviz.figures.convolution, rnnviz.views.receptive_field, rnnviz.views.pooling, "
            "rnnviz.widgets.receptive_field, rnnviz.recording.convolution\n"
            "from rnnviz.widgets import ReceptiveFieldExplorer\n"
            "ReceptiveFieldExplorer()\n"
            "rnnviz.figures.convolution.ReceptiveFieldDisplay.from_layers(3).plot()\n"
            "print('tensorflow' in sys.modules or 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"MPLBACKEND": "Agg"})
    assert done.stdout.strip() == "False", done.stderr[-2000:]


# ---------------------------------------------------------------- against Keras

def _check_against_keras(kernel_sizes, strides, dilations, padding, steps=None, seed=0):
    """Every output of the last layer: the view's positions of every row are those whose change moves it in Keras."""
    from rnnviz.recording.convolution import measured_receptive_field

    view = receptive_field_view(kernel_sizes, strides=strides, dilations=dilations, padding=padding, steps=steps)
    measured = measured_receptive_field(view, seed=seed)
    for output in range(view.lengths[-1]):
        expected = receptive_field_view(kernel_sizes, strides=strides, dilations=dilations, padding=padding,
                                        steps=view.lengths[0], output=output)
        for row in range(view.layers):
            np.testing.assert_array_equal(np.flatnonzero(measured[row][output]), expected.seen[row],
                                          err_msg=f"output {output}, row {row}")


@pytest.mark.parametrize("kernel_sizes, strides, dilations, padding", [
    ((3, 3, 3), (1, 1, 1), (1, 2, 4), "causal"),
    ((3, 2), (2, 2), (1, 1), "valid"),
    ((4, 3), (1, 2), (3, 1), "same"),
])
def test_the_view_is_what_a_keras_stack_reads(kernel_sizes, strides, dilations, padding):
    pytest.importorskip("tensorflow")
    _check_against_keras(kernel_sizes, strides, dilations, padding)


@pytest.mark.slow
def test_the_view_is_what_keras_reads_over_many_stacks():
    """1–4 layers, kernels 1–4, strides 1–2, dilations 1–3 (Keras takes a stride only without dilation), every
    padding, the default input length and a longer one: every output, every row, by perturbation."""
    pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    checked = 0
    for layers, padding, trial in product((1, 2, 3, 4), ("valid", "causal", "same"), range(5)):
        kernels = tuple(int(k) for k in rng.integers(1, 5, size=layers))
        strides = tuple(int(s) for s in rng.integers(1, 3, size=layers))
        dilations = tuple(1 if s > 1 else int(rng.integers(1, 4)) for s in strides)
        steps = None if trial % 2 == 0 else int(rng.integers(25, 40))
        try:
            receptive_field_view(kernels, strides=strides, dilations=dilations, padding=padding, steps=steps)
        except InputError:  # too short for a valid stack: the view says so (tested above)
            continue
        _check_against_keras(kernels, strides, dilations, padding, steps, seed=trial)
        checked += 1
    assert checked >= 50


@pytest.fixture(scope="module")
def lesson_pooling():
    pytest.importorskip("tensorflow")
    return PoolingDisplay.from_lesson()


def test_the_trained_conv_pools_a_peak_then_a_dip_as_a_dip_then_a_peak(lesson_pooling):
    view = lesson_pooling.view
    assert view.names == ("a peak, then a dip", "a dip, then a peak")
    assert not np.array_equal(view.sequences[0], view.sequences[1])
    assert not np.array_equal(view.feature_maps[0], view.feature_maps[1])  # the maps differ, in order only
    assert view.feature_maps.shape == (2, 8, 32) and (view.kernel_size, view.stride) == (5, 2)
    np.testing.assert_allclose(view.max_pooled[0], view.max_pooled[1], atol=1e-6)
    np.testing.assert_allclose(view.average_pooled[0], view.average_pooled[1], atol=1e-6)
    assert view.max_pooled.max() > 0.1  # the filters are active on these sequences: equal, not all zero
    assert view.description.startswith("The trained 1D-conv forecaster's Conv1D (32 filters, kernel 5, stride 2, relu)")
    assert "all 32 pooled features of the two sequences" in view.description


def test_the_pooling_figure_writes_the_numbers_keras_computed(lesson_pooling):
    from rnnviz.recording.convolution import forecaster_conv1d, pooled_features

    computed = pooled_features(forecaster_conv1d(), lesson_pooling.view.sequences)
    np.testing.assert_array_equal(lesson_pooling.view.max_pooled, computed["max"])
    np.testing.assert_array_equal(lesson_pooling.view.average_pooled, computed["average"])
    for size, theme in FAST_SLIDES:
        with style.context("slides", size=size, theme=theme):
            display = lesson_pooling.plot()
            assert _written_numbers(display) == _expected_numbers(display)
            assert display.digits_ == 2  # two decimals fit the stride-2 cells on both slides
            assert legibility_problems(display.figure_, slide=size) == []
            plt.close(display.figure_)


def test_a_seeded_conv_gives_the_same_pooled_features_for_both_orders():
    pytest.importorskip("tensorflow")
    from rnnviz.recording.convolution import seeded_conv1d

    display = PoolingDisplay.from_conv(seeded_conv1d(4, 3, strides=1, seed=3))
    np.testing.assert_allclose(*display.view.max_pooled, atol=1e-6)
    np.testing.assert_allclose(*display.view.average_pooled, atol=1e-6)
    with pytest.raises(InputError, match="conv: expected a Conv1D with padding \"valid\" and dilation 1"):
        import keras

        PoolingDisplay.from_conv(keras.layers.Conv1D(2, 3, padding="causal"))

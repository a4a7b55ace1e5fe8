"""Gradient figures draw the profiles' own numbers."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.figures.gradient_decay import GradientDecayDisplay
from rnnviz.style import color


def _profile(kind, seed, batch=5, steps=12):
    rng = np.random.default_rng(seed)
    norms = np.exp(-np.arange(steps)[::-1] * rng.uniform(0.1, 0.5, size=(batch, 1)))
    return rnnviz.GradientProfile(
        layer=kind, kind=kind, wrt="state", norms=norms, mask=np.ones_like(norms, bool), steps_back=np.arange(steps)[::-1]
    )


def test_lines_are_the_batch_medians_by_steps_back():
    profiles = {"SimpleRNN": _profile("simple_rnn", 0), "GRU": _profile("gru", 1)}
    display = GradientDecayDisplay.from_profiles(profiles).plot()
    for label, profile in profiles.items():
        x, y = display.lines_[label].get_data()
        np.testing.assert_array_equal(x, np.arange(12))
        np.testing.assert_allclose(y, np.median(profile.norms[:, ::-1], axis=0))
        assert matplotlib.colors.same_color(display.lines_[label].get_color(), color(profile.kind))
    assert display.ax_.get_yscale() == "log"
    assert set(display.bands_) == set(profiles)


def test_draws_on_a_given_axes_and_never_on_the_current_figure():
    figure, ax = plt.subplots()
    display = GradientDecayDisplay.from_profiles([_profile("lstm", 2)]).plot(ax=ax)
    assert display.ax_ is ax and display.figure_ is figure
    assert plt.gcf() is figure  # the current figure, which ax=None must leave alone
    other = GradientDecayDisplay.from_profiles([_profile("lstm", 2)]).plot()
    assert other.figure_ is not figure and len(figure.axes) == 1


def test_profiles_must_share_wrt():
    a, b = _profile("lstm", 0), _profile("gru", 1)
    b.wrt = "input"
    with pytest.raises(ValueError, match="profiles: all must share one wrt"):
        GradientDecayDisplay.from_profiles([a, b])


@pytest.mark.slow
def test_from_cells_uses_real_profiles():
    display = GradientDecayDisplay.from_cells(units=8, steps=15, batch=3)
    assert set(display.norms) == {"SimpleRNN", "LSTM", "GRU"}
    for values in display.norms.values():
        assert values.shape == (3, 15)
        np.testing.assert_allclose(values[:, 0], np.sqrt(8), rtol=1e-5)  # identity at the last step
    assert "untrained" in display.description


def test_spectral_radius_from_the_lesson_titles_each_panel_with_its_checked_claim():
    """The panel notes are the lesson's edge claims, which hold on the very lines drawn."""
    from rnnviz import lessons
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay
    from rnnviz.lessons.gradients import ACTIVATIONS, EDGES, VANISHED, EXPLODED

    display = SpectralRadiusDisplay.from_lesson().plot()
    checked = {result.claim: result for result in lessons.check("gradients", remeasure=False)}
    assert all(checked[name].holds for name in ("vanish_below_one", "explode_well_above_one"))
    assert display.figure_.get_suptitle().startswith("Gradients vanish below spectral radius 1, explode well above")
    for activation in ACTIVATIONS:
        assert checked[f"{activation}_edge"].holds
        title = display.axes_[activation].get_title(loc="left")
        vanishes, explodes = (display.lines_[activation, radius].get_ydata() for radius in EDGES[activation])
        assert f"ρ = {EDGES[activation][0]:g} vanishes" in title and vanishes[-1] / vanishes[0] <= VANISHED
        assert f"ρ = {EDGES[activation][1]:g} explodes" in title and explodes[-1] / explodes[0] >= EXPLODED


def test_spectral_radius_lines_are_the_medians_and_coloured_by_side_of_one():
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay, radius_colours

    rng = np.random.default_rng(0)
    radii = (0.5, 1.0, 2.0)
    norms = {(a, r): rng.uniform(0.1, 10, size=(4, 6)) for a in ("tanh", "relu") for r in radii}
    norms["relu", 0.5][:, 3:] = 0.0  # underflow
    display = SpectralRadiusDisplay(norms=norms, radii=radii, activations=("tanh", "relu")).plot()
    for key, values in norms.items():
        _, y = display.lines_[key].get_data()
        expected = np.median(values, axis=0)
        np.testing.assert_allclose(y, np.where(expected > 0, expected, np.nan))
    assert any("underflow" in text.get_text() for text in display.axes_["relu"].texts)
    colours = radius_colours(radii)
    assert colours[1.0] == rnnviz.style.neutral("text")  # black on the light theme, white on the dark one
    assert colours[0.5][2] > colours[0.5][0] and colours[2.0][0] > colours[2.0][2]  # blue below, vermilion above
    np.testing.assert_allclose(radius_colours((0.5, 0.9999))[0.9999], matplotlib.colors.to_rgb(rnnviz.style.VALUE_COLOURS["negative"]), atol=1e-3)
    near_and_far = (0.9, 0.5, 1.1, 3.0)
    light = radius_colours(near_and_far)
    with rnnviz.style.context(theme="dark"):
        dark = radius_colours(near_and_far)
    for near, far in ((0.9, 0.5), (1.1, 3.0)):  # further from 1: standing out more from the background
        assert sum(light[far][:3]) < sum(light[near][:3]) and sum(dark[far][:3]) > sum(dark[near][:3])


def test_spectral_radius_needs_one_axes_per_activation():
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay

    display = SpectralRadiusDisplay(norms={("tanh", 1.0): np.ones((1, 3))}, radii=(1.0,), activations=("tanh",))
    figure, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="ax: expected 1 axes"):
        display.plot(ax=axes)


@pytest.mark.slow
def test_spectral_radius_sweep_on_a_real_model():
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay

    display = SpectralRadiusDisplay.from_sweep(radii=(0.5, 1.5), activations=("tanh",), units=8, steps=20, batch=2)
    small, large = (np.median(display.norms["tanh", r], axis=0) for r in (0.5, 1.5))
    assert small[-1] < 1e-3 * small[0]  # vanishes
    assert large[-1] > small[-1] * 1e3


@pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")
def test_memory_heatmap_shows_the_log_median():
    from rnnviz.figures.memory import MemoryHeatmapDisplay

    rng = np.random.default_rng(1)
    maps = {}
    for label in ("SimpleRNN", "LSTM"):
        values = rng.uniform(1e-6, 1, size=(3, 5, 5))
        values[:, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] = np.nan
        maps[label] = values
    display = MemoryHeatmapDisplay(maps=maps).plot()
    for label, values in maps.items():
        shown = display.images_[label].get_array()
        expected = np.log10(np.nanmedian(values, axis=0))
        np.testing.assert_allclose(np.ma.filled(shown, np.nan), expected)
    assert display.colorbar_ is not None


def test_clipping_display_draws_the_recorded_steps_and_marks_overflow():
    from rnnviz.figures.clipping import ClippingDisplay

    runs = {
        "no clipping": {"gradient_norm": np.array([3.0, 1e6, np.inf, np.nan]), "loss": np.array([1.0, 50.0, np.nan, np.nan])},
        "clipnorm=1": {"gradient_norm": np.array([3.0, 2.0, 1.0, 0.5]), "loss": np.array([1.0, 0.5, 0.2, 0.1])},
    }
    display = ClippingDisplay(runs=runs).plot()
    x, y = display.lines_["no clipping", "gradient_norm"].get_data()
    np.testing.assert_array_equal(x, [0, 1]) and np.testing.assert_array_equal(y, [3.0, 1e6])
    np.testing.assert_array_equal(display.lines_["clipnorm=1", "loss"].get_data()[1], runs["clipnorm=1"]["loss"])
    for panel, steps in (("gradient_norm", [2, 3]), ("loss", [2, 3])):
        np.testing.assert_array_equal(display.nonfinite_["no clipping", panel].get_xdata(), steps)
        assert "inf / NaN" in [label.get_text() for label in display.axes_[panel].get_yticklabels()]
    assert ("clipnorm=1", "loss") not in display.nonfinite_
    legend = [text.get_text() for text in display.axes_["gradient_norm"].get_legend().get_texts()]
    assert "no clipping: inf or NaN\n(overflow)" in legend


def test_every_clipping_setting_shows_apart_and_above_the_curves_stays_free_for_overflow():
    """The shipped runs: every setting starts at the same point, so each has its own marker and line style;
    the unclipped run's one finite step is a ring around the others, its overflow a row of × over all curves."""
    from rnnviz.figures.clipping import ClippingDisplay

    display = ClippingDisplay.from_lesson().plot()
    lines = [display.lines_[label, "gradient_norm"] for label in display.runs]
    assert len({(line.get_marker(), line.get_linestyle(), line.get_color()) for line in lines}) == len(lines)
    ring, *others = lines
    assert ring.get_markerfacecolor() == "none" and all(ring.get_markersize() > line.get_markersize() for line in others)
    assert ring.get_zorder() > max(line.get_zorder() for line in others)
    for panel, axes in display.axes_.items():
        marks = display.nonfinite_["no clipping", panel]
        np.testing.assert_array_equal(marks.get_xdata(), np.flatnonzero(~np.isfinite(display.runs["no clipping"][panel])))
        band_bottom = axes.transAxes.transform((0, min(marks.get_ydata())))[1] - 5  # pixels, under the × row
        highest = max(np.nanmax(line.get_ydata()) for (_, key), line in display.lines_.items() if key == panel)
        assert axes.transData.transform((0, highest))[1] < band_bottom


@pytest.mark.slow
def test_clipping_run_explodes_only_without_clipping():
    from rnnviz.lessons.gradients import train_with_clipping

    runs = train_with_clipping()
    assert not np.isfinite(runs["no clipping"]["loss"]).all()
    for label in ("clipnorm=1", "global_clipnorm=1"):
        assert np.isfinite(runs[label]["loss"]).all()
        assert runs[label]["loss"][-1] < runs[label]["loss"][0]
    assert runs["no clipping"]["gradient_norm"][0] == runs["clipnorm=1"]["gradient_norm"][0]  # same start


@pytest.mark.slow
def test_same_seed_same_png_bytes(tmp_path):
    from rnnviz.figures.spectral_radius import SpectralRadiusDisplay
    from rnnviz.export import save_figure

    paths = []
    for run in range(2):
        display = SpectralRadiusDisplay.from_sweep(radii=(0.9, 1.5), units=8, steps=15, batch=2, seed=3).plot()
        paths.append(save_figure(display.figure_, tmp_path / f"run{run}.png")[0])
    assert paths[0].read_bytes() == paths[1].read_bytes()

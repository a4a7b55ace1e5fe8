"""Gradient figures draw the profiles' own numbers."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnviz
from rnnviz.figures.gradient_decay import GradientDecayDisplay
from rnnviz.style import color


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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

"""The scenes' shipped defaults (scenes/data): made again by scenes/make_default_data.py, they hold the same numbers."""

import re
from pathlib import Path

import numpy as np
import pytest

import rnnviz
from rnnviz.data.pipeline_stages import load_pipeline_stages
from rnnviz.profile import load_profile
from rnnviz.scenes import make_default_data
from rnnviz.scenes.traces import DATA, load_windowing_view

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 400_000  # every default the scenes ship, together


def same_trace(made, shipped):
    assert made.layer_names == shipped.layer_names and made.architecture == shipped.architecture
    for ours, theirs in zip(made.layers, shipped.layers):
        assert (ours.kind, ours.units) == (theirs.kind, theirs.units)
        np.testing.assert_array_equal(ours.mask, theirs.mask)
        for group in ("states", "gates", "weights"):
            mine, stored = getattr(ours, group), getattr(theirs, group)
            assert mine.keys() == stored.keys()
            for key in mine:
                np.testing.assert_allclose(mine[key], stored[key], rtol=1e-5, atol=1e-6, err_msg=f"{ours.name} {key}")
        np.testing.assert_allclose(ours.inputs, theirs.inputs, rtol=1e-5, atol=1e-6)  # computed (Dense, RepeatVector)
    np.testing.assert_allclose(made.model_output, shipped.model_output, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_regenerating_the_scene_data_gives_the_same_numbers(tmp_path):
    written = make_default_data.main(tmp_path)
    assert sorted(path.name for path in written) == sorted(path.name for path in DATA.glob("*.npz"))
    for path in written:
        shipped = DATA / path.name
        if path.name.startswith("adding_"):
            np.testing.assert_allclose(load_profile(path).norms, load_profile(shipped).norms, rtol=1e-4)
        elif path.name == "windowing.npz":
            (made, made_meta), (stored, stored_meta) = load_windowing_view(path), load_windowing_view(shipped)
            assert made_meta == stored_meta and made.description == stored.description
            assert (made.boundaries, made.stride, made.rows) == (stored.boundaries, stored.stride, stored.rows)
            for name in ("series", "starts", "inputs", "targets"):
                np.testing.assert_allclose(getattr(made, name), getattr(stored, name), rtol=1e-6, err_msg=name)
        elif path.name == "pipeline.npz":
            made, stored = load_pipeline_stages(path), load_pipeline_stages(shipped)
            assert made.names == stored.names and made.settings == stored.settings
            for ours, theirs in zip(made.stages, stored.stages):
                assert (ours.call, ours.shapes, ours.count) == (theirs.call, theirs.shapes, theirs.count)
                for mine, kept in zip(ours.elements, theirs.elements):
                    for a, b in zip(mine, kept):
                        np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=ours.name)
        else:
            same_trace(rnnviz.load(path), rnnviz.load(shipped))


def test_the_scene_data_is_small_and_installed():
    files = list(DATA.glob("*.npz"))
    assert len(files) == 11 and sum(path.stat().st_size for path in files) <= MAX_BYTES
    assert not [path for path in DATA.iterdir() if path.is_dir()]  # package data takes scenes/data/*.npz only
    assert re.search(r'"rnnviz\.scenes" = \["data/\*\.npz"\]', (ROOT / "pyproject.toml").read_text())


def test_the_shipped_windows_are_those_of_the_pipeline_positions():
    """The shipped windowing view agrees with the Windows' own index arithmetic (no TensorFlow needed)."""
    from rnnviz.scenes.traces import default_windows

    view, meta = load_windowing_view(DATA / "windowing.npz")
    windows = default_windows(meta["batch_size"])
    inputs, targets = windows.positions("train")
    np.testing.assert_array_equal(view.starts, windows.starts("train")[: meta["batch_size"]])
    series = windows.normalise(windows.series)
    np.testing.assert_allclose(view.inputs, series[inputs[: meta["batch_size"]]], rtol=1e-6)
    np.testing.assert_allclose(view.targets, series[targets[: meta["batch_size"]]], rtol=1e-6)

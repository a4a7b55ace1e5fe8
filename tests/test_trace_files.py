"""Trace files: exact round trip, no pickle, no TensorFlow, clear errors for bad files."""

import io
import json
import os
import stat
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import rnnviz
from rnnviz.errors import TraceFileError
from tests.models import build


@pytest.fixture(scope="module")
def trace():
    model, x = build("embedding_mask_zero")
    return rnnviz.record(model, x)


@pytest.fixture
def saved(trace, tmp_path):
    return trace.save(tmp_path / "trace.npz")


def _arrays(layer):
    return {
        "inputs": layer.inputs,
        "mask": layer.mask,
        **{f"states/{k}": v for k, v in layer.states.items()},
        **{f"gates/{k}": v for k, v in layer.gates.items()},
        **{f"weights/{k}": v for k, v in layer.weights.items()},
        **{f"initial/{k}": v for k, v in layer.initial_states.items()},
    }


def test_round_trip_is_exact(trace, saved):
    loaded = rnnviz.load(saved)
    assert loaded.layer_names == trace.layer_names
    assert loaded.model_name == trace.model_name
    np.testing.assert_array_equal(loaded.model_input, trace.model_input)
    np.testing.assert_array_equal(loaded.model_output, trace.model_output)
    for original, copy in zip(trace.layers, loaded.layers):
        assert (copy.kind, copy.units, copy.go_backwards, copy.config) == (
            original.kind,
            original.units,
            original.go_backwards,
            original.config,
        )
        a, b = _arrays(original), _arrays(copy)
        assert a.keys() == b.keys()
        for key in a:
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_file_is_a_plain_npz_without_pickle(saved):
    with np.load(saved, allow_pickle=False) as npz:
        assert "__meta__" in npz.files
        meta = json.loads(npz["__meta__"].tobytes())
        assert meta["format"] == "rnnviz.ModelTrace" and meta["format_version"] == 1
        assert all(npz[name].dtype != object for name in npz.files)


def test_saving_twice_gives_the_same_bytes(trace, tmp_path):
    first = trace.save(tmp_path / "a.npz").read_bytes()
    second = trace.save(tmp_path / "b.npz").read_bytes()
    assert first == second


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_saved_file_gets_a_new_files_mode_like_a_figure(trace, tmp_path, umask):
    import matplotlib.figure

    from rnnviz.export import save_figure

    previous = os.umask(umask)
    try:
        saved = trace.save(tmp_path / "trace.npz")
        figure = save_figure(matplotlib.figure.Figure(), tmp_path / "figure.png")[0]
    finally:
        os.umask(previous)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o666 & ~umask  # 0644 under umask 022, not mkstemp's 0600
    assert stat.S_IMODE(saved.stat().st_mode) == stat.S_IMODE(figure.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_suffix_is_added(trace, tmp_path):
    assert trace.save(tmp_path / "trace").name == "trace.npz"


def test_loading_needs_no_tensorflow(saved):
    code = (
        "import sys, rnnviz\n"
        f"t = rnnviz.load({str(saved)!r})\n"
        "total = sum(float(layer.states['h'].sum()) for layer in t.layers)\n"
        "assert t['bi/backward'].gates['update'].shape == (3, 9, 3)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "assert not bad, bad\n"
        "print('ok', len(t.layers))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok 4")


def test_import_rnnviz_does_not_import_tensorflow():
    code = (
        "import sys, rnnviz, rnnviz.trace, rnnviz.kinds, rnnviz.archive, rnnviz.scenes, rnnviz.widgets\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "assert not bad, bad\n"
        "assert callable(rnnviz.record) and callable(rnnviz.gradient_profile)\n"  # dispatchers: no framework yet
        "assert 'tensorflow' not in sys.modules\n"
        "import numpy as np, keras\n"
        "model = keras.Sequential([keras.Input((3, 1)), keras.layers.SimpleRNN(2)])\n"
        "assert rnnviz.record(model, np.zeros((1, 3, 1), 'float32')).layers[0].kind == 'simple_rnn'\n"
        "assert 'tensorflow' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_truncated_file(saved, tmp_path):
    damaged = tmp_path / "truncated.npz"
    damaged.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(TraceFileError, match="truncated.npz: cannot be read as an rnnviz file"):
        rnnviz.load(damaged)


def test_corrupted_file(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    damaged = tmp_path / "corrupted.npz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(TraceFileError, match="corrupted.npz"):
        rnnviz.load(damaged)


def test_text_file(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("not a trace")
    with pytest.raises(TraceFileError, match="notes.npz: not an rnnviz file"):
        rnnviz.load(path)


def test_foreign_npz(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(TraceFileError, match="foreign.npz: not an rnnviz file.*weights"):
        rnnviz.load(path)


def test_pickled_npz_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, __meta__=np.frombuffer(b'{"format": "rnnviz.ModelTrace", "format_version": 1}', np.uint8),
             evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(TraceFileError, match="pickled.npz: cannot be read"):
        rnnviz.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(TraceFileError, match="absent.npz: no such file"):
        rnnviz.load(tmp_path / "absent.npz")


def _rewrite_meta(source, target, **changes):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "__meta__.npy":
                meta = json.loads(np.load(io.BytesIO(data)).tobytes())
                meta.update(changes)
                buffer = io.BytesIO()
                np.save(buffer, np.frombuffer(json.dumps(meta).encode(), np.uint8))
                data = buffer.getvalue()
            zout.writestr(info, data)


def test_newer_format_version(saved, tmp_path):
    newer = tmp_path / "newer.npz"
    _rewrite_meta(saved, newer, format_version=99)
    with pytest.raises(TraceFileError, match="newer.npz: written in .* format version 99 by a newer rnnviz.*up to 1"):
        rnnviz.load(newer)


def test_other_kind_of_rnnviz_file(saved, tmp_path):
    other = tmp_path / "profile.npz"
    _rewrite_meta(saved, other, format="rnnviz.GradientProfile")
    with pytest.raises(TraceFileError, match="holds a rnnviz.GradientProfile, expected a rnnviz.ModelTrace"):
        rnnviz.load(other)


def test_inconsistent_contents(saved, tmp_path):
    broken = tmp_path / "broken.npz"
    _rewrite_meta(saved, broken, layers=[{"name": "x", "kind": "lstm", "units": 99}])
    with pytest.raises(TraceFileError, match="broken.npz: the trace's contents are inconsistent"):
        rnnviz.load(broken)

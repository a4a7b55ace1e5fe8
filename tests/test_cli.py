"""The command line and the set-up the README promises."""

import re
from pathlib import Path

import pytest

import rnnviz
from rnnviz.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    assert len(blocks) == 2, "the README has exactly two set-up commands"
    gallery_command, test_command = blocks
    assert "rnnviz gallery" in gallery_command
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_gallery_writes_a_trace_per_cell_kind(tmp_path, capsys):
    assert main(["gallery", "--out", str(tmp_path / "out"), "--epochs", "1"]) == 0
    written = sorted(p.name for p in (tmp_path / "out" / "traces").iterdir())
    assert written == ["gru.npz", "lstm.npz", "peephole_lstm.npz", "simple_rnn.npz"]
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    kinds = ("gru", "lstm", "peephole_lstm", "simple_rnn")
    assert figures == sorted(
        ["gradient_clipping.png", "gradient_decay.png", "long_range_memory.png", "memory_heatmap.png", "spectral_radius.png"]
        + [f"{figure}_{kind}.png" for figure in ("cell", "unrolled", "stateheatmap") for kind in kinds]
        + [f"gatetimeline_{kind}.png" for kind in kinds if kind != "simple_rnn"]
    )
    trace = rnnviz.load(tmp_path / "out" / "traces" / "lstm.npz")
    assert trace.layers[0].kind == "lstm" and trace.layers[0].batch_size == 8
    output = capsys.readouterr().out
    assert "[4/4] gru" in output and "validation MAE" in output and "naive forecast" in output


def test_gallery_refuses_a_file_as_out(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("")
    assert main(["gallery", "--out", str(target)]) == 2
    error = capsys.readouterr().err
    assert "--out:" in error and "is a file; expected a directory" in error
    assert main(["gallery", "--out", str(target / "inside")]) == 2
    assert "--out: cannot create directory" in capsys.readouterr().err


def test_bad_option_is_reported(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gallery", "--epochs", "zero"])
    assert exit_info.value.code == 2
    assert "--epochs: expected a positive integer" in capsys.readouterr().err


def test_readme_quick_start_runs(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    readme = (ROOT / "README.md").read_text()
    namespace = {}  # the second block goes on with the first one's model and x
    for block in re.findall(r"```python\n(.*?)\n```", readme, flags=re.S):
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "lecture.npz").exists() and (tmp_path / "decay.png").exists()

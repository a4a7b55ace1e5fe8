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


@pytest.mark.slow
def test_gallery_writes_every_figure_with_a_contact_sheet(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["gallery", "--out", str(out), "--formats", "png,svg", "--theme", "dark"]) == 0
    written = sorted(p.name for p in (out / "traces").iterdir())
    assert written == ["gru.npz", "lstm.npz", "peephole_lstm.npz", "simple_rnn.npz"]
    figures = {p.relative_to(out / "figures").as_posix() for p in (out / "figures").rglob("*.*")}
    kinds = ("gru", "lstm", "peephole_lstm", "simple_rnn")
    expected = (
        [f"gradients/{name}" for name in ("gradient_clipping", "gradient_decay", "gradient_decay_trained",
                                          "long_range_memory", "memory_heatmap", "memory_heatmap_trained",
                                          "spectral_radius")]
        + [f"unrolled/unrolled_{kind}" for kind in kinds]
        + [f"cells/{figure}_{kind}" for figure in ("cell", "states") for kind in kinds]
        + [f"cells/gates_{kind}" for kind in kinds if kind != "simple_rnn"]
        + [f"architectures/{name}" for name in ("bidirectional", "encoder_decoder", "sequence_to_sequence",
                                                "sequence_to_vector", "vector_to_sequence")]
        + [f"forecasting/{name}" for name in ("errors", "forecast", "learning_curves")]
        + [f"series/{name}" for name in ("components_co2", "components_indices", "components_smooth", "windows",
                                         "windows_sequence")]
    )
    assert figures == {f"{name}.{fmt}" for name in expected for fmt in ("png", "svg")}
    index = (out / "index.html").read_text()
    assert index.count("<figure>") == len(expected) and "Inside the cells" in index
    assert 'src="figures/cells/gates_lstm.png"' in index and "#1e1e1e" in index  # the dark theme's page
    assert not list(out.rglob(".*.tmp"))  # nothing half-written
    trace = rnnviz.load(out / "traces" / "lstm.npz")
    assert trace.layers[0].kind == "lstm" and trace.layers[0].batch_size == 8
    output = capsys.readouterr().out
    steps = len(expected) + 1  # the figures and the contact sheet: nothing is trained
    assert re.search(rf"\] {steps}/{steps} +\d+ s  index.html", output)  # the progress bar reached the end
    assert "validation MAE" in output and "naive" in output and "<table>" in index


def test_gallery_options_are_checked(capsys):
    for argv, message in ((["--formats", "png,gif"], "--formats: expected formats among png, svg, pdf"),
                          (["--theme", "sepia"], "--theme: invalid choice"),
                          (["--size", "21:9"], "--size: invalid choice")):
        with pytest.raises(SystemExit) as exit_info:
            main(["gallery", *argv])
        assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_gallery_refuses_a_file_as_out(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("")
    assert main(["gallery", "--out", str(target)]) == 2
    error = capsys.readouterr().err
    assert "--out:" in error and "is a file; expected a directory" in error
    assert main(["gallery", "--out", str(target / "inside")]) == 2
    assert "--out: cannot create directory" in capsys.readouterr().err


def test_bad_option_is_reported(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["gallery", "--seed", "-1"])
    assert exit_info.value.code == 2
    assert "--seed: expected a non-negative integer" in capsys.readouterr().err
    assert main(["gallery", "--seed", "3", "--out", str(tmp_path)]) == 2  # the shipped lessons are seed 0
    assert "--seed: the lessons drawn were trained with seed 0; add --retrain" in capsys.readouterr().err


def test_readme_quick_start_runs(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    readme = (ROOT / "README.md").read_text()
    namespace = {}  # the second block goes on with the first one's model and x
    for block in re.findall(r"```python\n(.*?)\n```", readme, flags=re.S):
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "lecture.npz").exists() and (tmp_path / "decay.png").exists()


def test_render_names_its_scenes_and_checks_the_trace_before_rendering(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["render", "lstm_gates"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["render", "lstm", "--quality", "8k"])
    assert "--quality: invalid choice" in capsys.readouterr().err
    assert main(["render", "lstm", "--trace", str(tmp_path / "missing.npz"), "--out", str(tmp_path)]) == 2
    assert "rnnviz render: error: --trace: no file" in capsys.readouterr().err
    assert not (tmp_path / "videos").exists()  # nothing rendered


def test_gallery_takes_video():
    from rnnviz.cli import build_parser

    assert build_parser().parse_args(["gallery", "--video"]).video
    assert not build_parser().parse_args(["gallery"]).video

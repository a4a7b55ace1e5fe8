"""The command line and the set-up the README promises."""

import os
import re
import subprocess
import sys
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
def test_gallery_writes_every_figure_with_a_contact_sheet(tmp_path, capfd):
    out = tmp_path / "out"
    assert main(["gallery", "--out", str(out), "--formats", "png,svg", "--theme", "dark"]) == 0
    written = sorted(p.name for p in (out / "traces").iterdir())
    assert written == ["deep_rnn.npz", "gru.npz", "lstm.npz", "peephole_lstm.npz", "simple_rnn.npz"]
    figures = {p.relative_to(out / "figures").as_posix() for p in (out / "figures").rglob("*.*")}
    kinds = ("gru", "lstm", "peephole_lstm", "simple_rnn")
    expected = (
        [f"gradients/{name}" for name in ("gradient_clipping", "gradient_decay", "gradient_decay_trained",
                                          "long_range_memory", "memory_heatmap", "memory_heatmap_trained",
                                          "spectral_radius", "clipping_vectors", "bptt", "agreement_sentence",
                                          "agreement_length")]
        + [f"unrolled/unrolled_{kind}" for kind in (*kinds, "deep_rnn")] + ["unrolled/memory_cell"]
        + ["cells/conveyor_lstm"]
        + [f"cells/{figure}_{kind}" for figure in ("cell", "states") for kind in kinds]
        + [f"cells/gates_{kind}" for kind in kinds if kind != "simple_rnn"]
        + [f"architectures/{name}" for name in ("bidirectional", "encoder_decoder", "sequence_to_sequence",
                                                "sequence_to_vector", "vector_to_sequence")]
        + [f"forecasting/{name}" for name in ("errors", "forecast", "learning_curves", "strategies")]
        + ["key/colours"]
        + [f"sequences/{name}" for name in ("order_matters", "dense_window", "conv_receptive_field", "conv_pooling",
                                            "conv_translation")]
        + [f"series/{name}" for name in ("components_co2", "components_indices", "components_smooth", "pipeline",
                                         "windows", "windows_sequence")]
    )
    assert figures == {f"{name}.{fmt}" for name in expected for fmt in ("png", "svg")}
    index = (out / "index.html").read_text()
    assert index.count("<figure>") == len(expected) and "Inside the cells" in index
    assert 'src="figures/cells/gates_lstm.png"' in index and "#1e1e1e" in index  # the dark theme's page
    assert not list(out.rglob(".*.tmp"))  # nothing half-written
    trace = rnnviz.load(out / "traces" / "lstm.npz")
    assert trace.layers[0].kind == "lstm" and trace.layers[0].batch_size == 8
    output, err = capfd.readouterr()  # (file descriptors: the helper process's output too)
    steps = len(expected) + 1  # the figures and the contact sheet: nothing is trained
    assert re.findall(r"\] \d+/(\d+) ", output) == [str(steps)] * steps  # the total known from the start
    assert re.search(rf"\] {steps}/{steps} +\d+ s  index.html", output)  # the progress bar reached the end
    assert "validation MAE" in output and "naive" in output and "<table>" in index
    assert index.count("validation MAE") == 1  # the table, not also the summary above it
    on_disk = sum(path.is_file() for path in out.rglob("*"))
    assert f"rnnviz gallery: {on_disk} files in" in output and f"rnnviz gallery: {on_disk} files in" in index
    assert err == ""  # no TensorFlow noise on a run that succeeds
    assert {oct(path.stat().st_mode & 0o777) for path in out.rglob("*.*")} == {oct(0o666 & ~_umask())}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_summary_counts_each_file_once_and_the_page_leaves_the_table_to_its_section(tmp_path):
    from rnnviz.gallery import GalleryResult

    files = [tmp_path / "figures" / "a.png", tmp_path / "traces" / "t.npz", tmp_path / "index.html"]
    result = GalleryResult(tmp_path, [*files, files[0]], "validation MAE, 5 steps ahead\n  naive  0.925", 3.0)
    assert result.summary().startswith(f"rnnviz gallery: 3 files in {tmp_path}")
    assert "1 figure files, 1 traces" in result.summary() and "validation MAE" in result.summary()
    assert "validation MAE" not in result.summary(mae_table=False)


def test_listing_the_gallery_counts_its_steps_without_tensorflow():
    code = ("import sys; from rnnviz.gallery import planned_steps\n"
            "print(planned_steps(0, retrain=False, video=False), planned_steps(0, retrain=True, video=True))\n"
            "assert 'tensorflow' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    from rnnviz.lessons import LESSONS
    from rnnviz.scenes import SCENES

    plain, everything = map(int, result.stdout.split())
    assert everything == plain + len(LESSONS) + len(SCENES)


def test_gallery_videos_leave_no_working_files(tmp_path, monkeypatch):
    import rnnviz.scenes
    from rnnviz.gallery import render_videos

    def render_scene(name, *, quality, format, out):  # as manim does: partial files, then the video
        (Path(out) / "partial").mkdir(parents=True, exist_ok=True)
        (Path(out) / "partial" / f"{name}_0.mp4").write_bytes(b"part")
        (Path(out) / f"{name}.mp4").write_bytes(b"video")
        return Path(out) / f"{name}.mp4"

    monkeypatch.setattr(rnnviz.scenes, "render_scene", render_scene)
    steps = []
    written = render_videos(tmp_path, step=steps.append)
    assert len(steps) == len(written) == len(rnnviz.scenes.SCENES)
    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == sorted(written)


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

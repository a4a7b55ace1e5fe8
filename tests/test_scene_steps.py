"""Every frame true: the end of each step's section in the video is the still of that step.

Each stepped scene is rendered with its sections (manim's section files, one clip per
step) at 480x270 and 5 frames a second; at 3 or more steps the last frame of that step's
clip is compared with the still of that step (``Scene(step=k)``: the state at the end of
step k built directly, no animation before it). The video's strips, numbers and readouts
are driven by updaters and animations; the still's are set once, from the trace. A strip
or a readout that stops following its step in the video (the freeze of issue 17) makes
the two differ.

The comparison: both pictures are averaged over 6x6-pixel blocks (which evens out the
video codec's ringing around edges and its halved colour resolution) and a block differs
when one of its mean channels is off by more than ``TOLERANCE`` (of 255). A section's
last frame and its still may differ in at most ``MAX_DIFFERING`` blocks (the codec's
noise keeps every block under ~12); the test also checks that the stills of neighbouring
steps would fail that comparison (more blocks, by more than 1.5 ``TOLERANCE``), so the
tolerance cannot hide a step's change.

Shown to fail with the freeze put back: in ``GatesScene.animate``, the ring at step 1
replaced by the old ``self.play(Indicate(cell.get_gate("candidate")), run_time=0.6)``,
the test failed for all three gate scenes at the first step checked after step 1 (2026-12-02,
and again on 2026-12-03 after the gate videos were redrawn larger): lstm at step 2 in 63
blocks, peephole_lstm at step 3 in 16, gru at step 2 in 28: the frozen strips' colours.

Every registered scene is checked: at the steps :data:`CHECKED` names, else at :data:`DEFAULT_STEPS`.
"""

import json

import numpy as np
import pytest

from rnnviz.errors import InputError
from rnnviz.scenes import SCENES, render_scene

TOLERANCE = 24  # of 255, on 6x6-block means: the codec's noise stays under ~12
MAX_DIFFERING = 1  # blocks (of 80 x 45); measured: 0 at every checked step
BLOCK = 6  # even: the codec halves the colour resolution in 2x2 pixels
SETTINGS = {"pixel_width": 480, "pixel_height": 270, "frame_rate": 5, "disable_caching": True,
            "verbosity": "WARNING", "progress_bar": "none"}

DEFAULT_STEPS = (0, 2, -1)  # compared in a scene CHECKED does not name (negative: from the end)
# scene -> the steps compared; each takes in steps after the gates' ring at step 1
CHECKED = {
    "lstm": (0, 2, 5, -1),
    "peephole_lstm": (1, 3, -1),
    "gru": (0, 2, -1),
    "unrolling": (2, 8, -1),
    "gradients": (0, 4, -1),
    "windowing": (0, 2, -1),
    "components": (1, 3, -1),  # level → level + trend is a gentle tilt at 480x270: the steps after it are checked
    "architectures": (0, 2, -1),
}


def scene_class(name):
    import importlib

    entry = SCENES[name]
    return getattr(importlib.import_module(entry.module), entry.name)


def render_sections(name, media) -> tuple:
    """``(step names, section names, the last frame of every section's clip)``."""
    from manim import tempconfig

    with tempconfig({**SETTINGS, "media_dir": str(media), "write_to_movie": True, "save_sections": True}):
        scene = scene_class(name)()
        scene.render()
        index = scene.renderer.file_writer.output_plan.section_index
    sections = json.loads(index.read_text())
    return scene.step_names(), [s["name"] for s in sections], [last_frame(index.parent / s["video"]) for s in sections]


def last_frame(path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        frame = None
        for frame in container.decode(video=0):
            pass
        return frame.to_ndarray(format="rgb24")


def still(name, step) -> np.ndarray:
    """The still of ``step``, as the scene draws it for ``rnnviz render --step``, in memory."""
    from manim import tempconfig

    with tempconfig({**SETTINGS, "write_to_movie": False, "dry_run": True}):
        scene = scene_class(name)(step=step)
        scene.render()
        scene.renderer.update_frame(scene, ignore_skipping=True)
        return np.array(scene.renderer.get_frame())[..., :3]


def differing_blocks(a, b) -> tuple:
    """``(how many blocks differ by more than TOLERANCE, the largest block difference)``."""
    def blocks(image):
        h, w = image.shape[0] // BLOCK * BLOCK, image.shape[1] // BLOCK * BLOCK
        return image[:h, :w].astype(float).reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK, 3).mean(axis=(1, 3))

    difference = np.abs(blocks(a) - blocks(b)).max(axis=-1)
    return int((difference > TOLERANCE).sum()), float(difference.max())


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCENES))
def test_each_steps_section_ends_on_its_still(name, tmp_path):
    names, sections, ends = render_sections(name, tmp_path)
    assert sections == names and len(set(names)) == len(names)  # one clip per step, named after it
    for step in CHECKED.get(name, DEFAULT_STEPS):
        step = step % len(names)
        shown = still(name, step)
        count, largest = differing_blocks(ends[step], shown)
        assert count <= MAX_DIFFERING, (f"{name}, step {step} ({names[step]!r}): the section's last frame differs from "
                                        f"the step's still in {count} blocks (up to {largest:.0f} of 255)")
        neighbour = step + 1 if step + 1 < len(names) else step - 1
        count, largest = differing_blocks(still(name, neighbour), shown)
        assert count > MAX_DIFFERING and largest > 1.5 * TOLERANCE, (
            f"{name}: the stills of steps {step} and {neighbour} differ in only {count} blocks (up to {largest:.0f})")


def test_render_checks_the_step_and_sections_options(tmp_path, monkeypatch):
    from rnnviz.scenes.render import SceneEntry

    with pytest.raises(InputError, match="--sections: .*expected --format mp4 or gif, got 'png'"):
        render_scene("windowing", sections=True, format="png", out=tmp_path)
    with pytest.raises(InputError, match="--sections: .*--step"):
        render_scene("windowing", sections=True, step=1, out=tmp_path)
    with pytest.raises(InputError, match="--format: --step renders the still of one step; expected png, got 'mp4'"):
        render_scene("windowing", step=1, format="mp4", out=tmp_path)
    with pytest.raises(InputError, match=r"--step: the WindowingScene has 6 steps \(0: 'window 0, .*expected an integer "
                                         r"from 0 to 5, got 6"):
        render_scene("windowing", step=6, out=tmp_path)
    with pytest.raises(InputError, match="--step: .*got -1"):
        render_scene("architectures", step=-1, out=tmp_path)
    monkeypatch.setitem(SCENES, "plain", SceneEntry("manim", "Scene", takes=None))
    with pytest.raises(InputError, match="--step: the plain scene has no steps; expected no --step"):
        render_scene("plain", step=0, out=tmp_path)
    assert not any(tmp_path.rglob("*.png")) and not any(tmp_path.rglob("*.mp4"))


def test_a_still_and_the_sections_from_the_command_line(tmp_path, capsys):
    from rnnviz.cli import main

    assert main(["render", "windowing", "--step", "2", "--out", str(tmp_path)]) == 0
    (written,) = capsys.readouterr().out.splitlines()
    assert written.endswith("WindowingScene_step_2.png") and (tmp_path / "images" / "WindowingScene_step_2.png").is_file()
    assert main(["render", "windowing", "--sections", "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.splitlines()
    clips = [line for line in written if "/sections/" in line and line.endswith(".mp4")]
    assert len(clips) == 6 and clips[0].endswith("WindowingScene_0000_window-0-time-steps-0-29.mp4")
    assert all(__import__("pathlib").Path(line).is_file() for line in written)
    assert len(written) == 8  # the clips, manim's index of them, the whole video

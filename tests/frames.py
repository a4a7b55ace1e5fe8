"""Last-frame comparisons for manim mobjects, against control frames in ``tests/control_data/scenes``.

manim's own ``frames_comparison`` skips itself on Debian's cairo 1.16 (it wants 1.18),
so this does the same job here: render a scene's last frame at 480p (no file
written), compare it with the stored one pixel by pixel, and write the control
frame instead when pytest runs with ``--set_test``.
"""

from pathlib import Path

import numpy as np

CONTROL = Path(__file__).parent / "control_data" / "scenes"
TOLERANCE = 8  # per channel, out of 255: anti-aliasing noise, not a moved or recoloured mobject
MAX_DIFFERING = 0.001  # of the pixels


def last_frame(build) -> np.ndarray:
    """The last frame (480 x 854 RGBA) of a scene whose ``construct`` is ``build(scene)``."""
    from manim import Scene, tempconfig

    class Frame(Scene):
        def construct(self):
            build(self)

    settings = {"pixel_height": 480, "pixel_width": 854, "frame_rate": 1, "dry_run": True,
                "disable_caching": True, "write_to_movie": False, "verbosity": "WARNING", "progress_bar": "none"}
    with tempconfig(settings):
        scene = Frame()
        scene.render()
        return np.array(scene.renderer.get_frame())


def check_frame(request, name: str, frame: np.ndarray) -> None:
    """Compare ``frame`` with the control frame ``name`` (or store it, with ``--set_test``)."""
    path = CONTROL / f"{name}.npz"
    if request.config.getoption("--set_test"):
        CONTROL.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, frame=frame)
        return
    assert path.is_file(), f"no control frame {path}; make it with pytest --set_test"
    expected = np.load(path)["frame"]
    assert frame.shape == expected.shape
    differing = (np.abs(frame.astype(int) - expected.astype(int)).max(axis=-1) > TOLERANCE).mean()
    if differing > MAX_DIFFERING and request.config.getoption("--show_diff"):
        from PIL import Image

        Image.fromarray(np.concatenate([expected, frame], axis=1)).save(CONTROL / f"{name}_diff.png")
    assert differing <= MAX_DIFFERING, f"{name}: {differing:.2%} of the pixels differ from the control frame"


def built_still(scene_class, step: int):
    """The scene ``scene_class`` built as the still of ``step`` at low quality, nothing rendered: its mobjects."""
    from manim import tempconfig

    with tempconfig({"quality": "low_quality", "dry_run": True}):
        scene = scene_class(step=step)
        scene.setup()
        scene.construct()
        return scene

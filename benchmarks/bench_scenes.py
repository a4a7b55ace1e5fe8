"""How long does each lecture video take to render at low quality? Prints seconds per scene.

    python benchmarks/bench_scenes.py

Each scene is rendered as a user would, ``rnnviz render <scene> --quality low`` in a
fresh process (Python, TensorFlow and manim start-up included), then again inside one
process (as the test suite renders them). Target: at most 30 s each at low quality.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main():
    from rnnviz.scenes import SCENES, render_scene

    rnnviz = Path(sys.executable).with_name("rnnviz")
    print(f"{'scene':15} {'fresh process':>14} {'in-process':>11}")
    with tempfile.TemporaryDirectory() as out:
        for name in SCENES:
            started = time.perf_counter()
            subprocess.run([str(rnnviz), "render", name, "--quality", "low", "--out", out], check=True,
                           capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
            fresh = time.perf_counter() - started
            started = time.perf_counter()
            render_scene(name, quality="low", out=out)
            inside = time.perf_counter() - started
            print(f"{name:15} {fresh:12.1f} s {inside:9.1f} s", flush=True)
    print("\ntarget: at most 30 s each at low quality")


if __name__ == "__main__":
    main()

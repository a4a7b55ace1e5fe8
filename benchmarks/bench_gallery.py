"""How long ``rnnviz gallery`` takes from the shipped lessons, and whether two runs write the same bytes.

    .venv/bin/python benchmarks/bench_gallery.py

Runs the gallery twice into temporary folders (PNG, SVG and PDF, the default)
and prints each run's wall time and whether every figure file of the second run
is byte-identical to the first's. Target: at most 60 s on 2 cores (issue 16).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def digests(root: Path) -> dict:
    """Relative path -> SHA-256 of every figure file under ``root/figures``."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted((root / "figures").rglob("*.*"))}


def main():
    import matplotlib

    matplotlib.use("Agg")
    from rnnviz.gallery import run_gallery

    runs = []
    for attempt in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            result = run_gallery(Path(folder) / "gallery", progress=lambda line: None)
            seconds = time.perf_counter() - started
            runs.append((seconds, digests(result.out)))
            print(f"run {attempt}: {seconds:.1f} s, {len(runs[-1][1])} figure files, "
                  f"{len(result.failed)} failed claims")
    first, second = runs[0][1], runs[1][1]
    differing = sorted(name for name in first if first[name] != second.get(name))
    print(f"byte-identical across the two runs: {'yes' if not differing and first.keys() == second.keys() else 'NO'}")
    for name in differing:
        print(f"  differs: {name}")
    print(f"cores: {os.cpu_count()}; target: at most 60 s per run")


if __name__ == "__main__":
    main()

"""Writing files whole: an interrupted run never leaves a half-written file under the final name (no matplotlib)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomically(target, write) -> Path:
    """Call ``write(temporary_path)`` on a hidden file next to ``target``, then rename it into place.

    An interrupted run leaves no half-written file under the final name.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target

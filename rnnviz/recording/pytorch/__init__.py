"""Recording PyTorch modules: the recurrent submodules a module's forward runs, traced through forward hooks.

Nothing here is imported by ``import rnnviz``; :func:`is_torch_module` itself never
imports torch (an object can be a torch module only once torch is loaded).
"""

from __future__ import annotations

import sys


def is_torch_module(obj) -> bool:
    """Whether ``obj`` is a ``torch.nn.Module``, without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)

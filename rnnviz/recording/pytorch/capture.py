"""One forward pass of the user's module, unchanged, with every recurrent submodule's calls captured.

A forward hook on each recurrent submodule keeps, for every call in the order
they ran, its input, its initial states and what it returned (detached copies,
so later in-place changes cannot alter them). The hooks are removed after the
pass, also when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn.utils.rnn import PackedSequence

from rnnviz.errors import InputError


@dataclass
class Call:
    """One call of a submodule: ``module(input, hx) -> output``; ``recurrent`` False for a layer around the
    recurrent ones (an Embedding, a Linear head, ...), whose ``hx`` is None."""

    path: str
    module: torch.nn.Module
    input: object
    hx: object
    output: object
    recurrent: bool = True


def run_captured(module, recurrent: list, args: tuple, around: tuple = ()):
    """Run ``module(*args)`` once without gradients; return ``(calls, output)``: the calls of the ``recurrent``
    submodules and of those ``around`` them (``[(path, submodule)]`` each), in the order they ran."""
    calls = []

    def hook_for(path, is_recurrent):
        def hook(sub, hook_args, hook_kwargs, output):
            given = list(hook_args) + [hook_kwargs.get(name) for name in ("input", "hx")[len(hook_args):]]
            hx = given[1] if len(given) > 1 and is_recurrent else None
            calls.append(Call(path, sub, _kept(given[0] if given else None), _kept(hx), _kept(output), is_recurrent))

        return hook

    handles = [sub.register_forward_hook(hook_for(path, True), with_kwargs=True) for path, sub in recurrent]
    handles += [sub.register_forward_hook(hook_for(path, False), with_kwargs=True) for path, sub in around]
    try:
        with torch.no_grad():
            output = module(*args)
    except Exception as exc:
        shapes = ", ".join(_describe(arg) for arg in args)
        raise InputError(
            f"x: the {type(module).__name__} module rejected the input ({shapes}): {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        for handle in handles:
            handle.remove()
    return calls, output


def _kept(value):
    """A detached copy of a tensor, a PackedSequence, or a tuple of them."""
    if isinstance(value, PackedSequence):
        return value._replace(data=value.data.detach().clone())
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (tuple, list)):
        return tuple(_kept(part) for part in value)
    return value


def _describe(value) -> str:
    if isinstance(value, PackedSequence):
        return f"a PackedSequence of {value.data.shape[0]} steps"
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return type(value).__name__

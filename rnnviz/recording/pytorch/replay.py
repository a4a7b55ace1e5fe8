"""From the captured calls of a recurrent submodule to :class:`LayerTrace` objects, checked against its outputs.

The states ``h`` of every step are what the module computed: its output sequence
for its last layer, a one-layer run of the same class on the same weights for the
layers below (whose outputs PyTorch keeps to itself), or, for a cell called in a
loop, what each call returned. From the state before each step the equations give
every gate (and the LSTM's ``c``) for all steps at once, and the states they give
must equal the module's own at every step (and its final ``h_n``, ``c_n``):
otherwise :class:`UnsupportedModelError`, never a silently different trace.

Padding (a PackedSequence's steps past a sample's length): ``mask`` False; the
states there hold the state carried over, as Keras's masked steps do (in input
time order: the last real state for the forward direction, the initial state for
the backward one); the gates hold what the cell computed from the zero input the
unpacked sequence has there and that state.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnviz.errors import UnsupportedModelError
from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.pytorch import modules
from rnnviz.recording.pytorch.equations import equations
from rnnviz.trace import LayerTrace

TOLERANCE = 1e-5  # absolute, and relative to the module's value


def layer_traces(call, name_for) -> list:
    """The traces of one call of an nn.RNN / nn.LSTM / nn.GRU: one per layer and direction.

    ``name_for(base)`` gives the trace name for a base name (adding ``#k`` to repeats).
    """
    module, kind = call.module, modules.kind_of(call.module)
    directions, units = 2 if module.bidirectional else 1, module.hidden_size
    x, mask, lengths, unbatched = _batch_major(call.input, module.batch_first)
    batch, steps = x.shape[:2]
    initial = _initial_states(call.hx, kind, module.num_layers * directions, batch, units, x, unbatched)
    output, finals = _outputs(call.output, module, steps, unbatched)
    traces, layer_input = [], x
    for layer in range(module.num_layers):
        first, last = layer * directions, (layer + 1) * directions
        layer_initial = [state[first:last] for state in initial]
        if layer == module.num_layers - 1:
            sequence = output
        else:
            sequence = _run_layer(module, layer, layer_input, layer_initial, lengths)
        for direction in range(directions):
            index = first + direction
            base = modules.trace_name(call.path, module, layer, direction)
            trace = direction_trace(
                name_for(base), call.path, module, kind, layer, direction, layer_input,
                sequence[..., direction * units:(direction + 1) * units], [state[index] for state in initial], mask,
            )
            for state, final in zip(kind_states(kind), finals):
                got = trace.states[state][:, 0 if direction else -1]
                _check_close(f"its final {state} (h_n / c_n index {index})", call.path, module, base,
                             torch.as_tensor(got), final[index].cpu())
            traces.append(trace)
        layer_input = sequence
    return traces


def kind_states(kind: str) -> tuple:
    """The states the kind carries, in order (``("h", "c")`` for the LSTM)."""
    return CELL_KINDS[kind].states


def direction_trace(name, path, module, kind, layer, direction, x, h_sequence, initial, mask) -> LayerTrace:
    """One layer and direction's trace from its input, its ``h`` at every step (zero at padding), its initial states."""
    w = modules.weights(module, layer, direction)
    backward = bool(direction)
    flip = (lambda t: t.flip(1)) if backward else (lambda t: t)  # noqa: E731
    x_run, h_run, mask_run = flip(x), flip(h_sequence), flip(mask)[..., None]
    h_after = _carried(h_run, initial[0], mask_run)
    before = (_shifted(h_after, initial[0]), *initial[1:])
    equations_ = equations(kind, modules.activation(module))
    after, gates = equations_.replay(x_run, before, mask_run, w)
    _check_close("its output h", path, module, name, after[0], h_after)
    states = {"h": h_after, **({"c": after[1]} if kind == "lstm" else {})}
    return _layer_trace(
        name, kind, module, w, x, {key: flip(value) for key, value in states.items()}, [flip(g) for g in gates],
        mask, initial, modules.config(path, module, kind, layer, direction), go_backwards=backward,
    )


def cell_traces(indexed_calls, name_for) -> list:
    """The traces of one cell's calls in a loop, ``[(index of the chain's first call, trace)]``.

    One trace per chain of calls each starting from the states the previous one
    returned; ``indexed_calls``: ``[(index among all calls, call)]`` of the cell.
    """
    chains = []
    for index, call in indexed_calls:
        x, initial, after = _cell_call(call)
        chain = chains[-1] if chains else None
        if chain is None or not _hands_on(chain["after"][-1], initial):
            chain = {"index": index, "call": call, "x": [], "after": [], "initial": initial}
            chains.append(chain)
        chain["x"].append(x)
        chain["after"].append(after)
    return [(chain["index"], _chain_trace(chain, name_for)) for chain in chains]


def _chain_trace(chain, name_for) -> LayerTrace:
    call = chain["call"]
    module, kind = call.module, modules.kind_of(call.module)
    name = name_for(modules.trace_name(call.path, module))
    x = torch.stack(chain["x"], dim=1)
    given = [torch.stack(states, dim=1) for states in zip(*chain["after"])]
    initial = chain["initial"]
    mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
    w = modules.weights(module)
    equations_ = equations(kind, modules.activation(module))
    before = tuple(_shifted(states, start) for states, start in zip(given, initial))
    after, gates = equations_.replay(x, before, mask[..., None], w)
    for state, recomputed, own in zip(kind_states(kind), after, given):
        _check_close(f"the {state} it returned", call.path, module, name, recomputed, own)
    return _layer_trace(name, kind, module, w, x, dict(zip(kind_states(kind), given)), gates, mask, initial,
                        modules.config(call.path, module, kind, cell=True))


def _cell_call(call):
    """``(x, initial states, states after)`` of one cell call, each with a batch axis."""
    module, x = call.module, call.input
    unbatched = x.dim() == 1
    x = x[None] if unbatched else x
    lstm = isinstance(module, nn.LSTMCell)
    output = call.output if lstm else (call.output,)
    hx = call.hx if lstm or call.hx is None else (call.hx,)
    if hx is None:
        hx = tuple(torch.zeros(x.shape[0], module.hidden_size, dtype=x.dtype, device=x.device) for _ in output)
    fix = (lambda t: t[None]) if unbatched else (lambda t: t)  # noqa: E731
    return x, tuple(fix(s) for s in hx), tuple(fix(s) for s in output)


def _hands_on(previous, initial) -> bool:
    return all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(previous, initial))


def _layer_trace(name, kind, module, w, x, states, gates, mask, initial, config, go_backwards=False) -> LayerTrace:
    numpy = lambda t: t.detach().cpu().numpy()  # noqa: E731
    return LayerTrace(
        name=name, kind=kind, units=module.hidden_size, inputs=numpy(x),
        states={key: numpy(value) for key, value in states.items()},
        gates={gate: numpy(value) for gate, value in zip(CELL_KINDS[kind].gates, gates)},
        mask=numpy(mask), weights=modules.keras_weights(kind, w), config=config,
        initial_states={key: numpy(value) for key, value in zip(kind_states(kind), initial)},
        go_backwards=go_backwards,
    )


def _batch_major(value, batch_first):
    """``(x (batch, time, features), mask (batch, time), lengths or None, unbatched)`` of an RNN's input."""
    if isinstance(value, PackedSequence):
        x, lengths = pad_packed_sequence(value, batch_first=True)
        mask = torch.arange(x.shape[1])[None] < lengths[:, None]
        return x, mask.to(x.device), lengths, False
    unbatched = value.dim() == 2
    x = value[None] if unbatched else value if batch_first else value.transpose(0, 1)
    return x, torch.ones(x.shape[:2], dtype=torch.bool, device=x.device), None, unbatched


def _initial_states(hx, kind, count, batch, units, x, unbatched) -> list:
    """``[h0]`` or ``[h0, c0]``, each (layers * directions, batch, units); zeros when not given."""
    parts = list(hx) if isinstance(hx, tuple) else [hx]
    if hx is None:
        parts = [None] * len(kind_states(kind))
    zeros = lambda: torch.zeros(count, batch, units, dtype=x.dtype, device=x.device)  # noqa: E731
    return [zeros() if part is None else part[:, None] if unbatched else part for part in parts]


def _outputs(output, module, steps, unbatched):
    """``(output sequence (batch, time, directions * units), [h_n] or [h_n, c_n])`` as the module returned them."""
    sequence, finals = output
    finals = list(finals) if isinstance(finals, tuple) else [finals]
    if isinstance(sequence, PackedSequence):
        sequence = pad_packed_sequence(sequence, batch_first=True, total_length=steps)[0]
    elif unbatched:
        sequence = sequence[None]
    elif not module.batch_first:
        sequence = sequence.transpose(0, 1)
    return sequence, [final[:, None] if unbatched else final for final in finals]


def _run_layer(module, layer, x, initial, lengths):
    """The output sequence of one of the module's lower layers: a one-layer module of its class on its weights."""
    options = {"nonlinearity": module.nonlinearity} if isinstance(module, nn.RNN) else {}
    single = type(module)(x.shape[-1], module.hidden_size, num_layers=1, bias=module.bias, batch_first=True,
                          bidirectional=module.bidirectional, device=x.device, dtype=x.dtype, **options)
    with torch.no_grad():
        for direction in range(2 if module.bidirectional else 1):
            suffix = "_reverse" if direction else ""
            for weight in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")[: 4 if module.bias else 2]:
                getattr(single, f"{weight}_l0{suffix}").copy_(getattr(module, f"{weight}_l{layer}{suffix}"))
        given = x if lengths is None else pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        output, _ = single(given, tuple(initial) if len(initial) > 1 else initial[0])
    if lengths is not None:
        output = pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])[0]
    return output


def _carried(sequence, initial, mask):
    """``sequence`` (in the order the steps ran) with each padded step holding the state carried to it."""
    if bool(mask.all()):
        return sequence
    steps = torch.arange(sequence.shape[1], device=sequence.device)[None]
    last_real = torch.where(mask[..., 0], steps, -1).cummax(dim=1).values  # -1: none yet, the initial state
    stacked = torch.cat([initial[:, None], sequence], dim=1)
    return stacked.gather(1, (last_real + 1)[..., None].expand(-1, -1, sequence.shape[-1]))


def _shifted(after, initial):
    """The state before each step: the initial state, then the state after each step but the last."""
    return torch.cat([initial[:, None], after[:, :-1]], dim=1)


def _check_close(what, path, module, name, recomputed, own) -> None:
    recomputed = recomputed.to(own.dtype)
    if float((recomputed - own).abs_().max()) <= TOLERANCE:  # the usual case, in one pass; NaN goes on
        return
    if not torch.allclose(recomputed, own, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True):
        difference = (recomputed - own).abs()
        allowed = TOLERANCE + TOLERANCE * own.abs()
        where = tuple(int(i) for i in torch.nonzero(difference > allowed)[0])
        raise UnsupportedModelError(
            f"model: recording {name!r}: the states rnnviz recomputed from the weights of module {path!r} "
            f"({type(module).__name__}) differ from {what} by up to {float(difference.max()):.3g} "
            f"(first at index {where}); rnnviz gives no trace that is not what the module computed"
        )

"""The cell equations as PyTorch computes them, written in torch, on a module's own weights.

Weights in PyTorch's layout (:class:`~rnnviz.recording.pytorch.modules.Weights`),
gates stacked in PyTorch's order::

    RNN:   h = act(x W_ih^T + b_ih + h' W_hh^T + b_hh)             act: tanh or relu
    LSTM:  i, f, g, o = σ, σ, tanh, σ of (x W_ih^T + b_ih + h' W_hh^T + b_hh)
           c = f c' + i g;   h = o tanh(c)
    GRU:   r, z = σ of (x W_i{r,z}^T + b_i{r,z} + h' W_h{r,z}^T + b_h{r,z})
           n = tanh(x W_in^T + b_in + r (h' W_hn^T + b_hn))
           h = (1 - z) n + z h'

(h', c': the states before the step.) PyTorch's GRU applies ``r`` after the hidden
matmul, as Keras's GRU with ``reset_after=True`` does, and ``z`` = 1 keeps the old
state as in Keras. Gates come out under the Keras trace's names and order: LSTM
``input`` i, ``forget`` f, ``candidate`` g, ``output`` o; GRU ``update`` z, ``reset``
r, ``candidate`` n.

Every function works on any leading shape, so one call does one step (for the
gradients) or every step at once (for the recorder, which knows the state before
every step from what the module returned).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rnnviz.kinds import CELL_KINDS


class Equations:
    """One kind's equations; ``activation`` is the state's (``"tanh"`` or ``"relu"``, for the RNN)."""

    kind = None

    def __init__(self, activation: str = "tanh"):
        self.activation = torch.relu if activation == "relu" else torch.tanh

    def project(self, x, w):
        """The input part of every step at once: ``x W_ih^T + b_ih``."""
        return F.linear(x, w.ih, w.b_ih)

    def hidden(self, h_before, w):
        return F.linear(h_before, w.hh, w.b_hh)

    def pre_activations(self, x, h_before, w):
        """``x W_ih^T + b_ih + h' W_hh^T + b_hh`` of every step in one product (the biases summed first)."""
        bias = None if w.b_ih is None else w.b_ih + w.b_hh
        return F.linear(torch.cat([x, h_before], -1), torch.cat([w.ih, w.hh], 1), bias)

    def step(self, projected, before: tuple, w) -> tuple:
        """``(states after, gates)``, each a tuple in the kind's order, from the states ``before``."""
        raise NotImplementedError

    def replay(self, x, before: tuple, mask, w) -> tuple:
        """Every step at once from the inputs ``x``, given the states before every step: ``(states after, gates)``.

        ``mask`` (batch, time, 1): False where a step is padding; the states are
        carried over there (as in Keras), the gates are what the cell computed.
        For the LSTM, ``before`` may hold only ``h`` and the initial ``c`` (batch, units):
        then ``c`` is carried through the steps (:meth:`LSTMEquations.replay`).
        """
        after, gates = self.step(self.project(x, w), before, w)
        if bool(mask.all()):
            return after, gates
        return tuple(torch.where(mask, new, old) for new, old in zip(after, before)), gates


class SimpleRNNEquations(Equations):
    kind = CELL_KINDS["simple_rnn"]

    def step(self, projected, before, w):
        return (self._activate(self.hidden(before[0], w).add_(projected)),), ()

    def replay(self, x, before, mask, w):
        h = self._activate(self.pre_activations(x, before[0], w))
        return (h if bool(mask.all()) else torch.where(mask, h, before[0]),), ()

    def _activate(self, pre):
        return pre.relu_() if self.activation is torch.relu else pre.tanh_()


class GRUEquations(Equations):
    kind = CELL_KINDS["gru"]

    def step(self, projected, before, w):
        (h_before,) = before
        units = h_before.shape[-1]
        hidden = self.hidden(h_before, w)
        # r and z in place, in one pass each (the step's fresh tensors only: autograd allows it).
        r, z = hidden[..., : 2 * units].add_(projected[..., : 2 * units]).sigmoid_().chunk(2, -1)
        n = torch.addcmul(projected[..., 2 * units:], r, hidden[..., 2 * units:]).tanh_()
        return (torch.lerp(n, h_before, z),), (z, r, n)  # n + z (h' - n) = (1 - z) n + z h'


class LSTMEquations(Equations):
    kind = CELL_KINDS["lstm"]

    def gates(self, pre):
        """i, f, g, o from the pre-activations (batch, ..., 4 * units)."""
        units = pre.shape[-1] // 4
        g = torch.tanh(pre[..., 2 * units: 3 * units])
        i, f, _, o = pre.sigmoid_().chunk(4, -1)  # all in one pass, in place (the candidate block is unused)
        return i, f, g, o

    def step(self, projected, before, w):
        h_before, c_before = before
        i, f, g, o = gates = self.gates(self.hidden(h_before, w).add_(projected))
        c = torch.addcmul(i * g, f, c_before)
        return (o * torch.tanh(c), c), gates

    def replay(self, x, before, mask, w):
        h_before, c_before = before
        i, f, g, o = gates = self.gates(self.pre_activations(x, h_before, w))
        if c_before.dim() == h_before.dim():  # c known before every step (a cell's calls)
            c = torch.addcmul(i * g, f, c_before)
            h = o * torch.tanh(c)
            if not bool(mask.all()):
                c, h = torch.where(mask, c, c_before), torch.where(mask, h, h_before)
            return (h, c), gates
        # Only c before the first step is known: carry c through the steps, one
        # multiply-add each (f = 1 and nothing written at padded steps).
        keep, write = f, i * g
        if not bool(mask.all()):
            keep, write = torch.where(mask, keep, torch.ones_like(f)), torch.where(mask, write, torch.zeros_like(g))
        # Time-major copies, so each step reads and writes one contiguous block.
        write, keep = write.transpose(0, 1).contiguous(), keep.transpose(0, 1).contiguous()
        c, carried = torch.empty_like(write), c_before
        for step in range(write.shape[0]):
            carried = torch.addcmul(write[step], keep[step], carried, out=c[step])
        c = c.transpose(0, 1)
        h = torch.tanh(c).mul_(o)
        return (h if bool(mask.all()) else torch.where(mask, h, h_before), c), gates


EQUATIONS = {"simple_rnn": SimpleRNNEquations, "lstm": LSTMEquations, "gru": GRUEquations}


def equations(kind: str, activation: str = "tanh") -> Equations:
    """The equations of ``kind`` (``"simple_rnn"``, ``"lstm"``, ``"gru"``)."""
    return EQUATIONS[kind](activation)

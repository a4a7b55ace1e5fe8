"""What a cell kind's equations module provides to the recorder."""

from __future__ import annotations

from rnnviz.kinds import CellKind


class CellEquations:
    """One recurrent cell kind's equations, written to match its Keras cell op for op.

    ``project`` does the input part of every step at once (one large matmul over
    all steps); ``step`` does the recurrent part of one step and returns the new
    states and the gate activations, in the order of ``kind.states`` and
    ``kind.gates``. Both take the weights as a dict of tensors named as the cell
    names its variables.
    """

    kind: CellKind
    cell_types: tuple[type, ...] = ()

    def matches(self, cell) -> bool:
        # Exact types only: a subclass may change the equations, and tracing it
        # with these would be silently wrong.
        return type(cell) in self.cell_types

    def weights(self, cell) -> dict:
        """The cell's variables by name (``kernel``, ``recurrent_kernel``, ``bias``, ...)."""
        return {variable.name: variable for variable in cell.weights}

    def can_fuse(self, cell) -> bool:
        """Whether :meth:`fused` can run ``cell`` (a fused kernel computing the same equations)."""
        return False

    def fused(self, cell, inputs, states, w):
        """All steps at once: ``inputs`` (time, batch, features) -> ``(time, batch, names * units)``, states."""
        raise NotImplementedError

    def project(self, cell, x, w):
        raise NotImplementedError

    def step(self, cell, x_projected, states, w):
        raise NotImplementedError

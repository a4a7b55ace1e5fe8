"""What a cell kind's equations module provides to the recorder."""

from __future__ import annotations

from keras import ops

from rnnviz.kinds import CellKind


class CellEquations:
    """One recurrent cell kind's equations, written to match its Keras cell op for op.

    ``project`` does the input part of every step at once (one large matmul over
    all steps); ``step`` does the recurrent part of one step and returns the new
    states and the gate activations, in the order of ``kind.states`` and
    ``kind.gates``. All take the weights as a dict of tensors named as the cell
    names its variables.

    ``step`` is split in two where the cell allows (:meth:`separable`): the one
    product with the recurrent kernel (``recurrent_product``), and the rest,
    which acts unit by unit (``step_from_recurrent``). The gradients use the split
    to build each step's Jacobian from elementwise derivatives.
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
        """All steps at once: ``inputs`` (time, batch, features) -> one (time, batch, units) per name, states."""
        raise NotImplementedError

    def project(self, cell, x, w):
        raise NotImplementedError

    def separable(self, cell) -> bool:
        """Whether ``h[t-1]`` reaches the new states only through ``recurrent_product`` and unit-by-unit terms."""
        return True

    def recurrent_product(self, cell, h_prev, w):
        """``h[t-1] U``: the step's only product mixing units, (batch, gates * units)."""
        return ops.matmul(h_prev, w["recurrent_kernel"])

    def step_from_recurrent(self, cell, x_projected, recurrent, states, w):
        """The step given ``recurrent = recurrent_product(h[t-1])``: unit by unit from here on."""
        raise NotImplementedError

    def step(self, cell, x_projected, states, w):
        recurrent = self.recurrent_product(cell, states[0], w)
        return self.step_from_recurrent(cell, x_projected, recurrent, states, w)

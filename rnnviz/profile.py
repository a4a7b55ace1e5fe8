"""What a gradient analysis holds: :class:`GradientProfile`, NumPy only, saved like a trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.archive import read_archive, write_archive
from rnnviz.errors import TraceFileError

PROFILE_FORMAT = "rnnviz.GradientProfile"
PROFILE_FORMAT_VERSION = 1
WRT_CHOICES = ("state", "input")


@dataclass(eq=False)
class GradientProfile:
    """How strongly the last state of one recurrent layer depends on each earlier step.

    Parameters
    ----------
    layer : str
        The layer (or ``"<name>/forward"``, ``"<name>/backward"``) analysed.
    kind : str
        Its cell kind (``"simple_rnn"``, ``"lstm"``, ``"peephole_lstm"``, ``"gru"``).
    wrt : str
        ``"state"``: ``norms[:, t] = ||d h_T / d h_t||_F``; ``"input"``: ``||d h_T / d x_t||_F``.
        ``h_T`` is the state after the layer's last step (input time 0 for a layer
        that runs backwards), so ``norms`` is largest next to it and decays away from it.
    norms : ndarray, (batch, time)
    mask : ndarray of bool, (batch, time)
        True where the step was real.
    steps_back : ndarray of int, (time,)
        For each input time t, how many steps lie between it and the last step.
    loss_gradients : ndarray, (batch, time, units), optional
        ``dL / d h_t`` for a Keras loss ``L`` on given targets: what training sees.
    loss_name : str
    """

    layer: str
    kind: str
    wrt: str
    norms: np.ndarray
    mask: np.ndarray
    steps_back: np.ndarray
    loss_gradients: np.ndarray | None = None
    loss_name: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.wrt not in WRT_CHOICES:
            raise ValueError(f"wrt: expected one of {WRT_CHOICES}, got {self.wrt!r}")
        self.norms = np.asarray(self.norms)
        self.mask = np.asarray(self.mask, dtype=bool)
        self.steps_back = np.asarray(self.steps_back)
        if self.norms.ndim != 2 or self.mask.shape != self.norms.shape:
            raise ValueError(f"norms and mask: expected the same (batch, time) shape, got {self.norms.shape} and {self.mask.shape}")
        if self.steps_back.shape != (self.norms.shape[1],):
            raise ValueError(f"steps_back: expected shape ({self.norms.shape[1]},), got {self.steps_back.shape}")
        if self.loss_gradients is not None:
            self.loss_gradients = np.asarray(self.loss_gradients)
            if self.loss_gradients.shape[:2] != self.norms.shape:
                raise ValueError(
                    f"loss_gradients: expected (batch, time, units) with (batch, time) = {self.norms.shape}, "
                    f"got {self.loss_gradients.shape}"
                )

    @property
    def loss_gradient_norms(self) -> np.ndarray | None:
        """``||dL / d h_t||`` per sample and step, or None without a loss."""
        return None if self.loss_gradients is None else np.linalg.norm(self.loss_gradients, axis=-1)

    def by_steps_back(self) -> np.ndarray:
        """``norms`` reordered so that column k is k steps back from the last step."""
        return self.norms[:, np.argsort(self.steps_back)]

    def __repr__(self):
        return (
            f"GradientProfile({self.layer!r}, kind={self.kind!r}, wrt={self.wrt!r}, "
            f"batch={self.norms.shape[0]}, steps={self.norms.shape[1]}"
            f"{', loss=' + repr(self.loss_name) if self.loss_gradients is not None else ''})"
        )

    def save(self, path) -> Path:
        """Write the profile to ``path`` (``.npz`` with JSON metadata, no pickle); return the path."""
        arrays = {"norms": self.norms, "mask": self.mask, "steps_back": self.steps_back}
        if self.loss_gradients is not None:
            arrays["loss_gradients"] = self.loss_gradients
        meta = {"layer": self.layer, "kind": self.kind, "wrt": self.wrt, "loss_name": self.loss_name, "extra": self.extra}
        return write_archive(path, kind=PROFILE_FORMAT, version=PROFILE_FORMAT_VERSION, meta=meta, arrays=arrays)


def load_profile(path) -> GradientProfile:
    """Read a :class:`GradientProfile` saved by :meth:`GradientProfile.save`, without TensorFlow."""
    meta, arrays = read_archive(path, kind=PROFILE_FORMAT, max_version=PROFILE_FORMAT_VERSION)
    try:
        return GradientProfile(
            layer=meta["layer"],
            kind=meta["kind"],
            wrt=meta["wrt"],
            norms=arrays["norms"],
            mask=arrays["mask"],
            steps_back=arrays["steps_back"],
            loss_gradients=arrays.get("loss_gradients"),
            loss_name=meta.get("loss_name", ""),
            extra=meta.get("extra", {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TraceFileError(f"{path}: the profile's contents are inconsistent ({exc})") from exc

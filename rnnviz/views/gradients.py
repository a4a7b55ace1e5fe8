"""What a gradient-decay picture shows: ``‖∂h_T/∂h_t‖`` of each profile by steps back, its median and spread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.kinds import CELL_KINDS


@dataclass(frozen=True)
class DecayView:
    """Per curve label: the norms ``(batch, steps back)`` (column 0 is the last step) and the cell kind (its colour)."""

    norms: dict
    kinds: dict
    wrt: str = "state"
    description: str = ""

    def medians(self) -> dict:
        """Label -> the median over the batch, by steps back."""
        return {label: np.median(values, axis=0) for label, values in self.norms.items()}

    def relative_medians(self) -> dict:
        """Label -> the median by steps back divided by its value at the last step (where ∂h_T/∂h_T = I)."""
        return {label: median / median[0] for label, median in self.medians().items()}


def decay_view(profiles, *, description: str = "") -> DecayView:
    """One curve per :class:`~rnnviz.GradientProfile` (a dict label -> profile, or a list labelled by kind)."""
    if not isinstance(profiles, dict):
        profiles = {CELL_KINDS[p.kind].title: p for p in profiles}
    wrts = {profile.wrt for profile in profiles.values()}
    if len(wrts) != 1:
        raise ValueError(f"profiles: all must share one wrt, got {sorted(wrts)}")
    return DecayView(norms={label: np.asarray(profile.by_steps_back(), float) for label, profile in profiles.items()},
                     kinds={label: profile.kind for label, profile in profiles.items()}, wrt=wrts.pop(),
                     description=description)

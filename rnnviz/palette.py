"""One palette for every rnnviz picture, as plain hex strings (no drawing library).

Colours follow Okabe & Ito's colour-blind-safe set. The slide figures, the videos and
the widgets all take their colours from here (through :mod:`rnnviz.style` for
matplotlib), so one colour means one thing in every picture.
"""

from __future__ import annotations

from rnnviz.kinds import CELL_KINDS

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermilion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#7F7F7F",
}

PALETTE = {
    # cell kinds
    **{kind.name: OKABE_ITO[kind.colour] for kind in CELL_KINDS.values()},
    # gates
    "input": OKABE_ITO["sky"],
    "forget": OKABE_ITO["vermilion"],
    "candidate": OKABE_ITO["yellow"],
    "output": OKABE_ITO["green"],
    "update": OKABE_ITO["orange"],
    "reset": OKABE_ITO["purple"],
    # states
    "h": OKABE_ITO["blue"],
    "c": OKABE_ITO["orange"],
    # directions
    "forward": OKABE_ITO["blue"],
    "backward": OKABE_ITO["orange"],
}

VALUE_COLOURS = {"negative": OKABE_ITO["blue"], "positive": OKABE_ITO["vermilion"]}
"""Signed values (states, inputs, a tanh candidate): blue below zero, vermilion above, fading to the background at 0."""

"""One palette for every rnnviz picture, as plain hex strings (no drawing library).

Each colour has exactly one meaning (issue 18): a cell kind, a gate, a state (h or c), a
direction, or an end of the value map, which no other meaning shares. The slide figures,
the videos and the widgets all take their colours from here (through :mod:`rnnviz.style`
for matplotlib), so one colour means one thing in every picture.

Every line colour reaches 3:1 contrast on both themes' backgrounds (#FFFFFF and #1E1E1E).
Where a published colour did not, its hue was kept and its CIELAB lightness L* moved into
that band (the "source" notes below). The assignment maximises the least CIEDE2000
difference, in normal and simulated colour-blind vision, between colours that meet in one
picture (the palette proposal of issue 18). Colour is never the only cue: labels,
positions, dashes and markers say the same.
"""

from __future__ import annotations

from rnnviz.kinds import CELL_KINDS, CUSTOM_KIND

# Okabe & Ito's published set, kept for neutral uses (black, grey); no meaning takes its colours by name.
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

KIND_COLOURS = {
    "simple_rnn": "#EC5455",  # coral red: Tol BuRd red #B2182B, L* 38→57
    "lstm": "#248A82",  # teal: ColorBrewer BrBG teal #35978F, L* 57→52
    "peephole_lstm": "#BA6AC6",  # orchid: Tol PRGn purple #762A83, L* 32→57
    "gru": "#A5586A",  # dusty rose: Tol light pink #FFAABB, L* 78→47
}
"""One colour per cell kind: its outline in unrolled pictures, its lines and curves in comparisons."""

GATE_COLOURS = {  # a σ gate's strip fades from the background (0, shut) to its gate's colour (1, open)
    "input": "#EE3377",  # magenta: Tol vibrant magenta, as published
    "forget": "#159B7A",  # mint: Tol light mint #44BB99, L* 69→57
    "candidate": "#AA4499",  # plum: Tol muted purple, as published
    "output": "#17812C",  # green: Tol bright green #228833, L* 50→47
    "update": "#999933",  # olive: Tol muted olive, as published
    "reset": "#017F5C",  # sea green: Okabe–Ito bluish green #009E73, L* 58→47
}
"""One colour per gate of rnnviz's own cell kinds."""

PALETTE = {
    # cell kinds (a kind added to CELL_KINDS with a hex ``colour=`` of its own gets that one; otherwise grey)
    **{name: kind.colour or OKABE_ITO["grey"] for name, kind in CELL_KINDS.items() if name not in KIND_COLOURS},
    **KIND_COLOURS,
    CUSTOM_KIND.name: CUSTOM_KIND.colour,  # a cell of one's own (no equations known): taupe
    # gates: rnnviz's own, then those of a kind added to CELL_KINDS (its ``gate_colours=``; otherwise grey)
    **GATE_COLOURS,
    **{gate: kind.gate_colours.get(gate, OKABE_ITO["grey"])
       for kind in CELL_KINDS.values() for gate in kind.gates if gate not in GATE_COLOURS},
    # states: h on recurrent and state wires, c on the conveyor (and on peepholes, which carry c)
    "h": "#9575E8",  # violet: Tol muted indigo #332288, L* 22→57
    "c": "#AE8200",  # ochre: Tol high-contrast yellow #DDAA33, L* 72→57
    # directions: only where a picture has both (a bidirectional layer's rows)
    "forward": "#469A4F",  # leaf green: Tol PRGn green #5AAE61, L* 64→57
    "backward": "#CC79A7",  # mauve pink: Okabe–Ito reddish purple, as published
}
"""Every categorical colour rnnviz uses, one meaning each (kinds, gates, h and c, directions)."""

OTHER_COLOURS = {
    "linear": "#7467A0",  # slate purple: ColorBrewer PuOr purple #8073AC, L* 52→47 (the linear forecaster)
    "conv1d": "#787202",  # dark olive: Okabe–Ito yellow #F0E442, L* 89→47 (the 1D-convolution forecaster)
    "target": "#C86E7D",  # rose: Tol medium-contrast dark red #994455, L* 41→57 (windowing targets)
}
"""Colours of things that are neither cell parts nor values: the non-recurrent forecasters and windowing targets."""

VALUE_COLOURS = {
    "negative": "#0072B2",  # blue: Okabe–Ito blue, as published
    "positive": "#B85000",  # vermilion: Okabe–Ito vermilion #D55E00, L* 54→47 (the blue's lightness)
}
"""Signed values (states, inputs, a tanh candidate): blue below zero, vermilion above, fading to the
background at 0. Magnitudes (never negative) use the positive half. No other meaning uses these hues."""

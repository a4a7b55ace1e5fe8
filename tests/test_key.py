"""The colour key page shows every colour of the palette once, each with its meaning."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex

from rnnviz.figures.key import PaletteKeyDisplay, key_groups
from rnnviz.palette import OTHER_COLOURS, PALETTE, VALUE_COLOURS


def test_every_categorical_colour_is_in_the_key_once():
    colours = [to_hex(colour) for entries in key_groups().values() for style, colour, _ in entries
               if colour is not None and style != "dashed"]  # the peephole is c's colour, dashed
    assert sorted(colours) == sorted(to_hex(colour) for colour in [*PALETTE.values(), *OTHER_COLOURS.values()])


def test_the_key_draws_the_value_map_from_the_value_colours():
    display = PaletteKeyDisplay().plot()
    try:
        values = display.swatches_["negative … 0 … positive"]
        left, right = values.cmap(0.0), values.cmap(1.0)
        assert to_hex(left) == to_hex(VALUE_COLOURS["negative"]) and to_hex(right) == to_hex(VALUE_COLOURS["positive"])
        assert len(display.swatches_) == sum(len(entries) for entries in display.groups.values())
    finally:
        plt.close(display.figure_)

"""A matplotlib figure shown in a notebook as an ``ipywidgets.Image``, redrawn in place.

The figure is drawn with Agg once. After that only its *animated* artists are
drawn again, over a saved copy of everything else (blitting), and the canvas is
sent to the browser as a PNG. Animated artists come in layers, slowest-changing
first: a copy is kept under each layer, so a change that touches only the last
layer (the step marker, say) redraws only that layer. Works the same in
JupyterLab, Voilà, a saved notebook (the last PNG) and a headless test.
"""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnnviz.mpl.layout import constrained_layout
from rnnviz.widgets.png import png_bytes


class FigureView:
    """One figure and the image widget that shows it.

    Parameters
    ----------
    figsize : (width, height) in inches
    dpi : int
        Pixels per inch of the image sent to the notebook.
    """

    def __init__(self, *, figsize=(11, 6.5), dpi: int = 80):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout=constrained_layout())
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(width=f"{round(figsize[0] * dpi)}px"))
        self.layers = []
        self.redraws = 0  # PNGs sent so far
        self._backgrounds = []  # the canvas under each layer

    def set_layers(self, layers) -> None:
        """The animated artists, as a list of layers (lists of artists), slowest-changing first."""
        for artist in (artist for layer in self.layers for artist in layer):
            artist.set_animated(False)
        self.layers = [list(layer) for layer in layers]
        for artist in (artist for layer in self.layers for artist in layer):
            artist.set_animated(True)

    def draw(self) -> None:
        """Draw the whole figure (layout included), keep its static part, and show it."""
        self.canvas.draw()  # Agg leaves animated artists out
        self._backgrounds = [self.canvas.copy_from_bbox(self.figure.bbox)]
        self.blit(0)

    def blit(self, first_changed: int = 0) -> None:
        """Redraw the animated layers from ``first_changed`` on over the copy kept under it, and show the result."""
        if not self._backgrounds:
            self.draw()
            return
        if not 0 <= first_changed < max(len(self.layers), 1):
            raise ValueError(f"first_changed: expected a layer index in [0, {len(self.layers)}), got {first_changed!r}")
        del self._backgrounds[first_changed + 1:]
        self.canvas.restore_region(self._backgrounds[first_changed])
        for index in range(first_changed, len(self.layers)):
            if index > first_changed:
                self._backgrounds.append(self.canvas.copy_from_bbox(self.figure.bbox))
            for artist in self.layers[index]:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
        self.publish()

    def publish(self) -> None:
        """Send the canvas to the image widget."""
        self.image.value = self.png()
        self.redraws += 1

    def png(self) -> bytes:
        """The canvas as it is now, as PNG bytes."""
        return png_bytes(np.asarray(self.canvas.buffer_rgba()))

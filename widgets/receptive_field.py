"""The receptive-field explorer: kernel size, stride, dilation, layers, padding → the input steps one output sees."""

from __future__ import annotations

import html

import ipywidgets

from rnnviz.errors import InputError, check_int
from rnnviz.mpl.receptive_field import ReceptiveFieldPainter
from rnnviz.views.receptive_field import PADDINGS, growing_dilations, receptive_field_view, steps_text
from rnnviz.widgets.explorer import Explorer

LIMITS = {"kernel_size": (1, 5), "stride": (1, 2), "growth": (1, 3), "layers": (1, 4)}  # at most 161 input steps


class ReceptiveFieldExplorer(Explorer):
    """A stack of Conv1D layers as rows of positions; the boxes one output of the last layer sees are filled.

    The figure is :class:`~rnnviz.ReceptiveFieldDisplay`'s, drawn once: a new setting moves, restyles, shows
    or hides its boxes and lines and redraws. Under the controls a line says which input steps the output sees.
    The numbers are :func:`rnnviz.views.receptive_field.receptive_field_view`'s (checked against Keras's
    Conv1D); no TensorFlow is needed.

    Parameters
    ----------
    kernel_size, stride : int
        Every layer's (1 … 5, 1 … 2).
    growth : int
        Layer ``l`` (from 0) has dilation ``growth ** l`` (1 … 3; 2 is WaveNet's doubling); with a stride above
        1 every dilation is 1, as Keras's Conv1D takes a stride only without dilation.
    layers : int
        1 … 4.
    padding : "valid", "causal" or "same"
    output : int or None
        Which output of the last layer (negative: from the end; None: the last).
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 5.6)
    margins = {"left": 0.1, "right": 0.98, "bottom": 0.12, "top": 0.7}  # room for any row labels, title and legend

    def __init__(self, *, kernel_size: int = 3, stride: int = 1, growth: int = 2, layers: int = 3,
                 padding: str = "causal", output: int | None = None, theme: str = "light", dpi: int = 80):
        super().__init__()
        values = {name: check_int(name, value, *LIMITS[name]) for name, value in
                  (("kernel_size", kernel_size), ("stride", stride), ("growth", growth), ("layers", layers))}
        if padding not in PADDINGS:
            raise InputError(f"padding: expected one of {list(PADDINGS)}, got {padding!r}")
        slider = dict(continuous_update=False)  # a new stack redraws every box: on release
        self.kernel_size, self.stride, self.growth, self.layers = (
            ipywidgets.IntSlider(value=values[name], min=LIMITS[name][0], max=LIMITS[name][1], description=label,
                                 **slider)
            for name, label in (("kernel_size", "kernel"), ("stride", "stride"), ("growth", "dilation ×"),
                                ("layers", "layers")))
        self.padding = ipywidgets.Dropdown(options=PADDINGS, value=padding, description="padding")
        last = self._view(-1).lengths[-1]
        chosen = last - 1 if output is None else check_int("output", output, -last, last - 1,
                                                          f"the last layer has {last} outputs") % last
        self.output = ipywidgets.IntSlider(value=chosen, min=0, max=last - 1, description="output",
                                           continuous_update=True)
        self.seen = ipywidgets.HTML()
        self._moving_output = False
        self._start([[self.kernel_size, self.stride, self.growth], [self.layers, self.padding, self.output],
                     [self.seen]], theme=theme, dpi=dpi)
        for control in (self.kernel_size, self.stride, self.growth, self.layers, self.padding):
            control.observe(self._new_stack, names="value")
        self.output.observe(self._new_output, names="value")

    def field(self):
        """The :class:`~rnnviz.views.receptive_field.ReceptiveFieldView` for the current settings."""
        return self._view(self.output.value)

    def _view(self, output: int):
        layers = self.layers.value
        return receptive_field_view(self.kernel_size.value, layers=layers, strides=self.stride.value,
                                    dilations=growing_dilations(self.growth.value if self.stride.value == 1 else 1,
                                                                layers),
                                    padding=self.padding.value, output=output)

    def _new_stack(self, change) -> None:
        """Another stack: the output slider's range follows its last layer (the last output stays the last)."""
        at_end = self.output.value == self.output.max
        last = self._view(-1).lengths[-1]
        self._moving_output = True
        try:
            if last - 1 > self.output.max:
                self.output.max = last - 1
                if at_end:
                    self.output.value = last - 1
            else:
                self.output.value = min(self.output.value, last - 1) if not at_end else last - 1
                self.output.max = last - 1
        finally:
            self._moving_output = False
        self.refresh()

    def _new_output(self, change) -> None:
        if not self._moving_output:
            self.refresh()

    def _draw(self, figure) -> dict:
        painter = ReceptiveFieldPainter(self.field()).plot(figure.add_subplot())
        self._say(painter.view)
        return {"painter": painter}

    def _move(self, artists) -> None:
        """Boxes, lines, limits and ticks change with the stack: the figure is drawn again (its artists kept)."""
        artists["painter"].show(self.field())
        self._say(artists["painter"].view)
        return None

    def _say(self, view) -> None:
        """The line under the controls: the steps the output sees (and why the dilation is off, if it is)."""
        self.growth.disabled = self.stride.value > 1
        note = (" (dilation 1 in every layer: Keras's Conv1D takes a stride above 1 only without dilation)"
                if self.growth.disabled and self.growth.value > 1 else "")
        count = len(view.steps)
        self.seen.value = html.escape(f"output {view.output} of layer {view.layers} sees {count} input "
                                      f"step{'s' if count != 1 else ''}: {steps_text(view.steps, most=40)}{note}")

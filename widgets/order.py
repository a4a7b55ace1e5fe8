"""OrderExplorer: put the words of a question in any order and watch an order-blind model and a SimpleRNN answer."""

from __future__ import annotations

import ipywidgets

from rnnviz.mpl.order import AXES, COLOUR_BAR, HEADING, paint_order
from rnnviz.palette import PALETTE
from rnnviz.style import figure_title
from rnnviz.widgets.explorer import Explorer


class OrderExplorer(Explorer):
    """The lesson ``order``'s two trained models on the slide's sentence and on the words as you order them.

    Drag the words to reorder them, type a word of the lesson's vocabulary to add it, or remove one: both models
    answer at once (the mean of word embeddings gives every order of the same words the same answer; the SimpleRNN
    does not), and under each word the SimpleRNN's state h after it is drawn.

    Parameters
    ----------
    words : sequence of str
        The words to start from (default: the slide's shuffle, "care about sequences Why do we ?").
    theme : "light" or "dark"
    dpi : int

    Needs TensorFlow: the shipped models read the words.
    """

    figsize = (11, 5.2)
    margins = {"left": 0.0, "right": 1.0, "bottom": 0.2, "top": 0.8}  # no layout engine: laid out in inches

    def __init__(self, words=None, *, theme: str = "light", dpi: int = 80):
        super().__init__()
        from rnnviz.lessons import order

        from rnnviz import lessons

        self._order = order
        self._models = {name: lessons.model("order", name) for name in order.MODELS}  # loaded once, not per edit
        words = list(order.SHOWN_SHUFFLED if words is None else words)
        order.ids(words)  # every word known, else an error naming it
        self.words = ipywidgets.TagsInput(value=words, allowed_tags=list(order.VOCABULARY), allow_duplicates=True,
                                          layout=ipywidgets.Layout(width="100%"))
        hint = ipywidgets.HTML("Drag the words to reorder them; type a word to add it:")
        self._read()
        self._start([[hint], [self.words]], theme=theme, dpi=dpi)
        self.words.observe(self._changed, names="value")

    def _read(self) -> None:
        """Both models' answers for the slide's sentence and for the words as ordered now."""
        sentences = [self._order.SHOWN, tuple(self.words.value)]
        self.answers, self.states = self._order.read(sentences, self._models)
        self.shown = tuple(self.words.value)  # the words the figure shows (kept while a setting cannot be shown)

    def _changed(self, change) -> None:
        try:
            self._read()
        except ValueError as error:  # no words left: say so, keep the last view
            self.show_error(error)
            return
        self.clear_error()
        self.rebuild()

    def _draw(self, figure) -> dict:
        order = self._order
        view = order.shown([order.SHOWN, self.shown], self.answers, self.states,
                           rows=("the slide's sentence", "your order"))
        figure.set_layout_engine("none")  # the painter lays the words out in inches for the axes' size
        ax = figure.add_axes(AXES)
        colour_bar = figure.add_axes(COLOUR_BAR)
        artists = paint_order(ax, view, model_colours={order.MODEL_TITLES["SimpleRNN"]: PALETTE["simple_rnn"]},
                              colorbar_axes=colour_bar)
        figure_title(figure, HEADING, "Two trained models read the slide's sentence and your order of words")
        return artists

    def _move(self, artists):
        return None

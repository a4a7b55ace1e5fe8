"""Order matters: the same words in another order, and what an order-blind model and a SimpleRNN answer."""

from __future__ import annotations

from rnnviz.mpl.order import AXES, COLOUR_BAR, HEADING, paint_order
from rnnviz.style import color, figure_title, new_or_given_axes


class OrderDisplay:
    """Rows of words (a sentence and its shuffle) with, under each word, a recurrent layer's state after it, and
    each model's answer for each row as a bar with its number.

    Build it with :meth:`from_lesson` (the lesson ``order``'s shipped models) or :meth:`from_view`.
    """

    def __init__(self, view, *, heading: str = HEADING, description: str = "", model_colours=None):
        self.view = view
        self.heading = heading
        self.description = description
        self.model_colours = dict(model_colours or {})

    @classmethod
    def from_view(cls, view, **kwargs):
        return cls(view, **kwargs)

    @classmethod
    def from_lesson(cls, results=None, trace=None):
        """The slide's sentence and its shuffle as the lesson ``order`` measured them (default: shipped; no
        TensorFlow): both models' probability that each is a well-formed question, the SimpleRNN's state h after
        each word."""
        from rnnviz import lessons
        from rnnviz.lessons import order

        results = lessons.results("order") if results is None else results
        trace = lessons.trace("order", "SimpleRNN") if trace is None else trace
        view = order.shown([order.words(row) for row in results["held_out_x"][0]],
                           {name: results[f"probability_{name}"][0] for name in order.MODELS},
                           trace.layers[0].states["h"][:2], rows=("the slide's sentence", "its words shuffled"))
        description = (f"Two models trained on {order.TRAIN_SENTENCES} questions and a shuffle of each; under each "
                       f"word the SimpleRNN's state h after reading it ({trace.layers[0].units} units)")
        return cls(view, description=description,
                   model_colours={order.MODEL_TITLES["SimpleRNN"]: color("simple_rnn")})

    def plot(self, ax=None, *, title=True):
        """Draw; keeps ``figure_``, ``ax_``, ``answer_texts_`` ((model, row) -> its Text), ``word_texts_`` (rows of
        Texts), ``strips_`` (per row, per word, its image) and ``colorbar_``."""
        owned = ax is None
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(11, 5.5))
        cax = None
        if owned:  # laid out here, in inches: the words' boxes fit their words as drawn
            self.figure_.set_layout_engine("none")
            self.ax_.set_position(AXES)
            cax = self.figure_.add_axes(COLOUR_BAR) if self.view.states is not None else None
        artists = paint_order(self.ax_, self.view, model_colours=self.model_colours, colorbar_axes=cax)
        self.word_texts_, self.strips_ = artists["word_texts"], artists["strips"]
        self.answer_texts_, self.colorbar_ = artists["answer_texts"], artists["colorbar"]
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

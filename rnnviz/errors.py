"""Errors rnnviz raises on purpose, each naming what was wrong and what was expected."""

import numbers


class RnnvizError(Exception):
    """Base class of every error rnnviz raises deliberately."""


class TraceFileError(RnnvizError):
    """A trace or profile file cannot be read: missing, damaged, foreign or too new."""


class UnsupportedModelError(RnnvizError, ValueError):
    """The model cannot be recorded: no recurrent layer, or one rnnviz cannot trace."""


class InputError(RnnvizError, ValueError):
    """An argument has the wrong shape, type or values."""


class UnknownLayerError(InputError, KeyError):
    """No recurrent layer of that name: raised alike by ``trace[name]``, the figures and the gradients."""

    def __str__(self):  # KeyError would show the message quoted
        return str(self.args[0]) if self.args else ""


def check_integer_range(argument: str, value, low: int, high: int, context: str) -> None:
    """InputError unless ``value`` is an integer from ``low`` to ``high``; ``context`` says why those bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise InputError(f"{argument}: {context}; expected an integer from {low} to {high}, got {value!r}")

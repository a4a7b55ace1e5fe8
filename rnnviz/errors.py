"""Errors rnnviz raises on purpose, each naming what was wrong and what was expected."""

import math
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


def check_int(argument: str, value, low: int | None = None, high: int | None = None, context: str = "") -> int:
    """``value`` as an int from ``low`` to ``high`` (None: no bound), else an InputError naming ``argument``.

    ``context`` says why those bounds ("the train part has 13 batches"); the message
    gives it, then what was expected and what was given.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not _within(value, low, high):
        raise InputError(_message(argument, value, "an integer", low, high, context, str))
    return int(value)


def check_number(argument: str, value, low: float | None = None, high: float | None = None, context: str = "") -> float:
    """``value`` as a finite float from ``low`` to ``high`` (None: no bound), else an InputError naming ``argument``."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or not _within(value, low, high)):
        what = "a number" if low is not None and high is not None else "a finite number"
        raise InputError(_message(argument, value, what, low, high, context, lambda bound: f"{bound:g}"))
    return float(value)



def _within(value, low, high) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _message(argument, value, what, low, high, context, show) -> str:
    if low is not None and high is not None:
        what += f" from {show(low)} to {show(high)}"
    elif low is not None:
        what += f" >= {show(low)}"
    elif high is not None:
        what += f" <= {show(high)}"
    return f"{argument}: {context + '; ' if context else ''}expected {what}, got {value!r}"

"""Errors rnnviz raises on purpose, each naming what was wrong and what was expected."""


class RnnvizError(Exception):
    """Base class of every error rnnviz raises deliberately."""


class TraceFileError(RnnvizError):
    """A trace or profile file cannot be read: missing, damaged, foreign or too new."""


class UnsupportedModelError(RnnvizError, ValueError):
    """The model cannot be recorded: no recurrent layer, or one rnnviz cannot trace."""


class InputError(RnnvizError, ValueError):
    """An argument has the wrong shape, type or values."""

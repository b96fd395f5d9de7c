"""Noronha's error classes, so that a notebook's `except ResolutionError` keeps working."""


class NhaError(Exception):
    """The base of Noronha's errors."""

    def pretty(self):
        return f"{type(self).__name__}: {self}"


class PrettyError(NhaError):
    """An error worth showing as it is (a prediction server answers 500 with it)."""


class ResolutionError(PrettyError):
    """A reference (model, dataset, version) matched zero or several of what is at hand."""


class NotFound(PrettyError):
    """What was asked for does not exist."""


class MisusageError(PrettyError):
    """The toolkit was called in a way it does not support."""


class NhaDataError(PrettyError):
    """The input of a prediction is wrong (a prediction server answers 400 with it)."""

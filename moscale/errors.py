"""Errors a user can act on.

Anything raised as :class:`UserError` is printed by the command line as one clear message (no
traceback) and exits with code 2. Statistical code raises the narrower subclasses so that a notebook
user can catch them too.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input that the user can fix: the message says where and what to do."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, location: str | None = None):
        self.message = message
        self.hint = hint
        self.location = location
        super().__init__(self.render())

    def render(self) -> str:
        parts = []
        if self.location:
            parts.append(f"{self.location}: {self.message}")
        else:
            parts.append(self.message)
        if self.hint:
            parts.append(f"What to do: {self.hint}")
        return "\n".join(parts)


class DefinitionError(UserError):
    """A scale or instrument definition (YAML) is malformed or inconsistent."""


class DataError(UserError):
    """A response file cannot be read or does not fit the instrument."""


class ModelError(UserError):
    """A model cannot be estimated as specified (syntax, identification, convergence)."""

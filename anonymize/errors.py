"""Errors the anonymize library raises, each with a Chinese message that is safe to print.

Messages never contain a cell value or a key. They do not derive from `publish.errors` (anonymize imports nothing
of publish); callers map them to their own errors.
"""

from __future__ import annotations


class AnonymizeError(Exception):
    """Base of the library's errors; `message` is Chinese and safe to show to users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyError(AnonymizeError):
    """A privacy policy is incomplete or wrong; `problems` lists every mistake, one Chinese sentence each."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class PseudonymKeyError(AnonymizeError):
    """The pseudonym key is missing, weak, or stored unsafely."""

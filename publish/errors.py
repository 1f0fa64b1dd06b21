"""Exceptions a user can cause, each carrying a Chinese message that is safe to print.

Messages never contain raw personal values or secrets: the CLI prints `.message` as it is.
"""

from __future__ import annotations


class GongkaiError(Exception):
    """Base of every error the user can cause or fix; `message` is Chinese and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(GongkaiError):
    """A unit's file cannot be read: wrong encoding, corrupt workbook, no header, wrong dataset …"""


class CatalogError(GongkaiError):
    """The catalog (datasets/*.yaml, schemas/*.json) has mistakes; `problems` lists each with file and key."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ConfigError(GongkaiError):
    """Settings are missing or unsafe: no token, a weak pseudonym key, a loose file mode …"""


class PortalError(GongkaiError):
    """The CKAN portal refused or could not be reached."""

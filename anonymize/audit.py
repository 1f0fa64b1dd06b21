"""The audit of one anonymization run: per field, the rule and how many cells it changed. Counts, never values.

It goes into the staged data package as provenance, so everything in it is JSON-ready and safe to publish.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .risk import RiskReport


@dataclass(frozen=True)
class FieldAudit:
    """What happened to one field: `filled` cells had a value before, `changed` differ after, `emptied` became NA."""

    field: str
    category: str | None
    rule: str
    options: dict[str, Any]
    filled: int
    changed: int
    emptied: int
    present: bool = True


@dataclass
class Audit:
    """All fields of one run, with the table's row count and, when quasi-identifiers are declared, its k."""

    rows: int
    fields: list[FieldAudit] = field(default_factory=list)
    risk: RiskReport | None = None

    def entry(self, name: str) -> FieldAudit | None:
        """The entry for field `name`, if the policy covers it."""
        return next((entry for entry in self.fields if entry.field == name), None)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "rows": self.rows,
            "fields": [asdict(entry) for entry in self.fields],
            "risk": self.risk.to_dict() if self.risk else None,
        }

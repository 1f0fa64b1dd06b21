"""Planted defects: which mistakes go into which cells, and the manifest that lists them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from publish.catalog import Dataset
from publish.synth.ids import in_words
from publish.synth.values import Ctx

DEFECT_KINDS = ("bad_check_digit", "missing_required", "amount_as_text", "duplicate_row", "unknown_township",
                "id_in_remarks")
# Townships outside Shanting: what an unknown_township defect writes.
FOREIGN_TOWNSHIPS = ("齐村镇", "孟庄镇", "羊庄镇", "柴胡店镇", "西岗镇")


@dataclass(frozen=True)
class Defect:
    """One planted mistake: where a user would see it (file, 1-based file row, column) and what it is."""

    dataset: str
    file: str
    row: int
    field: str | None
    header: str | None
    kind: str


@dataclass
class Manifest:
    """What `generate_inbox` wrote: the period folder, one file per dataset, and the planted defects."""

    period: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)

    def to_json(self) -> str:
        """The `_defects.json` manifest: period and defects, no cell values."""
        return json.dumps({"period": self.period, "defects": [asdict(d) for d in self.defects]},
                          ensure_ascii=False, indent=2) + "\n"


class Planner:
    """Plants defects: two kinds per dataset, taken in turn from DEFECT_KINDS so that every kind appears."""

    def __init__(self) -> None:
        self.turn = 0

    def plant(self, ctx: Ctx, dataset: Dataset, table: list[dict[str, Any]]) -> list[tuple[int, str | None, str]]:
        """Change `table` in place; return (row index, field, kind) of each defect."""
        fields = dataset.schema["fields"]
        key = set(dataset.schema.get("primaryKey", []))
        targets = {
            "bad_check_digit": [f["name"] for f in fields if f["name"] == "id_number"],
            "missing_required": [f["name"] for f in fields
                                 if f.get("constraints", {}).get("required") and f["name"] not in key],
            "amount_as_text": [f["name"] for f in fields
                               if f["type"] == "number" and f.get("constraints", {}).get("minimum") == 0],
            "duplicate_row": sorted(key)[:1],
            "unknown_township": [f["name"] for f in fields if f["name"] == "township"],
            "id_in_remarks": [f["name"] for f in fields if f.get("pii") == "free_text"],
        }
        order = DEFECT_KINDS[self.turn:] + DEFECT_KINDS[:self.turn]
        kinds = [k for k in order if targets[k]][:2]
        self.turn = (self.turn + 2) % len(DEFECT_KINDS)
        planted: list[tuple[int, str | None, str]] = []
        busy: set[int] = set()
        if "duplicate_row" in kinds:
            i = ctx.rng.randrange(len(table))
            table.insert(i + 1, dict(table[i]))
            busy |= {i, i + 1}
            planted.append((i + 1, None, "duplicate_row"))
        for kind in kinds:
            if kind == "duplicate_row":
                continue
            i = ctx.rng.choice([j for j in range(len(table)) if j not in busy])
            busy.add(i)
            name = ctx.rng.choice(targets[kind])
            table[i][name] = _spoil(ctx, kind, table[i][name])
            planted.append((i, name, kind))
        return sorted(planted)


def _spoil(ctx: Ctx, kind: str, value: Any) -> Any:
    """The wrong value a clerk might have typed instead of `value`."""
    if kind == "bad_check_digit":
        return value[:17] + ctx.rng.choice([c for c in "0123456789X" if c != value[17]])
    if kind == "missing_required":
        return None
    if kind == "amount_as_text":
        return in_words(value)
    if kind == "unknown_township":
        return ctx.rng.choice(FOREIGN_TOWNSHIPS)
    return f"家属{ctx.fake.name()}身份证{ctx.id_number(ctx.rng.randint(20, 80), ctx.rng.random() < 0.5)}"

"""Running a policy over a table: a DataFrame goes in, the public DataFrame and its audit come out."""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from .audit import Audit, FieldAudit
from .policy import FieldPolicy, Policy
from .risk import assess, suppress_small_cells
from .text import to_arrow


def _field_audit(entry: FieldPolicy, before: pd.Series, after: pd.Series | None) -> FieldAudit:
    """Counts for one field: cells filled before, changed, and emptied by the rule."""
    old = to_arrow(before)
    new = to_arrow(after if after is not None else pd.Series(pd.NA, index=before.index, dtype="string"))
    presence_differs = pc.xor(pc.is_valid(old), pc.is_valid(new))
    changed = pc.fill_null(pc.not_equal(old, new), presence_differs)
    return FieldAudit(
        field=entry.name,
        category=entry.category,
        rule=entry.rule,
        options=dict(entry.options),
        filled=len(old) - old.null_count,
        changed=int(pc.sum(changed).as_py() or 0),
        emptied=int(pc.sum(pc.and_(pc.is_valid(old), pc.is_null(new))).as_py() or 0),
    )


def apply(frame: pd.DataFrame, policy: Policy) -> tuple[pd.DataFrame, Audit]:
    """Apply every field decision of `policy` to `frame`; columns it does not name pass through unchanged.

    A policy field missing from the frame is recorded as absent. The audit carries the k-anonymity report
    when the policy declares quasi-identifiers.
    """
    out = frame.copy()
    audit = Audit(rows=len(frame))
    for entry in policy.fields:
        if entry.name not in out.columns:
            audit.fields.append(FieldAudit(entry.name, entry.category, entry.rule, dict(entry.options), 0, 0, 0, False))
            continue
        before = out[entry.name]
        if entry.rule == "drop":
            out = out.drop(columns=entry.name)
            after = None
        elif entry.rule == "suppress":
            out, _ = suppress_small_cells(out, entry.name, **entry.options)
            after = out[entry.name]
        else:
            after = out[entry.name] = entry.transform(before, policy.key)
        audit.fields.append(_field_audit(entry, before, after))
    if policy.quasi_identifiers:
        audit.risk = assess(out, policy.quasi_identifiers)
    return out, audit

"""The vectorized Table Schema validator and its report.

It finds the same errors as frictionless v5 (row number, field name, error code) on the same file
and schema, block by block with pyarrow.compute: no Python loop over cells. Rules copied from
frictionless's `Row` and `TableResource.row_stream`:

- a cell equal to a missing value ("" by default) is missing; a type-error cell gets no
  constraint checks; each failed constraint is one constraint-error;
- a row whose cells are all missing is one blank-row error, which replaces the row's other errors
  (a primary key made only of missing cells is still a primary-key error);
- unique and primary-key compare typed values (``01`` equals ``1`` in an integer field) and skip
  missing or mistyped cells; the second and later occurrences are reported.

Label matching additionally accepts a field's `title` and `aliases` (see publish.header).

Beyond frictionless, one check of the toolkit's own (`identity_checks`, on by default): a cell of a field
marked `pii: id_card` that passes every schema check but whose GB 11643 check digit or birth date is wrong is
an `id-checksum` error (only for cells shaped like a 15- or 18-character ID). A mistyped ID number is a
unit's mistake that a pattern cannot see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from frictionless import Field

import anonymize

from publish.cell_types import CellReader, Parsed, canonical, pattern_matcher
from publish.header import HeaderMatch, primary_key
from publish.read import CELLS, ROW, ReadResult, open_table
from publish.validation_messages import Problem, describe, title

CHUNK_ROWS = 1 << 16
_ANY_FIELD = Field.from_descriptor({"name": "extra", "type": "any"})
_BOUNDS = {
    "minimum": pc.greater_equal,
    "maximum": pc.less_equal,
    "exclusiveMinimum": pc.greater,
    "exclusiveMaximum": pc.less,
}


@dataclass(frozen=True)
class ValidationError:
    """One error: file row (Excel numbering, None for the header), field name, frictionless code, Chinese message."""

    row: int | None
    field: str | None
    type: str
    message: str


@dataclass
class ValidationReport:
    """The outcome of validating one file; `frame`/`typed` hold the data for the next stages."""

    path: Path
    rows: int
    errors: list[ValidationError]
    skipped: list[str]
    header_row: int
    frame: pd.DataFrame | None = None
    typed: pd.DataFrame | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable report: `{"valid", "rows", "errors": [{row, field, type, message}]}`."""
        return {
            "valid": self.valid,
            "rows": self.rows,
            "errors": [
                {"row": e.row, "field": e.field, "type": e.type, "message": e.message} for e in self.errors
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def validate(
    source: ReadResult | str | Path,
    schema: dict[str, Any],
    *,
    keep_frame: bool = True,
    identity_checks: bool = True,
) -> ValidationReport:
    """Validate a unit's file (streamed in blocks) or an already read table against a Table Schema.

    With `keep_frame` the report carries the text frame and the typed frame of the schema's
    fields, so later stages need not read the file again; without it memory stays flat.
    Without `identity_checks` the error set is exactly frictionless's.
    """
    if isinstance(source, ReadResult):
        path, header, header_row, skipped = source.path, source.header, source.header_row, source.skipped
        blocks: Iterable[pa.Table] = (
            pa.Table.from_batches([batch]) for batch in source.table.to_batches(max_chunksize=CHUNK_ROWS)
        )
    else:
        stream = open_table(source, schema)
        path, header, header_row, skipped = stream.path, stream.header, stream.header_row, stream.skipped
        blocks = stream.blocks
    checker = _Checker(schema, header, keep_typed=keep_frame, identity_checks=identity_checks)
    if any(e.type == "error" for e in header.errors):  # frictionless reads no row then
        blocks = iter(())
    kept: list[pa.Table] = []
    pool = pa.default_memory_pool()
    for block in blocks:
        checker.check(block)
        if keep_frame:
            kept.append(block)
        pool.release_unused()  # hand a block's scratch memory back, or RSS creeps up with the file's length
    problems = checker.finish()
    errors = [ValidationError(p.row, p.field_name, p.type, describe(p, checker.field_of(p))) for p in problems]
    report = ValidationReport(path, checker.rows, errors, skipped, header_row)
    if keep_frame:
        report.frame = ReadResult(path, header, header_row, skipped, _concat(kept, header)).frame
        report.typed = checker.typed_frame(header)
    return report


def _concat(blocks: list[pa.Table], header: HeaderMatch) -> pa.Table:
    if blocks:
        return pa.concat_tables(blocks)
    empty: dict[str, pa.Array] = {name: pa.array([], pa.string()) for name in header.columns}
    return pa.table({**empty, ROW: pa.array([], pa.int64()), CELLS: pa.array([], pa.int32())})


@dataclass
class _Column:
    """A header column and the checks its field asks for."""

    name: str
    spec: dict[str, Any]
    reader: CellReader
    constraints: dict[str, Any]
    paired: bool
    unique: bool
    patterns: Any = None
    typed: list[pa.Array] = field(default_factory=list)


class _Checker:
    """Accumulates errors block by block; unique and primary-key keys are resolved at the end."""

    def __init__(
        self, schema: dict[str, Any], header: HeaderMatch, keep_typed: bool, identity_checks: bool = True
    ) -> None:
        self.keep_typed = keep_typed
        self.identity_checks = identity_checks
        self.specs = {f["name"]: f for f in schema.get("fields", [])} | dict(zip(header.columns, header.fields))
        default_missing = schema.get("missingValues", [""])
        self.columns: list[_Column] = []
        # Every unpaired label is an `any` field: one Field and reader serve them all (10,000 extra columns).
        extra: dict[bool, CellReader] = {}
        for name, spec, paired in zip(header.columns, header.fields, header.paired):
            fl = Field.from_descriptor(spec) if paired else _ANY_FIELD
            keyed = bool({"unique", "enum"} & set(fl.constraints)) or name in primary_key(schema)
            if paired:
                reader = CellReader(fl, spec.get("missingValues", default_missing), keyed)
            else:
                if keyed not in extra:
                    extra[keyed] = CellReader(fl, default_missing, keyed)
                reader = extra[keyed]
            constraints = {k: v for k, v in fl.constraints.items() if k in fl.supported_constraints}
            column = _Column(name, spec, reader, constraints, paired, bool(fl.constraints.get("unique")))
            if "pattern" in constraints:
                column.patterns = pattern_matcher(constraints["pattern"])
            self.columns.append(column)
        self.problems: list[Problem] = [
            Problem(None, e.field_name, e.type, e.field_number, detail=e.label) for e in header.errors
        ]
        self.rows = 0
        names = [c.name for c in self.columns]
        key = primary_key(schema)
        self.key_columns = [names.index(k) for k in key] if key and set(key) <= set(names) else []
        self.key_title = "".join(f"「{title(self.columns[i].spec)}」" for i in self.key_columns)
        self.unique_columns = [i for i, c in enumerate(self.columns) if c.unique]
        self.keys: dict[int | str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def field_of(self, problem: Problem) -> dict[str, Any] | None:
        """The field an error is about: a header column's, or a schema field missing from the header."""
        return self.specs.get(problem.field_name or "")

    def check(self, block: pa.Table) -> None:
        """Find every cell and row error of one block, and keep its unique/primary-key values."""
        rows = block.column(ROW).to_numpy()
        cells = block.column(CELLS).to_numpy()
        self.rows += len(rows)
        parsed = [c.reader.read(block.column(c.name).combine_chunks()) for c in self.columns]
        blank = np.ones(len(rows), dtype=bool)
        for p in parsed:
            blank &= p.missing.to_numpy(zero_copy_only=False)
        found: list[Problem] = []
        for index, (column, p) in enumerate(zip(self.columns, parsed)):
            raw = block.column(column.name).combine_chunks()
            found += _problems(rows, p.type_error, "type-error", column, index, raw)
            failures = list(self._constraints(column, p, raw))
            for constraint, failed in failures:
                found += _problems(rows, failed, "constraint-error", column, index, raw, constraint)
            if self.identity_checks and column.spec.get("pii") == "id_card":
                bad = _bad_id_numbers(p, raw, [failed for _, failed in failures])
                found += _problems(rows, bad, "id-checksum", column, index, raw)
            if self.keep_typed:
                column.typed.append(p.order)
        width = len(self.columns)
        for extra in range(width, int(cells.max(initial=0))):
            found += [Problem(int(r), None, "extra-cell", extra + 1) for r in rows[cells > extra]]
        for index, column in enumerate(self.columns):
            found += [Problem(int(r), column.name, "missing-cell", index + 1) for r in rows[cells <= index]]
        blank_rows = set(rows[blank].tolist())
        self.problems += [p for p in found if p.row not in blank_rows]
        self.problems += [Problem(int(r), None, "blank-row", None) for r in rows[blank]]
        for index in self.unique_columns:
            present = parsed[index].valid.to_numpy(zero_copy_only=False)
            self._keep(index, rows[present], [parsed[index].key.filter(parsed[index].valid)])
        if self.key_columns:
            keys = [parsed[i].key for i in self.key_columns]
            all_missing = np.ones(len(rows), dtype=bool)
            for key in keys:
                all_missing &= pc.is_null(key).to_numpy(zero_copy_only=False)
            self.problems += [Problem(int(r), None, "primary-key", None, detail=self.key_title) for r in rows[all_missing]]
            self._keep("key", rows[~all_missing], [k.filter(pa.array(~all_missing)) for k in keys])

    def _constraints(self, column: _Column, p: Parsed, raw: pa.Array) -> Iterator[tuple[str, pa.Array]]:
        """(constraint, failed mask) for each constraint frictionless would check on this column."""
        valid = p.valid
        for name, value in column.constraints.items():
            if name == "required" and value:
                yield name, p.missing
            elif name in ("minLength", "maxLength"):
                length = pc.utf8_length(raw)
                ok = pc.greater_equal(length, value) if name == "minLength" else pc.less_equal(length, value)
                yield name, pc.and_(valid, pc.invert(ok))
            elif name == "pattern":
                yield name, pc.and_(valid, pc.invert(pc.fill_null(column.patterns(p.key), True)))
            elif name == "enum":
                allowed = [column.reader.typed_constant(v) for v in value]
                keys = pa.array([canonical(v) for v in allowed], pa.string())
                yield name, pc.and_(valid, pc.invert(pc.is_in(p.key, value_set=keys)))
            elif name in _BOUNDS:
                bound = column.reader.order_scalar(value)
                if bound is not None:
                    ok = pc.fill_null(_BOUNDS[name](p.order, bound), True)
                    yield name, pc.and_(valid, pc.invert(ok))

    def _keep(self, slot: int | str, rows: np.ndarray, keys: list[pa.Array]) -> None:
        """Remember the rows' key hashes (8 bytes a row) for the duplicate search at the end."""
        self.keys.setdefault(slot, []).append((rows, _row_hash(keys)))

    def finish(self) -> list[Problem]:
        """Resolve unique and primary-key duplicates over all blocks and sort every error by row."""
        for slot, parts in self.keys.items():
            if not parts:
                continue
            rows = np.concatenate([r for r, _ in parts])
            codes = np.concatenate([h for _, h in parts])
            order = np.argsort(codes, kind="stable")
            repeat = np.flatnonzero(codes[order][1:] == codes[order][:-1]) + 1
            for later, earlier in zip(rows[order][repeat], rows[order][repeat - 1]):
                if slot == "key":
                    self.problems.append(Problem(int(later), None, "primary-key", None, self.key_title, other_row=int(earlier)))
                else:
                    column = self.columns[int(slot)]
                    self.problems.append(
                        Problem(int(later), column.name, "unique-error", int(slot) + 1, other_row=int(earlier))
                    )
        rank = {"unique-error": 1, "primary-key": 2}
        return sorted(
            self.problems,
            key=lambda p: (p.row is not None, p.row or 0, rank.get(p.type, 0), p.field_number or 0),
        )

    def typed_frame(self, header: HeaderMatch) -> pd.DataFrame:
        """The schema's fields as typed values (null where missing or mistyped)."""
        data = {
            c.name: pa.chunked_array(c.typed, c.typed[0].type) if c.typed else pa.array([], pa.string())
            for c in self.columns
            if c.paired
        }
        return pa.table(data).to_pandas(types_mapper=pd.ArrowDtype)


_Q = 0x100000001B3  # odd, so invertible modulo 2**64
_Q_INV = pow(_Q, -1, 2**64)
_NULL_HASH = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: spreads the polynomial hash over all 64 bits."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 … base**(count-1) modulo 2**64 (cached, grown by doubling)."""
    cached = _POWERS.get(base)
    if cached is None or len(cached) < count:
        powers = np.full(max(count, 2 * len(cached) if cached is not None else 1 << 16), base, dtype=np.uint64)
        powers[:1] = 1
        cached = _POWERS[base] = np.cumprod(powers, dtype=np.uint64)
    return cached[:count]


def _string_hash(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string, computed on the Arrow buffers (a null gets a fixed hash)."""
    array = pc.cast(array, pa.string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4)
    first, last = int(offsets[0]), int(offsets[-1])
    data = array.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8)[first:last].astype(np.uint64) if data else np.zeros(0, np.uint64)
    with np.errstate(over="ignore"):
        sums = np.concatenate([[np.uint64(0)], np.cumsum(raw * _powers(_Q, len(raw)), dtype=np.uint64)])
        start, end = offsets[:-1] - first, offsets[1:] - first
        hashes = (sums[end] - sums[start]) * _powers(_Q_INV, len(raw) + 1)[start]
        hashes = _mix(hashes + (end - start).astype(np.uint64))
    hashes[pc.is_null(array).to_numpy(zero_copy_only=False)] = _NULL_HASH
    return hashes


def _row_hash(keys: list[pa.Array]) -> np.ndarray:
    """One 64-bit hash per row over several key columns (collisions are negligible at 2**-64)."""
    combined = np.zeros(len(keys[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key in keys:
            combined = _mix(combined * np.uint64(_Q) + _string_hash(key))
    return combined


def _bad_id_numbers(p: Parsed, raw: pa.Array, constraint_failures: list[pa.Array]) -> pa.Array:
    """Cells shaped like a resident ID (15 or 18 characters) that broke no constraint, yet are no real ID.

    Other shapes in an id_card field (a 20-character disability certificate, say) are the schema's business.
    """
    shaped = pc.match_substring_regex(raw, r"^(?:\d{15}|\d{17}[\dXx])$")
    suspect = pc.and_(p.valid, pc.fill_null(shaped, False))
    for failed in constraint_failures:
        suspect = pc.and_(suspect, pc.invert(pc.fill_null(failed, False)))
    genuine = anonymize.detect(pd.Series(raw.to_pandas(), dtype="string"), "id_card").to_numpy(dtype=bool)
    return pc.and_(suspect, pa.array(~genuine))


def _problems(
    rows: np.ndarray,
    mask: pa.Array,
    kind: str,
    column: _Column,
    index: int,
    raw: pa.Array,
    constraint: str | None = None,
) -> list[Problem]:
    hits = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    if not len(hits):
        return []
    values = raw.take(pa.array(hits)).to_pylist()
    return [
        Problem(int(rows[i]), column.name, kind, index + 1, detail=constraint, value=value)
        for i, value in zip(hits, values)
    ]

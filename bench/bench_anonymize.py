"""Time `anonymize.apply` on N synthetic rows of the five common personal fields, against a per-row baseline.

    python bench/bench_anonymize.py [--rows N] [--baseline-rows M]

Two baselines, both hutool-style masking with one Python call per value, run in this process on the same table:
per-value list comprehensions over each column (timed on all N rows), and the per-row `DataFrame.apply` people
write first (timed on M rows and scaled to N). Ratios are fair on a noisy machine; nothing here asserts a time.
All data is synthetic: computed check digits, made-up names.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import anonymize
from anonymize.detectors import ID_CHECK_CHARS, ID_WEIGHTS, luhn_check_digit

SCHEMA_FIELDS = [
    {"name": "name", "pii": "person_name"},
    {"name": "id_card", "pii": "id_card"},
    {"name": "mobile", "pii": "mobile"},
    {"name": "address", "pii": "address"},
    {"name": "bank_card", "pii": "bank_card"},
]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗段") + ["欧阳", "司马", "诸葛"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华𠮷")
#: Region codes; 110105 is current, 510102 (成都市东城区) was retired in 2002: both belong to real people.
REGIONS = ["110105", "310104", "440106", "510102", "330106", "420111"]
STREETS = ["幸福路", "人民大街", "建设巷", "解放路"]


def _texts(pieces: list[str], rng: np.random.Generator, rows: int) -> pa.Array:
    return pa.array(pieces).take(pa.array(rng.integers(0, len(pieces), rows)))


def _fixed_width(matrix: np.ndarray) -> pa.Array:
    """Rows of ASCII bytes as one string array."""
    rows, width = matrix.shape
    offsets = np.arange(rows + 1, dtype=np.int32) * width
    return pa.Array.from_buffers(pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(matrix.tobytes())])


def synthetic_people(rows: int, seed: int = 5) -> pd.DataFrame:
    """`rows` made-up people with valid IDs (check digits computed), mobiles, addresses and Luhn-valid cards."""
    rng = np.random.default_rng(seed)
    region = np.frombuffer("".join(REGIONS).encode(), np.uint8).reshape(-1, 6)[rng.integers(0, len(REGIONS), rows)]
    born = pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 30000, rows), unit="D")
    birth = np.frombuffer(born.strftime("%Y%m%d").str.cat().encode(), np.uint8).reshape(rows, 8)
    first17 = np.hstack([region, birth, rng.integers(48, 58, (rows, 3), dtype=np.uint8)])
    ids = np.hstack([first17, ID_CHECK_CHARS[((first17 - 48) * ID_WEIGHTS).sum(axis=1) % 11][:, None]])
    mobiles = np.hstack([np.full((rows, 1), ord("1"), np.uint8), rng.integers(51, 58, (rows, 1), dtype=np.uint8),
                         rng.integers(48, 58, (rows, 9), dtype=np.uint8)])
    payload = np.hstack([np.frombuffer(b"62", np.uint8)[None].repeat(rows, 0),
                         rng.integers(48, 58, (rows, 16), dtype=np.uint8)])
    cards = np.hstack([payload, (luhn_check_digit(payload.astype(np.int64) - 48) + 48).astype(np.uint8)[:, None]])
    name = pc.binary_join_element_wise(_texts(SURNAMES, rng, rows), _texts(GIVEN, rng, rows),
                                       _texts(GIVEN + [""] * 10, rng, rows), "")
    number = pc.cast(pa.array(rng.integers(1, 300, rows)), pa.string())
    address = pc.binary_join_element_wise("四川省成都市锦江区", _texts(["春熙路街道", "盐市口街道", "三圣乡"], rng, rows),
                                          _texts(STREETS, rng, rows), number, "号", "")
    columns = {"name": name, "id_card": _fixed_width(ids), "mobile": _fixed_width(mobiles), "address": address,
               "bank_card": _fixed_width(cards)}
    return pd.DataFrame({key: pd.Series(value, dtype="str") for key, value in columns.items()})


def _hide(value: str, front: int, end: int) -> str:
    return value[:front] + "*" * (len(value) - front - end) + value[len(value) - end :]


def _card(value: str) -> str:
    card = value.replace(" ", "")
    end = len(card) % 4 or 4
    return " ".join([card[:4], *["****"] * ((len(card) - 4 - end) // 4), card[-end:]])


def _address(value: str) -> str:
    cut = min((value.find(unit) + len(unit) for unit in ("街道", "镇", "乡") if unit in value), default=0)
    return value[:cut] + "*" * (len(value) - cut)


#: hutool's DesensitizedUtil, value by value.
BASELINE = {
    "name": lambda value: value[0] + "*" * (len(value) - 1),
    "id_card": lambda value: _hide(value, 1, 2),
    "mobile": lambda value: _hide(value, 3, 4),
    "address": _address,
    "bank_card": _card,
}


def _per_value(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({column: [mask(value) for value in frame[column]] for column, mask in BASELINE.items()})


def _per_row(row: pd.Series) -> pd.Series:
    return pd.Series({column: mask(row[column]) for column, mask in BASELINE.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--json", action="store_true", help="end with a JSON line of rows for bench/run.py")
    args = parser.parse_args()

    frame = synthetic_people(args.rows)
    policy = anonymize.Policy.from_mapping({}, SCHEMA_FIELDS)
    anonymize.apply(frame.head(1000), policy)  # warm up regex compilation and imports

    pool_before = pa.default_memory_pool().max_memory()
    start = time.perf_counter()
    out, audit = anonymize.apply(frame, policy)
    seconds = time.perf_counter() - start
    arrow_peak = max(pa.default_memory_pool().max_memory() - pool_before, 0)

    tracemalloc.start()
    anonymize.apply(frame, policy)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    start = time.perf_counter()
    _per_value(frame)
    per_value = time.perf_counter() - start

    sample = frame.head(args.baseline_rows)
    start = time.perf_counter()
    sample.apply(_per_row, axis=1)
    per_row = (time.perf_counter() - start) * args.rows / len(sample)

    start = time.perf_counter()
    findings = anonymize.scan(out)
    scan_seconds = time.perf_counter() - start

    mib = 2**20
    print(f"rows                      {args.rows:>12,}")
    print(f"anonymize.apply           {seconds:>12.3f} s   (target ≤ 2 s for 1M rows)")
    print(f"per-value Python baseline {per_value:>12.3f} s   ({per_value / seconds:.1f}× slower)")
    print(f"per-row apply baseline    {per_row:>12.3f} s   ({per_row / seconds:.0f}× slower; {len(sample):,} rows, scaled)")
    print(f"anonymize.scan of output  {scan_seconds:>12.3f} s   ({len(findings)} findings)")
    print(f"peak Python/numpy heap    {python_peak / mib:>12.1f} MiB (tracemalloc, during apply)")
    print(f"peak Arrow pool growth    {arrow_peak / mib:>12.1f} MiB (during apply)")
    print(f"process max RSS           {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>12.1f} MiB")
    print(f"cells changed             {sum(entry.changed for entry in audit.fields):>12,}")
    print(f"load average (1 min)      {os.getloadavg()[0]:>12.2f}     on {os.cpu_count()} CPUs")
    if args.json:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps([
            {"name": f"anonymize {args.rows:,} rows × 5 fields (vs per-value Python)", "seconds": seconds,
             "baseline_seconds": per_value, "peak_rss_mib": rss},
            {"name": f"leak scan of {args.rows:,} anonymized rows", "seconds": scan_seconds, "peak_rss_mib": rss},
        ], ensure_ascii=False))


if __name__ == "__main__":
    main()

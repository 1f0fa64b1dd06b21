"""Time read + validate of generated 城乡低保 files against frictionless v5, in the same run.

    python bench/bench_validate.py [--rows 100000 1000000] [--dir /tmp/gongkai-bench]

Each engine runs in its own child process, which reports its time and its own peak RSS
(getrusage RUSAGE_SELF: max resident set size), and the error sets are compared. The data is generated in
a child too: Linux carries a parent's peak RSS over into the children it starts (fork, then exec). Rows are made
with numpy/pyarrow (no per-row faker), with a sprinkle of defects so the error sets are not empty.
The toolkit's own ID check-digit check is off here: the error sets compared are frictionless's.
Nothing here asserts a time: the table is for people.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "urban-rural-dibao.json"

OURS = """
import json, resource, sys, time
from pathlib import Path
from publish.read import read_table
from publish.validate import validate
path, schema, mode = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()), sys.argv[3]
start = time.perf_counter()
source = read_table(path, schema) if mode == "frame" else path
report = validate(source, schema, keep_frame=mode == "frame", identity_checks=False)
seconds = time.perf_counter() - start
errors = [[e.row, e.field, e.type] for e in report.errors]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss": rss, "rows": report.rows, "errors": errors}))
"""

THEIRS = """
import json, resource, sys, time
from pathlib import Path
from frictionless import Dialect, Resource, Schema
path, schema = Path(sys.argv[1]), Schema.from_descriptor(json.loads(Path(sys.argv[2]).read_text()))
start = time.perf_counter()
resource_ = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8",
                     dialect=Dialect(header_rows=[1]))
task = resource_.validate(limit_errors=0).tasks[0]
seconds = time.perf_counter() - start
errors = [[d.get("rowNumber"), d.get("fieldName") or None, d["type"]] for d in (e.to_descriptor() for e in task.errors)]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss": rss, "rows": task.stats.get("rows"), "errors": errors}))
"""


def pick(rng: np.random.Generator, values: list[str], rows: int) -> pa.Array:
    return pa.array(values).take(pa.array(rng.integers(0, len(values), rows)))


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A 城乡低保 CSV of `rows` rows, headed by field names, with about 0.2% defective rows."""
    rng = np.random.default_rng(seed)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    townships = schema["fields"][0]["constraints"]["enum"]
    serial = np.arange(rows, dtype=np.int64)
    ids = pc.binary_join_element_wise(
        pick(rng, ["370481", "370402", "370406"], rows),
        pc.cast(pa.array(19400101 + rng.integers(0, 60, rows) * 10000 + rng.integers(1, 13, rows) * 100
                         + rng.integers(1, 29, rows)), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array(serial % 1000), pa.string()), 3, "0"),
        pick(rng, list("0123456789X"), rows),
        "",
    )
    members = pc.cast(pa.array(rng.integers(1, 7, rows)), pa.string())
    amount = pc.cast(pa.array(np.round(rng.uniform(200, 2500, rows), 2)), pa.string())
    period = pa.array(np.full(rows, "2026-10"))
    # Defects: negative amounts, words in 保障人数, repeated keys, an unknown 保障类别.
    amount = pc.if_else(pa.array(serial % 997 == 5), "-1", amount)
    members = pc.if_else(pa.array(serial % 1499 == 7), "三", members)
    ids = pc.if_else(pa.array(serial % 2003 == 11), ids.take(pa.array(np.maximum(serial - 1, 0))), ids)
    category = pc.if_else(pa.array(serial % 3001 == 13), "低保", pick(rng, ["城市低保", "农村低保"], rows))
    table = pa.table({
        "township": pick(rng, townships, rows),
        "village": pick(rng, [f"{name}村" for name in "东西南北前后上下中新"] + ["幸福社区", "和平社区"], rows),
        "head_name": pc.binary_join_element_wise(pick(rng, list("王李张刘陈杨黄赵吴周"), rows),
                                                 pick(rng, list("伟芳娜敏静丽强磊军洋"), rows),
                                                 pick(rng, ["", "华", "英", "𠮷"], rows), ""),
        "id_number": ids,
        "members": members,
        "category": category,
        "amount": amount,
        "period": period,
        "remarks": pc.if_else(pa.array(serial % 50 == 0), "新增", pa.array(np.full(rows, ""))),
    })
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def run(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/gongkai-bench"))
    parser.add_argument("--json", action="store_true", help="end with a JSON line of rows for bench/run.py")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.generate_only:
        generate(options.generate_only, options.rows[0])
        return
    rows_out: list[dict] = []
    options.dir.mkdir(parents=True, exist_ok=True)
    header = f"{'rows':>9} {'engine':<28} {'seconds':>8} {'rows/s':>11} {'peak RSS MiB':>13} {'errors':>7} {'vs frictionless':>16}"
    print(header)
    print("-" * len(header))
    for rows in options.rows:
        path = options.dir / f"dibao-{rows}.csv"
        # Generated in a child: Linux hands a parent's peak RSS on to every child it starts afterwards.
        subprocess.run([sys.executable, __file__, "--generate-only", str(path), "--rows", str(rows)], check=True)
        theirs = run(THEIRS, str(path), str(SCHEMA))
        results = {
            "gongkai validate (stream)": run(OURS, str(path), str(SCHEMA), "stream"),
            "gongkai read_table+validate": run(OURS, str(path), str(SCHEMA), "frame"),
            "frictionless 5": theirs,
        }
        expected = Counter(map(tuple, theirs["errors"]))
        assert theirs["rows"] == rows, "frictionless did not read the rows"
        for engine, result in results.items():
            same = Counter(map(tuple, result["errors"])) == expected
            ratio = theirs["seconds"] / result["seconds"]
            print(f"{rows:>9} {engine:<28} {result['seconds']:>8.2f} {rows / result['seconds']:>11,.0f} "
                  f"{result['rss']:>13.0f} {len(result['errors']):>7} {ratio:>9.1f}x {'same' if same else 'DIFFERENT'}")
            if engine != "frictionless 5":
                rows_out.append({"name": f"{engine}, {rows:,} rows ({'same' if same else 'DIFFERENT'} errors)",
                                 "seconds": result["seconds"], "baseline_seconds": theirs["seconds"],
                                 "peak_rss_mib": result["rss"]})
        print(f"          file size {path.stat().st_size / 2**20:.0f} MiB")
    if options.json:
        print(json.dumps(rows_out, ensure_ascii=False))


if __name__ == "__main__":
    main()

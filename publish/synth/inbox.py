"""Writing one period's sample inbox: every chosen dataset's rows, defects if asked, in its unit's file shape."""

from __future__ import annotations

from pathlib import Path

from publish.catalog import Catalog, load_catalog
from publish.synth.defects import Defect, Manifest, Planner
from publish.synth.shapes import SHAPES, render
from publish.synth.tables import ROWS
from publish.synth.values import Ctx


def generate_inbox(root: Path, period: str, datasets: list[str] | None = None, defects: bool = False,
                   rows: int | None = None, catalog: Catalog | None = None) -> Manifest:
    """Write one period's sample inbox under `root` and return what was written (and planted).

    `datasets` limits it to some names (default: every monthly tabular dataset); `rows` sets the length of
    person-level lists (tables with a fixed shape, such as air quality by day, ignore it).
    """
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit() or not 1 <= int(period[5:]) <= 12:
        raise ValueError(f"期别 {period!r} 应为 YYYY-MM 格式。")
    catalog = catalog or load_catalog()
    chosen = [catalog.get(n) for n in datasets] if datasets else catalog.monthly()
    manifest = Manifest(period, Path(root) / period)
    planner = Planner()
    for dataset in chosen:
        ctx = Ctx(period, dataset)
        make, default_rows = ROWS[dataset.name]
        names = [f["name"] for f in dataset.schema["fields"]]
        table = [{n: r.get(n) for n in names} for r in make(ctx, rows or default_rows)]
        planted = planner.plant(ctx, dataset, table) if defects else []
        shape = SHAPES[dataset.name]
        label = f"{ctx.year}年{ctx.month}月{shape.suffix}"
        path = manifest.folder / dataset.unit.name / f"{dataset.title}{label}.{shape.ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        headers = shape.headers(dataset)
        path.write_bytes(render(dataset, shape, label, headers, table))
        manifest.files[dataset.name] = path
        rel = path.relative_to(manifest.folder).as_posix()
        manifest.defects += [Defect(dataset.name, rel, shape.first_row + i, f, headers[names.index(f)] if f else None,
                                    kind) for i, f, kind in planted]
    stale = manifest.folder / "_defects.json"
    if defects:
        stale.write_text(manifest.to_json(), encoding="utf-8")
    elif stale.exists():
        stale.unlink()
    return manifest

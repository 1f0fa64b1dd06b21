"""The offline dashboard: one self-contained HTML file with inline SVG charts, for supervisors on an intranet.

Nothing is fetched: no scripts, stylesheets, fonts or images from anywhere; Chinese text uses the system's
CJK fonts. Every piece of text is escaped. Portal-side figures (datasets opened, indicator timeliness by unit)
come in as a `publish.status.PortalFigures` value, computed from CKAN; request figures come from a
`publish.turnaround.TurnaroundReport`. Applicants never appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from publish.status import PortalFigures
from publish.turnaround import LIMIT_DAYS, TurnaroundReport, format_share

GREEN, RED, GREY, AMBER, BLUE = "#2e7d32", "#c62828", "#9e9e9e", "#ef6c00", "#1565c0"
FONT_STACK = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif'


Series = tuple[str, str, Sequence[float]]  # legend name, colour, one value per category
_LEGEND_GAP = 36  # swatch, spacing; text is about 12px per (CJK) character


def render_dashboard(
    requests: TurnaroundReport, portal: PortalFigures | None, generated_at: datetime
) -> str:
    """The whole dashboard as one HTML document."""
    sections = [
        _provisional_banner(requests),
        _target_section(portal),
        _requests_section(requests),
        _distribution_section(requests),
        _units_section(portal),
    ]
    title = "政府数据开放工作看板"
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body {{ font-family: {FONT_STACK}; margin: 2em auto; max-width: 60em; color: #212121; padding: 0 1em; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }}
.banner {{ background: #ffebee; border: 2px solid {RED}; color: {RED}; padding: .6em 1em; font-weight: bold; }}
.muted {{ color: #757575; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ddd; padding: .2em .6em; text-align: left; }}
svg text {{ font-family: {FONT_STACK}; font-size: 12px; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="muted">生成时间：{escape(f"{generated_at:%Y-%m-%d %H:%M}")}；申请统计范围：{escape(requests.period or "全部")}，逾期按 {escape(str(requests.today))} 计算</p>
{"".join(sections)}
</body>
</html>
"""


def _provisional_banner(report: TurnaroundReport) -> str:
    if not report.provisional_reasons:
        return ""
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in report.provisional_reasons)
    return f'<div class="banner" role="alert">注意：部分申请期限为临时推算结果，需核对。<ul>{reasons}</ul></div>'


def _target_section(portal: PortalFigures | None) -> str:
    if portal is None:
        return '<h2>年度开放目标</h2><p class="muted">未提供门户统计数据。</p>'
    share = portal.opened / portal.target if portal.target else 1.0
    chart = _bar_chart(
        [f"{portal.year} 年"],
        [("已开放", GREEN, [portal.opened]), ("尚差", GREY, [max(portal.target - portal.opened, 0)])],
        horizontal=True,
        end_labels=[f"{portal.opened} / {portal.target}"],
    )
    return (
        f"<h2>年度开放目标</h2><p>{portal.year} 年已开放数据集 <strong>{portal.opened}</strong> 个，"
        f"目标 {portal.target} 个（完成 {share:.0%}）。</p>{chart}"
    )


def _requests_section(report: TurnaroundReport) -> str:
    s, monthly = report.summary, report.monthly
    pending = monthly["received"] - monthly["on_time"] - monthly["overdue"]
    chart = _bar_chart(
        [f"{m}（临时）" if provisional else m for m, provisional in zip(monthly["month"], monthly["provisional"])],
        [("按时答复", GREEN, list(monthly["on_time"])), ("逾期", RED, list(monthly["overdue"])),
         ("办理中", GREY, list(pending))],
    ) if len(monthly) else '<p class="muted">暂无申请。</p>'
    facts = [
        ("收到申请", f"{s.received} 件"),
        ("已答复", f"{s.answered} 件"),
        ("答复用时中位数", _days(s.median_days)),
        ("答复用时 90 分位", _days(s.p90_days)),
        (f"{LIMIT_DAYS} 个工作日内答复比例", format_share(s.on_time_share)),
        ("当前逾期未答复", f"{len(report.overdue)} 件"),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    overdue = "".join(
        f"<tr><td>{escape(o.request.id)}</td><td>{escape(o.request.dataset)}</td>"
        f"<td>{escape(str(o.deadline.date))}{'（临时）' if o.provisional else ''}</td><td>{o.late_by}</td></tr>"
        for o in report.overdue
    )
    overdue_table = (
        f"<h3>逾期未答复</h3><table><tr><th>编号</th><th>申请数据</th><th>期限</th><th>逾期工作日</th></tr>{overdue}</table>"
        if overdue else ""
    )
    return f"<h2>依申请开放：按月办理情况</h2><table>{rows}</table>{chart}{overdue_table}"


def _distribution_section(report: TurnaroundReport) -> str:
    days = [s.answer.days for s in report.statuses if s.answer is not None]
    categories = list(range(max(days, default=0) + 1))
    counts = [days.count(day) for day in categories]
    chart = _bar_chart(
        [f"{day} 天" for day in categories],
        [
            (f"{LIMIT_DAYS} 个工作日内", GREEN, [c if d <= LIMIT_DAYS else 0 for d, c in zip(categories, counts)]),
            (f"超过 {LIMIT_DAYS} 个工作日", RED, [c if d > LIMIT_DAYS else 0 for d, c in zip(categories, counts)]),
        ],
    ) if days else '<p class="muted">暂无已答复的申请。</p>'
    return f"<h2>答复用时分布（工作日）</h2>{chart}"


def _units_section(portal: PortalFigures | None) -> str:
    if portal is None or not portal.units:
        return '<h2>各责任单位指标公开时效</h2><p class="muted">未提供门户统计数据。</p>'
    units = sorted(portal.units, key=lambda u: (-(u.late + u.missing), u.unit))
    chart = _bar_chart(
        [u.unit for u in units],
        [("按时", GREEN, [u.on_time for u in units]), ("逾期", AMBER, [u.late for u in units]),
         ("未公开", RED, [u.missing for u in units])],
        horizontal=True,
    )
    return f"<h2>各责任单位指标公开时效</h2>{chart}"


def _bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    horizontal: bool = False,
    end_labels: Sequence[str] | None = None,
) -> str:
    """Stacked bars as inline SVG: columns by default, rows when `horizontal`; totals (or `end_labels`)
    at the bar ends."""
    count = len(categories)
    totals = [sum(values[i] for _, _, values in series) for i in range(count)]
    labels = end_labels or [f"{total:g}" for total in totals]
    scale_max = max(totals, default=0) or 1
    legend_h = 28
    # Category labels are about 12px per CJK character: leave room for the longest unit name.
    label_w = max(130, 12 * max((len(c) for c in categories), default=0) + 12)
    if horizontal:
        band = 30
        width, height = 510 + label_w, legend_h + band * count + 10
        length = width - label_w - 50
    else:
        band = max(36, min(80, 560 // max(count, 1)))
        width, height = max(40 + band * count + 20, _legend_width(series)), 300
        bottom = height - 90  # room for slanted category labels
        length = bottom - legend_h - 20
    parts = [_legend(series)]
    for i, (category, label) in enumerate(zip(categories, labels)):
        offset = 0.0
        for name, colour, values in series:
            size = values[i] / scale_max * length
            if size <= 0:
                continue
            if horizontal:
                x, y, w, h = label_w + offset, legend_h + i * band + 5, size, band - 10
            else:
                x, y, w, h = 40 + i * band + band * 0.2, bottom - offset - size, band * 0.6, size
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(f'{category} {name}：{values[i]:g}')}</title></rect>"
            )
            offset += size
        if horizontal:
            y = legend_h + i * band + band / 2 + 4
            parts.append(f'<text x="{label_w - 6}" y="{y:.1f}" text-anchor="end">{escape(category)}</text>')
            parts.append(f'<text x="{label_w + offset + 4:.1f}" y="{y:.1f}">{escape(label)}</text>')
        else:
            x, y = 40 + i * band + band / 2, bottom + 14
            parts.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-40 {x:.1f} {y})">'
                f"{escape(category)}</text>"
            )
            parts.append(
                f'<text x="{x:.1f}" y="{bottom - 4 - offset:.1f}" text-anchor="middle">{escape(label)}</text>'
            )
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        + "".join(parts)
        + "</svg>"
    )


def _legend(series: Sequence[Series]) -> str:
    items, x = [], 10
    for name, colour, _ in series:
        items.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"></rect>'
            f'<text x="{x + 16}" y="16">{escape(name)}</text>'
        )
        x += _LEGEND_GAP + 12 * len(name)
    return "".join(items)


def _legend_width(series: Sequence[Series]) -> int:
    return 10 + sum(_LEGEND_GAP + 12 * len(name) for name, _, _ in series)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g} 个工作日"

"""Row makers of the monthly statistical tables: insurance funds, pensions by township, work injury, fiscal brief."""

from __future__ import annotations

from typing import Any

from publish.synth.values import Ctx

FISCAL = {
    "一般公共预算收入": [("税收收入", 9000), ("增值税", 3500), ("企业所得税", 1100), ("个人所得税", 300), ("城市维护建设税", 450),
                 ("房产税", 320), ("城镇土地使用税", 280), ("非税收入", 2600), ("专项收入", 700), ("行政事业性收费收入", 420)],
    "一般公共预算支出": [("一般公共服务支出", 2600), ("教育支出", 6800), ("社会保障和就业支出", 5200), ("卫生健康支出", 2900),
                 ("节能环保支出", 600), ("城乡社区支出", 1900), ("农林水支出", 3300)],
    "政府性基金预算收入": [("国有土地使用权出让收入", 6000), ("城市基础设施配套费收入", 400)],
    "政府性基金预算支出": [("城乡社区支出", 5200), ("其他政府性基金支出", 300)],
}


def insurance_stats(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """medical-maternity-insurance: insured, beneficiaries and fund flows per insurance."""
    sizes = {"职工基本医疗保险": 38000, "城乡居民基本医疗保险": 402000, "生育保险": 31000}
    rows = []
    for kind, size in sizes.items():
        insured = round(size * ctx.rng.uniform(0.98, 1.02))
        rows.append({"period": ctx.period, "insurance_type": kind, "insured": insured,
                     "beneficiaries": round(insured * ctx.rng.uniform(0.02, 0.2)),
                     "fund_income": round(insured * ctx.rng.uniform(0.004, 0.01), 2),
                     "fund_expense": round(insured * ctx.rng.uniform(0.004, 0.01), 2)})
    return rows


def pension(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """pension-insurance: insured, pensioners and pensions paid per township."""
    rows = []
    for township in ctx.townships:
        insured = ctx.rng.randint(12000, 32000)
        pensioners = round(insured * ctx.rng.uniform(0.35, 0.45))
        rows.append({"township": township, "period": ctx.period, "insured": insured, "pensioners": pensioners,
                     "paid": round(pensioners * ctx.rng.uniform(190, 240), 2)})
    return rows


def work_injury(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """work-injury-insurance: employers, insured, recognized injuries and benefits per industry."""
    industries = ["农、林、牧、渔业", "采矿业", "制造业", "建筑业", "批发和零售业", "交通运输、仓储和邮政业",
                  "住宿和餐饮业", "公共管理、社会保障和社会组织", "其他行业"]
    rows = []
    for industry in industries:
        employers = ctx.rng.randint(20, 400)
        recognized = ctx.rng.randint(0, 8)
        rows.append({"period": ctx.period, "industry": industry, "employers": employers,
                     "insured": employers * ctx.rng.randint(8, 40), "recognized": recognized,
                     "beneficiaries": recognized + ctx.rng.randint(0, 30),
                     "benefits": round(ctx.rng.uniform(0, 400000), 2)})
    return rows


def fiscal(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """fiscal-brief: month, year-to-date and year-on-year figures per budget subject."""
    rows = []
    for category, subjects in FISCAL.items():
        for subject, monthly in subjects:
            month_amount = round(monthly * ctx.rng.uniform(0.6, 1.4), 1)
            rows.append({"period": ctx.period, "category": category, "subject": subject, "month_amount": month_amount,
                         "ytd_amount": round(month_amount * ctx.month * ctx.rng.uniform(0.9, 1.1), 1),
                         "yoy_pct": round(ctx.rng.uniform(-25, 30), 1)})
    return rows

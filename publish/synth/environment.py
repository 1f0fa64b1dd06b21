"""Row makers of the environment and water tables: daily air quality, key polluters, water test results."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from publish.synth.ids import credit_code
from publish.synth.values import VILLAGES, Ctx

# HJ 633-2012 breakpoints: IAQI levels and the 24-hour (O3: 8-hour) concentration limits of each pollutant.
IAQI = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS = {"pm25": (0, 35, 75, 115, 150, 250, 350, 500), "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
               "so2": (0, 50, 150, 475, 800, 1600, 2100, 2620), "no2": (0, 40, 80, 180, 280, 565, 750, 940),
               "co": (0, 2, 4, 14, 24, 36, 48, 60), "o3_8h": (0, 100, 160, 215, 265, 800, 800, 800)}
POLLUTANT = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3_8h": "O3"}
LEVELS = ((50, "优"), (100, "良"), (150, "轻度污染"), (200, "中度污染"), (300, "重度污染"), (500, "严重污染"))


def _iaqi(key: str, value: float) -> int:
    """Individual air quality index of one pollutant concentration."""
    bp = BREAKPOINTS[key]
    for i in range(1, len(bp)):
        if value <= bp[i]:
            return round((IAQI[i] - IAQI[i - 1]) / (bp[i] - bp[i - 1]) * (value - bp[i - 1]) + IAQI[i - 1])
    return 500


def air(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """air-quality: each station's daily concentrations, AQI, primary pollutant and level."""
    summer = ctx.month in (5, 6, 7, 8, 9)
    rows = []
    for station in ("山亭区政府", "山亭区环境监测站", "西集镇"):
        for d in range(1, ctx.days + 1):
            pm25 = ctx.rng.randint(12, 50 if summer else 120)
            c = {"pm25": pm25, "pm10": round(pm25 * ctx.rng.uniform(1.4, 2.0)), "so2": ctx.rng.randint(4, 18),
                 "no2": ctx.rng.randint(10, 55), "co": round(ctx.rng.uniform(0.3, 1.6), 1),
                 "o3_8h": ctx.rng.randint(90, 210) if summer else ctx.rng.randint(40, 120)}
            scores = {k: _iaqi(k, v) for k, v in c.items()}
            aqi = max(scores.values())
            rows.append(c | {"station": station, "date": date(ctx.year, ctx.month, d), "aqi": aqi,
                             "primary_pollutant": POLLUTANT[max(scores, key=scores.get)] if aqi > 50 else "",
                             "level": next(name for top, name in LEVELS if aqi <= top)})
    return rows


POLLUTERS = [("化学原料和化学制品制造业", "水环境重点排污单位", "化学需氧量、氨氮", "间接排放"),
             ("水泥制造", "大气环境重点排污单位", "颗粒物、二氧化硫、氮氧化物", "有组织排放"),
             ("污水处理及其再生利用", "水环境重点排污单位", "化学需氧量、氨氮、总磷", "直接排放"),
             ("电子元件制造", "土壤污染重点监管单位", "铜、镍、挥发性有机物", "间接排放"),
             ("农副食品加工业", "水环境重点排污单位", "化学需氧量、氨氮", "间接排放"),
             ("建筑用石加工", "大气环境重点排污单位", "颗粒物", "无组织排放"),
             ("危险废物治理", "环境风险重点管控单位", "颗粒物、二噁英类", "有组织排放")]


def polluters(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """key-polluting-units: enterprises with credit code, industry, list, pollutants and contacts."""
    rows = []
    for _ in range(n):
        industry, list_type, pollutants, mode = ctx.rng.choice(POLLUTERS)
        phone = ctx.mobile() if ctx.rng.random() < 0.6 else f"0632-{ctx.rng.randint(8800000, 8899999)}"
        rows.append({"company": ctx.company(), "credit_code": credit_code(ctx.rng), "township": ctx.rng.choice(ctx.townships),
                     "industry": industry, "list_type": list_type, "pollutants": pollutants, "discharge_mode": mode,
                     "legal_rep": ctx.fake.name(), "contact_phone": phone, "period": ctx.period})
    return rows


def _value(ctx: Ctx, low: float, high: float, digits: int) -> str:
    """A measured value between `low` and `high`, written with `digits` decimals."""
    return f"{ctx.rng.uniform(low, high):.{digits}f}"


# GB 5749-2022 indicators: name, unit, limit, and a maker of a compliant measured value.
WATER_ITEMS: list[tuple[str, str, str, Callable[[Ctx], str]]] = [
    ("总大肠菌群", "MPN/100mL", "不应检出", lambda c: "未检出"),
    ("大肠埃希氏菌", "MPN/100mL", "不应检出", lambda c: "未检出"),
    ("菌落总数", "MPN/mL", "≤100", lambda c: str(c.rng.randint(0, 30))),
    ("砷", "mg/L", "≤0.01", lambda c: "<0.001"),
    ("镉", "mg/L", "≤0.005", lambda c: "<0.0005"),
    ("铬（六价）", "mg/L", "≤0.05", lambda c: "<0.004"),
    ("铅", "mg/L", "≤0.01", lambda c: "<0.0025"),
    ("汞", "mg/L", "≤0.001", lambda c: "<0.0001"),
    ("氟化物", "mg/L", "≤1.0", lambda c: _value(c, 0.2, 0.6, 2)),
    ("硝酸盐（以N计）", "mg/L", "≤10", lambda c: _value(c, 1.0, 6.0, 2)),
    ("三氯甲烷", "mg/L", "≤0.06", lambda c: _value(c, 0.002, 0.02, 4)),
    ("色度", "铂钴色度单位", "≤15", lambda c: "<5"),
    ("浑浊度", "NTU", "≤1", lambda c: _value(c, 0.1, 0.6, 2)),
    ("臭和味", "", "无异臭、异味", lambda c: "无异臭、异味"),
    ("肉眼可见物", "", "无", lambda c: "无"),
    ("pH", "", "6.5～8.5", lambda c: _value(c, 7.1, 7.9, 1)),
    ("铁", "mg/L", "≤0.3", lambda c: "<0.05"),
    ("锰", "mg/L", "≤0.1", lambda c: "<0.01"),
    ("氯化物", "mg/L", "≤250", lambda c: _value(c, 20, 80, 1)),
    ("硫酸盐", "mg/L", "≤250", lambda c: _value(c, 40, 150, 1)),
    ("溶解性总固体", "mg/L", "≤1000", lambda c: str(c.rng.randint(280, 520))),
    ("总硬度（以CaCO3计）", "mg/L", "≤450", lambda c: str(c.rng.randint(180, 360))),
    ("高锰酸盐指数（以O2计）", "mg/L", "≤3", lambda c: _value(c, 0.5, 1.8, 2)),
    ("氨（以N计）", "mg/L", "≤0.5", lambda c: "<0.02"),
    ("游离氯", "mg/L", "≥0.3且≤2", lambda c: _value(c, 0.35, 0.8, 2)),
]
TAP_ITEMS = ("总大肠菌群", "菌落总数", "色度", "浑浊度", "臭和味", "肉眼可见物", "pH", "高锰酸盐指数（以O2计）", "游离氯")


def _measurements(ctx: Ctx, names: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """One sample's results for the given GB 5749-2022 items (all of them by default)."""
    return [{"item": name, "unit": unit, "limit": limit, "value": make(ctx), "compliant": "是"}
            for name, unit, limit, make in WATER_ITEMS if names is None or name in names]


def water_report(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """water-quality-report: the full GB 5749-2022 results of each plant, source and network sampling site."""
    sites = [("山亭区城区水厂", "出厂水"), ("岩马水库水源地", "水源水"), ("府前路管网点", "管网水"), ("汉诺路管网点", "管网水")]
    rows = []
    for i, (site, water_type) in enumerate(sites, 1):
        sampled = ctx.day()
        for m in _measurements(ctx):
            rows.append(m | {"report_no": f"SZ{ctx.year}{ctx.month:02d}-{i:03d}", "site": site,
                             "water_type": water_type, "sample_date": sampled})
    return rows


def tap_water(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    """tap-water-quality: the routine items at one household tap per township."""
    rows = []
    for i, township in enumerate(ctx.townships, 1):
        address = f"{township}{ctx.rng.choice(VILLAGES[township])}{ctx.rng.randint(1, 60)}号"
        sampled = ctx.day()
        for m in _measurements(ctx, TAP_ITEMS):
            rows.append(m | {"point_no": f"MS{i:03d}", "township": township, "address": address, "sample_date": sampled})
    return rows

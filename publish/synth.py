"""Sample inboxes made with faker (zh_CN): each monthly dataset's file as its unit would send it.

Layout: `<inbox>/<YYYY-MM>/<unit short name>/<dataset title><period and suffix>.xlsx|csv`, e.g.
`inbox/2026-10/区民政局/城乡低保2026年10月发放名册.xlsx`; it matches each entry's `inbox` glob.
Content is seeded by (period, dataset), so a period always gives the same rows and the same bytes.
With `defects=True` realistic mistakes are planted and listed in `<inbox>/<YYYY-MM>/_defects.json`.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import random
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl
from faker import Faker

from publish.catalog import Catalog, Dataset, load_catalog

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Shanting itself, then the other Zaozhuang districts residents move in from.
AREA_CODES = ("370406",) * 12 + ("370402", "370403", "370404", "370405", "370481")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VILLAGES = {
    "山城街道": ["东江社区", "西江社区", "北坊村", "南坊村", "东城社区", "岩马湖社区"],
    "店子镇": ["店子村", "孙庄村", "长埠村", "后白楼村", "王庄村"],
    "西集镇": ["西集村", "东集村", "前黄庄村", "小寨村", "尚岩村"],
    "桑村镇": ["桑村", "新庄村", "杨庄村", "东马庄村", "大炉村"],
    "北庄镇": ["北庄村", "大有村", "洪门村", "北台村", "南庄村"],
    "城头镇": ["城头村", "东城头村", "三岔河村", "邢庄村", "马庄村"],
    "徐庄镇": ["徐庄村", "葫芦套村", "老龙窝村", "马家村", "周村"],
    "水泉镇": ["水泉村", "下水泉村", "官庄村", "尚庄村", "刘岭村"],
    "冯卯镇": ["冯卯村", "欧峪村", "高庄村", "孙庄村", "大王庄村"],
    "凫城镇": ["凫城村", "纸坊村", "东辛庄村", "洪村", "龙山村"],
}
REMARKS = ["", "", "", "", "", "", "新增", "提标补发", "户籍迁入", "复核后调整", "死亡停发次月"]
FOREIGN_TOWNSHIPS = ("齐村镇", "孟庄镇", "羊庄镇", "柴胡店镇", "西岗镇")
DEFECT_KINDS = ("bad_check_digit", "missing_required", "amount_as_text", "duplicate_row", "unknown_township",
                "id_in_remarks")
FIXED_TIME = datetime(2020, 1, 1)
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass(frozen=True)
class Shape:
    """How a unit's file looks: format, encoding, title and 合计 rows, header wording, file-name suffix."""

    ext: str
    suffix: str
    encoding: str = "utf-8-sig"
    titled: bool = False
    aliases: bool = False


SHAPES = {
    "elderly-hardship-subsidy": Shape("xlsx", "发放名册", titled=True),
    "disability-subsidy": Shape("csv", "两项补贴发放表", encoding="gbk", aliases=True),
    "orphan-welfare": Shape("csv", "基本生活费发放表", encoding="gbk"),
    "children-in-distress-subsidy": Shape("csv", "发放明细", encoding="gb18030"),
    "senior-longevity-allowance": Shape("xlsx", "发放花名册", titled=True, aliases=True),
    "temporary-assistance": Shape("xlsx", "审批发放表", titled=True),
    "urban-rural-dibao": Shape("xlsx", "发放名册", titled=True, aliases=True),
    "extreme-poverty-support": Shape("xlsx", "供养金发放表", titled=True),
    "medical-assistance": Shape("csv", "一站式结算明细", encoding="gb18030", aliases=True),
    "medical-maternity-insurance": Shape("csv", "月报"),
    "skills-upgrade-subsidy": Shape("xlsx", "发放名单"),
    "graduate-employment-subsidy": Shape("csv", "发放名单", aliases=True),
    "public-welfare-job-subsidy": Shape("xlsx", "补贴发放表", titled=True),
    "pension-insurance": Shape("csv", "城乡居民养老保险统计"),
    "work-injury-insurance": Shape("csv", "统计表", encoding="gbk"),
    "unemployment-insurance": Shape("csv", "失业保险金发放名单", encoding="gbk", aliases=True),
    "fiscal-brief": Shape("xlsx", "", titled=True),
    "air-quality": Shape("csv", "逐日数据"),
    "key-polluting-units": Shape("csv", "名录", encoding="gbk"),
    "water-quality-report": Shape("xlsx", "出厂水管网水检测结果", titled=True),
    "tap-water-quality": Shape("xlsx", "末梢水抽检结果", aliases=True),
}


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


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def is_valid_id(value: str) -> bool:
    """True for an 18-character resident ID whose check character and birth date are right."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789Xx":
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_digit(value[:17]) == value[17].upper()


def credit_code(rng: random.Random, area: str = "370406") -> str:
    """A unified social credit code (GB 32100) of an enterprise registered in `area`, with both check characters."""
    body = "MA" + "".join(rng.choice(CREDIT_CHARS) for _ in range(6))
    org_sum = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    org_check = {10: "X", 11: "0"}.get(11 - org_sum % 11, str(11 - org_sum % 11))
    first17 = "91" + area + body + org_check
    check = (31 - sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS)) % 31) % 31
    return first17 + CREDIT_CHARS[check]


def in_words(amount: float) -> str:
    """An amount as a clerk might type it in words: 863 -> 八百六十三元, 12000 -> 一万二千元."""
    text = _words(int(amount)) or "零"
    return (text[1:] if text.startswith("一十") else text) + "元"


def _words(n: int) -> str:
    """Chinese numerals of a non-negative integer (empty for 0)."""
    if n >= 10000:
        high, low = divmod(n, 10000)
        return _words(high) + "万" + ("零" if 0 < low < 1000 else "") + _words(low)
    text, zero = "", False
    for pos, ch in zip(range(3, -1, -1), f"{n:04d}"):
        if ch == "0":
            zero = bool(text)
            continue
        text += ("零" if zero else "") + "零一二三四五六七八九"[int(ch)] + ("", "十", "百", "千")[pos]
        zero = False
    return text


class Ctx:
    """Random sources and the period for one dataset's rows."""

    def __init__(self, period: str, dataset: Dataset) -> None:
        seed = int.from_bytes(hashlib.sha256(f"{period}/{dataset.name}".encode()).digest()[:8], "big")
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.period = period
        self.year, self.month = int(period[:4]), int(period[5:])
        self.days = calendar.monthrange(self.year, self.month)[1]
        self.townships = list(VILLAGES)
        self.used_ids: set[str] = set()

    def day(self) -> date:
        """A random day of the period."""
        return date(self.year, self.month, self.rng.randint(1, self.days))

    def id_number(self, age: int, male: bool) -> str:
        """A fresh valid resident ID for someone `age` years old in this period."""
        while True:
            month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
            birth = date(self.year - age - ((month, day) > (self.month, 1)), month, day)
            seq = self.rng.randrange(0, 999, 2) + (1 if male else 0)
            first17 = f"{self.rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def person(self, ages: tuple[int, int]) -> dict[str, Any]:
        """A resident of a Shanting village with name, gender, age and ID number."""
        male = self.rng.random() < 0.5
        age = self.rng.randint(*ages)
        township = self.rng.choice(self.townships)
        return {"township": township, "village": self.rng.choice(VILLAGES[township]),
                "name": self.fake.name_male() if male else self.fake.name_female(), "gender": "男" if male else "女",
                "age": age, "id_number": self.id_number(age, male), "period": self.period,
                "remarks": self.rng.choice(REMARKS)}

    def mobile(self) -> str:
        """A plausible mainland mobile number."""
        return self.fake.phone_number()

    def company(self) -> str:
        """A plausible local enterprise name."""
        return "枣庄" + self.fake.company().replace("有限公司", "") + "有限公司"


RowMaker = Callable[[Ctx, int], list[dict[str, Any]]]


def _people(ages: tuple[int, int], extra: Callable[[Ctx, dict[str, Any]], dict[str, Any]]) -> RowMaker:
    """A row maker for a person-level list: a resident per row plus dataset-specific columns."""
    def make(ctx: Ctx, n: int) -> list[dict[str, Any]]:
        rows = []
        for _ in range(n):
            p = ctx.person(ages)
            rows.append(p | extra(ctx, p))
        return rows
    return make


def _elderly(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    category = ctx.rng.choice(["经济困难失能老年人", "经济困难半失能老年人", "经济困难高龄老年人"])
    return {"category": category, "amount": {"经济困难失能老年人": 200}.get(category, 100)}


def _disability(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    kind = ctx.rng.randrange(7)
    level = ctx.rng.randrange(4)
    subsidy = "重度残疾人护理补贴" if level < 2 else "困难残疾人生活补贴"
    return {"disability_cert": f"{p['id_number']}{kind + 1}{level + 1}",
            "disability_type": ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"][kind],
            "disability_level": ["一级", "二级", "三级", "四级"][level], "subsidy_type": subsidy,
            "amount": 120 if level else 150}


def _orphan(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    scattered = ctx.rng.random() < 0.8
    return {"care_mode": "社会散居" if scattered else "机构养育", "amount": 1660 if scattered else 2210,
            "guardian_name": ctx.fake.name() if scattered else "", "guardian_phone": ctx.mobile() if scattered else ""}


def _distress(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    kind = ctx.rng.choice(["事实无人抚养儿童", "重残儿童", "重病儿童", "低保家庭儿童", "其他困境儿童"])
    return {"distress_type": kind, "guardian_name": ctx.fake.name(),
            "amount": 1660 if kind == "事实无人抚养儿童" else ctx.rng.choice([500, 600, 800])}


def _longevity(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    card = "623" + "".join(str(ctx.rng.randrange(10)) for _ in range(16))
    return {"bank_card": card, "amount": 300 if p["age"] >= 100 else 120 if p["age"] >= 90 else 60}


def _temporary(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    return {"household_size": ctx.rng.randint(1, 6), "reason": ctx.rng.choice(["因病", "因灾", "因学", "意外事故", "生活必需支出突增", "其他"]),
            "amount": ctx.rng.randrange(500, 5001, 100), "approval_date": ctx.day()}


def _dibao(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    members = ctx.rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0]
    urban = p["township"] == "山城街道" and ctx.rng.random() < 0.7
    standard = 900 if urban else 730
    return {"head_name": p["name"], "members": members, "category": "城市低保" if urban else "农村低保",
            "amount": round(members * standard * ctx.rng.uniform(0.45, 1.0))}


def _extreme(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    care = ctx.rng.choices(["全自理", "半护理", "全护理"], [70, 20, 10])[0]
    return {"support_mode": ctx.rng.choice(["分散供养", "分散供养", "集中供养"]), "self_care": care,
            "basic_living": 1170, "care_fee": {"全自理": 180, "半护理": 540}.get(care, 1090)}


def _medical(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    total = round(ctx.rng.uniform(1500, 60000), 2)
    insurance = round(total * ctx.rng.uniform(0.5, 0.7), 2)
    critical = round(max(0.0, total - insurance - 15000) * 0.6, 2)
    return {"target_type": ctx.rng.choice(["特困人员", "低保对象", "低保边缘家庭成员", "防止返贫监测对象", "因病致贫重病患者"]),
            "settlement_no": f"JS{ctx.year}{ctx.month:02d}{ctx.rng.randrange(10**9):09d}",
            "hospital": ctx.rng.choice(["山亭区人民医院", "山亭区中医院", "枣庄市立医院", "枣庄矿业集团中心医院", "山亭区妇幼保健院"]),
            "settle_date": ctx.day(), "total_cost": total, "insurance_paid": insurance, "critical_paid": critical,
            "assistance": round((total - insurance - critical) * 0.7, 2)}


def _skills(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    level = ctx.rng.choices(range(5), [40, 35, 18, 5, 2])[0]
    return {"employer": ctx.company(), "occupation": ctx.rng.choice(["电工", "焊工", "车工", "育婴员", "保育师", "中式烹调师", "农机修理工"]),
            "cert_level": ["初级工（五级）", "中级工（四级）", "高级工（三级）", "技师（二级）", "高级技师（一级）"][level],
            "cert_no": f"S{ctx.rng.randrange(10**15):015d}", "amount": (1000, 1500, 2000, 2000, 2000)[level]}


def _graduate(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    kind, amount = ctx.rng.choice([("一次性创业补贴", 12000), ("创业岗位开发补贴", 2000), ("就业见习补贴", 1900),
                                   ("求职创业补贴", 1000), ("小微企业吸纳就业社保补贴", 780)])
    return {"school": ctx.rng.choice(["枣庄学院", "枣庄职业学院", "山东科技职业学院", "曲阜师范大学", "临沂大学", "山东理工大学"]),
            "graduation": f"{ctx.year - ctx.rng.randint(0, 2)}-{ctx.rng.choice(['06', '07'])}", "subsidy_type": kind,
            "amount": amount, "phone": ctx.mobile()}


def _welfare_job(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    return {"employer": f"{p['township'].removesuffix('街道').removesuffix('镇')}{'街道办事处' if p['township'].endswith('街道') else '镇人民政府'}",
            "post": ctx.rng.choice(["保洁员", "护林员", "治安巡逻员", "农村公路养护员", "养老服务员"]),
            "person_type": ctx.rng.choice(["就业困难人员", "脱贫劳动力", "零就业家庭成员", "城乡低保对象", "残疾人"]),
            "post_subsidy": 1900, "insurance_subsidy": 698.4}


def _unemployment(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    years = ctx.rng.randint(1, 20)
    months = 12 if years < 5 else 18 if years < 10 else 24
    start = ctx.rng.randint(0, months - 1)
    y, m = divmod(ctx.year * 12 + ctx.month - 1 - start, 12)
    return {"former_employer": ctx.company(), "contribution_years": years, "benefit_months": months,
            "start_month": f"{y}-{m + 1:02d}", "amount": 1620}


def _insurance_stats(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    sizes = {"职工基本医疗保险": 38000, "城乡居民基本医疗保险": 402000, "生育保险": 31000}
    rows = []
    for kind, size in sizes.items():
        insured = round(size * ctx.rng.uniform(0.98, 1.02))
        rows.append({"period": ctx.period, "insurance_type": kind, "insured": insured,
                     "beneficiaries": round(insured * ctx.rng.uniform(0.02, 0.2)),
                     "fund_income": round(insured * ctx.rng.uniform(0.004, 0.01), 2),
                     "fund_expense": round(insured * ctx.rng.uniform(0.004, 0.01), 2)})
    return rows


def _pension(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    rows = []
    for township in ctx.townships:
        insured = ctx.rng.randint(12000, 32000)
        pensioners = round(insured * ctx.rng.uniform(0.35, 0.45))
        rows.append({"township": township, "period": ctx.period, "insured": insured, "pensioners": pensioners,
                     "paid": round(pensioners * ctx.rng.uniform(190, 240), 2)})
    return rows


def _work_injury(ctx: Ctx, n: int) -> list[dict[str, Any]]:
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


FISCAL = {
    "一般公共预算收入": [("税收收入", 9000), ("增值税", 3500), ("企业所得税", 1100), ("个人所得税", 300), ("城市维护建设税", 450),
                 ("房产税", 320), ("城镇土地使用税", 280), ("非税收入", 2600), ("专项收入", 700), ("行政事业性收费收入", 420)],
    "一般公共预算支出": [("一般公共服务支出", 2600), ("教育支出", 6800), ("社会保障和就业支出", 5200), ("卫生健康支出", 2900),
                 ("节能环保支出", 600), ("城乡社区支出", 1900), ("农林水支出", 3300)],
    "政府性基金预算收入": [("国有土地使用权出让收入", 6000), ("城市基础设施配套费收入", 400)],
    "政府性基金预算支出": [("城乡社区支出", 5200), ("其他政府性基金支出", 300)],
}


def _fiscal(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    rows = []
    for category, subjects in FISCAL.items():
        for subject, monthly in subjects:
            month_amount = round(monthly * ctx.rng.uniform(0.6, 1.4), 1)
            rows.append({"period": ctx.period, "category": category, "subject": subject, "month_amount": month_amount,
                         "ytd_amount": round(month_amount * ctx.month * ctx.rng.uniform(0.9, 1.1), 1),
                         "yoy_pct": round(ctx.rng.uniform(-25, 30), 1)})
    return rows


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


def _air(ctx: Ctx, n: int) -> list[dict[str, Any]]:
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


def _polluters(ctx: Ctx, n: int) -> list[dict[str, Any]]:
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


def _water_report(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    sites = [("山亭区城区水厂", "出厂水"), ("岩马水库水源地", "水源水"), ("府前路管网点", "管网水"), ("汉诺路管网点", "管网水")]
    rows = []
    for i, (site, water_type) in enumerate(sites, 1):
        sampled = ctx.day()
        for m in _measurements(ctx):
            rows.append(m | {"report_no": f"SZ{ctx.year}{ctx.month:02d}-{i:03d}", "site": site,
                             "water_type": water_type, "sample_date": sampled})
    return rows


def _tap_water(ctx: Ctx, n: int) -> list[dict[str, Any]]:
    rows = []
    for i, township in enumerate(ctx.townships, 1):
        address = f"{township}{ctx.rng.choice(VILLAGES[township])}{ctx.rng.randint(1, 60)}号"
        sampled = ctx.day()
        for m in _measurements(ctx, TAP_ITEMS):
            rows.append(m | {"point_no": f"MS{i:03d}", "township": township, "address": address, "sample_date": sampled})
    return rows


ROWS: dict[str, tuple[RowMaker, int]] = {
    "elderly-hardship-subsidy": (_people((60, 99), _elderly), 40),
    "disability-subsidy": (_people((8, 90), _disability), 40),
    "orphan-welfare": (_people((1, 17), _orphan), 12),
    "children-in-distress-subsidy": (_people((1, 17), _distress), 20),
    "senior-longevity-allowance": (_people((80, 103), _longevity), 50),
    "temporary-assistance": (_people((20, 85), _temporary), 25),
    "urban-rural-dibao": (_people((25, 88), _dibao), 60),
    "extreme-poverty-support": (_people((18, 95), _extreme), 30),
    "medical-assistance": (_people((1, 90), _medical), 30),
    "medical-maternity-insurance": (_insurance_stats, 0),
    "skills-upgrade-subsidy": (_people((20, 55), _skills), 30),
    "graduate-employment-subsidy": (_people((21, 29), _graduate), 20),
    "public-welfare-job-subsidy": (_people((30, 59), _welfare_job), 30),
    "pension-insurance": (_pension, 0),
    "work-injury-insurance": (_work_injury, 0),
    "unemployment-insurance": (_people((22, 59), _unemployment), 25),
    "fiscal-brief": (_fiscal, 0),
    "air-quality": (_air, 0),
    "key-polluting-units": (_polluters, 15),
    "water-quality-report": (_water_report, 0),
    "tap-water-quality": (_tap_water, 0),
}


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
    planner = _Planner()
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
        headers = _headers(dataset, shape)
        if shape.ext == "xlsx":
            path.write_bytes(_xlsx(dataset, f"山亭区{dataset.title}{label}" if shape.titled else None, headers, table))
        else:
            path.write_bytes(_csv(headers, table).encode(shape.encoding))
        manifest.files[dataset.name] = path
        first = 3 if shape.titled else 2
        rel = path.relative_to(manifest.folder).as_posix()
        manifest.defects += [Defect(dataset.name, rel, first + i, f, headers[names.index(f)] if f else None, kind)
                             for i, f, kind in planted]
    stale = manifest.folder / "_defects.json"
    if defects:
        stale.write_text(manifest.to_json(), encoding="utf-8")
    elif stale.exists():
        stale.unlink()
    return manifest


def _headers(dataset: Dataset, shape: Shape) -> list[str]:
    """The header row as the unit writes it: titles, or each field's first alias."""
    return [(f.get("aliases") or [f["title"]])[0] if shape.aliases else f["title"] for f in dataset.schema["fields"]]


def _cell_text(value: Any) -> str:
    """A value as it appears in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return value.isoformat() if isinstance(value, date) else str(value)


def _csv(headers: list[str], table: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_cell_text(v) for v in row.values()] for row in table)
    return buffer.getvalue()


def _xlsx(dataset: Dataset, title: str | None, headers: list[str], table: list[dict[str, Any]]) -> bytes:
    """A workbook as units make them: optional merged title row, header, data (text columns as text), 合计 row."""
    fields = dataset.schema["fields"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in table:
        sheet.append([None if v == "" else v for v in row.values()])
        for cell, fld in zip(sheet[sheet.max_row], fields):
            if fld["type"] == "string":
                cell.number_format = "@"
            elif fld["type"] == "date":
                cell.number_format = "yyyy-mm-dd"
    if title:
        sums = [round(sum(r[f["name"]] for r in table if isinstance(r[f["name"]], (int, float))), 2)
                if f["type"] == "number" else None for f in fields]
        sheet.append(["合计", *sums[1:]])
    book.properties.creator = book.properties.lastModifiedBy = dataset.unit.title
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _frozen_zip(buffer.getvalue())


def _frozen_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip timestamps and save time, so equal content gives equal bytes.

    openpyxl stamps `dcterms:modified` with the clock when it saves, whatever the properties say.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = MODIFIED.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", member)
            dst.writestr(fixed, member)
    return out.getvalue()


class _Planner:
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

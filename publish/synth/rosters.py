"""Row makers of the person-level lists (发放名册): one resident per row plus each dataset's own columns."""

from __future__ import annotations

from typing import Any, Callable

from publish.synth.values import Ctx, RowMaker

# The dataset-specific columns of one resident's row.
Extra = Callable[[Ctx, dict[str, Any]], dict[str, Any]]


def people(ages: tuple[int, int], extra: Extra) -> RowMaker:
    """A row maker for a person-level list: a resident per row plus dataset-specific columns."""
    def make(ctx: Ctx, n: int) -> list[dict[str, Any]]:
        rows = []
        for _ in range(n):
            p = ctx.person(ages)
            rows.append(p | extra(ctx, p))
        return rows
    return make


def elderly(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """elderly-hardship-subsidy: category and amount."""
    category = ctx.rng.choice(["经济困难失能老年人", "经济困难半失能老年人", "经济困难高龄老年人"])
    return {"category": category, "amount": {"经济困难失能老年人": 200}.get(category, 100)}


def disability(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """disability-subsidy: certificate number, type, level and subsidy."""
    kind = ctx.rng.randrange(7)
    level = ctx.rng.randrange(4)
    subsidy = "重度残疾人护理补贴" if level < 2 else "困难残疾人生活补贴"
    return {"disability_cert": f"{p['id_number']}{kind + 1}{level + 1}",
            "disability_type": ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"][kind],
            "disability_level": ["一级", "二级", "三级", "四级"][level], "subsidy_type": subsidy,
            "amount": 120 if level else 150}


def orphan(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """orphan-welfare: care mode, amount, and the guardian of a child living in the community."""
    scattered = ctx.rng.random() < 0.8
    return {"care_mode": "社会散居" if scattered else "机构养育", "amount": 1660 if scattered else 2210,
            "guardian_name": ctx.fake.name() if scattered else "", "guardian_phone": ctx.mobile() if scattered else ""}


def distress(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """children-in-distress-subsidy: kind of distress, guardian and amount."""
    kind = ctx.rng.choice(["事实无人抚养儿童", "重残儿童", "重病儿童", "低保家庭儿童", "其他困境儿童"])
    return {"distress_type": kind, "guardian_name": ctx.fake.name(),
            "amount": 1660 if kind == "事实无人抚养儿童" else ctx.rng.choice([500, 600, 800])}


def longevity(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """senior-longevity-allowance: bank card and the amount for the age band."""
    card = "623" + "".join(str(ctx.rng.randrange(10)) for _ in range(16))
    return {"bank_card": card, "amount": 300 if p["age"] >= 100 else 120 if p["age"] >= 90 else 60}


def temporary(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """temporary-assistance: household size, reason, amount and approval day."""
    return {"household_size": ctx.rng.randint(1, 6), "reason": ctx.rng.choice(["因病", "因灾", "因学", "意外事故", "生活必需支出突增", "其他"]),
            "amount": ctx.rng.randrange(500, 5001, 100), "approval_date": ctx.day()}


def dibao(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """urban-rural-dibao: household head, members, urban or rural, and amount."""
    members = ctx.rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0]
    urban = p["township"] == "山城街道" and ctx.rng.random() < 0.7
    standard = 900 if urban else 730
    return {"head_name": p["name"], "members": members, "category": "城市低保" if urban else "农村低保",
            "amount": round(members * standard * ctx.rng.uniform(0.45, 1.0))}


def extreme(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """extreme-poverty-support: support mode, self-care ability, living and care payments."""
    care = ctx.rng.choices(["全自理", "半护理", "全护理"], [70, 20, 10])[0]
    return {"support_mode": ctx.rng.choice(["分散供养", "分散供养", "集中供养"]), "self_care": care,
            "basic_living": 1170, "care_fee": {"全自理": 180, "半护理": 540}.get(care, 1090)}


def medical(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """medical-assistance: one hospital settlement and how insurance, critical illness cover and assistance split it."""
    total = round(ctx.rng.uniform(1500, 60000), 2)
    insurance = round(total * ctx.rng.uniform(0.5, 0.7), 2)
    critical = round(max(0.0, total - insurance - 15000) * 0.6, 2)
    return {"target_type": ctx.rng.choice(["特困人员", "低保对象", "低保边缘家庭成员", "防止返贫监测对象", "因病致贫重病患者"]),
            "settlement_no": f"JS{ctx.year}{ctx.month:02d}{ctx.rng.randrange(10**9):09d}",
            "hospital": ctx.rng.choice(["山亭区人民医院", "山亭区中医院", "枣庄市立医院", "枣庄矿业集团中心医院", "山亭区妇幼保健院"]),
            "settle_date": ctx.day(), "total_cost": total, "insurance_paid": insurance, "critical_paid": critical,
            "assistance": round((total - insurance - critical) * 0.7, 2)}


def skills(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """skills-upgrade-subsidy: employer, occupation, certificate level and number, amount."""
    level = ctx.rng.choices(range(5), [40, 35, 18, 5, 2])[0]
    return {"employer": ctx.company(), "occupation": ctx.rng.choice(["电工", "焊工", "车工", "育婴员", "保育师", "中式烹调师", "农机修理工"]),
            "cert_level": ["初级工（五级）", "中级工（四级）", "高级工（三级）", "技师（二级）", "高级技师（一级）"][level],
            "cert_no": f"S{ctx.rng.randrange(10**15):015d}", "amount": (1000, 1500, 2000, 2000, 2000)[level]}


def graduate(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """graduate-employment-subsidy: school, graduation month, subsidy, amount and phone."""
    kind, amount = ctx.rng.choice([("一次性创业补贴", 12000), ("创业岗位开发补贴", 2000), ("就业见习补贴", 1900),
                                   ("求职创业补贴", 1000), ("小微企业吸纳就业社保补贴", 780)])
    return {"school": ctx.rng.choice(["枣庄学院", "枣庄职业学院", "山东科技职业学院", "曲阜师范大学", "临沂大学", "山东理工大学"]),
            "graduation": f"{ctx.year - ctx.rng.randint(0, 2)}-{ctx.rng.choice(['06', '07'])}", "subsidy_type": kind,
            "amount": amount, "phone": ctx.mobile()}


def welfare_job(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """public-welfare-job-subsidy: the township government as employer, post, kind of person, subsidies."""
    return {"employer": f"{p['township'].removesuffix('街道').removesuffix('镇')}{'街道办事处' if p['township'].endswith('街道') else '镇人民政府'}",
            "post": ctx.rng.choice(["保洁员", "护林员", "治安巡逻员", "农村公路养护员", "养老服务员"]),
            "person_type": ctx.rng.choice(["就业困难人员", "脱贫劳动力", "零就业家庭成员", "城乡低保对象", "残疾人"]),
            "post_subsidy": 1900, "insurance_subsidy": 698.4}


def unemployment(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """unemployment-insurance: former employer, contribution years, benefit months and first month, amount."""
    years = ctx.rng.randint(1, 20)
    months = 12 if years < 5 else 18 if years < 10 else 24
    start = ctx.rng.randint(0, months - 1)
    y, m = divmod(ctx.year * 12 + ctx.month - 1 - start, 12)
    return {"former_employer": ctx.company(), "contribution_years": years, "benefit_months": months,
            "start_month": f"{y}-{m + 1:02d}", "amount": 1620}

"""The per-dataset value source: seeded randomness and faker, and the residents, phones, firms and days it makes."""

from __future__ import annotations

import calendar
import hashlib
import random
from datetime import date
from typing import Any, Callable

from faker import Faker

from publish.catalog import Dataset
from publish.synth.ids import id_check_digit

# Shanting itself, then the other Zaozhuang districts residents move in from.
AREA_CODES = ("370406",) * 12 + ("370402", "370403", "370404", "370405", "370481")
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


# A dataset's rows from its context and the requested length of person-level lists.
RowMaker = Callable[[Ctx, int], list[dict[str, Any]]]

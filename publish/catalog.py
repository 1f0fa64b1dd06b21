"""The catalog: `datasets/*.yaml` and `schemas/*.json`, checked and loaded as `Dataset` objects.

One YAML file per timed-disclosure indicator says what to publish, who owns it, when, and how to desensitize
it; `datasets/_units.yaml` maps the plan's unit names (区民政局 …) to CKAN organizations. `load_catalog`
checks everything first and raises one `CatalogError` listing every mistake, so a bad catalog never half-loads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless
import yaml

from publish.errors import CatalogError

RULE_KINDS = ("immediate", "weekly", "monthly", "annual", "after_event")
# EU "frequency" authority codes, one per publication rule kind.
FREQUENCY_OF_KIND = {
    "immediate": "UPDATE_CONT",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "annual": "ANNUAL",
    "after_event": "IRREG",
}
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
# EU "data-theme" authority codes (DCAT-AP themes).
THEMES = ("AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO", "REGI", "SOCI", "TECH", "TRAN")
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
OPEN_ACCESS = ("无条件开放", "有条件开放")
LICENSES = ("cc-by", "cc-by-sa", "cc-zero", "odc-by", "odc-odbl", "odc-pddl", "other-open", "other-pd")
PRIVACY_RULES = ("mask", "pseudonymize", "generalize", "drop", "null", "keep", "redact")
PII_CATEGORIES = ("person_name", "id_card", "mobile", "phone", "address", "bank_card", "email", "plate", "free_text")

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRED_KEYS = ("name", "number", "title", "description", "unit", "rule", "frequency", "open_access", "theme",
                 "publisher", "tags", "license_id")
TABULAR_KEYS = ("schema", "privacy", "allow_public", "inbox")


@dataclass(frozen=True)
class Unit:
    """A responsible unit: a CKAN organization (`slug`, `title`) and its short `name` in the plan and inbox."""

    slug: str
    title: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PublicationRule:
    """When an indicator must be published: the plan's 公开时限 as data.

    `annual` is due by the end of `month`; `after_event` within `working_days` after `event`.
    """

    kind: str
    month: int | None = None
    working_days: int | None = None
    event: str | None = None

    @property
    def label(self) -> str:
        """The rule in the plan's own words, e.g. 年度公开（3月底前完成）."""
        if self.kind == "annual":
            return f"年度公开（{self.month}月底前完成）"
        if self.kind == "after_event":
            return f"{self.event}后{self.working_days}个工作日内公开"
        return {"immediate": "即时公开", "weekly": "每周公开", "monthly": "每月公开"}[self.kind]


@dataclass(frozen=True)
class Dataset:
    """One catalog entry: a CKAN dataset, and for tabular ones the source schema and privacy policy."""

    name: str
    number: int
    title: str
    description: str
    unit: Unit
    rule: PublicationRule
    open_access: str
    theme: str
    frequency: str
    publisher: str
    tags: tuple[str, ...]
    license_id: str
    schema_path: Path | None = None
    schema: dict[str, Any] | None = None
    privacy: dict[str, dict[str, Any]] = field(default_factory=dict)
    allow_public: tuple[str, ...] = ()
    inbox_pattern: str | None = None

    @property
    def theme_uri(self) -> str:
        return THEME_BASE + self.theme

    @property
    def frequency_uri(self) -> str:
        return FREQUENCY_BASE + self.frequency

    @property
    def restricted(self) -> bool:
        """有条件开放: published on the portal as a private dataset, reached by application, not downloaded freely."""
        return self.open_access == "有条件开放"

    @property
    def pii_fields(self) -> dict[str, str]:
        """Personal fields of the source schema: field name -> pii category."""
        fields = self.schema["fields"] if self.schema else []
        return {f["name"]: f["pii"] for f in fields if "pii" in f}


@dataclass(frozen=True)
class Catalog:
    """All datasets (ordered by indicator number) and the units that own them."""

    datasets: list[Dataset]
    units: list[Unit]

    def get(self, name: str) -> Dataset:
        """The dataset called `name`; a `CatalogError` if there is none."""
        for dataset in self.datasets:
            if dataset.name == name:
                return dataset
        raise CatalogError(f"目录中没有名为 {name} 的数据集。")

    def monthly(self) -> list[Dataset]:
        """The monthly datasets that carry a table: what a unit's monthly inbox should hold."""
        return [d for d in self.datasets if d.rule.kind == "monthly" and d.schema is not None]


class _Problems:
    """Collects every mistake as `file: key: message` lines."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: list[str] = []

    def add(self, path: Path, key: str, message: str) -> None:
        where = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        self.lines.append(f"{where.as_posix()}: {key}: {message}" if key else f"{where.as_posix()}: {message}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key written twice in one mapping (the second would silently win)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"键 {key} 重复", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_catalog(root: Path = Path(".")) -> Catalog:
    """Read and check the whole catalog under `root`; raise `CatalogError` listing every mistake."""
    root = Path(root)
    problems = _Problems(root)
    units = _load_units(root / "datasets" / "_units.yaml", problems)
    paths = sorted(p for p in (root / "datasets").glob("*.yaml") if not p.name.startswith("_"))
    if not paths:
        problems.add(root / "datasets", "", "没有找到任何数据集文件（*.yaml）。")
    datasets = [d for d in (_load_entry(p, root, units, problems) for p in paths) if d is not None]
    _check_unique(datasets, paths, problems)
    if problems.lines:
        raise CatalogError(f"数据目录有 {len(problems.lines)} 处错误，未加载任何数据集：", problems.lines)
    return Catalog(sorted(datasets, key=lambda d: d.number), sorted(units.values(), key=lambda u: u.slug))


def check_schema(descriptor: Any) -> list[tuple[str, str]]:
    """Mistakes in a source Table Schema as (key, Chinese message): frictionless's checks plus our conventions."""
    if not isinstance(descriptor, dict):
        return [("", "表结构应为 JSON 对象。")]
    report = frictionless.Schema.validate_descriptor(descriptor)
    found = [("", f"不是有效的 Table Schema：{e.message}") for e in report.errors]
    headers: dict[str, str] = {}
    for i, fld in enumerate(descriptor.get("fields") or []):
        if not isinstance(fld, dict):
            continue
        key = f"fields[{i}]"
        name = fld.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            found.append((f"{key}.name", f"字段名 {name!r} 应为小写 ASCII 蛇形命名（如 id_number）。"))
        if not isinstance(fld.get("title"), str) or not fld["title"].strip():
            found.append((f"{key}.title", "缺少中文列名 title。"))
        pattern = (fld.get("constraints") or {}).get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                found.append((f"{key}.constraints.pattern", f"正则表达式无效：{exc}"))
        if "pii" in fld and fld["pii"] not in PII_CATEGORIES:
            found.append((f"{key}.pii", f"个人信息类别 {fld['pii']!r} 未知，可选：{'、'.join(PII_CATEGORIES)}。"))
        aliases = fld.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            found.append((f"{key}.aliases", "别名 aliases 应为非空字符串列表。"))
            aliases = []
        for header in [fld.get("title"), *aliases]:
            if isinstance(header, str) and header:
                if header in headers and headers[header] != name:
                    found.append((key, f"表头 {header} 同时属于字段 {headers[header]} 和 {name}。"))
                headers[header] = name
    return found


def _load_yaml(path: Path, problems: _Problems) -> Any:
    """Parse one YAML file; a syntax error becomes a problem and None."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, "", f"无法读取文件：{exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark else "位置未知"
        problems.add(path, "", f"YAML 语法错误（{line}）：{getattr(exc, 'problem', None) or exc}")
    return None


def _load_units(path: Path, problems: _Problems) -> dict[str, Unit]:
    """The units file: short name -> Unit."""
    if not path.exists():
        problems.add(path, "", "缺少责任单位文件。")
        return {}
    doc = _load_yaml(path, problems)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.add(path, "", "应为“单位简称: {slug, title}”的映射。")
        return {}
    units: dict[str, Unit] = {}
    for short, entry in doc.items():
        slug = entry.get("slug") if isinstance(entry, dict) else None
        title = entry.get("title") if isinstance(entry, dict) else None
        if not isinstance(slug, str) or not SLUG.match(slug):
            problems.add(path, f"{short}.slug", "应为 ASCII 短名（小写字母、数字和连字符）。")
        elif not isinstance(title, str) or not title.strip():
            problems.add(path, f"{short}.title", "缺少中文名称。")
        else:
            units[str(short)] = Unit(slug, title, str(short), str(entry.get("description", "")))
    slugs = [u.slug for u in units.values()]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.add(path, "slug", f"短名 {slug} 被多个单位使用。")
    return units


class _Entry:
    """Typed access to one YAML entry; every wrong or missing value is recorded as a problem."""

    def __init__(self, path: Path, doc: dict[str, Any], problems: _Problems) -> None:
        self.path, self.doc, self.problems = path, doc, problems

    def bad(self, key: str, message: str) -> None:
        self.problems.add(self.path, key, message)

    def text(self, key: str) -> str:
        value = self.doc.get(key)
        if not isinstance(value, str) or not value.strip():
            self.bad(key, "应为非空文本。")
            return ""
        return value.strip()

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.doc.get(key)
        if value not in allowed:
            self.bad(key, f"取值 {value!r} 无效，可选：{'、'.join(allowed)}。")
        return str(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(key, "应为非空文本的列表。")
            return ()
        return tuple(value)


def _load_entry(path: Path, root: Path, units: dict[str, Unit], problems: _Problems) -> Dataset | None:
    """Check one `datasets/<name>.yaml` and build its Dataset (None if anything is wrong)."""
    before = len(problems.lines)
    doc = _load_yaml(path, problems)
    if doc is None and len(problems.lines) > before:
        return None
    if not isinstance(doc, dict):
        problems.add(path, "", "文件内容应为键值映射。")
        return None
    entry = _Entry(path, doc, problems)
    for key in REQUIRED_KEYS:
        if key not in doc:
            entry.bad(key, "缺少必填项。")
    for key in sorted(set(doc) - set(REQUIRED_KEYS) - set(TABULAR_KEYS), key=str):
        entry.bad(str(key), "未知的键（拼写错误？）。")
    name = entry.text("name")
    if name and not SLUG.match(name):
        entry.bad("name", f"{name} 不是 ASCII 短名（小写字母、数字和连字符，2–100 个字符）。")
    elif name and name != path.stem:
        entry.bad("name", f"应与文件名一致（{path.stem}）。")
    number = doc.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        entry.bad("number", "指标序号应为正整数。")
    unit = units.get(str(doc.get("unit")))
    if unit is None:
        entry.bad("unit", f"责任单位 {doc.get('unit')!r} 不在 datasets/_units.yaml 中。")
    rule = _rule(entry)
    frequency = str(doc.get("frequency"))
    if rule and frequency != FREQUENCY_OF_KIND[rule.kind]:
        entry.bad("frequency", f"公开时限为“{rule.label}”，频率应为 {FREQUENCY_OF_KIND[rule.kind]}。")
    fields = dict(
        name=name, number=number, title=entry.text("title"), description=entry.text("description"), unit=unit,
        rule=rule, frequency=frequency, open_access=entry.choice("open_access", OPEN_ACCESS),
        theme=entry.choice("theme", THEMES), publisher=entry.text("publisher"), tags=entry.strings("tags"),
        license_id=entry.choice("license_id", LICENSES), **_tabular(entry, root, name),
    )
    return Dataset(**fields) if len(problems.lines) == before else None


def _rule(entry: _Entry) -> PublicationRule | None:
    """The `rule` mapping as a PublicationRule."""
    rule = entry.doc.get("rule")
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        entry.bad("rule.kind", f"公开时限类型应为 {'、'.join(RULE_KINDS)} 之一。")
        return None
    kind = rule["kind"]
    wanted = {"annual": {"month"}, "after_event": {"event", "working_days"}}.get(kind, set())
    ok = True
    for extra in sorted(set(rule) - wanted - {"kind"}, key=str):
        entry.bad(f"rule.{extra}", f"{kind} 类型的公开时限不需要此项。")
        ok = False
    if kind == "annual" and not (isinstance(rule.get("month"), int) and 1 <= rule["month"] <= 12):
        entry.bad("rule.month", "年度公开应写明完成月份（1–12 的整数）。")
        ok = False
    if kind == "after_event":
        if not (isinstance(rule.get("working_days"), int) and rule["working_days"] > 0):
            entry.bad("rule.working_days", "应为正整数个工作日。")
            ok = False
        if not isinstance(rule.get("event"), str) or not rule["event"].strip():
            entry.bad("rule.event", "应写明触发公开的事件（如 政策文件出台）。")
            ok = False
    return PublicationRule(kind, rule.get("month"), rule.get("working_days"), rule.get("event")) if ok else None


def _tabular(entry: _Entry, root: Path, name: str) -> dict[str, Any]:
    """Schema, privacy policy, public identifiers and inbox pattern of a tabular entry (empty if not tabular)."""
    doc = entry.doc
    if "schema" not in doc:
        for key in ("privacy", "allow_public", "inbox"):
            if key in doc:
                entry.bad(key, "只有带表结构（schema）的数据集才需要此项。")
        return {}
    rel = doc["schema"]
    if rel != f"schemas/{name}.json":
        entry.bad("schema", f"表结构文件应为 schemas/{name}.json。")
        return {}
    path = root / rel
    descriptor = _load_schema(path, entry.problems)
    if descriptor is None:
        entry.bad("schema", f"表结构 {rel} 无法使用（见上）。")
        return {}
    privacy = doc.get("privacy")
    if not isinstance(privacy, dict):
        entry.bad("privacy", "应为“字段名: {rule: …}”的映射。")
        privacy = {}
    allow_public = entry.strings("allow_public")
    _check_privacy(entry, descriptor, privacy, allow_public)
    inbox = entry.text("inbox")
    if inbox and (inbox.startswith("/") or ".." in Path(inbox).parts):
        entry.bad("inbox", "应为相对于期别文件夹的通配符，如 区民政局/城乡低保*.*。")
    return dict(schema_path=path, schema=descriptor, privacy=privacy, allow_public=allow_public, inbox_pattern=inbox)


def _load_schema(path: Path, problems: _Problems) -> dict[str, Any] | None:
    """Read and check one schema file; None if it is unusable."""
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, "", f"无法读取表结构：{exc}")
        return None
    except json.JSONDecodeError as exc:
        problems.add(path, "", f"JSON 语法错误（第 {exc.lineno} 行）：{exc.msg}")
        return None
    found = check_schema(descriptor)
    for key, message in found:
        problems.add(path, key, message)
    return None if found else descriptor


def _check_privacy(entry: _Entry, descriptor: dict[str, Any], privacy: dict[str, Any], allow_public: tuple[str, ...]) -> None:
    """Every pii field has a rule, every rule names a real field, and `keep` on a pii field is allowed explicitly."""
    fields = {f["name"]: f for f in descriptor["fields"]}
    for name in allow_public:
        if name not in fields:
            entry.bad("allow_public", f"字段 {name} 不在表结构中。")
    for name, policy in privacy.items():
        key = f"privacy.{name}"
        if name not in fields:
            entry.bad(key, "表结构中没有此字段。")
        elif not isinstance(policy, dict) or policy.get("rule") not in PRIVACY_RULES:
            entry.bad(f"{key}.rule", f"脱敏规则应为 {'、'.join(PRIVACY_RULES)} 之一。")
        elif policy["rule"] == "keep" and "pii" in fields[name] and name not in allow_public:
            entry.bad(key, "个人信息字段保留原值（keep）时，须同时列入 allow_public。")
    for name, fld in fields.items():
        if "pii" in fld and name not in privacy:
            entry.bad(f"privacy.{name}", f"个人信息字段（{fld['pii']}）没有脱敏规则。")


def _check_unique(datasets: list[Dataset], paths: list[Path], problems: _Problems) -> None:
    """Indicator numbers and inbox patterns must each belong to one dataset."""
    by_number: dict[int, str] = {}
    by_inbox: dict[str, str] = {}
    files = {p.stem: p for p in paths}
    for d in datasets:
        if d.number in by_number:
            problems.add(files[d.name], "number", f"指标序号 {d.number} 与 {by_number[d.number]} 重复。")
        by_number.setdefault(d.number, d.name)
        if d.inbox_pattern and d.inbox_pattern in by_inbox:
            problems.add(files[d.name], "inbox", f"收件箱匹配规则与 {by_inbox[d.inbox_pattern]} 重复。")
        if d.inbox_pattern:
            by_inbox.setdefault(d.inbox_pattern, d.name)

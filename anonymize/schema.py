"""The public Table Schema: derived from the source schema and the policy, never written by hand.

Dropped fields disappear. A field whose values a rule rewrites becomes a plain string (a generalized or masked
value no longer fits the source type, pattern, length or enum), loses keys and examples that no longer hold,
and its `pii` marker gives way to a Chinese description of what was done, for the published data dictionary.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

from .generalization import TARGETS, DEFAULT_TARGETS
from .policy import FieldPolicy, Policy
from .rules import MASKS

#: Properties a rewritten field can no longer promise.
STALE_PROPERTIES = ("format", "example", "rdfType", "trueValues", "falseValues", "bareNumber", "groupChar",
                    "decimalChar", "categories", "categoriesOrdered")
POSITIONAL = "保留前 {front} 位和后 {end} 位，其余每位以 * 代替"
MASK_TEXT = {
    "person_name": "保留姓氏（复姓保留两字，“·”保留），其余每字以 * 代替",
    "id_card": POSITIONAL,
    "mobile": POSITIONAL,
    "phone": POSITIONAL,
    "plate": POSITIONAL,
    "address": "保留至乡镇（街道），其后每字以 * 代替；未写明乡镇（街道）的地址全部以 * 代替",
    "bank_card": "保留前 4 位和末组数字，按四位分组，其余每位以 * 代替",
    "email": "保留邮箱名首字符和域名，其余每字以 * 代替",
    "free_text": "文中的号码、电子邮箱和车牌号已替换为“[已隐去…]”标记",
}
GENERALIZE_TEXT = {
    "age_band": "由出生日期推算的年龄段，每 {width} 岁一档{top_text}，按 {as_of_text} 计算",
    "month": "只保留年月（YYYY-MM）",
    "range": "数值区间，左闭右开{top_text}",
    "township": "只保留至乡镇（街道），未写明乡镇（街道）的留空",
}


def _settings(function: Any, options: dict) -> dict:
    """`options` over the defaults of `function`'s keyword parameters."""
    defaults = {name: p.default for name, p in inspect.signature(function).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {**defaults, **options}


def describe(entry: FieldPolicy) -> str:
    """What the rule did to the field, in Chinese, for the data dictionary."""
    options = dict(entry.options)
    if entry.rule == "mask":
        return "已脱敏：" + MASK_TEXT[entry.category].format(**_settings(MASKS[entry.category], options))
    if entry.rule == "pseudonymize":
        return "已假名化：以密钥化哈希（HMAC-SHA256）生成的代号代替，同一对象在各期数据中的代号相同"
    if entry.rule == "generalize":
        target = options.pop("to", None) or DEFAULT_TARGETS[entry.category]
        settings = _settings(TARGETS[target], options)
        top = settings.get("top")
        top_text = "" if top is None else (f"，{top} 岁及以上合为一档" if target == "age_band" else f"，{top} 及以上合为一档")
        as_of_text = settings.get("as_of") or "处理当日"
        return "已泛化：" + GENERALIZE_TEXT[target].format(top_text=top_text, as_of_text=as_of_text, **settings)
    if entry.rule == "redact":
        return "已处理：" + MASK_TEXT["free_text"]
    if entry.rule == "null":
        return "本字段不公开，全部留空"
    if entry.rule == "suppress":
        return f"小于 {entry.options.get('min_count', 3)} 的计数已隐去（留空）"
    return "按隐私策略原样公开"


def public_schema(source_schema_descriptor: dict, policy: Policy) -> dict:
    """The Table Schema of the published table, from the source schema and the policy that anonymized it."""
    public = copy.deepcopy(source_schema_descriptor)
    fields, rewritten = [], set()
    for schema_field in public.get("fields", []):
        schema_field.pop("aliases", None)
        personal = schema_field.pop("pii", None)
        entry = policy.field(schema_field["name"])
        if entry is None:
            fields.append(schema_field)
            continue
        if entry.rule == "drop":
            rewritten.add(entry.name)
            continue
        if entry.rule != "keep":
            rewritten.add(entry.name)
            _rewrite(schema_field, entry)
        if entry.rule != "keep" or personal:
            note = describe(entry)
            schema_field["description"] = f"{schema_field['description']}（{note}）" if schema_field.get("description") else note
        if entry.title:
            schema_field["title"] = entry.title
        fields.append(schema_field)
    public["fields"] = fields
    _drop_stale_keys(public, rewritten)
    return public


def _rewrite(schema_field: dict, entry: FieldPolicy) -> None:
    """Loosen a field whose values the rule rewrote: plain strings (counts keep their type), no constraints
    beyond `required` where the rule keeps every filled cell filled."""
    constraints = schema_field.pop("constraints", {})
    for name in STALE_PROPERTIES:
        schema_field.pop(name, None)
    if entry.rule != "suppress":
        schema_field["type"] = "string"
    if constraints.get("required") and entry.rule in ("mask", "pseudonymize", "redact"):
        schema_field["constraints"] = {"required": True}


def _drop_stale_keys(public: dict, rewritten: set[str]) -> None:
    """Remove the primary key and foreign keys that name a dropped or rewritten field."""
    primary = public.get("primaryKey")
    if primary is not None and rewritten & set([primary] if isinstance(primary, str) else primary):
        del public["primaryKey"]
    if "foreignKeys" in public:
        kept = [key for key in public["foreignKeys"]
                if not rewritten & set([key["fields"]] if isinstance(key["fields"], str) else key["fields"])]
        if kept:
            public["foreignKeys"] = kept
        else:
            del public["foreignKeys"]

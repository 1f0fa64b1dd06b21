"""The package search index and query that stand in for Solr.

The index is a no-op: PostgreSQL already holds every dataset.  The query
answers ``PackageSearchQuery.run`` (what ``package_search`` calls) with
SQLAlchemy over CKAN's own tables, and returns results, counts and facets in
the shape that CKAN's Solr code returns them.

Each searchable field is a SELECT of ``(package_id, value)`` pairs, the way
Solr sees a dataset as a document of (multi-valued) fields; filters and facet
counts are both built from these pairs.  What Solr does that this does not
(relevance, stemming, wildcards, ranges...) raises ``SearchQueryError``.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Iterable, Optional

from sqlalchemy import case, distinct, false, func, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

import ckan.lib.navl.dictization_functions as dictization
import ckan.lib.plugins as lib_plugins
import ckan.logic as logic
import ckan.model as model
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.index import PackageSearchIndex
from ckan.lib.search.query import (
    QUERY_FIELDS, VALID_SOLR_PARAMETERS, PackageSearchQuery)

from ckanext.nosolr import syntax

log = logging.getLogger(__name__)

Package = model.Package


def _pairs(package_id: Any, value: Any) -> Select:
    return select(package_id.label("package_id"), value.label("value"))


def _column(column: Any) -> Callable[[], Select]:
    return lambda: _pairs(Package.id, column)


def _organizations() -> Select:
    return _pairs(Package.id, model.Group.name).join(
        model.Group, model.Group.id == Package.owner_org).where(
        model.Group.state == "active")


def _groups() -> Select:
    return _pairs(model.Member.table_id, model.Group.name).join(
        model.Group, model.Group.id == model.Member.group_id).where(
        model.Member.table_name == "package",
        model.Member.state == "active",
        model.Group.is_organization == false())


def _tags() -> Select:
    return _pairs(model.PackageTag.package_id, model.Tag.name).join(
        model.Tag, model.Tag.id == model.PackageTag.tag_id).where(
        model.PackageTag.state == "active",
        model.Tag.vocabulary_id.is_(None))


def _resource_formats() -> Select:
    return _pairs(model.Resource.package_id, model.Resource.format).where(
        model.Resource.state == "active")


def _extra_values() -> Select:
    return _pairs(model.PackageExtra.package_id,
                  model.PackageExtra.value).where(
        model.PackageExtra.state == "active")


FIELDS: dict[str, Callable[[], Select]] = {
    "id": _column(Package.id),
    "name": _column(Package.name),
    "owner_org": _column(Package.owner_org),
    "organization": _organizations,
    "groups": _groups,
    "tags": _tags,
    "res_format": _resource_formats,
    "type": _column(Package.type),
    "dataset_type": _column(Package.type),
    "state": _column(Package.state),
    "capacity": _column(case((Package.private, "private"), else_="public")),
    "license_id": _column(Package.license_id),
    "creator_user_id": _column(Package.creator_user_id),
}
"""Exact-match (Solr ``string``) fields: each a SELECT of (package id, value)."""

SORTS: dict[str, Any] = {
    "metadata_modified": Package.metadata_modified,
    "metadata_created": Package.metadata_created,
    "name": Package.name.collate("C"),
    "title": Package.title.collate("C"),
    "title_string": Package.title.collate("C"),
}
"""Sortable fields; "C" collation orders strings by code point, like Solr."""

RELEVANCE_ONLY = {"wt", "tie", "mm", "bf", "boost", "defType"}
"""Parameters that only tune Solr's scoring, which has no equivalent here."""


def _packages_with(field: str, values: Iterable[str]) -> ColumnElement:
    pairs = FIELDS[field]().subquery()
    return Package.id.in_(select(pairs.c.package_id).where(
        pairs.c.value.in_(list(values))))


def _packages_containing(text: str) -> ColumnElement:
    """Free text: case-insensitive substring of name, title, notes, tags
    or extra values (Solr's tokenizing and stemming are not reproduced)."""
    pattern = "%" + text.replace("\\", "\\\\").replace(
        "%", "\\%").replace("_", "\\_") + "%"
    found = [Package.name.ilike(pattern), Package.title.ilike(pattern),
             Package.notes.ilike(pattern)]
    for pairs in (_tags().subquery(), _extra_values().subquery()):
        found.append(Package.id.in_(select(pairs.c.package_id).where(
            pairs.c.value.ilike(pattern))))
    return or_(*found)


class _Filter:
    """What one search asks of a dataset: SQL conditions, plus the
    permission labels of which it must carry at least one of each set
    (labels come from the IPermissionLabels plugin, in Python)."""

    def __init__(self) -> None:
        self.conditions: list[ColumnElement] = []
        self.label_sets: list[set[str]] = []

    def add_query(self, text: str) -> None:
        for clause in syntax.parse(text):
            labels = [t for t in clause if t.field == "permission_labels"]
            if labels and len(labels) < len(clause):
                raise SearchQueryError(
                    "nosolr: permission_labels cannot be OR-ed with other "
                    f"fields: {text!r}")
            if labels:
                self.label_sets.append(
                    {v for term in labels for v in term.values})
            else:
                self.conditions.append(or_(*map(self._term, clause)))

    @staticmethod
    def _term(term: syntax.Term) -> ColumnElement:
        if term.field == syntax.MATCH_ALL:
            return true()
        if term.field in (None, "text"):
            return or_(*map(_packages_containing, term.values))
        if term.field == "site_id":
            return true() if config.get("ckan.site_id") in term.values \
                else false()
        if term.field == "entity_type":
            return true() if "package" in term.values else false()
        if term.field in FIELDS:
            return _packages_with(term.field, term.values)
        raise SearchQueryError(f"nosolr: unsupported field {term.field!r}")

    def visible(self, package: model.Package) -> bool:
        if not self.label_sets:
            return True
        labels = set(lib_plugins.get_permission_labels(
            ).get_dataset_labels(package))
        return all(labels & wanted for wanted in self.label_sets)


def _as_list(value: Any) -> list[str]:
    """A parameter that may be absent, one string or a list of strings."""
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _order_by(sort: str) -> list[ColumnElement]:
    """Translate a Solr sort ("score desc, name asc"); score is ignored:
    every match scores the same here."""
    order = []
    for part in filter(None, (p.strip() for p in sort.split(","))):
        words = part.split()
        if len(words) != 2 or words[1] not in ("asc", "desc") or (
                words[0] not in SORTS and words[0] != "score"):
            raise SearchQueryError('Invalid "sort" parameter')
        if words[0] != "score":
            column = SORTS[words[0]]
            order.append((column.asc() if words[1] == "asc"
                          else column.desc()).nulls_last())
    return order + [Package.id]


def _facets(fields: list[str], ids: list[str], limit: int,
            mincount: int) -> dict[str, dict[str, int]]:
    """Count datasets per value, most frequent first, as Solr does."""
    facets = {}
    for field in fields:
        if field not in FIELDS:
            raise SearchQueryError(f"nosolr: cannot facet on {field!r}")
        pairs = FIELDS[field]().subquery()
        package_id, value = pairs.c.package_id, pairs.c.value
        count = func.count(distinct(package_id))
        query = select(value, count).where(
            package_id.in_(ids), value.isnot(None), value != "").group_by(
            value).having(count >= mincount).order_by(
            count.desc(), value.collate("C"))
        if limit >= 0:
            query = query.limit(limit)
        facets[field] = dict(
            model.Session.execute(query).all()) if ids else {}
    return facets


def _document(package: model.Package, fields: list[str]) -> dict[str, Any]:
    """The stored fields that Solr would return for this dataset, built
    from ``package_show`` the way ``PackageSearchIndex.index_package``
    builds them; extras_* go to an "extras" dict as in CKAN's query code."""
    pkg_dict = logic.get_action("package_show")(
        {"model": model, "session": model.Session, "ignore_auth": True,
         "use_cache": False, "validate": False}, {"id": package.id})
    doc = {key: value for key, value in pkg_dict.items()
           if not isinstance(value, (list, dict))}
    doc.update(
        organization=(pkg_dict.get("organization") or {}).get("name"),
        groups=[g["name"] for g in pkg_dict.get("groups", [])],
        tags=[t["name"] for t in pkg_dict.get("tags", [])
              if not t.get("vocabulary_id")],
        res_format=[r.get("format", "") for r in pkg_dict.get("resources", [])],
        capacity="private" if pkg_dict.get("private") else "public",
        dataset_type=pkg_dict.get("type"),
        site_id=config.get("ckan.site_id"),
        entity_type="package",
    )
    if "data_dict" in fields:
        doc["data_dict"] = json.dumps(pkg_dict)
    if "validated_data_dict" in fields:
        plugin = lib_plugins.lookup_package_plugin(pkg_dict.get("type"))
        validated, _errors = lib_plugins.plugin_validate(
            plugin, {"model": model, "session": model.Session}, pkg_dict,
            plugin.show_package_schema(), "package_show")
        doc["validated_data_dict"] = json.dumps(
            validated, cls=dictization.MissingNullEncoder)
    result = {field: doc[field] for field in fields if field in doc}
    result["extras"] = {e["key"]: e["value"]
                        for e in pkg_dict.get("extras", [])
                        if "extras_" + e["key"] in fields}
    return result


class NoSolrPackageSearchQuery(PackageSearchQuery):
    """``package_search`` over PostgreSQL; see the module docstring."""

    def run(self, query: dict[str, Any],
            permission_labels: Optional[list[str]] = None,
            **kwargs: Any) -> dict[str, Any]:
        invalid = set(query) - VALID_SOLR_PARAMETERS
        if invalid:
            raise SearchQueryError(f"Invalid search parameters: {invalid}")
        ignored = set(query) & RELEVANCE_ONLY
        if ignored:
            log.debug("nosolr ignores relevance parameters %s", ignored)
        if query.get("qf", QUERY_FIELDS) != QUERY_FIELDS or \
                query.get("df", "text") != "text":
            raise SearchQueryError("nosolr: qf and df cannot be changed")

        wanted = _Filter()
        q = query.get("q") or "*:*"
        wanted.add_query("*:*" if q in ('""', "''") else q)
        filters = _as_list(query.get("fq")) + _as_list(query.get("fq_list"))
        for fq in filters:
            wanted.add_query(fq)
        if not any("+state:" in fq for fq in filters):
            wanted.add_query("+state:active")
        if config.get("ckan.search.remove_deleted_packages"):
            wanted.conditions.append(Package.state != "deleted")
        if permission_labels is not None:
            wanted.label_sets.append(set(permission_labels))

        matches = [package for package in model.Session.query(Package).filter(
            *wanted.conditions).order_by(*_order_by(query.get("sort") or ""))
            if wanted.visible(package)]
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        page = matches[start:start + rows]

        self.count = len(matches)
        self.facets = {}
        if str(query.get("facet", "true")).lower() == "true":
            self.facets = _facets(
                _as_list(query.get("facet.field")), [p.id for p in matches],
                int(query.get("facet.limit",
                              config.get("search.facets.limit"))),
                int(query.get("facet.mincount", 1)))
        fl = query.get("fl", "name")
        if fl in ("id", "name"):
            self.results = [getattr(package, fl) for package in page]
        else:
            fields = fl.split() if isinstance(fl, str) else list(fl)
            self.results = [_document(package, fields) for package in page]
        return {"results": self.results, "count": self.count}

    def get_index(self, reference: str) -> dict[str, Any]:
        """There is no stored copy: ``package_show`` falls back to the
        database when this raises."""
        raise SearchError(f"nosolr keeps no search index ({reference})")

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        """Every active dataset counts as indexed."""
        return [id_ for (id_,) in model.Session.query(Package.id).filter(
            Package.state == "active").limit(max_results)]


class NoSolrPackageSearchIndex(PackageSearchIndex):
    """Indexing is a no-op: searches read the database directly."""

    def index_package(self, pkg_dict: Optional[dict[str, Any]],
                      defer_commit: bool = False) -> None:
        pass

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        pass

    def commit(self) -> None:
        pass

    def clear(self) -> None:
        pass

"""The local portal is a real CKAN: organizations, datasets, uploads, DataStore, search and access control."""

from __future__ import annotations

import io

import pytest
import requests

from publish.ckan import Portal, PortalDenied, PortalNotFound
from publish.errors import PortalError

pytestmark = pytest.mark.integration

CSV = "镇街,村居,保障人数,月发放金额\n山城街道,东山村,3,1250.50\n店子镇,西店村,1,480.00\n".encode("utf-8")


def _dataset(portal: Portal, organization: dict, unique: str, **extra: object) -> dict:
    data = {
        "name": f"test-dibao-{unique}",
        "title": "城乡低保（测试）",
        "notes": "山亭区城乡最低生活保障金发放情况，按月公开。",
        "owner_org": organization["id"],
        "tags": [{"name": "民政"}, {"name": "低保"}],
        "extras": [{"key": "frequency", "value": "MONTHLY"}, {"key": "indicator", "value": "19"}],
        "license_id": "cc-by",
    }
    data.update(extra)
    return portal.call("package_create", data)


def test_dataset_keeps_chinese_title_tags_and_extras(portal: Portal, organization: dict, unique: str) -> None:
    _dataset(portal, organization, unique)
    shown = portal.call("package_show", {"id": f"test-dibao-{unique}"})
    assert shown["title"] == "城乡低保（测试）"
    assert shown["organization"]["title"] == "测试单位（区民政局）"
    assert sorted(tag["name"] for tag in shown["tags"]) == ["低保", "民政"]
    assert {e["key"]: e["value"] for e in shown["extras"]} == {"frequency": "MONTHLY", "indicator": "19"}


def test_uploaded_csv_downloads_byte_identical(portal: Portal, organization: dict, unique: str) -> None:
    package = _dataset(portal, organization, unique)
    resource = portal.call(
        "resource_create",
        {"package_id": package["id"], "name": "2026-10 城乡低保", "format": "CSV"},
        files={"upload": ("dibao-2026-10.csv", io.BytesIO(CSV))},
    )
    response = requests.get(resource["url"], timeout=30)
    assert response.status_code == 200
    assert response.content == CSV
    assert resource["url"].endswith("/dibao-2026-10.csv")


def test_datastore_holds_chinese_values(portal: Portal, organization: dict, unique: str) -> None:
    package = _dataset(portal, organization, unique)
    created = portal.call("datastore_create", {
        "resource": {"package_id": package["id"], "name": "DataStore 测试"},
        "fields": [
            {"id": "township", "type": "text", "info": {"label": "镇街"}},
            {"id": "people", "type": "int", "info": {"label": "保障人数"}},
        ],
        "records": [{"township": "山城街道", "people": 3}, {"township": "店子镇", "people": 1}],
    })
    found = portal.call("datastore_search", {"resource_id": created["resource_id"],
                                             "filters": {"township": "店子镇"}})
    assert found["total"] == 1
    assert found["records"][0]["people"] == 1
    labels = {f["id"]: f.get("info", {}).get("label") for f in found["fields"]}
    assert labels["township"] == "镇街"


def test_package_search_finds_dataset_by_tag(portal: Portal, organization: dict, unique: str) -> None:
    _dataset(portal, organization, unique, tags=[{"name": f"tag{unique}"}])
    found = portal.call("package_search", {"fq": f"tags:tag{unique}"})
    assert [p["name"] for p in found["results"]] == [f"test-dibao-{unique}"]


def test_private_dataset_is_hidden_from_the_public(
    portal: Portal, anonymous: Portal, organization: dict, unique: str
) -> None:
    package = _dataset(portal, organization, unique, private=True)
    resource = portal.call(
        "resource_create", {"package_id": package["id"], "name": "内部"},
        files={"upload": ("private.csv", io.BytesIO(CSV))},
    )
    with pytest.raises((PortalDenied, PortalNotFound)):
        anonymous.call("package_show", {"id": package["id"]})
    assert requests.get(resource["url"], timeout=30).status_code in (403, 404)
    found = anonymous.call("package_search", {"q": f"name:test-dibao-{unique}"})
    assert found["count"] == 0


def test_an_action_the_portal_lacks_is_named_in_chinese(portal: Portal) -> None:
    with pytest.raises(PortalError, match="没有 no_such_action 接口"):
        portal.call("no_such_action", {})

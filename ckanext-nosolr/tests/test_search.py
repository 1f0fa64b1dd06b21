"""ckanext-nosolr against a running CKAN, over HTTP through the Action API.

The portal must run with ``nosolr`` in ``ckan.plugins`` (scripts/ckan.sh sets
that up).  Where it is and which sysadmin token to use come from the same
variables as the rest of the project: ``GONGKAI_CKAN_URL`` (default
http://127.0.0.1:5000) and ``GONGKAI_CKAN_TOKEN_FILE`` (default
.ckan/api-token in this repository).  Every run makes its own organizations,
users and datasets, tagged with a run tag that scopes each search, so runs
can repeat against the same portal.  No test asserts Solr relevance.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest
import requests

URL = os.environ.get("GONGKAI_CKAN_URL", "http://127.0.0.1:5000").rstrip("/")
TOKEN_FILE = Path(os.environ.get(
    "GONGKAI_CKAN_TOKEN_FILE",
    Path(__file__).resolve().parents[2] / ".ckan" / "api-token"))
RUN = uuid.uuid4().hex[:8]
RUN_TAG = f"nosolr-{RUN}"


class Portal:
    """Calls CKAN actions as one user (``token=None`` is anonymous)."""

    def __init__(self, token: Optional[str]) -> None:
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = token

    def post(self, action: str, **data: Any) -> requests.Response:
        return self.session.post(f"{URL}/api/3/action/{action}",
                                 json=data, timeout=30)

    def __call__(self, action: str, **data: Any) -> Any:
        response = self.post(action, **data)
        assert response.status_code == 200, (action, response.text[:500])
        return response.json()["result"]

    def search(self, *fq: str, **data: Any) -> dict[str, Any]:
        """package_search within this run's datasets."""
        data["fq"] = " ".join((f'+tags:"{RUN_TAG}"',) + fq)
        return self("package_search", **data)


def names(result: dict[str, Any]) -> list[str]:
    return [package["name"] for package in result["results"]]


@pytest.fixture(scope="module")
def sysadmin() -> Portal:
    try:
        token = TOKEN_FILE.read_text().strip()
        requests.get(f"{URL}/api/3/action/status_show", timeout=5)
    except (OSError, requests.RequestException) as error:
        pytest.fail(f"no portal at {URL} with a token in {TOKEN_FILE} "
                    f"(run scripts/ckan.sh up): {error}", pytrace=False)
    return Portal(token)


@pytest.fixture(scope="module")
def site(sysadmin: Portal) -> dict[str, Any]:
    """Two organizations, a group, a member and an outsider, four datasets."""
    def user(role: str) -> tuple[dict[str, Any], Portal]:
        made = sysadmin("user_create", name=f"nosolr-{role}-{RUN}",
                        email=f"{role}-{RUN}@example.org",
                        password="nosolr-test-pw")
        token = sysadmin("api_token_create", user=made["id"], name="t")
        return made, Portal(token["token"])

    member, member_portal = user("member")
    _, outsider_portal = user("outsider")
    stats = sysadmin("organization_create", name=f"stats-{RUN}",
                     title=f"统计局 {RUN}",
                     users=[{"name": member["name"], "capacity": "member"}])
    transport = sysadmin("organization_create", name=f"transport-{RUN}",
                         title=f"交通局 {RUN}")
    group = sysadmin("group_create", name=f"people-{RUN}", title="民生")

    def dataset(slug: str, org: dict[str, Any], title: str, tags: list[str],
                fmt: str, **extra: Any) -> dict[str, Any]:
        extra.setdefault("license_id", "cc-by")
        return sysadmin(
            "package_create", name=f"{slug}-{RUN}", title=title,
            owner_org=org["id"],
            tags=[{"name": t} for t in tags + [RUN_TAG]],
            resources=[{"name": f"{slug}.{fmt.lower()}", "format": fmt,
                        "url": f"http://example.org/{slug}.{fmt.lower()}"}],
            **extra)

    return {
        "member": member_portal,
        "outsider": outsider_portal,
        "stats": stats,
        "transport": transport,
        "group": group,
        "population": dataset(
            "population", stats, "人口统计年报", ["人口", "年报"], "CSV",
            notes="全市出生率与死亡率", groups=[{"name": group["name"]}],
            extras=[{"key": "来源", "value": "户籍登记"}]),
        "economy": dataset("economy", stats, "经济指标", ["经济"], "XLSX",
                           license_id="odc-by"),
        "internal": dataset("internal", stats, "内部人口数据", ["人口"], "CSV",
                            private=True),
        "traffic": dataset("traffic", transport, "道路交通流量", ["交通"],
                           "JSON"),
    }


def test_tag_search(sysadmin: Portal, site: dict[str, Any]) -> None:
    assert names(Portal(None).search('tags:"人口"')) == [
        site["population"]["name"]]
    assert sorted(names(sysadmin.search(
        'tags:"人口"', include_private=True))) == sorted(
        [site["population"]["name"], site["internal"]["name"]])


def test_words_must_all_match(site: dict[str, Any]) -> None:
    anonymous = Portal(None)
    assert names(anonymous.search(q="人口 年报")) == [
        site["population"]["name"]]
    assert names(anonymous.search(q="出生率")) == [site["population"]["name"]]
    assert names(anonymous.search(q="户籍登记")) == [
        site["population"]["name"]]
    assert names(anonymous.search(q="ECONOMY")) == [site["economy"]["name"]]
    assert anonymous.search(q="人口 交通")["count"] == 0


def test_field_terms_in_q_and_fq(site: dict[str, Any]) -> None:
    anonymous = Portal(None)
    traffic = [site["traffic"]["name"]]
    assert names(anonymous.search(
        f'owner_org:"{site["transport"]["id"]}"')) == traffic
    assert names(anonymous.search(
        q=f'organization:transport-{RUN}')) == traffic
    assert names(anonymous.search('res_format:"JSON"')) == traffic
    assert names(anonymous.search(
        f'+id:"{site["traffic"]["id"]}" +dataset_type:dataset')) == traffic
    assert names(anonymous.search(
        f'groups:"{site["group"]["name"]}"')) == [site["population"]["name"]]
    assert names(anonymous.search(
        f'name:("{site["traffic"]["name"]}" OR "no-such-name")')) == traffic
    assert anonymous.search("+capacity:private", include_private=True,
                            )["count"] == 0


def test_private_datasets(sysadmin: Portal, site: dict[str, Any]) -> None:
    internal = site["internal"]["name"]
    seen = {
        "anonymous": Portal(None).search(include_private=True),
        "outsider": site["outsider"].search(include_private=True),
        "member": site["member"].search(include_private=True),
        "member without include_private": site["member"].search(),
        "sysadmin": sysadmin.search(include_private=True),
        "sysadmin without include_private": sysadmin.search(),
    }
    visible = {who: internal in names(result) for who, result in seen.items()}
    assert visible == {
        "anonymous": False, "outsider": False, "member": True,
        "member without include_private": False, "sysadmin": True,
        "sysadmin without include_private": False}
    assert seen["anonymous"]["count"] == 3
    assert seen["sysadmin"]["count"] == 4


def test_drafts(sysadmin: Portal, site: dict[str, Any]) -> None:
    draft = sysadmin("package_create", name=f"draft-{RUN}", state="draft",
                     owner_org=site["stats"]["id"],
                     tags=[{"name": RUN_TAG}, {"name": "草稿"}])
    assert draft["state"] == "draft"
    counts = {who: portal.search('tags:"草稿"', include_drafts=drafts)["count"]
              for who, portal, drafts in [
                  ("member", site["member"], True),
                  ("member without include_drafts", site["member"], False),
                  ("outsider", site["outsider"], True)]}
    assert counts == {"member": 1, "member without include_drafts": 0,
                      "outsider": 0}
    sysadmin("package_delete", id=draft["id"])


def test_results_look_like_package_show(sysadmin: Portal,
                                        site: dict[str, Any]) -> None:
    found = sysadmin.search(f'name:{site["population"]["name"]}')
    shown = sysadmin("package_show", id=site["population"]["id"])
    assert found["results"] == [shown]
    only = sysadmin.search(fl=["id", "name"], q=site["economy"]["name"])
    assert only["results"] == [
        {"id": site["economy"]["id"], "name": site["economy"]["name"]}]


def test_sorting(sysadmin: Portal, site: dict[str, Any]) -> None:
    anonymous = Portal(None)
    by_name = names(anonymous.search(sort="name asc"))
    assert by_name == sorted(by_name) and len(by_name) == 3
    assert names(anonymous.search(sort="name desc")) == by_name[::-1]
    by_title = [p["title"] for p in anonymous.search(
        sort="title_string asc")["results"]]
    assert by_title == sorted(by_title)
    sysadmin("package_patch", id=site["economy"]["id"], notes="更新")
    for sort in ("metadata_modified desc", None):  # None: CKAN's default
        newest = anonymous.search(**({"sort": sort} if sort else {}))
        assert names(newest)[0] == site["economy"]["name"]
    oldest = names(anonymous.search(sort="metadata_created asc"))
    assert oldest[0] == site["population"]["name"]


def test_paging(site: dict[str, Any]) -> None:
    anonymous = Portal(None)
    everything = names(anonymous.search(sort="name asc"))
    pages = [anonymous.search(sort="name asc", rows=2, start=start)
             for start in (0, 2)]
    assert [p["count"] for p in pages] == [3, 3]
    assert names(pages[0]) + names(pages[1]) == everything
    assert anonymous.search(rows=0)["results"] == []


def test_facets(sysadmin: Portal, site: dict[str, Any]) -> None:
    fields = ["organization", "groups", "tags", "res_format", "license_id"]
    facets = Portal(None).search(
        **{"facet.field": json.dumps(fields)})["search_facets"]

    def counts(field: str) -> dict[str, int]:
        return {i["name"]: i["count"] for i in facets[field]["items"]}

    assert counts("tags")["人口"] == 1 and counts("tags")[RUN_TAG] == 3
    assert counts("res_format") == {"CSV": 1, "XLSX": 1, "JSON": 1}
    assert counts("organization") == {
        site["stats"]["name"]: 2, site["transport"]["name"]: 1}
    assert counts("groups") == {site["group"]["name"]: 1}
    assert counts("license_id") == {"cc-by": 2, "odc-by": 1}
    titles = {i["name"]: i["display_name"]
              for i in facets["organization"]["items"]}
    assert titles[site["stats"]["name"]] == site["stats"]["title"]
    private = sysadmin.search(include_private=True, **{
        "facet.field": '["tags"]', "facet.limit": 1})["search_facets"]
    assert private["tags"]["items"] == [
        {"name": RUN_TAG, "display_name": RUN_TAG, "count": 4}]


@pytest.mark.parametrize("query", [
    {"q": "人口*"},
    {"q": "title:人口"},
    {"fq": "-state:active"},
    {"fq": "metadata_modified:[NOW-1DAY TO NOW]"},
    {"sort": "views_recent desc"},
    {"facet.field": '["notes"]'},
    {"qf": "title^2"},
])
def test_unsupported_queries_are_rejected(query: dict[str, str]) -> None:
    response = Portal(None).post("package_search", **query)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["__type"] == "Search Query Error"


def test_deleted_datasets_drop_out(sysadmin: Portal,
                                   site: dict[str, Any]) -> None:
    gone = sysadmin("package_create", name=f"gone-{RUN}",
                    owner_org=site["transport"]["id"],
                    tags=[{"name": RUN_TAG}, {"name": "gone"}])
    assert sysadmin.search('tags:"gone"')["count"] == 1
    sysadmin("package_delete", id=gone["id"])
    assert sysadmin.search('tags:"gone"')["count"] == 0


def test_organization_and_user_listings(sysadmin: Portal,
                                        site: dict[str, Any]) -> None:
    orgs = {o["name"]: o for o in sysadmin(
        "organization_list", all_fields=True,
        organizations=[site["stats"]["name"], site["transport"]["name"]])}
    assert orgs[site["transport"]["name"]]["package_count"] == 1
    shown = sysadmin("organization_show", id=site["stats"]["id"],
                     include_datasets=True)
    assert shown["package_count"] == 3
    me = sysadmin("user_show", id=sysadmin("get_site_user")["name"],
                  include_datasets=True)
    assert isinstance(me["datasets"], list)


def test_datastore_and_bulk_updates_reach_the_noop_index(
        sysadmin: Portal, site: dict[str, Any]) -> None:
    resource = site["traffic"]["resources"][0]
    sysadmin("datastore_create", resource_id=resource["id"], force=True,
             fields=[{"id": "路段", "type": "text"}],
             records=[{"路段": "长安街"}])
    shown = sysadmin("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True
    sysadmin("bulk_update_private", org_id=site["transport"]["id"],
             datasets=[site["traffic"]["id"]])
    assert Portal(None).search(
        f'owner_org:"{site["transport"]["id"]}"')["count"] == 0
    sysadmin("bulk_update_public", org_id=site["transport"]["id"],
             datasets=[site["traffic"]["id"]])
    assert Portal(None).search(
        f'owner_org:"{site["transport"]["id"]}"')["count"] == 1


@pytest.mark.parametrize("path", [
    "/", "/dataset/", "/dataset/?q=人口", "/dataset/?tags=人口&res_format=CSV",
    "/dataset/?sort=title_string+asc", "/dataset/?organization=stats-{run}",
    "/organization/", "/group/", "/organization/stats-{run}",
    "/group/people-{run}", "/dataset/population-{run}",
    "/user/nosolr-member-{run}", "/feeds/dataset.atom", "/feeds/tag/人口.atom",
])
def test_pages_answer(site: dict[str, Any], path: str) -> None:
    response = requests.get(URL + path.format(run=RUN), timeout=30)
    assert response.status_code == 200, response.text[:300]


def test_unsupported_search_page_is_a_bad_request(
        site: dict[str, Any]) -> None:
    response = requests.get(f"{URL}/dataset/?q=人口*", timeout=30)
    assert response.status_code == 400

"""The toolkit under faults, against the real local CKAN: dropped connections, late answers, uploads cut in
half, answers lost after the server acted, two runs at once, a full disk.

Faults come from tests/faultproxy.py, a proxy on loopback between the toolkit and CKAN; the proxy's counters
say how many requests really went through. Monthly runs work in a suffixed catalog copy (tests/workspace.py)
and are purged afterwards. Nothing here asserts on time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from publish.ckan import Portal, PortalAmbiguous, PortalDenied, PortalError, PortalNotFound, PortalRejected
from publish.config import Secret
from publish.monthly import FAILED, PUBLISHED, STAGED, UNCHANGED, MonthlyJob
from tests.faultproxy import Fault, FaultProxy
from tests.workspace import SAMPLE_PERIOD, Workspace

pytestmark = pytest.mark.integration

CHINESE = re.compile(r"[\u4e00-\u9fff]")
RESOURCE_CREATE = "/api/3/action/resource_create"
# A client timeout and a delay well past it: the answer surely comes too late, whatever the machine's load.
TIMEOUT, LATE = 8.0, 30.0
PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def proxy(portal_env: dict[str, str]) -> Iterator[FaultProxy]:
    """A fault proxy in front of the local CKAN; stopped after the test, and by itself after 15 minutes."""
    target = urlsplit(portal_env["GONGKAI_CKAN_URL"])
    with FaultProxy((target.hostname or "127.0.0.1", target.port or 80), lifetime=900) as running:
        yield running


def _through(proxy: FaultProxy, token: Secret | None, retries: int = 2) -> Portal:
    return Portal(proxy.url, token, timeout=TIMEOUT, retries=retries, backoff=0.05)


# --- the proxy's own bounds ------------------------------------------------------------------------------

def test_the_proxy_stops_by_itself_and_closes_idle_connections(portal_env: dict[str, str]) -> None:
    target = urlsplit(portal_env["GONGKAI_CKAN_URL"])
    with FaultProxy((target.hostname or "127.0.0.1", target.port or 80), lifetime=3, connection_deadline=1) as short:
        with socket.create_connection(("127.0.0.1", short.port), timeout=30) as idle:
            assert idle.recv(1) == b"", "an idle connection is closed at its deadline"
        assert short.wait(30), "the proxy ends at its lifetime without being stopped"
    assert (short.stats["connection_deadline"], short.stats["lifetime_expired"]) == (1, 1)
    with pytest.raises(ValueError):
        FaultProxy(("192.0.2.1", 80))


# --- the portal adapter ----------------------------------------------------------------------------------

@pytest.mark.parametrize("inject", [
    pytest.param(lambda proxy: proxy.reset_connections(1), id="connection-reset-on-accept"),
    pytest.param(lambda proxy: proxy.fail("/api/3/action/organization_show", Fault.reset()), id="request-reset"),
    pytest.param(lambda proxy: proxy.fail("/api/3/action/organization_show", Fault.delay(LATE)), id="answer-late"),
])
def test_a_read_is_retried_after_a_dropped_connection(
    proxy: FaultProxy, ckan_token: Secret, organization: dict, inject: Callable[[FaultProxy], None]
) -> None:
    inject(proxy)
    through = _through(proxy, ckan_token)
    assert through.call("organization_show", {"id": organization["name"]})["id"] == organization["id"]
    assert through.calls["organization_show"] == 2
    assert sum(n for key, n in proxy.stats.items() if key.startswith("fault ")) == 1


def test_a_write_is_retried_when_the_connection_was_refused(
    proxy: FaultProxy, portal: Portal, ckan_token: Secret, organization: dict, unique: str
) -> None:
    proxy.refuse()
    # The backoff pause is where the portal comes back: the retry finds it listening.
    through = Portal(proxy.url, ckan_token, timeout=TIMEOUT, retries=2, backoff=0, sleep=lambda _: proxy.listen())
    created = through.call("package_create", {
        "name": f"fault-refused-{unique}", "title": "连接被拒后重试", "owner_org": organization["id"], "private": True,
    })
    assert through.calls["package_create"] == 2, "refused means never sent: safe to send again"
    assert proxy.requests("/api/3/action/package_create") == 1
    assert portal.call("package_show", {"id": created["id"]})["name"] == f"fault-refused-{unique}"


@pytest.mark.parametrize("action, data, with_token, error", [
    ("package_show", {"id": "no-such-dataset-{unique}"}, True, PortalNotFound),
    ("package_create", {"name": "anonymous-{unique}", "title": "匿名创建"}, False, PortalDenied),
    ("package_create", {"name": "Not A Slug {unique}", "title": "名称不合规"}, True, PortalRejected),
])
def test_a_4xx_answer_is_never_retried(
    proxy: FaultProxy, ckan_token: Secret, unique: str, action: str, data: dict[str, str], with_token: bool,
    error: type[PortalError],
) -> None:
    through = _through(proxy, ckan_token if with_token else None, retries=4)
    with pytest.raises(error) as raised:
        through.call(action, {k: v.format(unique=unique) for k, v in data.items()})
    assert CHINESE.search(raised.value.message)
    assert proxy.requests(f"/api/3/action/{action}") == 1
    assert through.calls[action] == 1


@pytest.mark.parametrize("fault, resources_after", [
    pytest.param(Fault.cut(), 0, id="upload-cut-in-half"),
    pytest.param(Fault.drop_response(), 1, id="answer-lost-after-upload"),
])
def test_an_interrupted_upload_is_ambiguous_and_never_resent(
    proxy: FaultProxy, portal: Portal, ckan_token: Secret, organization: dict, unique: str, tmp_path: Path,
    fault: Fault, resources_after: int,
) -> None:
    package = portal.call("package_create", {
        "name": f"fault-upload-{unique}", "title": "断点上传测试", "owner_org": organization["id"], "private": True,
    })
    data = tmp_path / "upload.csv"
    data.write_bytes(_synthetic_csv(rows=5000))
    proxy.fail(RESOURCE_CREATE, fault)
    through = _through(proxy, ckan_token, retries=4)
    with data.open("rb") as handle, pytest.raises(PortalAmbiguous) as raised:
        through.call("resource_create", {"package_id": package["id"], "name": "上传测试", "format": "CSV"},
                     files={"upload": ("upload.csv", handle)})
    assert CHINESE.search(raised.value.message) and "resource_create" in raised.value.message
    assert proxy.requests(RESOURCE_CREATE) == 1, "a write that may have been applied is not sent again"
    assert len(portal.call("package_show", {"id": package["id"]})["resources"]) == resources_after


def _synthetic_csv(rows: int) -> bytes:
    """A UTF-8 CSV with a BOM and Chinese headers: made-up townships and amounts."""
    lines = ["乡镇（街道）,发放金额（元）"] + [f"示例镇{i % 17},{(i * 37) % 1000}.50" for i in range(rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


# --- publish monthly under faults ------------------------------------------------------------------------

def test_monthly_under_faults_fails_cleanly_and_a_rerun_completes(
    workspace: Workspace, proxy: FaultProxy, portal: Portal, anonymous: Portal, portal_env: dict[str, str]
) -> None:
    token_file = portal_env["GONGKAI_CKAN_TOKEN_FILE"]
    names = workspace.names  # catalog order; each is new, so each gets one resource_create and datastore_create
    proxy.reset_connections(1)  # the portal check's first connection
    proxy.fail("/api/3/action/package_show", Fault.delay(LATE), nth=2)  # a read answered too late: retried
    proxy.fail(RESOURCE_CREATE, Fault.cut(), nth=3)  # the third upload cut in half
    proxy.fail(RESOURCE_CREATE, Fault.drop_response(), nth=4)  # the fourth applied, its answer lost
    # A table definition answered too late: defining the same columns again changes nothing, so it is retried.
    proxy.fail("/api/3/action/datastore_create", Fault.delay(LATE), nth=5)

    faulty = workspace.publish(*workspace.monthly_args(),
                               config=workspace.write_config(proxy.url, token_file, timeout=TIMEOUT))
    assert faulty.returncode == 1, faulty.stderr
    assert "Traceback" not in faulty.stdout + faulty.stderr
    assert sum(n for key, n in proxy.stats.items() if key.startswith("fault ")) == 5, proxy.stats
    expected = {name: PUBLISHED for name in names} | {names[2]: FAILED}
    with workspace.ledger() as ledger:
        records = {name: ledger.history(10, name)[0] for name in names}
    assert {name: r.outcome for name, r in records.items()} == expected
    assert "resource_create" in records[names[2]].error
    assert proxy.requests("/api/3/action/datastore_create") == 5 + 1, "five tables defined, the late one retried"
    assert CHINESE.search(records[names[2]].error) and records[names[2]].error in faulty.stdout
    _assert_nothing_half_published(portal, anonymous, names)
    for name in names:
        if expected[name] == PUBLISHED:
            [resource] = portal.call("package_show", {"id": name})["resources"]
            assert (resource["id"], resource["sha256"]) == (records[name].resource_id, records[name].sha256)
    assert portal.call("package_show", {"id": names[2]})["resources"] == []

    rerun = workspace.publish(*workspace.monthly_args(),
                              config=workspace.write_config(portal_env["GONGKAI_CKAN_URL"], token_file))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    with workspace.ledger() as ledger:
        latest = {name: ledger.history(10, name) for name in names}
    assert {name: h[0].outcome for name, h in latest.items()} == {
        name: PUBLISHED if expected[name] == FAILED else UNCHANGED for name in names
    }
    assert [p.outcome for p in latest[names[2]]] == [PUBLISHED, FAILED]
    _assert_nothing_half_published(portal, anonymous, names)
    restricted = {d.name: d.restricted for d in workspace.catalog.datasets}
    assert all(portal.call("package_show", {"id": name})["private"] is restricted[name] for name in names)


def _assert_nothing_half_published(portal: Portal, anonymous: Portal, names: list[str]) -> None:
    """No duplicate resource anywhere; a public dataset has its complete resource; a private one is hidden."""
    for name in names:
        try:
            package = portal.call("package_show", {"id": name})
        except PortalNotFound:
            continue
        resources = package["resources"]
        assert len(resources) <= 1, f"{name}: duplicate resources"
        if package["private"]:
            with pytest.raises((PortalDenied, PortalNotFound)):
                anonymous.call("package_show", {"id": name})
            continue
        [resource] = resources
        assert resource["period"] == SAMPLE_PERIOD and resource["datastore_active"] is True
        assert resource["datastore_sha256"] == resource["sha256"], f"{name}: public before its table was complete"
        assert anonymous.call("package_show", {"id": name})["resources"][0]["id"] == resource["id"]


def test_a_second_monthly_run_at_the_same_time_is_refused(workspace: Workspace, portal_env: dict[str, str]) -> None:
    config = workspace.write_config(portal_env["GONGKAI_CKAN_URL"], portal_env["GONGKAI_CKAN_TOKEN_FILE"])
    second: list[subprocess.CompletedProcess[str]] = []

    def start_second_run(dataset: Any, step: str) -> None:
        if not second:
            second.append(workspace.publish(*workspace.monthly_args(), "--dry-run", config=config))

    with workspace.ledger() as ledger:
        first = MonthlyJob(workspace.catalog, workspace.inbox, workspace.dist, ledger, None,
                           progress=start_second_run).run(SAMPLE_PERIOD, workspace.names)
    [refused] = second
    assert refused.returncode == 1
    assert "另一个 publish monthly 正在运行" in refused.stderr and "Traceback" not in refused.stderr
    assert [o.outcome for o in first.outcomes] == [STAGED] * len(workspace.names)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs mounted for the test (root only); skipped with the reason when mounting is impossible."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能挂载 tmpfs 来模拟磁盘已满（当前不是 root）")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"无法挂载 tmpfs 来模拟磁盘已满：{mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


def test_a_full_disk_while_staging_leaves_no_half_package(
    workspace: Workspace, small_disk: Path, tmp_path: Path
) -> None:
    # Stage once on the ordinary disk to learn the sizes, then leave room for the lock file, the first package
    # and only the second package's data.csv: the disk fills up in the middle of the second package.
    first, second = workspace.names[:2]
    with workspace.ledger() as ledger:
        probe_job = MonthlyJob(workspace.catalog, workspace.inbox, tmp_path / "probe", ledger, None)
        probe_job.run(SAMPLE_PERIOD, [first, second])
    probe = tmp_path / "probe" / SAMPLE_PERIOD
    room = PAGE + sum(_pages(p) for p in (probe / first).iterdir()) + _pages(probe / second / "data.csv")
    dist, filler = small_disk / "dist", small_disk / "filler"
    _fill(filler, leave=room)
    with workspace.ledger() as ledger:
        full = MonthlyJob(workspace.catalog, workspace.inbox, dist, ledger, None).run(SAMPLE_PERIOD)
    outcomes = [o.outcome for o in full.outcomes]
    assert outcomes[:2] == [STAGED, FAILED] and FAILED in outcomes
    failed = [o for o in full.outcomes if o.outcome == FAILED]
    assert all(o.message.startswith("磁盘空间不足") for o in failed), [o.message for o in failed]
    _assert_only_whole_packages(dist / SAMPLE_PERIOD, {o.dataset.name for o in full.outcomes if o.outcome == STAGED})

    filler.unlink()
    with workspace.ledger() as ledger:
        again = MonthlyJob(workspace.catalog, workspace.inbox, dist, ledger, None).run(SAMPLE_PERIOD)
    assert [o.outcome for o in again.outcomes] == [STAGED] * len(workspace.names)
    _assert_only_whole_packages(dist / SAMPLE_PERIOD, set(workspace.names))


def _pages(path: Path) -> int:
    """Bytes a file takes on tmpfs: whole pages."""
    return -(-path.stat().st_size // PAGE) * PAGE


def _fill(path: Path, leave: int) -> None:
    """Write a file that leaves exactly `leave` bytes free on its filesystem."""
    stats = os.statvfs(path.parent)
    path.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    assert os.statvfs(path.parent).f_bavail * stats.f_frsize == leave


def _assert_only_whole_packages(period_dir: Path, expected: set[str]) -> None:
    """Exactly the expected package folders, each with all its files and a data.csv matching its hash."""
    entries = {p.name for p in period_dir.iterdir()} if period_dir.exists() else set()
    assert entries == expected, "no temporary or half-written folder is left behind"
    for name in expected:
        folder = period_dir / name
        assert {p.name for p in folder.iterdir()} == {"data.csv", "datapackage.json", "audit.json"}
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        digest = hashlib.sha256((folder / "data.csv").read_bytes()).hexdigest()
        assert descriptor["resources"][0]["hash"] == f"sha256:{digest}"
        json.loads((folder / "audit.json").read_text(encoding="utf-8"))

"""Fixtures for tests that talk to the real local CKAN started by `scripts/ckan.sh up`.

The portal's address and token file come from .ckan/portal.env (written by the script) or the environment.
When the portal does not answer, every integration test fails with a message saying how to start it:
they never skip, so CI cannot pass without a real portal.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from publish.ckan import Portal, PortalError
from publish.config import Secret, read_secret_file

if TYPE_CHECKING:
    from tests.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


def _portal_env() -> dict[str, str]:
    env: dict[str, str] = {}
    env_file = Path(os.environ.get("GONGKAI_CKAN_HOME", ROOT / ".ckan")) / "portal.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env.update({k: v for k, v in os.environ.items() if k.startswith("GONGKAI_CKAN_")})
    return env


@pytest.fixture(scope="session")
def portal_env() -> dict[str, str]:
    """GONGKAI_CKAN_URL and GONGKAI_CKAN_TOKEN_FILE of the local portal."""
    env = _portal_env()
    if "GONGKAI_CKAN_URL" not in env or "GONGKAI_CKAN_TOKEN_FILE" not in env:
        pytest.fail("本地 CKAN 未配置：请先运行 scripts/ckan.sh up（或 make test）", pytrace=False)
    return env


@pytest.fixture(scope="session")
def ckan_token(portal_env: dict[str, str]) -> Secret:
    """The local sysadmin's API token."""
    return read_secret_file(Path(portal_env["GONGKAI_CKAN_TOKEN_FILE"]), "CKAN API 令牌")


@pytest.fixture(scope="session")
def portal(portal_env: dict[str, str], ckan_token: Secret) -> Portal:
    """A sysadmin Portal on the local CKAN; fails the session clearly when CKAN is down."""
    portal = Portal(portal_env["GONGKAI_CKAN_URL"], ckan_token, timeout=60, retries=1, backoff=0.2)
    try:
        portal.check()
    except PortalError as exc:
        pytest.fail(f"本地 CKAN 不可用（{exc.message}）：请运行 scripts/ckan.sh up", pytrace=False)
    return portal


@pytest.fixture(scope="session")
def anonymous(portal_env: dict[str, str]) -> Portal:
    """The same portal without a token: what the public sees."""
    return Portal(portal_env["GONGKAI_CKAN_URL"], timeout=60, retries=1, backoff=0.2)


@pytest.fixture
def unique() -> str:
    """A short random suffix for CKAN names, so tests never collide with each other or earlier runs."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def organization(portal: Portal, unique: str) -> Iterator[dict]:
    """A throwaway organization with a Chinese title, purged afterwards with its datasets."""
    org = portal.call("organization_create", {"name": f"test-org-{unique}", "title": "测试单位（区民政局）"})
    yield org
    for package in portal.call("package_search", {"fq": f"owner_org:{org['id']}", "rows": 1000,
                                                   "include_private": True})["results"]:
        portal.call("dataset_purge", {"id": package["id"]})
    portal.call("organization_purge", {"id": org["id"]})


@pytest.fixture
def workspace(tmp_path: Path, unique: str, portal: Portal, monkeypatch: pytest.MonkeyPatch) -> Iterator["Workspace"]:
    """A suffixed copy of the sample datasets with a synthetic inbox; purged from the portal afterwards."""
    from tests.workspace import TEST_PSEUDONYM_KEY, create_workspace, purge

    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    created = create_workspace(tmp_path / "workspace", unique)
    yield created
    purge(portal, created)

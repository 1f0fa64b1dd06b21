"""The ledger against real SQLite and the real local PostgreSQL (a throwaway database per test run)."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from publish.errors import ConfigError
from publish.ledger import SCHEMA_VERSION, Ledger, Request

PG_SERVER = os.environ.get("GONGKAI_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database, dropped afterwards; fails when no server is reachable."""
    psycopg = pytest.importorskip("psycopg")
    name = f"gongkai_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL not reachable for the ledger tests (scripts/ckan.sh up sets "
                    f"GONGKAI_TEST_POSTGRES): {type(exc).__name__}", pytrace=False)
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database for this module's tests."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a ledger lives: a SQLite file, or a PostgreSQL database emptied before each test."""
    if request.param == "sqlite":
        yield str(tmp_path / "sub" / "ledger.sqlite")
        return
    url = request.getfixturevalue("postgres_url")
    with Ledger(url) as ledger:  # create the schema, then empty it
        for table in ("publications", "runs", "requests"):
            ledger._execute(f"DELETE FROM {table}")
    yield url


def test_schema_is_created_once_and_versioned(target: str) -> None:
    with Ledger(target) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
    with Ledger(target) as again:  # reopening does not migrate twice
        assert again.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_staff_opening_a_new_ledger_at_once(backend: str, tmp_path: Path) -> None:
    """Several staff creating the schema together: one migrates, the others wait and find it done."""

    def open_all(target: str) -> list[int]:
        def version(_: int) -> int:
            with Ledger(target) as ledger:
                return ledger.schema_version

        with ThreadPoolExecutor(max_workers=6) as pool:
            return list(pool.map(version, range(6)))

    if backend == "sqlite":
        assert open_all(str(tmp_path / "shared.sqlite")) == [SCHEMA_VERSION] * 6
        return
    with new_postgres_database() as url:
        assert open_all(url) == [SCHEMA_VERSION] * 6


def test_runs_and_publications(target: str) -> None:
    with Ledger(target) as ledger:
        run = ledger.start_run("monthly", period="2026-10")
        assert ledger.get_run(run).finished_at is None
        ledger.record_publication(run, "air-quality", "2026-10", "published", resource_id="r1",
                                  package_id="p1", sha256="a" * 64, rows=31, timings={"push": 1.25})
        ledger.record_publication(run, "air-quality", "2026-10", "failed", error="门户无响应")
        ledger.record_publication(run, "urban-rural-dibao", "2026-10", "published", rows=120)
        ledger.finish_run(run, "partial")

        finished = ledger.get_run(run)
        assert finished.outcome == "partial" and finished.finished_at >= finished.started_at
        assert finished.period == "2026-10" and finished.command == "monthly"

        newest = ledger.last_publication("air-quality", "2026-10")
        assert newest.outcome == "failed" and newest.error == "门户无响应"
        good = ledger.last_publication("air-quality", "2026-10", outcomes=["published", "unchanged"])
        assert (good.resource_id, good.package_id, good.rows) == ("r1", "p1", 31)
        assert good.sha256 == "a" * 64 and good.timings == {"push": 1.25} and good.run_id == run
        assert ledger.last_publication("air-quality", "2026-09") is None

        assert [p.dataset for p in ledger.history()] == ["urban-rural-dibao", "air-quality", "air-quality"]
        assert [p.outcome for p in ledger.history(limit=5, dataset="air-quality")] == ["failed", "published"]
        assert len(ledger.history(limit=1)) == 1


def test_requests_upsert_and_filter(target: str) -> None:
    first = Request("2026-001", "A-1f2e", "air-quality", datetime(2026, 9, 30, 16, 0))
    second = Request("2026-002", None, "urban-rural-dibao", datetime(2026, 10, 9, 9, 30))
    with Ledger(target) as ledger:
        ledger.save_request(first)
        ledger.save_request(second)
        closed = Request(**{**first.__dict__, "answered_at": datetime(2026, 10, 8, 10, 0), "outcome": "同意公开"})
        ledger.save_request(closed)  # same id: an update, not a second row

        assert ledger.get_request("2026-001") == closed
        assert ledger.get_request("nope") is None
        assert [r.id for r in ledger.list_requests()] == ["2026-001", "2026-002"]
        assert [r.id for r in ledger.list_requests("2026-10")] == ["2026-002"]
        assert set(ledger.request_ids("2026-")) == {"2026-001", "2026-002"}


def test_repr_does_not_show_the_url(postgres_url: str) -> None:
    with Ledger(postgres_url) as ledger:
        assert repr(ledger) == "<Ledger postgresql>"


def test_unreachable_postgres_is_a_config_error_without_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        Ledger("postgresql://staff:topsecret@127.0.0.1:1/none?connect_timeout=2")
    assert "topsecret" not in caught.value.message


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ConfigError, match="99"):
        Ledger(path)


def test_unopenable_sqlite_path_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError):
        Ledger(tmp_path / "file" / "ledger.sqlite")

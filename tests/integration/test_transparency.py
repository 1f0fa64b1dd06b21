"""The request statistics reach the portal as an open dataset, with aggregates only."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
import requests

from publish.ckan import Portal
from publish.ledger import Request
from publish.turnaround import build_report
from publish.transparency import REQUEST_STATISTICS, publish_request_statistics
from publish.workdays import WorkCalendar

pytestmark = pytest.mark.integration


def test_statistics_are_published_once_and_hold_no_applicant(portal: Portal, tmp_path: Path, unique: str) -> None:
    dataset = dataclasses.replace(
        REQUEST_STATISTICS, name=f"request-stats-{unique}",
        unit=dataclasses.replace(REQUEST_STATISTICS.unit, slug=f"big-data-center-{unique}"),
    )
    logged = [
        Request("SQ-1", "applicant-pseudonym-a", "城乡低保", datetime(2026, 9, 1, 10), answered_at=datetime(2026, 9, 3, 11)),
        Request("SQ-2", "applicant-pseudonym-b", "空气质量", datetime(2026, 10, 9, 9), answered_at=datetime(2026, 10, 20, 9)),
    ]
    report = build_report(logged, date(2026, 11, 25), year=2026, calendar=WorkCalendar())
    try:
        first = publish_request_statistics(portal, report.monthly, 2026, tmp_path, dataset)
        again = publish_request_statistics(portal, report.monthly, 2026, tmp_path, dataset)
        assert (first.outcome, again.outcome) == ("published", "unchanged")
        text = requests.get(first.url, timeout=30).content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("月份,收到申请数")
        assert "2026-09" in text and "2026-10" in text
        assert "applicant" not in text and "SQ-" not in text
        package = portal.call("package_show", {"id": dataset.name})
        assert [r["name"] for r in package["resources"]] == ["开放数据申请办理情况统计 2026年"]
    finally:
        portal.call("dataset_purge", {"id": dataset.name})
        portal.call("organization_purge", {"id": dataset.unit.slug})

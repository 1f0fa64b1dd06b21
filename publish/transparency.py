"""Publish the open-data request statistics on the portal, as an open dataset of its own.

Only the monthly aggregates of `publish.turnaround.monthly_statistics` go out: counts, shares and working-day
figures per month of receipt, never an applicant or a request id. They travel the same road as every other
dataset (anonymize policy, leak gate, staged package, idempotent push), with one resource per year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from publish.catalog import Dataset, PublicationRule, Unit
from publish.ckan import Portal
from publish.push import Pusher, PushResult
from publish.stage import stage
from publish.turnaround import MONTHLY_SCHEMA

BIG_DATA_CENTER = Unit(slug="big-data-center", title="山亭区大数据中心", name="区大数据中心",
                       description="负责全区公共数据开放平台的建设和运营。")

REQUEST_STATISTICS = Dataset(
    name="open-data-request-statistics",
    number=0,
    title="开放数据申请办理情况统计",
    description="依申请开放数据的按月办理统计：收到、答复、按时答复数量，答复用时（工作日）中位数与 90 分位。"
                "只含汇总数字，不含申请人和申请编号。",
    unit=BIG_DATA_CENTER,
    rule=PublicationRule("monthly"),
    open_access="无条件开放",
    theme="GOVE",
    frequency="MONTHLY",
    publisher="山亭区大数据中心",
    tags=("政务公开", "依申请开放", "统计"),
    license_id="cc-by",
    schema={**MONTHLY_SCHEMA, "primaryKey": ["month"]},
)


def publish_request_statistics(
    portal: Portal, statistics: pd.DataFrame, year: int, dist: Path, dataset: Dataset = REQUEST_STATISTICS
) -> PushResult:
    """Stage the year's monthly statistics and push them as the dataset's resource for that year."""
    staged = stage(dataset, str(year), statistics, dist)
    return Pusher(portal).push(dataset, staged)

"""The public's path in a real browser: Debian's headless Chromium, driven by Selenium, as an anonymous visitor.

One sample indicator is published with `publish monthly`'s pipeline into a suffixed catalog copy; the browser
opens its dataset page (Chinese title), its resource page (the data dictionary shows the DataStore's Chinese
labels), downloads the CSV through the page's own link and checks it is the staged file: BOM, Chinese headers,
no raw personal value. A private dataset's page must not show anything to the same visitor. Screenshots go to
test-artifacts/ for people to look at. Needs `chromium` and `chromium-driver` (scripts/ckan.sh deps installs
them); nothing is downloaded by Selenium.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from publish.ckan import Portal
from publish.ledger import Ledger
from publish.monthly import PUBLISHED, DatasetOutcome, MonthlyJob
from publish.read import read_table
from tests.workspace import ROOT, SAMPLE_PERIOD, TEST_PSEUDONYM_KEY, create_workspace, purge

pytestmark = pytest.mark.integration

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=zh-CN"]
ARTIFACTS = ROOT / "test-artifacts"
DOWNLOAD_WAIT = 60.0  # seconds to wait for the browser to finish a download before giving up


@dataclass(frozen=True)
class Published:
    """One indicator as published for the sample period, with where its staged package is."""

    outcome: DatasetOutcome
    staged: Path

    @property
    def titles(self) -> list[str]:
        """The public CSV's Chinese headers, in order, from the staged data package."""
        descriptor = json.loads((self.staged / "datapackage.json").read_text(encoding="utf-8"))
        return [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, portal: Portal) -> Iterator[Published]:
    """城乡低保 (personal data inside) published through the pipeline; purged after the module."""
    workspace = create_workspace(tmp_path_factory.mktemp("browser"), uuid.uuid4().hex[:10], ["urban-rural-dibao"])
    with pytest.MonkeyPatch.context() as patch, Ledger(workspace.ledger_path) as ledger:
        patch.setenv("GONGKAI_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
        report = MonthlyJob(workspace.catalog, workspace.inbox, workspace.dist, ledger, portal).run(SAMPLE_PERIOD)
    [outcome] = report.outcomes
    try:
        assert outcome.outcome == PUBLISHED, outcome.message
        yield Published(outcome, workspace.dist / SAMPLE_PERIOD / outcome.dataset.name)
    finally:
        purge(portal, workspace)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile and downloads allowed into a temporary folder."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("缺少 Chromium：请运行 scripts/ckan.sh deps（安装 chromium、chromium-driver、fonts-noto-cjk）",
                    pytrace=False)
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _screenshot(driver: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_dataset_page_shows_the_chinese_title(
    browser: webdriver.Chrome, published: Published, portal_env: dict[str, str]
) -> None:
    dataset = published.outcome.dataset
    browser.get(f"{portal_env['GONGKAI_CKAN_URL']}/dataset/{dataset.name}")
    _screenshot(browser, "dataset-page")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.strip() == dataset.title
    assert dataset.unit.title in browser.find_element(By.TAG_NAME, "body").text


def test_resource_page_shows_the_data_dictionary_in_chinese(
    browser: webdriver.Chrome, published: Published, portal_env: dict[str, str]
) -> None:
    outcome = published.outcome
    browser.get(f"{portal_env['GONGKAI_CKAN_URL']}/dataset/{outcome.dataset.name}/resource/{outcome.resource_id}")
    _screenshot(browser, "resource-page")
    headers = browser.find_elements(By.CSS_SELECTOR, ".accordion-header .col-7")
    assert [h.text.strip() for h in headers] == published.titles


def test_the_page_link_downloads_the_staged_csv_without_personal_data(
    browser: webdriver.Chrome, published: Published, portal_env: dict[str, str], tmp_path: Path
) -> None:
    outcome = published.outcome
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(f"{portal_env['GONGKAI_CKAN_URL']}/dataset/{outcome.dataset.name}/resource/{outcome.resource_id}")
    browser.find_element(By.CSS_SELECTOR, "a.resource-url-analytics").click()
    downloaded = _wait_for_download(tmp_path).read_bytes()

    assert downloaded == (published.staged / "data.csv").read_bytes()
    assert downloaded.startswith(b"\xef\xbb\xbf")
    text = downloaded.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == published.titles
    assert outcome.file is not None and outcome.dataset.schema is not None
    source = read_table(outcome.file, outcome.dataset.schema).frame
    for field, category in outcome.dataset.pii_fields.items():
        if category == "free_text":
            continue
        raw = [v for v in source[field].dropna().astype(str) if len(v) >= 2]
        assert raw and not any(v in text for v in raw), f"raw {category} values of {field} in the public CSV"


def _wait_for_download(folder: Path) -> Path:
    """The one finished file the browser saved into `folder` (Chromium writes *.crdownload until done)."""
    deadline = time.monotonic() + DOWNLOAD_WAIT
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    pytest.fail(f"浏览器在 {DOWNLOAD_WAIT:.0f} 秒内没有完成下载：{sorted(p.name for p in folder.iterdir())}")


def test_a_private_dataset_is_not_visible_anonymously(
    browser: webdriver.Chrome, portal: Portal, organization: dict, unique: str, portal_env: dict[str, str]
) -> None:
    title = f"内部资料（不公开）{unique}"
    name = f"private-browser-{unique}"
    portal.call("package_create", {"name": name, "title": title, "owner_org": organization["id"], "private": True})
    for path in (f"/dataset/{name}", f"/dataset/?q={name}", f"/organization/{organization['name']}"):
        browser.get(f"{portal_env['GONGKAI_CKAN_URL']}{path}")
        assert title not in browser.page_source, path
    browser.get(f"{portal_env['GONGKAI_CKAN_URL']}/dataset/{name}")
    _screenshot(browser, "private-dataset-anonymous")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("404")

"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium).

The app runs as its own process (`python -m insights`) on 127.0.0.1 with a
free port: once on the hand-made dataset of tests/support/insights_dataset.py, whose
answers are counted by hand, and once on a small synthetic output for the
screenshots in docs/screenshots/ that the README shows. `make test`
installs the browser; without it these tests fail and say how to get it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.support.insights_dataset import write_known_dataset
from tests.support.paths import ROOT
from tests.support.processes import free_port

pytestmark = pytest.mark.slow
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 30.0


def _serve(folder: Path, log: Path) -> Iterator[str]:
    """Run the app on `folder`, named by its relative path (so the screenshots' header is the same every run)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "insights", folder.name, "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=folder.parent, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            if time.time() > deadline:
                process.kill()
                raise RuntimeError(f"the dashboard did not answer in 90 s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def known_app(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("known")
    yield from _serve(write_known_dataset(root / "out"), root / "app.log")


@pytest.fixture(scope="module")
def synthetic_app(tmp_path_factory) -> Iterator[str]:
    from bench.synthetic import generate, write

    root = tmp_path_factory.mktemp("synthetic")
    write(*generate(3000, seed=1), root / "out")
    yield from _serve(root / "out", root / "app.log")


@pytest.fixture(scope="module")
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver "
                    "(make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,1000", "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def wait_for(driver, condition: Callable, what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}") from None


def text_of(driver, css: str) -> str:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        return driver.find_element("css selector", css).text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def kpi(driver, index: int = 0) -> str:
    return text_of(driver, f"#kpi-{index} .kpi-value")


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def open_dashboard(driver, url: str) -> None:
    driver.get(url + "/")
    wait_for(driver, lambda d: kpi(d) not in ("", "–"), "the headline numbers")
    wait_for(driver, lambda d: d.find_elements("css selector", "#demand-top .barlayer .point"), "the top-skills chart")


def choose(driver, dropdown_id: str, value: str) -> None:
    """Open a Dash dropdown and click the option whose label is `value (count)`."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.find_element("id", dropdown_id).click()
    option = wait_for(driver, lambda d: next((o for o in d.find_elements("css selector", "[role=option]")
                                              if o.text.rsplit(" (", 1)[0] == value), None),
                      f"option {value!r} of {dropdown_id}")
    option.click()
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()


def open_tab(driver, label: str) -> None:
    driver.find_element("xpath", f"//div[contains(@class, 'tab') and normalize-space()='{label}']").click()


def shoot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.8)  # let Plotly finish its transitions
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


# ------------------------------------------------------------------------------------------------ known answers

def test_page_loads_without_console_errors(browser, known_app):
    browser.get_log("browser")  # start from an empty log
    open_dashboard(browser, known_app)
    assert kpi(browser) == "6"  # the newest model version's six listings
    assert "Python" in text_of(browser, "#demand-top")
    assert console_errors(browser) == []


def test_a_filter_changes_the_numbers_and_the_csv(browser, known_app):
    open_dashboard(browser, known_app)
    choose(browser, "f-seniority", "Senior")
    wait_for(browser, lambda d: kpi(d) == "3", "3 senior listings")
    href = browser.find_element("id", "download-jobs").get_attribute("href")
    assert "seniorities=Senior" in href
    csv = urllib.request.urlopen(href, timeout=10).read().decode()
    assert sorted(line.split(",")[0].strip('"') for line in csv.splitlines()[1:]) == ["j1", "j2", "j4"]
    choose(browser, "f-location", "Porto")  # Porto's only listing is junior
    wait_for(browser, lambda d: "No listings match these filters" in text_of(d, "#empty-state"), "the empty state")
    browser.find_element("id", "clear-filters").click()
    wait_for(browser, lambda d: kpi(d) == "6" and not text_of(d, "#empty-state"), "the cleared filters")
    assert console_errors(browser) == []


def test_skill_gap_answers_for_the_known_dataset(browser, known_app):
    open_dashboard(browser, known_app)
    open_tab(browser, "Skill gap")
    choose(browser, "gap-role", "Data Engineer")
    choose(browser, "gap-seniority", "Senior")
    browser.find_element("id", "gap-skills").send_keys("python, SQL; aws\nk8s")
    browser.find_element("id", "gap-go").click()
    wait_for(browser, lambda d: text_of(d, "#gap-matched"), "the skill gap")
    # j1, j2, j4 are the senior Data Engineer listings; only j2 requires nothing beyond Python, SQL and AWS
    assert text_of(browser, "#gap-matched") == "1 of 3"
    assert text_of(browser, "#gap-share") == "33%"
    missing = [li.text for li in browser.find_elements("css selector", "#gap-missing li")]
    assert missing == ["Apache Airflow — 3 listings (100%)", "Apache Spark — 1 listing (33%)"]
    assert "Kubernetes" in text_of(browser, ".gap-summary")  # "k8s" was canonicalised
    assert console_errors(browser) == []


def test_job_page_highlights_skills_at_their_evidence_and_shows_markup_as_text(browser, known_app):
    from selenium.common.exceptions import NoAlertPresentException

    browser.get(known_app + "/job/j1?model=m%40new")
    wait_for(browser, lambda d: d.find_elements("css selector", "#listing-text mark"), "the highlighted text")
    marks = {m.text: m.get_attribute("title") for m in browser.find_elements("css selector", "#listing-text mark")}
    assert marks["Airflow"] == "Apache Airflow" and marks["k8s"] == "Kubernetes" and marks["Python"] == "Python"
    text = text_of(browser, "#listing-text")
    assert "<script>alert('pwned')</script>" in text and "<b>Nice to have</b>" in text
    assert browser.find_elements("css selector", "#listing-text script, #listing-text b") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert '"role_title": "Data Engineer"' in text_of(browser, "#extraction-json")
    assert console_errors(browser) == []


# ------------------------------------------------------------------------------------------------ screenshots

def test_screenshots_of_the_main_views(browser, synthetic_app):
    open_dashboard(browser, synthetic_app)
    shoot(browser, "skill-demand")
    views = [("Trends", "#trend .scatterlayer .trace"), ("Market", "#pairs-heat .heatmaplayer"),
             ("Benefits", "#benefits .barlayer .point"), ("Data quality", "#run-summaries")]
    for label, ready in views:
        open_tab(browser, label)
        wait_for(browser, lambda d: d.find_elements("css selector", ready), f"the {label} tab")
        shoot(browser, label.lower().replace(" ", "-"))
    open_tab(browser, "Skill gap")
    choose(browser, "gap-role", "Data Engineer")
    choose(browser, "gap-seniority", "Senior")
    browser.find_element("id", "gap-skills").send_keys("Python, SQL, Docker, k8s, Power BI")
    browser.find_element("id", "gap-go").click()
    wait_for(browser, lambda d: text_of(d, "#gap-matched"), "the skill gap")
    shoot(browser, "skill-gap")
    open_tab(browser, "Jobs")
    link = wait_for(browser, lambda d: d.find_elements("css selector", "#jobs-table a"), "the jobs table")[0]
    shoot(browser, "jobs")
    link.click()
    wait_for(browser, lambda d: d.find_elements("css selector", "#listing-text mark"), "a job page")
    shoot(browser, "job-detail")
    assert console_errors(browser) == []
    assert sorted(p.name for p in SHOTS.glob("*.png")) == sorted(
        f"{n}.png" for n in ("skill-demand", "trends", "market", "benefits", "data-quality", "skill-gap", "jobs",
                             "job-detail"))

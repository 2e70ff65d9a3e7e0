"""The sandbox's page in a real browser (headless Chromium from the system's packages, driven by
Selenium): a resident reports a dog with a sample photo and a point clicked on the map, the
officer accepts it from the card on their phone, the resident's phone shows it, and time moved
forward makes the unresolved case escalate to the lead's phone.

`pytest -m browser` runs these; CI installs chromium and chromium-driver (.ci/run), and a
missing browser fails the test rather than skipping it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.sandbox.process import free_port, sandbox_process

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

WAIT_S = 20  # for one answer of the bot (the CI machine may be busy)
MOVES_AT_MOST = 6  # two days each: weekends and holidays hold working-day deadlines


def chromium() -> WebDriver:
    driver = shutil.which("chromedriver")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert driver, "chromedriver is missing: apt-get install -y chromium chromium-driver"
    assert browser, "chromium is missing: apt-get install -y chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=2200,1400")
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with sandbox_process(tmp_path / "data", free_port()) as running:
        browser = chromium()
        try:
            browser.get(running.url)
            yield Page(browser)
        finally:
            browser.quit()


class Page:
    """The phones as a person sees them."""

    def __init__(self, browser: WebDriver) -> None:
        self.browser = browser
        self.until(lambda: "live" in self.browser.find_element(By.ID, "status").text)

    def until(self, check, within: float = WAIT_S):  # type: ignore[no-untyped-def]
        # A message edited in place is a new element: an old one found meanwhile is looked up again.
        wait = WebDriverWait(
            self.browser, within, 0.1, ignored_exceptions=(StaleElementReferenceException,)
        )
        return wait.until(lambda _: check())

    def phone(self, key: str) -> WebElement:
        return self.browser.find_element(By.CSS_SELECTOR, f'[data-phone="{key}"]')

    def messages(self, key: str) -> list[WebElement]:
        return self.phone(key).find_elements(By.CSS_SELECTOR, ".chat .msg")

    def message(self, key: str, *words: str, within: float = WAIT_S) -> WebElement:
        """The latest message of the phone that says all of `words` (waiting for it)."""

        def found() -> WebElement | None:
            hits = [m for m in self.messages(key) if all(w in m.text for w in words)]
            return hits[-1] if hits else None

        return self.until(found, within)

    def press(self, key: str, text: str, *words: str) -> None:
        """Press the button `text` under the latest message that says `words`."""

        def pressed() -> bool:
            buttons = self.message(key, *words).find_elements(By.CSS_SELECTOR, ".inline button")
            button = next((b for b in buttons if b.text == text), None)
            if button is None:
                return False
            button.click()
            return True

        self.until(pressed)

    def menu(self, key: str, text: str) -> None:
        def button() -> WebElement | None:
            found = self.phone(key).find_elements(By.CSS_SELECTOR, ".menu button")
            return next((b for b in found if b.text == text), None)

        self.until(button).click()

    def type(self, key: str, text: str) -> None:
        phone = self.phone(key)
        phone.find_element(By.CSS_SELECTOR, ".compose-text").send_keys(text)
        phone.find_element(By.CSS_SELECTOR, ".send").click()

    def sample_photo(self, key: str, name: str) -> None:
        phone = self.phone(key)
        phone.find_element(By.CSS_SELECTOR, ".attach").click()
        phone.find_element(By.CSS_SELECTOR, f'.samples [data-sample="{name}"]').click()

    def click_map(self, grid: str) -> None:
        self.until(lambda: self.browser.find_element(By.ID, "map-dialog").is_displayed())
        self.browser.find_element(By.CSS_SELECTOR, f'#map path.grid[data-code="{grid}"]').click()

    def move_time(self, move: str) -> None:
        button = self.browser.find_element(By.CSS_SELECTOR, f'[data-move="{move}"]')
        button.click()
        self.until(button.is_enabled, within=60)  # the clock's jobs have run


def report_a_dog(page: Page) -> str:
    """The resident's whole report through the page; returns the case number."""
    page.type("resident_zh", "/start")
    page.menu("resident_zh", "📝 我要报事")
    page.press("resident_zh", "🐕 犬只问题", "请选择问题类型")
    page.press("resident_zh", "流浪犬", "是什么情况")
    page.press("resident_zh", "1 只", "有几只犬")
    page.press("resident_zh", "⏭ 跳过，不知道登记号", "登记号")
    page.message("resident_zh", "请用文字简单描述")
    page.type("resident_zh", "小区门口有一只流浪狗，追着孩子叫")
    page.message("resident_zh", "请发送现场照片")
    page.sample_photo("resident_zh", "dog.jpg")
    page.press("resident_zh", "✅ 完成", "已收到 1 张照片")
    page.message("resident_zh", "问题在哪里")
    page.menu("resident_zh", "📍 发送我的位置")
    page.click_map("JN01-1")  # the officer's grid
    # The clicked point is inside the grid.
    page.press("resident_zh", "✅ 提交", "请核对您的反映", "幸福社区第一网格")
    filed = page.message("resident_zh", "已登记，案件编号")
    number = re.search(r"JN-\d{6}", filed.text)
    assert number is not None
    return number.group()


def test_a_report_is_accepted_then_escalates_when_time_moves(page: Page) -> None:
    number = report_a_dog(page)
    resident_photo = page.phone("resident_zh").find_element(By.CSS_SELECTOR, ".msg.me img.photo")
    assert resident_photo.get_attribute("naturalWidth") != "0"  # the sample photo is drawn

    page.message("officer", number, "待受理")
    assert page.phone("officer").find_elements(By.CSS_SELECTOR, ".msg.bot img.photo")
    assert page.phone("officer").find_elements(By.CSS_SELECTOR, ".msg.bot svg .pin")
    page.press("officer", "✅ 受理", number, "待受理")
    page.message("resident_zh", number, "受理，正在办理")
    page.message("officer", f"📋 {number} · 办理中")  # the card, edited in place

    for _ in range(MOVES_AT_MOST):
        page.move_time("days2")
        try:
            page.message("lead", number, "超过办结时限", within=10)
            break
        except TimeoutException:  # not due yet: two days more
            continue
    else:
        pytest.fail(f"{number} never escalated to the lead")

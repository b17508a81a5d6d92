"""The citizen pages in a real browser (Chromium), on a phone and on a desktop, with JavaScript and without: each
shows its service in the language asked for, fits the screen's width, carries no script that could run, has no
serious or critical accessibility violation (axe-core: WCAG 2.1 A and AA, best practices) and leaves a full-page
screenshot in the artifacts directory."""

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from civicflow.local.layout import Layout
from tests.support.browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe,
    javascript_enabled,
    open_browser,
    save_screenshot,
)

SERVICE_ID = "99116002000000"
# The browser asks for German (Accept-Language); ?lang=en overrides it.
PAGES: list[tuple[str, str]] = [
    ("/services", "de"),
    (f"/services/{SERVICE_ID}", "de"),
    (f"/services/{SERVICE_ID}?lang=en", "en"),
]
# Only JSON-LD data; anything else would be a script the page could run.
EXECUTABLE_SCRIPTS = "return [...document.scripts].filter(s => s.type !== 'application/ld+json').length"
# WCAG 2.1 SC 1.4.10 Reflow: no scrolling sideways.
OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def titles(stack: Layout) -> dict[str, str]:
    answer = httpx.get(f"{stack.intake_url}/v1/services/{SERVICE_ID}", timeout=10)
    answer.raise_for_status()
    title: dict[str, str] = answer.json()["title"]
    return title


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(("path", "language"), PAGES, ids=["index", "service", "service-en"])
def test_page_shows_the_service_and_passes_axe(
    stack: Layout,
    titles: dict[str, str],
    path: str,
    language: str,
    viewport: tuple[int, int],
    javascript: bool,
) -> None:
    with open_browser(viewport, javascript) as driver:
        driver.get(f"{stack.intake_url}{path}")
        save_screenshot(driver, f"{path}-{viewport[0]}x{viewport[1]}-{'js' if javascript else 'nojs'}")
        assert javascript_enabled(driver) is javascript
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        _assert_shows_title(driver, titles[language], on_its_own_page=path != "/services")
        assert driver.execute_script(EXECUTABLE_SCRIPTS) == 0
        assert driver.execute_script(OVERFLOW) <= 0
        violations = axe_violations(driver)
        assert not violations, describe(violations)


def _assert_shows_title(driver: WebDriver, title: str, *, on_its_own_page: bool) -> None:
    if on_its_own_page:
        heading = driver.find_element(By.TAG_NAME, "h1")
        assert heading.is_displayed() and heading.text == title
    else:
        link = driver.find_element(By.LINK_TEXT, title)
        assert link.is_displayed() and SERVICE_ID in (link.get_attribute("href") or "")

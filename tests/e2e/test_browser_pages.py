"""The citizen pages in a real browser (Chromium), on a phone and on a desktop, with JavaScript and without: each
shows its service in the language asked for, fits the screen's width, carries no script that could run, has no
serious or critical accessibility violation (axe-core: WCAG 2.1 A and AA, best practices) and leaves a full-page
screenshot in the artifacts directory."""

import asyncio

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from tests.support.browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe,
    go,
    javascript_enabled,
    open_browser,
    save_screenshot,
)
from tests.support.deciding import decide
from tests.support.journeys import Posted, eventually, post, status_of

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


# Names nobody else in the tests uses.
ROSWITHA = ERIKA | {
    "given_name": "Roswitha",
    "family_name": "Zaunkönig",
    "birth_date": "1983-05-21",
    "email": "roswitha.zaunkoenig@example.org",
}


@pytest.fixture(scope="module")
def decided(stack: Layout, tmp_path_factory: pytest.TempPathFactory) -> Posted:
    """An application the agency accepted: its rating page shows the form."""

    async def filed_and_decided() -> Posted:
        provider = SigningKey.load_or_create(stack.idp_state_dir)
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
            posted = await post(client, application(provider, stack.idp_issuer, ROSWITHA), "routed")
            await eventually(lambda: status_of(client, posted), lambda status: status["status"] == "routed")
            work_dir = tmp_path_factory.mktemp("agency")
            await decide(stack, work_dir, "koeln-gewerbe", posted.submission_id, "accept", "Eingetragen.")
            await eventually(lambda: status_of(client, posted), lambda status: status["status"] == "decided")
        return posted

    return asyncio.run(filed_and_decided())


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_rating_page_passes_axe_before_and_after_its_one_click(
    stack: Layout, decided: Posted, viewport: tuple[int, int]
) -> None:
    """The form (a score preselected by the link) and the thanks after one click, without script: the first
    viewport rates, the second finds it rated."""
    link = f"{stack.intake_url}/status/{decided.submission_id}/rating?token={decided.token}&score=4"
    with open_browser(viewport, javascript=False) as driver:
        driver.get(link)
        name = f"rating-{viewport[0]}x{viewport[1]}"
        save_screenshot(driver, name)
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
        assert driver.execute_script(OVERFLOW) <= 0
        violations = axe_violations(driver)
        assert not violations, describe(violations)
        if driver.find_elements(By.ID, "score-4"):
            driver.find_element(By.ID, "comment").send_keys("Gut erklärt.")
            go(driver, lambda: driver.find_element(By.ID, "score-4").click(), (By.ID, "rated"))
        assert "4 \u2013 zufrieden" in driver.find_element(By.ID, "rated").text
        save_screenshot(driver, f"{name}-rated")
        violations = axe_violations(driver)
        assert not violations, describe(violations)

"""The insights pages in a real browser, on the whole stack: once an application went through, the staff page
(the operators' token sent as the page's credential) shows the figures and every chart, the public performance page
its few figures, and the operator page the application's trace through all four services as a waterfall; all pass
axe-core on a phone and leave screenshots (the README shows the staff page's)."""

import base64
import time
from datetime import UTC, datetime

import httpx
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from tests.support.browser import PHONE, axe_violations, describe, open_browser, save_screenshot
from tests.support.journeys import eventually, post, until_settled

SERVICE = "99050012104000"  # the sample application's
DESKTOP = (1280, 900)
PIPELINE = {"civicflow-intake", "civicflow-identity", "civicflow-routing", "civicflow-notify"}


def checked(driver: WebDriver, name: str) -> None:
    save_screenshot(driver, name)
    violations = axe_violations(driver)
    assert not violations, f"{name} ({driver.current_url}):\n{describe(violations)}"


async def test_the_staff_and_public_pages_show_what_the_applications_did(stack: Layout) -> None:
    token = stack.secrets.operator_token()
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as intake:
        posted = await post(
            intake, application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer), "routed"
        )
        await until_settled(intake, posted)
    today = datetime.now(UTC).date().isoformat()
    async with httpx.AsyncClient(base_url=stack.insights_url, timeout=10.0) as insights:
        await eventually(
            lambda: insights.get(f"/v1/performance/{SERVICE}", params={"from": today, "to": today}),
            lambda answer: answer.json()["volume"] >= 1,
            timeout=60.0,
        )
    credential = base64.b64encode(f"staff:{token}".encode()).decode()
    for name, viewport in (("insights-page", DESKTOP), ("insights-page-phone", PHONE)):
        with open_browser(viewport, accept_language="en") as driver:
            # What a browser sends once the staff member answered its prompt for the page's credential.
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {credential}"}})
            driver.get(f"{stack.insights_url}/insights/{SERVICE}?lang=en")
            assert driver.find_element(By.TAG_NAME, "h1").text == "Insights into the service"
            assert len(driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == 6
            received = driver.find_element(By.ID, "figures").text
            assert "Applications received" in received
            checked(driver, name)
    with open_browser(DESKTOP, accept_language="en") as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {credential}"}})
        trace_page = f"{stack.insights_url}/operations/applications/{posted.submission_id}/trace?lang=en"

        def every_service_shown() -> bool:
            driver.get(trace_page)
            shown = {row.text.split(" ")[0] for row in driver.find_elements(By.CSS_SELECTOR, "#trace-rows tbody tr")}
            return shown >= PIPELINE

        deadline = time.monotonic() + 60
        while not every_service_shown():
            assert time.monotonic() < deadline, driver.find_element(By.TAG_NAME, "main").text[:2000]
            time.sleep(1)  # noqa: ASYNC251 - the browser's own wait, nothing else runs meanwhile
        assert driver.find_element(By.CSS_SELECTOR, "#waterfall svg[role=img]")
        checked(driver, "trace-page")
    with open_browser(PHONE) as driver:
        driver.get(f"{stack.insights_url}/performance/{SERVICE}")
        assert driver.find_element(By.TAG_NAME, "h1").text == "So läuft dieser Antrag"
        assert "Anträge eingegangen" in driver.find_element(By.ID, "figures").text
        checked(driver, "performance-page")
        driver.get(f"{stack.insights_url}/insights/{SERVICE}")  # no credential: the browser's prompt, nothing shown
        assert "Anträge eingegangen" not in driver.page_source

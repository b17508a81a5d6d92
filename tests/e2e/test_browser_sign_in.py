"""Signing in on the page, in a real browser: a service that needs proof of identity sends the citizen to the
identity provider (the dev provider's OpenID Connect flow, PKCE and all); signed in too low, the page offers to
sign in again stronger (step-up); signed in well enough, the confirmed details are filled in and not typed, and
the application reaches its authority. One sign-in files one application."""

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from civicflow.local.layout import Layout
from tests.support.browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe,
    fill,
    go,
    open_browser,
    save_screenshot,
)

BUSINESS = "99050012104000"  # register a business: proof of identity "substantial"
DETAILS = {
    "applicant.email": "erika@example.org",
    "applicant.address.street": "Heidestraße 17",
    "applicant.address.postal_code": "51147",
    "applicant.address.city": "Köln",
    "form.business_name": "Mustermann Webdesign",
    "form.activity": "Webseiten gestalten",
    "form.start_date": "01.12.2026",
}


def checked(driver: WebDriver, name: str) -> None:
    save_screenshot(driver, f"sign-in-{name}")
    violations = axe_violations(driver)
    assert not violations, f"{name}:\n{describe(violations)}"


def sign_in_at_provider(driver: WebDriver, level: str, arrived: tuple[str, str]) -> None:
    """On the dev provider's page: the test person as it proposes, at `level`."""
    driver.find_element(By.ID, f"level-{level}").click()
    go(driver, driver.find_element(By.ID, "sign-in").click, arrived)


@pytest.mark.parametrize(
    ("viewport", "javascript"), [(PHONE, False), (DESKTOP, True)], ids=["phone-nojs", "desktop-js"]
)
def test_a_citizen_signs_in_steps_up_and_files_without_typing_who_they_are(
    stack: Layout, viewport: tuple[int, int], javascript: bool
) -> None:
    with open_browser(viewport, javascript) as driver:
        driver.get(f"{stack.intake_url}/services/{BUSINESS}/apply?lang=en")
        checked(driver, "asked")
        go(driver, driver.find_element(By.ID, "sign-in").click, (By.ID, "level-substantial"))
        assert driver.find_element(By.ID, "level-substantial").is_selected()  # the level the service needs

        sign_in_at_provider(driver, "low", (By.ID, "sign-in"))
        assert "This service needs" in driver.find_element(By.TAG_NAME, "main").text
        checked(driver, "step-up")

        go(driver, driver.find_element(By.ID, "sign-in").click, (By.ID, "level-substantial"))
        sign_in_at_provider(driver, "substantial", (By.CSS_SELECTOR, "p.verified"))
        confirmed = driver.find_element(By.TAG_NAME, "main").text
        assert "Erika" in confirmed and "Mustermann" in confirmed and "12.08.1964" in confirmed
        assert not driver.find_elements(By.NAME, "applicant.given_name")  # nothing to type about who they are
        fill(driver, DETAILS)
        Select(driver.find_element(By.NAME, "form.legal_form")).select_by_value("einzelunternehmen")
        checked(driver, "form")
        button = driver.find_element(By.CSS_SELECTOR, "form button[name=action][value=check]")
        go(driver, button.click, (By.ID, "submit"))
        go(driver, driver.find_element(By.ID, "submit").click, (By.CSS_SELECTOR, "ol.timeline"))
        checked(driver, "status")

        refresh = driver.find_element(By.PARTIAL_LINK_TEXT, "Refresh")
        for _ in range(60):
            if driver.find_elements(By.CSS_SELECTOR, "li[data-step=routed], li[data-step=rejected]"):
                break
            go(driver, refresh.click, (By.CSS_SELECTOR, "ol.timeline"))
            refresh = driver.find_element(By.PARTIAL_LINK_TEXT, "Refresh")
        assert driver.find_elements(By.CSS_SELECTOR, "li[data-step=routed]"), driver.find_element(
            By.TAG_NAME, "main"
        ).text

        # The sign-in filed its one application: the next one asks to sign in again.
        driver.get(f"{stack.intake_url}/services/{BUSINESS}/apply?lang=en")
        assert driver.find_elements(By.ID, "sign-in")

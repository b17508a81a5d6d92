"""The once-only profile in a real browser, on the whole stack: a citizen signs in, ticks the box to keep a profile
and files an application; once identity has verified it, the next application (a sign-in of its own) comes with
every personal detail filled in, so only the service's own questions are typed; the profile page (behind a sign-in)
shows each value with where it came from and both applications; erased, the profile is gone. Every page of ours
passes axe-core, and the prefilled form and the profile page leave screenshots."""

from collections.abc import Callable

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from civicflow.local.layout import Layout
from tests.support.browser import PHONE, axe_violations, describe, fill, go, open_browser, save_screenshot

BUSINESS = "99050012104000"  # register a business: proof of identity "substantial"
PARKING = "99108001001000"  # a resident parking permit: "substantial" too
# A person of this test's own (the dev provider signs in anyone), so no other test's applications are theirs.
PERSON = {"given_name": "Lotte", "family_name": "Profilprobe", "birthdate": "1979-03-05"}
PERSONAL = {
    "applicant.email": "lotte@example.org",
    "applicant.address.street": "Heidestraße 17",
    "applicant.address.postal_code": "51147",
    "applicant.address.city": "Köln",
}
BUSINESS_FIELDS = {
    "form.business_name": "Profilprobe Gartenbau",
    "form.activity": "Gärten anlegen und pflegen",
    "form.start_date": "01.12.2026",
}
PARKING_FIELDS = {"form.licence_plate": "K-LP 1979", "form.valid_from": "01.12.2026"}
# Identity verifies, publishes the profile, and intake keeps its copy: a few seconds on a shared machine.
WITHIN_SECONDS = 90
Locator = tuple[str, str]


def checked(driver: WebDriver, name: str) -> None:
    save_screenshot(driver, f"profile-{name}")
    violations = axe_violations(driver)
    assert not violations, f"{name} ({driver.current_url}):\n{describe(violations)}"


def main_text(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def sign_in(driver: WebDriver, level: str, arrived: Locator) -> None:
    """From one of our pages offering it, through the dev provider as the test's person, back to `arrived`."""
    go(driver, driver.find_element(By.ID, "sign-in").click, (By.ID, f"level-{level}"))
    fill(driver, PERSON)
    driver.find_element(By.ID, f"level-{level}").click()
    go(driver, driver.find_element(By.ID, "sign-in").click, arrived)


def reloaded_until(driver: WebDriver, condition: Callable[[WebDriver], bool], what: str) -> None:
    """Loads the page again (it does not refresh itself) until `condition` holds."""

    def holds(driver: WebDriver) -> bool:
        if condition(driver):
            return True
        go(driver, driver.refresh, (By.CSS_SELECTOR, "main h1"))
        return False

    try:
        WebDriverWait(driver, WITHIN_SECONDS, poll_frequency=1).until(holds)
    except TimeoutException:
        raise AssertionError(f"not {what} within {WITHIN_SECONDS} s:\n{main_text(driver)}") from None


def send(driver: WebDriver) -> None:
    """From the form through the summary (which shows the consent) to the status page."""
    button = driver.find_element(By.CSS_SELECTOR, "form button[name=action][value=check]")
    go(driver, button.click, (By.ID, "submit"))
    assert driver.find_element(By.CSS_SELECTOR, "#keep-profile dd").text == "Yes"
    go(driver, driver.find_element(By.ID, "submit").click, (By.CSS_SELECTOR, "ol.timeline"))


def steps(driver: WebDriver) -> set[str]:
    return {str(item.get_attribute("data-step")) for item in driver.find_elements(By.CSS_SELECTOR, "ol.timeline li")}


def test_a_kept_profile_fills_the_next_form_shows_where_each_value_came_from_and_is_erased(stack: Layout) -> None:
    with open_browser(PHONE, javascript=False, accept_language="en") as driver:
        # The first application: signed in, the citizen consents and types their details once.
        driver.get(f"{stack.intake_url}/services/{BUSINESS}/apply?lang=en")
        sign_in(driver, "substantial", (By.CSS_SELECTOR, "p.verified"))
        consent = driver.find_element(By.ID, "f-keep_profile")
        assert consent.get_attribute("type") == "checkbox" and not consent.is_selected()
        assert "erase" in driver.find_element(By.ID, "f-keep_profile-hint").text
        consent.click()
        fill(driver, PERSONAL | BUSINESS_FIELDS)
        Select(driver.find_element(By.NAME, "form.legal_form")).select_by_value("einzelunternehmen")
        checked(driver, "consent")
        send(driver)
        reloaded_until(driver, lambda page: bool({"verified", "rejected"} & steps(page)), "verified")
        assert "verified" in steps(driver), main_text(driver)

        # The next application: a sign-in of its own, and every personal detail is there already.
        driver.get(f"{stack.intake_url}/services/{PARKING}/apply?lang=en")
        sign_in(driver, "substantial", (By.CSS_SELECTOR, "p.verified"))
        email = (By.NAME, "applicant.email")
        reloaded_until(driver, lambda page: bool(page.find_element(*email).get_attribute("value")), "prefilled")
        shown = {name: driver.find_element(By.NAME, name).get_attribute("value") for name in PERSONAL}
        assert shown == PERSONAL
        assert "From your profile, given in your application of" in main_text(driver)
        assert driver.find_element(By.ID, "f-keep_profile").is_selected()  # consented before
        assert not driver.find_elements(By.NAME, "applicant.given_name")  # confirmed, never typed
        checked(driver, "prefilled-form")
        fill(driver, PARKING_FIELDS)  # only the service's own questions
        driver.find_element(By.ID, "f-form-vehicle_owner").click()
        send(driver)

        # The profile page: a sign-in (the last one filed its application), then every value and both applications.
        driver.get(f"{stack.intake_url}/profile?lang=en")
        checked(driver, "sign-in")
        sign_in(driver, "low", (By.CSS_SELECTOR, "dl.profile-values"))
        applications = (By.CSS_SELECTOR, "ul.own-submissions li")
        reloaded_until(driver, lambda page: len(page.find_elements(*applications)) == 2, "both applications listed")
        page = main_text(driver)
        assert "Lotte" in page and "Profilprobe" in page and "05.03.1979" in page and "confirmed by" in page
        assert "lotte@example.org" in page and "Heidestraße 17" in page and "given in your application of" in page
        assert "Register a business" in page and "Apply for a resident parking permit" in page
        checked(driver, "page")

        # Erased, after asking once more; the session ends with it, and the profile is gone.
        go(driver, driver.find_element(By.ID, "erase").click, (By.ID, "erase-now"))
        checked(driver, "erase")
        go(driver, driver.find_element(By.ID, "erase-now").click, (By.CSS_SELECTOR, ".panel[role=status]"))
        assert "signed out" in main_text(driver)
        checked(driver, "erased")
        driver.get(f"{stack.intake_url}/profile?lang=en")
        sign_in(driver, "low", (By.ID, "no-profile"))
        assert not driver.find_elements(*applications)
        checked(driver, "none")

"""A citizen's whole way through the pages in a real browser (Chromium), on a phone and on a desktop, with
JavaScript and without: from the service's page through the form (with the letter attached), the summary and
sending, to the status page, refreshed by hand until the application has been passed on to its authority. And a
form sent with mistakes, which comes back with each one summarised, linked to and shown at its field, and the
answers kept. Every page passes axe-core (no serious or critical violation) and leaves a full-page screenshot."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from civicflow.local.layout import Layout
from tests.support import sample_files
from tests.support.browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe,
    fill,
    go,
    javascript_enabled,
    open_browser,
    save_screenshot,
)

SERVICE_ID = "99116002000000"  # the rent check: no identity needed, one letter to attach
# Its only responsible agency is in München (routing's agencies.json): an address in Köln, as in the other
# samples, would end "unroutable".
ANSWERS = {
    "applicant.given_name": "Erika",
    "applicant.family_name": "Mustermann",
    "applicant.birth_date": "12.08.1964",
    "applicant.email": "erika@example.org",
    "applicant.address.street": "Sendlinger Straße 1",
    "applicant.address.postal_code": "80331",
    "applicant.address.city": "München",
    "form.current_rent": "700",
    "form.requested_rent": "770,50",
    "form.living_space": "62",
    "form.letter_date": "02.11.2026",
}
FILE_INPUT = "f-files"
# What the citizen reads and clicks, as the pages word it.
WORDS = {
    "de": {
        "start": "Antrag jetzt stellen",
        "continue": "Weiter",
        "check_answers": "Prüfen Sie Ihre Angaben",
        "sent": "Antrag gesendet",
        "refresh": "Stand aktualisieren",
        "error": "Fehler",
        "attachment": "Das Schreiben, mit dem die Mieterhöhung verlangt wird",
    },
    "en": {
        "start": "Start your application",
        "continue": "Continue",
        "check_answers": "Check your answers",
        "sent": "Application sent",
        "refresh": "Refresh the status",
        "error": "Error",
        "attachment": "The letter in which the rent increase is requested",
    },
}
# The whole pipeline (identity, routing) on a shared machine; it usually takes a few seconds.
ROUTED_WITHIN_SECONDS = 60
FINAL_WITHOUT_ROUTING = ("unroutable", "rejected")
Locator = tuple[str, str]


@dataclass(frozen=True)
class Visit:
    """One browser's way through the pages, checking each page it comes to the same way."""

    driver: WebDriver
    javascript: bool
    language: str
    name: str  # for the screenshots: phone-nojs-en

    def check(self, page: str) -> None:
        """Scripting as asked, the language asked for, a screenshot, and no serious or critical axe violation."""
        save_screenshot(self.driver, f"journey-{self.name}-{page}")
        assert javascript_enabled(self.driver) is self.javascript, page
        assert self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == self.language, page
        violations = axe_violations(self.driver)
        assert not violations, f"{page} ({self.driver.current_url}):\n{describe(violations)}"

    def words(self) -> dict[str, str]:
        return WORDS[self.language]


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "mieterhoehung.pdf"
    path.write_bytes(sample_files.pdf())
    return path


@pytest.mark.parametrize(
    ("viewport", "javascript", "language"),
    [
        pytest.param(PHONE, True, "de", id="phone-js-de"),
        pytest.param(PHONE, False, "en", id="phone-nojs-en"),
        pytest.param(DESKTOP, True, "de", id="desktop-js-de"),
        pytest.param(DESKTOP, False, "de", id="desktop-nojs-de"),
    ],
)
def test_a_citizen_applies_and_follows_the_status_until_it_is_routed(
    stack: Layout, letter: Path, viewport: tuple[int, int], javascript: bool, language: str
) -> None:
    query = "?lang=en" if language == "en" else ""  # the browser asks for German
    with open_browser(viewport, javascript) as driver:
        visit = Visit(driver, javascript, language, _name(viewport, javascript, language))
        driver.get(f"{stack.intake_url}/services/{SERVICE_ID}{query}")
        visit.check("service")
        go(driver, driver.find_element(By.LINK_TEXT, visit.words()["start"]).click, (By.ID, FILE_INPUT))
        _assert_attachment_labelled(visit)
        fill(driver, ANSWERS)
        driver.find_element(By.ID, FILE_INPUT).send_keys(str(letter))
        visit.check("form")
        _continue(visit)
        _assert_summary(visit, ANSWERS, letter.name)
        visit.check("summary")
        go(driver, driver.find_element(By.ID, "submit").click, (By.CSS_SELECTOR, "ol.timeline"))
        _assert_confirmed(visit)
        visit.check("status")
        _refresh_until_routed(visit)
        visit.check("status-routed")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_mistakes_come_back_summarised_shown_at_their_fields_and_kept(
    stack: Layout, letter: Path, tmp_path: Path, viewport: tuple[int, int]
) -> None:
    mislabelled = tmp_path / "letter.pdf"
    mislabelled.write_bytes(sample_files.png())
    typed = {**ANSWERS, "form.living_space": "", "applicant.address.postal_code": "5114"}
    with open_browser(viewport, javascript=False) as driver:
        visit = Visit(driver, False, "de", _name(viewport, False, "de"))
        driver.get(f"{stack.intake_url}/services/{SERVICE_ID}/apply")
        fill(driver, typed)
        driver.find_element(By.ID, FILE_INPUT).send_keys(f"{letter}\n{mislabelled}")
        _continue(visit, arrived=(By.CSS_SELECTOR, ".error-summary"))
        visit.check("errors")
        errors = _error_summary(visit)
        targets = [target for target, _ in errors]
        assert sorted(targets) == sorted(["f-form-living_space", "f-applicant-address-postal_code", FILE_INPUT])
        assert "letter.pdf" in dict(errors)[FILE_INPUT]
        _assert_errors_at_their_fields(driver, errors)
        kept = {name: driver.find_element(By.NAME, name).get_attribute("value") for name in typed}
        assert kept == typed
        # The letter that was fine is kept (a browser never fills a file input again), the other one is not.
        kept_files = driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name=attachment]:checked")
        assert [_label_of(driver, box) for box in kept_files] == [letter.name]
        fill(driver, {"form.living_space": "62", "applicant.address.postal_code": "80331"})
        _continue(visit)
        _assert_summary(visit, ANSWERS, letter.name)
        assert mislabelled.name not in driver.find_element(By.CSS_SELECTOR, "dl.summary").text
        visit.check("summary-after-errors")


def _name(viewport: tuple[int, int], javascript: bool, language: str) -> str:
    return f"{'phone' if viewport == PHONE else 'desktop'}-{'js' if javascript else 'nojs'}-{language}"


def _continue(visit: Visit, arrived: Locator = (By.ID, "submit")) -> None:
    button = visit.driver.find_element(By.CSS_SELECTOR, "form button[name=action][value=check]")
    assert button.text == visit.words()["continue"]
    go(visit.driver, button.click, arrived)


def _assert_attachment_labelled(visit: Visit) -> None:
    """The file input is named by the service's own words for what to attach (its label, or its group's
    legend)."""
    labels = visit.driver.find_elements(
        By.XPATH, f"//label[@for='{FILE_INPUT}'] | //input[@id='{FILE_INPUT}']/ancestor::fieldset[1]/legend"
    )
    assert any(visit.words()["attachment"] in label.text for label in labels), [label.text for label in labels]


def _assert_summary(visit: Visit, answers: dict[str, str], attached: str) -> None:
    driver = visit.driver
    assert driver.find_element(By.TAG_NAME, "h1").text == visit.words()["check_answers"]
    shown = driver.find_element(By.CSS_SELECTOR, "dl.summary").text
    missing = [value for value in [*answers.values(), attached] if value not in shown]
    assert not missing, f"the summary does not show {missing}:\n{shown}"


def _assert_confirmed(visit: Visit) -> None:
    driver = visit.driver
    found = re.search(r"/status/([0-9a-f-]{36})\?token=[^&]+&.*new=1", driver.current_url)
    assert found is not None, driver.current_url
    panel = driver.find_element(By.CSS_SELECTOR, ".panel[role=status]")
    assert panel.find_element(By.TAG_NAME, "h1").text == visit.words()["sent"]
    assert panel.find_element(By.CSS_SELECTOR, ".number").text == found.group(1)
    assert _steps(driver)[:1] == ["received"]


def _refresh_until_routed(visit: Visit) -> None:
    """Clicks "refresh" (the page does not refresh itself) until the timeline shows the application routed."""

    def routed(driver: WebDriver) -> bool:
        steps = _steps(driver)
        assert not set(steps) & set(FINAL_WITHOUT_ROUTING), steps
        if "routed" in steps:
            return True
        go(driver, driver.find_element(By.LINK_TEXT, visit.words()["refresh"]).click, (By.CSS_SELECTOR, "ol.timeline"))
        return False

    try:
        WebDriverWait(visit.driver, ROUTED_WITHIN_SECONDS, poll_frequency=1).until(routed)
    except TimeoutException:
        raise AssertionError(f"not routed within {ROUTED_WITHIN_SECONDS} s: {_steps(visit.driver)}") from None
    steps = _steps(visit.driver)
    assert steps.index("received") < steps.index("routed"), steps


def _steps(driver: WebDriver) -> list[str]:
    return [str(item.get_attribute("data-step")) for item in driver.find_elements(By.CSS_SELECTOR, "ol.timeline li")]


def _error_summary(visit: Visit) -> list[tuple[str, str]]:
    """The error summary: each message with the id of the field it links to."""
    driver = visit.driver
    assert driver.title.startswith(f"{visit.words()['error']}:"), driver.title
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    links = summary.find_elements(By.CSS_SELECTOR, "li a")
    return [(str(link.get_attribute("href")).partition("#")[2], link.text) for link in links]


def _assert_errors_at_their_fields(driver: WebDriver, errors: list[tuple[str, str]]) -> None:
    """Each message is shown at its field too, and a screen reader reads it with the field (aria-describedby)."""
    for target, message in errors:
        field = driver.find_element(By.ID, target)
        described = (field.get_attribute("aria-describedby") or "").split()
        inline = [driver.find_element(By.ID, id_) for id_ in described if id_.startswith(f"{target}-error")]
        assert any(item.is_displayed() and message in item.text for item in inline), (target, message, described)


def _label_of(driver: WebDriver, field: WebElement) -> str:
    """A file's name, as the label of its checkbox shows it ("mieterhoehung.pdf (1 KB)")."""
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']")
    return label.text.rpartition(" (")[0]

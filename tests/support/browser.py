"""A real browser for tests of the citizen pages: Debian's Chromium driven by Selenium, axe-core for accessibility
and full-page screenshots as artifacts.

Why these choices:
- Explicit paths to /usr/bin/chromium and /usr/bin/chromedriver (installed by `make browser` from Debian's
  packages): with a driver path given, Selenium skips Selenium Manager, which would otherwise try to download a
  browser and driver from the internet, which CI cannot reach.
- Without JavaScript, the tab runs under the DevTools protocol's `Emulation.setScriptExecutionDisabled`, the
  switch behind DevTools' own "Disable JavaScript". Chrome's content setting
  (`profile.managed_default_content_settings.javascript: 2`) was tried first: it also stops page scripts, and
  WebDriver's synchronous scripts still run, but timers never fire, so `axe.run` (which yields with setTimeout)
  never finishes. The emulation switch can be turned off for the axe run alone and back on afterwards; a page
  parsed with scripts off keeps its inline scripts unrun, and `<noscript>` content renders, as in a browser with
  JavaScript turned off (checked with Chromium 156). `javascript_enabled` asks the page itself.
- axe-core comes from npm, pinned in tests/browser/package-lock.json, and is injected with WebDriver's script
  execution: that goes through the DevTools protocol and is not subject to the page's Content-Security-Policy
  (ours has no script-src), so no `Page.setBypassCSP` is needed and the page is tested with its real policy.
- Screenshots cover the whole page (`captureBeyondViewport`), not only the first screen.
"""

import base64
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPOSITORY = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPOSITORY / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
DESKTOP = (1280, 800)
# Narrower than a tablet: emulated as a phone, so the page's <meta name="viewport"> is honoured as on one.
PHONE_MAX_WIDTH = 767

# WCAG 2.1 A and AA, which BITV 2.0 (via EN 301 549) requires, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
RUN_AXE = """
const [tags, done] = arguments;
axe.run(document, {runOnly: {type: 'tag', values: tags}})
  .then(results => done({violations: results.violations}), error => done({error: String(error)}));
"""
# The HTML parser reads <noscript> content as markup only where scripting is off (its "scripting flag"); for
# innerHTML Chromium takes the flag from the page, so the probe answers for the page, not for WebDriver.
PROBE_SCRIPTING = """
const probe = document.createElement('div');
probe.innerHTML = '<noscript><i></i></noscript>';
return probe.querySelector('i') === null;
"""
PAGE_SIZE = """
const page = document.documentElement;
return [Math.max(page.scrollWidth, window.innerWidth), page.scrollHeight];
"""


@contextmanager
def open_browser(
    viewport: tuple[int, int], javascript: bool = True, *, accept_language: str = "de-DE,de"
) -> Iterator[WebDriver]:
    """A headless Chromium with the given viewport (CSS pixels, device scale factor 1), quit on exit. It asks for
    German, as most citizens' browsers do, unless told otherwise: the pages follow Accept-Language."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found: `make browser` installs chromium and chromium-driver")
    width, height = viewport
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    # Containers give /dev/shm 64 MB, too little for Chromium (https://bugs.debian.org/1072299); Debian's launcher
    # means to add this flag itself but cannot parse findmnt's answer where /dev/shm is mounted twice.
    for argument in ("--headless=new", f"--window-size={width},{height}", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to start its sandbox as root
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width <= PHONE_MAX_WIDTH}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        _set_scripts(driver, enabled=javascript)
        yield driver
    finally:
        driver.quit()


def javascript_enabled(driver: WebDriver) -> bool:
    """Whether the current page runs with scripting enabled, as the page itself sees it."""
    return bool(driver.execute_script(PROBE_SCRIPTING))


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page."""
    if not AXE_SCRIPT.is_file():
        raise RuntimeError(f"{AXE_SCRIPT} not found: `make browser` installs axe-core with npm ci")
    scripts_were_off = not javascript_enabled(driver)
    if scripts_were_off:
        _set_scripts(driver, enabled=True)
    try:
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
        outcome: dict[str, Any] = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    finally:
        if scripts_were_off:
            _set_scripts(driver, enabled=False)
    if "error" in outcome:
        raise RuntimeError(f"axe-core failed: {outcome['error']}")
    return [violation for violation in outcome["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]], targets_each: int = 3) -> str:
    """One line per violation, for an assertion message: rule, impact, what to do and where."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        where = ", ".join(" ".join(map(str, node["target"])) for node in nodes[:targets_each])
        more = f" and {len(nodes) - targets_each} more" if len(nodes) > targets_each else ""
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {where}{more}")
    return "\n".join(lines)


def save_screenshot(driver: WebDriver, name: str) -> Path:
    """The whole page as a PNG in $CIVICFLOW_ARTIFACTS_DIR, else var/artifacts/screenshots/; returns its path."""
    configured = os.environ.get("CIVICFLOW_ARTIFACTS_DIR")
    directory = Path(configured) if configured else REPOSITORY / "var" / "artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    # Captured beyond the viewport, the page has no vertical scrollbar and is laid out as wide as the window.
    width, height = driver.execute_script(PAGE_SIZE)
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path = directory / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-')}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _set_scripts(driver: WebDriver, *, enabled: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not enabled})


# How long a page may take to arrive (the whole stack shares two cores with the browser).
PAGE_LOAD_SECONDS = 15
Locator = tuple[str, str]


def go(driver: WebDriver, click: Callable[[], None], arrived: Locator) -> None:
    """Clicks and waits for the next page (the old one gone, the new one's heading there), which must be the one
    `arrived` finds something on; else the failure says what the page shows instead (a problem page, say)."""
    before = driver.find_element(By.TAG_NAME, "html")
    click()
    # While Chromium swaps the documents, asking about the old one can fail with an inspector error ("Node with
    # given id does not belong to the document") before it fails as stale.
    leaving = WebDriverWait(driver, PAGE_LOAD_SECONDS, ignored_exceptions=[WebDriverException])
    leaving.until(expected_conditions.staleness_of(before))
    heading = WebDriverWait(driver, PAGE_LOAD_SECONDS).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "main h1"))
    )
    assert driver.find_elements(*arrived), (
        f"expected {arrived} at {driver.current_url}, the page shows {heading.text!r}"
    )


def fill(driver: WebDriver, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        if value:
            field.send_keys(value)

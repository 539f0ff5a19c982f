"""Headless Chromium for the explorer's browser tests, with the network blocked and logged.

The browser and its driver are the system's (``/usr/bin/chromium``, ``/usr/bin/chromedriver``,
or found on ``PATH``): selenium is given the driver's path so it never downloads one. Without
them the tests are skipped with the reason, unless ``NETANALYSIS_REQUIRE_BROWSER=1`` (set by
CI), which turns the skip into a failure.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

__all__ = ["find_chromium", "start_chromium", "requests_made", "require_or_skip"]

CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Nothing may leave the page: names do not resolve and any proxied request goes nowhere.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def require_or_skip(reason: str) -> None:
    """Skip with ``reason``, or fail when the environment demands a browser."""
    if os.environ.get("NETANALYSIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NETANALYSIS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def find_chromium() -> tuple[str, str] | None:
    """Paths of the Chromium binary and its chromedriver, or ``None``."""
    browser = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"),
                                shutil.which("chromium-browser")) if p and os.access(p, os.X_OK)), None)
    driver = next((p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver"))
                   if p and os.access(p, os.X_OK)), None)
    return (browser, driver) if browser and driver else None


def start_chromium(profile_dir: Path, *, width: int = 1400, height: int = 900):
    """Start headless Chromium with a fresh profile in ``profile_dir``; skip when impossible."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError as err:  # pragma: no cover - selenium is a test dependency
        require_or_skip(f"selenium is not installed: {err}")
    found = find_chromium()
    if found is None:
        require_or_skip("no Chromium found: need /usr/bin/chromium and /usr/bin/chromedriver "
                        "(Debian packages chromium, chromium-driver)")
    browser, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except WebDriverException as err:
        require_or_skip(f"Chromium did not start: {str(err).splitlines()[0]}")
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def requests_made(driver) -> list[str]:
    """URLs of every request the page sent since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls

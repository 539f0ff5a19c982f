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

__all__ = [
    "find_chromium",
    "start_chromium",
    "open_blank",
    "page_requests",
    "requests_made",
    "require_or_skip",
    "leaks",
    "frame_ids",
    "LOCAL_SCHEMES",
]

#: The only schemes a self-contained, offline page may request.
LOCAL_SCHEMES = ("file://", "data:", "blob:")

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
    browser = next(
        (
            p
            for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
            if p and os.access(p, os.X_OK)
        ),
        None,
    )
    driver = next(
        (p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver")) if p and os.access(p, os.X_OK)), None
    )
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
        require_or_skip(
            "no Chromium found: need /usr/bin/chromium and /usr/bin/chromedriver "
            "(Debian packages chromium, chromium-driver)"
        )
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
    open_blank(driver)
    return driver


def open_blank(driver) -> None:
    """Go to ``about:blank`` and drop every log entry so far (the browser's own start-up requests)."""
    driver.get("about:blank")
    driver.get_log("performance")
    driver.get_log("browser")


def requests_made(driver) -> list[dict]:
    """Every ``Network.requestWillBeSent`` since the last call (from the performance log), as its params."""
    sent = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            sent.append(message["params"])
    return sent


def frame_ids(tree: dict) -> set[str]:
    """The ids of a CDP frame tree's frames: the top frame and every frame inside it."""
    ids = {tree["frame"]["id"]}
    for child in tree.get("childFrames", ()):
        ids |= frame_ids(child)
    return ids


def page_requests(sent: list[dict], url: str, frames: set[str] = frozenset()) -> list[str]:
    """URLs of the requests made by the page loaded from ``url``, in the order they were sent.

    A request is the page's own when it is the page's document request, carries that document's
    loader id (its subresources: scripts, images, fetches), or comes from a frame the page holds
    (``frames``, the ids of the page's frame tree other than its top frame). What the browser loads
    for itself (Chromium's ``chrome://`` new-tab page, its start-up resources) carries other loader
    ids and frames, so it is never counted, whatever the Chromium version.
    """
    document = next((r for r in sent if r.get("type") == "Document" and r["request"]["url"] == url), None)
    if document is None:
        raise AssertionError(f"no document request for {url} among {[r['request']['url'] for r in sent]}")
    own = document["loaderId"]
    return [
        r["request"]["url"]
        for r in sent
        if r.get("loaderId") == own or (r.get("frameId") in frames and r.get("frameId") != document["frameId"])
    ]


def leaks(urls: list[str]) -> list[str]:
    """The URLs a self-contained offline page must not request: anything not ``file:``, ``data:`` or ``blob:``."""
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]

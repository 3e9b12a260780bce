"""Browser fixtures: Debian's chromium driven by playwright.

The browser tests are skipped when /usr/bin/chromium (or playwright) is missing, unless the
environment sets MOSCALE_REQUIRE_BROWSER=1 (as CI does): then they fail, so that a broken browser
set-up cannot pass unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Screenshots land here (gitignored).
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def _unavailable(reason: str):
    if os.environ.get("MOSCALE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and MOSCALE_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT

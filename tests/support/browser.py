"""A real headless Chromium for the tests: Debian's `chromium` (installed by
scripts/setup-test-env.sh), driven by Playwright's Python package, which never downloads a
browser of its own here (`executable_path` is set). The flags keep Chromium off the network: no
background requests, no component updates, no sync, a fresh profile per launch."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from tests.support.components import need, need_module

CHROMIUM = Path(os.environ.get("MESHGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A Playwright browser context of Debian's Chromium with a fresh, throwaway profile."""
    sync_api = need_module("playwright.sync_api")
    need(CHROMIUM.is_file(), f"Chromium at {CHROMIUM} (Debian's chromium package)")
    with tempfile.TemporaryDirectory(prefix="meshgen-chromium-") as profile, sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()

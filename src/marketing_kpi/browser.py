"""Headless Chromium for the dashboard's browser test, from the operating system's packages.

The browser test drives Debian's `chromium` with Debian's `chromium-driver` (same version, no
download at test time: Selenium is pointed at /usr/bin/chromedriver, so Selenium Manager never
fetches a browser or a driver). `ensure_chromium()` installs both when they are missing and we may
(root, apt-get available); otherwise it fails with a message that says what to install.

    python -m marketing_kpi.browser          install if needed, print the paths
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APT_PACKAGES = ("chromium", "chromium-driver")

# Flags every headless start uses: no sandbox (containers), no GPU, and nothing that phones home.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


class BrowserUnavailable(RuntimeError):
    """Chromium or its driver is missing and could not be installed here."""


@dataclass(frozen=True)
class Chromium:
    browser: Path
    driver: Path


def _present(browser: Path, driver: Path) -> bool:
    return browser.exists() and driver.exists()


def ensure_chromium(browser: Path = CHROMIUM, driver: Path = CHROMEDRIVER, *, install: bool = True) -> Chromium:
    """Return the Chromium and chromedriver paths, installing Debian's packages when they are
    missing and we are root with apt-get; raise BrowserUnavailable otherwise."""
    if _present(browser, driver):
        return Chromium(browser, driver)
    apt_get = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    how = f"apt-get install -y --no-install-recommends {' '.join(APT_PACKAGES)}"
    if not install or apt_get is None or not is_root:
        why = "apt-get is not available" if apt_get is None else "not running as root"
        if not install:
            why = "installation was not requested"
        raise BrowserUnavailable(
            f"headless Chromium is needed for the dashboard browser test: {browser} or {driver} is missing "
            f"and cannot be installed ({why}). Install Debian's packages as root: `{how}`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt_get, "update"], [apt_get, "install", "-y", "--no-install-recommends", *APT_PACKAGES]):
        print(f"$ {' '.join(command)}", flush=True)
        result = subprocess.run(command, env=env)
        if result.returncode != 0:
            raise BrowserUnavailable(f"`{' '.join(command)}` failed (exit {result.returncode})")
    if not _present(browser, driver):
        raise BrowserUnavailable(f"installed {' '.join(APT_PACKAGES)} but {browser} or {driver} is still missing")
    return Chromium(browser, driver)


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    try:
        found = ensure_chromium()
    except BrowserUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"chromium: {found.browser}\nchromedriver: {found.driver}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

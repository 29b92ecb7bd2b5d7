"""A real `streamlit run` server on a free port and Debian's Chromium driven by Playwright.

Playwright cannot download browsers here, so it launches /usr/bin/chromium. Without it the
browser tests are skipped with a loud reason, except under CI, where they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        message = "BROWSER TESTS SKIPPED: Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message.replace("SKIPPED", "CANNOT RUN UNDER CI"))
        pytest.skip(message)
    return path


def run_server(
    log_name: str, extra_env: dict[str, str] | None = None, *, script: str = "streamlit_app.py"
) -> Iterator[str]:
    """A `streamlit run` of the app on a free port with its own workspaces folder; yields its URL."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "EMBEDDING_LAB_JOB_ISOLATION": "process",  # heavy jobs in worker processes, as `make run`
            "EMBEDDING_LAB_WORKSPACES": tempfile.mkdtemp(prefix="embedding-lab-e2e-workspaces-"),
            **(extra_env or {}),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start within 60 s; see test-artifacts/{log_name}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The app as `make run` serves it: lab_server.py, security headers included."""
    yield from run_server("streamlit-server.log", script="lab_server.py")


@pytest.fixture(scope="session")
def hardened_server() -> Iterator[str]:
    """The app as `make run` serves it (lab_server.py: security headers), with a 1 MB upload cap
    so that refusing an oversized upload costs a test one megabyte, not five hundred."""
    yield from run_server(
        "streamlit-hardened-server.log", {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"}, script="lab_server.py"
    )


TEACHER_CODE = "e2e-teacher-code"


@pytest.fixture(scope="session")
def teacher_server() -> Iterator[str]:
    """A second server started with EMBEDDING_LAB_TEACHER_CODE set (publishing and leading enabled)."""
    yield from run_server(
        "streamlit-teacher-server.log", {"EMBEDDING_LAB_TEACHER_CODE": TEACHER_CODE}, script="lab_server.py"
    )


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """The one Playwright of the session: a second sync_playwright() while one runs is refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver, chromium: str) -> Iterator[object]:
    launched = playwright_driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(server)
    tab.get_by_role("heading", name="Embedding Lab", level=1).wait_for()
    yield tab
    context.close()

"""The server's safety settings, without a server: the header middleware, config.toml, and no raw HTML.

The live probes (XSRF, CORS, websocket origin, upload cap, framing) are in
tests/e2e/test_server_hardening.py; these are the cheap checks that fail first.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from security_headers import SECURITY_HEADERS, SecurityHeaders

ROOT = Path(__file__).resolve().parents[2]


def _run(scope: dict, response_headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """The messages a one-response app sends through the middleware."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": list(response_headers)})
            await send({"type": "http.response.body", "body": b"ok"})
        else:
            await send({"type": "websocket.accept"})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    # In a thread of its own: Playwright's sync API (the browser tests' session fixture) keeps an event
    # loop running in the main thread, where asyncio.run() would refuse to start.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, SecurityHeaders(app)(scope, receive, send)).result()
    return sent


def test_every_http_response_gets_the_headers():
    start, body = _run({"type": "http"}, [(b"content-type", b"text/html")])
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"text/html"
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert headers[b"content-security-policy"] == b"frame-ancestors 'self'; img-src 'self' data: blob:"
    assert body == {"type": "http.response.body", "body": b"ok"}


def test_a_header_the_response_set_itself_is_kept_not_doubled():
    start, _ = _run({"type": "http"}, [(b"X-Frame-Options", b"DENY")])
    names = [name.lower() for name, _ in start["headers"]]
    assert names.count(b"x-frame-options") == 1
    assert dict(start["headers"])[b"X-Frame-Options"] == b"DENY"


def test_websockets_pass_through_untouched():
    assert _run({"type": "websocket"}, []) == [{"type": "websocket.accept"}]


def test_the_csp_allows_only_our_own_images_and_frames():
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert re.search(r"img-src 'self' data: blob:(;|$)", policy)
    assert "http" not in policy  # no outside host may serve images


def test_the_entry_point_serves_the_app_with_the_middleware():
    source = (ROOT / "lab_server.py").read_text()
    assert re.search(
        r'^app = st\.App\("streamlit_app\.py", middleware=\[Middleware\(SecurityHeaders\)\]\)$', source, re.M
    )


def test_config_keeps_the_server_guards_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["maxUploadSize"] <= 500
    assert config["client"]["showErrorDetails"] == "none"  # users see our messages, never a traceback


def test_no_page_renders_raw_html():
    files = [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").rglob("*.py"))]
    offenders = [str(f.relative_to(ROOT)) for f in files if "unsafe_allow_html" in f.read_text()]
    assert not offenders, f"unsafe_allow_html in {offenders}"
    assert len(files) > 10  # the glob found the pages

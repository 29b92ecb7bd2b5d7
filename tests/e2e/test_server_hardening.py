"""What one careless or hostile student can do to a shared server, against a real server on 127.0.0.1.

Each test is a probe that held when the server was attacked by hand (issue 16, "Keep what held"), kept
so that an upgrade of Streamlit or a change of config.toml cannot quietly undo it. Every request is
bounded (a timeout, at most about two megabytes) and goes only to the loopback server.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import urllib.error
import urllib.request
from base64 import b64encode
from urllib.parse import urlparse

import pytest

from security_headers import SECURITY_HEADERS

pytestmark = pytest.mark.e2e

FOREIGN = "http://evil.example"
TIMEOUT = 10


def _request(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    """(status, headers) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def _status_of_oversized_put(url: str, *, headers: dict[str, str], body: bytes) -> int:
    """The status a server answers to a PUT it refuses before reading the whole body. The server may
    answer 413 and close while the body is still being sent: the broken pipe is expected, the answer
    is still waiting in the socket."""
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT)
    try:
        connection.putrequest("PUT", address.path + (f"?{address.query}" if address.query else ""))
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            connection.putheader(key, value)
        connection.endheaders()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


def _multipart(name: str, payload: bytes) -> tuple[bytes, str]:
    boundary = "embeddinglabboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def live_upload(browser, hardened_server):
    """A real session's upload URL and XSRF cookie, taken from the browser uploading a small file."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    uploads: list[str] = []
    tab.on(
        "request", lambda r: uploads.append(r.url) if "/_stcore/upload_file/" in r.url and r.method == "PUT" else None
    )
    tab.goto(hardened_server)
    tab.get_by_role("heading", name="Embedding Lab", level=1).wait_for()
    tab.get_by_role("tab", name="Upload vectors").click()
    tab.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        files=[{"name": "tiny.txt", "mimeType": "text/plain", "buffer": b"king 1 2\nqueen 2 1\n"}]
    )
    tab.get_by_role("button", name="Load file").wait_for()
    for _ in range(50):
        if uploads:
            break
        tab.wait_for_timeout(100)
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert uploads, "the browser never uploaded the file"
    assert "_streamlit_xsrf" in cookies, f"no XSRF cookie was set: {sorted(cookies)}"
    yield uploads[0], cookies["_streamlit_xsrf"]
    context.close()  # the session (and the upload URL) stays valid until here


def test_upload_without_the_xsrf_cookie_and_header_is_forbidden(live_upload):
    url, _ = live_upload
    body, content_type = _multipart("forged.txt", b"king 1 2\n")
    status, _ = _request(url, method="PUT", headers={"Content-Type": content_type}, body=body)
    assert status == 403


def test_upload_with_a_forged_xsrf_header_is_forbidden(live_upload):
    url, cookie = live_upload
    body, content_type = _multipart("forged.txt", b"king 1 2\n")
    forged = "2|00000000|" + "0" * 64 + "|0"
    headers = {"Content-Type": content_type, "Cookie": f"_streamlit_xsrf={cookie}", "X-Xsrftoken": forged}
    status, _ = _request(url, method="PUT", headers=headers, body=body)
    assert status == 403


def test_upload_over_the_cap_is_refused(live_upload):
    """The test server's cap is 1 MB (STREAMLIT_SERVER_MAX_UPLOAD_SIZE=1): 2 MB is refused with 413."""
    url, cookie = live_upload
    body, content_type = _multipart("big.txt", b"0" * (2 * 1024 * 1024))
    headers = {"Content-Type": content_type, "Cookie": f"_streamlit_xsrf={cookie}", "X-Xsrftoken": cookie}
    assert _status_of_oversized_put(url, headers=headers, body=body) == 413
    # The same session and token are accepted under the cap: the 413 was the size, not the token.
    small, small_type = _multipart("small.txt", b"king 1 2\n")
    status, _ = _request(url, method="PUT", headers={**headers, "Content-Type": small_type}, body=small)
    assert status in (200, 204)


def test_a_foreign_origin_gets_no_cors_permission(hardened_server):
    for path in ("/_stcore/health", "/_stcore/host-config", "/"):
        status, headers = _request(f"{hardened_server}{path}", headers={"Origin": FOREIGN})
        allowed = headers.get("Access-Control-Allow-Origin")
        assert allowed not in ("*", FOREIGN), f"{path} lets {FOREIGN} read it ({status}, {allowed})"


def _websocket_handshake(url: str, origin: str) -> str:
    """The status line the server answers a websocket upgrade from `origin` with."""
    parsed = urlparse(url)
    key = b64encode(b"embedding-lab-ws").decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {parsed.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parsed.hostname, parsed.port), timeout=TIMEOUT) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).split(b"\r\n", 1)[0].decode()


def test_a_foreign_origin_websocket_is_refused(hardened_server):
    assert " 101 " in _websocket_handshake(hardened_server, hardened_server)  # the probe can connect at all
    status_line = _websocket_handshake(hardened_server, FOREIGN)
    assert " 101 " not in status_line, f"a websocket from {FOREIGN} was accepted: {status_line}"


def test_pages_carry_the_frame_and_content_security_headers(hardened_server):
    for path in ("/", "/Explore", "/_stcore/health"):
        status, headers = _request(f"{hardened_server}{path}")
        assert status == 200
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, f"{path}: {name} is {headers.get(name)!r}"


def test_another_site_cannot_frame_the_app_but_our_lessons_can(browser, hardened_server):
    """A same-origin `?embed=true` frame (as a lesson embeds a page) loads; from another origin it does not."""
    frame = f'<iframe id="f" src="{hardened_server}/?embed=true" width="800" height="600"></iframe>'
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(f"{hardened_server}/_stcore/health")
    tab.set_content(frame)
    tab.frame_locator("#f").get_by_role("heading", name="Embedding Lab", level=1).wait_for()
    # Another origin: the same server under its other loopback name. The browser refuses to draw it.
    tab.goto(f"{hardened_server.replace('127.0.0.1', 'localhost')}/_stcore/health")
    tab.set_content(frame)
    tab.wait_for_timeout(5000)  # longer than the same-origin frame took to draw its heading
    assert tab.frame_locator("#f").get_by_role("heading", name="Embedding Lab", level=1).count() == 0
    context.close()

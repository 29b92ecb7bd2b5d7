"""Security headers on every HTTP response, added through Streamlit's public ASGI app (st.App).

Streamlit has no setting for custom headers. Since 1.5x its server is Starlette, and `st.App`
accepts user middleware, so the headers go on there without touching Streamlit's internals:

- `X-Frame-Options: SAMEORIGIN` and CSP `frame-ancestors 'self'`: another site cannot put the app in
  a frame (clickjacking a student into pressing a button); our own lessons embed pages from the same
  origin (`?embed=true`) and still work.
- CSP `img-src 'self' data: blob:`: an image in user text that slipped past escaping (Markdown
  `![x](http://host/x.png)`) cannot become a tracking beacon; Streamlit's and plotly's own images
  are same-origin, data: or blob: URLs.

`make run` (serve.py) and the browser tests start `streamlit run lab_server.py`; the page script stays
streamlit_app.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: dict[str, str] = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'; img-src 'self' data: blob:",
}


class SecurityHeaders:
    """ASGI middleware: adds SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

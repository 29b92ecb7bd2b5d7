"""The HTTP route that serves a WebGL picture's binary parts: GET /_lab/scatter with the part's
token in the ``X-Picture-Token`` header. The browser's XSRF cookie must be the one the picture
was made for (app.runtime.browser); anything else gets a bare 404, as does an expired token.
Mounted by lab_server.py (``with_scatter_route`` around its st.App); the points never cross
Streamlit's websocket, so its message size limit does not apply."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response

from app.runtime.browser import XSRF_COOKIE, browser_id_from_xsrf
from app.runtime.picture_store import STORE, PictureStore
from security_headers import ASGIApp, Receive, Scope, SecurityHeaders, Send

PATH = "/_lab/scatter"
TOKEN_HEADER = "x-picture-token"
PRIVATE = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff"}


def picture_part(store: PictureStore = STORE):
    """The endpoint over ``store`` (tests pass their own)."""

    async def endpoint(request: Request) -> Response:
        owner = browser_id_from_xsrf(request.cookies.get(XSRF_COOKIE))
        data = store.get(owner, request.headers.get(TOKEN_HEADER))
        if data is None:
            return Response("Not found", status_code=404, headers=PRIVATE)
        return Response(data, media_type="application/octet-stream", headers=PRIVATE)

    return endpoint


ROUTES = [Route(PATH, picture_part(), methods=["GET"])]


def with_scatter_route(app: ASGIApp, store: PictureStore = STORE) -> ASGIApp:
    """``app`` with GET ``PATH`` answered by the picture route (with the security headers); every
    other request, websocket and lifespan event goes to ``app`` untouched."""
    route = SecurityHeaders(request_response(picture_part(store)))

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == PATH:
            if scope.get("method") not in ("GET", "HEAD"):
                await Response("Method not allowed", status_code=405)(scope, receive, send)
                return
            await route(scope, receive, send)
            return
        await app(scope, receive, send)

    return routed

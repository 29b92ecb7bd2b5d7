"""Which browser a request comes from, from Streamlit's XSRF cookie (the same token in all of a
browser's tabs, sent with the websocket and with every same-origin request, so a page script and
an HTTP route agree on it without a cookie of our own)."""

from __future__ import annotations

import hashlib

XSRF_COOKIE = "_streamlit_xsrf"


def browser_id_from_xsrf(cookie: str | None) -> str | None:
    """A hash of the token inside the XSRF cookie (``2|mask|masked|time``); None when absent or malformed."""
    parts = cookie.split("|") if cookie else []
    if len(parts) != 4 or parts[0] != "2":
        return None
    try:
        mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        return None
    if not mask or not masked:
        return None
    token = bytes(byte ^ mask[i % len(mask)] for i, byte in enumerate(masked))
    return hashlib.sha256(token).hexdigest()[:32]

"""Private, expiring storage of the WebGL picture's binary parts, handed out by token.

The page puts a part here for one browser (``owner``: an id derived from that browser's own
cookie) and gets back an unguessable token; the component fetches the bytes with that token and
the same browser's cookie. A token is worth nothing to another browser, nothing after it expires,
and it never appears in a page URL. Parts are kept by (owner, content hash), so a rerun that
draws the same points gets the same token without storing the bytes twice. Memory is bounded:
the least recently stored parts go first when the total passes ``max_bytes``.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

TTL_SECONDS = 30 * 60
MAX_BYTES = 1_200_000_000  # about 30 pictures of a million points


@dataclass
class _Entry:
    owner: str
    content_hash: str
    data: bytes
    expires: float


class PictureStore:
    """Token -> bytes for one owner, expiring, LRU-bounded by total bytes; thread-safe."""

    def __init__(
        self,
        *,
        ttl_seconds: float = TTL_SECONDS,
        max_bytes: int = MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # token -> entry, oldest first
        self._tokens: dict[tuple[str, str], str] = {}  # (owner, hash) -> token
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, owner: str, data: bytes, content_hash: str) -> str:
        """Keep ``data`` for ``owner`` and return its token (the same token while it is kept)."""
        if not owner:
            raise ValueError("a picture needs an owner")
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            token = self._tokens.get((owner, content_hash))
            if token is not None:
                entry = self._entries[token]
                entry.expires = now + self.ttl_seconds
                self._entries.move_to_end(token)
                return token
            token = secrets.token_urlsafe(32)
            self._entries[token] = _Entry(owner, content_hash, data, now + self.ttl_seconds)
            self._tokens[(owner, content_hash)] = token
            self._bytes += len(data)
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                self._remove(next(iter(self._entries)))
            return token

    def get(self, owner: str | None, token: str | None) -> bytes | None:
        """The bytes behind ``token`` if ``owner`` stored them and they have not expired; else None."""
        if not owner or not token:
            return None
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            entry = self._entries.get(token)
            if entry is None or not hmac.compare_digest(entry.owner, owner):
                return None
            return entry.data

    @property
    def nbytes(self) -> int:
        """Bytes held now (the benchmark reports it per picture)."""
        with self._lock:
            return self._bytes

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, e in self._entries.items() if e.expires <= now]:
            self._remove(token)

    def _remove(self, token: str) -> None:
        entry = self._entries.pop(token)
        self._tokens.pop((entry.owner, entry.content_hash), None)
        self._bytes -= len(entry.data)


STORE = PictureStore()  # one per server process: the page scripts and the HTTP route share it

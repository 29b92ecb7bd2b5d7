"""Workspace keys the server issued, and only those.

A browser holds a *key*: ``<token>.<signature>``, where ``token`` names the workspace folder
(``new_token()``'s 22 characters) and ``signature`` is an HMAC of the token under a secret the
server keeps in its workspaces root (``.workspace-secret``, 32 random bytes, created on first
use). A key someone made up, or an old unsigned ``?ws=`` token, fails the check and is never
adopted: whoever sends a student a link of their choosing cannot read what the student saves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from app.store.workspace import new_token

SECRET_FILE = ".workspace-secret"
_KEY = re.compile(r"([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})")
_SECRET_BYTES = 32


class WorkspaceKeys:
    """Issues and checks the signed keys of the workspaces under ``root``."""

    def __init__(self, root: os.PathLike | str) -> None:
        self.root = Path(root)

    def issue(self) -> str:
        """A fresh key for a new workspace (its folder is created only when something is saved)."""
        token = new_token()
        return f"{token}.{self._sign(token)}"

    def token_of(self, key: object) -> str | None:
        """The workspace token inside ``key`` when the server issued it, else None."""
        if not isinstance(key, str):
            return None
        match = _KEY.fullmatch(key)
        if match is None:
            return None
        token, signature = match.groups()
        return token if hmac.compare_digest(signature, self._sign(token)) else None

    def _sign(self, token: str) -> str:
        digest = hmac.new(self._secret(), b"workspace-key:" + token.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")

    def _secret(self) -> bytes:
        """The server's secret, created atomically on first use (a link of a complete file, so a
        second process never reads a half-written one)."""
        path = self.root / SECRET_FILE
        try:
            return _read_secret(path)
        except FileNotFoundError:
            pass
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.root / f"{SECRET_FILE}.{secrets.token_hex(4)}.part"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(_SECRET_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process won the race: then its secret is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    secret = path.read_bytes()
    if len(secret) != _SECRET_BYTES:
        raise ValueError(f"{path} is damaged ({len(secret)} bytes); delete it to issue new keys")
    return secret

"""Stopping the jobs of browser sessions that have gone away."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.runtime.jobs import JobRunner


class OwnerWatch:
    """Stops the jobs of owners (browser sessions) that have been gone for ``grace`` seconds.

    A page reload or a network blip reconnects within the grace period; a closed tab does not.
    ``check`` is called every few seconds with a test of whether an owner is still connected.
    """

    def __init__(self, runner: JobRunner, grace: float = 20.0) -> None:
        self.runner = runner
        self.grace = grace
        self._gone_since: dict[str, float] = {}

    def check(self, is_connected: Callable[[str], bool], now: float | None = None) -> list[str]:
        """Cancel the jobs of owners gone for longer than the grace period; returns those owners."""
        now = time.monotonic() if now is None else now
        stopped = []
        for owner in {job.owner for job in self.runner.jobs() if job.owner}:
            if is_connected(owner):
                self._gone_since.pop(owner, None)
            elif now - self._gone_since.setdefault(owner, now) >= self.grace:
                self.runner.cancel_owned_by(owner)
                self._gone_since.pop(owner, None)
                stopped.append(owner)
        return stopped

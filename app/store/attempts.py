"""Rate-limiting guesses of a secret (the teacher code): a few wrong tries a minute, then a
lockout that doubles each time it is earned again, logged for the person running the server.

Each guess is checked against several scopes at once (this browser session, the whole server):
one student opening many tabs still meets the server-wide limit. Pure and clock-injected, so
tests drive it without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttemptPolicy:
    """``max_failures`` wrong tries within ``window`` seconds lock a scope for ``first_lockout``
    seconds; each further lockout of the same scope doubles it, up to ``max_lockout``."""

    max_failures: int = 5
    window: float = 60.0
    first_lockout: float = 60.0
    max_lockout: float = 3_600.0


@dataclass
class _Scope:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lockouts: int = 0


class AttemptLimiter:
    """Counts wrong guesses per scope and says how long a scope must wait before the next guess."""

    def __init__(
        self,
        policies: dict[str, AttemptPolicy],
        *,
        what: str = "the teacher code",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policies = policies
        self.what = what
        self.clock = clock
        self._scopes: dict[tuple[str, Hashable], _Scope] = {}
        self._lock = threading.Lock()

    def wait(self, scopes: Sequence[tuple[str, Hashable]]) -> float:
        """Seconds before any of ``scopes`` may guess again (0 when a guess is allowed now)."""
        now = self.clock()
        with self._lock:
            return max([0.0, *(self._get(scope).locked_until - now for scope in scopes)])

    def failed(self, scopes: Sequence[tuple[str, Hashable]]) -> None:
        """Record a wrong guess in every scope; lock (and log) the scopes that reached their limit."""
        now = self.clock()
        with self._lock:
            for scope in scopes:
                policy, state = self.policies[scope[0]], self._get(scope)
                state.failures.append(now)
                while state.failures and state.failures[0] <= now - policy.window:
                    state.failures.popleft()
                if len(state.failures) >= policy.max_failures:
                    seconds = min(policy.first_lockout * 2**state.lockouts, policy.max_lockout)
                    state.lockouts += 1
                    state.locked_until = now + seconds
                    state.failures.clear()
                    logger.warning(
                        "%d wrong tries of %s within %.0f s (%s %s): locked for %.0f s (lockout number %d)",
                        policy.max_failures, self.what, policy.window, scope[0], scope[1], seconds, state.lockouts,
                    )  # fmt: skip

    def succeeded(self, scopes: Sequence[tuple[str, Hashable]]) -> None:
        """A right guess clears the wrong tries of ``scopes`` (their lockout history stays)."""
        with self._lock:
            for scope in scopes:
                self._get(scope).failures.clear()

    def _get(self, scope: tuple[str, Hashable]) -> _Scope:
        if scope[0] not in self.policies:
            raise KeyError(f"no policy for scope kind {scope[0]!r}")
        return self._scopes.setdefault(scope, _Scope())

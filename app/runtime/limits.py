"""The caps on jobs and the errors that say a job went over one: the one home of ``JobLimits``.

``JobLimits`` caps one job (wall time, memory); ``max_jobs_per_owner`` caps how many jobs one
browser may have queued or running at once (EMBEDDING_LAB_MAX_JOBS_PER_BROWSER, default 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from app.errors import InputError

SUGGESTION = "try fewer points or lighter settings"
DEFAULT_MAX_JOBS_PER_OWNER = 2


@dataclass(frozen=True)
class JobLimits:
    """Caps for one job: wall time in seconds, and memory in bytes (None: no memory cap).

    The memory cap counts what the job allocates on top of its worker process's starting size
    (the preloaded libraries and the job's inputs); it is enforced with process isolation only.
    """

    max_seconds: float = 900
    max_memory_bytes: int | None = 3 * 2**30

    def __post_init__(self) -> None:
        if not self.max_seconds > 0:
            raise ValueError(f"JobLimits.max_seconds must be positive, got {self.max_seconds}")
        if self.max_memory_bytes is not None and self.max_memory_bytes <= 0:
            raise ValueError(f"JobLimits.max_memory_bytes must be positive or None, got {self.max_memory_bytes}")


def max_jobs_per_owner_from_env() -> int:
    """EMBEDDING_LAB_MAX_JOBS_PER_BROWSER (default 2): queued-or-running jobs one browser may have."""
    raw = os.environ.get("EMBEDDING_LAB_MAX_JOBS_PER_BROWSER", "")
    try:
        value = int(raw) if raw.strip() else DEFAULT_MAX_JOBS_PER_OWNER
    except ValueError:
        raise ValueError(f"EMBEDDING_LAB_MAX_JOBS_PER_BROWSER must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"EMBEDDING_LAB_MAX_JOBS_PER_BROWSER must be at least 1, got {value}")
    return value


class JobLimitExceeded(InputError):
    """A job went over its wall-time or memory cap; the message says which and what to try."""


class WorkerCrashed(InputError):
    """A job's worker process died without an answer (killed by a signal, or an unexpected exit)."""


class TooManyJobs(InputError):
    """A browser already has as many jobs queued or running as one browser may have."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process: its ``__cause__`` in the server log."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def format_bytes(n: int) -> str:
    return f"{n / 2**30:.3g} GB" if n >= 2**30 else f"{n / 2**20:.3g} MB"

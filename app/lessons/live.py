"""Live lessons: one server-wide, thread-safe registry of the lessons teachers are leading.

A teacher starts a lesson live and moves it step by step; every follower's page reads the
current step once a second (a Streamlit fragment) and goes there. For "guess first" steps each
follower may commit one guess per step; the registry keeps only counts per option plus a set
of opaque follower ids (never names, never who chose what), so the teacher sees the class's
answers counted, then reveals.

Everything lives in memory in the server process: a restart ends every live lesson.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import InputError
from app.lessons.format import Lesson

MAX_LIVE = 50
IDLE_SECONDS = 6 * 3600  # a live lesson nobody moved for this long is dropped


@dataclass(frozen=True)
class LiveState:
    """What a follower reads: the lesson, its current step, and whether the answer is revealed."""

    live_id: str
    lesson: Lesson
    step: int
    revealed: bool
    version: int  # grows on every change, so a follower can tell "moved" from "same"


@dataclass
class _Live:
    lesson: Lesson
    leader: str
    step: int = 0
    revealed: bool = False
    version: int = 0
    counts: dict[int, Counter[str]] = field(default_factory=dict)
    voters: dict[int, set[str]] = field(default_factory=dict)
    touched: float = field(default_factory=time.monotonic)


class LiveRegistry:
    """Which lesson each teacher leads, its step and the anonymous guess counts; safe across threads."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, _Live] = {}
        self._clock = clock

    def start(self, lesson: Lesson, *, leader: str) -> str:
        """Start leading ``lesson`` (ending any other lesson this leader led); returns the live id."""
        with self._lock:
            self._expire()
            for live_id in [i for i, live in self._live.items() if live.leader == leader]:
                del self._live[live_id]
            if len(self._live) >= MAX_LIVE:
                raise InputError(f"{MAX_LIVE} lessons are already live on this server; end one first.")
            live_id = secrets.token_urlsafe(6)
            self._live[live_id] = _Live(lesson=lesson, leader=leader, touched=self._clock())
            return live_id

    def stop(self, live_id: str, *, leader: str) -> None:
        """End a live lesson (only its leader may)."""
        with self._lock:
            self._owned(live_id, leader)
            del self._live[live_id]

    def go_to(self, live_id: str, step: int, *, leader: str) -> LiveState:
        """Move the class to ``step`` (clamped to the lesson); the answer is hidden again."""
        with self._lock:
            live = self._owned(live_id, leader)
            step = max(0, min(step, len(live.lesson.steps) - 1))
            if step != live.step:
                live.step, live.revealed = step, False
                live.version += 1
            live.touched = self._clock()
            return self._state(live_id, live)

    def move(self, live_id: str, by: int, *, leader: str) -> LiveState:
        """Next (``by=1``) or previous (``by=-1``) step."""
        with self._lock:
            current = self._owned(live_id, leader).step
        return self.go_to(live_id, current + by, leader=leader)

    def reveal(self, live_id: str, *, leader: str) -> LiveState:
        """Show the current step's answer to the class."""
        with self._lock:
            live = self._owned(live_id, leader)
            if not live.revealed:
                live.revealed = True
                live.version += 1
            live.touched = self._clock()
            return self._state(live_id, live)

    def guess(self, live_id: str, step: int, option: str, *, follower: str) -> bool:
        """Count one follower's guess for ``step``; False (and nothing counted) when they already
        guessed on that step, the step is not the current one, or the option is not offered."""
        with self._lock:
            live = self._live.get(live_id)
            if live is None or step != live.step or option not in live.lesson.steps[step].guesses:
                return False
            voters = live.voters.setdefault(step, set())
            if follower in voters:
                return False
            voters.add(follower)
            live.counts.setdefault(step, Counter())[option] += 1
            return True

    def counts(self, live_id: str, step: int) -> dict[str, int]:
        """How many followers chose each option of ``step`` (every option listed, zeros included)."""
        with self._lock:
            live = self._live.get(live_id)
            if live is None or not 0 <= step < len(live.lesson.steps):
                return {}
            counted = live.counts.get(step, Counter())
            return {option: counted[option] for option in live.lesson.steps[step].guesses}

    def has_guessed(self, live_id: str, step: int, *, follower: str) -> bool:
        with self._lock:
            live = self._live.get(live_id)
            return live is not None and follower in live.voters.get(step, set())

    def state(self, live_id: str) -> LiveState | None:
        """The live lesson as followers see it, or None when it ended."""
        with self._lock:
            live = self._live.get(live_id)
            return None if live is None else self._state(live_id, live)

    def led_by(self, leader: str) -> LiveState | None:
        """The lesson ``leader`` is leading, if any."""
        with self._lock:
            for live_id, live in self._live.items():
                if live.leader == leader:
                    return self._state(live_id, live)
            return None

    def running(self) -> list[LiveState]:
        """Every live lesson (for the "follow" list), oldest first."""
        with self._lock:
            self._expire()
            return [self._state(live_id, live) for live_id, live in self._live.items()]

    def _owned(self, live_id: str, leader: str) -> _Live:
        live = self._live.get(live_id)
        if live is None:
            raise InputError("This live lesson has ended.")
        if live.leader != leader:
            raise InputError("Only the teacher who started this live lesson can move it.")
        return live

    def _expire(self) -> None:
        now = self._clock()
        for live_id in [i for i, live in self._live.items() if now - live.touched > IDLE_SECONDS]:
            del self._live[live_id]

    @staticmethod
    def _state(live_id: str, live: _Live) -> LiveState:
        return LiveState(
            live_id=live_id, lesson=live.lesson, step=live.step, revealed=live.revealed, version=live.version
        )

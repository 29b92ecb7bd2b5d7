"""The teacher code's rate limit: a few wrong tries a minute, then a lockout that grows, logged."""

from __future__ import annotations

import logging

import pytest

from app.store.attempts import AttemptLimiter, AttemptPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock) -> AttemptLimiter:
    return AttemptLimiter({"session": AttemptPolicy(), "server": AttemptPolicy(max_failures=10)}, clock=clock)


ALICE = [("session", "alice"), ("server", "all")]
BOB = [("session", "bob"), ("server", "all")]


def test_five_wrong_tries_a_minute_lock_the_session_and_the_lockout_grows(limiter, clock, caplog):
    with caplog.at_level(logging.WARNING, logger="app.store.attempts"):
        for _ in range(4):
            limiter.failed(ALICE)
            assert limiter.wait(ALICE) == 0
        limiter.failed(ALICE)
    assert limiter.wait(ALICE) == 60
    assert limiter.wait(BOB) == 0  # another browser is not locked by one session's guesses
    assert any("locked for 60 s" in r.message and "alice" in r.message for r in caplog.records)

    clock.now += 61
    assert limiter.wait(ALICE) == 0
    for _ in range(5):
        limiter.failed(ALICE)
    assert limiter.wait(ALICE) == 120  # the second lockout is twice as long


def test_wrong_tries_spread_over_more_than_a_minute_do_not_lock(limiter, clock):
    for _ in range(12):
        limiter.failed(ALICE[:1])
        clock.now += 15
    assert limiter.wait(ALICE[:1]) == 0


def test_many_sessions_together_meet_the_server_wide_limit(limiter, clock):
    for i in range(10):
        limiter.failed([("session", f"tab {i}"), ("server", "all")])
    assert limiter.wait([("session", "a fresh tab"), ("server", "all")]) == 60


def test_a_right_code_clears_the_count_of_wrong_ones(limiter):
    for _ in range(4):
        limiter.failed(ALICE)
    limiter.succeeded(ALICE)
    limiter.failed(ALICE)
    assert limiter.wait(ALICE) == 0


def test_lockouts_are_capped(clock):
    limiter = AttemptLimiter({"session": AttemptPolicy(max_failures=1, max_lockout=300)}, clock=clock)
    waits = []
    for _ in range(8):
        limiter.failed([("session", "s")])
        waits.append(limiter.wait([("session", "s")]))
        clock.now += 10_000
    assert waits == [60, 120, 240, 300, 300, 300, 300, 300]

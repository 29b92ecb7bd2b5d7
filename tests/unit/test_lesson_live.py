"""The live-lesson registry: the teacher moves, followers read, guesses counted anonymously."""

import threading

import pytest

from app.errors import InputError
from app.lessons.format import Lesson, Step
from app.lessons.live import LiveRegistry

LESSON = Lesson(
    title="Live",
    level="beginner",
    steps=(
        Step("One", text="first"),
        Step("Two", question="Closer to king?", guesses=("queen", "apple"), answer="queen"),
        Step("Three"),
    ),
)


def test_the_teacher_moves_and_followers_read_the_step():
    registry = LiveRegistry()
    live_id = registry.start(LESSON, leader="teacher")
    seen = registry.state(live_id)
    assert seen is not None and seen.step == 0
    registry.move(live_id, 1, leader="teacher")
    moved = registry.state(live_id)
    assert moved is not None and moved.step == 1 and moved.version > seen.version
    registry.move(live_id, 5, leader="teacher")
    assert registry.state(live_id).step == 2  # clamped to the last step
    registry.move(live_id, -1, leader="teacher")
    assert registry.state(live_id).step == 1
    assert registry.led_by("teacher").live_id == live_id
    assert [state.live_id for state in registry.running()] == [live_id]


def test_only_the_leader_moves_and_stopping_ends_it():
    registry = LiveRegistry()
    live_id = registry.start(LESSON, leader="teacher")
    with pytest.raises(InputError, match="Only the teacher"):
        registry.move(live_id, 1, leader="student")
    registry.stop(live_id, leader="teacher")
    assert registry.state(live_id) is None
    with pytest.raises(InputError, match="ended"):
        registry.move(live_id, 1, leader="teacher")


def test_starting_again_replaces_the_leaders_previous_lesson():
    registry = LiveRegistry()
    first = registry.start(LESSON, leader="teacher")
    second = registry.start(LESSON, leader="teacher")
    assert registry.state(first) is None and registry.state(second) is not None


def test_guesses_are_counted_once_per_follower_per_step_and_only_on_the_current_step():
    registry = LiveRegistry()
    live_id = registry.start(LESSON, leader="teacher")
    assert not registry.guess(live_id, 1, "queen", follower="f1")  # not the current step yet
    registry.move(live_id, 1, leader="teacher")
    assert registry.guess(live_id, 1, "queen", follower="f1")
    assert not registry.guess(live_id, 1, "apple", follower="f1")  # a second guess is not counted
    assert registry.guess(live_id, 1, "apple", follower="f2")
    assert registry.guess(live_id, 1, "queen", follower="f3")
    assert not registry.guess(live_id, 1, "banana", follower="f4")  # not an option
    assert registry.counts(live_id, 1) == {"queen": 2, "apple": 1}
    assert registry.has_guessed(live_id, 1, follower="f1")
    assert not registry.has_guessed(live_id, 1, follower="f4")
    assert "f1" not in repr(registry.counts(live_id, 1))  # counts only: nobody's choice is kept by name


def test_reveal_is_seen_by_followers_and_moving_hides_it_again():
    registry = LiveRegistry()
    live_id = registry.start(LESSON, leader="teacher")
    registry.move(live_id, 1, leader="teacher")
    before = registry.state(live_id).version
    registry.reveal(live_id, leader="teacher")
    assert registry.state(live_id).revealed and registry.state(live_id).version > before
    registry.move(live_id, 1, leader="teacher")
    assert not registry.state(live_id).revealed


def test_idle_lessons_expire():
    now = [0.0]
    registry = LiveRegistry(clock=lambda: now[0])
    live_id = registry.start(LESSON, leader="teacher")
    now[0] = 7 * 3600
    assert registry.running() == []
    assert registry.state(live_id) is None


def test_many_followers_guessing_at_once_are_each_counted_once():
    registry = LiveRegistry()
    live_id = registry.start(LESSON, leader="teacher")
    registry.move(live_id, 1, leader="teacher")

    def follower(i: int) -> None:
        for _ in range(20):
            registry.guess(live_id, 1, "queen" if i % 3 else "apple", follower=f"f{i}")
            registry.state(live_id)

    threads = [threading.Thread(target=follower, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.counts(live_id, 1) == {"queen": 20, "apple": 10}

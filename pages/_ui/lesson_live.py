"""Leading a class live, and following, both inside the lesson player of the Lessons page.

A teacher (teacher code unlocked on Home) presses "Lead this lesson live" on a lesson: their player
now shows ``live:<id>`` and each Previous/Next moves the class; above it they see the class's
guesses counted (anonymous), reveal the answer, or end. A student presses "Follow": their player
shows the same lesson, and a small fragment re-reads the registry every second
(``st.fragment(run_every=1)``); when the teacher moved (or revealed) it reruns the page, whose
player goes to the teacher's step. A student may step away (browse the lesson on their own) and
rejoin. The state is the server-wide registry of app/lessons/live.py."""

from __future__ import annotations

import hashlib

import streamlit as st

from app.errors import InputError
from app.lessons.format import Lesson
from app.lessons.live import LiveRegistry, LiveState
from app.lessons.player import Player
from pages._ui import lessons, workspace
from pages._ui.errors import report_errors
from pages._ui.text import plain

AWAY = "live_stepped_away"
SEEN = "live_seen_version"
LESSONS_PAGE = "pages/7_Lessons.py"


@st.cache_resource(show_spinner=False)
def registry() -> LiveRegistry:
    """One registry for the whole server: every session sees the same live lessons."""
    return LiveRegistry()


def _me() -> str:
    """An opaque id for this browser (a hash of its workspace token): who already guessed."""
    return hashlib.sha256(f"live:{workspace.token()}".encode()).hexdigest()[:16]


def _leader() -> str:
    return hashlib.sha256(f"lead:{workspace.token()}".encode()).hexdigest()[:16]


def start_leading(lesson: Lesson, step: int = 0) -> None:
    """Teacher: start leading ``lesson`` live from ``step``; the player now drives the class."""
    live_id = registry().start(lesson, leader=_leader())
    registry().go_to(live_id, step, leader=_leader())
    lessons.open_lesson(f"{lessons.LIVE}{live_id}", step)


def lead_button(lesson: Lesson | None, step: int = 0, *, switch: bool = False) -> None:
    """ "Lead this lesson live" for a teacher; ``switch`` goes to the Lessons page (from the Teach page)."""
    if not workspace.is_teacher():
        st.caption("Enter the teacher code on Home to lead a lesson live.")
        return
    if lesson is None:
        st.caption("Fix the lesson above to lead it live.")
        return
    if st.button("Lead this lesson live", key="live_start", type="primary"):
        with report_errors("start the live lesson"):
            start_leading(lesson, step)
            if switch:
                st.switch_page(LESSONS_PAGE)
            st.rerun()


def play_live(state: Player) -> None:
    """The player on a live lesson: the leader's (moves the class) or a follower's (moved by it)."""
    live_id = state.lesson.removeprefix(lessons.LIVE)
    live = registry().state(live_id)
    if live is None:
        st.info("This live lesson has ended.")
        st.button("All lessons", on_click=lessons.close_lesson, key="lesson_close")
        return
    leading = registry().led_by(_leader())
    if leading is not None and leading.live_id == live.live_id:
        _lead(live, state)
    else:
        _follow(live, state)


def _lead(live: LiveState, state: Player) -> None:
    def push() -> None:
        try:
            registry().go_to(live.live_id, state.step, leader=_leader())
        except InputError as exc:
            st.session_state["live_message"] = str(exc)

    _leading(live.live_id)
    lessons.play(live.lesson, state, controls=lessons.Controls(close=False, after_move=push))


@st.fragment(run_every=1)
def _leading(live_id: str) -> None:
    """The teacher's bar: the class's step, the guesses counted (refreshed every second), reveal, end."""
    live = registry().state(live_id)
    if live is None:
        st.caption("The live lesson has ended.")
        return
    message = st.session_state.pop("live_message", None)
    if message:
        st.error(plain(message))
    st.info(plain(f"Leading {live.lesson.title} live: students following it are on step {live.step + 1}."))
    step = live.lesson.steps[live.step]
    if step.guesses:
        counts = registry().counts(live.live_id, live.step)
        st.markdown(f"**The class's guesses** ({sum(counts.values())} so far, anonymous)")
        count_cols = st.columns(len(counts) or 1)
        for i, (option, count) in enumerate(counts.items()):
            count_cols[i].metric(plain(option), count)
    cols = st.columns(2)
    if cols[0].button("Reveal the answer to the class", key="live_reveal", disabled=live.revealed or not step.answer):
        registry().reveal(live.live_id, leader=_leader())
        st.rerun(scope="fragment")
    if cols[1].button("End the live lesson", key="live_stop"):
        registry().stop(live.live_id, leader=_leader())
        st.rerun()


def _follow(live: LiveState, state: Player) -> None:
    st.session_state[SEEN] = live.version
    away = bool(st.session_state.get(AWAY))
    _watch(live.live_id)
    if away:  # the student browses on their own, and may leave the lesson (All lessons)
        controls = lessons.Controls()
    else:
        state.step = live.step

        def count(step: int, option: str) -> None:
            registry().guess(live.live_id, step, option, follower=_me())

        controls = lessons.Controls(navigate=False, close=False, answer_shown=live.revealed, on_guess=count)
    lessons.play(live.lesson, state, controls=controls)


@st.fragment(run_every=1)
def _watch(live_id: str) -> None:
    """Every second: has the teacher moved (or revealed, or ended)? Then the whole page reruns."""
    live = registry().state(live_id)
    seen = st.session_state.get(SEEN)
    if live is None or seen is None or (live.version != seen and not st.session_state.get(AWAY)):
        st.rerun()
    with st.container(border=True):
        left, right = st.columns([4, 1])
        if st.session_state.get(AWAY):
            left.info(plain(f"You stepped away from {live.lesson.title}; the class is on step {live.step + 1}."))
            right.button("Rejoin the class", key="live_rejoin", on_click=_set_away, args=(False,))
        else:
            left.markdown(plain(f"Following {live.lesson.title} live"))
            right.button("Step away", key="live_away", on_click=_set_away, args=(True,))


def _set_away(away: bool) -> None:
    st.session_state[AWAY] = away
    st.session_state[SEEN] = None  # the page reruns: the player goes back to the teacher's step


def follow(live_id: str) -> None:
    """Follow the live lesson ``live_id``: the player opens it at the class's step."""
    live = registry().state(live_id)
    st.session_state[AWAY] = False
    lessons.open_lesson(f"{lessons.LIVE}{live_id}", live.step if live else 0)


def follow_list(*, switch: bool = True) -> None:
    """Every lesson being led live, with a Follow button (Home and the Lessons page)."""
    running = registry().running()
    if not running:
        return
    st.subheader("Live now")
    current = lessons.player()
    for live in running:
        cols = st.columns([4, 1])
        cols[0].markdown(plain(f"{live.lesson.title} · step {live.step + 1} of {len(live.lesson.steps)}"))
        if current is not None and current.lesson == f"{lessons.LIVE}{live.live_id}":
            cols[1].caption("Following")
        elif cols[1].button("Follow the live lesson", key=f"live_follow_{live.live_id}"):
            follow(live.live_id)
            if switch:
                st.switch_page(LESSONS_PAGE)
            st.rerun()

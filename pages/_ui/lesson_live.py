"""Leading a class live, and following: the teacher's controls (start, previous/next, the class's
guesses counted, reveal, end) and the follower's fragment, which re-reads the live lesson every
second (``st.fragment(run_every=1)``) and moves the student to the teacher's step; a student may
step away and rejoin. The state is the server-wide registry of app/lessons/live.py."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from app.errors import InputError
from app.lessons.format import Lesson
from app.lessons.live import LiveRegistry, LiveState
from pages._ui import workspace
from pages._ui.errors import report_errors
from pages._ui.lesson_step import render_step
from pages._ui.text import plain

FOLLOWING = "live_following"
AWAY = "live_stepped_away"
TEACH_PAGE = "pages/8_Teach.py"


@st.cache_resource(show_spinner=False)
def registry() -> LiveRegistry:
    """One registry for the whole server: every session sees the same live lessons."""
    return LiveRegistry()


def _me() -> str:
    """An opaque id for this browser (a hash of its workspace token): who leads, who already guessed."""
    return hashlib.sha256(f"live:{workspace.token()}".encode()).hexdigest()[:16]


def _leader() -> str:
    return hashlib.sha256(f"lead:{workspace.token()}".encode()).hexdigest()[:16]


def lead_panel(lesson: Lesson | None) -> None:
    """Teacher: start leading ``lesson`` live, then move the class and reveal answers."""
    if not workspace.is_teacher():
        st.caption("Enter the teacher code on Home to lead a lesson live.")
        return
    live = registry().led_by(_leader())
    if live is None:
        if lesson is None:
            st.caption("Fix the lesson above to lead it live.")
        elif st.button(f"Lead {plain(lesson.title)} live", key="live_start", type="primary"):
            with report_errors("start the live lesson"):
                registry().start(lesson, leader=_leader())
                st.rerun()
        return
    _leading()


@st.fragment(run_every=1)
def _leading() -> None:
    """The teacher's view of the live lesson; refreshed every second so the guess counts climb."""
    live = registry().led_by(_leader())
    if live is None:
        st.caption("The live lesson has ended.")
        return
    st.info(plain(f"Leading {live.lesson.title} live: students following it are on step {live.step + 1}."))
    cols = st.columns(4)
    moved = None
    if cols[0].button("Previous step", key="live_previous", disabled=live.step == 0):
        moved = -1
    if cols[1].button("Next step", key="live_next", disabled=live.step == len(live.lesson.steps) - 1):
        moved = 1
    step = live.lesson.steps[live.step]
    if cols[2].button("Reveal the answer", key="live_reveal", disabled=live.revealed or not step.answer):
        _act(lambda: registry().reveal(live.live_id, leader=_leader()))
    if cols[3].button("End the live lesson", key="live_stop"):
        _act(lambda: registry().stop(live.live_id, leader=_leader()))
    if moved is not None:
        _act(lambda: registry().move(live.live_id, moved, leader=_leader()))
    live = registry().led_by(_leader()) or live
    step = live.lesson.steps[live.step]
    if step.guesses:
        counts = registry().counts(live.live_id, live.step)
        st.markdown(f"**The class's guesses** ({sum(counts.values())} so far, anonymous)")
        count_cols = st.columns(len(counts) or 1)
        for i, (option, count) in enumerate(counts.items()):
            count_cols[i].metric(plain(option), count)
    render_step(step, index=live.step, total=len(live.lesson.steps), revealed=live.revealed, key="lead")


def _act(action: Callable[[], object]) -> None:
    try:
        action()
    except InputError as exc:
        st.error(plain(str(exc)))
        return
    st.rerun(scope="fragment")


def follow_list() -> None:
    """Every lesson being led live, with a Follow button (Home and the Teach page)."""
    running = registry().running()
    if not running:
        return
    st.subheader("Live now")
    for live in running:
        cols = st.columns([4, 1])
        cols[0].markdown(plain(f"{live.lesson.title} · step {live.step + 1} of {len(live.lesson.steps)}"))
        if st.session_state.get(FOLLOWING) == live.live_id:
            cols[1].caption("Following")
        elif cols[1].button("Follow", key=f"live_follow_{live.live_id}"):
            st.session_state[FOLLOWING] = live.live_id
            st.session_state[AWAY] = False
            st.switch_page(TEACH_PAGE)


def follower() -> None:
    """Draws the followed lesson (if any); callable from any page."""
    if st.session_state.get(FOLLOWING):
        _following()


@st.fragment(run_every=1)
def _following() -> None:
    """Re-read the live lesson every second: a following student is always on the teacher's step."""
    live_id = st.session_state.get(FOLLOWING)
    live = registry().state(live_id) if live_id else None
    if live is None:
        st.caption("The live lesson has ended.")
        st.session_state.pop(FOLLOWING, None)
        return
    if st.session_state.get(AWAY):
        st.info(plain(f"You stepped away from {live.lesson.title}; the class is on step {live.step + 1}."))
        if st.button("Rejoin the class", key="live_rejoin"):
            st.session_state[AWAY] = False
            st.rerun(scope="fragment")
        return
    with st.container(border=True):
        st.markdown(plain(f"Following {live.lesson.title} live"))
        _show_live_step(live)
        if st.button("Step away", key="live_away"):
            st.session_state[AWAY] = True
            st.rerun(scope="fragment")


def _show_live_step(live: LiveState) -> None:
    me = _me()
    guessed = st.session_state.get(f"live_guess_{live.live_id}_{live.step}")

    def on_guess(option: str) -> None:
        if registry().guess(live.live_id, live.step, option, follower=me):
            st.session_state[f"live_guess_{live.live_id}_{live.step}"] = option
        st.rerun(scope="fragment")

    render_step(
        live.lesson.steps[live.step],
        index=live.step,
        total=len(live.lesson.steps),
        revealed=live.revealed,
        guessed=guessed,
        on_guess=on_guess,
        key=f"follow_{live.step}",
    )

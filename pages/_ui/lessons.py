"""The lesson player, the one renderer of a lesson step: the counter, Previous/Next, the step's text
(``safe_markdown``) and question beside its view (another page embedded, or a lesson widget).

The student's place is a Player in session_state (``lesson_player``) mirrored in the URL
(``?lesson=near&step=3``). The same player draws the teacher's preview (Teach page) and a live
lesson, led or followed (pages/_ui/lesson_live.py), with ``Controls`` saying who moves it.
Lesson keys: a built-in key ("near"), ``uploaded``, ``published:<slug>`` (the class shelf),
``mine:<slug>`` (the teacher's workspace) and ``live:<id>`` (a lesson being led)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
import streamlit.components.v1 as components

from app.errors import InputError
from app.lessons import builtin, store, widgets
from app.lessons.format import Lesson, Step
from app.lessons.markdown import safe_markdown
from app.lessons.player import Player
from pages._ui import workspace
from pages._ui.errors import report_errors
from pages._ui.lesson_widgets import WIDGETS, glove
from pages._ui.text import plain
from pages._ui.widgets import PAGES

PLAYER = "lesson_player"
UPLOADED = "lesson_uploaded"
PUBLISHED, MINE, LIVE = "published:", "mine:", "live:"
VIEW_HEIGHT = 700
VIEW_WORD_KEYS = ("query", "a", "b", "c", "expected", "word")


@dataclass(frozen=True)
class Controls:
    """Who moves the player. The student (default): Previous/Next, answers on request. A follower of
    a live lesson: no navigation, the teacher reveals (``answer_shown``), guesses are counted
    (``on_guess``). A leader: ``after_move`` sends every move to the class."""

    navigate: bool = True
    close: bool = True
    in_url: bool = True
    answer_shown: bool | None = None  # None: the student reveals; True/False: the teacher decides
    on_guess: Callable[[int, str], None] | None = None
    after_move: Callable[[], None] | None = None


STUDENT = Controls()


def player() -> Player | None:
    return st.session_state.get(PLAYER)


def open_lesson(key: str, step: int = 0) -> Player:
    """Start (or return to) a lesson; the one object a teacher's controls drive."""
    current = player()
    if current is None or current.lesson != key:
        current = Player(key)
        st.session_state[PLAYER] = current
    current.step = max(0, step)
    return current


def close_lesson() -> None:
    st.session_state.pop(PLAYER, None)
    for key in ("lesson", "step"):
        st.query_params.pop(key, None)


def resolve(key: str) -> Lesson:
    """The lesson a (non-live) key names: built-in, uploaded, published or the teacher's own."""
    if key.startswith(PUBLISHED):
        return store.published_lessons(workspace.shelf().path).read(key.removeprefix(PUBLISHED))
    if key.startswith(MINE):
        return store.workspace_lessons(workspace.current().path).read(key.removeprefix(MINE))
    if key == "uploaded":
        if UPLOADED not in st.session_state:
            raise InputError("The uploaded lesson is gone (a new session); upload it again.")
        return st.session_state[UPLOADED]
    return builtin.builtin_lesson(key)


def _mover(state: Player, count: int, by: int, after: Callable[[], None] | None) -> Callable[[], None]:
    def move() -> None:
        state.go(state.step + by, count)
        if after is not None:
            after()

    return move


def play(lesson: Lesson, state: Player, *, controls: Controls = STUDENT) -> None:
    """Step ``state.step`` of ``lesson``: the counter, Previous/Next, the text and question, the view."""
    count = len(lesson.steps)
    state.go(state.step, count)
    if controls.in_url:
        st.query_params["lesson"] = state.lesson
        st.query_params["step"] = state.url_step
    step = lesson.steps[state.step]
    top = st.columns([4, 1, 1, 1])
    top[0].markdown(f"### {plain(lesson.title)}\n**Step {state.step + 1} of {count}** · {plain(step.title)}")
    if controls.navigate:
        back, forward = _mover(state, count, -1, controls.after_move), _mover(state, count, 1, controls.after_move)
        top[1].button("Previous", on_click=back, disabled=state.step == 0, key="lesson_prev")
        top[2].button("Next", on_click=forward, disabled=state.step == count - 1, key="lesson_next")
    if controls.close:
        top[3].button("All lessons", on_click=close_lesson, key="lesson_close")
    st.progress((state.step + 1) / count)
    text, view = st.columns([2, 3])
    with text:
        st.markdown(f"#### {plain(step.title)}")
        if step.text:
            st.markdown(safe_markdown(step.text))
        question(step, state, controls)
    with view:
        show(step)


def question(step: Step, state: Player, controls: Controls = STUDENT) -> None:
    """The step's question: a guess to commit first (when it has options), then the answer, which
    the student reveals, or (live) the teacher."""
    if not step.question:
        return
    st.markdown(f"**Question:** {safe_markdown(step.question)}")
    if step.guesses and state.step not in state.guesses and state.step not in state.revealed:
        choice = st.radio("Your guess", step.guesses, index=None, key=f"guess_{state.lesson}_{state.step}")
        if st.button("Commit my guess", disabled=choice is None, key="commit_guess"):
            state.commit_guess(str(choice))
            if controls.on_guess is not None:
                controls.on_guess(state.step, str(choice))
            st.rerun()
        return
    if step.guesses:
        st.info(f"Your guess: **{plain(state.guesses.get(state.step, '(none)'))}**")
    teacher = controls.answer_shown
    shown = state.step in state.revealed if teacher is None else teacher
    if step.answer and shown:
        st.success(safe_markdown(step.answer))
    elif step.answer and teacher is None:
        st.button("Show the answer", on_click=state.reveal, key="show_answer")
    elif step.answer:
        st.caption("Your teacher reveals the answer.")


def show(step: Step) -> None:
    """The step's view: another page embedded, or a lesson widget; a failure stays inside the step."""
    if step.show is None:
        return
    with report_errors(f"show this step ({step.show.to_line()[6:]})"):
        if step.show.kind == "view":
            embed_view(step.show.target)
        else:
            widgets.check_widget(step.show.target)
            WIDGETS[step.show.target](list(step.show.args))


def embed_view(target: str) -> None:
    """Another page of the app, embedded (Streamlit's embed mode) at a relative same-server address."""
    page, _, query = target.partition("?")
    paths = {label.lower(): path for path, label, _ in PAGES if path.startswith("pages/")}
    if page.lower() not in paths:
        raise InputError(f"unknown page {page!r}; the pages are: {', '.join(label for _, label, _ in PAGES[1:])}")
    settings = dict(urllib.parse.parse_qsl(query))
    if settings.get("sample") == "glove":
        space = glove()
        for key in VIEW_WORD_KEYS:
            if settings.get(key) and settings[key].lower() not in space:
                raise InputError(f"{settings[key]!r} is not in the GloVe sample, so this view cannot show it")
    address = f"{page}?{urllib.parse.urlencode({**settings, 'embed': 'true'})}"
    st.page_link(paths[page.lower()], label=f"Open in its page: {page}", icon=":material/open_in_new:")
    components.iframe(address, height=VIEW_HEIGHT, scrolling=True)

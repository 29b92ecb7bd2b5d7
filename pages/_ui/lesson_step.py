"""One lesson step as a student sees it, for the editor's preview and for a class following a live
lesson. The step's text is the teacher's Markdown (images and links to other sites removed); the
view it shows opens as a link inside the app."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from app.lessons.format import Step
from pages._ui.text import plain

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_FOREIGN_LINK = re.compile(r"\[([^\]]*)\]\(\s*(?:[a-z][a-z0-9+.-]*:|//)[^)]*\)", re.IGNORECASE)
_HTML = re.compile(r"<[^>]*>")
_BARE_URL = re.compile(r"(?<![`\w/])((?:https?://|www\.)[^\s)<>`]+)", re.IGNORECASE)


def lesson_markdown(text: str) -> str:
    """The teacher's Markdown without images, raw HTML or links to other sites (their text stays)."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _FOREIGN_LINK.sub(lambda m: m.group(1), text)
    text = _HTML.sub("", text)
    return _BARE_URL.sub(lambda m: f"`{m.group(1)}`", text)


def view_href(target: str) -> str:
    """An in-app address for a ``view`` target ("Explore?sample=glove"): relative, never another host."""
    page, _, query = target.partition("?")
    page = re.sub(r"[^A-Za-z0-9_-]", "", page)
    query = re.sub(r"[^A-Za-z0-9_.~=&%+,-]", "", query)
    return f"/{page}" + (f"?{query}" if query else "")


def render_step(
    step: Step,
    *,
    index: int,
    total: int,
    revealed: bool,
    guessed: str | None = None,
    on_guess: Callable[[str], None] | None = None,
    key: str = "step",
) -> None:
    """The step: "Step i of n", the title, the text, the view, the question with its guesses and answer."""
    st.caption(f"Step {index + 1} of {total}")
    st.subheader(plain(step.title))
    if step.text:
        st.markdown(lesson_markdown(step.text))
    if step.show is not None:
        if step.show.kind == "view":
            st.markdown(f"[Open this view: {plain(step.show.target.partition('?')[0])}]({view_href(step.show.target)})")
            st.caption(plain(step.show.target))
        else:
            st.caption(plain(f"Shows the lesson widget {step.show.target} {' '.join(step.show.args)}"))
    if step.question:
        st.markdown(f"**Question:** {lesson_markdown(step.question)}")
    if step.guesses and on_guess is not None and guessed is None and not revealed:
        cols = st.columns(len(step.guesses))
        for i, option in enumerate(step.guesses):
            if cols[i].button(plain(option), key=f"{key}_guess_{i}"):
                on_guess(option)
    if guessed is not None:
        st.caption(f"Your guess: {plain(guessed)}")
    if step.answer:
        if revealed:
            st.success(f"**Answer:** {lesson_markdown(step.answer)}")
        else:
            st.caption("The answer is revealed later.")

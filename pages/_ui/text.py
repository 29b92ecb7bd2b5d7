"""User text shown as text: one helper for every place that echoes a word, file name or formula
(the escaping itself is app.text.literal's, which lessons made from outside text use too)."""

from __future__ import annotations

from app.text.literal import literal_markdown


def plain(text: object) -> str:
    """``text`` escaped so st.markdown, st.caption, st.error, st.subheader, toasts and widget labels
    show it literally: no links, images, HTML, emphasis, LaTeX or colour directives."""
    return literal_markdown(text)

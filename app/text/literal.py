"""User text shown as text in Markdown: one escaper for every place that echoes a word, file name,
formula or a description someone else wrote (a Projector bookmark's), so it never becomes markup."""

from __future__ import annotations

import re

# Characters that start Markdown, HTML, LaTeX or Streamlit markup anywhere in a line. Underscores
# inside a word (min_count) cannot start emphasis, so they are left as they are.
_INLINE = re.compile(r"([\\`*\[\]<>!~$|&:#])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What starts a block only at the beginning of a line: lists, quotes, headings' underlines.
_LINE_START = re.compile(r"(?m)^(\s*)([-+=]|\d+)")


def literal_markdown(text: object) -> str:
    """``text`` escaped so Markdown (and Streamlit's captions, errors, headers, toasts and widget
    labels) show it literally: no links, images, HTML, emphasis, LaTeX or colour directives."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), str(text))
    return _no_autolinks(_LINE_START.sub(_escape_block_start, escaped))


def _no_autolinks(text: str) -> str:
    """Backslashes do not stop the Markdown renderer from linking bare addresses (http://..., www...,
    name@host): a zero-width space inside each marker breaks them while the text reads the same."""
    return text.replace("//", "/\u200b/").replace("www.", "www\u200b.").replace("@", "\u200b@")


def _escape_block_start(match: re.Match[str]) -> str:
    indent, start = match.group(1), match.group(2)
    if start.isdigit():  # "1." or "1)" starts a numbered list: escape the punctuation after it
        rest = match.string[match.end() : match.end() + 1]
        return indent + start + ("\\" if rest in (".", ")") else "")
    return indent + "\\" + start

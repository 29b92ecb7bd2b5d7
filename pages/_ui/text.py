"""User text shown as text: one helper for every place that echoes a word, file name or formula."""

from __future__ import annotations

import re

# Characters that start Markdown, HTML, LaTeX or Streamlit markup anywhere in a line. Underscores
# inside a word (min_count) cannot start emphasis, so they are left as they are.
_INLINE = re.compile(r"([\\`*\[\]<>!~$|&:#])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What starts a block only at the beginning of a line: lists, quotes, headings' underlines.
_LINE_START = re.compile(r"(?m)^(\s*)([-+=]|\d+)")


def plain(text: object) -> str:
    """``text`` escaped so st.markdown, st.caption, st.error, st.subheader, toasts and widget labels
    show it literally: no links, images, HTML, emphasis, LaTeX or colour directives."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), str(text))
    return _LINE_START.sub(_escape_block_start, escaped)


def _escape_block_start(match: re.Match[str]) -> str:
    indent, start = match.group(1), match.group(2)
    if start.isdigit():  # "1." or "1)" starts a numbered list: escape the punctuation after it
        rest = match.string[match.end() : match.end() + 1]
        return indent + start + ("\\" if rest in (".", ")") else "")
    return indent + "\\" + start

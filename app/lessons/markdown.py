"""Lesson text is Markdown written by a teacher: render it, but fetch nothing and link nowhere else.

Images are dropped (their alt text stays), links to other hosts keep only their text, bare web
addresses are shown as code (so they are not turned into links), and raw HTML is escaped by
Streamlit's Markdown anyway. Links within the app (``Explore?sample=glove``, ``/Bias``) stay.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)|!\[([^\]]*)\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*([^)\s]*)[^)]*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]*)>", re.IGNORECASE)
_BARE = re.compile(r"(?<![`\w/])((?:https?://|ftp://|www\.)[^\s)<>`]+)", re.IGNORECASE)
_FOREIGN = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def safe_markdown(text: str) -> str:
    """``text`` without images and without links to other hosts (see the module's docstring)."""
    text = _IMAGE.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _REFERENCE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) if _FOREIGN.match(m.group(2)) else m.group(0), text)
    text = _AUTOLINK.sub(lambda m: f"`{m.group(1)}`", text)
    return _BARE.sub(lambda m: f"`{m.group(1)}`", text)

"""What every figure builder shares: the palette, and escaping of text for plotly.

Plotly renders a subset of HTML (``<a href>``, ``<span style>``, ``<br>``, ``<b>``...) in every
label, legend entry, hover text, tick label and title. Words, metadata, file and direction names
come from users, so every such string goes through ``escape`` before it reaches a figure: a word
``<a href=...>`` is then shown as those characters, never as a link.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

BLUE = "#4c78a8"
ORANGE = "#f58518"
GREEN = "#54a24b"
RED = "#e45756"
GREY = "#bab0ac"
TEXT = "#31333f"  # Streamlit's own text colour: labels that read like the page around them
PALETTE = [
    BLUE, ORANGE, GREEN, RED, "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", GREY,
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#333333",
]  # fmt: skip


def escape(text: Any) -> str:
    """``text`` as a string plotly shows literally (``<``, ``>`` and ``&`` become entities).

    Quotes are left alone: without a ``<`` no tag can start, and plotly shows ``'`` as typed.
    """
    return html.escape(str(text), quote=False)


def escape_all(texts: Iterable[Any]) -> list[str]:
    """``escape`` of each item, as a list (for a trace's text, hovertext or category axis)."""
    return [escape(text) for text in texts]

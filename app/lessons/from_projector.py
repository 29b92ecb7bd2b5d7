"""A TensorFlow Projector folder's bookmarks as a draft lesson: one step per bookmark, showing the
Explore view that comes closest to it.

What maps onto Explore's settings: the projection (PCA, t-SNE, UMAP) and 2D/3D, t-SNE's perplexity,
UMAP's neighbours and minimum distance, the colouring and the labels (when they name a metadata
column), and the selected points (highlighted by Explore's search box, or, when they cannot be
searched for in a few characters, shown as a list of words). What does not (the camera, a custom
projection, PCA components past the first three, the Projector's own computed positions) is said in
the step, so the teacher knows what the class will not see.

A step's view names shareable data only (a published space or a built-in sample, as every view link
does), so the class sees what the teacher saw: ``data`` is ``{"space": <published id>}``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from app.errors import InputError
from app.io.formats.bookmarks import PROJECTIONS, Bookmark
from app.lessons.format import LEVELS, MAX_STEPS, Lesson, Show, Step
from app.text.inputs import MAX_PATTERN_CHARS, MAX_SEARCHED_CHARS
from app.text.literal import literal_markdown

SHAREABLE_DATA = ("space", "sample", "n_words")
MAX_HIGHLIGHTED_ROWS = 2_000  # a highlight needs the points drawn: at most the first this many rows
MAX_LIST_CHARS = 1_000  # a list of words in a step's address (a view link keeps values up to this)
MAX_TITLE_CHARS = 100
PREVIEW_WORDS = 8
_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


@dataclass(frozen=True)
class MappedView:
    """Explore's settings for a bookmark, what they show, and what the Projector had that they lack
    (``shows`` and ``not_carried`` are Markdown: the names they quote from the file are escaped)."""

    settings: dict[str, str]
    shows: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)

    def target(self) -> str:
        return "Explore?" + urlencode(self.settings)


def explore_view(
    bookmark: Bookmark, *, words: Sequence[str], metadata_columns: Sequence[str], data: dict[str, str]
) -> MappedView:
    """The Explore view closest to ``bookmark`` on the space whose rows are ``words``."""
    check_shareable(data)
    settings = dict(data)
    shows: list[str] = []
    missing: list[str] = []
    _projection(bookmark, settings, shows, missing)
    _selection(bookmark, words, settings, shows, missing)
    columns = [str(c) for c in metadata_columns]
    colour, label = literal_markdown(bookmark.colour_by), literal_markdown(bookmark.label_by)
    if bookmark.colour_by and bookmark.colour_by in columns:
        settings["colour"] = f"meta:{bookmark.colour_by}"
        shows.append(f"coloured by {colour}")
    elif bookmark.colour_by:
        missing.append(f"the colouring by “{colour}”, which is not a metadata column here")
    if bookmark.label_by and bookmark.label_by in columns:
        settings["label_by"] = bookmark.label_by
        shows.append(f"labelled by {label}")
    elif bookmark.label_by:
        missing.append(f"the labels from “{label}”, which is not a metadata column here")
    if bookmark.camera:
        missing.append("the camera (position, angle and zoom): Explore frames the whole picture")
    if bookmark.coordinates:
        missing.append("the positions the Projector computed: Explore computes the projection again")
    return MappedView(settings, shows, missing)


def check_shareable(data: dict[str, str]) -> None:
    """A step may name a published space or a built-in sample, never private data or a workspace."""
    if not data or not set(data) <= set(SHAREABLE_DATA) or not (data.get("space") or data.get("sample")):
        raise InputError(
            "a lesson step can show only shared data (a space published to the class, or a built-in sample); "
            "publish the space first"
        )


def _projection(bookmark: Bookmark, settings: dict[str, str], shows: list[str], missing: list[str]) -> None:
    method = bookmark.projection or "pca"
    if method == "custom":
        missing.append("the custom projection (axes from searches): the step shows PCA instead")
        method = "pca"
    settings["method"] = method
    if bookmark.dims in (2, 3):
        settings["dims"] = str(bookmark.dims)
    shows.append(PROJECTIONS[method] + f" in {settings.get('dims', '2')}D")
    components = bookmark.pca_components
    if method == "pca" and components and components != list(range(len(components))):
        chosen = ", ".join(str(c + 1) for c in components)
        missing.append(f"PCA components {chosen}: Explore draws the first {len(components)}")
    if method == "tsne" and bookmark.perplexity is not None:
        settings["perplexity"] = str(_within(bookmark.perplexity, 5, 100, "t-SNE perplexity", missing))
    if method == "tsne" and bookmark.tsne_iteration:
        missing.append(f"t-SNE stopped at iteration {bookmark.tsne_iteration:,}: Explore runs it to the end")
    if method == "umap" and bookmark.umap_neighbors is not None:
        settings["n_neighbors"] = str(_within(bookmark.umap_neighbors, 2, 100, "UMAP neighbours", missing))
    if method == "umap" and bookmark.umap_min_dist is not None:
        settings["min_dist"] = f"{min(max(bookmark.umap_min_dist, 0.0), 1.0):g}"


def _within(value: float, low: int, high: int, what: str, missing: list[str]) -> int:
    kept = int(min(max(round(value), low), high))
    if kept != value:
        missing.append(f"{what} {value:g}: Explore takes {low} to {high}, so {kept}")
    return kept


def _selection(
    bookmark: Bookmark, words: Sequence[str], settings: dict[str, str], shows: list[str], missing: list[str]
) -> None:
    """Highlight the selected points among the first rows when a search can name them in a few
    characters; otherwise show just them, as a list of words."""
    rows = [p for p in bookmark.selected_points if 0 <= p < len(words)]
    if not rows:
        return
    names = [words[p] for p in rows]
    if bookmark.selected_total > len(rows):
        missing.append(f"{bookmark.selected_total - len(rows):,} more selected points (the first {len(rows):,} kept)")
    search = _search_for(names) if max(rows) < MAX_HIGHLIGHTED_ROWS else None
    if search is not None:
        settings |= {"mode": "top", "n": str(max(10, min(len(words), MAX_HIGHLIGHTED_ROWS)))}
        settings |= {"find": search[0], "find_mode": search[1]}
        shows.append(f"{len(rows):,} selected point{'s' * (len(rows) != 1)} highlighted among the others")
        return
    listed, total = [], 0
    for name in names:
        if "," in name or "\n" in name:
            continue
        total += len(name) + 1
        if total > MAX_LIST_CHARS:
            break
        listed.append(name)
    if len(listed) < len(names):
        missing.append(f"{len(names) - len(listed):,} of the {len(names):,} selected points (too many to list)")
    if listed:
        settings |= {"mode": "list", "words": ",".join(listed)}
        shows.append(f"only the {len(listed):,} selected point{'s' * (len(listed) != 1)}")


def _search_for(names: list[str]) -> tuple[str, str] | None:
    """Explore's search box text (and its kind) that matches exactly ``names``, when short enough."""
    if all(re.fullmatch(r"[^\s,]+", name) for name in names):
        words = ", ".join(names)
        if len(words) <= MAX_PATTERN_CHARS:
            return words, "word"
    if any(len(name) > MAX_SEARCHED_CHARS for name in names):
        return None
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""
    if any(len(name) == len(prefix) for name in names):
        prefix = ""  # one name is the prefix itself: no empty alternative
    alternatives = "|".join(_escape(name[len(prefix) :]) for name in names)
    pattern = f"^{_escape(prefix)}({alternatives})$"  # "digit 0 #(0|10|20)": short enough for the legend
    return (pattern, "regex") if len(pattern) <= MAX_PATTERN_CHARS else None


def _escape(text: str) -> str:
    """``text`` matched literally by a regular expression (only its special characters escaped, so
    the search box reads as the words)."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def step_for(
    bookmark: Bookmark, *, words: Sequence[str], metadata_columns: Sequence[str], data: dict[str, str], of: int
) -> Step:
    """One lesson step: the bookmark's title, its description (escaped: it is shown as written), a
    line on what the view shows, and what could not be carried over."""
    view = explore_view(bookmark, words=words, metadata_columns=metadata_columns, data=data)
    paragraphs = []
    if bookmark.description:
        paragraphs.append(literal_markdown(bookmark.description))
    origin = f"*From the Projector's bookmark {bookmark.number} of {of}.* Shows: {'; '.join(view.shows)}."
    paragraphs.append(origin)
    rows = [p for p in bookmark.selected_points if 0 <= p < len(words)]
    if rows:
        preview = ", ".join(words[p] for p in rows[:PREVIEW_WORDS]) + (", …" if len(rows) > PREVIEW_WORDS else "")
        paragraphs.append(f"*Selected:* {literal_markdown(preview)}")
    if view.not_carried:
        paragraphs.append("*Not carried over from the Projector:* " + "; ".join(view.not_carried) + ".")
    title = " ".join(bookmark.title.split())[:MAX_TITLE_CHARS] or f"Bookmark {bookmark.number}"
    return Step(title=title, text="\n\n".join(paragraphs), show=Show("view", view.target()))


def lesson_from_bookmarks(
    bookmarks: Sequence[Bookmark],
    *,
    space_name: str,
    words: Sequence[str],
    metadata_columns: Sequence[str] = (),
    data: dict[str, str],
) -> Lesson:
    """A draft lesson (one step per bookmark, at most MAX_STEPS) for the teacher to edit and publish."""
    check_shareable(data)
    if not bookmarks:
        raise InputError(f"{space_name} has no bookmarks to make a lesson from")
    kept = list(bookmarks[:MAX_STEPS])
    steps = tuple(
        step_for(b, words=words, metadata_columns=metadata_columns, data=data, of=len(bookmarks)) for b in kept
    )
    name = " ".join(space_name.split())[:MAX_TITLE_CHARS]
    summary = f"Made from the TensorFlow Projector bookmarks of {name}."
    if len(bookmarks) > len(kept):
        summary += f" The first {len(kept)} of {len(bookmarks)} bookmarks became steps."
    return Lesson(title=f"Bookmarks: {name}", level=LEVELS[0], summary=summary, steps=steps)

"""A TensorFlow Projector folder's bookmarks file: the saved views ("states") a class can step through.

The Projector writes a JSON list of ``State`` objects: ``label``, the projection tab
(``selectedProjection``: pca, tsne, umap or custom) with its settings (``pcaComponentDimensions``,
``tSNEis3d``, ``tSNEPerplexity``, ``tSNEIteration``, ``umapIs3d``, ``umapNeighbors``, ``umapMinDist``),
``selectedPoints`` (row numbers), ``selectedColorOptionName``, ``selectedLabelOption``, ``cameraDef``
and the computed ``projections``. Hand-written files often add a ``description``.

Each bookmark becomes a small JSON-able record (it is kept in the space's provenance and saved with
it). Nothing here is fatal: a file that is not JSON, a bookmark that is not an object, a field of the
wrong type each become a warning naming the file and the bookmark's number, and the space loads
without what could not be read. Counts and text lengths are capped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeGuard

MAX_BOOKMARKS = 200
MAX_BOOKMARKS_BYTES = 16 * 1024**2  # the Projector stores every point's coordinates in each bookmark
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 1_000
MAX_SELECTED = 1_000
MAX_NOTES = 8
PREVIEW_WORDS = 5
WITHOUT = "the space loaded without its bookmarks"
PROJECTIONS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "custom": "custom (axes from searches)"}


@dataclass
class Bookmark:
    """One saved view, as far as it could be read. ``dims`` is None when the bookmark does not say;
    ``notes`` lists the fields that were present but could not be read."""

    number: int
    title: str
    description: str = ""
    projection: str = ""  # one of PROJECTIONS, or "" when not given
    dims: int | None = None
    pca_components: list[int] = field(default_factory=list)
    perplexity: float | None = None
    tsne_iteration: int | None = None
    umap_neighbors: int | None = None
    umap_min_dist: float | None = None
    selected_points: list[int] = field(default_factory=list)
    selected_total: int = 0  # how many the file selected (the list above may be capped)
    colour_by: str = ""
    label_by: str = ""
    camera: bool = False
    coordinates: bool = False  # the Projector's own computed positions were saved
    notes: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: Any, number: int) -> Bookmark:
        """A bookmark from a saved record (a space's provenance); a value of the wrong type falls back
        to its default, so an old or hand-edited record never breaks a page."""
        found = record if isinstance(record, dict) else {}
        text_fields = ("title", "description", "projection", "colour_by", "label_by")
        texts = {name: str(found.get(name) or "") for name in text_fields}
        numbers = {name: found.get(name) for name in ("perplexity", "umap_min_dist")}
        wholes = {name: found.get(name) for name in ("dims", "tsne_iteration", "umap_neighbors", "selected_total")}
        lists = {name: found.get(name) for name in ("pca_components", "selected_points", "notes")}
        points = [p for p in _list(lists["selected_points"]) if _whole(p) and p >= 0][:MAX_SELECTED]
        given = found.get("number")
        number = given if _whole(given) and given > 0 else number
        return cls(
            number=number,
            title=texts["title"][:MAX_TITLE_CHARS] or f"Bookmark {number}",
            description=texts["description"][:MAX_DESCRIPTION_CHARS],
            projection=texts["projection"] if texts["projection"] in PROJECTIONS else "",
            dims=wholes["dims"] if wholes["dims"] in (2, 3) and _whole(wholes["dims"]) else None,
            pca_components=[p for p in _list(lists["pca_components"]) if _whole(p)][:3],
            perplexity=_finite(numbers["perplexity"]),
            tsne_iteration=wholes["tsne_iteration"] if _whole(wholes["tsne_iteration"]) else None,
            umap_neighbors=wholes["umap_neighbors"] if _whole(wholes["umap_neighbors"]) else None,
            umap_min_dist=_finite(numbers["umap_min_dist"]),
            selected_points=points,
            selected_total=max(wholes["selected_total"] if _whole(wholes["selected_total"]) else 0, len(points)),
            colour_by=texts["colour_by"][:MAX_TITLE_CHARS],
            label_by=texts["label_by"][:MAX_TITLE_CHARS],
            camera=found.get("camera") is True,
            coordinates=found.get("coordinates") is True,
            notes=[str(n)[:MAX_DESCRIPTION_CHARS] for n in _list(lists["notes"])][:MAX_NOTES],
        )


def describe(bookmark: Bookmark, words: Sequence[str]) -> str:
    """What a bookmark shows, in a line: its projection, the points it selected, its colouring."""
    parts = []
    if bookmark.projection:
        parts.append(PROJECTIONS[bookmark.projection] + (f" in {bookmark.dims}D" if bookmark.dims else ""))
    rows = [p for p in bookmark.selected_points if 0 <= p < len(words)]
    if rows:
        shown = ", ".join(words[p] for p in rows[:PREVIEW_WORDS]) + (", …" if len(rows) > PREVIEW_WORDS else "")
        parts.append(f"{bookmark.selected_total:,} selected point{'s' * (bookmark.selected_total != 1)} ({shown})")
    if bookmark.colour_by:
        parts.append(f"coloured by {bookmark.colour_by}")
    if bookmark.label_by:
        parts.append(f"labelled by {bookmark.label_by}")
    if bookmark.camera:
        parts.append("a camera position")
    return " · ".join(parts) or "no projection, selection or colouring saved"


def bookmarks_of(source: dict[str, Any]) -> list[Bookmark]:
    """The bookmarks kept in a space's provenance (``space.source["bookmarks"]``), read defensively."""
    records = source.get("bookmarks")
    if not isinstance(records, list):
        return []
    return [Bookmark.from_record(record, number) for number, record in enumerate(records[:MAX_BOOKMARKS], start=1)]


def parse_bookmarks(data: bytes, name: str, *, n_rows: int) -> tuple[list[Bookmark], list[str]]:
    """The bookmarks in ``data`` (the file ``name``) for a space of ``n_rows`` points, and warnings."""
    too_large = oversize(name, len(data))
    if too_large:
        return [], [too_large]
    try:
        states = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [], [f"{name}: not UTF-8 text; " + WITHOUT]
    except json.JSONDecodeError as exc:
        return [], [f"{name}, line {exc.lineno}: not valid JSON ({exc.msg}); " + WITHOUT]
    except (RecursionError, ValueError) as exc:  # nesting past Python's limit; an integer of thousands of digits
        return [], [f"{name}: not a bookmarks file ({type(exc).__name__}); " + WITHOUT]
    if not isinstance(states, list):
        return [], [f"{name}: expected a JSON list of bookmarks, found {_kind(states)}; none were loaded"]
    warnings = []
    if len(states) > MAX_BOOKMARKS:
        warnings.append(f"{name} holds {len(states):,} bookmarks; the first {MAX_BOOKMARKS} were kept")
    bookmarks = []
    for number, state in enumerate(states[:MAX_BOOKMARKS], start=1):
        if not isinstance(state, dict):
            warnings.append(f"{name}: bookmark {number} is {_kind(state)}, not an object; it was skipped")
            continue
        bookmark = read_state(state, number, n_rows=n_rows)
        if bookmark.notes:
            warnings.append(f"{name}: bookmark {number} ({bookmark.title}): " + "; ".join(bookmark.notes))
        bookmarks.append(bookmark)
    return bookmarks, warnings


def oversize(name: str, size: int) -> str:
    """The warning for a bookmarks file past the cap, or "" when it fits."""
    if size <= MAX_BOOKMARKS_BYTES:
        return ""
    return f"{name}: {size:,} bytes is more than the {MAX_BOOKMARKS_BYTES:,} a bookmarks file may have; " + WITHOUT


def read_state(state: dict[str, Any], number: int, *, n_rows: int) -> Bookmark:
    """One Projector ``State`` object as a Bookmark; what cannot be read is noted, never raised."""
    notes: list[str] = []
    text = _Texts(state, notes)
    bookmark = Bookmark(
        number=number,
        title=text.get("label", MAX_TITLE_CHARS) or f"Bookmark {number}",
        description=text.get("description", MAX_DESCRIPTION_CHARS),
        colour_by=text.get("selectedColorOptionName", MAX_TITLE_CHARS),
        label_by=text.get("selectedLabelOption", MAX_TITLE_CHARS),
        camera=isinstance(state.get("cameraDef"), dict),
        coordinates=bool(state.get("projections")),
        notes=notes,
    )
    projection = text.get("selectedProjection", 20).lower()
    if projection and projection not in PROJECTIONS:
        notes.append(f"selectedProjection {projection!r} is not one of {', '.join(PROJECTIONS)}")
        projection = ""
    bookmark.projection = projection
    _projection_settings(bookmark, state, notes)
    _selection(bookmark, state.get("selectedPoints"), n_rows, notes)
    del notes[MAX_NOTES:]
    return bookmark


def _projection_settings(bookmark: Bookmark, state: dict[str, Any], notes: list[str]) -> None:
    components = state.get("pcaComponentDimensions")
    if components is not None:
        if isinstance(components, list) and 2 <= len(components) <= 3 and all(_whole(c) for c in components):
            bookmark.pca_components = [int(c) for c in components]
        else:
            notes.append(f"pcaComponentDimensions should be 2 or 3 component numbers, got {_short(components)}")
    flags = {"pca": None, "tsne": state.get("tSNEis3d"), "umap": state.get("umapIs3d")}
    flag = flags.get(bookmark.projection)
    if bookmark.projection == "pca" and bookmark.pca_components:
        bookmark.dims = len(bookmark.pca_components)
    elif isinstance(flag, bool):
        bookmark.dims = 3 if flag else 2
    bookmark.perplexity = _number(state, "tSNEPerplexity", notes, positive=True)
    iteration = _number(state, "tSNEIteration", notes)
    bookmark.tsne_iteration = int(iteration) if iteration is not None else None
    neighbours = _number(state, "umapNeighbors", notes, positive=True)
    bookmark.umap_neighbors = int(neighbours) if neighbours is not None else None
    bookmark.umap_min_dist = _number(state, "umapMinDist", notes)


def _selection(bookmark: Bookmark, points: Any, n_rows: int, notes: list[str]) -> None:
    if points is None:
        return
    if not isinstance(points, list):
        notes.append(f"selectedPoints should be a list of row numbers, got {_short(points)}")
        return
    rows = [int(p) for p in points if _whole(p)]
    if len(rows) < len(points):
        notes.append(f"selectedPoints: {_count(len(points) - len(rows), 'value')} left out (not row numbers)")
    inside = list(dict.fromkeys(p for p in rows if 0 <= p < n_rows))
    past = len(set(rows)) - len(inside)
    if past:
        notes.append(f"selectedPoints: {_count(past, 'row')} left out (past the {n_rows:,} rows loaded)")
    bookmark.selected_total = len(inside)
    bookmark.selected_points = inside[:MAX_SELECTED]


class _Texts:
    """Text fields of a state: whitespace collapsed, capped; a non-text value is noted and ignored."""

    def __init__(self, state: dict[str, Any], notes: list[str]) -> None:
        self.state, self.notes = state, notes

    def get(self, key: str, limit: int) -> str:
        value = self.state.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.notes.append(f"{key} should be text, got {_short(value)}")
            return ""
        return " ".join(value.split())[:limit]


def _number(state: dict[str, Any], key: str, notes: list[str], *, positive: bool = False) -> float | None:
    value = state.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        notes.append(f"{key} should be a number of at least 0, got {_short(value)}")
        return None
    return None if positive and value == 0 else float(value)


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _finite(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _short(value: Any) -> str:
    """A value as a message quotes it: short text and numbers as they are, containers by their size."""
    if isinstance(value, list):
        return f"a list of {_count(len(value), 'item')}"
    if isinstance(value, dict):
        return f"an object with {_count(len(value), 'field')}"
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."

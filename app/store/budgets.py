"""Per-session budgets: how many spaces, and how many bytes, one browser session may hold.

One small server serves a whole class, so one student's 2 GB upload must not starve the other
29. The checks are pure: the page passes the spaces the session holds and the one it wants to add.

How bytes are counted: a space costs its vectors, its metadata (deep) and its fastText subword
table. Spaces are counted by fingerprint, once: adding a space identical to one already held
(the same sample loaded twice, a renamed copy) costs nothing, since it shares or duplicates
data already paid for. A subword model shared by several spaces (subsets of one fastText
model) is counted once too. Shared samples still count against the session that holds them
(once): the budget is about what a session asks the server to keep, and stays simple.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.errors import InputError
from app.io.formats import DEFAULT_LIMITS, Limits
from app.space import EmbeddingSpace

SERVER_MEMORY_CAP = "the server's memory cap for loaded spaces (EMBEDDING_LAB_SERVER_SPACES_MB)"
MB = 2**20  # session budgets count memory in MiB (1,048,576 bytes), as the messages say "MB"
UPLOAD_MB = 1_000_000  # uploads count decimal MB, as the browser's upload box does ("Limit 500MB per file")


@dataclass(frozen=True)
class Budget:
    """The limits of one session; ``from_env`` lets the teacher running the server change them."""

    max_spaces: int = 12
    max_total_bytes: int = 1_500 * MB  # vectors + metadata + subwords of every space one session holds
    max_upload_bytes: int = 500 * UPLOAD_MB  # the same number the upload box shows and enforces

    def __post_init__(self) -> None:
        for name in ("max_spaces", "max_total_bytes", "max_upload_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Budget.{name} must be positive, got {getattr(self, name)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Budget:
        """The defaults, overridden by EMBEDDING_LAB_MAX_SPACES, EMBEDDING_LAB_MAX_SESSION_MB and
        EMBEDDING_LAB_MAX_UPLOAD_MB; a malformed value is a ValueError naming the variable
        (a typo must not silently leave the server unprotected)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            max_spaces=int(env_number(env, "EMBEDDING_LAB_MAX_SPACES", defaults.max_spaces, integer=True)),
            max_total_bytes=int(env_number(env, "EMBEDDING_LAB_MAX_SESSION_MB", defaults.max_total_bytes / MB) * MB),
            max_upload_bytes=int(
                env_number(env, "EMBEDDING_LAB_MAX_UPLOAD_MB", defaults.max_upload_bytes / UPLOAD_MB) * UPLOAD_MB
            ),
        )


def space_bytes(space: EmbeddingSpace) -> int:
    """Memory one space holds on its own: vectors, metadata (deep) and its subword table."""
    return _footprint([space])


def check_can_add(budget: Budget, held: Sequence[EmbeddingSpace], new: EmbeddingSpace) -> None:
    """An InputError, saying what to do, when adding ``new`` would break the session's budget.

    ``held`` are the spaces the session keeps now. A space with the same name and fingerprint
    as a held one replaces it on Home, so it is always allowed.
    """
    if any(space.name == new.name and space.fingerprint == new.fingerprint for space in held):
        return
    if len(held) >= budget.max_spaces:
        limit = "the limit" if len(held) == budget.max_spaces else f"the limit is {budget.max_spaces}"
        raise InputError(f"This session already holds {len(held)} spaces ({limit}); remove one on Home first.")
    used = _footprint(held)
    needed = _footprint([*held, new]) - used
    if needed <= 0:
        return
    total = _mb(budget.max_total_bytes, up=False)
    label = new.name or "This space"
    if needed > budget.max_total_bytes:
        raise InputError(
            f"{label} needs {_mb(needed, up=True)} but a session can hold at most {total}; load fewer words."
        )
    left = budget.max_total_bytes - used
    if needed > left:
        raise InputError(
            f"{label} needs {_mb(needed, up=True)} but this session has {_mb(max(left, 0), up=False)} left "
            f"of its {total}; remove a space on Home or load fewer words."
        )


def check_upload(budget: Budget, filename: str, size: int) -> None:
    """An InputError before reading an upload larger than the session may take in."""
    if size > budget.max_upload_bytes:
        limit = _mb(budget.max_upload_bytes, up=False, unit=UPLOAD_MB)
        raise InputError(
            f"{filename} is {_mb(size, up=True, unit=UPLOAD_MB)}; uploads are limited to {limit}. "
            "Upload fewer words (e.g. only the first 100,000 lines) or a smaller file."
        )


def bytes_left(budget: Budget, held: Sequence[EmbeddingSpace]) -> int:
    """Bytes of vectors this session may still add (0 when full)."""
    return max(budget.max_total_bytes - _footprint(held), 0)


def upload_limits(budget: Budget, held: Sequence[EmbeddingSpace], *, server_left: int | None = None) -> Limits:
    """The file caps for a new upload: its vectors must fit what the session (and the server) leave.

    The loader then refuses a file too big from its header or first lines, before parsing it.
    """
    left = bytes_left(budget, held)
    if server_left is not None and server_left < left:
        return replace(DEFAULT_LIMITS, max_vectors_bytes=server_left, vectors_cap=SERVER_MEMORY_CAP)
    return replace(DEFAULT_LIMITS, max_vectors_bytes=left, vectors_cap="this session's memory budget")


def _footprint(spaces: Iterable[EmbeddingSpace]) -> int:
    """Bytes of the distinct spaces (by fingerprint) plus each distinct subword model once."""
    total = 0
    seen_spaces: set[str] = set()
    seen_models: set[int] = set()
    for space in spaces:
        if space.fingerprint in seen_spaces:
            continue
        seen_spaces.add(space.fingerprint)
        total += space.vectors.nbytes
        if space.metadata is not None:
            total += int(space.metadata.memory_usage(index=True, deep=True).sum())
        model = space.subwords
        if model is not None and id(model) not in seen_models:
            seen_models.add(id(model))
            total += _model_bytes(model, space.vectors)
    return total


def _model_bytes(model: Any, vectors: np.ndarray) -> int:
    """The subword table, plus the model's own word vectors when the space does not share them."""
    size = int(getattr(model.vectors_ngrams, "nbytes", 0))
    own = getattr(model, "vectors", None)
    if isinstance(own, np.ndarray) and not np.may_share_memory(own, vectors):
        size += own.nbytes
    return size


def _mb(size: int, *, up: bool, unit: int = MB) -> str:
    """Whole megabytes (MiB unless ``unit`` says), thousands separated; needs round up, what is left rounds down."""
    value = size / unit
    return f"{math.ceil(value) if up else math.floor(value):,} MB"


def env_number(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    """A positive number from the environment variable ``name`` (``default`` when unset); ValueError naming it."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{name}={raw!r}: expected {kind}, e.g. {name}={default:g}") from None
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name}={raw!r}: must be positive")
    return value

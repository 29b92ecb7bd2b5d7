"""Which two loaded spaces to compare in one click, and which pairs a link can reopen elsewhere.

The app makes three kinds of pairs: a space and its hard-debiased copy (Bias page), two trained
runs (Train, e.g. two seeds), and GloVe against a trained space. A link can name only built-in
samples and the canonical gender-debiased copy of one (recomputed on the other side, exactly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.bias.debias import debias_plan, hard_debias
from app.bias.presets import gender_direction, gender_preset
from app.errors import InputError
from app.io.samples import GLOVE_WORDS
from app.space import EmbeddingSpace

DEBIASED = "debiased"
SAMPLE_KEYS = ("glove", "lee", "toy", "digits")


@dataclass(frozen=True)
class SuggestedPair:
    """Two loaded spaces (by name) worth comparing, and why."""

    label: str
    first: str
    second: str


def suggested_pairs(spaces: Mapping[str, EmbeddingSpace]) -> list[SuggestedPair]:
    """The common pairs among ``spaces`` (names in load order): debiased copies next to their origin,
    consecutive trained runs of the same model and corpus, GloVe against each trained space."""
    found: list[SuggestedPair] = []
    for name, space in spaces.items():
        origin = space.source.get("debiased_from")
        if isinstance(origin, str) and origin in spaces:
            found.append(SuggestedPair(f"{origin} and its debiased copy", origin, name))
    trained = [name for name, space in spaces.items() if space.source.get("format") == "trained"]
    for earlier, later in zip(trained, trained[1:], strict=False):
        found.append(SuggestedPair(f"Two trained runs: {earlier} and {later}", earlier, later))
    glove = [name for name, space in spaces.items() if _is_plain_sample(space, "glove")]
    for name in glove[:1]:
        for run in trained:
            found.append(SuggestedPair(f"GloVe against {run}", name, run))
    return found


def _is_plain_sample(space: EmbeddingSpace, key: str | None = None) -> bool:
    source = space.source
    derived = any(source.get(mark) for mark in ("debiased_from", "reduced_from"))
    return bool(source.get("sample")) and (key is None or source.get("sample") == key) and not derived


def gender_debiased(space: EmbeddingSpace) -> EmbeddingSpace:
    """The Bias page's default hard debiasing: Bolukbasi's gender pairs (first principal component),
    their equalize pairs; the same space, same name, as pressing its button."""
    direction = gender_direction(space)
    plan = debias_plan(space, direction)
    return hard_debias(space, direction, neutral_words=plan.neutral_words, equalize_pairs=plan.equalize_pairs)


def share_token(space: EmbeddingSpace) -> str | None:
    """A short name a link can carry for ``space`` (``glove-20000``, ``glove-20000-debiased``,
    ``toy``), or None for a space only this session has (an upload, a training, another debiasing)."""
    source = space.source
    sample = source.get("sample")
    if not space.shared or sample not in SAMPLE_KEYS or source.get("reduced_from"):
        return None
    base = f"glove-{source.get('sample_words')}" if sample == "glove" else str(sample)
    if not source.get("debiased_from"):
        return base
    debias = source.get("debias") or {}
    preset = gender_preset()
    canonical_words = {w.lower() for pair in preset.definitional_pairs for w in pair}
    words = {str(w).lower() for w in debias.get("direction_words") or []}
    if words and words <= canonical_words and debias.get("equalized_pairs"):
        return f"{base}-{DEBIASED}"
    return None


def parse_token(token: str) -> tuple[str, int, bool]:
    """``(sample key, number of words, debiased)`` from a share token, or InputError naming it."""
    parts = str(token).strip().split("-")
    debiased = len(parts) > 1 and parts[-1] == DEBIASED
    if debiased:
        parts = parts[:-1]
    key = parts[0]
    if key not in SAMPLE_KEYS or len(parts) > (2 if key == "glove" else 1):
        raise InputError(f"the link names {token!r}, which is not a built-in sample")
    n_words = 0
    if key == "glove":
        try:
            n_words = int(parts[1]) if len(parts) == 2 else 20_000
        except ValueError:
            raise InputError(f"the link names {token!r}: the number of GloVe words is not a number") from None
        if not 1 <= n_words <= GLOVE_WORDS:
            raise InputError(f"the link names {token!r}: GloVe has 1 to {GLOVE_WORDS:,} words")
    return key, n_words, debiased

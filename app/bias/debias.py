"""Hard debiasing (Bolukbasi et al. 2016): neutralise and equalise, into a new space.

``hard_debias`` takes explicit word lists (the words to neutralise, the pairs to equalise) and has
no default of its own. ``debias_plan`` chooses them from the direction's origin: the gender preset
brings its equalise pairs and spares its gender-specific words; a direction from word pairs
equalises those pairs; a direction from two sets or a formula equalises nothing. In every case the
direction's own words are left as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.bias.directions import Direction, DirectionLike, as_direction
from app.bias.presets import gender_preset
from app.bias.words import ROW_CHUNK, resolve_word, resolve_words, rows
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

SECONDS_PER_WORD = 1.6e-5  # debiasing plus the Gonen & Goldberg check, per word, fitted to job runs of 20k-100k words


def equalize_candidates(space: EmbeddingSpace, pairs: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """Each pair as given and in lower, Title and UPPER case (as Bolukbasi et al.'s code), kept when
    both words are in the space; a word already used by an earlier pair is not used again."""
    kept: list[tuple[str, str]] = []
    used: set[str] = set()
    for pair in pairs:
        a, b = (str(w) for w in pair)
        for ca, cb in ((a, b), (a.lower(), b.lower()), (a.title(), b.title()), (a.upper(), b.upper())):
            if ca in space and cb in space and ca != cb and ca not in used and cb not in used:
                kept.append((ca, cb))
                used.update((ca, cb))
    return kept


def neutral_words(
    space: EmbeddingSpace, *, exclude: Iterable[str] = (), specific_words: Iterable[str] = ()
) -> list[str]:
    """Every word of the space except the ``specific_words`` (spelled exactly as listed, e.g. the
    gender preset's) and the ``exclude`` words (resolved as the space spells them)."""
    excluded = set(specific_words) | {resolve_word(space, w) or w for w in exclude}
    return [w for w in space.words if w not in excluded]


def default_neutral_words(space: EmbeddingSpace, exclude: Iterable[str] = ()) -> list[str]:
    """The gender preset's neutral words: all but Bolukbasi et al.'s gender-specific words (seed and
    full lists) and the ``exclude`` words (e.g. definitional, equalise)."""
    return neutral_words(space, exclude=exclude, specific_words=gender_preset().specific_words)


@dataclass(frozen=True, eq=False)
class DebiasPlan:
    """What hard debiasing along one direction will do: the words it neutralises, the pairs it
    equalises, and one sentence saying why (for the page)."""

    neutral_words: tuple[str, ...]
    equalize_pairs: tuple[tuple[str, str], ...]
    explanation: str


def debias_plan(space: EmbeddingSpace, direction: Direction) -> DebiasPlan:
    """The neutral words and equalise pairs that follow from how ``direction`` was made."""
    origin = direction.origin
    if origin.kind == "preset" and origin.preset == "gender":
        preset = gender_preset()
        pairs = equalize_candidates(space, preset.equalize_pairs)
        specific: frozenset[str] = preset.specific_words
        why = (
            f"Gender preset: every word except Bolukbasi et al.'s {len(specific):,} gender-specific words "
            f"is neutralised, and their {len(pairs)} gender pairs found here (he/she, king/queen, ...) are equalised."
        )
    elif origin.kind in ("pair", "pairs"):
        pairs = equalize_candidates(space, origin.pairs)
        specific = frozenset()
        why = f"Every word except the direction's own is neutralised, and its {len(pairs)} word pair(s) are equalised."
    else:
        pairs, specific = [], frozenset()
        why = (
            f"Every word except the direction's own is neutralised. A direction from {origin.kind} has no word "
            "pairs, so nothing is equalised."
        )
    pair_words = [w for pair in pairs for w in pair]
    neutral = neutral_words(space, exclude=[*direction.words, *pair_words], specific_words=specific)
    return DebiasPlan(neutral_words=tuple(neutral), equalize_pairs=tuple(pairs), explanation=why)


def debias_estimate_seconds(space: EmbeddingSpace) -> float:
    """Roughly how long debiasing a space and checking the result takes on this server."""
    return 0.3 + len(space) * SECONDS_PER_WORD


def debias_estimate(space: EmbeddingSpace) -> Estimate:
    """``debias_estimate_seconds`` scaled by this machine's timed debiasing runs (``app.runtime.timing``)."""
    return timing.estimate("hard debiasing", debias_estimate_seconds(space))


def hard_debias(
    space: EmbeddingSpace,
    direction: DirectionLike,
    *,
    neutral_words: Iterable[str],
    equalize_pairs: Iterable[Sequence[str]],
    name: str | None = None,
) -> EmbeddingSpace:
    """Hard debiasing (Bolukbasi et al. 2016) into a NEW space; the original is untouched.

    Neutralise: every neutral word's unit vector loses its component along g and is re-normalised
    (other words keep their unit vector). Equalise: for each pair (and its case variants, see
    ``equalize_candidates``), with mu the pair's mean and nu = mu - proj_g(mu), each word becomes
    nu +/- sqrt(1 - ||nu||^2) g, the sign that of its side, so both are unit length, symmetric about
    g's normal plane and equally far from every neutral word. All vectors of the result are unit
    length; subword models are dropped. ``debias_plan`` chooses both lists for a direction.
    """
    g = as_direction(space, direction)
    vector = g.vector
    pairs = equalize_candidates(space, equalize_pairs)
    neutral, _ = resolve_words(space, neutral_words)
    is_neutral = np.zeros(len(space), dtype=bool)
    is_neutral[rows(space, neutral)] = True

    out = np.empty(space.vectors.shape, dtype=np.float32)
    for start in range(0, len(space), ROW_CHUNK):
        block = space.unit_vectors[start : start + ROW_CHUNK].astype(np.float64)
        mask = is_neutral[start : start + ROW_CHUNK]
        block[mask] -= np.outer(block[mask] @ vector, vector)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = np.divide(block, norms, out=np.zeros_like(block), where=norms > 1e-12)

    for a, b in pairs:
        ia, ib = space.index(a), space.index(b)
        ea, eb = out[ia].astype(np.float64), out[ib].astype(np.float64)
        mu = (ea + eb) / 2
        nu = mu - (mu @ vector) * vector
        z = math.sqrt(max(0.0, 1.0 - float(nu @ nu)))
        sign = -1.0 if (ea - eb) @ vector < 0 else 1.0
        out[ia] = nu + sign * z * vector
        out[ib] = nu - sign * z * vector

    provenance = {
        "method": "hard debiasing (Bolukbasi et al. 2016): neutralise + equalise",
        "direction": g.name,
        "direction_origin": g.origin.kind + (f" ({g.origin.preset})" if g.origin.preset else ""),
        "direction_words": list(g.words),
        "direction_vector": [float(v) for v in vector],
        "neutralised": int(is_neutral.sum()),
        "kept": int(len(space) - is_neutral.sum()),
        "equalized_pairs": [list(p) for p in pairs],
    }
    return EmbeddingSpace(
        name or f"{space.name} (hard-debiased: {g.name})",
        space.words,
        out,
        metadata=space.metadata,
        source={**space.source, "debiased_from": space.name, "debias": provenance},
        copy=False,
    )

"""The computations behind the later lessons' widgets: pictures and their distortion, subwords,
dimensions and seeds. Pure functions; the training runs they read are precomputed (see
app/lessons/precomputed.py), the projections small enough for a lesson step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError
from app.space import EmbeddingSpace

MAX_PICTURE_WORDS = 1_000

# Our own questions on the classroom corpus (its gendered pairs and capitals): a : b :: c : d.
GENDER_PAIRS = (
    ("king", "queen"),
    ("prince", "princess"),
    ("man", "woman"),
    ("boy", "girl"),
    ("father", "mother"),
    ("son", "daughter"),
    ("husband", "wife"),
    ("uncle", "aunt"),
    ("brother", "sister"),
)
CAPITALS = (
    ("france", "paris"),
    ("japan", "tokyo"),
    ("italy", "rome"),
    ("germany", "berlin"),
    ("spain", "madrid"),
    ("egypt", "cairo"),
    ("china", "beijing"),
    ("russia", "moscow"),
)


def classroom_analogies() -> list[tuple[str, str, str, str]]:
    """Every a : b :: c : d from two pairs of the same kind (72 gender + 56 capital questions)."""
    questions = []
    for pairs in (GENDER_PAIRS, CAPITALS):
        for a, b in pairs:
            for c, d in pairs:
                if a != c:
                    questions.append((a, b, c, d))
    return questions


# --- lesson 6: pictures distort ------------------------------------------------------------------
@dataclass(frozen=True)
class Picture:
    method: str
    label: str
    words: tuple[str, ...]
    coords: np.ndarray
    kept: float  # share of each word's 10 nearest neighbours the picture keeps (mean)
    trustworthiness: float


def picture(
    space: EmbeddingSpace, n_words: int, method: str, *, label: str = "", seed: int = 0, **params: Any
) -> Picture:
    """The ``n_words`` first (most frequent) words projected by ``method``, and its distortion numbers."""
    from app.projection.distortion import distortion
    from app.projection.methods import project

    if not 20 <= n_words <= MAX_PICTURE_WORDS:
        raise InputError(f"a lesson picture takes 20 to {MAX_PICTURE_WORDS:,} words, not {n_words}")
    subset = space.subset(indices=range(min(n_words, len(space))))
    projection = project(subset, method, 2, seed=seed, **params)
    coords = np.asarray(projection.coords)
    numbers = distortion(subset.vectors, coords, k=10, seed=seed)
    return Picture(method, label or method, subset.words, coords, numbers.mean_kept, numbers.trustworthiness)


def distortion_table(pictures: Sequence[Picture]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "picture": [p.label for p in pictures],
            "neighbours kept (of 10)": [round(10 * p.kept, 1) for p in pictures],
            "trustworthiness": [round(p.trustworthiness, 3) for p in pictures],
        }
    )


# --- lesson 7: words never seen ------------------------------------------------------------------
def char_ngrams(word: str, min_n: int = 3, max_n: int = 5) -> list[str]:
    """fastText's character n-grams of ``<word>`` (the brackets mark its start and end)."""
    marked = f"<{word}>"
    return [marked[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(marked) - n + 1)]


@dataclass(frozen=True)
class Unseen:
    word: str
    ngrams: list[str]
    known_ngrams: list[str]  # n-grams that are whole words of the corpus (to show the sharing)
    fasttext: pd.DataFrame
    word2vec_message: str


def unseen_word(fasttext: EmbeddingSpace, word2vec: EmbeddingSpace, word: str, k: int = 8) -> Unseen:
    """fastText's neighbours of a word it never saw, and what word2vec says about the same word."""
    from app.geometry.neighbours import nearest

    word = word.strip().lower()
    if not word.isalpha():
        raise InputError(f"{word!r}: the subword lesson takes one word of letters")
    grams = char_ngrams(word)
    found = nearest(fasttext, word, k=k)
    table = pd.DataFrame({"word": found.words, "cosine": np.round(found.values, 3)})
    try:
        word2vec.index(word)
        message = f"word2vec knows {word!r}: it was in the corpus, so try a word that was not."
    except InputError as exc:
        message = f"word2vec: {exc}. It has one row per word it saw, and no way to build a new one."
    inside = [w for w in fasttext.words if len(w) >= 3 and w in word and w != word]
    return Unseen(word, grams, inside, table, message)


# --- lesson 8: how many dimensions ---------------------------------------------------------------
def analogy_accuracy(space: EmbeddingSpace, questions: Sequence[tuple[str, str, str, str]]) -> tuple[float, int]:
    """Share of questions whose top 3CosAdd answer (question words excluded) is right, and how many were asked."""
    usable = [q for q in questions if all(w in space for w in q)]
    if not usable:
        return float("nan"), 0
    unit = space.unit_vectors
    right = 0
    for a, b, c, d in usable:
        target = unit[space.index(b)] - unit[space.index(a)] + unit[space.index(c)]
        scores = unit @ target
        scores[[space.index(a), space.index(b), space.index(c)]] = -np.inf
        right += int(space.words[int(np.argmax(scores))] == d)
    return right / len(usable), len(usable)


def dimensions_table(runs: dict[str, EmbeddingSpace], word: str, k: int = 5) -> pd.DataFrame:
    """Per run: its size, the analogy score on our classroom questions, and the word's neighbours."""
    from app.geometry.neighbours import nearest

    questions = classroom_analogies()
    rows = []
    for label, space in runs.items():
        accuracy, asked = analogy_accuracy(space, questions)
        rows.append(
            {
                "run": label,
                "dimensions": space.dim,
                f"analogies right (of {asked})": f"{accuracy:.0%}",
                f"neighbours of {word}": ", ".join(nearest(space, word, k=k).words),
            }
        )
    return pd.DataFrame(rows)


# --- lesson 9: same recipe, another seed ---------------------------------------------------------
@dataclass(frozen=True)
class SeedComparison:
    mean_overlap: float
    k: int
    word_table: pd.DataFrame  # the word's neighbours in both runs, rank by rank
    stayers: pd.DataFrame
    movers: pd.DataFrame


def compare_seeds(first: EmbeddingSpace, second: EmbeddingSpace, word: str, k: int = 10) -> SeedComparison:
    """Neighbour overlap of two runs (app.compare) and the word's neighbours side by side."""
    from app.compare.movers import movers, side_by_side, stayers
    from app.compare.overlap import neighbour_overlap
    from app.compare.vocabulary import shared_vocabulary

    overlap = neighbour_overlap(first, second, shared_vocabulary(first, second), k=k)
    return SeedComparison(
        overlap.mean,
        overlap.k,
        side_by_side(overlap, word.lower()),
        stayers(overlap, n=8),
        movers(overlap, n=8),
    )

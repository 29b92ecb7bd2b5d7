"""An honest analogy workbench: a : b :: c : ? by 3CosAdd, 3CosMul or PairDirection, the rank of
the answer you expected, what happens when the question words are not excluded (Nissim et al.
2020), odd-one-out, and similarity between words or word lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import InputError
from app.geometry.neighbours import top_k
from app.space import EmbeddingSpace

METHODS = {
    "3cosadd": "3CosAdd: closest to b − a + c (Mikolov et al. 2013, gensim's most_similar)",
    "3cosmul": "3CosMul: similar to b and c, unlike a, multiplied (Levy & Goldberg 2014)",
    "pairdirection": "PairDirection: the offset ? − c points the same way as b − a",
}
COSMUL_EPSILON = 1e-6  # as gensim's most_similar_cosmul (Levy & Goldberg used 0.001)

# Well-known examples, as (a, b, c, expected): a is to b as c is to expected.
FAMOUS = (
    ("man", "king", "woman", "queen"),
    ("man", "prince", "woman", "princess"),
    ("man", "actor", "woman", "actress"),
    ("man", "father", "woman", "mother"),
    ("man", "brother", "woman", "sister"),
    ("france", "paris", "italy", "rome"),
    ("france", "paris", "germany", "berlin"),
    ("france", "paris", "japan", "tokyo"),
    ("germany", "berlin", "spain", "madrid"),
    ("good", "better", "bad", "worse"),
    ("big", "bigger", "small", "smaller"),
    ("go", "went", "see", "saw"),
    ("walk", "walking", "swim", "swimming"),
    ("dog", "dogs", "cat", "cats"),
    ("man", "doctor", "woman", "nurse"),
    ("man", "programmer", "woman", "homemaker"),
    ("man", "computer", "woman", "homemaker"),
    ("he", "his", "she", "her"),
    ("king", "kings", "queen", "queens"),
    ("slow", "slowly", "quick", "quickly"),
)


@dataclass(frozen=True)
class AnalogyAnswer:
    """Top answers to a : b :: c : ?, and where the expected answer and the question words rank."""

    a: str
    b: str
    c: str
    method: str
    excluded: bool
    table: pd.DataFrame
    expected: str | None
    expected_rank: int | None
    expected_score: float | None
    unrestricted_top: str
    unrestricted_role: str | None

    @property
    def best(self) -> str:
        return str(self.table["word"].iloc[0])


def solve(
    space: EmbeddingSpace,
    a: str,
    b: str,
    c: str,
    *,
    method: str = "3cosadd",
    k: int = 10,
    exclude_question_words: bool = True,
    expected: str | None = None,
) -> AnalogyAnswer:
    """Rank every word as the answer to a : b :: c : ?."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    a, b, c = (_clean_word(w, role) for w, role in ((a, "a"), (b, "b"), (c, "c")))
    missing = [w for w in (a, b, c) if w not in space]
    if missing:
        raise InputError(f"not in {space.name!r}: {', '.join(repr(w) for w in missing)}")
    scores = analogy_scores(space, a, b, c, method)
    question = [space.index(w) for w in (a, b, c)]
    unrestricted = int(np.argmax(scores))
    roles = {space.index(a): "a", space.index(b): "b", space.index(c): "c"}
    ranked_scores = scores.copy()
    if exclude_question_words:
        ranked_scores[question] = -np.inf
    top = top_k(ranked_scores, min(int(k), len(space)))
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "word": [space.words[i] for i in top],
            "score": ranked_scores[top].astype(float),
        }
    )
    table["role"] = [roles.get(int(i), "") for i in top]
    expected_rank = expected_score = None
    expected = (expected or "").strip() or None
    if expected is not None:
        problem = unknown_expected(space, expected)
        if problem:
            raise InputError(problem)
        row = space.index(expected)
        expected_score = float(ranked_scores[row]) if np.isfinite(ranked_scores[row]) else None
        expected_rank = None if expected_score is None else int((ranked_scores > ranked_scores[row]).sum()) + 1
    return AnalogyAnswer(
        a=a,
        b=b,
        c=c,
        method=method,
        excluded=exclude_question_words,
        table=table,
        expected=expected,
        expected_rank=expected_rank,
        expected_score=expected_score,
        unrestricted_top=space.words[unrestricted],
        unrestricted_role=roles.get(unrestricted),
    )


def unknown_expected(space: EmbeddingSpace, expected: str | None) -> str | None:
    """Why the expected answer cannot be ranked (the space does not know it: often a typo), or None.

    The answers do not depend on it, so a page can show them and this message side by side.
    """
    expected = (expected or "").strip()
    if not expected or expected in space:
        return None
    return f"the expected answer {expected!r} is not in {space.name!r}"


def analogy_scores(space: EmbeddingSpace, a: str, b: str, c: str, method: str) -> np.ndarray:
    """A score per word (higher is a better answer); 3CosAdd scores are gensim's cosines."""
    unit = space.unit_vectors
    va, vb, vc = (unit[space.index(w)] for w in (a, b, c))
    if method == "3cosadd":
        target = vb - va + vc
        norm = np.linalg.norm(target)
        return unit @ (target / norm) if norm > 0 else unit @ target
    if method == "3cosmul":
        sim = lambda v: (unit @ v + 1) / 2  # noqa: E731  shifted to [0, 1] as Levy & Goldberg
        return sim(vb) * sim(vc) / (sim(va) + COSMUL_EPSILON)
    offset = vb - va
    norm = np.linalg.norm(offset)
    if norm == 0:
        raise InputError(f"{a!r} and {b!r} have the same direction, so b − a has none")
    distance = np.sqrt(np.maximum(2 - 2 * (unit @ vc), 1e-12))  # |x̂ − ĉ| for unit vectors
    return ((unit @ offset) - float(vc @ offset)) / (distance * norm)


def _clean_word(word: str, role: str) -> str:
    word = (word or "").strip()
    if not word:
        raise InputError(f"word {role} is empty")
    if len(word) > 100:
        raise InputError(f"word {role} is {len(word)} characters long; the limit is 100")
    return word


def honesty_check(space: EmbeddingSpace, analogies: Sequence[tuple[str, str, str, str]] = FAMOUS) -> pd.DataFrame:
    """For each analogy: the answer with the question words excluded, and without the exclusion.

    Nissim et al. (2020) showed that without the exclusion, the answer to many famous analogies
    is simply b or c: the "result" depends on a rule that forbids the obvious answer.
    """
    rows = []
    for a, b, c, expected in analogies:
        if _missing(space, (a, b, c, expected)):
            continue
        answer = solve(space, a, b, c, k=1, expected=expected)
        rows.append(
            {
                "analogy": f"{a} : {b} :: {c} : ?",
                "expected": expected,
                "answer (question words excluded)": answer.best,
                "answer (nothing excluded)": answer.unrestricted_top,
                "that is": {"a": "a", "b": "b itself", "c": "c itself"}.get(
                    answer.unrestricted_role or "", "a new word"
                ),
            }
        )
    return pd.DataFrame(rows)


def honesty_skipped(space: EmbeddingSpace, analogies: Sequence[tuple[str, str, str, str]] = FAMOUS) -> pd.DataFrame:
    """The analogies honesty_check leaves out, and which of their words the space does not know."""
    rows = [
        {"analogy": f"{a} : {b} :: {c} : {expected}", "missing": ", ".join(missing)}
        for a, b, c, expected in analogies
        if (missing := _missing(space, (a, b, c, expected)))
    ]
    return pd.DataFrame(rows, columns=["analogy", "missing"])


def _missing(space: EmbeddingSpace, words: Sequence[str]) -> list[str]:
    return [w for w in dict.fromkeys(words) if w not in space]


def odd_one_out(space: EmbeddingSpace, words: Sequence[str]) -> pd.DataFrame:
    """Words ranked by cosine to the mean of their unit vectors; the last is the odd one (gensim's
    doesnt_match)."""
    present = _present(space, words, minimum=3)
    unit = np.vstack([space.unit_vectors[space.index(w)] for w in present])
    mean = unit.mean(axis=0)
    mean /= np.linalg.norm(mean) or 1.0
    table = pd.DataFrame({"word": present, "similarity to the group": unit @ mean})
    return table.sort_values("similarity to the group", ascending=False, ignore_index=True)


def similarity(space: EmbeddingSpace, left: Sequence[str], right: Sequence[str]) -> float:
    """Cosine between the means of two word lists' vectors (gensim's n_similarity, which averages
    the raw vectors); with one word on each side, the plain cosine similarity."""
    means = []
    for words in (left, right):
        present = _present(space, words, minimum=1)
        mean = np.vstack([space.vectors[space.index(w)] for w in present]).mean(axis=0)
        means.append(mean / (np.linalg.norm(mean) or 1.0))
    return float(means[0] @ means[1])


def _present(space: EmbeddingSpace, words: Sequence[str], *, minimum: int) -> list[str]:
    cleaned = list(dict.fromkeys(w.strip() for w in words if w and w.strip()))
    missing = [w for w in cleaned if w not in space]
    if missing:
        raise InputError(f"not in {space.name!r}: {', '.join(repr(w) for w in missing[:10])}")
    if len(cleaned) < minimum:
        raise InputError(f"give at least {minimum} different words")
    if len(cleaned) > 1000:
        raise InputError("at most 1,000 words")
    return cleaned

"""The computations behind the lesson widgets: pure functions of a space or a small corpus.

Each returns plain values or DataFrames; app/figures/lessons.py draws them and the Lessons page
lays them out. Everything here runs in well under a second on the lesson's defaults (GloVe's
20,000 words, the tiny corpus); the few heavy results (several training runs) are precomputed,
see app/lessons/precomputed.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import InputError
from app.lessons.slowmo import SlowMotion, window_pairs
from app.space import EmbeddingSpace

# The lesson widgets a step may name (``show: widget <name> <args>``), with what their arguments are.
WIDGETS: dict[str, str] = {
    "onehot": "<word> <vocabulary words...>: the one-hot vector of the word and the table row it selects",
    "strips": "<words...>: each word's vector as a strip of colours",
    "cosine": "<word> <word>: cosine similarity by hand, every number shown",
    "neighbours": "<word> [k]: the nearest words by cosine",
    "window": "[sentence number] [window]: the window sliding over a tiny-corpus sentence and the pairs it makes",
    "sgd": "<steps|epoch> [skipgram|cbow]: gradient steps of the slow-motion word2vec, vectors before and after",
    "cooccurrence": "<words...>: how often the words share a window in the tiny corpus",
    "ppmi": "<words...>: the same counts as positive pointwise mutual information",
    "svd": "<words...>: the PPMI matrix's SVD: singular values and the words in 2-D",
    "count_vs_predict": "<words...>: neighbours from PPMI + SVD next to word2vec's, on the tiny corpus",
    "pictures": "[words] [perplexity]: PCA and t-SNE of the most frequent words, with their distortion",
    "perplexity": "[words] <perplexities...>: t-SNE at several perplexities, with their distortion",
    "subwords": "<unseen word>: fastText builds it from character n-grams; word2vec has nothing",
    "dimensions": "<word>: the classroom corpus at 2, 10, 50, 150 dimensions: scores and neighbours",
    "seeds": "<word>: two runs differing only by the seed: which neighbours stay and which move",
}
# Widgets drawn from the GloVe sample (the others bring their own data).
NEEDS_GLOVE = frozenset({"onehot", "strips", "cosine", "neighbours", "pictures", "perplexity"})
MAX_WORDS = 40


def check_widget(name: str) -> None:
    if name not in WIDGETS:
        raise InputError(f"unknown lesson widget {name!r}; the widgets are: {', '.join(WIDGETS)}")


def present(space: EmbeddingSpace, words: Sequence[str], *, what: str = "word") -> list[str]:
    """The words, lower-cased, each checked against the space (InputError names the first missing)."""
    if not words:
        raise InputError(f"this widget needs at least one {what}")
    if len(words) > MAX_WORDS:
        raise InputError(f"at most {MAX_WORDS} words, got {len(words)}")
    result = []
    for word in words:
        word = word.lower()
        if word not in space:
            raise InputError(f"{word!r} is not in {space.name}, so this step cannot show it")
        result.append(word)
    return result


# --- lesson 1: what an embedding is -------------------------------------------------------------
@dataclass(frozen=True)
class OneHot:
    word: str
    vocabulary: tuple[str, ...]
    one_hot: np.ndarray  # as long as the vocabulary, one 1
    table: pd.DataFrame  # the lookup table: one row per vocabulary word
    row: np.ndarray  # the row the one-hot vector selects (one_hot @ table)


def one_hot(space: EmbeddingSpace, word: str, vocabulary: Sequence[str]) -> OneHot:
    """The word's one-hot vector over a small vocabulary and the row of the lookup table it selects."""
    words = sorted(dict.fromkeys(present(space, [word, *vocabulary])))
    vector = np.array([1.0 if w == word.lower() else 0.0 for w in words], dtype=np.float32)
    matrix = np.vstack([space.vector(w) for w in words])
    table = pd.DataFrame(matrix, index=words, columns=[f"d{i + 1}" for i in range(space.dim)])
    return OneHot(word.lower(), tuple(words), vector, table, vector @ matrix)


def strips(space: EmbeddingSpace, words: Sequence[str]) -> pd.DataFrame:
    """Words x dimensions: the dense vectors a strip of colours draws."""
    chosen = present(space, words)
    return pd.DataFrame(np.vstack([space.vector(w) for w in chosen]), index=chosen)


def sizes(space: EmbeddingSpace) -> pd.DataFrame:
    """One-hot against dense for a whole vocabulary: numbers per word, and what similarity says."""
    n = len(space)
    return pd.DataFrame(
        {
            "": ["numbers per word", "numbers for the whole vocabulary", "cosine of two different words"],
            "one-hot": [f"{n:,}", f"{n * n:,}", "always 0"],
            "dense": [f"{space.dim}", f"{n * space.dim:,}", "from -1 to 1: how alike they are"],
        }
    )


# --- lesson 2: near means similar ----------------------------------------------------------------
@dataclass(frozen=True)
class CosineByHand:
    a: str
    b: str
    products: pd.DataFrame  # dimension, a, b, a × b
    dot: float
    norm_a: float
    norm_b: float

    @property
    def cosine(self) -> float:
        return self.dot / (self.norm_a * self.norm_b)


def cosine_by_hand(space: EmbeddingSpace, a: str, b: str) -> CosineByHand:
    """Every number of cos(a, b) = a·b / (|a| |b|): the products per dimension, their sum, the lengths."""
    a, b = present(space, [a, b])
    va, vb = space.vector(a).astype(np.float64), space.vector(b).astype(np.float64)
    products = pd.DataFrame({"dimension": np.arange(1, space.dim + 1), a: va, b: vb, f"{a} × {b}": va * vb})
    return CosineByHand(a, b, products, float(va @ vb), float(np.sqrt(va @ va)), float(np.sqrt(vb @ vb)))


def neighbours(space: EmbeddingSpace, word: str, k: int = 10) -> pd.DataFrame:
    """The k nearest words by cosine (the word itself left out)."""
    from app.geometry.neighbours import nearest

    (word,) = present(space, [word])
    found = nearest(space, word, k=k)
    return pd.DataFrame({"word": found.words, "cosine": np.round(found.values, 3)})


# --- lesson 4: word2vec in slow motion -----------------------------------------------------------
def tiny_text() -> str:
    from app.resources import SAMPLE_DATA

    return (SAMPLE_DATA / "tiny_corpus.txt").read_text(encoding="utf-8")


def slow_motion(*, cbow: bool = False, seed: int = 0) -> SlowMotion:
    """The slow-motion word2vec on the tiny corpus: 2 dimensions, so every vector can be drawn."""
    return SlowMotion.from_text(tiny_text(), dim=2, window=2, negatives=3, learning_rate=0.1, cbow=cbow, seed=seed)


def window_table(model: SlowMotion, sentence: int = 0, window: int = 2) -> pd.DataFrame:
    """Each position of one sentence: the centre word, the words in its window, the pairs it makes."""
    if not 0 <= sentence < len(model.sentences):
        raise InputError(f"the tiny corpus has sentences 1 to {len(model.sentences)}, not {sentence + 1}")
    rows = []
    words = model.vocabulary
    for pair in window_pairs([model.sentences[sentence]], window, cbow=True):
        context = [words[i] for i in pair.context]
        rows.append(
            {
                "position": pair.position + 1,
                "centre": words[pair.centre],
                "context (window)": " ".join(context),
                "skip-gram pairs": ", ".join(f"({words[pair.centre]}, {c})" for c in context),
            }
        )
    return pd.DataFrame(rows)


def parse_steps(text: str, model: SlowMotion) -> int:
    """'1', '10', '100' or 'epoch' (one pass over every example) as a number of steps."""
    if text == "epoch":
        return model.epoch_size
    if not text.isdigit() or not 1 <= int(text) <= 20 * model.epoch_size:
        raise InputError(f"steps must be a number from 1 to {20 * model.epoch_size} or 'epoch', not {text!r}")
    return int(text)


@dataclass(frozen=True)
class Movement:
    """Where the words' input vectors were before and after some steps, and the losses on the way."""

    words: tuple[str, ...]
    before: np.ndarray
    after: np.ndarray
    losses: list[float]
    last: object  # the last slowmo.Step, to show its pair and negatives
    involved: tuple[str, ...]


def train_slowly(model: SlowMotion, steps: int) -> Movement:
    """Run ``steps`` updates; the input vectors of every word before and after."""
    before = model.inputs.copy()
    losses = model.run(steps - 1)
    last = model.step()
    losses.append(last.loss_before)
    words = model.vocabulary
    involved = tuple(dict.fromkeys(words[i] for i in (last.pair.centre, *last.pair.context, *last.negatives)))
    return Movement(words, before, model.inputs.copy(), losses, last, involved)


# --- lesson 5: counting instead of predicting ------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    words: tuple[str, ...]  # the whole vocabulary, by frequency
    counts: np.ndarray  # dense, symmetric
    ppmi: np.ndarray


def tiny_sentences() -> list[list[str]]:
    from app.training.corpus import builtin_corpus

    return [list(s) for s in builtin_corpus("tiny")]


def cooccurrences(sentences: Sequence[Sequence[str]], window: int = 2) -> Counts:
    """How often each two words fall within ``window`` words of each other (every sentence on its own),
    and the PPMI of those counts, with app.training's own counting and weighting."""
    from collections import Counter

    from app.training.ppmi import count_cooccurrences, positive_pmi

    frequency = Counter(word for sentence in sentences for word in sentence)
    words = tuple(sorted(frequency, key=lambda w: (-frequency[w], w)))
    if len(words) < 2:
        raise InputError("the corpus needs at least two different words")
    index = {w: i for i, w in enumerate(words)}
    counts = count_cooccurrences(sentences, index, window, on_chunk=lambda _: None)
    return Counts(words, counts.toarray(), positive_pmi(counts).toarray())


def submatrix(counts: Counts, matrix: np.ndarray, words: Sequence[str]) -> pd.DataFrame:
    """The rows and columns of ``words`` (lower-cased, each checked) of a words x words matrix."""
    chosen = [w.lower() for w in words]
    missing = [w for w in chosen if w not in counts.words]
    if missing:
        raise InputError(f"{missing[0]!r} is not in the tiny corpus")
    rows = [counts.words.index(w) for w in chosen]
    return pd.DataFrame(matrix[np.ix_(rows, rows)], index=chosen, columns=chosen)


def ppmi_space(counts: Counts, dimensions: int = 10, seed: int = 0) -> tuple[EmbeddingSpace, np.ndarray]:
    """Word vectors from the PPMI matrix's truncated SVD, and the singular values."""
    from scipy.sparse import csr_matrix

    from app.training.ppmi import svd_vectors

    vectors, singular = svd_vectors(csr_matrix(counts.ppmi), min(dimensions, len(counts.words) - 1), seed)
    return EmbeddingSpace("tiny corpus · PPMI + SVD", counts.words, vectors, source={"shared": True}), singular


def word2vec_tiny(seed: int = 1) -> EmbeddingSpace:
    """gensim word2vec on the tiny corpus (10 dimensions, many epochs since it is so small)."""
    from app.training.config import TrainConfig
    from app.training.corpus import builtin_corpus
    from app.training.run import train

    config = TrainConfig(
        vector_size=10,
        window=2,
        min_count=1,
        epochs=200,
        seed=seed,
        architecture="skipgram",
        deterministic=True,
        snapshots=False,
    )
    return train(builtin_corpus("tiny"), config).space


def side_by_side(spaces: dict[str, EmbeddingSpace], words: Sequence[str], k: int = 5) -> pd.DataFrame:
    """For each word, its k nearest words in each space (one column per space)."""
    from app.geometry.neighbours import nearest

    rows = []
    for word in words:
        row = {"word": word.lower()}
        for label, space in spaces.items():
            if word.lower() in space:
                row[label] = ", ".join(nearest(space, word.lower(), k=k).words)
            else:
                row[label] = "(not in this space)"
        rows.append(row)
    return pd.DataFrame(rows)

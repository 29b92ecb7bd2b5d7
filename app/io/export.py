"""EmbeddingSpace -> bytes in formats other tools read: word2vec text, GloVe text, Projector TSV."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from app.space import EmbeddingSpace


def format_float32(matrix: np.ndarray) -> np.ndarray:
    """Each value as the shortest of '%.6g' / '%.9g' that reads back to the same float32.

    Short where the value allows (GloVe's 0.418 stays 0.418), exact always.
    """
    values = np.asarray(matrix, dtype=np.float32)
    short = np.char.mod("%.6g", values)
    inexact = short.astype(np.float32) != values
    if inexact.any():
        short = short.astype(object)
        short[inexact] = np.char.mod("%.9g", values[inexact])
    return short


def _vector_lines(space: EmbeddingSpace, sep: str, with_words: bool) -> str:
    text = format_float32(space.vectors)
    lines = [sep.join(row) for row in text.tolist()]
    if with_words:
        lines = [f"{word}{sep}{line}" for word, line in zip(space.words, lines, strict=True)]
    return "\n".join(lines) + "\n"


def to_word2vec_text(space: EmbeddingSpace, *, header: bool = True) -> bytes:
    """word2vec text: a "count dimension" header, then "word v1 ... vd" lines (header=False: GloVe)."""
    first = f"{len(space)} {space.dim}\n" if header else ""
    return (first + _vector_lines(space, " ", with_words=True)).encode("utf-8")


def to_projector_tsv(space: EmbeddingSpace) -> tuple[bytes, bytes]:
    """The TensorFlow Embedding Projector pair: vectors.tsv and metadata.tsv.

    metadata.tsv has one unlabelled column of words, or, with metadata, a header row and a
    "word" column first (as the Projector expects). Tabs and newlines in fields become spaces.
    """
    vectors = _vector_lines(space, "\t", with_words=False).encode("utf-8")
    words = [_clean(w) for w in space.words]
    if space.metadata is None or space.metadata.empty:
        return vectors, ("\n".join(words) + "\n").encode("utf-8")
    meta = space.metadata.drop(columns=[c for c in space.metadata.columns if str(c) == "word"])
    out = io.StringIO()
    out.write("\t".join(["word", *(_clean(str(c)) for c in meta.columns)]) + "\n")
    for word, row in zip(words, meta.astype(str).itertuples(index=False), strict=True):
        out.write("\t".join([word, *(_clean(v) for v in row)]) + "\n")
    return vectors, out.getvalue().encode("utf-8")


def coordinates_frame(space: EmbeddingSpace, coords: np.ndarray) -> pd.DataFrame:
    """A table of projected coordinates: word, x, y (z), then the space's metadata."""
    axes = ["x", "y", "z"][: coords.shape[1]]
    frame = pd.DataFrame(np.asarray(coords), columns=axes)
    frame.insert(0, "word", list(space.words))
    if space.metadata is not None:
        extra = space.metadata.reset_index(drop=True)
        frame = pd.concat([frame, extra.drop(columns=[c for c in extra.columns if c in frame.columns])], axis=1)
    return frame


def _clean(field: str) -> str:
    return field.replace("\t", " ").replace("\r", " ").replace("\n", " ")

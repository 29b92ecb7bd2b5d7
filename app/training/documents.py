"""doc2vec after training: vectors for new text, and the training documents closest to it."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from app.errors import InputError
from app.training.record import TrainResult


def infer_documents(result_or_model: TrainResult | Any, texts: list[list[str]]) -> np.ndarray:
    """Vectors (float32, one row per text) for new documents in a doc2vec space.

    As in gensim, inference is a short stochastic training run, so the same text gives slightly
    different vectors on each call (and gensim seeds it with Python's per-process salted hash):
    compare inferred vectors by cosine similarity, not for equality.
    """
    model = result_or_model.model if isinstance(result_or_model, TrainResult) else result_or_model
    if model is None or not hasattr(model, "infer_vector") or not hasattr(model, "dv"):
        raise InputError("only a doc2vec model can place new documents in its space")
    if isinstance(texts, str) or any(isinstance(text, str) for text in texts):
        raise InputError("give each new document as a list of tokens")
    rows = [model.infer_vector(list(text), epochs=model.epochs) for text in texts]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), model.dv.vector_size)


def nearest_documents(result: TrainResult, text: str, k: int = 5) -> list[dict[str, Any]]:
    """The training documents closest (cosine) to new ``text`` placed by doc2vec inference.

    The text is tokenised with the corpus's own preprocessing (except learned phrases).
    """
    if result.model is None or not hasattr(result.model, "dv"):
        raise InputError("only a doc2vec model can place new text among its documents")
    tokenize = getattr(result.preprocessing, "tokenize", None)
    tokens = tokenize(text) if tokenize is not None else re.findall(r"\w+", text.lower())
    known = [t for t in tokens if t in result.model.wv.key_to_index]
    if not known:
        raise InputError("none of these words is in the model's vocabulary; try words from the corpus")
    vector = infer_documents(result, [tokens])[0]
    length = float(np.linalg.norm(vector))
    similarities = result.space.unit_vectors @ (vector / length if length else vector)
    top = np.argsort(-similarities, kind="stable")[: max(1, int(k))]
    meta = result.space.metadata
    return [
        {
            "document": result.space.words[i],
            "similarity": round(float(similarities[i]), 3),
            "first_words": None if meta is None or "first_words" not in meta else meta["first_words"].iloc[i],
        }
        for i in top
    ]

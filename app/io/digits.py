"""The Digits samples: scikit-learn's 8 x 8 handwritten digits as raw pixels, and as features learned.

Both give every point its picture (an ink-on-clear PNG thumbnail, see app.io.images). The learned
space is the hidden layer of a small MLPClassifier trained on 70% of the digits (seeded, about
two seconds): the lesson-sized contrast of a representation learned for the task against the raw
pixels, measured by how often a point's 10 nearest neighbours share its digit.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from app.geometry.label_share import neighbours_share
from app.io.images import ink_thumbnails
from app.space import EmbeddingSpace

HIDDEN_UNITS = 32
TRAIN_SHARE = 0.7
SEED = 0
BRIGHTEST = 16.0  # scikit-learn's digits count 0..16 ink per pixel


def _digits() -> tuple[np.ndarray, np.ndarray, list[str], dict[str, str]]:
    """Pixels (n x 64, 0..16), digits, point names, and {name: thumbnail}."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    names = [f"digit {d} #{i}" for i, d in enumerate(digits.target)]
    thumbnails = ink_thumbnails(digits.images, brightest=BRIGHTEST)
    return digits.data.astype(np.float32), digits.target.astype(int), names, dict(zip(names, thumbnails, strict=True))


def load_digits_space() -> EmbeddingSpace:
    """scikit-learn's 1,797 8x8 digit images as 64-d vectors; embeddings are not only words."""
    pixels, target, names, images = _digits()
    return EmbeddingSpace(
        "Digits (8x8 images)",
        names,
        pixels,
        metadata=pd.DataFrame({"digit": target}),
        source={
            "file": "sklearn.datasets.load_digits",
            "format": "images",
            "options": {},
            "warnings": [],
            "images": images,
        },
    )


def learned_features(pixels: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hidden layer (ReLU) of an MLPClassifier trained on a seeded split, for every digit;
    returns the features and a mask of the points it was trained on."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    rows = np.arange(len(target))
    train, _ = train_test_split(rows, train_size=TRAIN_SHARE, random_state=SEED, stratify=target)
    scaled = pixels / BRIGHTEST
    model = MLPClassifier(hidden_layer_sizes=(HIDDEN_UNITS,), max_iter=300, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 300 rounds are plenty for the contrast
        model.fit(scaled[train], target[train])
    hidden = np.maximum(0.0, scaled @ model.coefs_[0] + model.intercepts_[0]).astype(np.float32)
    trained = np.zeros(len(target), dtype=bool)
    trained[train] = True
    return hidden, trained


def load_learned_digits_space() -> EmbeddingSpace:
    """The digits as the 32 hidden features of a small neural network trained to tell them apart,
    with the neighbours-share of this space and of the raw pixels in its provenance."""
    pixels, target, names, images = _digits()
    hidden, trained = learned_features(pixels, target)
    split = np.where(trained, "trained on", "held out")
    held_out = np.flatnonzero(~trained)
    shares: dict[str, Any] = {"column": "digit", "k": 10}
    for label, vectors in (("raw pixels", pixels), ("learned features", hidden)):
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        per_point = neighbours_share(target, unit.astype(np.float32), k=10)
        shares[label] = {"all": float(per_point.mean()), "held out": float(per_point[held_out].mean())}
    return EmbeddingSpace(
        "Digits (learned features)",
        names,
        hidden,
        metadata=pd.DataFrame({"digit": target, "split": split}),
        source={
            "file": "sklearn.datasets.load_digits + MLPClassifier hidden layer",
            "format": "images",
            "options": {"hidden_units": HIDDEN_UNITS, "train_share": TRAIN_SHARE, "seed": SEED},
            "warnings": [],
            "images": images,
            "neighbours_share": shares,
        },
    )

"""Training runs the built-in lessons show, made once and shipped in sample_data/lessons/precomputed/.

Training the classroom corpus four times (lesson 8) or twice (lesson 9) takes longer than a lesson
step may on a 2-core server, so the runs are made by this module and saved as plain ``.npz`` files
(words and float32 matrices, no pickle). A step says how they were made and can rerun them:
``train_runs(name)`` is the same recipe, and it is what

    .venv/bin/python -m app.lessons.precomputed

calls to write the files again. gensim in deterministic mode (one worker, a fixed seed) gives the
same vectors on the same machine and library versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import InputError, Progress
from app.resources import SAMPLE_DATA
from app.space import EmbeddingSpace

FOLDER = SAMPLE_DATA / "lessons" / "precomputed"
CORPUS = "classroom"


@dataclass(frozen=True)
class Recipe:
    """A set of runs on the classroom corpus: each label gets its own vector size and seed."""

    name: str
    about: str
    runs: tuple[tuple[str, int, int], ...]  # (label, vector_size, seed)
    epochs: int = 10
    window: int = 5
    min_count: int = 2

    @property
    def path(self) -> Path:
        return FOLDER / f"{self.name}.npz"

    def describe(self) -> str:
        labels = ", ".join(label for label, _, _ in self.runs)
        return (
            f"word2vec skip-gram (gensim, deterministic: one worker) on the classroom corpus, "
            f"{self.epochs} epochs, window {self.window}, min_count {self.min_count}; runs: {labels}."
        )


RECIPES = {
    "dimensions": Recipe(
        "dimensions",
        "the same corpus and seed at 2, 10, 50 and 150 dimensions",
        (("2 dims", 2, 1), ("10 dims", 10, 1), ("50 dims", 50, 1), ("150 dims", 150, 1)),
    ),
    "seeds": Recipe(
        "seeds",
        "the same corpus and settings, seed 1 against seed 2",
        (("seed 1", 50, 1), ("seed 2", 50, 2)),
    ),
}


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise InputError(f"no precomputed runs named {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]


def train_runs(name: str, progress: Progress | None = None) -> dict[str, EmbeddingSpace]:
    """Train every run of the recipe now (what the files hold), label -> space."""
    from app.training.config import TrainConfig
    from app.training.corpus import builtin_corpus
    from app.training.run import train

    chosen = recipe(name)
    corpus = builtin_corpus(CORPUS)
    spaces: dict[str, EmbeddingSpace] = {}
    for number, (label, size, seed) in enumerate(chosen.runs):
        if progress is not None:
            progress(number / len(chosen.runs), f"training {label}")
        config = TrainConfig(
            vector_size=size,
            seed=seed,
            epochs=chosen.epochs,
            window=chosen.window,
            min_count=chosen.min_count,
            architecture="skipgram",
            deterministic=True,
            snapshots=False,
        )
        result = train(corpus, config)
        spaces[label] = _shared(label, result.space.words, result.space.vectors, chosen)
    return spaces


def load_runs(name: str) -> dict[str, EmbeddingSpace]:
    """The saved runs of a recipe, label -> space (InputError when the file is missing)."""
    chosen = recipe(name)
    if not chosen.path.exists():
        raise InputError(f"{chosen.path.name} is missing; make it with: python -m app.lessons.precomputed")
    with np.load(chosen.path, allow_pickle=False) as data:
        words = [str(w) for w in data["words"]]
        return {label: _shared(label, words, data[f"run{i}"], chosen) for i, (label, _, _) in enumerate(chosen.runs)}


def save_runs(name: str, spaces: dict[str, EmbeddingSpace]) -> Path:
    """Write the runs (they share one vocabulary: the same corpus and min_count) to the recipe's file."""
    chosen = recipe(name)
    first = next(iter(spaces.values()))
    arrays = {f"run{i}": spaces[label].vectors for i, (label, _, _) in enumerate(chosen.runs)}
    chosen.path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(chosen.path, words=np.array(first.words), **arrays)  # type: ignore[arg-type]
    return chosen.path


FASTTEXT = FOLDER / "classroom_fasttext.bin"
FASTTEXT_ABOUT = (
    "fastText skip-gram (gensim, deterministic) on the classroom corpus: 30 dimensions, 10 epochs, "
    "character n-grams of 3 to 5 letters in 5,000 hash buckets, saved in fastText's own .bin format."
)


def train_fasttext(path: Path = FASTTEXT) -> Path:
    """Train the lesson's small fastText model and save it in fastText's native format."""
    from gensim.models.fasttext import save_facebook_model

    from app.training.config import TrainConfig
    from app.training.corpus import builtin_corpus
    from app.training.run import train

    config = TrainConfig(
        model="fasttext",
        vector_size=30,
        epochs=10,
        min_count=2,
        architecture="skipgram",
        min_n=3,
        max_n=5,
        bucket=5_000,
        deterministic=True,
        snapshots=False,
    )
    result = train(builtin_corpus(CORPUS), config)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_facebook_model(result.model, str(path))
    return path


def load_fasttext() -> EmbeddingSpace:
    """The saved fastText model as a space that builds vectors for unseen words from subwords."""
    from app.io.loaders import load_vectors

    if not FASTTEXT.exists():
        raise InputError(f"{FASTTEXT.name} is missing; make it with: python -m app.lessons.precomputed")
    space = load_vectors(FASTTEXT, name="classroom · fastText")
    return space


def _shared(label: str, words: object, vectors: np.ndarray, chosen: Recipe) -> EmbeddingSpace:
    return EmbeddingSpace(
        f"classroom · {label}",
        list(words),  # type: ignore[call-overload]
        np.asarray(vectors),
        source={"recipe": chosen.describe(), "shared": True},
    )


if __name__ == "__main__":  # pragma: no cover - the script that writes the files
    print(train_fasttext())
    for key in RECIPES:
        print(save_runs(key, train_runs(key)))

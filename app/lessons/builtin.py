"""The built-in lessons: Markdown files in sample_data/lessons/, listed in teaching order."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InputError
from app.lessons.format import Lesson, parse_lesson
from app.resources import SAMPLE_DATA

FOLDER = SAMPLE_DATA / "lessons"
# URL key -> file name, in the order a course takes them.
BUILTIN = {
    "embedding": "01_what_an_embedding_is.md",
    "near": "02_near_means_similar.md",
    "analogies": "03_analogies_honestly.md",
    "word2vec": "04_word2vec_slow_motion.md",
    "counting": "05_counting_instead_of_predicting.md",
    "pictures": "06_pictures_distort.md",
    "unseen": "07_words_never_seen.md",
    "dimensions": "08_how_many_dimensions.md",
    "seeds": "09_same_recipe_another_seed.md",
    "bias": "10_bias_in_bias_out.md",
}


@dataclass(frozen=True)
class Entry:
    key: str
    lesson: Lesson


def builtin_lesson(key: str) -> Lesson:
    """A built-in lesson by its URL key (InputError naming the key when there is none)."""
    if key not in BUILTIN:
        raise InputError(f"no built-in lesson {key!r}; the lessons are: {', '.join(BUILTIN)}")
    path = FOLDER / BUILTIN[key]
    return parse_lesson(path.read_text(encoding="utf-8"), name=path.name)


def builtin_lessons() -> list[Entry]:
    """Every built-in lesson, parsed, in teaching order."""
    return [Entry(key, builtin_lesson(key)) for key in BUILTIN]

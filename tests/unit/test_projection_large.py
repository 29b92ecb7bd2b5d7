"""Fit a sample, place the rest: every row gets coordinates in its own order, the fitter sees only
the seeded sample, the rest goes through its transform in chunks, and the page gets a note."""

import numpy as np
import pytest

from app.errors import InputError
from app.projection import large
from app.projection.large import needs_sample, project_large
from app.space import EmbeddingSpace


def space_of(n: int) -> EmbeddingSpace:
    vectors = np.column_stack([np.arange(n), -np.arange(n), np.ones(n)]).astype(np.float32)
    return EmbeddingSpace("line", [f"w{i}" for i in range(n)], vectors)


class FirstTwoColumns:
    """A fitter whose layout is the first two numbers of each vector (so every row's answer is known)."""

    def __init__(self) -> None:
        self.fitted_rows = 0
        self.transformed: list[int] = []

    def __call__(self, matrix, n_components, *, seed, metric, progress, **params):
        self.fitted_rows = len(matrix)
        progress(0.5, "fitting")

        def transform(rows):
            self.transformed.append(len(rows))
            return rows[:, :n_components]

        return matrix[:, :n_components], transform


def test_every_row_is_placed_in_order(monkeypatch):
    monkeypatch.setattr(large, "TRANSFORM_CHUNK", 40)
    fitter = FirstTwoColumns()
    steps = []
    result = project_large(
        space_of(300), fit_points=100, fitter=fitter, progress=lambda f, m: steps.append(f), n_neighbors=5
    )
    assert result.coords[:, 0].tolist() == list(range(300))
    assert fitter.fitted_rows == 100 and fitter.transformed == [40, 40, 40, 40, 40]
    assert steps == sorted(steps) and steps[-1] == 1.0
    assert "fitted on a random 100 of the 300 points" in result.notes[0]
    assert result.params["fit_points"] == 100 and result.params["n_neighbors"] == 5


def test_the_sample_follows_the_seed():
    picked = []

    def remember(matrix, n_components, **_):
        picked.append(matrix[:, 0].copy())
        return matrix[:, :n_components], lambda rows: rows[:, :n_components]

    for seed in (0, 0, 1):
        project_large(space_of(50), fit_points=10, fitter=remember, seed=seed)
    assert np.array_equal(picked[0], picked[1]) and not np.array_equal(picked[0], picked[2])


def test_only_umap_and_only_beyond_the_sample():
    assert needs_sample("umap", 200_001) and not needs_sample("umap", 200_000) and not needs_sample("pca", 10**6)
    with pytest.raises(InputError, match="only UMAP"):
        project_large(space_of(50), "tsne", fit_points=10)
    with pytest.raises(InputError, match="fit at once"):
        project_large(space_of(50), fit_points=100)


def test_invalid_placements_are_refused():
    def broken(matrix, n_components, **_):
        return matrix[:, :n_components], lambda rows: np.full((len(rows), n_components), np.nan)

    with pytest.raises(InputError, match="invalid"):
        project_large(space_of(50), fit_points=10, fitter=broken)


def test_project_routes_a_umap_past_the_fit_size_through_a_sample(monkeypatch):
    from app.projection.methods import project

    fitter = FirstTwoColumns()
    monkeypatch.setattr(large, "FIT_POINTS", 100)
    monkeypatch.setattr(large, "umap_fitter", fitter)
    result = project(space_of(250), "umap", 2, record_timing=False)
    assert fitter.fitted_rows == 100 and sum(fitter.transformed) == 150
    assert "fitted on a random 100 of the 250 points" in result.notes[0]

"""Users and items: reading interactions, SVD reconstructs a planted low-rank matrix, recall@10 beats most-popular."""

import numpy as np
import pytest
import scipy.sparse as sp

from app.errors import InputError
from app.interactions.factorise import FactorConfig, als_available, factorise, factorise_interactions
from app.interactions.table import Interactions, davis_interactions, read_interactions


def _silent(fraction, message):
    pass


def test_read_with_header_and_repeats():
    data = read_interactions(b"user,item,rating\nann,film,5\nbob,film,3\nann,film,1\n", filename="r.csv")
    assert data.users == ("ann", "bob") and data.items == ("film",)
    assert data.matrix[0, 0] == 6 and data.notes


@pytest.mark.parametrize(
    ("data", "expected"), [(b"ann,film\nbob\n", "line 2"), (b"ann,film,5\nbob,film,lots\n", "line 2"), (b"", "empty")]
)
def test_bad_interactions_name_the_line(data, expected):
    with pytest.raises(InputError, match=expected):
        read_interactions(data, filename="bad.csv")


def test_caps():
    rows = b"".join(f"u{i},i{i}\n".encode() for i in range(20))
    with pytest.raises(InputError, match="users"):
        read_interactions(rows, max_users=5)


def test_svd_reconstructs_a_planted_low_rank_matrix():
    rng = np.random.default_rng(0)
    planted = rng.normal(size=(60, 3)) @ rng.normal(size=(3, 40))
    users, items = factorise(sp.csr_matrix(planted), FactorConfig(factors=3, normalise="none"), _silent)
    assert np.allclose(users @ items.T, planted, atol=1e-6)


def _planted_groups(seed=0):
    """Four taste groups of users, each liking its own 15 items; every item equally popular overall."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for user in range(200):
        group = user % 4
        for item in rng.choice(15, size=8, replace=False) + group * 15:
            rows.append(user)
            cols.append(int(item))
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(200, 60))
    return Interactions("planted", tuple(f"u{i}" for i in range(200)), tuple(f"i{j}" for j in range(60)), matrix)


@pytest.mark.parametrize("method", ["svd", "als"])
def test_recall_beats_most_popular_on_planted_structure(method):
    if method == "als" and not als_available():
        pytest.skip("implicit is not installed")
    result = factorise_interactions(_planted_groups(), FactorConfig(method=method, factors=4, iterations=10))
    evaluation = result.evaluation
    assert evaluation["recall_at_10"] > evaluation["most_popular_recall_at_10"] + 0.2, evaluation


def test_users_and_items_share_a_space():
    result = factorise_interactions(davis_interactions(), FactorConfig(factors=3))
    space = result.space
    assert space.shared and len(space) == 18 + 14
    assert set(space.metadata["kind"]) == {"user", "item"}

import numpy as np
import pytest

from app.errors import InputError
from app.io.samples import SAMPLES, load_digits_space, load_glove, load_sample


def best_analogy(space, a, b, c) -> str:
    unit = space.unit_vectors
    query = unit[space.index(b)] - unit[space.index(a)] + unit[space.index(c)]
    scores = unit @ query
    for word in (a, b, c):
        scores[space.index(word)] = -np.inf
    return space.words[int(np.argmax(scores))]


def test_glove_sample_is_frequency_ordered_and_teaches_the_classic_analogy():
    space = load_glove(20_000)
    assert len(space) == 20_000 and space.dim == 50
    assert space.words[:3] == ("the", ",", ".")
    assert space.metadata["frequency_rank"].iloc[0] == 1
    assert best_analogy(space, "man", "king", "woman") == "queen"


def test_glove_size_is_checked():
    with pytest.raises(InputError):
        load_glove(0)


def test_digits_are_points_with_their_digit_as_metadata():
    space = load_digits_space()
    assert (len(space), space.dim) == (1797, 64)
    assert sorted(space.metadata["digit"].unique()) == list(range(10))


@pytest.mark.parametrize("key", [s.key for s in SAMPLES])
def test_every_sample_loads(key):
    space = load_sample(key, n_words=2_000)
    assert len(space) > 0 and np.isfinite(space.vectors).all()


def test_toy_sample_has_the_exact_analogy():
    space = load_sample("toy")
    assert best_analogy(space, "man", "king", "woman") == "queen"
    np.testing.assert_allclose(
        space.vector("king") - space.vector("man") + space.vector("woman"), space.vector("queen"), atol=1e-6
    )


def test_unknown_sample():
    with pytest.raises(InputError, match="unknown sample"):
        load_sample("nope")

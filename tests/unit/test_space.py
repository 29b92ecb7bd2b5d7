import numpy as np
import pandas as pd
import pytest

from app.errors import InputError
from app.space import EmbeddingSpace
from tests.conftest import make_space


def test_value_is_immutable_and_float32():
    space = make_space(["a", "b"], [[1, 2], [3, 4]])
    assert space.vectors.dtype == np.float32
    assert space.vectors.shape == (2, 2)
    with pytest.raises(ValueError):
        space.vectors[0, 0] = 9
    assert space.words == ("a", "b")


def test_input_array_is_copied_so_later_changes_do_not_leak_in():
    source = np.ones((2, 3), dtype=np.float32)
    space = EmbeddingSpace("s", ["a", "b"], source)
    source[0, 0] = 7
    assert space.vectors[0, 0] == 1


@pytest.mark.parametrize(
    ("words", "vectors", "metadata", "message"),
    [
        (["a", "a"], [[1.0], [2.0]], None, "unique"),
        (["a"], [[1.0], [2.0]], None, "1 words but 2 vectors"),
        (["a", "b"], [1.0, 2.0], None, "2-D"),
        (["a", "b"], [[1.0], [2.0]], pd.DataFrame({"x": [1]}), "metadata has 1 rows"),
    ],
)
def test_invalid_construction_raises_input_error(words, vectors, metadata, message):
    with pytest.raises(InputError, match=message):
        EmbeddingSpace("bad", words, np.asarray(vectors, dtype=np.float32), metadata=metadata)


def test_fingerprint_depends_on_content_only():
    a = make_space(["a", "b"], [[1, 2], [3, 4]])
    same = EmbeddingSpace("other name", ["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    changed_value = make_space(["a", "b"], [[1, 2], [3, 5]])
    changed_word = make_space(["a", "c"], [[1, 2], [3, 4]])
    assert a.fingerprint == same.fingerprint
    assert len({a.fingerprint, changed_value.fingerprint, changed_word.fingerprint}) == 3


def test_lookup_membership_and_oov_message():
    space = make_space(["king", "queen"], [[1, 0], [0, 1]])
    assert space.index("queen") == 1
    assert "king" in space and "prince" not in space
    with pytest.raises(InputError, match="'prince' is not in"):
        space.index("prince")
    with pytest.raises(InputError, match="prince"):
        space.vector("prince")


def test_unit_vectors_are_cached_and_zero_rows_stay_zero():
    space = make_space(["a", "b", "zero"], [[3, 4], [0, 2], [0, 0]])
    unit = space.unit_vectors
    assert unit is space.unit_vectors
    np.testing.assert_allclose(unit[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(unit[:2], axis=1), 1.0, rtol=1e-6)
    assert not unit[2].any()
    np.testing.assert_allclose(space.norms, [5, 2, 0])


def test_subset_keeps_order_and_metadata():
    meta = pd.DataFrame({"group": ["x", "y", "z"]})
    space = make_space(["a", "b", "c"], [[1], [2], [3]], metadata=meta)
    sub = space.subset(words=["c", "a"])
    assert sub.words == ("c", "a")
    assert sub.vectors[:, 0].tolist() == [3, 1]
    assert sub.metadata["group"].tolist() == ["z", "x"]
    by_index = space.subset(indices=[1])
    assert by_index.words == ("b",) and by_index.metadata["group"].tolist() == ["y"]
    with pytest.raises(InputError):
        space.subset(words=["nope"])
    with pytest.raises(InputError):
        space.subset(indices=[5])


def test_head_is_file_order_and_clamped():
    space = make_space(["a", "b", "c"], [[1], [2], [3]])
    assert space.head(2).words == ("a", "b")
    assert len(space.head(10)) == 3


def test_renamed_keeps_fingerprint():
    space = make_space(["a"], [[1.0]])
    assert space.renamed("new").name == "new"
    assert space.renamed("new").fingerprint == space.fingerprint


def test_metadata_is_handed_out_as_a_copy_so_the_fingerprint_stays_true():
    space = make_space(["a", "b"], [[1, 2], [3, 4]], metadata=pd.DataFrame({"pos": ["noun", "verb"]}))
    fingerprint = space.fingerprint
    given = space.metadata
    given.loc[0, "pos"] = "adjective"
    given["extra"] = [1, 2]
    assert list(space.metadata.columns) == ["pos"]
    assert space.metadata["pos"].tolist() == ["noun", "verb"]
    assert space.subset(words=["a"]).metadata["pos"].tolist() == ["noun"]
    rebuilt = make_space(["a", "b"], [[1, 2], [3, 4]], metadata=space.metadata)
    assert rebuilt.fingerprint == space.fingerprint == fingerprint


def test_fingerprint_covers_metadata_not_name_or_provenance():
    plain = make_space(["a", "b"], [[1, 2], [3, 4]])
    labelled = make_space(["a", "b"], [[1, 2], [3, 4]], metadata=pd.DataFrame({"pos": ["noun", "verb"]}))
    assert plain.fingerprint != labelled.fingerprint
    assert plain.with_source(name="other", shared=True).fingerprint == plain.fingerprint

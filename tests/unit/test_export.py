import numpy as np
import pandas as pd
from gensim.models import KeyedVectors

from app.io.export import coordinates_frame, format_float32, to_projector_tsv, to_word2vec_text
from app.io.loaders import load_vectors
from tests.conftest import make_space


def random_space() -> object:
    rng = np.random.default_rng(0)
    words = ["king", "queen", "it's", '"quoted"', "naïve"]
    meta = pd.DataFrame({"group": ["royal", "royal", "x", "tab\there", "y"], "n": [1, 2, 3, 4, 5]})
    return make_space(words, rng.normal(size=(5, 7)).astype(np.float32), metadata=meta)


def test_float_formatting_is_short_where_possible_and_always_exact():
    values = np.array([0.418, 1 / 3, -2.5e-8, 123456.7], dtype=np.float32)
    text = format_float32(values)
    assert text[0] == "0.418"
    np.testing.assert_array_equal(text.astype(np.float32), values)


def test_word2vec_text_round_trip_is_exact_and_gensim_reads_it(tmp_path):
    space = random_space()
    data = to_word2vec_text(space)
    back = load_vectors((data, "out.txt"))
    assert back.words == space.words
    np.testing.assert_array_equal(back.vectors, space.vectors)
    path = tmp_path / "out.txt"
    path.write_bytes(data)
    gensim_kv = KeyedVectors.load_word2vec_format(str(path))
    np.testing.assert_array_equal(gensim_kv.vectors, space.vectors)


def test_glove_text_has_no_header():
    space = random_space()
    data = to_word2vec_text(space, header=False)
    assert data.startswith(b"king ")
    back = load_vectors((data, "out.txt"))
    assert back.source["format"] == "glove"
    np.testing.assert_array_equal(back.vectors, space.vectors)


def test_projector_pair_round_trip_keeps_metadata():
    space = random_space()
    vectors, metadata = to_projector_tsv(space)
    assert metadata.splitlines()[0] == b"word\tgroup\tn"
    back = load_vectors((vectors, "vectors.tsv"), metadata=(metadata, "metadata.tsv"))
    assert back.words == space.words
    np.testing.assert_array_equal(back.vectors, space.vectors)
    assert back.metadata["group"].tolist()[3] == "tab here"
    assert back.metadata["n"].tolist() == [1, 2, 3, 4, 5]


def test_projector_without_metadata_writes_one_unlabelled_column():
    space = make_space(["a", "b"], [[1, 2], [3, 4]])
    vectors, metadata = to_projector_tsv(space)
    assert metadata == b"a\nb\n"
    assert vectors == b"1\t2\n3\t4\n"


def test_coordinates_frame_2d_without_metadata():
    space = make_space(["a", "b", "c"], np.eye(3))
    coords = np.array([[0.5, -1], [2, 3], [4, 5.25]], dtype=np.float32)
    frame = coordinates_frame(space, coords)
    assert frame.columns.tolist() == ["word", "x", "y"]
    assert frame["word"].tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(frame[["x", "y"]].to_numpy(), coords)
    assert frame.to_csv(index=False).splitlines()[:2] == ["word,x,y", "a,0.5,-1.0"]


def test_coordinates_frame_3d_with_metadata_after_the_axes():
    space = random_space()
    coords = np.arange(15, dtype=np.float32).reshape(5, 3)
    frame = coordinates_frame(space, coords)
    assert frame.columns.tolist() == ["word", "x", "y", "z", "group", "n"]
    assert frame["z"].tolist() == [2, 5, 8, 11, 14]
    assert frame["group"].tolist() == ["royal", "royal", "x", "tab\there", "y"]
    assert frame["n"].tolist() == [1, 2, 3, 4, 5]


def test_coordinates_frame_of_a_subset_aligns_metadata_rows():
    subset = random_space().subset(indices=[4, 0])
    frame = coordinates_frame(subset, np.zeros((2, 2), dtype=np.float32))
    assert frame["word"].tolist() == ["naïve", "king"]
    assert frame["n"].tolist() == [5, 1]
    assert frame.index.tolist() == [0, 1]


def test_coordinates_frame_metadata_does_not_overwrite_word_or_axes():
    meta = pd.DataFrame({"word": ["W1", "W2"], "x": [9, 9], "kind": ["p", "q"]})
    space = make_space(["a", "b"], np.eye(2), metadata=meta)
    frame = coordinates_frame(space, np.array([[1, 2], [3, 4]], dtype=np.float32))
    assert frame.columns.tolist() == ["word", "x", "y", "kind"]
    assert frame["word"].tolist() == ["a", "b"]
    assert frame["x"].tolist() == [1, 3]

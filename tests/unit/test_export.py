import numpy as np
import pandas as pd
from gensim.models import KeyedVectors

from app.export import format_float32, to_projector_tsv, to_word2vec_text
from app.loaders import load_vectors
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

"""Every supported format loads to the same toy space; gensim's bundled files load as gensim reads them."""

import gzip
import io

import numpy as np
import pandas as pd
import pytest
from gensim.models import KeyedVectors
from gensim.models.fasttext import load_facebook_vectors
from gensim.test.utils import datapath

from app.errors import InputError
from app.io.loaders import load_vectors
from app.resources import gensim_file
from tests.conftest import SAMPLE_DATA

TOY_WORDS = ("king", "queen", "man", "woman", "prince", "princess", "boy", "girl", "apple", "orange", "paris", "rome")


def toy_reference() -> np.ndarray:
    return load_vectors(SAMPLE_DATA / "toy.w2v.txt").vectors


@pytest.mark.parametrize(
    ("files", "expected_format"),
    [
        (("toy.w2v.txt",), "word2vec"),
        (("toy.glove.txt",), "glove"),
        (("toy.vec.gz",), "word2vec"),
        (("toy.w2v.bin",), "word2vec-binary"),
        (("toy_vectors.tsv", "toy_metadata.tsv"), "projector-tsv"),
        (("toy.npy", "toy_labels.txt"), "npy"),
        (("toy.csv",), "csv"),
        (("toy.parquet",), "parquet"),
    ],
)
def test_each_format_gives_the_toy_space(files, expected_format):
    path = SAMPLE_DATA / files[0]
    metadata = SAMPLE_DATA / files[1] if len(files) > 1 else None
    space = load_vectors(path, metadata=metadata)
    assert space.source["format"] == expected_format
    assert space.words == TOY_WORDS
    np.testing.assert_array_equal(space.vectors, toy_reference())
    assert space.source["warnings"] == []


def test_bytes_and_filename_work_like_a_path():
    data = (SAMPLE_DATA / "toy.glove.txt").read_bytes()
    space = load_vectors((data, "upload.txt"))
    assert space.words == TOY_WORDS and space.name == "upload.txt"
    assert space.source["file"] == "upload.txt"


def test_format_can_be_forced():
    data = (SAMPLE_DATA / "toy.glove.txt").read_bytes()
    assert load_vectors((data, "x"), fmt="glove").source["format"] == "glove"
    assert load_vectors((data, "x"), fmt="GloVe").source["format"] == "glove"


def test_limit_keeps_the_first_rows():
    space = load_vectors(SAMPLE_DATA / "toy.w2v.txt", limit=3)
    assert space.words == TOY_WORDS[:3]
    with_meta = load_vectors(SAMPLE_DATA / "toy_vectors.tsv", metadata=SAMPLE_DATA / "toy_metadata.tsv", limit=2)
    assert with_meta.words == TOY_WORDS[:2] and len(with_meta.metadata) == 2


def test_projector_metadata_with_several_columns_and_quotes():
    vectors = b"1\t2\n3\t4\n5\t6\n"
    metadata = b'name\tkind\n"quoted" word\tx\nit\'s\ty\n"\tz\n'
    space = load_vectors((vectors, "vectors.tsv"), metadata=(metadata, "metadata.tsv"))
    assert space.words == ('"quoted" word', "it's", '"')
    assert space.metadata["kind"].tolist() == ["x", "y", "z"]


def test_single_column_metadata_has_no_header_and_repeated_labels_are_numbered():
    vectors = b"1\t2\n3\t4\n5\t6\n"
    space = load_vectors((vectors, "vectors.tsv"), metadata=(b"cat\ndog\ncat\n", "labels.tsv"))
    assert space.words == ("cat", "dog", "cat (2)")
    assert space.metadata["label"].tolist() == ["cat", "dog", "cat"]
    assert any("numbered" in w for w in space.source["warnings"])


def test_unlabelled_rows_are_numbered_with_a_warning():
    space = load_vectors((b"1\t2\n3\t4\n", "vectors.tsv"))
    assert space.words == ("0", "1")
    assert any("no labels" in w for w in space.source["warnings"])


def test_glove_840b_words_with_spaces_take_the_last_d_fields():
    data = b"the 0.1 0.2\nat name@domain.com 0.3 0.4\n. . . 0.5 0.6\n"
    space = load_vectors((data, "glove.840B.txt"))
    assert space.words == ("the", "at name@domain.com", ". . .")
    np.testing.assert_array_equal(space.vectors[2], np.float32([0.5, 0.6]))


def test_crlf_trailing_spaces_and_blank_lines_are_fine():
    data = b"2 3\r\nking 1 2 3 \r\n\r\nqueen 4 5 6  \r\n"
    space = load_vectors((data, "windows.txt"))
    assert space.words == ("king", "queen")
    np.testing.assert_array_equal(space.vectors, np.float32([[1, 2, 3], [4, 5, 6]]))


def test_duplicates_keep_the_first_and_are_reported():
    data = b"a 1 1\nb 2 2\na 3 3\n"
    space = load_vectors((data, "dups.txt"))
    assert space.words == ("a", "b")
    np.testing.assert_array_equal(space.vectors[0], np.float32([1, 1]))
    assert "1 duplicate words dropped" in space.source["warnings"][0]


def test_words_that_look_like_missing_values_stay_words():
    data = b"null 1 2\nNA 3 4\nnan 5 6\n#comment 7 8\n"
    assert load_vectors((data, "w.txt")).words == ("null", "NA", "nan", "#comment")


def test_csv_without_header_and_tsv_table_with_labels():
    headerless = load_vectors((b"king,1,2\nqueen,3,4\n", "v.csv"))
    assert headerless.words == ("king", "queen") and headerless.dim == 2
    table = load_vectors((b"word\tx\ty\nking\t1\t2\nqueen\t3\t4\n", "v.tsv"))
    assert table.words == ("king", "queen") and table.source["format"] == "csv"


def test_parquet_with_a_list_column():
    frame = pd.DataFrame({"text": ["a", "b"], "embedding": [[1.0, 2.0], [3.0, 4.0]], "year": [2001, 2002]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    space = load_vectors((buffer.getvalue(), "emb.parquet"))
    assert space.words == ("a", "b") and space.dim == 2
    assert space.metadata["year"].tolist() == [2001, 2002]


def test_gzip_of_any_text_format():
    data = gzip.compress((SAMPLE_DATA / "toy_vectors.tsv").read_bytes())
    space = load_vectors((data, "vectors.tsv.gz"), metadata=SAMPLE_DATA / "toy_metadata.tsv")
    assert space.words == TOY_WORDS and space.source["options"]["gzip"] is True


@pytest.mark.parametrize(
    ("name", "gensim_reader"),
    [
        ("lee_fasttext.vec", lambda p: KeyedVectors.load_word2vec_format(p)),
        ("test_glove.txt", lambda p: KeyedVectors.load_word2vec_format(p, no_header=True)),
        ("euclidean_vectors.bin", lambda p: KeyedVectors.load_word2vec_format(p, binary=True)),
        ("high_precision.kv.txt", lambda p: KeyedVectors.load_word2vec_format(p)),
        ("high_precision.kv.bin", lambda p: KeyedVectors.load_word2vec_format(p, binary=True)),
    ],
)
def test_same_words_and_values_as_gensim(name, gensim_reader):
    path = datapath(name)
    ours, theirs = load_vectors(path), gensim_reader(path)
    assert list(ours.words) == list(theirs.index_to_key)
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)


@pytest.mark.parametrize("path", [datapath("lee_fasttext_new.bin"), str(SAMPLE_DATA / "tiny_fasttext.bin")])
def test_fasttext_bin_keeps_subword_vectors_for_unseen_words(path):
    space = load_vectors(path)
    reference = load_facebook_vectors(path)
    assert space.source["format"] == "fasttext-bin"
    assert list(space.words) == list(reference.index_to_key)
    unseen = "queenliness"
    assert unseen not in space
    np.testing.assert_allclose(space.vector(unseen), reference.get_vector(unseen), rtol=1e-6)
    assert np.abs(space.vector(unseen)).sum() > 0


def test_a_fasttext_bin_saved_before_2017_loads_as_gensim_reads_it():
    path = gensim_file("non_ascii_fasttext.bin")  # no magic number: fastText's layout before 2017
    space = load_vectors(path)
    reference = load_facebook_vectors(str(path))
    assert space.source["format"] == "fasttext-bin"
    assert list(space.words) == list(reference.index_to_key)
    np.testing.assert_array_equal(space.vectors, reference.vectors)
    unseen = "kterýkoli"
    assert unseen not in space
    np.testing.assert_allclose(space.vector(unseen), reference.get_vector(unseen), rtol=1e-6)


def test_a_truncated_fasttext_bin_from_before_2017_is_refused_with_a_message():
    data = gensim_file("non_ascii_fasttext.bin").read_bytes()
    with pytest.raises(InputError, match=r"old\.bin: not a readable fastText \.bin model .*truncated"):
        load_vectors((data[:-100], "old.bin"))


@pytest.mark.parametrize("fmt", [None, "glove"])
def test_lone_cr_line_ends_are_read_as_line_ends_and_said(fmt):
    text = (SAMPLE_DATA / "toy.glove.txt").read_bytes()
    space = load_vectors((text.replace(b"\n", b"\r"), "mac.txt"), fmt=fmt)
    assert list(space.words) == list(TOY_WORDS)
    np.testing.assert_array_equal(space.vectors, toy_reference())
    assert any("lone CR" in warning for warning in space.source["warnings"])


def test_crlf_and_binary_files_with_cr_bytes_are_left_alone():
    text = (SAMPLE_DATA / "toy.glove.txt").read_bytes()
    assert not load_vectors((text.replace(b"\n", b"\r\n"), "dos.txt")).source["warnings"]
    assert not load_vectors(SAMPLE_DATA / "toy.w2v.bin").source["warnings"]


def test_a_csv_column_mostly_text_is_metadata_and_the_warning_says_so():
    data = b"word,a,b,c\nx,1,hello,3\ny,4,5,6\nz,7,good,9\n"
    space = load_vectors((data, "mixed.csv"))
    assert space.vectors.shape == (3, 2)
    assert list(space.metadata["b"]) == ["hello", "5", "good"]
    (warning,) = space.source["warnings"]
    assert warning.startswith("column 'b' mixes text and numbers (1 of 3 cells are numbers, the first on line 3)")
    assert "kept as metadata" in warning

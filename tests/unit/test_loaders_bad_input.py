"""Every bad input raises InputError with a message that names the file, line or word."""

import contextlib
import gzip
import io
import pickle
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.io.formats import Limits
from app.io.loaders import load_vectors
from tests.conftest import SAMPLE_DATA


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npz_bytes() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, a=np.ones((2, 2)))
    return buffer.getvalue()


BAD_INPUTS = [
    ("empty", b"", "empty.txt", "empty"),
    ("blank lines only", b"\n \n\n", "blank.txt", "empty"),
    ("pickle content", pickle.dumps({"king": [1.0]}), "vectors.txt", "pickle"),
    ("gensim .model name", b"king 1 2\n", "word2vec.model", "pickle"),
    ("gensim .kv name", b"king 1 2\n", "vectors.kv", "pickle"),
    ("npz archive", npz_bytes(), "vectors.npz", "pickle"),
    ("zip archive", b"PK\x03\x04" + b"\x00" * 40, "vectors.zip", "zip"),
    ("object npy", npy_bytes(np.array([["a", 1]], dtype=object)), "v.npy", "unpickled"),
    ("1-d npy", npy_bytes(np.ones(5, dtype=np.float32)), "v.npy", "2-D"),
    ("string npy", npy_bytes(np.array([["a", "b"]])), "v.npy", "expected numbers"),
    ("nan in npy", npy_bytes(np.array([[1.0, np.nan]])), "v.npy", "row 1"),
    ("truncated npy", npy_bytes(np.ones((100, 4), dtype=np.float32))[:200], "v.npy", "truncated"),
    ("ragged row", b"king 1 2 3\nqueen 4 5\n", "v.txt", "line 2"),
    ("non-numeric field", b"king 1 2\nqueen 4 x\n", "v.txt", "line 2: 'x' in the vector of 'queen'"),
    ("NaN value", b"king 1 2\nqueen nan 5\n", "v.txt", "line 2: the vector of 'queen' contains NaN"),
    ("inf value", b"2 2\nking 1 2\nqueen inf 5\n", "v.txt", "line 3"),
    ("non-UTF-8 word", b"king 1 2\nqu\xe9en 4 5\n", "v.txt", "line 2: bytes that are not UTF-8"),
    ("word but no numbers", b"king\nqueen\n", "v.txt", "line 1: expected a word followed by numbers"),
    ("header with zero dimension", b"2 0\nking\nqueen\n", "v.txt", "zero dimensions"),
    ("header claims too much", b"1000000 300\nking 1 2\n", "v.txt", "header claims 1,000,000 words"),
    ("header dimension mismatch", b"2 3\nking 1 2\nqueen 3 4\n", "v.txt", "line 2"),
    ("bad header", b"two 3\nking 1 2 3\n", "v.vec", "line 2: expected a word followed by 1 numbers"),
    ("binary garbage", bytes(range(256)) * 4, "v.dat", "no format we know"),
    ("unknown .bin", b"\x00\x01\x02" * 100, "model.bin", "fastText"),
    ("truncated word2vec .bin", (SAMPLE_DATA / "toy.w2v.bin").read_bytes()[:100], "v.bin", "truncated"),
    (
        "fastText .bin claiming too much",
        struct.pack("<iii", 793712314, 12, 100) + b"\x00" * 28 + struct.pack("<i", 10**6) + b"\x00" * 100,
        "m.bin",
        "truncated",
    ),
    ("broken gzip", b"\x1f\x8b\x08\x00garbage", "v.txt.gz", "broken gzip"),
    ("projector ragged", b"1\t2\n3\n", "vectors.tsv", "line 2"),
    ("projector text", b"1\t2\n3\tx\n", "vectors.tsv", "line 2"),
    ("csv without numbers", b"a,b\nc,d\n", "v.csv", "no numeric columns"),
    ("csv with a hole", b"word,x,y\nking,1,2\nqueen,,3\n", "v.csv", "line 3"),
    ("parquet garbage", b"PAR1" + b"\x00" * 50, "v.parquet", "not a readable Parquet"),
]


@pytest.mark.parametrize(("label", "data", "filename", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_a_clear_input_error(label, data, filename, message):
    with pytest.raises(InputError) as caught:
        load_vectors((data, filename))
    text = str(caught.value)
    assert filename.removesuffix(".gz") in text or filename in text
    if message:
        assert message in text, text


def test_pickles_are_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    with pytest.raises(InputError, match="save_word2vec_format"):
        load_vectors((pickle.dumps(Boom()), "innocent.txt"))
    assert not (tmp_path / "pwned").exists()


def test_caps_on_words_dimensions_and_lines():
    small = Limits(max_words=2, max_dim=3, max_line_chars=30)
    with pytest.raises(InputError, match="limit of 2"):
        load_vectors((b"a 1\nb 2\nc 3\n", "v.txt"), limits=small)
    with pytest.raises(InputError, match="4 dimensions; the limit is 3"):
        load_vectors((b"a 1 2 3 4\n", "v.txt"), limits=small)
    with pytest.raises(InputError, match="line 2: 41 characters"):
        load_vectors((b"a 1\n" + b"b" + b" 1" * 20 + b"\n", "v.txt"), limits=Limits(max_line_chars=30))
    assert len(load_vectors((b"a 1\nb 2\nc 3\n", "v.txt"), limits=small, limit=2)) == 2


def test_gzip_bomb_stops_at_the_byte_cap():
    bomb = gzip.compress(b"0" * 5_000_000)
    with pytest.raises(InputError, match="gzip bombs"):
        load_vectors((bomb, "bomb.txt.gz"), limits=Limits(max_bytes=1_000_000))


def test_file_over_the_byte_cap_and_missing_file(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a 1\n" * 100)
    with pytest.raises(InputError, match="more than the limit"):
        load_vectors(path, limits=Limits(max_bytes=50))
    with pytest.raises(InputError, match="no such file"):
        load_vectors(tmp_path / "absent.txt")


def test_metadata_must_match_the_vectors():
    with pytest.raises(InputError, match="2 metadata rows for 3 vectors"):
        load_vectors((b"1\t2\n3\t4\n5\t6\n", "vectors.tsv"), metadata=(b"a\nb\n", "metadata.tsv"))
    with pytest.raises(InputError, match="line 3: expected 2 tab-separated fields"):
        load_vectors((b"1\t2\n3\t4\n", "vectors.tsv"), metadata=(b"w\tk\na\tx\nb\n", "metadata.tsv"))


@pytest.mark.parametrize(("kwargs", "message"), [({"fmt": "pdf"}, "unknown format"), ({"limit": 0}, "positive")])
def test_bad_options(kwargs, message):
    with pytest.raises(InputError, match=message):
        load_vectors((b"a 1\n", "v.txt"), **kwargs)


def test_wrong_forced_format_is_still_an_input_error():
    with pytest.raises(InputError):
        load_vectors((b"king 1 2\n", "v.txt"), fmt="npy")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["v.txt", "v.bin", "v.tsv", "v.npy", "v.csv", "v.gz"]))
def test_any_bytes_give_a_space_or_an_input_error(data, name):
    try:
        space = load_vectors((data, name), limits=Limits(max_words=10_000, max_dim=512))
    except InputError:
        return
    assert len(space) >= 1 and space.vectors.shape[0] == len(space.words)
    assert np.isfinite(space.vectors).all()


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.text(min_size=0, max_size=6), st.lists(st.floats(width=32), min_size=0, max_size=4)), max_size=6
    )
)
def test_text_shaped_garbage_gives_a_space_or_an_input_error(lines):
    text = "\n".join(w + " " + " ".join(repr(v) for v in vs) for w, vs in lines)
    with contextlib.suppress(InputError):
        load_vectors((text.encode("utf-8", "surrogatepass"), "v.txt"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"word,a,b,c\nx,1,2,3\ny,4,hello,6\nz,7,8,9\n",
            r"^t\.csv, line 3: column 'b' holds numbers except 'hello'",
        ),
        (b"x\t1\t2\ny\tone\t5\nz\t7\t8\nw\t1\t1\n", r"^t\.csv, line 2: column 'column_1' holds numbers except 'one'"),
    ],
)
def test_a_word_among_the_numbers_of_a_csv_column_is_refused_naming_line_column_and_cell(data, message):
    with pytest.raises(InputError, match=message):
        load_vectors((data, "t.csv"))

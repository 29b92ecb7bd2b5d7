"""Hostile bytes into every loader: an EmbeddingSpace or an InputError out, within a time and memory bound.

For every format in the registry (``app.io.loaders.PARSERS``), with the format given and with it detected
from the content: (a) arbitrary bytes, some behind a format's magic prefix so they reach the parser;
(b) mutations of the format's valid toy file from sample_data/ (bytes flipped, inserted, deleted,
truncated, lines duplicated, huge or non-finite numbers, unicode junk, wrong column counts,
inflated size headers). Any exception other than InputError fails, and so does an example slower
than ``SECONDS`` or one allocating more than ``MEGABYTES`` (Python and numpy allocations through
tracemalloc, everything else through the process's peak resident memory).
"""

from __future__ import annotations

import gc
import gzip
import io
import re
import resource
import struct
import time
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.io.formats import DEFAULT_LIMITS, Limits
from app.io.formats.binary import FASTTEXT_MAGIC
from app.io.loaders import PARSERS, load_vectors
from app.space import EmbeddingSpace
from tests.conftest import SAMPLE_DATA

SECONDS = 5.0  # per example; generous, for a shared and noisy machine
MEGABYTES = 200  # per example, for inputs under 64 KB
MAX_INPUT = 64 * 1024

# One valid toy file per format; a format added to the registry without one fails test_every_format_has_a_sample.
SAMPLES = {
    "word2vec": "toy.w2v.txt",
    "glove": "toy.glove.txt",
    "word2vec-binary": "toy.w2v.bin",
    "fasttext-bin": "tiny_fasttext.bin",
    "projector-tsv": "toy_vectors.tsv",
    "npy": "toy.npy",
    "csv": "toy.csv",
    "parquet": "toy.parquet",
    "projector-folder": "digits_projector.zip",
}
TEXT_FORMATS = {"word2vec", "glove", "projector-tsv", "csv"}
MAGIC = [
    b"",
    b"\x93NUMPY\x01\x00",
    b"\x93NUMPY\x02\x00",
    b"PAR1",
    struct.pack("<i", FASTTEXT_MAGIC),
    b"3 4\n",
    b"\x1f\x8b",
]
NAMES = ["upload", "vectors.txt", "vectors.tsv", "v.csv", "model.bin", "v.npy", "v.parquet", "v.vec.gz"]
NASTY_NUMBERS = [
    b"nan", b"NaN", b"-inf", b"Infinity", b"1e309", b"-1e400", b"3.5e38", b"1e-400", b"9" * 40, b"1_000",
    b"0x1p3", b"", b"-", b".", b"1e", b"--1", b"+-0", "\u0661".encode(), b"1,5", b"\xff",
]  # fmt: skip
UNICODE_JUNK = [
    "\u2028", "\x85", "\ufeff", "\u00a0", "\u200b", "e\u0301", "\x00", "\r", "\t", "\x0b\x0c", "王", "😀", " ", ",",
    '"', "'", "\\", "#", "\n\n", "\r\n",
]  # fmt: skip
HUGE_HEADERS = [b"1000000000 1000000000", b"2000000 4096", b"12 4096", b"4096 12", b"0 4", b"12 0", b"-1 4", b"1 1"]
HUGE_SHAPES = [b"(1000000000, 1000000000)", b"(2000000, 4096)", b"(12, 4096)", b"(0, 4)", b"(12,)", b"(12, 4, 1)"]
HUGE_INTS = [2**31 - 1, -1, -(2**31), 2**20, 4096, 2_000_000, 0]


@pytest.fixture(scope="module", autouse=True)
def _traced():
    """Load every sample once unmeasured (lazy imports of gensim, pyarrow.parquet are not timed), then
    trace allocations for the whole module. Starting and stopping tracemalloc around each example
    segfaulted here (CPython 3.11: a native thread releasing memory while tracing stops), so it
    runs once, and each example reads the peak since ``reset_peak``."""
    for fmt in SAMPLES:
        load_vectors(sample(fmt), fmt=fmt)
    tracemalloc.start()
    yield
    gc.collect()
    tracemalloc.stop()


def sample(fmt: str) -> tuple[bytes, str]:
    name = SAMPLES[fmt]
    return (SAMPLE_DATA / name).read_bytes(), name


# --- the bound every example is held to -------------------------------------------------------
def load_within_bounds(data: bytes, filename: str, fmt: str | None, **kwargs) -> EmbeddingSpace | InputError:
    """load_vectors, timed and measured; any exception but InputError propagates and fails the test."""
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.reset_peak()
    traced_before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    try:
        outcome: EmbeddingSpace | InputError = load_vectors((data, filename), fmt=fmt, **kwargs)
    except InputError as exc:
        outcome = exc
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] - traced_before
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_rss) * 1024
    where = f"{filename!r} ({len(data):,} bytes, fmt={fmt!r})"
    assert seconds < SECONDS, f"{where} took {seconds:.1f} s"
    assert traced_peak < MEGABYTES * 1e6, f"{where} allocated {traced_peak / 1e6:,.0f} MB"
    assert rss_growth < MEGABYTES * 1e6, f"{where} grew the process by {rss_growth / 1e6:,.0f} MB"
    if isinstance(outcome, EmbeddingSpace):
        assert_sound(outcome)
    else:
        assert str(outcome), "an InputError must say what is wrong"
    return outcome


def assert_sound(space: EmbeddingSpace) -> None:
    """What every page may assume of a loaded space."""
    vectors = space.vectors
    assert vectors.dtype == np.float32 and vectors.ndim == 2
    assert 1 <= vectors.shape[0] == len(space.words) <= DEFAULT_LIMITS.max_words
    assert 1 <= vectors.shape[1] <= DEFAULT_LIMITS.max_dim
    assert np.isfinite(vectors).all()
    assert all(isinstance(w, str) for w in space.words)
    assert len(set(space.words)) == len(space.words)


# --- mutations of a valid file ----------------------------------------------------------------
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SHAPE = re.compile(rb"\(\d+, *\d*\)")


def _at(data: bytes, position: int) -> int:
    return position % (len(data) + 1)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def mutate(data: bytes, operations: list[tuple]) -> bytes:
    """Apply each (name, *arguments) in turn; positions wrap around the current length."""
    for name, *args in operations:
        if name == "flip" and data:
            i = args[0] % len(data)
            data = data[:i] + bytes([data[i] ^ args[1]]) + data[i + 1 :]
        elif name == "insert":
            i = _at(data, args[0])
            data = data[:i] + args[1] + data[i:]
        elif name == "delete":
            i = _at(data, args[0])
            data = data[:i] + data[i + args[1] :]
        elif name == "truncate":
            data = data[: _at(data, args[0])]
        elif name == "duplicate_line":
            lines = _lines(data)
            i = args[0] % len(lines)
            data = b"\n".join(lines[: i + 1] + [lines[i]] * args[1] + lines[i + 1 :])
        elif name == "number":
            found = list(_NUMBER.finditer(data))
            if found:
                match = found[args[0] % len(found)]
                data = data[: match.start()] + args[1] + data[match.end() :]
        elif name == "columns":
            lines = _lines(data)
            i = args[0] % len(lines)
            sep = b"\t" if b"\t" in lines[i] else b"," if b"," in lines[i] else b" "
            fields = lines[i].split(sep)
            lines[i] = sep.join(fields + [b"0.5"] * args[1] if args[1] > 0 else fields[: args[1]] or [b""])
            data = b"\n".join(lines)
        elif name == "header":
            end = data.find(b"\n")
            data = args[0] + (data[end:] if end >= 0 else b"")
        elif name == "shape":
            data = _SHAPE.sub(args[0], data, count=1)
        elif name == "int32" and len(data) >= 4:
            i = args[0] % (len(data) - 3)
            data = data[:i] + struct.pack("<i", args[1]) + data[i + 4 :]
        elif name == "int64" and len(data) >= 8:
            i = args[0] % (len(data) - 7)
            data = data[:i] + struct.pack("<q", args[1]) + data[i + 8 :]
    return data


positions = st.integers(0, 1 << 17)
OPERATIONS = st.one_of(
    st.tuples(st.just("flip"), positions, st.integers(1, 255)),
    st.tuples(st.just("insert"), positions, st.binary(min_size=1, max_size=24)),
    st.tuples(
        st.just("insert"),
        positions,
        st.lists(st.sampled_from(UNICODE_JUNK), min_size=1, max_size=4).map(lambda j: "".join(j).encode()),
    ),
    st.tuples(st.just("insert"), positions, st.text(max_size=8).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(st.just("delete"), positions, st.integers(1, 64)),
    st.tuples(st.just("truncate"), positions),
    st.tuples(st.just("duplicate_line"), positions, st.integers(1, 3)),
    st.tuples(st.just("number"), positions, st.sampled_from(NASTY_NUMBERS)),
    st.tuples(st.just("columns"), positions, st.sampled_from([-2, -1, 1, 3])),
    st.tuples(st.just("header"), st.sampled_from(HUGE_HEADERS)),
    st.tuples(st.just("shape"), st.sampled_from(HUGE_SHAPES)),
    st.tuples(st.just("int32"), st.integers(0, 200), st.sampled_from(HUGE_INTS)),
    st.tuples(st.just("int64"), st.integers(0, 200), st.sampled_from([2**40, 2**62, -1, 2**31])),
)
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_every_format_has_a_sample():
    assert set(SAMPLES) == set(PARSERS)
    for fmt in PARSERS:
        data, name = sample(fmt)
        assert len(data) < 2 * MAX_INPUT
        for given_format in (fmt, None):
            assert isinstance(load_within_bounds(data, name, given_format), EmbeddingSpace), (fmt, given_format)


@pytest.mark.parametrize("fmt", list(PARSERS))
@settings(FUZZ, max_examples=60)
@given(
    data=st.tuples(st.sampled_from(MAGIC), st.binary(max_size=4096)).map(b"".join),
    name=st.sampled_from(NAMES),
    detect=st.booleans(),
)
def test_arbitrary_bytes(fmt, data, name, detect):
    load_within_bounds(data, name, None if detect else fmt)


@pytest.mark.parametrize("fmt", list(PARSERS))
@settings(FUZZ, max_examples=100)
@given(
    operations=st.lists(OPERATIONS, min_size=1, max_size=4),
    given_format=st.one_of(st.none(), st.just("own"), st.sampled_from(list(PARSERS))),
    compress=st.booleans(),
)
def test_mutated_sample_files(fmt, operations, given_format, compress):
    data, name = sample(fmt)
    data = mutate(data, operations)[:MAX_INPUT]
    if compress and fmt in TEXT_FORMATS:
        data, name = gzip.compress(data, mtime=0), name + ".gz"
    load_within_bounds(data, name, fmt if given_format == "own" else given_format)


@settings(FUZZ, max_examples=100)
@given(metadata=st.one_of(st.binary(max_size=2048), st.text(max_size=400).map(lambda t: t.encode("utf-8", "replace"))))
def test_fuzzed_metadata_files(metadata):
    vectors, name = sample("projector-tsv")
    load_within_bounds(vectors, name, None, metadata=(metadata, "metadata.tsv"))


# --- tiny files claiming enormous sizes must be refused before anything is allocated -----------
def _npy_claiming(shape: str, dtype: str = "<f8") -> bytes:
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\x00" * 64


def _fasttext_claiming(n_words: int, dim: int, bucket: int) -> bytes:
    data = bytearray((SAMPLE_DATA / "tiny_fasttext.bin").read_bytes()[:4096])
    struct.pack_into("<i", data, 8, dim)
    struct.pack_into("<i", data, 40, bucket)
    struct.pack_into("<ii", data, 64, n_words, n_words)
    return bytes(data)


CLAIMS = [
    ("word2vec 10^9 x 10^9", b"1000000000 1000000000\nking 1 2\n", "v.vec"),
    ("word2vec at the caps", b"2000000 4096\nking 1 2\n", "v.vec"),
    ("word2vec .bin at the caps", b"2000000 4096\nking \x00\x00\x80\x3f\n", "v.bin"),
    ("npy 10^9 x 10^9", _npy_claiming("(1000000000, 1000000000)"), "v.npy"),
    ("npy at the caps", _npy_claiming("(2000000, 4096)"), "v.npy"),
    ("npy just under 200 MB", _npy_claiming("(6000, 4096)"), "v.npy"),
    ("fastText 10^9 words", _fasttext_claiming(10**9, 100, 0), "m.bin"),
    ("fastText at the caps", _fasttext_claiming(2_000_000, 4096, 0), "m.bin"),
    ("glove one line of 4096 numbers", b"king" + b" 1" * 4096 + b"\n", "v.txt"),
]


@pytest.mark.parametrize(("label", "data", "name"), CLAIMS, ids=[c[0] for c in CLAIMS])
def test_tiny_files_claiming_huge_sizes(label, data, name):
    assert len(data) < MAX_INPUT, f"{label}: {len(data):,} bytes"
    for fmt in (None, *PARSERS):
        load_within_bounds(data, name, fmt)


def test_a_parquet_bomb_is_refused_before_decoding():
    """Parquet compresses: 20 KB of zeros decode to 32 MB. Like a gzip bomb, the decoded size is capped."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, columns = 200_000, 20
    buffer = io.BytesIO()
    pq.write_table(pa.table({f"d{i}": np.zeros(rows) for i in range(columns)}), buffer, compression="zstd")
    data = buffer.getvalue()
    assert len(data) < MAX_INPUT
    with pytest.raises(InputError, match="200,000 rows"):
        load_vectors((data, "bomb.parquet"), limits=Limits(max_bytes=8_000_000))
    start = time.perf_counter()
    assert load_vectors((data, "fine.parquet"), limits=Limits(max_bytes=64_000_000)).vectors.shape == (rows, columns)
    assert time.perf_counter() - start < SECONDS


# --- well-formed containers holding odd contents: Parquet schemas and .npy dtypes ------------------
def _arrow_column(draw, rows: int):
    import pyarrow as pa

    floats = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.none()
    kinds = {
        "float": lambda: pa.array(draw(st.lists(floats, min_size=rows, max_size=rows)), pa.float64()),
        "float32": lambda: pa.array(draw(st.lists(floats, min_size=rows, max_size=rows)), pa.float32()),
        "int": lambda: pa.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=rows, max_size=rows))),
        "bool": lambda: pa.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows))),
        "text": lambda: pa.array(draw(st.lists(st.text(max_size=5) | st.none(), min_size=rows, max_size=rows))),
        "binary": lambda: pa.array(draw(st.lists(st.binary(max_size=5), min_size=rows, max_size=rows))),
        "null": lambda: pa.nulls(rows),
        "list": lambda: pa.array(
            draw(st.lists(st.lists(floats, max_size=3) | st.none(), min_size=rows, max_size=rows)),
            pa.list_(pa.float64()),
        ),
        "list of text": lambda: pa.array(
            draw(st.lists(st.lists(st.text(max_size=3), max_size=2), min_size=rows, max_size=rows))
        ),
        "record": lambda: pa.array([{"x": draw(floats)} for _ in range(rows)]),
        "dictionary": lambda: pa.array(
            draw(st.lists(st.sampled_from("ab"), min_size=rows, max_size=rows))
        ).dictionary_encode(),
        "timestamp": lambda: pa.array(np.arange(rows).astype("datetime64[s]")),
    }
    return kinds[draw(st.sampled_from(list(kinds)))]()


@st.composite
def parquet_files(draw) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = draw(st.integers(0, 6))
    names = draw(st.lists(st.sampled_from(["word", "d0", "d1", "v", "label", ""]), min_size=1, max_size=5))
    table = pa.Table.from_arrays([_arrow_column(draw, rows) for _ in names], names=names)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@settings(FUZZ, max_examples=80)
@given(data=parquet_files(), detect=st.booleans())
def test_random_parquet_tables(data, detect):
    load_within_bounds(data, "table.parquet", None if detect else "parquet")


NPY_DTYPES = ["<f2", "<f4", ">f4", "<f8", "|i1", "<i8", "<u8", "|b1", "<c8", "<U3", "|S3", "|V4", "<M8[s]"]


@settings(FUZZ, max_examples=60)
@given(
    dtype=st.sampled_from(NPY_DTYPES),
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),
    fill=st.sampled_from([0, 1, -1, np.nan, np.inf, 1e300]),
    fortran=st.booleans(),
)
def test_random_npy_arrays(dtype, shape, fill, fortran):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        array = np.full(shape, fill).astype(dtype, order="F" if fortran else "C")
    buffer = io.BytesIO()
    np.save(buffer, array)
    load_within_bounds(buffer.getvalue(), "array.npy", None)


# --- what fuzzing found, kept as fixed examples -----------------------------------------------------
def _toy_parquet(**columns) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _regressions() -> list[tuple[str, bytes, str]]:
    import pyarrow as pa

    npy, parquet, fasttext = (sample(f)[0] for f in ("npy", "parquet", "fasttext-bin"))
    return [
        ("gzip magic alone reserved 2 GB", b"\x1f\x8b", "upload"),
        ("npy header cut by a flipped byte: TokenError", mutate(npy, [("flip", 66, 1)]), "toy.npy"),
        (
            "parquet text that is not UTF-8: ArrowException later",
            mutate(parquet, [("int32", 199, -(2**31))]),
            "p.parquet",
        ),
        ("parquet pandas metadata broken: KeyError", mutate(parquet, [("flip", 1923, 1)]), "p.parquet"),
        ("parquet histogram that aborts pyarrow's column metadata", mutate(parquet, [("flip", 815, 64)]), "p.parquet"),
        (
            "fastText word without an end: gensim looped forever",
            fasttext[:92] + fasttext[92:].replace(b"\0", b"\1"),
            "m.bin",
        ),
        ("fastText cut inside the vocabulary", fasttext[:200], "m.bin"),
        ("fastText cut inside the matrix", fasttext[:-100], "m.bin"),
        ("fastText with n-grams of -1 letters", fasttext[:44] + b"\xff" * 4 + fasttext[48:], "m.bin"),
        (
            "parquet label column of raw bytes: UnicodeDecodeError",
            _toy_parquet(w=pa.array([b"\x80"], pa.binary()), d=[1.0]),
            "p.parquet",
        ),
        (
            "parquet list of text beside numbers: unhashable metadata",
            _toy_parquet(w=["a"], t=[["x"]], d=[1.0]),
            "p.parquet",
        ),
        ("parquet row without a vector", _toy_parquet(w=["a", "b"], v=[[1.0, 2.0], None]), "p.parquet"),
    ]


@pytest.mark.parametrize(("label", "data", "name"), _regressions(), ids=[r[0] for r in _regressions()])
def test_what_fuzzing_found(label, data, name):
    for fmt in (None, *PARSERS):
        load_within_bounds(data, name, fmt)

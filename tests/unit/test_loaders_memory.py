"""A file too big for the session is refused from its header or first lines, before it is parsed,
and a gzip file before it is decompressed (issue 16: a 1.2 MB gzip cost 54 s and ~5 GB)."""

from __future__ import annotations

import re
import tracemalloc
import zlib

import numpy as np
import pytest

import app.io.loaders as loaders
from app.errors import InputError
from app.io.estimate import BudgetWatch, Shape, estimate_shape
from app.io.formats import Limits

MiB = 2**20
ZERO_ROW = b" ".join([b"0"] * 4096) + b"\n"  # 8 KB of text that parses into 16 KB of float32
BUDGET = Limits(max_vectors_bytes=100 * MiB, vectors_cap="this session's budget")


def zeros_gzip(lines: int, *, members: int = 1) -> bytes:
    """``lines`` rows of a word and 4,096 zeros, gzipped (as ``members`` concatenated gzip members)."""
    block = b"".join(b"w%d " % i + ZERO_ROW for i in range(1000))
    out = []
    for _ in range(members):
        packer = zlib.compressobj(1, zlib.DEFLATED, 31)
        out += [packer.compress(block) for _ in range(lines // 1000 // members)]
        out.append(packer.flush())
    return b"".join(out)


def test_a_gzip_bomb_is_refused_from_its_first_lines_with_memory_bounded():
    data = zeros_gzip(20_000)  # 760 KB of gzip, 164 MB of text, 328 MB of vectors
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            loaders.load_vectors((data, "bomb.txt.gz"), limits=BUDGET)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert re.fullmatch(  # the estimate: the trailer's length over the first lines' average length
        r"bomb\.txt: about 20,0\d\d rows of 4,096 numbers would take 313 MB of memory; this session's budget "
        r"leaves room for 100 MB\. Keep only the first 6,400 rows \(the row limit\), or upload a smaller file\.",
        str(info.value),
    )
    assert peak < 8 * MiB  # one decompressed chunk and the head, not the 164 MB of text


def test_a_gzip_whose_trailer_lies_stops_once_the_lines_read_are_over_the_cap(monkeypatch):
    data = zeros_gzip(20_000, members=20)  # the last member's trailer says 8 MB: the estimate is fooled
    watches: list[BudgetWatch] = []

    class Recorded(BudgetWatch):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            watches.append(self)

    monkeypatch.setattr(loaders, "BudgetWatch", Recorded)
    with pytest.raises(InputError, match=r"^bomb\.txt: at least 6,\d{3} rows of 4,096 numbers would take 10\d MB"):
        loaders.load_vectors((data, "bomb.txt.gz"), limits=BUDGET)
    (watch,) = watches
    text_bytes = 20_000 * (len(ZERO_ROW) + 7)
    assert watch.seen < 0.35 * text_bytes  # stopped about a third of the way in (100 of 313 MB of vectors)


def test_a_row_limit_that_fits_loads_the_same_file():
    data = zeros_gzip(2_000)
    space = loaders.load_vectors((data, "zeros.txt.gz"), limits=Limits(max_vectors_bytes=20 * MiB), limit=1_000)
    assert space.vectors.shape == (1_000, 4096)


def test_a_plain_file_is_checked_before_parsing(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed a file that could not fit")

    monkeypatch.setitem(loaders.PARSERS, "glove", never)
    text = b"".join(b"w%d " % i + ZERO_ROW for i in range(1_000))  # 16 MB of vectors
    with pytest.raises(InputError, match=r"^big\.txt: about 1,00\d rows of 4,096 numbers would take 16 MB"):
        loaders.load_vectors((text, "big.txt"), limits=Limits(max_vectors_bytes=10 * MiB))


def test_without_a_vectors_cap_nothing_changes():
    space = loaders.load_vectors((zeros_gzip(1_000), "zeros.txt.gz"))
    assert space.vectors.shape == (1_000, 4096)
    assert not np.any(space.vectors)


@pytest.mark.parametrize(
    ("head", "fmt", "expected"),
    [
        (b"400000 300\nthe 0.1 0.2\n", "word2vec", Shape(400_000, 300)),
        (b"a 1 2 3\nb 4 5 6\n", "glove", Shape(100, 3)),  # 16 bytes in 2 lines, 800 bytes in all
        (b"1\t2\n3\t4\n", "projector-tsv", Shape(200, 2)),
        (b"word,a,b\nx,1,2\n", "csv", Shape(107, 3)),  # the header counts as a line: a slight overestimate
        (b"\x00\x01", "parquet", None),
    ],
)
def test_shapes_are_estimated_from_the_header_or_the_first_lines(head, fmt, expected):
    assert estimate_shape(head, fmt, total_bytes=800) == expected
    if expected is not None:
        assert estimate_shape(head, fmt, total_bytes=800, limit=10) == Shape(10, expected.dim)

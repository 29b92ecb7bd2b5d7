"""Binary vector formats: word2vec .bin (the C tool's layout) and fastText's native .bin."""

from __future__ import annotations

import os
import struct
import tempfile
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.io.formats import Limits, Parsed
from app.io.formats.checks import check_shape

FASTTEXT_MAGIC = 793712314
FASTTEXT_PREAMBLE = 92  # magic, version, 12 arguments, t; vocabulary size, words, labels, tokens, prune size
MAX_NGRAM = 100


def parse_word2vec_binary(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """A "<count> <dimension>" text header, then per word: the word, a space, d float32s."""
    header_end = data.find(b"\n", 0, 100)
    fields = data[: max(header_end, 0)].split()
    if header_end < 0 or len(fields) != 2 or not all(f.isdigit() for f in fields):
        raise InputError(f"{filename}: expected a word2vec binary header '<word count> <dimension>' on line 1")
    n_claimed, dim = int(fields[0]), int(fields[1])
    n_expected = n_claimed if limit is None else min(n_claimed, limit)
    check_shape(filename, n_expected, dim, limits)
    record = 4 * dim + 2  # at least a one-byte word and its space
    if n_claimed * record > len(data) - header_end:
        raise InputError(
            f"{filename}: the header claims {n_claimed:,} words of {dim} numbers, "
            f"but the file holds only {len(data):,} bytes; is it truncated?"
        )
    vectors = np.empty((n_expected, dim), dtype=np.float32)
    words: list[str] = []
    pos = header_end + 1
    for row in range(n_expected):
        while data[pos : pos + 1] == b"\n":
            pos += 1
        space = data.find(b" ", pos, pos + limits.max_line_chars)
        if space < 0 or space + 1 + 4 * dim > len(data):
            raise InputError(f"{filename}: word {row + 1:,} of {n_claimed:,} is cut off; the file is truncated")
        try:
            word = data[pos:space].decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{filename}: word {row + 1:,} is not UTF-8 text ({data[pos:space][:40]!r})") from None
        vectors[row] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        words.append(word)
        pos = space + 1 + 4 * dim
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise InputError(f"{filename}: the vector of {words[row]!r} (word {row + 1:,}) contains NaN or infinity")
    return Parsed(words=words, vectors=vectors)


def parse_fasttext_binary(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """fastText's own .bin model: word vectors plus the n-gram table for unseen words."""
    _check_fasttext_header(data, filename, limits)
    from gensim.models.fasttext import load_facebook_vectors

    handle, path = tempfile.mkstemp(suffix=".bin")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        model = load_facebook_vectors(path)
    except Exception as exc:  # gensim's own reader: any failure means a broken file
        raise InputError(f"{filename}: not a readable fastText .bin model ({exc})") from None
    finally:
        os.unlink(path)
    words = list(model.index_to_key)
    vectors = np.asarray(model.vectors, dtype=np.float32)
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
    return Parsed(words=words, vectors=vectors, subwords=model)


@dataclass(frozen=True)
class FastTextLayout:
    """Where the parts of a fastText .bin sit: models saved since 2017 start with a magic number and
    a version, keep a pruning index and flag each matrix as quantised or not; older ones have none of these."""

    args_at: int  # dim, ws, epoch, min count, neg, word n-grams, loss, model, bucket, minn, maxn, lr update (int32), t
    prune: bool
    matrix_flag: bool

    @property
    def vocab_at(self) -> int:
        return self.args_at + 12 * 4 + 8

    @property
    def entries_at(self) -> int:
        return self.vocab_at + 3 * 4 + 8 + (8 if self.prune else 0)


CURRENT = FastTextLayout(args_at=8, prune=True, matrix_flag=True)
BEFORE_2017 = FastTextLayout(args_at=0, prune=False, matrix_flag=False)


def fasttext_layout(data: bytes) -> FastTextLayout | None:
    """Which fastText layout ``data`` has, or None when it is not a fastText model.

    A current model says so by its magic number. One saved before 2017 is recognised by its
    arguments alone, each within the range fastText writes (a text file's bytes never are).
    """
    if len(data) >= 4 and struct.unpack_from("<i", data, 0)[0] == FASTTEXT_MAGIC:
        return CURRENT
    if len(data) < BEFORE_2017.entries_at:
        return None
    dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn, lr_update = struct.unpack_from(
        "<12i", data, 0
    )
    (t,) = struct.unpack_from("<d", data, 48)
    size, n_words, n_labels = struct.unpack_from("<3i", data, BEFORE_2017.vocab_at)
    plausible = (
        0 < dim <= 100_000
        and 0 < ws <= 1_000
        and 0 < epoch <= 100_000
        and min_count >= 0
        and 0 <= neg <= 1_000
        and 0 < word_ngrams <= 100
        and loss in (1, 2, 3)  # hierarchical softmax, negative sampling, softmax
        and model in (1, 2, 3)  # cbow, skip-gram, supervised
        and bucket >= 0
        and 0 <= minn <= MAX_NGRAM
        and 0 <= maxn <= MAX_NGRAM
        and lr_update > 0
        and 0.0 < t < 1.0
        and 0 <= n_words <= size
        and n_labels >= 0
    )
    return BEFORE_2017 if plausible else None


def _check_fasttext_header(data: bytes, filename: str, limits: Limits) -> None:
    """Walk the model's whole layout and refuse it before gensim reads it.

    gensim trusts the file: a word cut off at the end makes it loop forever, and a size that lies
    makes it allocate what the file does not hold. So every read gensim will make is checked here
    to stay inside the data, and the sizes against the caps.
    """
    layout = fasttext_layout(data)
    if len(data) < (FASTTEXT_PREAMBLE if layout is None else layout.entries_at):
        raise InputError(f"{filename}: too short to be a fastText .bin model")
    if layout is None:
        raise InputError(f"{filename}: not a fastText .bin model (wrong magic number)")
    (dim,) = struct.unpack_from("<i", data, layout.args_at)
    bucket, minn, maxn = struct.unpack_from("<iii", data, layout.args_at + 4 * 8)
    size, n_words, n_labels = struct.unpack_from("<iii", data, layout.vocab_at)
    check_shape(filename, n_words, dim, limits)
    if bucket < 0 or n_words < 0 or (n_words + bucket) * dim * 4 > len(data):
        raise InputError(
            f"{filename}: the model claims {n_words:,} words and {bucket:,} n-gram buckets of {dim} numbers, "
            f"more than its {len(data):,} bytes hold; is it truncated?"
        )

    def broken(reason: str) -> InputError:
        return InputError(f"{filename}: not a readable fastText .bin model ({reason})")

    if n_labels:
        raise broken("a supervised model with labels; only unsupervised word vectors are supported")
    if not (minn >= 0 and 0 <= maxn <= MAX_NGRAM and (maxn == 0 or minn <= maxn)):
        raise broken(f"character n-grams from {minn} to {maxn} letters")
    if not n_words <= size <= (len(data) - layout.entries_at) // 10:  # a word takes at least 10 bytes
        raise broken(f"{size:,} vocabulary entries for {n_words:,} words in {len(data):,} bytes")
    prune_size = struct.unpack_from("<q", data, layout.entries_at - 8)[0] if layout.prune else 0
    position = layout.entries_at
    for entry in range(size):
        end = data.find(b"\x00", position)
        position = end + 1 + 9  # the word's end marker, then its count (int64) and type (int8)
        if end < 0 or position > len(data):
            raise broken(f"word {entry + 1:,} of {size:,} is cut off; is it truncated?")
    position += 8 * max(prune_size, 0)
    flag = 1 if layout.matrix_flag else 0  # a one-byte "quantised" flag before each matrix
    for matrix, rows in (("input", n_words + bucket), ("output", None)):
        if position + flag + 16 > len(data):
            raise broken(f"the {matrix} matrix is missing; is it truncated?")
        m, n = struct.unpack_from("<qq", data, position + flag)
        position += flag + 16 + 4 * m * n
        if n != dim or m < 0 or (rows is not None and m != rows) or position > len(data):
            raise broken(f"the {matrix} matrix claims {m:,} x {n:,} numbers; is it truncated?")
    if position != len(data):
        raise broken(f"{len(data) - position:,} unexpected bytes after the model")

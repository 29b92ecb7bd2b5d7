"""Which format a file is in, judged from its content first and its name second."""

from __future__ import annotations

from app.errors import InputError
from app.io.formats.binary import FASTTEXT_MAGIC, fasttext_layout
from app.io.formats.checks import trailing_numbers
from app.io.formats.zipped import ZIP_MAGIC, is_projector_zip
from app.text.inputs import is_number

BINARY_MAGICS = (b"\x93NUMPY", b"PAR1", FASTTEXT_MAGIC.to_bytes(4, "little"), ZIP_MAGIC)
PICKLE_SUFFIXES = (".pkl", ".pickle", ".model", ".kv", ".joblib", ".npz", ".pt", ".pth", ".ckpt")
EXPORT_RECIPE = (
    "export the vectors in a safe format first, e.g. in Python: "
    "model.wv.save_word2vec_format('vectors.txt')  (or np.save('vectors.npy', array) plus a labels file)"
)


def refuse_unsafe(data: bytes, filename: str) -> None:
    """Files that can only be read by unpickling (gensim .save(), .npz, torch) are refused."""
    lower = filename.lower()
    if lower.endswith(PICKLE_SUFFIXES) or _looks_like_pickle(data):
        raise InputError(
            f"{filename}: this looks like a pickled Python object (gensim .save(), joblib, torch or .npz). "
            f"Loading it could run arbitrary code, so it is refused; {EXPORT_RECIPE}"
        )
    if data[:4] == ZIP_MAGIC and not is_projector_zip(data):
        raise InputError(
            f"{filename}: a zip archive (.npz, .zip) is not a vector file unless it is a TensorFlow Projector "
            f"folder (with a projector_config.json); {EXPORT_RECIPE}"
        )


def _looks_like_pickle(data: bytes) -> bool:
    return len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5


def detect_format(data: bytes, filename: str) -> str:
    """The name of the parser for ``data`` (see app.io.loaders.FORMATS)."""
    if not data or data.isspace():
        raise InputError(f"{filename}: the file is empty")
    if data.startswith(b"\x93NUMPY"):
        return "npy"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(ZIP_MAGIC):
        return "projector-folder"
    if fasttext_layout(data) is not None:  # with the magic number, or saved before 2017 without one
        return "fasttext-bin"
    first_end = data.find(b"\n")
    first = data[: first_end if first_end >= 0 else 200].rstrip(b"\r ")
    if _is_count_header(first):
        return "word2vec" if _is_text(data[first_end + 1 : first_end + 4097]) else "word2vec-binary"
    if not _is_text(data[:4096]):
        if filename.lower().endswith(".bin"):
            raise InputError(
                f"{filename}: neither a word2vec .bin (its first line is not '<count> <dimension>') nor a "
                "fastText .bin model. "
                "Export it as text: model.wv.save_word2vec_format('vectors.vec')"
            )
        raise InputError(
            f"{filename}: binary content in no format we know. Supported: word2vec/GloVe/fastText text, "
            "word2vec .bin, fastText .bin, Projector .tsv, .npy, CSV, Parquet (any text format may be .gz)"
        )
    line = first.decode("utf-8", "replace")
    lower = filename.lower()
    if "\t" in line:
        fields = line.split("\t")
        return "projector-tsv" if all(is_number(f) for f in fields) else "csv"
    if lower.endswith((".csv", ".tsv")) or (line.count(",") >= 2 and trailing_numbers(line.split()) < 2):
        return "csv"
    return "glove"


def read_lone_cr(data: bytes) -> tuple[bytes, list[str]]:
    """A text file whose lines end in a lone CR (classic Mac OS) with its CRs read as line ends.

    Without this the whole file is one line, and a GloVe file loads as one word. Returns the data
    and a warning saying what was done (none when nothing was).
    """
    if b"\r" not in data or b"\n" in data or data.startswith(BINARY_MAGICS) or not _is_text(data[:4096]):
        return data, []
    return data.replace(b"\r", b"\n"), ["the lines end with a lone CR (old Mac line ends); they were read as line ends"]


def _is_count_header(line: bytes) -> bool:
    """'<count> <dimension>' separated by a space (a tab means a row of Projector numbers)."""
    if b"\t" in line:
        return False
    fields = line.split()
    return len(fields) == 2 and all(f.isdigit() for f in fields)


def _is_text(sample: bytes) -> bool:
    """Mostly text: no NUL bytes, few control characters, few bytes that are not UTF-8.

    Lenient on purpose: a text file with one Latin-1 word should reach the text parser,
    which then names the line, rather than be called binary.
    """
    if not sample or b"\x00" in sample:
        return not sample
    decoded = sample.decode("utf-8", "replace")
    undecodable = decoded.count("\ufffd")
    control = sum(1 for ch in decoded if ord(ch) < 32 and ch not in "\t\n\r")
    return undecodable <= max(3, len(decoded) // 50) and control <= len(decoded) // 100

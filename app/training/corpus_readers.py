"""Raw documents out of a corpus file on disk: plain lines, free-text sentences, a CSV column, a zip of .txt.

Everything here streams: files are read a line at a time (a zip entry too), so a corpus larger than
memory can still be read, and every refusal is an InputError naming the file, line, column or entry.
``app.training.corpus`` builds on this; it adds tokenisation, validation and the Corpus object.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import itertools
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from app.errors import InputError
from app.io.formats.zipped import END_RECORD_SPAN, claimed_entry_count

KINDS = ("lines", "sentences", "csv", "zip")
HEAD_LINES = 1_000  # lines looked at to choose between "lines" and "sentences"
CSV_SAMPLE_ROWS = 200  # rows looked at to find the text column
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,  # a compression method Python cannot read
    RuntimeError,  # encrypted entry
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)

# A sentence ends at a run of . ! ? (and closing quotes/brackets) followed by white space; the lookbehind
# keeps a long run of dots linear. The caller then checks that the next word starts with a capital.
_SENTENCE_END = re.compile(r"""(?<![.!?])[.!?]++["'\u201d\u2019)\]]*+\s+""")
_ENDS_SENTENCE = re.compile(r"""[.!?]["'\u201d\u2019)\]]*$""")
_OPENERS = "\"'\u201c\u2018([\u00ab\u00bf\u00a1"
_MULTI_WORD = re.compile(r"[^\W\d_]\w*\s+\w")


@dataclass(frozen=True)
class CorpusLimits:
    """Caps that keep one bad or hostile corpus from exhausting the server."""

    max_bytes: int = 200 * 2**20  # raw or uncompressed text
    max_documents: int = 2_000_000
    max_zip_entries: int = 2_000
    max_line_chars: int = 1_000_000


@dataclass(frozen=True)
class Layout:
    """How to read documents out of one file: its kind plus what was decided while looking at it."""

    kind: str  # "lines" | "sentences" | "csv" | "zip"
    delimiter: str | None = None  # csv: the field separator
    column: str | None = None  # csv: the text column's header
    entries: tuple[tuple[int, str, str], ...] = ()  # zip: (index in the archive, name, "lines" | "sentences")


# --- lines ------------------------------------------------------------------------------------------
class LineSource(Protocol):
    """Anything with a bounded binary ``readline`` (a file, a zip entry, a counting wrapper)."""

    def readline(self, size: int = -1, /) -> bytes: ...


def iter_lines(
    stream: LineSource, where: str, max_line_chars: int, max_bytes: int | None = None
) -> Iterator[tuple[int, str]]:
    """Numbered UTF-8 lines without their line ends; refuses NUL bytes, other encodings and huge lines.

    Reads with a bounded ``readline`` so one enormous line cannot fill memory.
    """
    chunk = 4 * max_line_chars + 2  # a UTF-8 character has at most 4 bytes
    total = 0
    for number in itertools.count(1):
        raw = stream.readline(chunk)
        if not raw:
            return
        total += len(raw)
        if max_bytes is not None and total > max_bytes:
            raise InputError(f"{where}: more than {max_bytes:,} bytes of text; refused (the limit guards the server)")
        if len(raw) == chunk and not raw.endswith(b"\n"):
            raise InputError(f"{where}, line {number}: longer than {max_line_chars:,} characters")
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise InputError(f"{where}: UTF-16 text; save the file as UTF-8 and load it again")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in raw:
            raise InputError(
                f"{where}, line {number}: a NUL byte, so this is a binary file (or UTF-16 text), not UTF-8 text"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{where}, line {number}: not UTF-8 text (byte 0x{raw[exc.start]:02X} at position {exc.start + 1}); "
                "save the file as UTF-8"
            ) from None
        text = text.rstrip("\r\n")
        if len(text) > max_line_chars:
            raise InputError(f"{where}, line {number}: longer than {max_line_chars:,} characters")
        if "\r" in text:  # old Mac line ends
            for part in text.split("\r"):
                yield number, part
        else:
            yield number, text


def line_documents(lines: Iterable[tuple[int, str]]) -> Iterator[str]:
    """Each non-blank line is one document."""
    for _, line in lines:
        line = line.strip()
        if line:
            yield line


# --- sentences --------------------------------------------------------------------------------------
def _starts_sentence(text: str) -> bool:
    """True when ``text`` begins (after opening quotes or brackets) with a capital letter."""
    stripped = text.lstrip(_OPENERS)
    return bool(stripped) and stripped[0].isupper()


def split_sentences(text: str) -> list[str]:
    """Sentences of one piece of text: a split after . ! ? and white space when a capital follows.

    Deliberately simple (no abbreviation list): "Mr. Smith" splits after "Mr.".
    """
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if _starts_sentence(text[match.end() : match.end() + 8]):
            pieces.append(text[start : match.end()].strip())
            start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def sentence_documents(lines: Iterable[tuple[int, str]], max_chars: int) -> Iterator[str]:
    """Free text as sentences: paragraphs end at blank lines, sentences may run across line breaks.

    Holds at most one unfinished sentence; a run-on "sentence" longer than ``max_chars`` is cut there.
    """
    parts: list[str] = []
    length = 0
    for _, line in lines:
        line = line.strip()
        if not line:
            if parts:
                yield " ".join(parts)
                parts, length = [], 0
            continue
        pieces = split_sentences(line)
        if parts and _ENDS_SENTENCE.search(parts[-1][-8:]) and _starts_sentence(pieces[0]):
            yield " ".join(parts)
            parts, length = [], 0
        parts.append(pieces[0])
        length += len(pieces[0]) + 1
        if len(pieces) > 1:
            yield " ".join(parts)
            yield from pieces[1:-1]
            parts, length = [pieces[-1]], len(pieces[-1])
        if length > max_chars:
            yield " ".join(parts)
            parts, length = [], 0
    if parts:
        yield " ".join(parts)


def choose_text_kind(lines: Iterable[tuple[int, str]]) -> str:
    """Whether plain text is prose ("sentences") or one document per line ("lines"), from its first lines.

    Among the first HEAD_LINES lines, prose means: blank lines separate paragraphs (at least one
    paragraph break per 20 text lines), or the whole text is one line holding several sentences.
    Anything else (one document per line, as gensim's LineSentence reads it) is "lines".
    """
    text_lines = breaks = 0
    blank_before = False
    first = ""
    for _, line in itertools.islice(lines, HEAD_LINES):
        if not line.strip():
            blank_before = True
            continue
        if blank_before and text_lines:
            breaks += 1
        blank_before = False
        text_lines += 1
        first = first or line
    if text_lines == 1:
        return "sentences" if len(split_sentences(first)) > 1 else "lines"
    return "sentences" if breaks and breaks * 20 >= text_lines else "lines"


# --- CSV / TSV --------------------------------------------------------------------------------------
def _csv_rows(lines: Iterable[tuple[int, str]], where: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Parsed CSV records with the number of the line each one ends on."""
    reader = csv.reader((line + "\n" for _, line in lines), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"{where}, line {reader.line_num + 1}: not valid CSV ({exc})") from None


def csv_delimiter(filename: str, header: str) -> str:
    """Tab for .tsv; otherwise whichever of , tab ; appears most in the header line (ties: comma)."""
    if filename.lower().endswith(".tsv"):
        return "\t"
    counts = {sep: header.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first record that is not blank (the column names), or [] when there is none."""
    return next((row for _, row in rows if any(cell.strip() for cell in row)), [])


def _column_names(header: list[str]) -> list[str]:
    return [name.strip() for name in header]


def _listing(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def choose_text_column(rows: Iterator[tuple[int, list[str]]], where: str, requested: str | None) -> str:
    """The text column's name: the one asked for, or the only column that holds text.

    A column holds text when most of its sampled values have two or more words; failing that,
    when most have letters and are not numbers. Ambiguity is an InputError listing the columns.
    """
    header = _header(rows)
    if not header:
        raise InputError(f"{where}: no header line with column names")
    names = _column_names(header)
    if requested is not None:
        if requested.strip() in names:
            return requested.strip()
        raise InputError(f"{where}: no column {requested!r}; the columns are: {_listing(names)}")
    if len(names) == 1:
        return names[0]
    sample = [row for _, row in itertools.islice(rows, CSV_SAMPLE_ROWS)]
    for looks_like_text in (_is_multi_word, _is_wordy):
        texty = [name for i, name in enumerate(names) if _mostly(sample, i, looks_like_text)]
        if len(texty) == 1:
            return texty[0]
        if texty:
            raise InputError(
                f"{where}: choose the text column; {_listing(texty)} all look like text "
                f"(the columns are: {_listing(names)})"
            )
    raise InputError(f"{where}: no column looks like text; choose one of: {_listing(names)}")


def _is_multi_word(value: str) -> bool:
    return bool(_MULTI_WORD.search(value))


def _is_wordy(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return any(ch.isalpha() for ch in value)
    return False


def _mostly(rows: list[list[str]], index: int, test: Callable[[str], bool]) -> bool:
    values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
    return bool(values) and sum(map(test, values)) * 2 > len(values)


def csv_documents(lines: Iterable[tuple[int, str]], where: str, layout: Layout) -> Iterator[str]:
    """The non-blank values of the text column, one document per record (short records count as blank)."""
    rows = _csv_rows(lines, where, layout.delimiter or ",")
    names = _column_names(_header(rows))
    if layout.column not in names:
        raise InputError(f"{where}: no column {layout.column!r}; the columns are: {_listing(names)}")
    index = names.index(layout.column)
    for _, row in rows:
        if index < len(row) and row[index].strip():
            yield row[index].strip()


# --- zip --------------------------------------------------------------------------------------------
def _unsafe_name(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


def _ignored_entry(info: zipfile.ZipInfo) -> bool:
    """Directories, non-.txt files and macOS metadata (__MACOSX/, ._name) are not documents."""
    name = info.filename
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return info.is_dir() or not name.lower().endswith(".txt") or name.startswith("__MACOSX/") or base.startswith("._")


def _claimed_entry_count(path: Path) -> int | None:
    """The entry count written in the archive's end record, read before zipfile builds its directory
    (which costs memory per entry, so a zip of millions of empty entries is refused before that)."""
    size = path.stat().st_size
    with open(path, "rb") as stream:
        stream.seek(max(0, size - END_RECORD_SPAN))
        return claimed_entry_count(stream.read())


@contextmanager
def open_zip(path: Path, where: str) -> Iterator[zipfile.ZipFile]:
    """A ZipFile, or an InputError when the archive is broken."""
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise InputError(f"{where}: not a valid zip archive ({exc})") from None
    with archive:
        yield archive


def zip_entries(path: Path, where: str, max_entries: int, max_bytes: int) -> list[tuple[int, str]]:
    """The archive's .txt entries as (index, name), sorted by name, after the safety checks.

    Refused: more than ``max_entries`` entries, names that are absolute or climb out with '..',
    encrypted entries, and .txt entries whose sizes (as the archive claims them) add up to more
    than ``max_bytes`` (a zip bomb). Reading later stops at the claimed size too.
    """
    claimed = _claimed_entry_count(path)
    if claimed is not None and claimed > max_entries:
        raise InputError(f"{where}: {claimed:,} entries, more than the limit of {max_entries:,}")
    with open_zip(path, where) as archive:
        infos = archive.infolist()
    if len(infos) > max_entries:
        raise InputError(f"{where}: {len(infos):,} entries, more than the limit of {max_entries:,}")
    chosen, ignored, total = [], [], 0
    for index, info in enumerate(infos):
        name = info.filename
        if _unsafe_name(name):
            raise InputError(f"{where}: entry {name!r} has an unsafe path (absolute or with '..'); refused")
        if _ignored_entry(info):
            if not info.is_dir():
                ignored.append(name)
            continue
        if info.flag_bits & 0x1:
            raise InputError(f"{where}, entry {name!r}: password-protected; zip the files without a password")
        total += info.file_size
        if total > max_bytes:
            raise InputError(
                f"{where}, entry {name!r}: expands to {info.file_size:,} bytes, taking the text past the limit "
                f"of {max_bytes:,} bytes; refused (the limit guards against zip bombs)"
            )
        chosen.append((index, name))
    if not chosen:
        found = f" (it holds: {_listing(ignored[:5])}{', ...' if len(ignored) > 5 else ''})" if ignored else ""
        raise InputError(f"{where}: no .txt files in the archive{found}")
    return sorted(chosen, key=lambda item: item[1])


def zip_documents(path: Path, where: str, layout: Layout, limits: CorpusLimits) -> Iterator[str]:
    """Each .txt entry, in name order, read as lines or sentences as decided for that entry."""
    budget = limits.max_bytes
    with open_zip(path, where) as archive:
        infos = archive.infolist()
        for index, name, kind in layout.entries:
            entry = f"{where}, entry {name!r}"
            try:
                with archive.open(infos[index]) as stream:
                    counted = _CountingReader(stream)
                    lines = iter_lines(counted, entry, limits.max_line_chars, budget)
                    yield from text_documents(lines, kind, limits.max_line_chars)
                    budget -= counted.count
            except InputError:
                raise
            except ZIP_ERRORS as exc:
                raise InputError(f"{entry}: cannot be read ({exc})") from None


class _CountingReader:
    """A binary stream wrapper that counts the bytes handed out (for the zip byte budget)."""

    def __init__(self, stream: LineSource) -> None:
        self._stream = stream
        self.count = 0

    def readline(self, size: int = -1, /) -> bytes:
        line = self._stream.readline(size)
        self.count += len(line)
        return line


def choose_entry_kinds(path: Path, where: str, entries: list[tuple[int, str]], max_line_chars: int) -> Layout:
    """A zip Layout: each entry read as "lines" or "sentences" by the same rule as a text file."""
    chosen = []
    with open_zip(path, where) as archive:
        infos = archive.infolist()
        for index, name in entries:
            try:
                with archive.open(infos[index]) as stream:
                    kind = choose_text_kind(iter_lines(stream, f"{where}, entry {name!r}", max_line_chars))
            except InputError:
                raise
            except ZIP_ERRORS as exc:
                raise InputError(f"{where}, entry {name!r}: cannot be read ({exc})") from None
            chosen.append((index, name, kind))
    return Layout("zip", entries=tuple(chosen))


# --- putting it together ----------------------------------------------------------------------------
def text_documents(lines: Iterable[tuple[int, str]], kind: str, max_chars: int) -> Iterator[str]:
    """Documents of a plain-text stream read as "lines" or "sentences"."""
    return sentence_documents(lines, max_chars) if kind == "sentences" else line_documents(lines)


def read_documents(path: Path, layout: Layout, where: str, limits: CorpusLimits) -> Iterator[str]:
    """Raw documents of the file at ``path`` in order, streamed; ``where`` names the file in messages."""
    if layout.kind == "zip":
        yield from zip_documents(path, where, layout, limits)
        return
    with open(path, "rb") as stream:
        lines = iter_lines(stream, where, limits.max_line_chars)
        if layout.kind == "csv":
            yield from csv_documents(lines, where, layout)
        else:
            yield from text_documents(lines, layout.kind, limits.max_line_chars)


def detect_layout(path: Path, where: str, kind: str, text_column: str | None, limits: CorpusLimits) -> Layout:
    """Resolve ``kind`` ("auto" or one of KINDS) into a Layout by looking at the file's start.

    "auto": zip content or a .zip name is a zip; a .csv/.tsv name or a text_column is CSV; other
    text is "lines" or "sentences" as ``choose_text_kind`` decides.
    """
    max_line_chars = limits.max_line_chars
    with open(path, "rb") as stream:
        magic = stream.read(4)
    if kind == "auto":
        lower = where.lower()
        if magic == b"PK\x03\x04" or lower.endswith(".zip"):
            kind = "zip"
        elif lower.endswith((".csv", ".tsv")) or text_column is not None:
            kind = "csv"
    if kind == "zip":
        entries = zip_entries(path, where, limits.max_zip_entries, limits.max_bytes)
        return choose_entry_kinds(path, where, entries, max_line_chars)
    with open(path, "rb") as stream:
        lines = iter_lines(stream, where, max_line_chars)
        if kind == "csv":
            first = next((item for item in lines if item[1].strip()), (1, ""))
            delimiter = csv_delimiter(where, first[1])
            rows = _csv_rows(itertools.chain([first], lines), where, delimiter)
            return Layout("csv", delimiter=delimiter, column=choose_text_column(rows, where, text_column))
        if kind == "auto":
            kind = choose_text_kind(lines)
    return Layout(kind)


# --- files on disk ----------------------------------------------------------------------------------
def file_digest(path: Path) -> str:
    """blake2b of the file's bytes, read in chunks."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def safe_file_name(filename: str) -> str:
    """The last part of ``filename`` with only letters, digits, dot, dash and underscore (for disk)."""
    base = re.split(r"[\\/]", filename)[-1]
    return (re.sub(r"[^\w.-]", "_", base).lstrip(".") or "corpus")[-80:]


def gunzip_to_file(source: BinaryIO, where: str, workdir: Path, max_bytes: int) -> Path:
    """Decompress a gzip stream into a new file under ``workdir``, stopping at the byte cap (gzip bombs)."""
    handle, name = tempfile.mkstemp(dir=workdir, prefix="gunzip-", suffix=".part")
    target = Path(name)
    try:
        total = 0
        with os.fdopen(handle, "wb") as out, gzip.GzipFile(fileobj=source) as unzipped:
            while chunk := unzipped.read(1 << 20):
                total += len(chunk)
                if total > max_bytes:
                    raise InputError(
                        f"{where}: expands to more than {max_bytes:,} bytes; refused "
                        "(the limit guards against gzip bombs)"
                    )
                out.write(chunk)
    except InputError:
        target.unlink(missing_ok=True)
        raise
    except (OSError, EOFError, zlib.error) as exc:
        target.unlink(missing_ok=True)
        raise InputError(f"{where}: a broken gzip file ({exc})") from None
    return target

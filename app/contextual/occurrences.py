"""Sentences in, occurrences of one word out: each occurrence becomes a point of a space, with the
sentence, its position and (for the built-in set) its sense as metadata.

Reading is capped and strict: bad input raises InputError naming the line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import InputError
from app.resources import SAMPLE_DATA
from app.text.inputs import check_length, check_word, preview

SENSES_FILE = SAMPLE_DATA / "senses.tsv"
MAX_SENTENCES = 500  # sentences in one set: each occurrence goes through the model
MAX_SENTENCE_CHARS = 500  # one sentence: the model reads at most 256 word pieces
MAX_TEXT_CHARS = MAX_SENTENCES * 200  # the whole pasted or uploaded text, checked before splitting

_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    word: str = ""
    sense: str = ""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of the chosen word: in ``sentence`` (its index in the set), word ``position``
    (0-based, counting words), characters ``start``:``end``."""

    sentence: int
    position: int
    start: int
    end: int
    text: str
    sense: str = ""


def parse_sentences(text: str) -> list[Sentence]:
    """One sentence per line; blank lines skipped. InputError naming the line for anything too long,
    unreadable or beyond the caps."""
    text = text or ""
    check_length(text, MAX_TEXT_CHARS, "the text")
    sentences: list[Sentence] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        _check_line(line, number)
        sentences.append(Sentence(line, number))
    _check_count(sentences)
    return sentences


def decode_upload(data: bytes, filename: str) -> str:
    """An uploaded text file as text; InputError when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{filename}, line {line}: not UTF-8 text") from None


def read_sense_set(path: str | None = None) -> list[Sentence]:
    """The built-in set (sample_data/senses.tsv: sentence, word, sense, with a header)."""
    file = SENSES_FILE if path is None else path
    sentences: list[Sentence] = []
    with open(file, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            fields = raw.rstrip("\n").split("\t")
            if number == 1 or not raw.strip():
                continue
            if len(fields) != 3 or not all(f.strip() for f in fields):
                raise InputError(f"{file}, line {number}: expected sentence, word and sense separated by tabs")
            _check_line(fields[0], number)
            sentences.append(Sentence(fields[0].strip(), number, fields[1].strip().lower(), fields[2].strip()))
    _check_count(sentences)
    return sentences


def sense_words(sentences: list[Sentence]) -> list[str]:
    """The words the built-in set has senses for, in file order."""
    return list(dict.fromkeys(s.word for s in sentences if s.word))


def find_occurrences(sentences: list[Sentence], word: str) -> list[Occurrence]:
    """Every whole-word, case-insensitive occurrence of ``word`` ("Bank," counts, "banks" and
    "embankment" do not). With a sense set, only the sentences labelled with this word count, so
    each point has its sense."""
    target = check_word(word, "the word").lower()
    if not target or not _WORD.fullmatch(target):
        raise InputError(f"choose a single word (letters or digits), not {preview(word)}")
    found: list[Occurrence] = []
    for index, sentence in enumerate(sentences):
        if sentence.word and sentence.word != target:
            continue
        for position, match in enumerate(_WORD.finditer(sentence.text)):
            if match.group().lower() == target:
                found.append(Occurrence(index, position, match.start(), match.end(), sentence.text, sentence.sense))
    if not found:
        raise InputError(f"{preview(word)} does not occur in these sentences (whole words, any case)")
    return found


def occurrence_label(occurrence: Occurrence, width: int = 30) -> str:
    """A readable, unique-enough label: the word in brackets with some context either side."""
    text = occurrence.text
    left = text[max(0, occurrence.start - width) : occurrence.start]
    right = text[occurrence.end : occurrence.end + width]
    return f"#{occurrence.sentence + 1}: …{left}[{text[occurrence.start : occurrence.end]}]{right}…"


def _check_line(line: str, number: int) -> None:
    if len(line) > MAX_SENTENCE_CHARS:
        raise InputError(f"line {number}: {len(line):,} characters; the limit for one sentence is {MAX_SENTENCE_CHARS}")
    if "\x00" in line:
        raise InputError(f"line {number}: contains a NUL character; is this a text file?")


def _check_count(sentences: list[Sentence]) -> None:
    if not sentences:
        raise InputError("no sentences: write one sentence per line")
    if len(sentences) > MAX_SENTENCES:
        raise InputError(
            f"line {sentences[MAX_SENTENCES].line}: sentence {MAX_SENTENCES + 1:,}; the limit is {MAX_SENTENCES:,}"
        )

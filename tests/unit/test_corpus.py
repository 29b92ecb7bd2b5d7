"""Corpora: every input kind, each preprocessing step, streaming, statistics and every bad input."""

from __future__ import annotations

import gzip
import inspect
import io
import json
import pickle
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.training.corpus import (
    BUILTIN_CORPORA,
    Corpus,
    CorpusLimits,
    Preprocessing,
    builtin_corpus,
    corpus_stats,
    open_corpus,
)
from app.training.corpus_readers import split_sentences


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return buffer.getvalue()


def patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of the first central directory record (what zipfile trusts for sizes/flags)."""
    at = data.index(b"PK\x01\x02")
    patched = bytearray(data)
    struct.pack_into(fmt, patched, at + offset, value)
    return bytes(patched)


def open_bytes(data: bytes, filename: str, tmp_path: Path, **kwargs) -> Corpus:
    return open_corpus(data, filename=filename, workdir=tmp_path, **kwargs)


# --- input kinds ------------------------------------------------------------------------------------
def test_lines_one_document_per_line(tmp_path):
    corpus = open_bytes(b"The king rules.\r\n -- !!\nThe queen rules too.\n\n\n", "royal.txt", tmp_path)
    assert corpus.kind == "lines"
    assert list(corpus.documents()) == ["The king rules.", "-- !!", "The queen rules too."]
    assert list(corpus) == [["the", "king", "rules"], ["the", "queen", "rules", "too"]]
    assert corpus.source["file"] == "royal.txt" and corpus.source["documents"] == 3  # "-- !!" has no words
    assert corpus.path.parent == tmp_path and corpus.path.read_bytes().startswith(b"The king")


def test_free_text_is_split_into_sentences(tmp_path):
    text = (
        b"The king rode out. He met a man\nwho sold apples! Did the queen know?\n\n"
        b"It cost 3.5 coins. then nothing changed.\nA new paragraph starts here.\n"
    )
    corpus = open_bytes(text, "story.txt", tmp_path)
    assert corpus.kind == "sentences"
    assert list(corpus.documents()) == [
        "The king rode out.",
        "He met a man who sold apples!",
        "Did the queen know?",
        "It cost 3.5 coins. then nothing changed.",
        "A new paragraph starts here.",
    ]


def test_one_long_line_of_prose_is_sentences_but_lee_style_lines_are_lines(tmp_path):
    assert open_bytes(b"One sentence here. Another one there.", "a.txt", tmp_path).kind == "sentences"
    article = b"A long article. It has sentences. Many of them.\n"
    assert open_bytes(article * 30, "b.txt", tmp_path).kind == "lines"
    assert open_bytes(article * 30, "c.txt", tmp_path, kind="sentences").kind == "sentences"


def test_split_sentences_rule():
    assert split_sentences('He said "Go." "Now?" Yes. e.g. this') == ['He said "Go."', '"Now?"', "Yes. e.g. this"]


def test_csv_with_chosen_column(tmp_path):
    data = b'id,text,label\n1,"The king, the crown",pos\n2,"A queen\non two lines",neg\n3,,neg\n4\n'
    corpus = open_bytes(data, "reviews.csv", tmp_path, text_column="text")
    assert corpus.kind == "csv" and corpus.text_column == "text"
    assert list(corpus.documents()) == ["The king, the crown", "A queen\non two lines"]
    assert list(corpus) == [["the", "king", "the", "crown"], ["a", "queen", "on", "two", "lines"]]


def test_csv_auto_column_tsv_and_semicolons(tmp_path):
    data = b"id,body,score\n1,the king spoke to the queen,0.5\n2,a man and a woman,0.7\n"
    assert open_bytes(data, "a.csv", tmp_path).text_column == "body"
    tsv = b"word\tsentence\nking\tthe king rules\nqueen\tthe queen rules\n"
    corpus = open_bytes(tsv, "b.tsv", tmp_path)
    assert corpus.text_column == "sentence" and list(corpus)[0] == ["the", "king", "rules"]
    semicolons = b"n;text\n1;hello there world\n"
    assert list(open_bytes(semicolons, "c.csv", tmp_path).documents()) == ["hello there world"]
    single = b"\n\ntext\nhello\n"  # one column: it is the text (blank lines before the header skipped)
    assert list(open_bytes(single, "d.csv", tmp_path)) == [["hello"]]


def test_text_column_turns_auto_into_csv(tmp_path):
    corpus = open_bytes(b"a,b\nx,hello world\n", "export.txt", tmp_path, text_column="b")
    assert corpus.kind == "csv" and list(corpus) == [["hello", "world"]]


def test_zip_of_txt_files(tmp_path):
    data = make_zip(
        {
            "b/second.txt": b"Second file line.\n",
            "a/deep/first.txt": b"First file.\nAnother line.\n",
            "a/": b"",
            "picture.png": b"\x89PNG\r\n\x1a\n\x00\x00",
            "notes.md": b"not a document",
            "__MACOSX/a/._first.txt": b"\x00\x05\x16\x07",
            "prose.TXT": b"Free text here. More of it.\n\nNew paragraph.\n",
        }
    )
    corpus = open_bytes(data, "texts.zip", tmp_path)
    assert corpus.kind == "zip"
    assert corpus.source["zip_entries"] == ["a/deep/first.txt", "b/second.txt", "prose.TXT"]
    assert list(corpus.documents()) == [
        "First file.",
        "Another line.",
        "Second file line.",
        "Free text here.",
        "More of it.",
        "New paragraph.",
    ]


def test_gzip_and_paths_give_the_same_corpus(tmp_path):
    text = b"the king\nthe queen\n"
    plain = tmp_path / "royal.txt"
    plain.write_bytes(text)
    packed = tmp_path / "royal.txt.gz"
    packed.write_bytes(gzip.compress(text))
    from_path = open_corpus(plain, filename="royal.txt")
    from_str = open_corpus(str(plain), filename="royal.txt")
    from_gz_path = open_corpus(packed, filename="royal.txt.gz", workdir=tmp_path / "work")
    from_gz_bytes = open_bytes(gzip.compress(text), "royal.txt.gz", tmp_path / "work")
    assert from_path.path == plain  # an existing file is read where it is, not copied
    assert from_gz_path.source["gzip"] and from_gz_path.source["file"] == "royal.txt"
    fingerprints = {c.fingerprint for c in (from_path, from_str, from_gz_path, from_gz_bytes)}
    assert len(fingerprints) == 1
    assert list(from_gz_bytes) == list(from_path) == [["the", "king"], ["the", "queen"]]


def test_fingerprint_depends_on_content_kind_and_preprocessing(tmp_path):
    base = open_bytes(b"The King. The Queen.\n", "a.txt", tmp_path)
    assert base.fingerprint != open_bytes(b"The King. The Queen!\n", "a.txt", tmp_path).fingerprint
    assert base.fingerprint != open_bytes(b"The King. The Queen.\n", "a.txt", tmp_path, kind="lines").fingerprint
    other = base.with_preprocessing(Preprocessing(lowercase=False))
    assert other.fingerprint != base.fingerprint and list(other)[0] == ["The", "King"]
    assert base.fingerprint == open_bytes(b"The King. The Queen.\n", "b.txt", tmp_path).fingerprint


# --- preprocessing ----------------------------------------------------------------------------------
SENTENCE = "The Café's naïve well-known owner didn't open at 9am in New York; a_b!"


def test_regex_tokens_and_lowercase():
    assert Preprocessing().tokenize(SENTENCE) == [
        "the", "café's", "naïve", "well-known", "owner", "didn't", "open", "at", "9am", "in", "new", "york", "a", "b",
    ]  # fmt: skip
    assert Preprocessing(lowercase=False).tokenize("The King's") == ["The", "King's"]


def test_strip_accents_and_unicode_normalisation():
    assert Preprocessing(strip_accents=True).tokenize("Café naïve") == ["cafe", "naive"]
    assert Preprocessing().tokenize("Café naïve") == ["café", "naïve"]
    decomposed = "Cafe\u0301"  # é typed as e + combining accent is the same word
    assert Preprocessing().tokenize(decomposed) == ["café"]


def test_stopwords_and_min_length():
    assert Preprocessing(remove_stopwords=True).tokenize("The king and the queen of Spain") == [
        "king",
        "queen",
        "spain",
    ]
    assert Preprocessing(min_token_length=4).tokenize("a to the king queen") == ["king", "queen"]


def test_simple_preprocess_matches_gensim():
    from gensim.utils import simple_preprocess

    options = Preprocessing(tokenizer="simple_preprocess", strip_accents=True)
    assert options.tokenize(SENTENCE) == simple_preprocess(SENTENCE, deacc=True)
    assert "cafe" in options.tokenize(SENTENCE) and "a" not in options.tokenize(SENTENCE)
    assert Preprocessing(tokenizer="simple_preprocess", lowercase=False).tokenize("The King") == ["The", "King"]


def test_phrases_join_new_york(tmp_path):
    lines = [f"p{i} q{i} new york r{i}" for i in range(30)]  # only "new york" repeats
    lines += [f"s{i} new t{i} york" for i in range(3)]
    data = "\n".join(lines).encode()
    options = Preprocessing(phrases=True, phrase_min_count=5, phrase_threshold=1.0)
    corpus = open_bytes(data, "trips.txt", tmp_path, preprocessing=options)
    documents = list(corpus)
    assert documents[0] == ["p0", "q0", "new_york", "r0"]
    assert documents[-1] == ["s2", "new", "t2", "york"]  # "new" and "york" apart stay apart
    assert list(corpus) == documents
    stricter = corpus.with_preprocessing(Preprocessing(phrases=True))  # threshold 10: learned afresh, no phrase
    assert "new york" in " ".join(map(" ".join, stricter))


def test_steps_and_record():
    options = Preprocessing(strip_accents=True, remove_stopwords=True, min_token_length=3, phrases=True)
    steps = options.steps()
    assert [step.split(" ")[0] for step in steps] == ["lower-case", "strip", "regex", "drop", "remove", "join"]
    assert json.loads(json.dumps(options.to_dict())) == options.to_dict()
    assert Preprocessing(lowercase=False).steps()[0].startswith("regex")
    for bad in ({"tokenizer": "spacy"}, {"min_token_length": 0}, {"phrase_min_count": 0}, {"phrase_threshold": 0}):
        with pytest.raises(InputError):
            Preprocessing(**bad)


# --- streaming --------------------------------------------------------------------------------------
def test_iterating_twice_gives_the_same_and_is_lazy(tmp_path):
    corpus = builtin_corpus("tiny")
    assert inspect.isgenerator(iter(corpus)) and inspect.isgenerator(corpus.documents())
    assert list(corpus) == list(corpus)


def test_streaming_keeps_memory_low(tmp_path):
    path = tmp_path / "big.txt"
    line = b"the quick brown fox jumps over the lazy dog near the river bank today\n"
    path.write_bytes(line * 40_000)  # 2.8 MB
    tracemalloc.start()
    try:
        corpus = open_corpus(path, filename="big.txt")
        count = sum(1 for _ in corpus)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 40_000
    # the file is 2.8 MB; what stays is a read buffer (hashing reads 256 KB chunks) and one line's tokens
    assert peak < 1_000_000, f"peak {peak:,} bytes while streaming a {path.stat().st_size:,} byte file"


def test_too_large_is_refused(tmp_path):
    limits = CorpusLimits(max_bytes=100)
    with pytest.raises(InputError, match=r"big\.txt: 200 bytes is more than the limit of 100"):
        open_bytes(b"word " * 40, "big.txt", tmp_path, limits=limits)
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 40)
    with pytest.raises(InputError, match=r"big\.txt: 200 bytes"):
        open_corpus(path, filename="big.txt", limits=limits)
    bomb = gzip.compress(b"word\n" * 10_000)
    with pytest.raises(InputError, match=r"bomb\.txt\.gz: expands to more than 1,000 bytes"):
        open_bytes(bomb, "bomb.txt.gz", tmp_path, limits=CorpusLimits(max_bytes=1_000))
    with pytest.raises(InputError, match=r"many\.txt: more than 3 documents"):
        open_bytes(b"a\nb\nc\nd\n", "many.txt", tmp_path, limits=CorpusLimits(max_documents=3))
    with pytest.raises(InputError, match=r"long\.txt, line 2: longer than 10 characters"):
        open_bytes(b"short\n" + b"x" * 50 + b"\n", "long.txt", tmp_path, limits=CorpusLimits(max_line_chars=10))


def test_pickle_round_trip(tmp_path):
    corpus = open_bytes(b"new york is big\n" * 10, "ny.txt", tmp_path, preprocessing=Preprocessing(phrases=True))
    tokens = list(corpus)
    assert corpus._phraser is not None
    clone = pickle.loads(pickle.dumps(corpus))
    assert clone._phraser is None and clone.fingerprint == corpus.fingerprint
    assert list(clone) == tokens and clone.source == corpus.source


# --- statistics -------------------------------------------------------------------------------------
def test_stats_on_a_known_corpus(tmp_path):
    corpus = open_bytes(b"the king and the queen\nthe man\n\nking\n", "known.txt", tmp_path, kind="lines")
    stats = corpus_stats(corpus)
    assert (stats.documents, stats.tokens, stats.vocabulary) == (3, 8, 5)
    frame = stats.frequencies
    assert list(frame.columns) == ["rank", "word", "count"]
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5]
    assert frame["word"].tolist() == ["the", "king", "and", "man", "queen"]  # ties by word
    assert frame["count"].tolist() == [3, 2, 1, 1, 1]
    assert stats.top(2)["word"].tolist() == ["the", "king"]


def test_stats_of_nothing_and_of_strings():
    empty = corpus_stats([])
    assert (empty.documents, empty.tokens, empty.vocabulary, len(empty.frequencies)) == (0, 0, 0, 0)
    with pytest.raises(InputError, match="lists of tokens"):
        corpus_stats(["not tokenized"])


def test_builtin_corpora_all_load():
    from gensim.test.utils import datapath

    assert set(BUILTIN_CORPORA) == {"lee", "head500", "classroom", "tiny"}
    assert BUILTIN_CORPORA["lee"].path == Path(datapath("lee_background.cor"))
    for key, entry in BUILTIN_CORPORA.items():
        corpus = builtin_corpus(key)
        stats = corpus_stats(corpus)
        assert stats.documents > 0 and stats.tokens > stats.vocabulary > 0, key
        assert corpus.source["builtin"] == key and corpus.name == entry.title and entry.description
    assert corpus_stats(builtin_corpus("lee")).documents == 300
    assert corpus_stats(builtin_corpus("tiny")).documents == 15
    with pytest.raises(InputError, match="choose one of: lee, head500, classroom, tiny"):
        builtin_corpus("brown")


def test_classroom_corpus_is_reproducible():
    import runpy

    module = runpy.run_path(str(BUILTIN_CORPORA["classroom"].path.parent / "make_classroom_corpus.py"))
    sentences = module["make_sentences"]()
    assert BUILTIN_CORPORA["classroom"].path.read_text(encoding="utf-8") == "\n".join(sentences) + "\n"
    assert BUILTIN_CORPORA["classroom"].path.stat().st_size < 400_000


# --- bad corpora ------------------------------------------------------------------------------------
BAD = [
    ("empty", b"", "empty.txt", {}, r"empty\.txt: the file is empty"),
    ("blank lines", b"\n  \n\t\n", "blank.txt", {}, r"blank\.txt: the file is empty"),
    ("NUL byte", b"fine\nbin\x00ary\n", "data.txt", {}, r"data\.txt, line 2: a NUL byte"),
    ("UTF-16", "hello".encode("utf-16"), "u16.txt", {}, r"u16\.txt: UTF-16"),
    ("Latin-1", b"ok line\nna\xefve\n", "latin.txt", {}, r"latin\.txt, line 2: not UTF-8 text \(byte 0xEF"),
    ("punctuation only", b"!!! ???\n... ;;\n", "marks.txt", {}, r"marks\.txt: no words left after preprocessing"),
    (
        "stop-words only",
        b"the and of\nit is\n",
        "stop.txt",
        {"preprocessing": Preprocessing(remove_stopwords=True)},
        r"stop\.txt: no words left after preprocessing \(lower-case, .*remove stop-words",
    ),
    (
        "missing CSV column",
        b"id,body\n1,hello\n",
        "r.csv",
        {"text_column": "text"},
        r"r\.csv: no column 'text'; the columns are: 'id', 'body'",
    ),
    (
        "ambiguous CSV",
        b"title,body\nthe king story,a long text here\n",
        "r.csv",
        {},
        r"r\.csv: choose the text column; 'title', 'body' all look like text",
    ),
    ("numbers only CSV", b"a,b\n1,2\n", "n.csv", {}, r"n\.csv: no column looks like text; choose one of: 'a', 'b'"),
    (
        "empty CSV column",
        b"id,text\n1,\n2,  \n",
        "e.csv",
        {"text_column": "text"},
        r"e\.csv: the column 'text' is empty",
    ),
    ("CSV without header", b"\n", "h.csv", {}, r"h\.csv: (the file is empty|no header)"),
    ("bad zip", b"PK\x03\x04" + b"\x00" * 60, "t.zip", {}, r"t\.zip: not a valid zip archive"),
    ("zip by name only", b"just text", "t.zip", {}, r"t\.zip: not a valid zip archive"),
    ("zip without .txt", make_zip({"a.csv": b"x", "b.png": b"y"}), "t.zip", {}, r"t\.zip: no \.txt files.*'a\.csv'"),
    ("zip of empty .txt", make_zip({"a.txt": b"\n"}), "t.zip", {}, r"t\.zip: the \.txt files in the archive hold no"),
    (
        "zip entry not UTF-8",
        make_zip({"good.txt": b"fine\n", "sub/bad.txt": b"ok\n\xff\xfe oops\n"}),
        "t.zip",
        {},
        r"t\.zip, entry 'sub/bad\.txt', line 2: not UTF-8",
    ),
    ("broken gzip", b"\x1f\x8b\x08\x00garbage", "c.txt.gz", {}, r"c\.txt\.gz: a broken gzip file"),
    ("unknown kind", b"text", "a.txt", {"kind": "pdf"}, r"unknown corpus kind 'pdf'"),
]


@pytest.mark.parametrize(("data", "filename", "kwargs", "message"), [case[1:] for case in BAD], ids=[c[0] for c in BAD])
def test_bad_corpus_names_the_problem(tmp_path, data, filename, kwargs, message):
    with pytest.raises(InputError, match=message):
        open_bytes(data, filename, tmp_path, **kwargs)
    assert not [p for p in tmp_path.iterdir() if p.is_file()], "a refused upload leaves no file behind"


def test_bad_paths_and_types(tmp_path):
    with pytest.raises(InputError, match=r"gone\.txt: no such file"):
        open_corpus(tmp_path / "gone.txt", filename="gone.txt")
    with pytest.raises(InputError, match="cannot read a corpus from a list"):
        open_corpus(["the king"], filename="x.txt")  # type: ignore[arg-type]


def test_with_preprocessing_that_leaves_nothing(tmp_path):
    corpus = open_bytes(b"a b c\n", "short.txt", tmp_path)
    with pytest.raises(InputError, match=r"short\.txt: no words left after preprocessing"):
        corpus.with_preprocessing(Preprocessing(min_token_length=2))


# --- zip safety -------------------------------------------------------------------------------------
def test_zip_with_too_many_entries(tmp_path):
    data = make_zip({f"doc{i}.txt": b"word\n" for i in range(5)})
    with pytest.raises(InputError, match=r"t\.zip: 5 entries, more than the limit of 3"):
        open_bytes(data, "t.zip", tmp_path, limits=CorpusLimits(max_zip_entries=3))


def test_zip_entry_claiming_a_huge_size(tmp_path):
    data = make_zip({"small.txt": b"a few words\n"}, compression=zipfile.ZIP_STORED)
    claims_3gb = patch_central_directory(data, 24, "<I", 3_000_000_000)  # uncompressed size field
    with pytest.raises(InputError, match=r"t\.zip, entry 'small\.txt': expands to 3,000,000,000 bytes.*zip bombs"):
        open_bytes(claims_3gb, "t.zip", tmp_path)
    real_bomb = make_zip({"bomb.txt": b"word " * 100_000})
    with pytest.raises(InputError, match=r"entry 'bomb\.txt': expands to 500,000 bytes"):
        open_bytes(real_bomb, "t.zip", tmp_path, limits=CorpusLimits(max_bytes=100_000))


@pytest.mark.parametrize("name", ["../evil.txt", "docs/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"])
def test_zip_path_tricks_are_refused(tmp_path, name):
    data = make_zip({"fine/ok.txt": b"hello\n", name: b"hello\n"})
    with pytest.raises(InputError, match=r"t\.zip: entry .*evil\.txt' has an unsafe path"):
        open_bytes(data, "t.zip", tmp_path)


def test_zip_encrypted_or_corrupt_entries(tmp_path):
    data = make_zip({"secret.txt": b"hello there\n"}, compression=zipfile.ZIP_STORED)
    encrypted = patch_central_directory(data, 8, "<H", 0x1)  # general purpose flag: encrypted
    with pytest.raises(InputError, match=r"t\.zip, entry 'secret\.txt': password-protected"):
        open_bytes(encrypted, "t.zip", tmp_path)
    corrupt = data.replace(b"hello there", b"hellO there")  # the CRC no longer matches
    with pytest.raises(InputError, match=r"t\.zip, entry 'secret\.txt': cannot be read \(Bad CRC-32"):
        open_bytes(corrupt, "t.zip", tmp_path)


# --- fuzzing ----------------------------------------------------------------------------------------
FILENAMES = st.sampled_from(["x.txt", "x.csv", "x.tsv", "x.zip", "x.txt.gz", "x", "x.csv.gz"])
TEXTY = st.text(alphabet=st.sampled_from('ab .,;\t"\n\r!?É\x00é'), max_size=80).map(lambda t: t.encode())
ARCHIVES = st.dictionaries(st.sampled_from(["a.txt", "b/c.txt", "d.csv", "../e.txt"]), TEXTY, max_size=3).map(make_zip)
PAYLOADS = st.one_of(st.binary(max_size=300), TEXTY, TEXTY.map(gzip.compress), ARCHIVES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=PAYLOADS,
    filename=FILENAMES,
    kind=st.sampled_from(["auto", "auto", "lines", "sentences", "csv", "zip"]),
    column=st.sampled_from([None, None, "a"]),
)
def test_any_bytes_give_a_corpus_or_an_input_error(tmp_path, data, filename, kind, column):
    limits = CorpusLimits(max_bytes=10_000, max_line_chars=50, max_zip_entries=5)
    try:
        corpus = open_bytes(data, filename, tmp_path, kind=kind, text_column=column, limits=limits)
    except InputError as exc:
        assert str(exc)
        return
    assert corpus_stats(corpus).tokens > 0

"""Words in context: occurrence extraction, bad input, the sense measure, and (with the optional
model installed) contextual vectors separating senses better than static GloVe."""

from __future__ import annotations

import numpy as np
import pytest

from app.contextual.model import missing_reason
from app.contextual.occurrences import (
    MAX_SENTENCE_CHARS,
    MAX_SENTENCES,
    decode_upload,
    find_occurrences,
    parse_sentences,
    read_sense_set,
    sense_words,
)
from app.contextual.senses import sense_recovery, static_vectors
from app.errors import InputError

needs_model = pytest.mark.skipif(missing_reason() is not None, reason=f"optional extra missing: {missing_reason()}")


def test_occurrences_positions_case_and_punctuation():
    sentences = parse_sentences("The Bank, by the bank.\n\nBanks and an embankment: no.\nbank")
    found = find_occurrences(sentences, "BANK")
    assert [(o.sentence, o.position) for o in found] == [(0, 1), (0, 4), (2, 0)]
    first = found[0]
    assert first.text[first.start : first.end] == "Bank"
    assert sentences[2].line == 4  # the blank line is skipped but line numbers stay true


def test_sense_set_is_labelled_and_balanced():
    sentences = read_sense_set()
    words = sense_words(sentences)
    assert {"bank", "bat", "crane", "spring", "match", "plant"} <= set(words)
    for word in words:
        senses = [o.sense for o in find_occurrences(sentences, word)]
        assert len(set(senses)) == 2 and min(senses.count(s) for s in set(senses)) >= 4


@pytest.mark.parametrize(
    ("text", "word", "message"),
    [
        ("", "bank", "no sentences"),
        ("fine\n" + "x" * (MAX_SENTENCE_CHARS + 1), "x", "line 2"),
        ("ok\nnul \x00 here", "ok", "line 2"),
        ("\n".join(["a bank"] * (MAX_SENTENCES + 1)), "bank", f"line {MAX_SENTENCES + 1}"),
        ("the river bank", "money", "does not occur"),
        ("the river bank", "two words", "single word"),
    ],
)
def test_bad_input_is_named(text, word, message):
    with pytest.raises(InputError, match=message):
        find_occurrences(parse_sentences(text), word)


def test_upload_not_utf8_names_the_line():
    with pytest.raises(InputError, match="notes.txt, line 2"):
        decode_upload(b"fine\n\xff\xfe bad", "notes.txt")


def test_static_vectors_cannot_separate_senses():
    senses = ["a"] * 5 + ["b"] * 5
    assert sense_recovery(static_vectors(np.ones(50), 10), senses) == 0.0


def test_sense_recovery_finds_planted_senses():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 16)) * 5
    vectors = np.vstack([centres[0] + rng.normal(size=(6, 16)), centres[1] + rng.normal(size=(6, 16))])
    assert sense_recovery(vectors, ["a"] * 6 + ["b"] * 6) == 1.0


@needs_model
def test_contextual_vectors_separate_senses_better_than_static():
    from app.contextual.encode import measure_sense_set

    events: list[float] = []
    measure = measure_sense_set(read_sense_set(), lambda fraction, message: events.append(fraction))
    assert events and events[-1] == 1.0
    assert all(m["static"] == 0.0 for m in measure.values())
    mean = sum(m["contextual"] for m in measure.values()) / len(measure)
    assert mean > 0.3
    assert measure["bank"]["contextual"] > 0.5


@needs_model
def test_encode_job_builds_a_space_with_metadata():
    from app.contextual.encode import encode_job

    sentences = parse_sentences("I sat on the bank.\nThe bank lent me money, and the bank smiled.")
    result = encode_job(sentences, "bank", name="bank", shared=False, progress=lambda f, m: None)
    assert len(result.space) == 3 and result.space.dim == 384
    assert list(result.space.metadata["position"]) == [4, 1, 7]
    assert not result.space.shared and result.measure == {}
    assert not np.allclose(result.space.vectors[0], result.space.vectors[1])

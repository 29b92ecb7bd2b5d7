"""Caps on free text (app.text.inputs): word lists, single words and searches answer nonsense with an
InputError that says the limit, never with an exception or a frozen server.

Formulas have their own tests in test_expressions.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.geometry.selection import matching_rows, select
from app.text.inputs import (
    MAX_PATTERN_CHARS,
    MAX_PATTERN_REPEATS,
    MAX_SEARCHED_CHARS,
    MAX_WORD_CHARS,
    MAX_WORD_LIST,
    MAX_WORD_LIST_CHARS,
    check_length,
    check_word,
    parse_word_list,
    preview,
)
from tests.conftest import make_space


# --- word lists -----------------------------------------------------------------------------------
def test_a_word_list_at_the_cap_is_accepted():
    words = [f"w{i}" for i in range(MAX_WORD_LIST)]
    assert parse_word_list("\n".join(words)) == words


def test_a_word_list_over_the_cap_says_the_limit_and_the_count():
    text = ", ".join(f"w{i}" for i in range(5_312))
    with pytest.raises(InputError, match="the word list has 5,312 different words; the limit is 2,000"):
        parse_word_list(text)


def test_repeats_do_not_count_towards_the_cap():
    assert parse_word_list("king\n" * (MAX_WORD_LIST * 5)) == ["king"]


def test_a_pasted_book_is_refused_before_it_is_split():
    text = "x," * (MAX_WORD_LIST_CHARS // 2 + 1)
    with pytest.raises(InputError, match=f"characters long; the limit is {MAX_WORD_LIST_CHARS:,}"):
        parse_word_list(text)


def test_a_word_over_the_cap_is_named_briefly():
    with pytest.raises(InputError) as caught:
        parse_word_list("king\n" + "q" * 5_000 + "\nqueen")
    message = str(caught.value)
    assert f"5,000 characters long; the limit for one word is {MAX_WORD_CHARS}" in message
    assert len(message) < 200, "the message quotes only the start of the word"


def test_word_list_errors_reach_the_explore_selection():
    space = make_space(["a", "b"], np.eye(2))
    with pytest.raises(InputError, match=f"the limit is {MAX_WORD_LIST:,}"):
        select(space, "list", words="\n".join(f"w{i}" for i in range(MAX_WORD_LIST + 1)))


@given(st.text(max_size=300) | st.lists(st.text(max_size=120), max_size=40).map(",".join))
@settings(deadline=None, max_examples=300)
def test_any_text_gives_a_word_list_or_an_input_error(text):
    try:
        words = parse_word_list(text)
    except InputError as exc:
        assert "the limit" in str(exc)
        return
    assert len(words) == len(set(words)) <= MAX_WORD_LIST
    assert all(0 < len(w) <= MAX_WORD_CHARS and w == w.strip() and "," not in w for w in words)


# --- single words -----------------------------------------------------------------------------------
def test_check_word_strips_and_caps():
    assert check_word("  queen \n") == "queen"
    assert check_word("") == ""
    assert check_word("q" * MAX_WORD_CHARS) == "q" * MAX_WORD_CHARS
    with pytest.raises(InputError, match=r"the expected answer 'qqq.*'… is 101 characters long; the limit"):
        check_word("q" * (MAX_WORD_CHARS + 1), "the expected answer")


def test_check_length_and_preview():
    check_length("abc", 3, "the thing")
    with pytest.raises(InputError, match="the thing is 4 characters long; the limit is 3"):
        check_length("abcd", 3, "the thing")
    assert preview("short") == "'short'"
    assert preview("x" * 1_000) == repr("x" * 30) + "…"


# --- searches --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_words():
    """Words that make a backtracking regular expression slow: long runs of one letter."""
    words = [("a" * n) + "!" for n in range(20, 60)] + ["king", "queen", "walking", "talking"]
    return make_space(words, np.ones((len(words), 2)))


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (r"(a+)+$", "repeats a group that itself repeats"),
        (r"(\w+)*$", "repeats a group that itself repeats"),
        (r"(.*a){8}", "repeats a group that itself repeats"),
        (r"(a|aa)+$", "repeats a choice"),
        (r".*.*.*!", f"has 3 repetitions (*, +, {{n,m}}); the limit is {MAX_PATTERN_REPEATS}"),
        (r"(a)\1", "back-references"),
        ("(", "not a valid regular expression"),
        ("x" * (MAX_PATTERN_CHARS + 1), f"characters long; the limit is {MAX_PATTERN_CHARS}"),
    ],
)
def test_slow_or_broken_searches_are_refused_at_once(long_words, pattern, fragment):
    with pytest.raises(InputError) as caught:
        matching_rows(long_words, pattern)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("^king", ["king"]), ("ing$", ["king", "walking", "talking"]), (r"^\w{4}$", ["king"]), ("^(wa|ta)lk", None)],
)
def test_ordinary_searches_still_work(long_words, pattern, expected):
    found = [long_words.words[i] for i in matching_rows(long_words, pattern)]
    assert found == (expected or ["walking", "talking"])


def test_a_search_looks_at_the_start_of_very_long_words():
    space = make_space(["x" * 500 + "tail", "x" * 20 + "tail"], np.eye(2))
    assert matching_rows(space, "tail") == [1]
    assert MAX_SEARCHED_CHARS < 500


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's "possible nested set" for patterns such as [[
@given(st.text(st.sampled_from(list("a!.*+?()|[]{}^$\\w1,")), max_size=24))
@settings(deadline=None, max_examples=300)
def test_any_search_gives_rows_or_an_input_error(long_words, pattern):
    """Quick whatever the pattern: it runs in RE2 (see test_regular_expressions_run_in_re2...)."""
    try:
        rows = matching_rows(long_words, pattern)
    except InputError as exc:
        assert str(exc)
    else:
        assert all(0 <= i < len(long_words) for i in rows)


# --- issue 16: the guard was bypassed; the search now runs in RE2 --------------------------------
@pytest.mark.parametrize("pattern", [".?" * 22 + ".{22}!", "(.?){22}.{22}!", "a?" * 30 + "a" * 30])
def test_the_patterns_that_froze_the_server_are_refused(long_words, pattern):
    with pytest.raises(InputError, match="repetitions|repeats a group"):
        matching_rows(long_words, pattern)


def test_regular_expressions_run_in_re2_which_cannot_backtrack(long_words, monkeypatch):
    import re2

    from app.geometry import selection

    compiled = selection.compile_search("^a{2,}!")
    assert isinstance(compiled, re2._Regexp)
    assert [long_words.words[i] for i in matching_rows(long_words, "^a{20}!")] == ["a" * 20 + "!"]
    calls = []
    monkeypatch.setattr(selection, "compile_search", lambda p: calls.append(p) or compiled)
    matching_rows(long_words, "a+!")
    assert calls == ["a+!"]


def test_whole_word_and_contains_are_plain_string_searches(long_words):
    assert [long_words.words[i] for i in matching_rows(long_words, "KING", "word")] == ["king"]
    assert [long_words.words[i] for i in matching_rows(long_words, "king, queen", "word")] == ["king", "queen"]
    assert [long_words.words[i] for i in matching_rows(long_words, "king", "contains")] == [
        "king",
        "walking",
        "talking",
    ]
    assert len(matching_rows(long_words, "alk", "contains")) == 2
    assert matching_rows(long_words, ".*.*.*.*(a+)+", "contains") == []  # no regex: nothing to refuse

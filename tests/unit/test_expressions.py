import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.io.loaders import load_vectors
from app.io.samples import SAMPLE_DATA, load_toy
from app.text.expressions import Expression, Term, expression_vector, parse
from app.text.inputs import (
    MAX_FORMULA_CHARS,
    MAX_FORMULA_DEPTH,
    MAX_FORMULA_TERMS,
    MAX_FORMULA_WEIGHT,
    MAX_WORD_CHARS,
)
from tests.conftest import make_space


def weights(text: str) -> dict[str, float]:
    return {t.word: t.weight for t in parse(text).terms}


@pytest.fixture(scope="module")
def toy():
    return load_toy()


# --- parsing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("king", {"king": 1.0}),
        ("king - man + woman", {"king": 1.0, "man": -1.0, "woman": 1.0}),
        ("2 * paris", {"paris": 2.0}),
        ("2*paris", {"paris": 2.0}),
        ("0.5 * king - 1.5 * queen", {"king": 0.5, "queen": -1.5}),
        ("avg(king, queen)", {"king": 0.5, "queen": 0.5}),
        ("mean(a, b, c, d)", {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}),
        ("AVG(king, queen)", {"king": 0.5, "queen": 0.5}),
        ("2 * avg(king, queen) - man", {"king": 1.0, "queen": 1.0, "man": -1.0}),
        ("avg(king - man, woman)", {"king": 0.5, "man": -0.5, "woman": 0.5}),
        ("king - (man - woman)", {"king": 1.0, "man": -1.0, "woman": 1.0}),
        ("3 * (king + queen)", {"king": 3.0, "queen": 3.0}),
        ("- king + queen", {"king": -1.0, "queen": 1.0}),
        ("-(king)", {"king": -1.0}),
        ("-2 * king", {"king": -2.0}),
        ("king -(man)", {"king": 1.0, "man": -1.0}),
        ("king + king", {"king": 2.0}),
        ("king - man + man", {"king": 1.0}),
        ("king - 0 * man", {"king": 1.0}),
        ("  king\t-\tman  ", {"king": 1.0, "man": -1.0}),
    ],
)
def test_parse_weights(text, expected):
    assert weights(text) == pytest.approx(expected)


@pytest.mark.parametrize("word", ["well-known", "king-man", "e-mail", "co-op", "-lrb-", "--", "a-", "u.s."])
def test_hyphenated_and_punctuated_words_stay_words(word):
    assert parse(word).terms == (Term(word, 1.0),)
    assert weights(f"{word} - man") == {word: 1.0, "man": -1.0}


def test_minus_needs_spaces_around_it_so_hyphenated_words_mix_with_arithmetic():
    assert weights("e-mail - mail + letter") == {"e-mail": 1.0, "mail": -1.0, "letter": 1.0}
    assert weights("king - well-known") == {"king": 1.0, "well-known": -1.0}


def test_a_number_without_a_star_is_a_word():
    assert weights("2 + king") == {"2": 1.0, "king": 1.0}
    assert weights("1984") == {"1984": 1.0}


def test_function_name_alone_is_a_word():
    assert weights("avg") == {"avg": 1.0}
    assert weights("mean + king") == {"mean": 1.0, "king": 1.0}


def test_expression_properties():
    expression = parse("king - man + woman + king")
    assert isinstance(expression, Expression)
    assert expression.text == "king - man + woman + king"
    assert expression.words == ["king", "man", "woman"]
    assert expression.positive == ["king", "woman"]
    assert expression.negative == ["man"]
    assert not expression.is_single_word
    assert parse(" king ").is_single_word
    assert parse(" king ").text == "king"
    assert not parse("2 * king").is_single_word


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("king +", "ends too early"),
        ("king -", "ends too early"),
        ("2 *", "ends too early"),
        ("+ king", "expected a word but found '+'"),
        ("* king", "expected a word but found '*'"),
        ("king + * queen", "expected a word but found '*'"),
        ("(king - man", "ends too early"),
        ("((king)", "ends too early"),
        ("king - man)", "unexpected ')'"),
        ("king )", "unexpected ')'"),
        ("()", "expected a word but found ')'"),
        ("avg()", "expected a word but found ')'"),
        ("avg(king,, queen)", "expected a word but found ','"),
        ("avg(king queen)", "expected ')' but found 'queen'"),
        ("king man", "unexpected 'man'"),
        ("a, b", "unexpected ','"),
        ("x * king", "unexpected '*'"),
        ("2 * 3 * king", "unexpected '*'"),
        ("king - king", "cancels out to nothing"),
        ("0 * king", "cancels out to nothing"),
        ("nan * king", "'nan' is not a usable weight"),
        ("inf * king", "'inf' is not a usable weight"),
        ("1e400 * king", "not a usable weight"),
    ],
)
def test_bad_formulas_raise_input_error_with_a_clear_message(text, fragment):
    with pytest.raises(InputError) as caught:
        parse(text)
    assert fragment in str(caught.value)


def test_too_long_formula_says_the_limit():
    text = " + ".join(["king"] * 150)
    assert len(text) > MAX_FORMULA_CHARS
    with pytest.raises(InputError, match=f"is {len(text):,} characters long; the limit is {MAX_FORMULA_CHARS}"):
        parse(text)


def test_too_many_words_says_the_limit():
    words = [f"w{i}" for i in range(MAX_FORMULA_TERMS + 1)]
    text = " + ".join(words)
    assert len(text) <= MAX_FORMULA_CHARS
    with pytest.raises(InputError, match=f"has {MAX_FORMULA_TERMS + 1} words .*; the limit is {MAX_FORMULA_TERMS}"):
        parse(text)
    assert len(parse(" + ".join(words[:MAX_FORMULA_TERMS])).terms) == MAX_FORMULA_TERMS
    with pytest.raises(InputError, match="counting repeats"):  # repeats count: each one is work
        parse(" + ".join(["a"] * (MAX_FORMULA_TERMS + 1)))


@pytest.mark.parametrize("opening", ["(", "avg(", "1 * (", "-("])
def test_deep_nesting_says_the_limit(opening):
    deepest = opening * MAX_FORMULA_DEPTH + "king" + ")" * MAX_FORMULA_DEPTH
    assert parse(deepest).words == ["king"]
    too_deep = opening * (MAX_FORMULA_DEPTH + 1) + "king" + ")" * (MAX_FORMULA_DEPTH + 1)
    with pytest.raises(InputError, match=f"more than {MAX_FORMULA_DEPTH} deep; the limit is {MAX_FORMULA_DEPTH}"):
        parse(too_deep)
    with pytest.raises(InputError):  # far deeper than Python's stack: still a message, never a RecursionError
        parse("(" * (MAX_FORMULA_CHARS - 1) + "a")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (f"{MAX_FORMULA_WEIGHT + 1} * king", f"between -{MAX_FORMULA_WEIGHT:,} and {MAX_FORMULA_WEIGHT:,}"),
        ("-1e6 * king", "too large"),
        ("1e200 * (1e200 * king)", "too large"),
        ("1000 * (1000 * king)", f"multiply up to 1e+06 for 'king'; the limit is {MAX_FORMULA_WEIGHT:,}"),
        ("1e-12 * king", "cancels out to nothing"),
        ("k" * (MAX_WORD_CHARS + 1) + " - man", f"the limit for one word is {MAX_WORD_CHARS}"),
    ],
)
def test_weights_and_words_are_capped(text, fragment):
    with pytest.raises(InputError) as caught:
        parse(text)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("text", ["king " * 200_000, "(" * 1_000_000, "x" * 1_000_000])
def test_a_huge_input_gets_a_short_message(text):
    with pytest.raises(InputError) as caught:
        parse(text)
    assert len(str(caught.value)) < 200


def test_rounding_residue_cancels_out():
    assert parse("0.1 * a + 0.2 * a - 0.3 * a + b").words == ["b"]


def test_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("king +")


_WORD_CHARS = st.characters(categories=("L", "N", "P", "S"), exclude_characters="()*,+")
_words = st.text(_WORD_CHARS, min_size=1, max_size=8).filter(lambda w: w != "-")


@given(st.lists(_words, min_size=1, max_size=10))
@settings(deadline=None)  # a loaded machine must not make a fast parser 'too slow'
def test_words_joined_with_plus_parse_to_the_same_words(words):
    expression = parse(" + ".join(words))
    assert expression.words == list(dict.fromkeys(words))
    counts = {w: float(words.count(w)) for w in words}
    assert {t.word: t.weight for t in expression.terms} == counts


@given(st.lists(_words, min_size=2, max_size=10, unique=True))
@settings(deadline=None)  # a loaded machine must not make a fast parser 'too slow'
def test_words_joined_with_minus_are_negative_after_the_first(words):
    expression = parse(" - ".join(words))
    assert expression.positive == words[:1]
    assert expression.negative == words[1:]


def assert_expression_or_input_error(text: str) -> None:
    """Any text: an Expression within every cap, or an InputError with a message; nothing else."""
    try:
        expression = parse(text)
    except InputError as exc:
        assert str(exc)
        return
    assert isinstance(expression, Expression)
    assert len(expression.text) <= MAX_FORMULA_CHARS
    assert 1 <= len(expression.terms) <= MAX_FORMULA_TERMS
    assert all(np.isfinite(t.weight) and 0 < abs(t.weight) <= MAX_FORMULA_WEIGHT for t in expression.terms)
    assert all(0 < len(t.word) <= MAX_WORD_CHARS for t in expression.terms)


@given(st.text(max_size=60))
@settings(deadline=None)  # a loaded machine must not make a fast parser 'too slow'
def test_parse_never_fails_other_than_with_input_error(text):
    assert_expression_or_input_error(text)


@given(st.text(max_size=MAX_FORMULA_CHARS + 100) | st.text(st.characters(codec="utf-8"), min_size=400, max_size=800))
@settings(deadline=None, max_examples=200)
def test_any_text_of_any_length_gives_an_expression_or_an_input_error(text):
    assert_expression_or_input_error(text)


_TOKENS = st.sampled_from(
    [
        *("king", "man", "woman", "well-known", "avg", "mean", "AVG", "x" * (MAX_WORD_CHARS + 1)),
        *("+", "-", "*", "(", ")", ",", "avg(", "mean(", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\x00"),
        *("2", "-2", "0", "0.5", "1e3", "1e308", "-1e-320", "nan", "inf", "-inf", "1_000", "\u0661", "1e400"),
    ]
)


@given(st.lists(_TOKENS, max_size=80).map("".join) | st.lists(_TOKENS, max_size=80).map(" ".join))
@settings(deadline=None, max_examples=300)
def test_formula_shaped_text_gives_an_expression_or_an_input_error(text):
    assert_expression_or_input_error(text)


# --- vectors ------------------------------------------------------------------------------
def test_raw_vectors_king_minus_man_plus_woman_is_queen_on_the_toy_space(toy):
    vector = expression_vector(toy, parse("king - man + woman"), unit=False)
    np.testing.assert_allclose(vector, toy.vector("queen"), atol=1e-6)


def test_unit_vectors_are_summed_with_weights(toy):
    unit = toy.unit_vectors
    expected = 2 * unit[toy.index("paris")] - unit[toy.index("rome")]
    np.testing.assert_allclose(expression_vector(toy, parse("2 * paris - rome")), expected, atol=1e-6)
    expected = (unit[toy.index("king")] + unit[toy.index("queen")]) / 2
    np.testing.assert_allclose(expression_vector(toy, parse("avg(king, queen)")), expected, atol=1e-6)
    assert expression_vector(toy, parse("king")).dtype == np.float32


def test_zero_vector_words_do_not_divide_by_zero():
    space = make_space(["zero", "one"], [[0, 0], [3, 4]])
    vector = expression_vector(space, parse("zero + one"))
    np.testing.assert_allclose(vector, [0.6, 0.8], atol=1e-6)


def test_unknown_word_is_named(toy):
    with pytest.raises(InputError) as caught:
        expression_vector(toy, parse("king - mann + woman"))
    message = str(caught.value)
    assert "'mann'" in message
    assert "Toy royalty set" in message
    assert "'king'" not in message


def test_unknown_words_are_all_named(toy):
    with pytest.raises(InputError, match="'foo', 'bar'"):
        expression_vector(toy, parse("foo + king - bar"))


def test_hint_to_put_spaces_around_the_minus(toy):
    with pytest.raises(InputError, match="put spaces around the minus: 'king - man'"):
        expression_vector(toy, parse("king-man"))
    with pytest.raises(InputError, match="'king - man - woman'"):
        expression_vector(toy, parse("king-man-woman"))


def test_hint_for_capitalised_word(toy):
    with pytest.raises(InputError, match="'King' \\(try 'king'\\)"):
        expression_vector(toy, parse("King - man"))


def test_fasttext_space_builds_unseen_words_from_subwords():
    space = load_vectors(SAMPLE_DATA / "tiny_fasttext.bin")
    assert "kingdoms" not in space
    vector = expression_vector(space, parse("kingdoms"), unit=False)
    np.testing.assert_allclose(vector, space.subwords.get_vector("kingdoms"), rtol=1e-6)
    assert np.linalg.norm(vector) > 0

import numpy as np
import pytest
from gensim.models import KeyedVectors

from app.errors import InputError
from app.figures.plots import analogy_figure
from app.geometry.analogies import (
    FAMOUS,
    analogy_scores,
    honesty_check,
    honesty_skipped,
    odd_one_out,
    similarity,
    solve,
    unknown_expected,
)
from app.io.samples import load_glove, load_toy


@pytest.fixture(scope="module")
def glove():
    return load_glove(20_000)


@pytest.fixture(scope="module")
def gensim_kv(glove):
    kv = KeyedVectors(glove.dim)
    kv.add_vectors(list(glove.words), glove.vectors)
    return kv


def test_toy_space_answers_exactly():
    toy = load_toy()
    for method in ("3cosadd", "3cosmul", "pairdirection"):
        assert solve(toy, "man", "king", "woman", method=method).best == "queen"


@pytest.mark.parametrize(
    ("a", "b", "c"), [("man", "king", "woman"), ("france", "paris", "japan"), ("good", "better", "bad")]
)
def test_3cosadd_and_3cosmul_match_gensim(glove, gensim_kv, a, b, c):
    ours = solve(glove, a, b, c, k=5)
    theirs = gensim_kv.most_similar(positive=[b, c], negative=[a], topn=5)
    assert ours.table["word"].tolist() == [w for w, _ in theirs]
    np.testing.assert_allclose(ours.table["score"], [s for _, s in theirs], atol=1e-5)
    ours_mul = solve(glove, a, b, c, method="3cosmul", k=5)
    theirs_mul = gensim_kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
    assert ours_mul.table["word"].tolist() == [w for w, _ in theirs_mul]
    np.testing.assert_allclose(ours_mul.table["score"], [s for _, s in theirs_mul], rtol=1e-5)


def test_pair_direction_against_a_brute_force_reference(glove):
    unit = glove.unit_vectors.astype(np.float64)
    a, b, c = (unit[glove.index(w)] for w in ("man", "king", "woman"))
    offset = b - a
    expected = []
    for x in unit:
        d = x - c
        norm = np.linalg.norm(d)
        expected.append(-np.inf if norm < 1e-6 else d @ offset / (norm * np.linalg.norm(offset)))
    scores = analogy_scores(glove, "man", "king", "woman", "pairdirection")
    finite = np.isfinite(expected)
    np.testing.assert_allclose(scores[finite], np.array(expected)[finite], atol=1e-4)


def test_exclusion_rule_and_expected_rank(glove):
    excluded = solve(glove, "man", "king", "woman", expected="queen")
    assert excluded.best == "queen" and excluded.expected_rank == 1
    assert excluded.unrestricted_top == "king" and excluded.unrestricted_role == "b"
    included = solve(glove, "man", "king", "woman", exclude_question_words=False, expected="queen")
    assert included.best == "king" and included.table["role"].iloc[0] == "b"
    assert included.expected_rank == 2
    question_word = solve(glove, "man", "king", "woman", expected="king")
    assert question_word.expected_rank is None


def test_honesty_check_counts_question_word_answers(glove):
    table = honesty_check(glove)
    assert len(table) == sum(all(w in glove for w in row) for row in FAMOUS)
    king = table[table["analogy"] == "man : king :: woman : ?"].iloc[0]
    assert king["answer (nothing excluded)"] == "king" and king["that is"] == "b itself"


def test_honesty_check_and_skipped_cover_every_famous_analogy(glove):
    skipped = honesty_skipped(glove)
    assert len(honesty_check(glove)) + len(skipped) == len(FAMOUS)
    assert skipped["missing"].tolist() == ["homemaker", "homemaker"]
    assert honesty_skipped(glove, [("man", "king", "womn", "qeen")])["missing"].tolist() == ["womn, qeen"]


def test_unknown_expected_answer_is_named_not_raised(glove):
    assert unknown_expected(glove, "qeen") == f"the expected answer 'qeen' is not in {glove.name!r}"
    assert unknown_expected(glove, " queen ") is None and unknown_expected(glove, "") is None
    assert unknown_expected(glove, None) is None


def test_odd_one_out_and_similarity_match_gensim(glove, gensim_kv):
    words = ["breakfast", "cereal", "dinner", "lunch"]
    assert odd_one_out(glove, words)["word"].iloc[-1] == gensim_kv.doesnt_match(words)
    assert similarity(glove, ["king"], ["queen"]) == pytest.approx(gensim_kv.similarity("king", "queen"), abs=1e-6)
    assert similarity(glove, ["king", "man"], ["queen", "woman"]) == pytest.approx(
        gensim_kv.n_similarity(["king", "man"], ["queen", "woman"]), abs=1e-6
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: solve(s, "man", "king", "xyzzyq"), "'xyzzyq'"),
        (lambda s: solve(s, "", "king", "woman"), "word a is empty"),
        (lambda s: solve(s, "man", "king", "woman", method="magic"), "unknown method"),
        (lambda s: solve(s, "man", "king", "woman", expected="qqqzzz"), "expected answer 'qqqzzz'"),
        (lambda s: solve(s, "man", "man", "woman", method="pairdirection"), "same direction"),
        (lambda s: odd_one_out(s, ["king", "queen"]), "at least 3"),
        (lambda s: similarity(s, ["king"], ["zzzqqq"]), "'zzzqqq'"),
    ],
)
def test_bad_input_is_named(glove, call, message):
    with pytest.raises(InputError, match=message):
        call(glove)


def test_analogy_figure_draws_the_parallelogram(glove):
    answer = solve(glove, "man", "king", "woman", expected="queen")
    figure = analogy_figure(glove, answer)
    texts = [t.text[0] for t in figure.data]
    assert {"man (a)", "king (b)", "woman (c)", "queen", "c + (b − a)"} <= set(texts)
    assert [a.text for a in figure.layout.annotations if a.text] == ["b − a", "? − c"]

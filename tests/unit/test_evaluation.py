"""Benchmarks: the same numbers as gensim's evaluators, 3CosMul against a brute-force reference,
every built-in file loads, and bad files fail with the line named."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from app.errors import InputError
from app.evaluation import analogy_bench, evaluate_benchmark
from app.evaluation.analogy_bench import estimate_seconds, evaluate_analogies, search_range
from app.evaluation.benchmarks import BENCHMARKS, read_analogies, read_pairs
from app.evaluation.word_pairs import evaluate_word_pairs
from app.geometry.analogies import COSMUL_EPSILON
from app.io.samples import load_glove
from app.space import EmbeddingSpace
from tests.conftest import make_space

QUESTIONS = datapath("questions-words.txt")


@pytest.fixture(scope="module")
def glove() -> EmbeddingSpace:
    return load_glove(20_000)


def keyed_vectors(space: EmbeddingSpace) -> KeyedVectors:
    kv = KeyedVectors(space.dim)
    kv.add_vectors(list(space.words), space.vectors)
    return kv


@pytest.fixture(scope="module")
def glove_kv(glove) -> KeyedVectors:
    return keyed_vectors(glove)


def gensim_sections(sections: list[dict]) -> list[tuple[str, int, int]]:
    return [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections]


def assert_same_as_gensim(space, kv, path, **options) -> None:
    ours = evaluate_analogies(space, path, **options)
    score, sections = kv.evaluate_word_analogies(str(path), **options)
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert [(s.name, s.correct, s.total) for s in ours.sections] == gensim_sections(sections[:-1])
    assert ("Total accuracy", ours.correct, ours.total) == gensim_sections(sections[-1:])[0]
    assert ours.summary.iloc[-1].tolist()[:3] == ["Total accuracy", ours.correct, ours.total]
    assert ours.oov + ours.total == len(ours.questions)
    assert len(ours.wrong) == ours.total - ours.correct


# --- analogies: parity with gensim -----------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"restrict_vocab": 20_000},
        {"restrict_vocab": 3_000},
        {"restrict_vocab": 20_000, "case_insensitive": False},
    ],
)
def test_google_analogies_match_gensim_section_by_section(glove, glove_kv, options):
    assert_same_as_gensim(glove, glove_kv, QUESTIONS, **options)


def test_msr_analogies_match_gensim(glove, glove_kv):
    assert_same_as_gensim(glove, glove_kv, BENCHMARKS["msr"].path, restrict_vocab=20_000)


def test_case_variants_follow_gensims_top5_walk(glove, monkeypatch):
    """With "Paris" and "PARIS" beside "paris", the best answer is often another casing of a question
    word; gensim then takes the next of its top 5. The batched answer must agree."""
    base = glove.head(2_000)
    rng = np.random.default_rng(1)
    words, vectors = list(base.words), list(base.vectors)
    for i in rng.choice(len(base), 1_000, replace=False):
        for variant in (base.words[i].capitalize(), base.words[i].upper()):
            if variant not in words:
                words.append(variant)
                vectors.append(base.vectors[i] + rng.normal(0, 0.3, base.dim).astype(np.float32))
    order = rng.permutation(len(words))  # variants sometimes come first, so they are the ones used
    space = make_space([words[i] for i in order], np.asarray(vectors)[order])
    kv = keyed_vectors(space)
    walks = []
    walk = analogy_bench._gensim_walk
    monkeypatch.setattr(
        analogy_bench, "_gensim_walk", lambda *args, **kwargs: walks.append(kwargs) or walk(*args, **kwargs)
    )
    assert_same_as_gensim(space, kv, QUESTIONS, restrict_vocab=len(space))
    assert_same_as_gensim(space, kv, QUESTIONS, restrict_vocab=1_500)
    assert len(walks) > 20  # the rare path was taken, and agreed with gensim


def test_result_lists_each_question_with_expected_and_predicted(glove):
    result = evaluate_analogies(glove, QUESTIONS, restrict_vocab=20_000)
    q = result.questions
    assert list(q.columns) == ["section", "line", "a", "b", "c", "expected", "predicted", "score", "correct", "oov"]
    assert len(q) == 19_544
    athens = q.iloc[0]
    assert (athens["line"], athens["a"], athens["expected"]) == (2, "Athens", "Iraq")
    assert q.loc[q["oov"], "predicted"].isna().all()
    answered = q[~q["oov"]]
    assert answered["predicted"].notna().all()
    assert (answered["correct"] == (answered["predicted"].str.upper() == answered["expected"].str.upper())).all()
    assert result.oov_ratio == pytest.approx(100 * result.oov / 19_544)
    wrong = result.wrong
    assert not wrong["correct"].any() and not wrong["oov"].any()


# --- analogies: brute-force references ---------------------------------------------------------------
def sample_questions(space: EmbeddingSpace, n: int, per_section: int, seed: int = 0) -> bytes:
    """A few in-vocabulary questions from every section of questions-words.txt, as an uploaded file."""
    questions = read_analogies(QUESTIONS)
    vocab = set(space.words[:n])
    rng = np.random.default_rng(seed)
    lines = []
    for s, name in enumerate(questions.sections):
        rows = [i for i in np.flatnonzero(questions.section == s) if {w.lower() for w in questions.words[i]} <= vocab]
        lines.append(f": {name}")
        lines += [" ".join(questions.words[i]) for i in rng.choice(rows, min(per_section, len(rows)), replace=False)]
    return "\n".join(lines).encode()


def brute_force(unit: np.ndarray, rows: list[int], method: str) -> np.ndarray:
    """One question (rows of a, b, c), every restricted word scored in float64 straight from the formula."""
    va, vb, vc = unit[rows]
    if method == "3cosadd":
        scores = unit @ ((vb - va + vc) / np.linalg.norm(vb - va + vc))
    else:
        shifted = [(unit @ v + 1) / 2 for v in (va, vb, vc)]
        scores = shifted[1] * shifted[2] / (shifted[0] + COSMUL_EPSILON)
    scores[rows] = -np.inf
    return scores


@pytest.mark.parametrize("method", ["3cosmul", "3cosadd"])
def test_batched_answers_match_a_brute_force_reference(glove, method):
    n = 10_000
    upload = (sample_questions(glove, n, per_section=25), "sample.txt")
    result = evaluate_analogies(glove, upload, restrict_vocab=n, method=method)
    unit = glove.vectors[:n].astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    assert result.oov == 0 and result.total > 300
    for row in result.questions.itertuples():
        scores = brute_force(unit, [glove.index(w.lower()) for w in (row.a, row.b, row.c)], method)
        best = int(np.argmax(scores))
        # the same word, or (float32 rounding) one whose score is as good as the best
        assert row.predicted == glove.words[best] or scores[glove.index(row.predicted)] >= scores[best] - 1e-6
        assert row.score == pytest.approx(scores[best], rel=1e-5)
        assert row.correct == (row.predicted == row.expected.lower())


def test_progress_is_reported_per_chunk(glove):
    calls = []
    evaluate_analogies(glove, QUESTIONS, restrict_vocab=5_000, progress=lambda f, m: calls.append((f, m)))
    assert len(calls) >= 2
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "questions" in calls[-1][1]


def test_toy_analogy_and_tiny_vocabularies():
    space = make_space(["man", "woman", "king", "queen"], [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1]])
    data = b": royals\nman woman king queen\nman king woman queen\n: empty\n"
    result = evaluate_analogies(space, (data, "royals.txt"))
    assert (result.correct, result.total, result.accuracy) == (2, 2, 1.0)
    assert [s.name for s in result.sections] == ["royals", "empty"]
    assert result.sections[1].accuracy == 0.0
    all_oov = evaluate_analogies(space, (data, "royals.txt"), restrict_vocab=3)
    assert (all_oov.total, all_oov.oov, all_oov.accuracy, all_oov.oov_ratio) == (0, 2, 0.0, 100.0)


# --- word pairs: parity with gensim -----------------------------------------------------------------
def assert_pairs_like_gensim(space, kv, ours_path, gensim_path, **options) -> None:
    ours = evaluate_word_pairs(space, ours_path, **options)
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(str(gensim_path), **options)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert ours.pearson_p == pytest.approx(pearson[1], rel=1e-4, abs=1e-12)
    assert ours.spearman_p == pytest.approx(spearman[1], rel=1e-4, abs=1e-12)
    assert ours.oov_ratio == pytest.approx(oov_ratio, abs=1e-6)


PAIR_OPTIONS = [
    {},
    {"restrict_vocab": 5_000, "dummy4unknown": True},
    {"restrict_vocab": 5_000, "case_insensitive": False},
]


@pytest.mark.parametrize("options", PAIR_OPTIONS)
@pytest.mark.parametrize("file", ["wordsim353.tsv", "simlex999.txt"])
def test_gensim_pair_files_match_gensim(glove, glove_kv, file, options):
    assert_pairs_like_gensim(glove, glove_kv, datapath(file), datapath(file), **options)


@pytest.mark.parametrize("options", PAIR_OPTIONS)
@pytest.mark.parametrize("key", [k for k, b in BENCHMARKS.items() if b.kind == "pairs"])
def test_builtin_pair_files_match_gensim_on_the_same_pairs(glove, glove_kv, tmp_path, key, options):
    """Our reader takes each file as it is; gensim gets the same pairs rewritten in its own format."""
    pairs = read_pairs(BENCHMARKS[key].path)
    converted = tmp_path / "pairs.tsv"
    converted.write_text(
        "".join(f"{a}\t{b}\t{float(h)!r}\n" for a, b, h in zip(pairs.word1, pairs.word2, pairs.human, strict=True))
    )
    assert_pairs_like_gensim(glove, glove_kv, BENCHMARKS[key].path, converted, **options)


def test_pair_table_and_worst_pairs(glove):
    result = evaluate_word_pairs(glove, datapath("wordsim353.tsv"))
    table = result.pairs
    assert list(table.columns) == ["line", "word1", "word2", "human", "model", "oov"]
    assert len(table) == 353 and table.loc[0, "line"] == 3
    assert table.loc[~table["oov"], "model"].between(-1, 1).all()
    assert table.loc[table["oov"], "model"].isna().all()
    assert result.evaluated == 353 - result.oov
    worst = result.worst(10)
    assert len(worst) == 10 and worst["disagreement"].is_monotonic_decreasing


def test_header_line_and_delimiter_guessing():
    space = make_space(["cat", "dog", "car", "tree"], [[1, 0], [0.9, 0.1], [0, 1], [0.5, 0.5]])
    rows = [("cat", "dog", 9.0), ("cat", "car", 1.0), ("dog", "tree", 5.0), ("car", "tree", 4.0)]
    for delimiter in ("\t", ",", " "):
        text = f"word1{delimiter}word2{delimiter}score\n" + "".join(
            f"{a}{delimiter}{b}{delimiter}{s}\n" for a, b, s in rows
        )
        pairs = read_pairs((text.encode(), "pairs.txt"), delimiter=None)
        assert pairs.header is not None and pairs.human.tolist() == [9.0, 1.0, 5.0, 4.0]
        result = evaluate_word_pairs(space, (text.encode(), "pairs.txt"), delimiter=None)
        assert result.spearman == pytest.approx(1.0)


# --- the registry ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "count"),
    [("google", 19_544), ("msr", 8_000), ("wordsim353", 353), ("simlex999", 999), ("men", 2_997), ("rg65", 65)]
    + [("mturk771", 770), ("rw", 2_034)],
)
def test_every_builtin_benchmark_loads(key, count):
    bench = BENCHMARKS[key]
    assert bench.path.is_file() and bench.citation and bench.kind in ("analogy", "pairs")
    parsed = read_analogies(bench.path) if bench.kind == "analogy" else read_pairs(bench.path)
    assert len(parsed) == count


def test_evaluate_benchmark_dispatches_on_kind(glove):
    assert evaluate_benchmark(glove, "rg65").pearson > 0.5
    with pytest.raises(InputError, match="unknown benchmark"):
        evaluate_benchmark(glove, "nope")


# --- bad files ------------------------------------------------------------------------------------
TOY = make_space(["a", "b", "c", "d"], np.eye(4))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "bad.txt: the file is empty"),
        (b"  \n\n", "bad.txt: the file is empty"),
        (b": s\na b c d\n\x00\x01\x02binary", r"bad.txt, line 3: .*binary"),
        (b": s\na b c d\na b c\n", r"bad.txt, line 3: expected 4 words .* got 3"),
        (b": s\na b c d e\n", r"bad.txt, line 2: expected 4 words .* got 5"),
        (b"a b c d\n", r"bad.txt, line 1: a question before the first ': section' line"),
        (b": s\na b c d\n: t\ncaf\xe9 b c d\n", r"bad.txt, line 4: not UTF-8"),
        (b": only a section\n\n", r"bad.txt: no analogy questions found"),
    ],
)
def test_bad_analogy_files_name_the_line(data, message):
    with pytest.raises(InputError, match=message):
        evaluate_analogies(TOY, (data, "bad.txt"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "bad.tsv: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"bad.tsv, line 3: .*binary"),
        (b"a\tb\t1.0\nc\td\tlots\n", r"bad.tsv, line 2: the score 'lots' is not a number"),
        (b"# comment\na\tb\t1\nc\td\tnan\n", r"bad.tsv, line 3: the score 'nan' is not a number"),
        (b"a\tb\t1.0\nc\td\n", r"bad.tsv, line 2: expected word1, word2 and a score .* got 2 fields"),
        (b"a\tb\t1.0\n\xff\xfe\tb\t2\n", r"bad.tsv, line 2: not UTF-8"),
        (b"# only comments\n", r"bad.tsv: no word pairs found"),
        (b"a\tz\t1\nb\ty\t2\n", r"bad.tsv: 0 of 2 pairs have both words"),
    ],
)
def test_bad_pair_files_name_the_line(data, message):
    with pytest.raises(InputError, match=message):
        evaluate_word_pairs(TOY, (data, "bad.tsv"))


def test_bad_options_and_sources(tmp_path):
    data = (b": s\na b c d\n", "ok.txt")
    with pytest.raises(InputError, match="unknown method"):
        evaluate_analogies(TOY, data, method="3cosavg")
    with pytest.raises(InputError, match="restrict_vocab must be at least 1"):
        evaluate_analogies(TOY, data, restrict_vocab=0)
    with pytest.raises(InputError, match="missing.txt: no such file"):
        evaluate_analogies(TOY, tmp_path / "missing.txt")
    with pytest.raises(InputError, match="cannot read a file from a int"):
        evaluate_word_pairs(TOY, 42)


def test_uploaded_file_objects_are_read():
    class Upload:
        name = "upload.txt"

        def getvalue(self) -> bytes:
            return b": s\na b c d\n"

    result = evaluate_analogies(TOY, Upload())
    assert result.name == "upload.txt" and result.total == 1


# --- what the page offers and says ------------------------------------------------------------------
def test_search_range_follows_the_largest_space():
    assert search_range([20_000]) == search_range([20_000, 4])
    small = search_range([20_000])
    assert (small.minimum, small.default, small.maximum) == (1_000, 20_000, 20_000)
    large = search_range([400_000, 20_000])
    assert (large.default, large.maximum, large.step) == (300_000, 400_000, 10_000)
    toy = search_range([4])
    assert (toy.minimum, toy.default, toy.maximum) == (4, 4, 4)


def test_estimate_grows_with_the_searched_words_and_3cosmul():
    big, small = make_space(list("abcdefgh"), np.eye(8)), make_space(list("abcd"), np.eye(4))
    add = estimate_seconds([big], restrict_vocab=8, method="3cosadd", questions=10**9)
    assert add > estimate_seconds([big], restrict_vocab=4, method="3cosadd", questions=10**9) > 1
    assert estimate_seconds([big], restrict_vocab=8, method="3cosmul", questions=10**9) > add
    assert estimate_seconds([big, small], restrict_vocab=8, method="3cosadd", questions=10**9) > add


def test_results_say_what_they_mean():
    space = make_space(["man", "woman", "king", "queen"], [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1]])
    data = b": royals\nman woman king queen\nman king woman princess\n"
    sentence = evaluate_analogies(space, (data, "royals.txt")).meaning("Toy")
    assert sentence.startswith("Toy: the best answer was exactly the expected word for 1 of the 1 questions")
    assert "1 of 2 (50.0%) were skipped because a word is not among its first 4 words" in sentence
    pairs = b"man\twoman\t5\nking\tqueen\t6\nman\tking\t8\nwoman\tqueen\t9\n"
    said = evaluate_word_pairs(space, (pairs, "p.tsv")).meaning("Toy", "Mine")
    assert said.startswith("On Mine, Toy orders the 4 pairs it knows") and "Spearman ρ" in said

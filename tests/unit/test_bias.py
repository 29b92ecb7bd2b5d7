"""Bias measures: hand computations on toy vectors, published behaviour on GloVe 6B 50d."""

import itertools

import numpy as np
import pytest

from app.bias.debias import debias_plan, default_neutral_words, equalize_candidates, hard_debias
from app.bias.debias_check import debias_report
from app.bias.directions import (
    as_direction,
    direction_from_formula,
    direction_from_pair,
    direction_from_pairs,
    direction_from_sets,
)
from app.bias.measures import direct_bias, project_words, ripa, two_axis
from app.bias.presets import gender_direction, gender_preset, load_weat_tests
from app.bias.weat import run_weat_test, weat
from app.bias.words import resolve_words
from app.errors import InputError
from app.io.samples import load_glove
from tests.conftest import make_space


@pytest.fixture(scope="module")
def glove100k():
    return load_glove(100_000)


@pytest.fixture(scope="module")
def glove50k():
    return load_glove(50_000)


@pytest.fixture(scope="module")
def gender(glove50k):
    preset = gender_preset(glove50k)
    direction = gender_direction(glove50k, name="gender")
    plan = debias_plan(glove50k, direction)
    debiased = hard_debias(glove50k, direction, neutral_words=plan.neutral_words, equalize_pairs=plan.equalize_pairs)
    return preset, direction, debiased


def random_space(n_words: int, dim: int, seed: int = 0, prefix: str = "w"):
    vectors = np.random.default_rng(seed).standard_normal((n_words, dim))
    return make_space([f"{prefix}{i}" for i in range(n_words)], vectors)


def unit(matrix):
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


def hand_weat(space, x, y, a, b, ddof=1):
    """s(w, A, B), statistic and effect size written out from Caliskan et al.'s definitions."""

    def vec(word):
        return unit(space.vectors[space.index(word)])

    def s(word):
        return np.mean([vec(word) @ vec(w) for w in a]) - np.mean([vec(word) @ vec(w) for w in b])

    sx, sy = np.array([s(w) for w in x]), np.array([s(w) for w in y])
    statistic = sx.sum() - sy.sum()
    effect = (sx.mean() - sy.mean()) / np.concatenate([sx, sy]).std(ddof=ddof)
    return np.concatenate([sx, sy]), statistic, effect


# --- WEAT ------------------------------------------------------------------------------------------
def test_weat_matches_a_hand_computation_on_toy_vectors():
    space = random_space(14, 5, seed=1)
    x, y, a, b = ["w0", "w1", "w2"], ["w3", "w4", "w5"], ["w6", "w7", "w8", "w9"], ["w10", "w11", "w12"]
    s, statistic, effect = hand_weat(space, x, y, a, b)
    result = weat(space, x, y, a, b)
    np.testing.assert_allclose(result.scores["association"], s, atol=1e-6)
    assert result.statistic == pytest.approx(statistic, abs=1e-6)
    assert result.effect_size == pytest.approx(effect, abs=1e-5)
    assert result.std == "sample" and result.exact and result.permutations_used == 20  # C(6, 3)
    population = weat(space, x, y, a, b, std="population")
    assert population.effect_size == pytest.approx(hand_weat(space, x, y, a, b, ddof=0)[2], abs=1e-5)
    assert weat(space, x, y, a, b, std="pooled").effect_size == pytest.approx(effect, abs=1e-5)
    # the exact p-value by brute force over the 20 partitions of X u Y
    targets = x + y
    null = []
    for side in itertools.combinations(range(6), 3):
        rest = [i for i in range(6) if i not in side]
        null.append(s[list(side)].sum() - s[rest].sum())
    assert result.p_value == pytest.approx(np.mean(np.array(null) >= statistic - 1e-12))
    two_sided = weat(space, x, y, a, b, alternative="two-sided")
    assert two_sided.p_value == pytest.approx(np.mean(np.abs(null) >= abs(statistic) - 1e-12))
    assert result.scores["word"].tolist() == targets
    assert result.scores["role"].tolist() == ["X"] * 3 + ["Y"] * 3


def test_weat_1_on_glove_shows_the_flowers_insects_bias(glove100k):
    result = run_weat_test(glove100k, 1)
    print(f"WEAT 1 on GloVe 6B 50d (100k): d = {result.effect_size:.3f}, p = {result.p_value_text}")
    assert result.effect_size > 1.0
    assert result.p_value < 0.01
    assert not result.exact and result.permutations_used == 10_000
    assert set(result.missing["X"]) == {"gladiola", "petunia", "zinnia"}
    assert result.sizes == {"X": 22, "Y": 22, "A": 25, "B": 25}
    assert result.names["X"] == "Flowers" and result.names["B"] == "Unpleasant"
    assert np.isfinite(result.scores["association"]).all()


def test_exact_and_sampled_permutation_tests_agree():
    space = random_space(30, 6, seed=3)
    words = list(space.words)
    x, y, a, b = words[:8], words[8:16], words[16:23], words[23:30]
    for alternative in ("greater", "less", "two-sided"):
        exact = weat(space, x, y, a, b, permutations=20_000, alternative=alternative)
        sampled = weat(space, x, y, a, b, permutations=10_000, alternative=alternative, seed=7)
        assert exact.exact and exact.permutations_used == 12_870  # C(16, 8)
        assert not sampled.exact and sampled.permutations_used == 10_000
        assert abs(exact.p_value - sampled.p_value) < 0.02, alternative
        assert exact.effect_size == sampled.effect_size
    greater = weat(space, x, y, a, b, permutations=20_000)
    less = weat(space, x, y, a, b, permutations=20_000, alternative="less")
    assert greater.p_value + less.p_value == pytest.approx(1 + 1 / 12_870)  # the observed counts in both


def test_sampled_partitions_follow_the_documented_scheme():
    """The benchmark's naive loop relies on this: row i of rng.random((N, n)) puts its |X| smallest keys in X."""
    space = random_space(20, 4, seed=5)
    words = list(space.words)
    x, y, a, b = words[:6], words[6:14], words[14:17], words[17:20]
    result = weat(space, x, y, a, b, permutations=300, seed=11)
    s = result.scores["association"].to_numpy()
    keys = np.random.default_rng(11).random((300, 14))
    naive = [s[np.argsort(row)[:6]].sum() - s[np.argsort(row)[6:]].sum() for row in keys]
    np.testing.assert_allclose(result.null_distribution, naive, atol=1e-12)


def test_weat_missing_words_are_dropped_listed_or_refused():
    space = random_space(12, 4, seed=2)
    x, y, a, b = ["w0", "w1", "w2", "nope"], ["w3", "w4", "w5"], ["w6", "w7", "w8"], ["w9", "w10", "w11"]
    result = weat(space, x, y, a, b)
    assert result.missing == {"X": ["nope"], "Y": [], "A": [], "B": []}
    assert not result.scores.isna().any().any() and np.isfinite([result.effect_size, result.p_value]).all()
    with pytest.raises(InputError, match=r"set Y \(Insects\).*ghost1, ghost2"):
        weat(space, x, ["w3", "ghost1", "ghost2"], a, b, names=("Flowers", "Insects", "P", "U"))
    with pytest.raises(InputError, match=r"set A .*1 word.*gone"):
        weat(space, x, y, ["w6", "gone"], b)
    with pytest.raises(InputError, match="alternative"):
        weat(space, x, y, a, b, alternative="bigger")
    # literal by default; the WEAT runner falls back to lower case
    upper = make_space(["Rose", "lily"], [[1.0, 0.0], [0.0, 1.0]])
    assert resolve_words(upper, ["Rose", "LILY", "Tulip"]) == (["Rose", "lily"], ["Tulip"])
    assert resolve_words(upper, ["LILY"], fold_case=False) == ([], ["LILY"])


def test_weat_tests_load_with_the_reported_iat_values():
    tests = load_weat_tests()
    assert len(tests) == 10
    first = tests[0]
    assert first.name == "WEAT 1: Flowers vs Insects, Pleasant vs Unpleasant"
    assert (first.iat_n, first.reported_d, first.iat_p) == ("32", 1.35, "1e-8")
    assert len(first.x.words) == 25 and "rose" in first.x.words
    assert tests[3].reported_d is None


# --- directions and projections --------------------------------------------------------------------
def test_pca_direction_recovers_a_planted_direction():
    rng = np.random.default_rng(0)
    dim, n_pairs = 30, 12
    planted = unit(rng.standard_normal(dim))
    centres = unit(rng.standard_normal((n_pairs, dim))) * 3
    offsets = rng.uniform(0.5, 1.0, (n_pairs, 1)) * planted
    first = centres + offsets + rng.normal(0, 0.02, (n_pairs, dim))
    second = centres - offsets + rng.normal(0, 0.02, (n_pairs, dim))
    words = [f"a{i}" for i in range(n_pairs)] + [f"b{i}" for i in range(n_pairs)]
    space = make_space(words, np.vstack([first, second]))
    pairs = [(f"a{i}", f"b{i}") for i in range(n_pairs)] + [("a0", "missing")]
    direction = direction_from_pairs(space, pairs)
    assert direction.vector @ planted > 0.99  # and positive = towards the first word of each pair
    assert direction.missing == ("missing",)
    ratios = np.array(direction.explained_variance)
    assert len(ratios) == n_pairs and ratios[0] > 0.9 and ratios.sum() == pytest.approx(1.0)
    assert np.all(np.diff(ratios) <= 1e-12)
    mean = direction_from_pairs(space, pairs, method="mean")
    assert mean.vector @ planted > 0.99 and mean.explained_variance is None
    with pytest.raises(InputError, match="none of the 1 pairs"):
        direction_from_pairs(space, [("x", "y")])


def test_pair_set_and_formula_directions(glove50k):
    pair = direction_from_pair(glove50k, "woman", "man")
    formula = direction_from_formula(glove50k, "woman - man")
    assert pair.vector @ formula.vector == pytest.approx(1.0, abs=1e-6)
    assert np.linalg.norm(pair.vector) == pytest.approx(1.0)
    sets = direction_from_sets(glove50k, ["she", "her", "Woman", "zzzz"], ["he", "his", "man"])
    assert sets.missing == ("zzzz",) and "woman" in sets.words and sets.vector @ pair.vector > 0.5
    assert as_direction(glove50k, ("woman", "man")).vector @ pair.vector == pytest.approx(1.0)
    with pytest.raises(InputError, match="zzzz"):
        direction_from_pair(glove50k, "woman", "zzzz")


def test_project_words_and_two_axis(glove50k):
    table = project_words(glove50k, ("she", "he"), ["nurse", "engineer", "Mother", "qqqq"])
    assert table["word"].tolist()[0] == "mother" and table["word"].tolist()[-1] == "engineer"
    assert table.attrs["missing"] == ["qqqq"]
    assert table["projection"].is_monotonic_decreasing
    u = unit(glove50k.vectors[glove50k.index("nurse")])
    g = unit(unit(glove50k.vectors[glove50k.index("she")]) - unit(glove50k.vectors[glove50k.index("he")]))
    assert table.set_index("word").loc["nurse", "projection"] == pytest.approx(u @ g, abs=1e-6)
    both = two_axis(glove50k, ("she", "he"), "good - bad", ["nurse", "killer"])
    assert list(both.columns) == ["word", "x", "y"] and both.attrs["x"] == "she - he"
    assert -1 <= both.attrs["axis_cosine"] <= 1


# --- RIPA and DirectBias ---------------------------------------------------------------------------
def test_ripa_and_direct_bias_against_hand_computations():
    space = random_space(8, 4, seed=4)
    raw = space.vectors.astype(np.float64)
    relation = (raw[0] - raw[1]) / np.linalg.norm(raw[0] - raw[1])
    table = ripa(space, ("w0", "w1"), ["w2", "w3", "w4", "nope"]).set_index("word")
    for i in (2, 3, 4):
        assert table.loc[f"w{i}", "ripa"] == pytest.approx(raw[i] @ relation, abs=1e-5)
    assert table.attrs["missing"] == ["nope"]

    g = unit(unit(raw[0]) - unit(raw[1]))
    neutral = ["w2", "w3", "w4", "w5", "nope"]
    cosines = np.abs(unit(raw[2:6]) @ g)
    one = direct_bias(space, ("w0", "w1"), neutral)
    assert one.value == pytest.approx(cosines.mean(), abs=1e-6) and float(one) == one.value
    assert one.n_words == 4 and one.missing == ("nope",)
    assert direct_bias(space, g, neutral, c=2).value == pytest.approx(np.mean(cosines**2), abs=1e-6)


# --- hard debiasing --------------------------------------------------------------------------------
def test_hard_debias_on_a_hand_made_space():
    words = ["she", "he", "nurse", "doctor", "queen", "king"]
    vectors = [[1, 1, 0], [-1, 1, 0], [0.3, 0.2, 1], [-0.4, 0.1, 1], [0.8, 0.3, 0.5], [-0.5, 0.5, 0.4]]
    space = make_space(words, vectors)
    before = space.vectors.copy()
    out = hard_debias(
        space, ("she", "he"), neutral_words=["nurse", "doctor"], equalize_pairs=[("queen", "king")], name="clean"
    )
    assert out.name == "clean" and np.array_equal(space.vectors, before)
    g = np.array([1.0, 0.0, 0.0])
    unit_out = out.vectors.astype(np.float64)
    np.testing.assert_allclose(np.linalg.norm(unit_out, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(unit_out[[2, 3]] @ g, 0.0, atol=1e-7)
    np.testing.assert_allclose(unit_out[2], unit(np.array([0, 0.2, 1.0])), atol=1e-6)
    queen, king = unit_out[4], unit_out[5]
    # by hand: mu of the two unit vectors, nu = mu without its g part, then +/- sqrt(1 - |nu|^2) g
    mu = (unit(np.array(vectors[4])) + unit(np.array(vectors[5]))) / 2
    nu = mu - (mu @ g) * g
    z = np.sqrt(1 - nu @ nu)
    np.testing.assert_allclose(queen, nu + z * g, atol=1e-6)
    np.testing.assert_allclose(king, nu - z * g, atol=1e-6)
    np.testing.assert_allclose(unit_out[[0, 1]], unit(np.array(vectors[:2])), atol=1e-6)  # not neutral: unchanged


def test_hard_debias_on_glove_neutralises_and_equalises(glove50k, gender):
    preset, direction, debiased = gender
    g = direction.vector
    assert debiased.name == "GloVe 6B 50d (top 50,000) (hard-debiased: gender)"
    assert debiased.source["debiased_from"] == glove50k.name and debiased.source["debias"]["neutralised"] > 49_000
    assert glove50k.vectors is not debiased.vectors and not glove50k.vectors.flags.writeable
    np.testing.assert_allclose(np.linalg.norm(debiased.vectors, axis=1), 1.0, atol=1e-5)
    pairs = [tuple(p) for p in debiased.source["debias"]["equalized_pairs"]]
    pair_words = {w for p in pairs for w in p}
    neutral = default_neutral_words(glove50k, exclude=[*direction.words, *pair_words])
    assert "nurse" in neutral and "actress" not in neutral and "he" not in neutral
    projections = project_words(debiased, g, neutral)["projection"].to_numpy()
    assert np.abs(projections).max() < 1e-5
    sample = debiased.unit_vectors[[debiased.index(w) for w in neutral[:: len(neutral) // 200]]].astype(np.float64)
    assert ("he", "she") in pairs and ("king", "queen") in pairs
    for a, b in pairs:
        va = debiased.vectors[debiased.index(a)].astype(np.float64)
        vb = debiased.vectors[debiased.index(b)].astype(np.float64)
        assert va @ g == pytest.approx(-(vb @ g), abs=1e-5)
        np.testing.assert_allclose(sample @ va, sample @ vb, atol=1e-5)  # equally far from every neutral word
    # the original still has its bias
    assert project_words(glove50k, g, ["nurse"])["projection"].iloc[0] > 0.1


def test_gonen_goldberg_bias_is_still_recoverable_after_debiasing(glove50k, gender):
    preset, direction, debiased = gender
    pair_words = [w for p in debiased.source["debias"]["equalized_pairs"] for w in p]
    neutral = default_neutral_words(glove50k, exclude=[*direction.words, *pair_words])
    report = debias_report(glove50k, debiased, direction, neutral)
    print("\n" + report.summary.to_string(index=False))
    assert report.n_biased == 500 and report.k == 100 and len(report.biased) == 1000
    assert report.direct_bias.before > 0.05 and report.direct_bias.after < 1e-6
    assert report.cluster_accuracy.before > 0.95
    assert report.cluster_accuracy.after > 0.6  # > 0.5: the bias is still recoverable (the paper's point)
    assert report.neighbour_same_sign.before > 0.9 and report.neighbour_same_sign.after > 0.65
    assert report.neighbour_correlation.after > 0.5
    assert not report.summary.isna().any().any()


def test_gender_preset_lists(glove50k):
    preset = gender_preset(glove50k)
    assert preset.definitional_pairs[0] == ("woman", "man") and len(preset.definitional_pairs) == 10
    words = preset.professions["word"].tolist()
    assert words and all(w == w.lower() and "_" not in w and w in glove50k for w in words)
    assert len(words) == len(set(words)) and "nurse" in words
    assert {"actress", "he"} <= preset.specific_words
    assert len(gender_preset().professions) > len(words) - 1
    assert ("he", "she") in equalize_candidates(glove50k, [("He", "She")])


# --- origin-driven debiasing (issue 10) ------------------------------------------------------------
def test_debiasing_a_non_gender_direction_moves_no_gender_pair(glove50k, gender):
    preset, gender_g, gender_debiased = gender
    rich = direction_from_formula(glove50k, "rich - poor")
    assert rich.origin.kind == "formula" and gender_g.origin.preset == "gender"
    plan = debias_plan(glove50k, rich)
    assert plan.equalize_pairs == () and "nothing is equalised" in plan.explanation
    debiased = hard_debias(glove50k, rich, neutral_words=plan.neutral_words, equalize_pairs=plan.equalize_pairs)
    assert debiased.source["debias"]["equalized_pairs"] == []
    g = rich.vector
    gender_pairs = equalize_candidates(glove50k, preset.equalize_pairs)
    assert ("dad", "mom") in {tuple(sorted(p, reverse=True)) for p in gender_pairs} or len(gender_pairs) > 20
    for a, b in gender_pairs:
        for word in (a, b):
            # only neutralised along rich - poor: never moved onto the gender equalisation
            u = glove50k.unit_vectors[glove50k.index(word)].astype(np.float64)
            expected = unit(u - (u @ g) * g)
            np.testing.assert_allclose(debiased.vectors[debiased.index(word)], expected, atol=1e-5)
        gap_before = (
            glove50k.unit_vectors[glove50k.index(a)] - glove50k.unit_vectors[glove50k.index(b)]
        ) @ gender_g.vector
        gap_after = (debiased.vectors[debiased.index(a)] - debiased.vectors[debiased.index(b)]) @ gender_g.vector
        assert gap_after == pytest.approx(gap_before, abs=0.15), (a, b)  # still as gendered as before
    assert "rich" not in plan.neutral_words and "poor" not in plan.neutral_words
    # the gender preset still equalises its pairs
    gender_plan = debias_plan(glove50k, gender_g)
    assert ("he", "she") in gender_plan.equalize_pairs and "actress" not in gender_plan.neutral_words
    assert ["he", "she"] in gender_debiased.source["debias"]["equalized_pairs"]


def test_a_direction_from_pairs_equalises_its_own_pairs_only(glove50k):
    direction = direction_from_pair(glove50k, "rich", "poor")
    plan = debias_plan(glove50k, direction)
    assert plan.equalize_pairs[0] == ("rich", "poor")
    assert all({"he", "she"}.isdisjoint(p) for p in plan.equalize_pairs)


def test_all_tests_table_on_a_small_space_explains_in_whole_words():
    from app.bias.weat import all_tests_table

    small = load_glove(20_000)
    table = all_tests_table(small, permutations=1_000)
    assert len(table) == 10
    first = table.iloc[0]
    assert np.isnan(first["effect size d"]) and first["p-value"] == "not run"
    assert first["note"].startswith("too few words in the space: Flowers ") and "/25" in first["note"]
    assert table["effect size d"].notna().sum() >= 1 and not (table["people (IAT) d"] == "").any()


def test_professions_open_on_a_classroom_list(glove50k):
    from app.bias.presets import professions

    classroom = professions(glove50k)
    assert "nurse" in classroom and "engineer" in classroom and "hooker" not in classroom
    assert all(w in glove50k for w in classroom)
    assert "hooker" in professions(glove50k, "paper")  # the paper's list stays available, as it was
    with pytest.raises(InputError, match="unknown profession list"):
        professions(glove50k, "other")  # type: ignore[arg-type]


# --- WEAT memory (issue 16) ------------------------------------------------------------------------
def test_weat_permutation_blocks_are_bounded_by_the_key_budget():
    from app.bias.weat import KEY_FLOATS, partition_blocks

    blocks, used, exact = partition_blocks(4_000, 2_000, 100_000, seed=0)
    assert used == 100_000 and not exact
    rows_seen = 0
    for block in itertools.islice(blocks, 3):
        assert block.shape[0] * 4_000 <= KEY_FLOATS and block.shape[1] == 2_000
        rows_seen += block.shape[0]
    assert rows_seen > 0


def test_weat_with_two_thousand_words_per_set_stays_small_and_seeded(monkeypatch):
    import tracemalloc

    from app.bias import weat as weat_module

    space = random_space(4_010, 8, seed=9)
    words = list(space.words)
    x, y, a, b = words[:2_000], words[2_000:4_000], words[4_000:4_005], words[4_005:4_010]
    tracemalloc.start()
    try:
        result = weat(space, x, y, a, b, permutations=20_000, seed=3)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one block of keys is 8 MB; drawing all 20,000 x 4,000 keys at once would be 640 MB
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MB"
    monkeypatch.setattr(weat_module, "KEY_FLOATS", 4_000 * 7)  # 7 rows per block: same seed, same partitions
    again = weat(space, x[:300], y[:300], a, b, permutations=500, seed=3)
    monkeypatch.undo()
    reference = weat(space, x[:300], y[:300], a, b, permutations=500, seed=3)
    np.testing.assert_array_equal(again.null_distribution, reference.null_distribution)
    assert result.permutations_used == 20_000 and np.isfinite(result.p_value)

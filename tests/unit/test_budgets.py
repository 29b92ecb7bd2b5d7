"""Per-session budgets: counts, bytes (each distinct space once), uploads, and the server's settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.errors import InputError
from app.space import EmbeddingSpace
from app.store.budgets import MB, UPLOAD_MB, Budget, check_can_add, check_upload, space_bytes, upload_limits


def space_of(name: str, mb: float, seed: int = 0) -> EmbeddingSpace:
    """A space whose vectors take ``mb`` megabytes (rows of 256 float32 = 1 KiB)."""
    rows = int(mb * 1024)
    vectors = np.random.default_rng(seed).normal(size=(rows, 256)).astype(np.float32)
    return EmbeddingSpace(name, [f"w{i}" for i in range(rows)], vectors)


def test_space_bytes_counts_vectors_metadata_and_the_subword_table():
    plain = EmbeddingSpace("p", ["a", "b"], np.ones((2, 4)))
    assert space_bytes(plain) == 2 * 4 * 4
    with_meta = EmbeddingSpace("m", ["a", "b"], np.ones((2, 4)), metadata=pd.DataFrame({"x": ["long text " * 10, ""]}))
    assert space_bytes(with_meta) > space_bytes(plain) + 100  # deep: the strings, not just pointers

    class Subwords:
        vectors_ngrams = np.zeros((1000, 4), dtype=np.float32)

        def get_vector(self, word: str) -> np.ndarray:
            return np.zeros(4, dtype=np.float32)

    fasttext = EmbeddingSpace("f", ["a", "b"], np.ones((2, 4)), subwords=Subwords())
    assert space_bytes(fasttext) == 2 * 4 * 4 + 1000 * 4 * 4


def test_the_thirteenth_space_is_refused_with_a_pointer_to_home():
    budget = Budget(max_spaces=12)
    held = [EmbeddingSpace(f"s{i}", ["a"], [[float(i)]]) for i in range(12)]
    with pytest.raises(InputError, match=r"^This session already holds 12 spaces \(the limit\); remove one on Home"):
        check_can_add(budget, held, EmbeddingSpace("new", ["a"], [[99.0]]))
    check_can_add(budget, held[:11], EmbeddingSpace("new", ["a"], [[99.0]]))


def test_reloading_a_held_space_under_its_own_name_is_always_allowed():
    budget = Budget(max_spaces=2, max_total_bytes=3 * MB)
    held = [space_of("a", 1, seed=1), space_of("b", 1.5, seed=2)]
    check_can_add(budget, held, space_of("a", 1, seed=1))  # Home replaces it in place: nothing grows


def test_bytes_over_budget_say_need_left_and_total():
    budget = Budget(max_total_bytes=4 * MB)
    held = [space_of("a", 3, seed=1)]
    with pytest.raises(InputError) as info:
        check_can_add(budget, held, space_of("GloVe 6B", 1.5, seed=2))
    assert str(info.value) == (
        "GloVe 6B needs 2 MB but this session has 1 MB left of its 4 MB; remove a space on Home or load fewer words."
    )
    check_can_add(budget, held, space_of("small", 0.9, seed=3))


def test_a_space_bigger_than_the_whole_budget_says_so():
    with pytest.raises(InputError, match=r"needs 3 MB but a session can hold at most 2 MB; load fewer words"):
        check_can_add(Budget(max_total_bytes=2 * MB), [], space_of("huge", 2.5))


def test_a_space_identical_to_a_held_one_costs_nothing():
    budget = Budget(max_total_bytes=3 * MB)
    glove = space_of("GloVe", 2, seed=1)
    check_can_add(budget, [glove], glove.renamed("GloVe again"))  # would need 4 MB if counted twice
    check_can_add(budget, [glove, glove.renamed("copy")], space_of("extra", 0.9, seed=2))
    with pytest.raises(InputError):
        check_can_add(budget, [glove], space_of("different", 2, seed=3))


def test_a_subword_model_shared_by_subsets_counts_once():
    class Subwords:
        vectors_ngrams = np.zeros((1024, 256), dtype=np.float32)  # 1 MB

        def get_vector(self, word: str) -> np.ndarray:
            return np.zeros(256, dtype=np.float32)

    model = Subwords()
    full = EmbeddingSpace("ft", [f"w{i}" for i in range(100)], np.ones((100, 256)), subwords=model)
    half = full.head(50)
    budget = Budget(max_total_bytes=int(1.2 * MB))
    check_can_add(budget, [full], half)  # 50 KB more, not another 1 MB table
    with pytest.raises(InputError, match="needs 2 MB"):  # another model: its own 1 MB table
        check_can_add(budget, [full], EmbeddingSpace("other", ["a"], np.ones((1, 256)), subwords=Subwords()))


def test_uploads_over_the_limit_are_refused_before_reading():
    budget = Budget(max_upload_bytes=500 * UPLOAD_MB)
    check_upload(budget, "vectors.txt", 500 * UPLOAD_MB)
    with pytest.raises(InputError, match=r"^glove\.840B\.txt is 2,049 MB; uploads are limited to 500 MB\."):
        check_upload(budget, "glove.840B.txt", 2049 * UPLOAD_MB - 10)


def test_budget_from_env_reads_the_three_settings_in_megabytes():
    assert Budget.from_env({}) == Budget()
    budget = Budget.from_env(
        {"EMBEDDING_LAB_MAX_SPACES": "5", "EMBEDDING_LAB_MAX_SESSION_MB": "800", "EMBEDDING_LAB_MAX_UPLOAD_MB": "0.5"}
    )
    assert budget == Budget(max_spaces=5, max_total_bytes=800 * MB, max_upload_bytes=UPLOAD_MB // 2)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EMBEDDING_LAB_MAX_SPACES", "12.5"),
        ("EMBEDDING_LAB_MAX_SPACES", "0"),
        ("EMBEDDING_LAB_MAX_SESSION_MB", "1500MB"),
        ("EMBEDDING_LAB_MAX_UPLOAD_MB", "-1"),
        ("EMBEDDING_LAB_MAX_UPLOAD_MB", "nan"),
    ],
)
def test_a_malformed_setting_names_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        Budget.from_env({name: value})


def test_from_env_defaults_to_the_process_environment(monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_MAX_SPACES", "3")
    assert Budget.from_env().max_spaces == 3


def test_the_upload_limit_is_the_number_the_browser_enforces_and_shows():
    """Streamlit's upload box refuses files over maxUploadSize decimal MB (and says "500MB"): one number."""
    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert Budget().max_upload_bytes == config["server"]["maxUploadSize"] * 1_000_000
    with pytest.raises(InputError, match=r"is 501 MB; uploads are limited to 500 MB\."):
        check_upload(Budget(), "v.txt", 500_000_001)


def test_upload_limits_leave_what_the_session_and_the_server_leave():
    held = [space_of("a", 3, seed=1)]
    limits = upload_limits(Budget(max_total_bytes=4 * MB), held)
    assert (limits.max_vectors_bytes, limits.vectors_cap) == (MB, "this session's memory budget")
    tighter = upload_limits(Budget(max_total_bytes=4 * MB), held, server_left=MB // 2)
    assert tighter.max_vectors_bytes == MB // 2
    assert "EMBEDDING_LAB_SERVER_SPACES_MB" in tighter.vectors_cap
    assert upload_limits(Budget(max_total_bytes=2 * MB), held).max_vectors_bytes == 0

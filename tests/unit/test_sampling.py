import numpy as np
import pandas as pd
import pytest

from app.errors import InputError
from app.geometry.neighbours import nearest
from app.geometry.selection import MAX_POINTS, MODES, Selection, matching_rows, select
from app.io.samples import load_glove, load_toy
from app.text.inputs import MAX_PATTERN_CHARS as MAX_PATTERN
from app.text.inputs import MAX_WORD_LIST as MAX_LIST_WORDS
from app.text.inputs import parse_word_list
from tests.conftest import make_space


@pytest.fixture(scope="module")
def glove():
    return load_glove(2000)


@pytest.fixture(scope="module")
def toy():
    return load_toy()


def test_modes_are_the_five_documented():
    assert list(MODES) == ["top", "random", "search", "list", "neighbours"]


# --- top ----------------------------------------------------------------------------------
def test_top_takes_the_first_n_in_file_order(glove):
    chosen = select(glove, "top", n=100)
    assert isinstance(chosen, Selection)
    assert chosen.space.words == glove.words[:100]
    np.testing.assert_array_equal(chosen.space.vectors, glove.vectors[:100])
    assert chosen.space.metadata["frequency_rank"].tolist() == list(range(1, 101))
    assert chosen.description == "the first 100 of 2,000 points, in file order"
    assert chosen.missing == ()


def test_top_with_more_than_the_space_takes_everything(toy):
    chosen = select(toy, "top", n=500)
    assert chosen.space.words == toy.words


# --- random -------------------------------------------------------------------------------
def test_random_is_seeded_sorted_and_without_repeats(glove):
    first = select(glove, "random", n=300, seed=11)
    again = select(glove, "random", n=300, seed=11)
    other = select(glove, "random", n=300, seed=12)
    assert first.space.words == again.space.words
    assert first.space.words != other.space.words
    rows = [glove.index(w) for w in first.space.words]
    assert rows == sorted(set(rows))
    assert len(rows) == 300
    assert "seed 11" in first.description
    assert "300 of 2,000" in first.description
    np.testing.assert_array_equal(first.space.vectors, glove.vectors[rows])
    assert first.space.metadata["frequency_rank"].tolist() == [r + 1 for r in rows]


def test_random_with_more_than_the_space_takes_everything(toy):
    assert select(toy, "random", n=1000, seed=0).space.words == toy.words


# --- search -------------------------------------------------------------------------------
def test_search_is_a_case_insensitive_regular_expression(glove):
    chosen = select(glove, "search", pattern="^king")
    assert set(chosen.space.words) == {w for w in glove.words if w.startswith("king")}
    assert "king" in chosen.space.words
    assert "(case-insensitive)" in chosen.description
    assert select(glove, "search", pattern="^KING").space.words == chosen.space.words


def test_search_keeps_file_order_and_caps_at_n(glove):
    everything = [w for w in glove.words if w.endswith("ing")]
    assert len(everything) > 20
    chosen = select(glove, "search", pattern="ing$", n=20)
    assert list(chosen.space.words) == everything[:20]
    assert f"{len(everything):,} points match /ing$/" in chosen.description
    assert "the first 20 shown" in chosen.description


def test_search_errors(glove):
    with pytest.raises(InputError, match="no word in .* matches 'zzzzqx'"):
        select(glove, "search", pattern="zzzzqx")
    with pytest.raises(InputError, match="type something to search for"):
        select(glove, "search", pattern="   ")
    with pytest.raises(InputError, match="not a valid regular expression"):
        select(glove, "search", pattern="(")
    with pytest.raises(InputError, match=f"the limit is {MAX_PATTERN}"):
        select(glove, "search", pattern="a" * (MAX_PATTERN + 1))


def test_matching_rows():
    space = make_space(["Apple", "pineapple", "pear", "a.b"], np.eye(4))
    assert matching_rows(space, "apple") == [0, 1]
    assert matching_rows(space, "^p") == [1, 2]
    assert matching_rows(space, r"\.") == [3]
    assert matching_rows(space, "  pear ") == [2]
    assert matching_rows(space, "kiwi") == []


# --- list ---------------------------------------------------------------------------------
def test_parse_word_list():
    assert parse_word_list("king\nqueen, prince\n\n ,princess,king\r\n new york ") == [
        "king",
        "queen",
        "prince",
        "princess",
        "new york",
    ]
    assert parse_word_list("") == []
    assert parse_word_list(" , \n ") == []


def test_list_keeps_the_pasted_order_and_reports_missing(toy):
    chosen = select(toy, "list", words="rome\nking, zebra\nqueen\nKing")
    assert chosen.space.words == ("rome", "king", "queen")
    assert chosen.missing == ("zebra", "King")
    assert chosen.description == "3 pasted words; 2 not in the space"
    np.testing.assert_array_equal(chosen.space.vectors[0], toy.vector("rome"))


def test_list_keeps_metadata_rows():
    meta = pd.DataFrame({"kind": ["x", "y", "z"]})
    space = make_space(["a", "b", "c"], np.eye(3), metadata=meta)
    chosen = select(space, "list", words="c, a")
    assert chosen.space.metadata["kind"].tolist() == ["z", "x"]


def test_list_errors(toy):
    with pytest.raises(InputError, match="paste some words"):
        select(toy, "list", words=" \n, ")
    with pytest.raises(InputError, match="none of the pasted words is in 'Toy royalty set': zebra, lion"):
        select(toy, "list", words="zebra, lion")
    with pytest.raises(InputError, match=f"the limit is {MAX_LIST_WORDS:,}"):
        select(toy, "list", words="\n".join(f"w{i}" for i in range(MAX_LIST_WORDS + 1)))


# --- neighbours ---------------------------------------------------------------------------
def test_neighbours_is_the_word_and_its_k_nearest(glove):
    chosen = select(glove, "neighbours", word=" king ", k=10)
    assert chosen.space.words[0] == "king"
    assert list(chosen.space.words[1:]) == nearest(glove, "king", k=10).words
    assert len(chosen.space) == 11
    assert chosen.description == "'king' and its 10 nearest neighbours (cosine)"


def test_neighbours_of_a_formula(toy):
    chosen = select(toy, "neighbours", word="king - man + woman", k=3)
    assert chosen.space.words[0] == "queen"
    assert not {"king", "man", "woman"} & set(chosen.space.words)
    assert len(chosen.space) == 3


def test_neighbours_k_is_capped_by_the_space(toy):
    chosen = select(toy, "neighbours", word="apple", k=500)
    assert sorted(chosen.space.words) == sorted(toy.words)


def test_neighbours_errors(toy):
    with pytest.raises(InputError, match="'zebra'"):
        select(toy, "neighbours", word="zebra")
    with pytest.raises(InputError, match="empty"):
        select(toy, "neighbours", word="  ")


# --- everything ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, -5, MAX_POINTS + 1])
def test_n_out_of_range(toy, n):
    with pytest.raises(InputError, match="choose between 1 and"):
        select(toy, "top", n=n)


def test_unknown_mode(toy):
    with pytest.raises(InputError, match="unknown selection 'all'; choose one of: top, random"):
        select(toy, "all")


def test_selection_does_not_change_the_original(toy):
    before = (toy.words, toy.fingerprint)
    select(toy, "random", n=5, seed=1)
    select(toy, "list", words="king")
    assert (toy.words, toy.fingerprint) == before

"""The computations behind the lesson widgets, checked by hand, and the built-in lessons parse."""

import numpy as np
import pytest

from app.errors import InputError
from app.lessons import experiments, widgets
from app.lessons.builtin import BUILTIN, builtin_lessons
from app.lessons.markdown import safe_markdown
from app.lessons.player import Player
from tests.conftest import make_space

WORDS = ["king", "queen", "apple", "pear"]
VECTORS = [[1.0, 2.0, 0.0], [1.0, 1.5, 0.5], [-1.0, 0.0, 2.0], [-1.0, 0.5, 2.0]]


def test_one_hot_has_one_one_and_the_vocabulary_length():
    space = make_space(WORDS, VECTORS)
    found = widgets.one_hot(space, "queen", WORDS)
    assert len(found.one_hot) == len(found.vocabulary) == 4
    assert found.one_hot.sum() == 1 and found.one_hot[found.vocabulary.index("queen")] == 1
    assert np.allclose(found.row, space.vector("queen"))


def test_cosine_by_hand_equals_numpy():
    space = make_space(WORDS, VECTORS)
    found = widgets.cosine_by_hand(space, "king", "queen")
    a, b = np.array(VECTORS[0]), np.array(VECTORS[1])
    assert found.cosine == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert found.products["king × queen"].sum() == pytest.approx(found.dot)


def test_a_missing_word_is_named():
    with pytest.raises(InputError, match="'zebra'"):
        widgets.cosine_by_hand(make_space(WORDS, VECTORS), "king", "zebra")


def test_cooccurrence_counts_of_two_sentences_by_hand():
    counts = widgets.cooccurrences([["a", "b", "c"], ["c", "a"]], window=1)
    table = widgets.submatrix(counts, counts.counts, ["a", "b", "c"])
    # window 1: a-b, b-c in the first sentence; c-a in the second (sentences never share a window)
    assert table.loc["a", "b"] == 1 and table.loc["b", "c"] == 1 and table.loc["a", "c"] == 1
    assert table.loc["a", "a"] == 0 and (table.to_numpy() == table.to_numpy().T).all()
    assert (counts.ppmi >= 0).all()


def test_window_table_and_slow_motion_steps():
    model = widgets.slow_motion()
    table = widgets.window_table(model, 0, 2)
    assert table["centre"].iloc[0] == "the" and table["context (window)"].iloc[0] == "king and"
    moved = widgets.train_slowly(model, widgets.parse_steps("10", model))
    assert len(moved.losses) == 10 and not np.allclose(moved.before, moved.after)
    assert widgets.parse_steps("epoch", model) == model.epoch_size


def test_char_ngrams_and_classroom_analogies():
    assert experiments.char_ngrams("king")[:3] == ["<ki", "kin", "ing"]
    questions = experiments.classroom_analogies()
    assert ("king", "queen", "man", "woman") in questions and len(questions) == 9 * 8 + 8 * 7


def test_analogy_accuracy_on_an_exact_space():
    space = make_space(["man", "woman", "king", "queen"], [[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]])
    accuracy, asked = experiments.analogy_accuracy(space, [("man", "woman", "king", "queen")])
    assert (accuracy, asked) == (1.0, 1)


def test_every_builtin_lesson_parses_and_names_known_widgets():
    entries = builtin_lessons()
    assert [e.key for e in entries] == list(BUILTIN) and len(entries) == 10
    for entry in entries:
        for step in entry.lesson.steps:
            if step.show is not None and step.show.kind == "widget":
                widgets.check_widget(step.show.target)
        assert entry.lesson.to_markdown().count("## ") == len(entry.lesson.steps)


def test_safe_markdown_fetches_nothing_and_links_nowhere_else():
    text = (
        "See ![cat](http://evil/cat.png) and [this](https://example.com/x) or "
        "[Explore](Explore?sample=glove) <https://a.b> www.c.d"
    )
    safe = safe_markdown(text)
    assert "http" not in safe.replace("`https://a.b`", "") and "!" not in safe
    assert "[Explore](Explore?sample=glove)" in safe and "this" in safe


def test_player_stays_inside_the_lesson():
    player = Player("near")
    player.previous(5)
    assert player.step == 0
    player.go(9, 5)
    assert player.step == 4 and player.url_step == "5"
    player.commit_guess("yes")
    assert player.guesses == {4: "yes"} and 4 in player.revealed

"""The slow-motion word2vec: its gradients against numerical ones, its windows and its learning."""

import numpy as np
import pytest

from app.errors import InputError
from app.lessons.slowmo import SlowMotion, gradients, loss, window_pairs
from app.resources import SAMPLE_DATA


def numerical(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        grad[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_gradients_equal_the_numerical_gradient_of_the_loss():
    rng = np.random.default_rng(0)
    hidden, target, negatives = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(3, 5))
    d_hidden, d_target, d_negatives = gradients(hidden, target, negatives)
    assert np.allclose(d_hidden, numerical(lambda h: loss(h, target, negatives), hidden), atol=1e-6)
    assert np.allclose(d_target, numerical(lambda t: loss(hidden, t, negatives), target), atol=1e-6)
    assert np.allclose(d_negatives, numerical(lambda n: loss(hidden, target, n), negatives), atol=1e-6)


@pytest.mark.parametrize("cbow", [False, True])
def test_one_step_is_one_gradient_step(cbow):
    model = SlowMotion.from_text("the king and the queen\nthe man and the woman", dim=4, cbow=cbow, seed=3)
    step = model.step()
    hidden = step.inputs_before.mean(axis=0)
    d_hidden, d_target, d_negatives = gradients(hidden, step.outputs_before[0], step.outputs_before[1:])
    rate = model.learning_rate
    if len(set(step.negatives) | {step.pair.centre if cbow else step.pair.context[0]}) == 1 + len(step.negatives):
        assert np.allclose(step.outputs_after, step.outputs_before - rate * np.vstack(([d_target], d_negatives)))
    assert np.allclose(step.inputs_after, step.inputs_before - rate * d_hidden / len(step.inputs_before))
    assert step.loss_after < step.loss_before  # a small step downhill lowers the loss


def test_windows_make_the_pairs_a_student_counts_by_hand():
    pairs = list(window_pairs([[0, 1, 2]], window=1))
    assert [(p.centre, p.context) for p in pairs] == [(0, (1,)), (1, (0,)), (1, (2,)), (2, (1,))]
    cbow = list(window_pairs([[0, 1, 2]], window=1, cbow=True))
    assert [(p.centre, p.context) for p in cbow] == [(0, (1,)), (1, (0, 2)), (2, (1,))]


def test_an_epoch_of_training_lowers_the_loss_and_groups_words():
    text = (SAMPLE_DATA / "tiny_corpus.txt").read_text()
    model = SlowMotion.from_text(text, dim=10, window=2, negatives=5, learning_rate=0.05, seed=1)
    first = np.mean(model.run(model.epoch_size))
    for _ in range(10):
        last = np.mean(model.run(model.epoch_size))
    assert last < first
    assert model.most_similar("king", 3)


def test_bad_text_is_a_message():
    with pytest.raises(InputError, match="nothing to predict"):
        SlowMotion.from_text("one\ntwo")
    model = SlowMotion.from_text("a b c")
    with pytest.raises(InputError, match="'zebra'"):
        model.most_similar("zebra")

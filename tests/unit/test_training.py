import json
import os
import pickle
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from app.errors import Cancelled, InputError
from app.training.config import TrainConfig, TrainLimits
from app.training.documents import infer_documents, nearest_documents
from app.training.gensim_run import THREAD_NAME
from app.training.playback import Snapshots, aligned_frames, frame_movement, playback_coordinates
from app.training.record import EpochReport
from app.training.run import train, train_job

ROOT = Path(__file__).resolve().parents[2]
WORD_MODELS = ["word2vec", "fasttext", "ppmi_svd"]
REPORT_FIELDS = {
    "config",
    "seed",
    "deterministic",
    "corpus",
    "preprocessing",
    "versions",
    "timings",
    "losses",
    "vocabulary_size",
    "tokens",
    "created_at",
}


def tiny_corpus(documents: int = 240, seed: int = 0) -> list[list[str]]:
    """Three topics over a few filler words, plus words too rare for min_count=3."""
    rng = random.Random(seed)
    topics = [
        ["king", "queen", "crown", "throne", "royal", "palace"],
        ["cat", "dog", "pet", "fur", "paw", "tail"],
        ["car", "road", "wheel", "drive", "engine", "fuel"],
    ]
    filler = ["the", "a", "of", "and", "is"]
    corpus = [
        [rng.choice(topics[i % 3] if rng.random() < 0.7 else filler) for _ in range(10)] for i in range(documents)
    ]
    corpus[5].append("once")
    corpus[7] += ["twice", "twice"]
    return corpus


def small(model: str, **settings) -> TrainConfig:
    return TrainConfig(
        **{"model": model, "vector_size": 16, "window": 3, "min_count": 3, "epochs": 3, "workers": 2, **settings}
    )


@pytest.fixture(scope="module")
def corpus():
    return tiny_corpus()


@pytest.fixture(scope="module")
def results(corpus):
    return {model: train(corpus, small(model)) for model in ["word2vec", "fasttext", "doc2vec", "ppmi_svd"]}


# --- what each model gives ---------------------------------------------------------------------
@pytest.mark.parametrize("model", WORD_MODELS)
def test_word_models_keep_the_words_seen_min_count_times_with_their_counts(model, corpus, results):
    result = results[model]
    counts = Counter(token for document in corpus for token in document)
    expected = {word for word, count in counts.items() if count >= 3}
    space = result.space
    assert set(space.words) == expected and "once" not in space and "twice" not in space
    assert space.vectors.shape == (len(expected), 16) and space.vectors.dtype == np.float32
    assert np.isfinite(space.vectors).all() and np.abs(space.vectors).sum() > 0
    assert dict(zip(space.words, space.metadata["count"], strict=True)) == {w: counts[w] for w in expected}
    assert list(space.metadata["count"]) == sorted(space.metadata["count"], reverse=True)  # most frequent first


@pytest.mark.parametrize("model", ["word2vec", "fasttext", "doc2vec", "ppmi_svd"])
def test_the_record_is_json_and_complete(model, corpus, results):
    result = results[model]
    record = json.loads(json.dumps(result.report))
    assert set(record) >= REPORT_FIELDS
    assert record["config"] == small(model).to_dict() and record["seed"] == 1 and record["deterministic"] is False
    assert record["tokens"] == sum(map(len, corpus)) == record["corpus"]["tokens"]
    assert record["corpus"]["documents"] == len(corpus) and len(record["corpus"]["fingerprint"]) == 32
    assert {"gensim", "numpy", "scikit-learn", "python"} <= set(record["versions"])
    assert record["timings"]["total_seconds"] > 0 and len(record["timings"]["epoch_seconds"]) == len(result.epochs)
    assert record["vocabulary_size"] == 23  # 18 topic words and 5 fillers; "once" and "twice" are too rare
    assert record["created_at"].endswith("+00:00")
    assert result.config == small(model)


@pytest.mark.parametrize("model", ["word2vec", "fasttext", "doc2vec"])
def test_gensim_models_report_every_epoch_and_keep_snapshots(model, results):
    result = results[model]
    assert [e.epoch for e in result.epochs] == [1, 2, 3] and all(e.epochs == 3 for e in result.epochs)
    assert [e.words for e in result.epochs] == [result.report["tokens"] * k for k in (1, 2, 3)]
    assert result.epochs[-1].eta == 0 and all(e.elapsed > 0 for e in result.epochs)
    snapshots = result.snapshots
    assert snapshots is not None and len(snapshots.frames) == 3
    assert snapshots.words == result.space.words[: len(snapshots.words)]
    # the last snapshot is the trained space (fastText: word and n-gram vectors averaged the same way)
    np.testing.assert_allclose(snapshots.frames[-1], result.space.vectors[: len(snapshots.words)], atol=1e-5)
    assert not np.allclose(snapshots.frames[0], snapshots.frames[-1])


def test_word2vec_loss_is_per_epoch_and_others_have_none(results):
    losses = [e.loss for e in results["word2vec"].epochs]
    assert all(isinstance(loss, float) and loss > 0 for loss in losses)
    assert losses[2] < 1.5 * losses[0]  # a running total would be about three times the first epoch
    assert results["word2vec"].report["losses"] == losses
    assert all(e.loss is None for e in results["fasttext"].epochs + results["doc2vec"].epochs)


def test_fasttext_answers_an_unseen_word_from_its_pieces(results):
    space = results["fasttext"].space
    assert "kingdoms" not in space
    vector = space.vector("kingdoms")
    assert vector.shape == (16,) and np.abs(vector).sum() > 0
    np.testing.assert_allclose(vector, results["fasttext"].model.wv.get_vector("kingdoms"))
    assert results["word2vec"].space.subwords is None


def test_doc2vec_points_are_documents_and_new_text_can_be_placed(corpus, results):
    result = results["doc2vec"]
    space = result.space
    assert len(space) == len(corpus) and space.words[:2] == ("doc_0", "doc_1")
    assert list(space.metadata["document"]) == list(range(len(corpus)))
    assert space.metadata["first_words"][3] == " ".join(corpus[3][:8])
    assert result.report["points"] == len(corpus) and result.report["architecture"] == "pv-dm"  # "cbow" alias
    inferred = infer_documents(result, [["king", "queen", "crown"], ["car", "road"], []])
    assert inferred.shape == (3, 16) and inferred.dtype == np.float32 and np.isfinite(inferred).all()
    table = nearest_documents(result, "The king and the queen", k=4)
    assert len(table) == 4 and {"document", "similarity", "first_words"} <= set(table[0])
    with pytest.raises(InputError, match="vocabulary"):
        nearest_documents(result, "zebra xylophone")
    with pytest.raises(InputError, match="doc2vec"):
        infer_documents(results["word2vec"], [["king"]])


def test_ppmi_svd_finds_words_that_share_contexts():
    rng = random.Random(1)
    pets, vehicles = ["fur", "paw", "tail", "purr", "vet", "leash"], ["road", "wheel", "engine", "fuel", "tyre", "lane"]
    corpus = []
    for _ in range(150):
        for word, contexts in (("cat", pets), ("dog", pets), ("car", vehicles), ("truck", vehicles)):
            chosen = rng.sample(contexts, 3)
            corpus.append([chosen[0], word, chosen[1], chosen[2]])  # cat and dog never meet
    result = train(corpus, TrainConfig(model="ppmi_svd", vector_size=6, window=2, min_count=2, seed=0))
    space = result.space
    similarity = space.unit_vectors @ space.unit_vectors[space.index("cat")]
    ranked = [space.words[i] for i in np.argsort(-similarity)]
    assert ranked[:2] == ["cat", "dog"]
    assert similarity[space.index("dog")] > similarity[space.index("truck")] + 0.5
    assert len(result.epochs) == 1 and result.epochs[0].loss is None and result.snapshots is None


def test_ppmi_svd_lowers_the_dimensions_to_what_the_vocabulary_allows():
    result = train([["a", "b", "c", "a", "b", "c"]] * 5, TrainConfig(model="ppmi_svd", vector_size=50, min_count=1))
    assert result.space.dim == 2 and result.report["dimensions"] == 2
    assert any("lowered" in note for note in result.report["notes"])


def test_the_acceptance_check_from_the_issue(corpus):
    cfg = TrainConfig(model="word2vec", vector_size=100, window=5, min_count=5, epochs=5, workers=2, seed=1)
    space = train(corpus, cfg).space
    assert space.dim == 100 and "king" in space and len(space) == 23


def test_a_corpus_object_lends_its_name_fingerprint_and_preprocessing(corpus):
    class Preprocessing:
        def to_dict(self):
            return {"lowercase": True}

        def tokenize(self, text):
            return text.lower().split()

    class FakeCorpus:
        name, fingerprint, source = "toy", "f" * 32, {"file": "toy.txt"}
        preprocessing = Preprocessing()

        def __iter__(self):
            return iter(corpus)

    result = train(FakeCorpus(), small("word2vec", epochs=1))
    assert result.report["corpus"] | {"documents": 0, "tokens": 0} == {
        "name": "toy",
        "fingerprint": "f" * 32,
        "source": {"file": "toy.txt"},
        "documents": 0,
        "tokens": 0,
    }
    assert result.report["preprocessing"] == {"lowercase": True} and result.space.name == "word2vec · toy"
    assert result.preprocessing is FakeCorpus.preprocessing


def test_a_plain_list_is_fingerprinted_by_its_tokens(corpus):
    def fingerprint(documents):
        return train(documents, small("word2vec", epochs=1, snapshots=False)).report["corpus"]["fingerprint"]

    changed = [list(d) for d in corpus]
    changed[-1][-1] = "queen" if changed[-1][-1] != "queen" else "king"
    assert fingerprint(corpus) == fingerprint([list(d) for d in corpus]) != fingerprint(changed)
    joined = [corpus[0] + corpus[1]] + corpus[2:]  # the same tokens cut into documents differently
    assert fingerprint(joined) != fingerprint(corpus)


# --- determinism -------------------------------------------------------------------------------
DETERMINISTIC_SCRIPT = """
import hashlib
from app.training.config import TrainConfig
from app.training.run import train
from tests.unit.test_training import tiny_corpus
for model in ("word2vec", "fasttext", "doc2vec", "ppmi_svd"):
    cfg = TrainConfig(model=model, vector_size=16, window=3, min_count=3, epochs=3, seed=7, deterministic=True)
    space = train(tiny_corpus(), cfg).space
    print(model, hashlib.sha256(space.vectors.tobytes() + "|".join(space.words).encode()).hexdigest())
print("hash", hash("embedding lab"))
"""


def deterministic_digests() -> dict[str, str]:
    namespace: dict = {}
    lines: list[str] = []
    namespace["print"] = lambda *parts: lines.append(" ".join(map(str, parts)))
    exec(DETERMINISTIC_SCRIPT, namespace)
    return dict(line.split(" ", 1) for line in lines)


def test_deterministic_runs_give_identical_vectors_in_one_process():
    assert deterministic_digests() == deterministic_digests()
    cfg = small("word2vec", deterministic=True)
    first, second = train(tiny_corpus(), cfg), train(tiny_corpus(), cfg)
    assert np.array_equal(first.space.vectors, second.space.vectors) and first.report["workers"] == 1
    assert [e.loss for e in first.epochs] == [e.loss for e in second.epochs]
    other_seed = train(tiny_corpus(), small("word2vec", deterministic=True, seed=2))
    assert not np.array_equal(first.space.vectors, other_seed.space.vectors)


def test_deterministic_runs_give_identical_vectors_in_another_process_with_another_hash_seed():
    here = deterministic_digests()
    seed = "12345" if os.environ.get("PYTHONHASHSEED") != "12345" else "54321"
    completed = subprocess.run(
        [sys.executable, "-c", DETERMINISTIC_SCRIPT],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    there = dict(line.split(" ", 1) for line in completed.stdout.splitlines())
    assert here["hash"] != there["hash"]  # the two processes really salt str hashes differently
    for model in ("word2vec", "fasttext", "doc2vec", "ppmi_svd"):
        assert here[model] == there[model], model


# --- cancel and caps ---------------------------------------------------------------------------
def training_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


class CountedCorpus:
    """A corpus that counts how often it is read (once for the vocabulary, then once per epoch) and
    how many documents each pass handed out; ``delay`` seconds per document from pass ``slow_from``
    on (2: the first epoch) make epochs slow."""

    def __init__(self, documents, delay=0.0, slow_from=2):
        self.documents, self.delay, self.slow_from, self.passes = documents, delay, slow_from, 0
        self.read: list[int] = []  # documents handed out, per pass

    def __iter__(self):
        self.passes += 1
        self.read.append(0)
        for document in self.documents:
            if self.delay and self.passes >= self.slow_from:
                time.sleep(self.delay)
            self.read[-1] += 1
            yield document


def test_cancel_after_the_first_epoch_stops_training_quickly(corpus):
    seen: list[EpochReport] = []
    # the first epoch is quick (it ends before any progress report inside it), the next ones slow,
    # so gensim cannot race through several epochs before the cancel reaches it
    counted = CountedCorpus(corpus * 4, delay=0.0005, slow_from=3)

    def progress(fraction, message):
        if message.startswith("epoch 1/"):
            raise Cancelled("stop")

    with pytest.raises(Cancelled):
        train(counted, small("word2vec", epochs=300), progress, on_epoch=seen.append)
    assert len(seen) == 1  # a full run would report 300 epochs
    assert counted.passes <= 4  # gensim itself stopped, within an epoch or two
    assert not training_threads()


def test_cancel_inside_a_long_epoch_stops_within_a_batch():
    corpus = CountedCorpus(tiny_corpus(2000), delay=0.001)  # about 2.5 s per epoch
    calls = []

    def progress(fraction, message):
        calls.append(message)
        if message.startswith("epoch"):
            raise Cancelled("stop")

    with pytest.raises(Cancelled):
        train(corpus, small("word2vec", epochs=3), progress)
    assert corpus.passes == 2 and not training_threads()
    assert calls[-1].startswith("epoch 1/3")
    # the first epoch was cut short: its pass stopped within a batch (256 documents) of the cancel
    assert corpus.read[1] < len(corpus.documents) - 256, corpus.read


def test_progress_moves_forward_epoch_by_epoch_and_ends_done():
    calls: list[tuple[float, str]] = []
    slow = CountedCorpus(tiny_corpus(500), delay=0.0005)  # about 0.3 s per epoch: progress within epochs
    train(slow, small("word2vec", epochs=3), lambda fraction, message: calls.append((fraction, message)))
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] == 1.0
    assert calls[-1][1].startswith("done · 23 points")
    epoch_numbers = [int(m.split()[1].split("/")[0]) for _, m in calls if m.startswith("epoch")]
    assert max(epoch_numbers) == 3 and len(epoch_numbers) > 3  # reports inside epochs, not only after them
    assert any(re.fullmatch(r"epoch 2/3 · 10,\d{3} words · loss \S+ · about \d+ s left", m) for _, m in calls)


def test_an_error_in_on_epoch_stops_training_and_propagates(corpus):
    def on_epoch(entry):
        raise RuntimeError("page bug")

    counted = CountedCorpus(corpus)
    with pytest.raises(RuntimeError, match="page bug"):
        train(counted, small("fasttext", epochs=50), on_epoch=on_epoch)
    assert counted.passes <= 4 and not training_threads()


@pytest.mark.parametrize("model", ["word2vec", "doc2vec", "ppmi_svd"])
def test_too_many_tokens(model, corpus):
    with pytest.raises(InputError, match="more than 1,000 tokens"):
        train(corpus, small(model), limits=TrainLimits(max_tokens=1000))


@pytest.mark.parametrize("model", ["fasttext", "ppmi_svd"])
def test_too_large_a_vocabulary_suggests_a_higher_min_count(model, corpus):
    expected = r"23 words appear at least min_count=3 times.*limit here is 5 words\. Raise min_count \(to \d+ or more\)"
    with pytest.raises(InputError, match=expected) as raised:
        train(corpus, small(model), limits=TrainLimits(max_vocabulary=5))
    suggested = int(re.search(r"to (\d+) or more", str(raised.value)).group(1))
    assert len(train(corpus, small(model, min_count=suggested), limits=TrainLimits(max_vocabulary=5)).space) <= 5


@pytest.mark.parametrize("model", ["word2vec", "doc2vec", "ppmi_svd"])
def test_no_word_frequent_enough(model, corpus):
    message = "no word appears at least min_count=5000 times; lower min_count or use a larger corpus"
    with pytest.raises(InputError, match=message):
        train(corpus, small(model, min_count=5000))


def test_training_too_long_stops_with_a_message():
    slow = CountedCorpus(tiny_corpus(2000), delay=0.001)  # about 2.5 s per epoch
    with pytest.raises(InputError, match="training took longer than 0.3 s"):
        train(slow, small("word2vec", epochs=3), limits=TrainLimits(max_seconds=0.3))
    assert not training_threads()
    assert slow.passes == 2 and slow.read[1] < len(slow.documents) - 256, slow.read  # stopped inside epoch 1


def test_one_shot_generators_and_strings_are_refused(corpus):
    with pytest.raises(InputError, match="restartable"):
        train((d for d in corpus), small("word2vec"))
    with pytest.raises(InputError, match="document 2 is a str"):
        train([["a", "b"], "c d"], small("word2vec"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"model": "glove"}, "unknown model 'glove'"),
        ({"vector_size": 0}, "vector_size must be a whole number from 1"),
        ({"window": 101}, "window must be a whole number from 1 to 100"),
        ({"min_count": 0}, "min_count"),
        ({"epochs": 2.5}, "epochs"),
        ({"workers": 0}, "workers"),
        ({"seed": -1}, "seed"),
        ({"architecture": "pv-dm"}, "word2vec has no architecture 'pv-dm'"),
        ({"model": "doc2vec", "architecture": "bert"}, "doc2vec has no architecture 'bert'"),
        ({"loss": "softmax"}, "unknown loss"),
        ({"negative": 0}, "negative"),
        ({"sample": 2.0}, "sample"),
        ({"alpha": 0}, "alpha"),
        ({"model": "fasttext", "min_n": 5, "max_n": 3}, r"min_n \(5\) must not be larger than max_n \(3\)"),
        ({"deterministic": "yes"}, "True or False"),
    ],
)
def test_nonsense_settings_are_refused_with_a_clear_message(settings, message):
    config = TrainConfig(**settings)
    with pytest.raises(InputError, match=message):
        config.validate()
    with pytest.raises(InputError, match=message):
        train([["a"]], config)


def test_defaults_validate_and_use_every_core():
    TrainConfig().validate()
    TrainConfig(model="doc2vec").validate()  # cbow is read as PV-DM
    assert TrainConfig().workers == (os.cpu_count() or 1)
    assert TrainConfig(deterministic=True).effective_workers == 1


# --- snapshots and alignment -------------------------------------------------------------------
def test_snapshots_stay_within_their_byte_budget(corpus):
    budget = 6 * 16 * 4 * 3  # room for six words over three epochs
    result = train(corpus, small("word2vec"), limits=TrainLimits(max_snapshot_bytes=budget + 100))
    assert len(result.snapshots.words) == 6 and result.snapshots.nbytes <= budget
    assert result.snapshots.words == result.space.words[:6]
    assert train(corpus, small("word2vec"), limits=TrainLimits(max_snapshot_bytes=10)).snapshots is None
    assert train(corpus, small("word2vec", snapshots=False)).snapshots is None


def random_rotation(dim: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))


def test_a_rotated_shifted_copy_aligns_back_exactly():
    rng = np.random.default_rng(0)
    final = rng.normal(size=(40, 8)).astype(np.float32)
    moved = final @ random_rotation(8, rng) + 3.0
    aligned = aligned_frames(Snapshots(("w",) * 40, [moved, final]))
    np.testing.assert_allclose(aligned[0], final, atol=1e-4)
    np.testing.assert_array_equal(aligned[1], final)
    assert frame_movement([moved, final])[0] > 1.0 and frame_movement(aligned)[0] < 1e-4


def test_alignment_leaves_real_movement_and_works_on_projections():
    rng = np.random.default_rng(1)
    final = rng.normal(size=(60, 5))
    noisy = (final + rng.normal(scale=0.05, size=final.shape)) @ random_rotation(5, rng)
    frames = [noisy.astype(np.float32), final.astype(np.float32)]
    aligned = aligned_frames(frames)
    assert 0.02 < frame_movement(aligned)[0] < 0.2 < frame_movement(frames)[0]

    def mirrored_first_two_columns(matrix):
        return matrix[:, :2] * np.array([-1.0, 1.0]) if matrix is frames[0] else matrix[:, :2]

    flat = aligned_frames([final, final], coordinates_of=mirrored_first_two_columns)
    assert flat[0].shape == (60, 2) and frame_movement(flat)[0] < 1e-5
    with pytest.raises(InputError, match="same 2-D shape"):
        aligned_frames([final, final[:10]])


def test_playback_coordinates_are_two_dimensional_and_end_at_the_final_picture(results):
    snapshots = results["word2vec"].snapshots
    frames = playback_coordinates(snapshots)
    assert len(frames) == 3 and all(f.shape == (len(snapshots.words), 2) for f in frames)
    assert frame_movement(frames)[-1] > 0


# --- running as a background job ---------------------------------------------------------------
def test_train_job_reports_epochs_as_plain_dicts_and_its_result_pickles(corpus):
    details: list[dict] = []

    def progress(fraction, message, **detail):
        if detail:
            details.append(detail)

    result = train_job(corpus, small("fasttext"), progress=progress)
    assert [d["epoch"] for d in details] == [1, 2, 3] and set(details[0]) >= {"loss", "words", "eta"}
    copy = pickle.loads(pickle.dumps(result))
    assert copy.space.fingerprint == result.space.fingerprint
    np.testing.assert_array_equal(copy.space.vector("kingdoms"), result.space.vector("kingdoms"))


def test_train_job_computes_the_playback_in_the_job_not_on_the_page(corpus):
    result = train_job(corpus, small("word2vec"), progress=lambda *a, **k: None)
    assert result.snapshots is not None and len(result.snapshots.frames) == 3
    assert result.playback is not None and len(result.playback) == 3
    for ours, reference in zip(result.playback, playback_coordinates(result.snapshots), strict=True):
        np.testing.assert_allclose(ours, reference, atol=1e-5)


def test_best_rotation_recovers_a_known_rotation_and_mirror():
    from app.geometry.rotation import best_rotation

    rng = np.random.default_rng(3)
    points = rng.normal(size=(200, 6))
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    rotation[:, 0] *= -1  # a mirror too
    np.testing.assert_allclose(best_rotation(points, points @ rotation), rotation, atol=1e-9)
    with pytest.raises(InputError):
        best_rotation(points, points[:, :5])

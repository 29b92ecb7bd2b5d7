"""Sharing by provenance: whether results from a space may go to the server-wide cache is a
property of the data (``shared``), set where the data enters (built-in samples and corpora,
the teacher's shelf) and kept by everything made from it; an upload is never shared."""

import pytest

from app.bias.core import hard_debias
from app.io.loaders import load_vectors
from app.io.samples import load_sample
from app.space import EmbeddingSpace, all_shared
from app.store.workspace import Workspace, new_token, published
from app.training.config import TrainConfig
from app.training.corpus import builtin_corpus, open_corpus
from app.training.run import train
from tests.conftest import SAMPLE_DATA, make_space

UPLOAD = b"3 2\nking 1 0\nqueen 0 1\nman 1 1\n"
TINY_CONFIG = TrainConfig(model="ppmi_svd", vector_size=4, window=2, min_count=1, seed=0)


@pytest.fixture(scope="module")
def sample() -> EmbeddingSpace:
    return load_sample("toy")


@pytest.fixture
def upload() -> EmbeddingSpace:
    return load_vectors((UPLOAD, "mine.txt"))


def test_a_built_in_sample_is_shared(sample):
    assert sample.shared
    assert load_sample("glove", 200).shared


def test_an_upload_is_private(upload):
    assert not upload.shared
    assert not make_space(["a"], [[1.0]]).shared  # a space made by hand claims nothing


def test_everything_made_from_a_sample_stays_shared(sample):
    subset = sample.subset(words=["king", "queen"])
    derived = [subset, sample.head(3), subset.head(1), sample.renamed("mine"), sample.with_source(note="x")]
    assert all(space.shared for space in derived)


def test_everything_made_from_an_upload_stays_private(upload):
    derived = [upload.subset(words=["king"]), upload.head(2), upload.renamed("x"), upload.with_source(note="y")]
    assert not any(space.shared for space in derived)


def test_provenance_cannot_be_dropped_by_a_copy_of_source(sample):
    source = sample.source
    source["shared"] = False  # source hands out a copy
    assert sample.shared


def test_a_debiased_copy_keeps_the_flag_of_its_origin(sample, upload):
    assert hard_debias(sample, ("king", "queen"), ["man"], []).shared
    assert not hard_debias(upload, ("king", "queen"), ["man"], []).shared


def test_a_space_made_from_two_is_shared_only_if_both_are(sample, upload):
    assert all_shared(sample, sample.head(2))
    assert not all_shared(sample, upload)
    assert not all_shared(upload, sample)


def test_published_spaces_are_shared_and_a_private_save_keeps_its_flag(tmp_path, sample, upload):
    shelf = published(tmp_path)
    entry = shelf.publish(upload.renamed("for the class"))
    assert shelf.load(entry).shared  # the teacher published it: the class may share its results
    mine = Workspace(tmp_path, new_token())
    assert not mine.load(mine.save(upload)).shared
    assert mine.load(mine.save(sample.head(3))).shared


def test_training_on_a_built_in_corpus_is_shared_on_an_upload_private(tmp_path):
    corpus = builtin_corpus("tiny")
    assert corpus.shared
    assert train(corpus, TINY_CONFIG).space.shared
    text = (SAMPLE_DATA / "tiny_corpus.txt").read_bytes()  # the same words, uploaded by a student
    uploaded = open_corpus(text, filename="mine.txt", workdir=tmp_path)
    assert not uploaded.shared
    assert not train(uploaded, TINY_CONFIG).space.shared
    assert not all_shared(corpus, uploaded)

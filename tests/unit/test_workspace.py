"""Workspaces on disk: exact round trips, privacy, the read-only shelf, and crash safety (SIGKILL)."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from app.errors import InputError
from app.space import EmbeddingSpace
from app.store import session_record
from app.store.keys import SECRET_FILE, WorkspaceKeys
from app.store.workspace import SavedSpace, Workspace, is_valid_token, new_token, published
from tests.conftest import ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs fork, fcntl and SIGKILL")


def tricky_space(name: str = "tricky") -> EmbeddingSpace:
    """Words no line-based format survives, float bit patterns that must not be normalised, rich metadata."""
    words = ["king", "naïve", "日本語", "🙂", "two words", "tab\there", "new\nline", "", " ", "\r", "lone \ud800"]
    n = len(words)
    vectors = np.random.default_rng(0).normal(size=(n, 5)).astype(np.float32)
    vectors[0] = [-0.0, 1e-45, 3.4e38, -1.0, 0.1]  # negative zero, a denormal, near float32 max
    metadata = pd.DataFrame(
        {
            "freq": np.arange(n, dtype=np.int64),
            "score": np.linspace(0, 1, n),
            "label": [f"l{i}" for i in range(n)],
            "group": pd.Categorical(["a", "b"] * (n // 2) + ["a"]),
            "flag": [True, False] * (n // 2) + [True],
        }
    )
    source = {"file": "tricky.txt", "format": "word2vec", "options": {"limit": None}, "warnings": ["w"]}
    return EmbeddingSpace(name, words, vectors, metadata=metadata, source=source)


def small_space(name: str, seed: int = 0, n: int = 6) -> EmbeddingSpace:
    rng = np.random.default_rng(seed)
    return EmbeddingSpace(name, [f"w{i}" for i in range(n)], rng.normal(size=(n, 3)), source={"seed": seed})


def assert_same_space(back: EmbeddingSpace, space: EmbeddingSpace) -> None:
    assert back.name == space.name
    assert back.words == space.words
    assert back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors.view(np.uint32), space.vectors.view(np.uint32))  # bit-identical
    assert back.source == space.source
    if space.metadata is None:
        assert back.metadata is None
    else:
        pd.testing.assert_frame_equal(back.metadata, space.metadata, check_dtype=False)
        assert back.metadata.dtypes.astype(str).tolist()[:2] == ["int64", "float64"]
    assert back.fingerprint == space.fingerprint


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path, new_token())


# --- round trips -------------------------------------------------------------------------------------
def test_round_trip_is_exact_for_any_unicode_words_metadata_and_source(ws):
    space = tricky_space()
    entry_id = ws.save(space, extra={"seed": np.int64(7), "epochs": [1, 2]})
    back = ws.load(entry_id)
    assert_same_space(back, space)
    assert not back.vectors.flags.writeable
    [entry] = ws.list()
    assert isinstance(entry, SavedSpace)
    assert (entry.id, entry.name, entry.n, entry.dim) == (entry_id, "tricky", len(space), 5)
    assert entry.extra == {"seed": 7, "epochs": [1, 2]}
    assert entry.fingerprint == space.fingerprint
    assert entry.bytes > space.vectors.nbytes
    assert entry.saved_at.tzinfo is not None


@pytest.mark.parametrize(
    "space",
    [
        EmbeddingSpace("empty", [], np.zeros((0, 3), dtype=np.float32)),
        EmbeddingSpace("one", [""], np.array([[np.nan]], dtype=np.float32)),
        EmbeddingSpace("no columns", ["a", "b"], np.eye(2), metadata=pd.DataFrame(index=range(2))),
    ],
    ids=["no-words", "one-empty-word", "metadata-without-columns"],
)
def test_round_trip_of_edge_cases(ws, space):
    back = ws.load(ws.save(space))
    assert back.words == space.words
    assert back.vectors.shape == space.vectors.shape
    np.testing.assert_array_equal(back.vectors.view(np.uint32), space.vectors.view(np.uint32))
    assert back.fingerprint == space.fingerprint


def test_metadata_parquet_cannot_hold_is_stored_as_text(ws):
    mixed = pd.DataFrame({"mixed": pd.Series([1, "x"], dtype=object), "n": [1.5, 2.0]})
    space = EmbeddingSpace("mixed", ["a", "b"], np.eye(2), metadata=mixed)
    back = ws.load(ws.save(space))
    assert back.metadata["mixed"].tolist() == ["1", "x"]
    assert back.metadata["n"].tolist() == [1.5, 2.0]


def test_source_that_is_not_json_is_refused_before_writing(ws):
    space = small_space("s").with_source(bad={(1, 2): "tuple key"})
    with pytest.raises(InputError, match="not JSON"):
        ws.save(space)
    assert ws.list() == []
    assert [p.name for p in ws.path.iterdir() if p.name.startswith(".tmp-") and p.is_dir()] == []


@pytest.fixture(scope="module")
def fasttext_model():
    from gensim.models import FastText

    sentences = [
        ["the", "king", "rules", "the", "kingdom"],
        ["the", "queen", "rules", "the", "queendom"],
        ["a", "dog", "barks", "at", "the", "cat"],
    ] * 10
    return FastText(sentences, vector_size=8, min_count=1, epochs=3, bucket=300, seed=1, workers=1)


def test_fasttext_subwords_round_trip_answers_unseen_words_identically(ws, fasttext_model):
    wv = fasttext_model.wv
    space = EmbeddingSpace("fasttext", wv.index_to_key, wv.vectors, subwords=wv)
    back = ws.load(ws.save(space))
    assert back.fingerprint == space.fingerprint
    assert back.subwords is not None
    for unseen in ["kingdoms", "queens", "barking", "x"]:
        assert unseen not in back
        np.testing.assert_array_equal(back.vector(unseen), space.vector(unseen))
    assert back.subwords.most_similar("kingdoms", topn=4) == wv.most_similar("kingdoms", topn=4)
    assert not (ws.path / ws.list()[0].id / "subwords" / "vocab.json").exists()  # the space's own words are reused


def test_subset_of_a_fasttext_space_keeps_the_models_own_vocabulary(ws, fasttext_model):
    wv = fasttext_model.wv
    subset = EmbeddingSpace("full", wv.index_to_key, wv.vectors, subwords=wv).head(3)
    dropped_word = wv.index_to_key[5]  # known to the model, not to the subset
    back = ws.load(ws.save(subset))
    assert back.fingerprint == subset.fingerprint
    np.testing.assert_array_equal(back.vector(dropped_word), subset.vector(dropped_word))
    np.testing.assert_array_equal(back.vector("kingdoms"), subset.vector("kingdoms"))


class OpaqueSubwords:
    """A subword model the workspace does not know how to store."""

    vectors_ngrams = np.ones((2, 3), dtype=np.float32)

    def get_vector(self, word: str) -> np.ndarray:
        return np.ones(3, dtype=np.float32)


def test_unknown_subword_model_is_dropped_and_recorded(ws):
    space = EmbeddingSpace("opaque", ["a"], np.ones((1, 3)), subwords=OpaqueSubwords())
    entry_id = ws.save(space)
    back = ws.load(entry_id)
    assert back.subwords is None
    np.testing.assert_array_equal(back.vectors, space.vectors)
    manifest = json.loads((ws.path / entry_id / "manifest.json").read_text())
    assert manifest["subwords_dropped"] is True


# --- listing, replacing, deleting ----------------------------------------------------------------------
def test_a_new_workspace_object_on_the_same_root_lists_everything_saved(tmp_path):
    token = new_token()
    first = Workspace(tmp_path, token)
    ids = [first.save(small_space(f"space {i}", seed=i)) for i in range(4)]
    again = Workspace(tmp_path, token)  # the server restarted; the student reopens the link
    entries = again.list()
    assert [e.id for e in entries] == ids  # oldest first
    assert [e.name for e in entries] == [f"space {i}" for i in range(4)]
    assert again.load(ids[2]).fingerprint == small_space("space 2", seed=2).fingerprint


def test_saving_the_same_name_again_keeps_one_entry_the_newest(ws):
    old_id = ws.save(small_space("mine", seed=1))
    new_id = ws.save(small_space("mine", seed=2))
    ws.save(small_space("other", seed=3))
    entries = ws.list()
    assert sorted(e.name for e in entries) == ["mine", "other"]
    assert next(e for e in entries if e.name == "mine").id == new_id
    assert ws.load(new_id).fingerprint == small_space("mine", seed=2).fingerprint
    assert not (ws.path / old_id).exists()
    with pytest.raises(InputError, match="deleted or replaced"):
        ws.load(old_id)


def test_delete_removes_the_entry_and_its_files(ws):
    keep = ws.save(small_space("keep"))
    gone = ws.save(small_space("gone", n=500))
    before = ws.total_bytes()
    ws.delete(gone)
    assert [e.id for e in ws.list()] == [keep]
    assert not (ws.path / gone).exists()
    assert ws.total_bytes() < before
    with pytest.raises(InputError):
        ws.delete(gone)


def test_an_unsaved_workspace_is_empty_and_creates_nothing(tmp_path):
    ws = Workspace(tmp_path, new_token())
    assert ws.list() == []
    assert ws.total_bytes() == 0
    assert not ws.path.exists()


def test_concurrent_saves_to_one_workspace_all_land(ws):
    errors: list[BaseException] = []

    def save(i: int) -> None:
        try:
            ws.save(small_space(f"tab {i}", seed=i, n=2000))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(e.name for e in ws.list()) == [f"tab {i}" for i in range(6)]
    assert [p for p in ws.path.iterdir() if p.name.startswith(".tmp-")] == []


# --- privacy ------------------------------------------------------------------------------------------
def test_tokens_are_unguessable_and_strictly_shaped():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(is_valid_token(t) for t in tokens)


@pytest.mark.parametrize(
    "token",
    ["", "../x", "a/b", "..", ".", "_published", "x" * 200, "A" * 21 + "/", "A" * 21 + "\n", "A" * 21 + "é", None],
)
def test_invalid_tokens_are_refused(tmp_path, token):
    assert not is_valid_token(token)
    with pytest.raises(InputError):
        Workspace(tmp_path, token)


def test_two_tokens_never_see_each_others_spaces(tmp_path):
    alice, bob = Workspace(tmp_path, new_token()), Workspace(tmp_path, new_token())
    secret = alice.save(small_space("alice's"))
    bob.save(small_space("bob's"))
    assert [e.name for e in alice.list()] == ["alice's"]
    assert [e.name for e in bob.list()] == ["bob's"]
    with pytest.raises(InputError):
        bob.load(secret)
    with pytest.raises(InputError):
        bob.delete(secret)
    assert [e.id for e in alice.list()] == [secret]


@pytest.mark.parametrize("entry_id", ["../x", "", "..", "0123456789abcdeF", "0123456789abcdef/..", "/etc/passwd"])
def test_entry_ids_cannot_be_path_tricks(ws, entry_id):
    ws.save(small_space("s"))
    with pytest.raises(InputError):
        ws.load(entry_id)
    with pytest.raises(InputError):
        ws.delete(entry_id)


# --- the published shelf ---------------------------------------------------------------------------------
def test_published_shelf_is_read_only_for_students(tmp_path):
    shelf = published(tmp_path)
    entry_id = shelf.publish(small_space("class set"), by="Ms Rivera")
    student_view = published(tmp_path)  # another session, another process
    [entry] = student_view.list()
    assert (entry.name, entry.extra["published_by"]) == ("class set", "Ms Rivera")
    assert student_view.load(entry_id).fingerprint == small_space("class set").fingerprint
    with pytest.raises(InputError, match="published spaces are read-only"):
        student_view.save(small_space("graffiti"))
    with pytest.raises(InputError, match="published spaces are read-only"):
        student_view.delete(entry_id)
    assert [e.id for e in student_view.list()] == [entry_id]
    assert Workspace(tmp_path, new_token()).list() == []  # the shelf is not anyone's workspace
    shelf.unpublish(entry_id)
    assert student_view.list() == []


# --- damage and crash leftovers ---------------------------------------------------------------------------
def damage_cases() -> dict[str, callable]:
    return {
        "corrupt manifest": lambda d: (d / "manifest.json").write_text("{not json"),
        "missing manifest": lambda d: (d / "manifest.json").unlink(),
        "missing vectors.npy": lambda d: (d / "vectors.npy").unlink(),
        "truncated vectors.npy": lambda d: (d / "vectors.npy").write_bytes((d / "vectors.npy").read_bytes()[:200]),
        "missing words.json": lambda d: (d / "words.json").unlink(),
        "missing metadata": lambda d: (d / "metadata.parquet").unlink(),
        "pickle instead of npy": lambda d: np.save(d / "vectors.npy", np.array([{"x": 1}], dtype=object)),
        "wrong word count": lambda d: (d / "words.json").write_text('["a"]'),
    }


@pytest.mark.parametrize("damage", damage_cases())
def test_a_damaged_entry_is_skipped_by_list_and_load_says_so(ws, damage):
    healthy = ws.save(small_space("healthy"))
    broken = ws.save(tricky_space("broken"))
    damage_cases()[damage](ws.path / broken)
    assert [e.id for e in Workspace(ws.path.parent, ws.token).list()] == [healthy]
    with pytest.raises(InputError, match=r"'broken' .*damaged|damaged") as info:
        ws.load(broken)
    assert broken in str(info.value)
    assert ws.load(healthy).name == "healthy"
    ws.delete(broken)  # the student can still clear it away
    assert [e.id for e in ws.list()] == [healthy]


def test_a_corrupt_index_is_rebuilt_from_the_manifests(ws):
    ws.save(small_space("a", seed=1))
    ws.save(small_space("a", seed=2))
    b = ws.save(small_space("b"))
    (ws.path / "index.json").write_text("garbage")
    assert sorted(e.name for e in ws.list()) == ["a", "b"]
    assert ws.load(b).name == "b"
    ws.save(small_space("c"))  # the next save writes a fresh index
    assert json.loads((ws.path / "index.json").read_text())["entries"].keys() == {"a", "b", "c"}


def test_crash_leftovers_are_ignored_then_cleaned_by_the_next_save(ws):
    kept = ws.save(small_space("kept"))
    half_written = ws.path / ".tmp-crashed"
    half_written.mkdir()
    (half_written / "vectors.npy").write_bytes(b"\x93NUMPY partial")
    (ws.path / ".tmp-index-dead").write_text("{")
    orphan = ws.path / "00112233445566ff"  # renamed into place, never reached the index
    orphan.mkdir()
    (orphan / "manifest.json").write_text("{}")
    assert [e.id for e in ws.list()] == [kept]
    ws.save(small_space("next"))
    leftovers = [p.name for p in ws.path.iterdir() if p.name.startswith(".tmp-") or p.name == orphan.name]
    assert leftovers == []
    assert sorted(e.name for e in ws.list()) == ["kept", "next"]


@posix_only
def test_a_save_in_progress_elsewhere_is_not_cleaned_up(ws):
    import fcntl

    ws.save(small_space("first"))
    in_progress = ws.path / ".tmp-other-save"
    in_progress.mkdir()
    fd = os.open(in_progress, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a concurrent save holds while it writes
        ws.save(small_space("second"))
        assert in_progress.exists()
    finally:
        os.close(fd)
    ws.save(small_space("third"))
    assert not in_progress.exists()


# --- SIGKILL ------------------------------------------------------------------------------------------------
SAVE_ONE_VERSION = """
import sys, time
import numpy as np
import pandas as pd
from app.space import EmbeddingSpace
from app.store.workspace import Workspace

root, token, version = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = 200_000
vectors = np.random.default_rng(version).standard_normal((n, 50), dtype=np.float32)
metadata = pd.DataFrame({"rank": np.arange(n) * version})
space = EmbeddingSpace("big", [f"w{i}" for i in range(n)], vectors, metadata=metadata, source={"version": version})
print("ready", space.fingerprint, flush=True)
start = time.perf_counter()
Workspace(root, token).save(space)
print("saved", time.perf_counter() - start, flush=True)
"""


@posix_only
@pytest.mark.slow
def test_sigkill_while_saving_a_new_version_always_leaves_one_complete_version(tmp_path):
    script = tmp_path / "save_one_version.py"
    script.write_text(SAVE_ONE_VERSION)
    root, token = tmp_path / "root", new_token()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(script), str(root), token]
    first = subprocess.run([*command, "1"], env=env, capture_output=True, text=True, check=True).stdout.split()
    committed, save_seconds = first[1], float(first[3])
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    outcomes = []
    for version in range(2, 10):
        proc = subprocess.Popen([*command, str(version)], env=env, stdout=subprocess.PIPE, text=True)
        attempted = proc.stdout.readline().split()[1]
        time.sleep(rng.uniform(0, max(0.3, 1.3 * save_seconds)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        fresh = Workspace(root, token)
        entries = fresh.list()
        assert [e.name for e in entries] == ["big"], f"seed {seed}, version {version}"
        loaded = fresh.load(entries[0].id)
        assert loaded.fingerprint in {committed, attempted}, f"a mix of versions (seed {seed}, version {version})"
        assert int(loaded.metadata["rank"].iloc[1]) == loaded.source["version"]  # metadata of the same version
        assert len(loaded) == 200_000
        outcomes.append(
            ("killed" if proc.returncode == -signal.SIGKILL else "finished", loaded.fingerprint == attempted)
        )
        committed = loaded.fingerprint
    print(f"SIGKILL outcomes (killed?, new version visible?), seed {seed}: {outcomes}")
    assert any(kind == "killed" for kind, _ in outcomes)
    subprocess.run([*command, "10"], env=env, capture_output=True, check=True)  # a clean save tidies up
    names = sorted(p.name for p in (root / token).iterdir())
    assert [n for n in names if n.startswith(".tmp-")] == []
    assert len([n for n in names if len(n) == 16]) == 1


CRASH_AT_EVERY_STEP = """
import json, os, signal, sys
import numpy as np
from app.space import EmbeddingSpace
from app.store.workspace import Workspace

root, token = sys.argv[1], sys.argv[2]
STEPS = ("mkdir", "fsync", "rename", "replace")

def space(version):
    vectors = np.random.default_rng(version).normal(size=(50, 4))
    return EmbeddingSpace("s", [f"w{i}" for i in range(50)], vectors, source={"version": version})

Workspace(root, token).save(space(1))
committed, outcomes = space(1).fingerprint, []
for step in range(1, 100):
    attempt = space(step + 1)
    pid = os.fork()
    if pid == 0:  # the child dies just before its step-th file-system operation
        calls = [0]
        def dying(real):
            def wrapper(*args, **kwargs):
                calls[0] += 1
                if calls[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kwargs)
            return wrapper
        for name in STEPS:
            setattr(os, name, dying(getattr(os, name)))
        Workspace(root, token).save(attempt)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    entries = Workspace(root, token).list()
    names = [e.name for e in entries]
    loaded = Workspace(root, token).load(entries[0].id).fingerprint if names == ["s"] else None
    ok = names == ["s"] and loaded in (committed, attempt.fingerprint)
    outcomes.append({"step": step, "killed": os.WIFSIGNALED(status), "ok": ok, "new": loaded == attempt.fingerprint})
    committed = loaded
    if not os.WIFSIGNALED(status):
        break
print(json.dumps(outcomes))
"""


@posix_only
def test_a_crash_before_any_file_system_step_leaves_the_old_or_the_new_version(tmp_path):
    script = tmp_path / "crash_at_every_step.py"
    script.write_text(CRASH_AT_EVERY_STEP)
    root, token = tmp_path / "root", new_token()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script), str(root), token], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert all(o["ok"] for o in outcomes), outcomes
    killed = [o for o in outcomes if o["killed"]]
    assert len(killed) >= 8  # every mkdir, fsync, rename and replace of a save
    assert not killed[0]["new"] and killed[-1]["new"]  # before the index switch: old; after it: new
    assert not outcomes[-1]["killed"] and outcomes[-1]["new"]
    flips = [o["new"] for o in killed]
    assert flips == sorted(flips)  # exactly one switch point: the index replace


def test_a_full_disk_is_an_input_error_and_keeps_the_previous_version(ws, monkeypatch):
    first = ws.save(small_space("mine", seed=1))

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(InputError, match=r"Could not save 'mine' \(No space left on device\).*unchanged"):
        ws.save(small_space("mine", seed=2))
    monkeypatch.undo()
    assert [e.id for e in ws.list()] == [first]
    assert ws.load(first).fingerprint == small_space("mine", seed=1).fingerprint
    assert [p for p in ws.path.iterdir() if p.name.startswith(".tmp-")] == []  # the half-written copy is gone


# --- signed workspace keys: only keys this server issued are adopted ---------------------------------------
def test_issued_keys_name_a_valid_workspace_token_and_are_accepted(tmp_path):
    keys = WorkspaceKeys(tmp_path)
    issued = {keys.issue() for _ in range(20)}
    assert len(issued) == 20
    for key in issued:
        token = keys.token_of(key)
        assert token is not None and is_valid_token(token) and key.startswith(token + ".")
        Workspace(tmp_path, token).save(small_space("mine"))  # the token works as a workspace folder


def test_keys_chosen_by_someone_else_are_refused(tmp_path):
    keys = WorkspaceKeys(tmp_path)
    key = keys.issue()
    token, signature = key.split(".")
    forged = [
        new_token(),  # an old-style unsigned key, or any 22 characters someone picked
        f"{new_token()}.{signature}",  # a real signature on another token
        f"{token}.{'A' * 22}",
        f"{token}.{signature[:-1]}{'B' if signature[-1] != 'B' else 'C'}",
        key + "x",
        "../" + key,
        "",
        None,
        123,
    ]
    assert all(keys.token_of(candidate) is None for candidate in forged)
    assert WorkspaceKeys(tmp_path / "another-server").token_of(key) is None  # another server's secret


def test_the_secret_is_created_once_privately_and_survives_a_restart(tmp_path):
    key = WorkspaceKeys(tmp_path).issue()
    secret = tmp_path / SECRET_FILE
    assert secret.stat().st_mode & 0o777 == 0o600
    assert WorkspaceKeys(tmp_path).token_of(key) is not None  # a new process reads the same secret
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]  # no temp file left behind


def test_concurrent_first_uses_agree_on_one_secret(tmp_path):
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(WorkspaceKeys(tmp_path).issue())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(WorkspaceKeys(tmp_path).token_of(key) for key in keys)


# --- the session record: what a reload brings back ----------------------------------------------------------
def test_session_record_round_trip_and_atomic_replace(tmp_path):
    record = session_record.SessionRecord(
        spaces=(
            session_record.Loaded("GloVe 6B 50d (top 20,000)", "sample", sample="glove", n_words=20_000),
            session_record.Loaded("<img src=x>.txt", "saved"),
            session_record.Loaded("class set", "published", id="0123456789abcdef"),
        ),
        active="<img src=x>.txt",
    )
    session_record.write(tmp_path, record)
    assert session_record.read(tmp_path) == record
    session_record.write(tmp_path, session_record.SessionRecord())
    assert session_record.read(tmp_path) == session_record.SessionRecord()
    assert sorted(p.name for p in tmp_path.iterdir()) == [session_record.FILE]


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"format": "other"}', b'{"format": "embedding-lab-session", "spaces": 3}'],
)
def test_a_damaged_session_record_reads_as_empty(tmp_path, content):
    (tmp_path / session_record.FILE).write_bytes(content)
    assert session_record.read(tmp_path) == session_record.SessionRecord()


def test_unknown_kinds_in_a_session_record_are_skipped(tmp_path):
    data = {
        "format": session_record.FORMAT,
        "spaces": [{"name": "x", "kind": "pickle"}, {"name": "toy", "kind": "sample", "sample": "toy"}],
        "active": "toy",
    }
    (tmp_path / session_record.FILE).write_text(json.dumps(data))
    assert [s.name for s in session_record.read(tmp_path).spaces] == ["toy"]

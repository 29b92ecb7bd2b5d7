"""Server-wide caps (issue 16): memory of loaded spaces across sessions, workspaces and uploads on disk,
expiry of unused folders; each refusal names the cap and its variable, and existing work keeps working."""

from __future__ import annotations

import gc
import os
import time

import numpy as np
import pytest

from app.errors import InputError
from app.space import EmbeddingSpace
from app.store.budgets import MB
from app.store.caps import (
    UPLOADS_DIR,
    LoadedSpaces,
    ServerCaps,
    check_can_save,
    check_upload_space,
    expire,
    note_use,
    start_housekeeping,
    workspace_folders,
)
from app.store.workspace import Workspace, new_token, published


def space_of(name: str, mb: float, seed: int = 0) -> EmbeddingSpace:
    rows = int(mb * 1024)  # rows of 256 float32 = 1 KiB
    vectors = np.random.default_rng(seed).normal(size=(rows, 256)).astype(np.float32)
    return EmbeddingSpace(name, [f"w{i}" for i in range(rows)], vectors)


def test_caps_from_env_read_every_variable_and_name_a_malformed_one():
    assert ServerCaps.from_env({}) == ServerCaps()
    caps = ServerCaps.from_env(
        {
            "EMBEDDING_LAB_SERVER_SPACES_MB": "100",
            "EMBEDDING_LAB_WORKSPACES_MB": "200",
            "EMBEDDING_LAB_MAX_WORKSPACES": "3",
            "EMBEDDING_LAB_UPLOADS_MB": "50",
            "EMBEDDING_LAB_WORKSPACE_DAYS": "7",
            "EMBEDDING_LAB_UPLOAD_HOURS": "0.5",
        }
    )
    assert caps == ServerCaps(100 * MB, 200 * MB, 3, 50 * MB, 7.0, 0.5)
    with pytest.raises(ValueError, match="EMBEDDING_LAB_MAX_WORKSPACES"):
        ServerCaps.from_env({"EMBEDDING_LAB_MAX_WORKSPACES": "many"})


def test_a_space_shared_by_many_sessions_counts_once_and_a_freed_one_not_at_all():
    loaded, caps = LoadedSpaces(), ServerCaps(max_spaces_bytes=3 * MB)
    sample = space_of("GloVe", 2, seed=1)
    for session in range(30):  # thirty sessions hold the same sample (and renamed copies of it)
        loaded.hold(sample if session % 2 else sample.renamed(f"copy {session}"))
    assert loaded.total_bytes() == 2 * MB
    other = space_of("mine", 1.5, seed=2)
    with pytest.raises(InputError) as info:
        loaded.check_can_hold(caps, other)
    assert str(info.value).startswith(
        "The server is full: the spaces loaded by everyone take 2 MB of its 3 MB limit "
        "(EMBEDDING_LAB_SERVER_SPACES_MB), and mine needs 2 MB."
    )
    loaded.check_can_hold(caps, sample.renamed("again"))  # what is held already costs nothing more
    del sample
    gc.collect()  # every session let the sample go
    assert loaded.total_bytes() == 0
    loaded.check_can_hold(caps, other)
    assert loaded.left(caps) == 3 * MB


def test_workspace_count_cap_refuses_a_new_workspace_but_not_an_existing_one(tmp_path):
    caps = ServerCaps(max_workspaces=2)
    tokens = [new_token() for _ in range(3)]
    for token in tokens[:2]:
        Workspace(tmp_path, token).save(space_of("a", 0.01))
    published(tmp_path).publish(space_of("shared", 0.01))  # the shelf is not a workspace
    assert [f.name for f in workspace_folders(tmp_path)] == sorted(tokens[:2])
    check_can_save(caps, tmp_path, tokens[0], new_bytes=MB)
    with pytest.raises(InputError, match=r"holds 2 workspaces, its limit \(EMBEDDING_LAB_MAX_WORKSPACES\)"):
        check_can_save(caps, tmp_path, tokens[2], new_bytes=MB)


def test_workspace_bytes_cap_uses_what_is_on_disk(tmp_path):
    token = new_token()
    workspace = Workspace(tmp_path, token)
    workspace.save(space_of("a", 1))
    caps = ServerCaps(max_workspaces_bytes=2 * MB)
    check_can_save(caps, tmp_path, token, new_bytes=MB // 2)
    with pytest.raises(InputError, match=r"take 2 MB of their 2 MB limit \(EMBEDDING_LAB_WORKSPACES_MB\)"):
        check_can_save(caps, tmp_path, new_token(), new_bytes=MB)
    assert len(workspace.load(workspace.list()[0].id)) == 1024  # what is saved stays readable


def test_upload_scratch_cap(tmp_path):
    folder = tmp_path / UPLOADS_DIR / new_token()
    folder.mkdir(parents=True)
    (folder / "corpus.txt").write_bytes(b"x" * MB)
    caps = ServerCaps(max_uploads_bytes=2 * MB)
    check_upload_space(caps, tmp_path, incoming=MB // 2)
    with pytest.raises(InputError, match=r"take 1 MB of their 2 MB limit \(EMBEDDING_LAB_UPLOADS_MB\)"):
        check_upload_space(caps, tmp_path, incoming=2 * MB)


def _age(folder, seconds: float) -> None:
    """Make every file and folder under ``folder`` look last changed ``seconds`` ago."""
    then = time.time() - seconds
    for current, dirs, files in os.walk(folder):
        for name in [".", *dirs, *files]:
            os.utime(os.path.join(current, name), (then, then))


def test_expire_removes_unused_workspaces_and_uploads_keeps_used_and_published_ones(tmp_path):
    caps = ServerCaps(workspace_days=30, upload_hours=24)
    old, used, fresh = new_token(), new_token(), new_token()
    for token in (old, used, fresh):
        Workspace(tmp_path, token).save(space_of("a", 0.01))
    shelf = published(tmp_path)
    shelf.publish(space_of("lesson", 0.01))
    old_upload = tmp_path / UPLOADS_DIR / old
    recent_upload = tmp_path / UPLOADS_DIR / used
    for folder in (old_upload, recent_upload):
        folder.mkdir(parents=True)
        (folder / "corpus.txt").write_text("a b c")
    for folder in (tmp_path / old, tmp_path / used, tmp_path / "_published", old_upload, recent_upload):
        _age(folder, 40 * 86_400)
    note_use(tmp_path / used)  # opened today
    note_use(recent_upload)
    removed = expire(tmp_path, caps)
    assert sorted(removed) == sorted([tmp_path / old, old_upload])
    assert [f.name for f in workspace_folders(tmp_path)] == sorted([used, fresh])
    assert not old_upload.exists() and recent_upload.exists()
    assert [entry.name for entry in shelf.list()] == ["lesson"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".expired-")]  # nothing half-deleted left


def test_housekeeping_starts_once_per_root_and_expires_at_start(tmp_path):
    stale = tmp_path / new_token()
    Workspace(tmp_path, stale.name).save(space_of("a", 0.01))
    _age(stale, 400 * 86_400)
    assert start_housekeeping(tmp_path, every=3600)
    assert not start_housekeeping(tmp_path, every=3600)
    for _ in range(200):  # the first pass runs at once in its thread
        if not stale.exists():
            break
        time.sleep(0.05)
    assert not stale.exists()

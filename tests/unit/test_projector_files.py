"""A TensorFlow Projector folder uploaded as its files together (not zipped) loads exactly like its zip,
and each bad set of files is refused with a message naming the file."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from app.errors import InputError
from app.io.formats import Limits
from app.io.formats.zipped import MAX_ENTRIES
from app.io.loaders import load_projector_files, load_vectors
from tests.conftest import SAMPLE_DATA

ZIP = SAMPLE_DATA / "digits_projector.zip"


def members() -> dict[str, bytes]:
    """The digits folder's files by their plain names, as a browser uploads them."""
    with zipfile.ZipFile(ZIP) as archive:
        return {
            info.filename.rsplit("/", 1)[-1]: archive.read(info) for info in archive.infolist() if not info.is_dir()
        }


def pairs(files: dict[str, bytes]) -> list[tuple[bytes, str]]:
    return [(data, name) for name, data in files.items()]


def with_config(**embedding) -> dict[str, bytes]:
    files = members()
    cfg = json.loads(files["projector_config.json"])
    cfg["embeddings"][0].update(embedding)
    files["projector_config.json"] = json.dumps(cfg).encode()
    return files


class Upload:
    """What Streamlit's uploader returns: a name and getvalue()."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data = name, data

    def getvalue(self) -> bytes:
        return self.data


def test_the_files_load_like_the_zip():
    zipped = load_vectors(ZIP)
    together = load_projector_files([Upload(name, data) for name, data in members().items()])
    assert together.name == "Digits (100, 8x8 pixels)"
    assert together.words == zipped.words
    np.testing.assert_array_equal(together.vectors, zipped.vectors)
    assert together.metadata.equals(zipped.metadata)
    assert together.source["images"] == zipped.source["images"] and len(together.source["images"]) == 100
    assert together.source["bookmarks"] == zipped.source["bookmarks"] and len(together.source["bookmarks"]) == 3
    assert together.source["format"] == "projector-folder"
    assert sorted(together.source["options"]["files"]) == sorted(members())


def test_the_row_limit_applies():
    space = load_projector_files(pairs(members()), limit=10)
    assert len(space.words) == 10 and len(space.source["images"]) == 10


def test_files_kept_in_their_folder_load_too():
    space = load_projector_files([(data, f"digits_projector/{name}") for name, data in members().items()])
    assert len(space.words) == 100


def test_files_without_the_config_are_refused_with_what_to_do():
    files = members()
    del files["projector_config.json"]
    with pytest.raises(
        InputError,
        match=r"no projector_config\.json among the uploaded files \(tensor\.bytes.*"
        r"upload the folder's projector_config\.json with the files it names",
    ):
        load_projector_files(pairs(files))


def test_a_config_naming_a_file_not_uploaded_names_it():
    files = members()
    del files["tensor.bytes"]
    with pytest.raises(
        InputError,
        match=r"^projector_config\.json names tensor\.bytes \(tensorPath\), which was not among the uploaded files$",
    ):
        load_projector_files(pairs(files))


@pytest.mark.parametrize(
    ("embedding", "expected"),
    [
        ({"metadataPath": "../metadata.tsv"}, r"metadataPath '\.\./metadata\.tsv' points outside the folder"),
        ({"tensorPath": "/etc/passwd"}, r"tensorPath '/etc/passwd' is an absolute path"),
        ({"bookmarksPath": "https://example.org/b.json"}, r"bookmarksPath is a web address"),
        ({"tensorShape": [100, 65]}, r"tensorShape \[100, 65\] means 26,000 bytes .* tensor\.bytes holds 25,600"),
        ({"sprite": {"imagePath": "sprite.png", "singleImageDim": [0, 8]}}, r"sprite\.singleImageDim should be"),
    ],
)
def test_the_zips_checks_apply(embedding, expected):
    with pytest.raises(InputError, match=expected):
        load_projector_files(pairs(with_config(**embedding)))


def test_broken_bookmarks_are_a_warning_and_the_vectors_load():
    files = members()
    files["bookmarks.json"] = b"[{"
    space = load_projector_files(pairs(files))
    assert len(space.words) == 100
    assert any("bookmarks.json" in w for w in space.source["warnings"])


def test_two_configs_are_refused():
    files = pairs(members()) + [(members()["projector_config.json"], "other/projector_config.json")]
    with pytest.raises(InputError, match=r"2 files named projector_config\.json were uploaded"):
        load_projector_files(files)


def test_a_file_uploaded_twice_is_refused():
    files = pairs(members())
    with pytest.raises(InputError, match=r"^metadata\.tsv was uploaded twice"):
        load_projector_files([*files, (b"x", "metadata.tsv")])


@pytest.mark.parametrize("name", ["../tensor.bytes", "/tmp/tensor.bytes", "C:\\tensor.bytes"])
def test_unsafe_file_names_are_refused(name):
    with pytest.raises(InputError, match="an unsafe file name"):
        load_projector_files([*pairs(members()), (b"", name)])


def test_too_many_files_are_refused_before_reading_any():
    class Unread:
        name = "x.txt"

        def getvalue(self) -> bytes:
            raise AssertionError("read before the count was checked")

    with pytest.raises(InputError, match=f"more than the limit of {MAX_ENTRIES:,}"):
        load_projector_files([Unread()] * (MAX_ENTRIES + 1))


def test_too_many_bytes_together_are_refused():
    files = members()
    total = sum(len(d) for d in files.values())
    with pytest.raises(InputError, match=f"hold {total:,} bytes together, more than the limit of 30,000"):
        load_projector_files(pairs(files), limits=Limits(max_bytes=30_000))


def test_no_files_at_all():
    with pytest.raises(InputError, match="no files were uploaded"):
        load_projector_files([])

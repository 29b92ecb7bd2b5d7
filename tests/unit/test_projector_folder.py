"""A TensorFlow Projector folder, zipped, opened by load_vectors: built here, file by file."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from app.errors import InputError
from app.io.formats import Limits
from app.io.formats.zipped import MAX_ENTRIES
from app.io.images import decode_png, image_bytes
from app.io.loaders import load_vectors

ROWS, DIM, SIDE = 5, 3, 4
VECTORS = np.arange(ROWS * DIM, dtype="<f4").reshape(ROWS, DIM) / 10
METADATA = "name\tkind\n" + "".join(f"point {i}\t{'even' if i % 2 == 0 else 'odd'}\n" for i in range(ROWS))
BOOKMARKS = [{"label": "The evens", "description": "Points 0, 2 and 4.", "selectedPoints": [0, 2, 4]}]


def sprite_png(count: int = ROWS, side: int = SIDE, across: int = 3) -> bytes:
    """A sprite sheet whose image i is filled with the grey level 10 * (i + 1)."""
    from PIL import Image

    down = -(-count // across)
    sheet = np.zeros((down * side, across * side), dtype=np.uint8)
    for i in range(count):
        row, col = divmod(i, across)
        sheet[row * side : (row + 1) * side, col * side : (col + 1) * side] = 10 * (i + 1)
    buffer = io.BytesIO()
    Image.fromarray(sheet).save(buffer, format="PNG")
    return buffer.getvalue()


def config(**embedding) -> dict:
    base = {
        "tensorName": "toy",
        "tensorShape": [ROWS, DIM],
        "tensorPath": "tensor.bytes",
        "metadataPath": "metadata.tsv",
        "sprite": {"imagePath": "sprite.png", "singleImageDim": [SIDE, SIDE]},
        "bookmarksPath": "bookmarks.json",
    }
    return {"embeddings": [{k: v for k, v in {**base, **embedding}.items() if v is not None}]}


def folder_zip(cfg: dict | None = None, *, folder: str = "oss_data/", **files: bytes) -> tuple[bytes, str]:
    entries = {
        "projector_config.json": json.dumps(cfg or config()).encode(),
        "tensor.bytes": VECTORS.tobytes(),
        "metadata.tsv": METADATA.encode(),
        "sprite.png": sprite_png(),
        "bookmarks.json": json.dumps(BOOKMARKS).encode(),
    }
    entries.update({name.replace("__", "."): data for name, data in files.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue(), "projector.zip"


def test_bytes_tensor_with_metadata_sprite_and_bookmarks():
    space = load_vectors(folder_zip())
    assert space.source["format"] == "projector-folder" and space.source["format_detected"]
    np.testing.assert_array_equal(space.vectors, VECTORS)
    assert space.words == tuple(f"point {i}" for i in range(ROWS))
    assert list(space.metadata.columns) == ["name", "kind"]
    images = space.source["images"]
    assert set(images) == set(space.words)
    for i, word in enumerate(space.words):  # image i of the sheet belongs to row i
        pixels = decode_png(image_bytes(images[word]))
        assert pixels.shape[:2] == (SIDE, SIDE) and np.all(pixels[..., 0] == 10 * (i + 1))
    assert space.source["bookmarks"][0]["title"] == "The evens"
    assert space.source["bookmarks"][0]["description"] == "Points 0, 2 and 4."
    assert space.source["bookmarks"][0]["selected_points"] == [0, 2, 4]


def test_tsv_tensor_and_a_folder_zipped_without_its_directory():
    tsv = "\n".join("\t".join(f"{v:g}" for v in row) for row in VECTORS).encode()
    cfg = config(tensorPath="vectors.tsv", tensorShape=None, sprite=None, bookmarksPath=None)
    space = load_vectors(folder_zip(cfg, folder="", vectors__tsv=tsv))
    np.testing.assert_allclose(space.vectors, VECTORS, rtol=1e-6)
    assert "images" not in space.source and space.words[0] == "point 0"


def test_row_limit_keeps_the_first_rows_and_their_pictures():
    space = load_vectors(folder_zip(), limit=2)
    assert len(space) == 2 and len(space.source["images"]) == 2


BAD = [
    ("no tensorPath", config(tensorPath=None), {}, r"embeddings\[0\] has no 'tensorPath'"),
    ("no embeddings", {"embeddings": []}, {}, r"no 'embeddings' list"),
    ("outside the folder", config(metadataPath="../secret.tsv"), {}, r"metadataPath '\.\./secret\.tsv' points outside"),
    ("absolute path", config(tensorPath="/etc/passwd"), {}, r"absolute path, pointing outside the folder"),
    ("a web address", config(sprite={"imagePath": "https://x.org/s.png", "singleImageDim": [4, 4]}), {}, "web address"),
    ("missing file", config(metadataPath="labels.tsv"), {}, r"names 'labels\.tsv', which is not in the zip"),
    ("shape mismatch", config(tensorShape=[ROWS, DIM + 1]), {}, r"tensorShape \[5, 4\] means 80 bytes .* holds 60"),
    ("shape not numbers", config(tensorShape=["5", 3]), {}, r"tensorShape should be two positive whole numbers"),
    ("bytes without shape", config(tensorShape=None), {}, r"'tensorShape' \[rows, dims\] is needed"),
    ("sprite too small", config(), {"sprite__png": sprite_png(count=3, across=3)}, r"does not hold 5 images of 4 x 4"),
    ("sprite not whole", config(sprite={"imagePath": "sprite.png", "singleImageDim": [5, 4]}), {}, "pixels left over"),
    ("sprite not an image", config(), {"sprite__png": b"not a png"}, r"sprite\.png: not a readable image"),
    ("no sprite dim", config(sprite={"imagePath": "sprite.png"}), {}, r"sprite\.singleImageDim should be two"),
    ("bad json", None, {"projector_config__json": b"{oops"}, r"projector_config\.json, line 1: not valid JSON"),
    ("metadata rows", config(), {"metadata__tsv": b"a\nb\n"}, r"metadata\.tsv: 2 metadata rows for 5 vectors"),
]


@pytest.mark.parametrize(("case", "cfg", "files", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_folders_name_the_problem(case, cfg, files, message):
    with pytest.raises(InputError, match=message):
        load_vectors(folder_zip(cfg, **files))


def test_bytes_shape_is_checked_against_the_memory_cap_before_reading():
    cfg = config(tensorShape=[1_000_000, 1_000])  # 4 GB promised by a tiny file
    with pytest.raises(InputError, match="would take"):
        load_vectors(folder_zip(cfg), limits=Limits(max_vectors_bytes=10**6))


def test_a_zip_that_is_no_projector_folder_is_refused_as_before():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vectors.txt", "2 1\na 1\nb 2\n")
    with pytest.raises(InputError, match="not a vector file unless it is a TensorFlow Projector folder"):
        load_vectors((buffer.getvalue(), "vectors.zip"))


def test_an_unsafe_entry_name_or_too_many_entries_are_refused():
    data, name = folder_zip()
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../evil.txt", "x")
    with pytest.raises(InputError, match="unsafe path"):
        load_vectors((buffer.getvalue(), name))
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for i in range(MAX_ENTRIES):
            archive.writestr(f"oss_data/extra/{i}.txt", "")
    with pytest.raises(InputError, match="entries, more than the limit"):
        load_vectors((buffer.getvalue(), name))

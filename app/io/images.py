"""Pictures for spaces whose points are images: small PNG data URIs, one per point.

A space keeps them in its provenance as ``source["images"]``: {word: "data:image/png;base64,..."}.
Keyed by word (not row), so a subset of the space still finds each point's picture, and plain
JSON, so a workspace saves them with the space. Thumbnails are small on purpose (at most
``MAX_SIDE`` pixels a side, ``MAX_TOTAL_BYTES`` in all): they are drawn in the picture and sent to
the browser on every rerun. A Projector sprite sheet is cut here too, after its size is checked.
"""

from __future__ import annotations

import base64
import io
import math
import struct
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from app.errors import InputError

PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INK = (30, 30, 60)  # a dark blue-grey, the thumbnails' ink
COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> the PNG colour type (grey, RGB, RGBA)
MAX_SIDE = 28  # pixels a side: a bigger image is shrunk (MNIST's size; enough for a thumbnail)
MAX_TOTAL_BYTES = 8 * 1024**2  # all of a space's data URIs together; points past it get none
MAX_SPRITE_PIXELS = 8192 * 8192  # the Projector's own limit for a sprite sheet
HOVER_SIDE = 10  # the picture in the hover text: at most this many pixels a side (8 x 8 digits stay sharp)
SHADES = "\u00a0░▒▓█"  # no-break space first: plotly would collapse ordinary leading spaces


def png_data_uri(pixels: np.ndarray) -> str:
    """A uint8 image (H x W grey, H x W x 3 RGB or H x W x 4 RGBA) as a PNG data URI."""
    return PREFIX + base64.b64encode(encode_png(pixels)).decode("ascii")


def encode_png(pixels: np.ndarray) -> bytes:
    """A minimal PNG (8-bit, no row filters) written directly: about a hundred times faster than
    Pillow's encoder for a thumbnail, which matters for a few thousand of them."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    if channels not in COLOUR_TYPES:
        raise InputError(f"an image needs 1, 3 or 4 channels, not {channels}")
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # each row: filter byte 0, then pixels
    rows[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    body = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes())) + _chunk(b"IEND", b"")
    return PNG_SIGNATURE + body


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def decode_png(data: bytes) -> np.ndarray:
    """Pixels (H x W x channels) of a PNG: ours are read directly, any other through Pillow."""
    if data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR":
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
        channels = {v: k for k, v in COLOUR_TYPES.items()}.get(colour)
        idat = data.find(b"IDAT")
        if depth == 8 and channels and not interlace and idat > 0 and data.count(b"IDAT") == 1:
            length = struct.unpack(">I", data[idat - 4 : idat])[0]
            raw = np.frombuffer(zlib.decompress(data[idat + 4 : idat + 4 + length]), dtype=np.uint8)
            rows = raw.reshape(height, 1 + width * channels) if raw.size == height * (1 + width * channels) else None
            if rows is not None and not rows[:, 0].any():  # no row filters: our own writing
                return rows[:, 1:].reshape(height, width, channels)
    from PIL import Image  # Pillow ships with Streamlit; loaded only for a PNG from elsewhere

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def ink_thumbnails(images: np.ndarray, *, brightest: float, scale: int = 3) -> list[str]:
    """Grey images (n x H x W, 0 = paper) as dark ink on a transparent ground, each pixel
    ``scale`` x ``scale`` so the browser does not blur an 8 x 8 digit into a smudge."""
    if images.ndim != 3:
        raise InputError(f"expected n x height x width grey images, got shape {images.shape}")
    alpha = np.clip(np.asarray(images, dtype=np.float64) / brightest, 0.0, 1.0) * 255
    big = alpha.astype(np.uint8).repeat(scale, axis=1).repeat(scale, axis=2)  # all images at once
    rgba = np.zeros((*big.shape, 4), dtype=np.uint8)
    rgba[..., :3] = INK
    rgba[..., 3] = big
    return [png_data_uri(one) for one in rgba]


def read_sprite(data: bytes, filename: str) -> np.ndarray:
    """A sprite sheet's pixels (H x W x 4 RGBA), its size checked from the header before decoding."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_SPRITE_PIXELS:
                raise InputError(
                    f"{filename}: the sprite is {width:,} x {height:,} pixels, more than the limit of "
                    f"{MAX_SPRITE_PIXELS:,} pixels (8192 x 8192, as the Projector's)"
                )
            return np.asarray(image.convert("RGBA"))
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"{filename}: not a readable image ({exc})") from None


def cut_sprite(sprite: np.ndarray, filename: str, *, single: tuple[int, int], count: int) -> list[np.ndarray]:
    """The first ``count`` images of a sprite sheet, read row by row, left to right.

    ``single`` is one image's (width, height), the Projector's ``singleImageDim``. The sheet must
    be whole images across and hold at least ``count`` of them; otherwise the images would be
    assigned to the wrong points, so it is refused.
    """
    width, height = single
    if width < 1 or height < 1:
        raise InputError(f"{filename}: singleImageDim must be two positive numbers, got {list(single)}")
    sheet_height, sheet_width = sprite.shape[:2]
    across, down = sheet_width // width, sheet_height // height
    if sheet_width % width or sheet_height % height or across * down < count:
        raise InputError(
            f"{filename}: a sprite of {sheet_width:,} x {sheet_height:,} pixels does not hold {count:,} images of "
            f"{width} x {height} (it holds {across} across and {down} down, with "
            f"{sheet_width % width} and {sheet_height % height} pixels left over); check singleImageDim"
        )
    return [
        sprite[(i // across) * height : (i // across + 1) * height, (i % across) * width : (i % across + 1) * width]
        for i in range(count)
    ]


def small_thumbnails(images: Sequence[np.ndarray]) -> tuple[list[str | None], list[str]]:
    """Each image shrunk to at most ``MAX_SIDE`` a side, as data URIs, until ``MAX_TOTAL_BYTES``;
    returns the URIs (None past the cap) and warnings saying what was left out."""
    from PIL import Image

    uris: list[str | None] = []
    total = 0
    for index, pixels in enumerate(images):
        image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        uri = png_data_uri(np.asarray(image))
        total += len(uri)
        if total > MAX_TOTAL_BYTES:
            left = len(images) - index
            uris += [None] * left
            return uris, [
                f"thumbnails kept for the first {index:,} points; the other {left:,} have none "
                f"(all thumbnails together are capped at {MAX_TOTAL_BYTES // 1024**2} MB)"
            ]
        uris.append(uri)
    return uris, []


def images_for(source: dict[str, Any], words: Sequence[str]) -> list[str | None] | None:
    """Each word's data URI from a space's provenance (None where it has none), or None when the
    space has no images at all."""
    images = source.get("images")
    if not isinstance(images, dict) or not images:
        return None
    return [images.get(word) if isinstance(images.get(word), str) else None for word in words]


def image_bytes(uri: str) -> bytes:
    """The PNG bytes inside a data URI (what st.image and a download want)."""
    if not uri.startswith(PREFIX):
        raise InputError("not a PNG data URI")
    return base64.b64decode(uri[len(PREFIX) :], validate=True)


@lru_cache(maxsize=4096)
def hover_picture(uri: str) -> str:
    """The image as lines of shade characters, for hover text (plotly's hover cannot show an image).

    Two characters per pixel, so a pixel is about as wide as it is tall; darker ink, denser shade.
    """
    pixels = decode_png(image_bytes(uri)).astype(np.float64)
    if pixels.shape[2] == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    rgba = pixels if pixels.shape[2] == 4 else np.dstack([pixels, np.full(pixels.shape[:2], 255.0)])
    grey = rgba[..., :3].mean(axis=2) / 255.0
    ink = (1.0 - grey) * (rgba[..., 3] / 255.0)  # dark and opaque is ink; light or clear is paper
    ink = ink / ink.max() if ink.max() > 0 else ink  # the darkest pixel gets the densest shade
    step = max(1, math.ceil(max(ink.shape) / HOVER_SIDE))
    rows, cols = ink.shape[0] // step, ink.shape[1] // step
    if rows == 0 or cols == 0:
        return ""
    pooled = ink[: rows * step, : cols * step].reshape(rows, step, cols, step).mean(axis=(1, 3))
    levels = np.clip(np.rint(pooled * (len(SHADES) - 1)), 0, len(SHADES) - 1).astype(int)
    return "<br>".join("".join(SHADES[v] * 2 for v in row) for row in levels)

"""Writes digits_projector.zip: a TensorFlow Projector folder of 100 scikit-learn digits, zipped.

The folder as the Projector publishes one: projector_config.json naming raw float32 tensor.bytes
(with tensorShape), a metadata.tsv of three columns, an 8 x 8 sprite sheet and three bookmarks
(PCA with the zeros selected, PCA coloured by parity, 2D t-SNE coloured by digit, with a camera).
Run: .venv/bin/python sample_data/make_projector_folder.py
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

N, SIDE, ACROSS = 100, 8, 10


def main() -> None:
    digits = load_digits()
    vectors = digits.data[:N].astype("<f4")
    sheet = np.zeros((N // ACROSS * SIDE, ACROSS * SIDE), np.uint8)
    for i in range(N):
        row, col = divmod(i, ACROSS)
        ink = (digits.images[i] / 16 * 255).astype(np.uint8)
        sheet[row * SIDE : (row + 1) * SIDE, col * SIDE : (col + 1) * SIDE] = 255 - ink
    png = io.BytesIO()
    Image.fromarray(sheet).save(png, format="PNG")
    targets = digits.target[:N]
    metadata = "label\tdigit\tparity\n" + "".join(
        f"digit {t} #{i}\t{t}\t{'even' if t % 2 == 0 else 'odd'}\n" for i, t in enumerate(targets)
    )
    zeros = [i for i in range(N) if targets[i] == 0]
    camera = {"orthographic": True, "position": [0.0, 0.0, 5.0], "target": [0.0, 0.0, 0.0], "zoom": 1.0}
    bookmarks = [  # as the Projector's "Bookmarks" panel saves them (State objects), with a description added
        {
            "label": "All the zeros",
            "description": f"The {len(zeros)} zeros, selected: do they sit together?",
            "selectedProjection": "pca",
            "pcaComponentDimensions": [0, 1],
            "selectedPoints": zeros,
            "selectedColorOptionName": "digit",
        },
        {
            "label": "Colour by parity",
            "description": "Even against odd digits: a grouping the pixels do not know.",
            "selectedProjection": "pca",
            "pcaComponentDimensions": [0, 1],
            "selectedColorOptionName": "parity",
        },
        {
            "label": "The digits under t-SNE",
            "description": "t-SNE keeps close neighbours together: do the digits form their own islands?",
            "selectedProjection": "tsne",
            "tSNEis3d": False,
            "tSNEPerplexity": 10,
            "tSNEIteration": 500,
            "selectedColorOptionName": "digit",
            "cameraDef": camera,
        },
    ]
    config = {
        "embeddings": [
            {
                "tensorName": "Digits (100, 8x8 pixels)",
                "tensorShape": [N, 64],
                "tensorPath": "tensor.bytes",
                "metadataPath": "metadata.tsv",
                "sprite": {"imagePath": "sprite.png", "singleImageDim": [SIDE, SIDE]},
                "bookmarksPath": "bookmarks.json",
            }
        ]
    }
    target = Path(__file__).with_name("digits_projector.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            ("projector_config.json", json.dumps(config, indent=2).encode()),
            ("tensor.bytes", vectors.tobytes()),
            ("metadata.tsv", metadata.encode()),
            ("sprite.png", png.getvalue()),
            ("bookmarks.json", json.dumps(bookmarks, indent=2).encode()),
        ]:
            info = zipfile.ZipInfo(f"digits_projector/{name}", date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

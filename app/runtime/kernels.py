"""UMAP's compiled kernels, kept in numba's own disk cache in a folder the server owns.

umap-learn and pynndescent compile their numba kernels on first use (a minute on a 2-core machine).
umap-learn asks numba to cache only one of them on disk and pynndescent most of its own, so
``enable_disk_cache`` turns numba's cache on for every other module-level kernel of theirs, in
``<cache root>/numba`` (``EMBEDDING_LAB_CACHE_DIR``, default ``.cache/`` next to ``app/``,
git-ignored). Only the first start after an install compiles; later processes load the machine
code from disk in about a second.

One family cannot be cached: pynndescent's nearest-neighbour descent takes the distance function
itself as an argument, and numba keys such a kernel on that function object, which is new in every
process. Those kernels (any with a ``dist`` argument) are left uncached. Our UMAP never runs them (it
is built on our own exact neighbour graph); only a UMAP fitted on a sample of more than 200,000
points (``app.projection.large``, umap-learn as it comes) compiles them, in its own job process.

``python -m app.runtime.kernels`` compiles everything once, with progress printed (``make run``).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

PACKAGES = ("umap", "pynndescent")
APP = Path(__file__).resolve().parents[1]
OUR_KERNELS = ("geometry/top_k.py", "projection/umap_layout.py", "projection/umap_run.py", "runtime/kernels.py")
"""Our files whose compiled code (or warm-up recipe) the cache holds: an edit means compile again."""


def cache_root() -> Path:
    """The folder the server owns for caches: EMBEDDING_LAB_CACHE_DIR, or ``.cache/`` next to ``app/``."""
    configured = os.environ.get("EMBEDDING_LAB_CACHE_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / ".cache"


def use_disk_cache() -> Path:
    """Point numba's cache at our folder (unless NUMBA_CACHE_DIR is set); call before numba compiles."""
    folder = Path(os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_root() / "numba")))
    folder.mkdir(parents=True, exist_ok=True)
    if "numba" in sys.modules:  # numba reads the variable at import: have it read it again
        from numba.core import config

        config.reload_config()
    return folder


def enable_disk_cache() -> int:
    """Import umap-learn and turn numba's disk cache on for its and pynndescent's kernels; returns how many.

    Kernels whose decorator already says ``cache=...`` keep their choice; kernels with a ``dist``
    argument stay uncached (see the module doc).
    """
    use_disk_cache()
    import umap  # noqa: F401  (imports pynndescent and every module whose kernels we cache)
    from numba.core.registry import CPUDispatcher

    enabled = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PACKAGES:
            continue
        for kernel in list(vars(module).values()):
            if isinstance(kernel, CPUDispatcher) and _cacheable(kernel):
                kernel.enable_caching()
                enabled += 1
    return enabled


def _cacheable(kernel: object) -> bool:
    options = getattr(kernel, "targetoptions", {})
    if "cache" in options:
        return False  # the library chose (pynndescent's own cache=True, or a deliberate cache=False)
    try:
        parameters = inspect.signature(kernel.py_func).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError):
        return False
    return "dist" not in parameters


def marker() -> Path:
    """A file saying the disk cache holds this install's kernels (per library versions)."""
    from importlib.metadata import version

    versions = "-".join(version(package) for package in ("umap-learn", "pynndescent", "numba"))
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    ours = hashlib.sha256(b"".join((APP / name).read_bytes() for name in OUR_KERNELS)).hexdigest()[:12]
    return Path(os.environ.get("NUMBA_CACHE_DIR") or cache_root() / "numba") / f"compiled-{versions}-{python}-{ours}"


def is_compiled() -> bool:
    """True once ``compile_kernels`` has filled the disk cache for the installed libraries."""
    try:
        return marker().exists()
    except Exception:  # a library missing: nothing to load
        return False


def compile_kernels(say: Callable[[str], None] = lambda _: None, *, large: bool = True) -> float:
    """Compile (or load) UMAP's kernels on both paths into the disk cache; returns the seconds it took."""
    from app.projection.methods import warm_up_umap

    began = time.perf_counter()
    say(f"numba disk cache: {use_disk_cache()}")
    say(f"disk cache turned on for {enable_disk_cache()} more umap-learn/pynndescent kernels")
    warm_up_umap(large=large, say=say)
    marker().touch()
    return time.perf_counter() - began


def main() -> None:
    """``python -m app.runtime.kernels``: compile UMAP's kernels once after an install, saying what it does."""
    if is_compiled():
        print("UMAP's compiled kernels are already in the disk cache; nothing to do.", flush=True)
        return
    print("Compiling UMAP's kernels once after an install (about a minute; later starts load them in seconds)...")
    seconds = compile_kernels(lambda text: print(f"  {text}", flush=True))
    print(f"UMAP's kernels compiled and cached in {seconds:.0f} s.", flush=True)


if __name__ == "__main__":
    main()

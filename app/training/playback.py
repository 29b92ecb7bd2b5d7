"""Per-epoch snapshots of a training run, and aligning them so an animation shows real movement.

Two runs of the same model (or two epochs of one run) can hold the same geometry in a rotated
or mirrored frame; drawn naively, every point seems to jump. Orthogonal Procrustes finds the
rotation/reflection (plus a shift of the centre, never a rescaling) that best lays one frame
onto another, so what is left over is the change in the space itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.errors import InputError
from app.geometry.rotation import best_rotation


@dataclass
class Snapshots:
    """Vectors of a fixed set of points after every epoch, oldest first: the most frequent words
    (for doc2vec, the first documents), as many as the run's snapshot budget allows."""

    words: tuple[str, ...]
    frames: list[np.ndarray] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        """Memory held by the frames."""
        return sum(frame.nbytes for frame in self.frames)


def procrustes_align(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` moved onto ``target`` by a shift and an orthogonal map (rotation or mirror).

    Both are centred first, so a drift of the whole cloud is not counted as movement; there is no
    scaling, so a space that really grows or shrinks still shows it.
    """
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if source.shape != target.shape or source.ndim != 2:
        raise InputError(f"frames to align must have the same 2-D shape, got {source.shape} and {target.shape}")
    source_centre, target_centre = source.mean(axis=0), target.mean(axis=0)
    rotation = best_rotation(source - source_centre, target - target_centre)
    return (source - source_centre) @ rotation + target_centre


def aligned_frames(
    snapshots: Snapshots | Sequence[np.ndarray],
    coordinates_of: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Every epoch's vectors (or their coordinates, when ``coordinates_of`` maps a frame to, say,
    a 2-D projection) aligned to the final epoch, float32, oldest first.

    The last frame is the reference and is returned unchanged.
    """
    frames = snapshots.frames if isinstance(snapshots, Snapshots) else list(snapshots)
    if not frames:
        return []
    points = [np.asarray(coordinates_of(frame) if coordinates_of else frame, dtype=np.float64) for frame in frames]
    target = points[-1]
    moved = [procrustes_align(frame, target) for frame in points[:-1]]
    return [frame.astype(np.float32) for frame in (*moved, target)]


def frame_movement(frames: Sequence[np.ndarray]) -> list[float]:
    """Mean distance a point travels from each frame to the next (one number per step)."""
    return [
        float(np.linalg.norm(np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64), axis=1).mean())
        for a, b in zip(frames[:-1], frames[1:], strict=True)
    ]


def playback_coordinates(snapshots: Snapshots) -> list[np.ndarray]:
    """2-D coordinates of the snapshot words for every epoch, for an animation of the space forming.

    Every epoch is first aligned to the last in full dimension (Procrustes), then all are drawn on
    the last epoch's two principal axes, so a point moves only as much as its vector really moved.
    """
    frames = aligned_frames(snapshots)
    if not frames:
        return []
    final = frames[-1].astype(np.float64)
    centre = final.mean(axis=0)
    _, _, axes = np.linalg.svd(final - centre, full_matrices=False)
    plane = axes[:2].T
    if plane.shape[1] < 2:  # one-dimensional vectors: a line at height zero
        plane = np.pad(plane, ((0, 0), (0, 2 - plane.shape[1])))
    return [((frame - centre) @ plane).astype(np.float32) for frame in frames]

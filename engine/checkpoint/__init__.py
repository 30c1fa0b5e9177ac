"""Checkpoints: save a whole simulated cluster to a file and resume it later.

A suspended container is a Python generator (the shell interpreter's coroutines), which no
serializer can write, so a checkpoint does not dump the engine's memory. It holds what made
the cluster what it is: how it was booted (seed, start time, tick, user), every change made
from outside in order and at its simulated time (the manifests applied at t=0, scenario
steps, the console's edits, with the manifests' content embedded, never a path to re-read),
the time reached, and the scenario steps still to come. Loading replays that on a fresh
cluster; the engine is deterministic, so the replay passes through the very same states and
ends with the same objects, timers, kubelets, controllers and random generators. The file
also holds a fingerprint of the objects and the random generators' state at the cut, and a
replay that does not end on it is refused rather than resumed on a different cluster.

The file is gzip-compressed JSON (no pickle: loading a checkpoint runs no code from it).
"""

from engine.checkpoint.entries import Entry
from engine.checkpoint.fileformat import (
    FORMAT_VERSION,
    Checkpoint,
    CheckpointError,
    read_checkpoint,
    write_checkpoint,
)
from engine.checkpoint.replay import fingerprint, replay

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "CheckpointError",
    "Entry",
    "fingerprint",
    "read_checkpoint",
    "replay",
    "write_checkpoint",
]

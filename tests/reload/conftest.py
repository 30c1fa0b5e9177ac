"""Hot-reload fixtures: a booted cluster, a manifest folder, and how to wait for a reload."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from engine.cluster import Cluster

WATCH_TIMEOUT = 15.0
"""Generous: file events reach the watcher in well under a second, but CI machines stall."""


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(seed=7)
    c.boot()
    return c


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "manifests"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def _inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the temporary folder, so files are named `manifests/web.yaml`, as a user
    who typed `podtui manifests/` would see them."""
    monkeypatch.chdir(tmp_path)


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def pod(name: str, image: str = "nginx:1.25", **container: object) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": image, **container}]},
    }


def write(path: Path, *objects: dict) -> Path:
    """Save manifests the way a plain editor does: write the file in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objects))
    return path


def atomic_write(path: Path, text: str) -> None:
    """Save the way vim (backupcopy=no), VS Code's safe write and JetBrains do: write a
    temporary file next to it, then rename it over the file."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text)
    os.replace(temporary, path)


async def until(condition: Callable[[], object], timeout: float = WATCH_TIMEOUT) -> None:
    """Poll for the effect of a file event, in small awaits, up to a generous timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await asyncio.sleep(0.01)


class FakeClock:
    """The reloader's quiet-period clock, driven by the test: `time()` is what the
    reloader reads, `sleep(d)` returns once the test has advanced the clock by `d`."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._moved = asyncio.Event()

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        deadline = self.now + seconds
        while self.now < deadline:
            self._moved.clear()
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()

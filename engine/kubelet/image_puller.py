"""EnsureImageExists: pull policy, the node's image store, pull events and pull back-off."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from engine.containers import images as catalog
from engine.kubelet.images import ImageManager
from engine.timeutil import format_go_duration

if TYPE_CHECKING:
    from engine.containers.images import ImageRef
    from engine.kubelet.worker import PodWorker


def _truncate_ms(seconds: float) -> str:
    return format_go_duration(int(seconds * 1000) / 1000)


class ImagePuller:
    """The kubelet's image manager for one node."""

    def __init__(self, images: ImageManager) -> None:
        self.images = images
        self._last_failure: dict[str, float] = {}
        self._last_pulled: tuple[tuple | None, str] = (None, "")

    def ensure_image(
        self, worker: PodWorker, container: dict
    ) -> Generator[float, None, tuple[str, str] | None]:
        """Make the container's image present; (image name, imageID) or None on failure."""
        name = container["name"]
        image = str(container.get("image", ""))
        clock = worker.clock
        resolved = _RESOLVED.get(image)
        if resolved is None:
            try:
                resolved = _resolve(image)
            except ValueError as err:
                worker.reason_cache[name] = ("InvalidImageName", str(err))
                worker.event("Warning", "InspectFailed", str(err), name)
                worker.event("Warning", "Failed", "Error: InvalidImageName", name)
                return None
        ref, full, image_id, catalog_error, size = resolved
        policy = container.get("imagePullPolicy", "IfNotPresent")
        present = self.images.is_present(full)
        if policy == "Never" and not present:
            message = f'Container image "{image}" is not present with pull policy of Never'
            worker.reason_cache[name] = ("ErrImageNeverPull", message)
            worker.event("Warning", "ErrImageNeverPull", message, name)
            return None
        if present and policy != "Always":
            worker.event(
                "Normal",
                "Pulled",
                f'Container image "{image}" already present on machine and can be accessed by the pod',
                name,
            )
            return full, image_id
        key = f"{worker.uid}_{image}"
        last = self._last_failure.get(key)
        backoff = self.images.backoff
        if last is not None and backoff.is_in_backoff_since(key, last, clock.now):
            message = f'Back-off pulling image "{image}"'
            worker.reason_cache[name] = ("ImagePullBackOff", message)
            worker.event("Normal", "BackOff", message, name)
            worker.event("Warning", "Failed", "Error: ImagePullBackOff", name)
            return None
        worker.event("Normal", "Pulling", f'Pulling image "{image}"', name)
        error = self.images.injected_error(full, clock.now) or catalog_error
        duration = worker.kubelet.pull_seconds(container, ref, worker.pod)
        pull = self.images.pull(full, clock.now, duration, error)
        if pull.done_at > clock.now:
            yield pull.done_at - clock.now
        self.images.finished(pull, size)
        if pull.error is not None:
            worker.event("Warning", "Failed", f'Failed to pull image "{image}": {pull.error}', name)
            worker.event("Warning", "Failed", "Error: ErrImagePull", name)
            worker.reason_cache[name] = ("ErrImagePull", pull.error)
            backoff.next(key, clock.now, clock.now)
            self._last_failure[key] = clock.now
            return None
        if self._last_failure:
            self._last_failure.pop(key, None)
        # Every pod that joined this pull at the same instant gets the same message: the
        # last one made is nearly always the one asked for.
        times = (image, pull.done_at - pull.started_at, pull.done_at - pull.requested_at)
        if self._last_pulled[0] != times:
            pulled_in = _truncate_ms(times[1])
            waited = _truncate_ms(times[2])
            self._last_pulled = (
                times,
                f'Successfully pulled image "{image}" in {pulled_in} ({waited} including '
                f"waiting). Image size: {size} bytes.",
            )
        worker.event("Normal", "Pulled", self._last_pulled[1], name)
        return full, image_id


def _resolve(image: str) -> tuple[ImageRef, str, str, str | None, int]:
    """What the pull path needs of an image name, a pure function of it (memoized): the
    normalized reference, its text, imageID, the catalog's pull error and the image size.
    Raises ValueError for a name the kubelet cannot parse (not memoized)."""
    ref = catalog.normalize_image(image)
    resolved = (
        ref,
        str(ref),
        catalog.image_id(ref),
        catalog.pull_error(ref),
        catalog.image_size(ref),
    )
    if len(_RESOLVED) >= RESOLVED_LIMIT:
        _RESOLVED.clear()  # only the memo is lost: the next call resolves again
    _RESOLVED[image] = resolved
    return resolved


# Image name -> _resolve(name): every pod of a cluster names one of a few images, and the
# imageID alone is a SHA-256 of the reference.
_RESOLVED: dict[str, tuple[ImageRef, str, str, str | None, int]] = {}
RESOLVED_LIMIT = 4096

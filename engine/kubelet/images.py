"""The node's image store and puller: serialized pulls (the kubelet's default), pull back-off.

Pull failures come from the image catalog (images that do not exist) or from injected
registry faults (`imagePullFail`).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.kubelet.backoff import Backoff

IMAGE_BACKOFF_INITIAL = 10.0
IMAGE_BACKOFF_MAX = 300.0


@dataclass
class Pull:
    """A pull in flight: when it started being waited for, when it finishes, how it ends."""

    image: str
    requested_at: float
    started_at: float
    done_at: float
    error: str | None


class ImageManager:
    """Images present on one node and the node's single pull queue."""

    def __init__(self) -> None:
        self.present: dict[str, int] = {}
        self.busy_until = 0.0
        self.in_flight: dict[str, Pull] = {}
        self.backoff = Backoff(IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX)
        self.injected_failures: dict[str, tuple[float, str]] = {}

    def is_present(self, image: str) -> bool:
        return image in self.present

    def remove(self, image: str) -> None:
        self.present.pop(image, None)

    def pull(self, image: str, now: float, duration: float, error: str | None) -> Pull:
        """Queue a pull (or join the one in flight for the same image)."""
        current = self.in_flight.get(image)
        if current is not None and current.done_at >= now:
            return Pull(image, now, current.started_at, current.done_at, current.error)
        start = max(now, self.busy_until)
        # A failing pull fails fast: resolving the reference is all it does.
        done = start + (min(duration, 0.5) if error else duration)
        self.busy_until = done
        pull = Pull(image, now, start, done, error)
        self.in_flight[image] = pull
        return pull

    def finished(self, pull: Pull, size: int) -> None:
        if self.in_flight.get(pull.image) is pull:
            del self.in_flight[pull.image]
        if pull.error is None:
            self.present[pull.image] = size

    def injected_error(self, image: str, now: float) -> str | None:
        """A registry fault injected for this image (or for every image, key "*")."""
        for key in (image, "*"):
            fault = self.injected_failures.get(key)
            if fault is not None:
                until, message = fault
                if now < until:
                    return message
                del self.injected_failures[key]
        return None

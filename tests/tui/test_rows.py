"""Row colours follow kubectl's STATUS strings, as k9s colours them."""

from __future__ import annotations

import pytest

from podtui.app.rows import COMPLETED, FAILING, OK, PENDING, TERMINATING, natural_key, pod_state


@pytest.mark.parametrize(
    ("status", "ready", "state"),
    [
        ("Running", "1/1", OK),
        ("Running", "0/1", PENDING),
        ("Pending", "0/1", PENDING),
        ("ContainerCreating", "0/1", PENDING),
        ("Init:0/2", "0/1", PENDING),
        ("PodInitializing", "0/1", PENDING),
        ("CrashLoopBackOff", "0/1", FAILING),
        ("Error", "0/1", FAILING),
        ("ImagePullBackOff", "0/1", FAILING),
        ("Init:CrashLoopBackOff", "0/1", FAILING),
        ("Init:Error", "0/1", FAILING),
        ("OOMKilled", "0/1", FAILING),
        ("ExitCode:3", "0/1", FAILING),
        ("Completed", "0/1", COMPLETED),
        ("Terminating", "1/1", TERMINATING),
    ],
)
def test_pod_row_states(status: str, ready: str, state: str) -> None:
    assert pod_state(status, ready) == state


def test_names_sort_naturally() -> None:
    assert sorted(["web-10", "web-9", "web-1"], key=natural_key) == ["web-1", "web-9", "web-10"]

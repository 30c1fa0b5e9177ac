"""Container restart back-off: flowcontrol.Backoff as the kubelet uses it (doBackOff)."""

from __future__ import annotations

import pytest

from engine.kubelet.backoff import (
    Backoff,
    backoff_event_message,
    backoff_message,
    container_hash,
    format_pod,
    stable_key,
)

KEY = "web_default_u1_app_1a2b"


def try_start(backoff: Backoff, finished_at: float, now: float) -> bool:
    """doBackOff: start unless in back-off; a start moves the back-off to its next step."""
    if backoff.is_in_backoff_since(KEY, finished_at, now):
        return False
    backoff.next(KEY, finished_at, now)
    return True


def crash_loop(backoff: Backoff, run_for: float, crashes: int) -> list[float]:
    """Waits between each crash and the next start, for a container that crashes after `run_for`.

    The kubelet retries every second (a tick), as its pod workers resync.
    """
    now = 0.0
    waits = []
    for _ in range(crashes):
        finished_at = now + run_for
        now = finished_at
        while not try_start(backoff, finished_at, now):
            now += 1
        waits.append(now - finished_at)
    return waits


def test_first_restart_is_immediate_then_10_20_40_80_160_300_300():
    assert crash_loop(Backoff(), run_for=1, crashes=9) == [0, 10, 20, 40, 80, 160, 300, 300, 300]


def test_get_reports_the_current_delay():
    backoff = Backoff()
    assert backoff.get(KEY) == 0
    delays = []
    for step in range(8):
        backoff.next(KEY, event_time=step, now=step)
        delays.append(backoff.get(KEY))
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]


@pytest.mark.parametrize(
    ("ran_for", "expected_delay"),
    [
        pytest.param(600, 20, id="exactly 10 minutes is not enough"),
        pytest.param(601, 10, id="more than 10 minutes resets"),
    ],
)
def test_backoff_resets_after_container_runs_10_minutes(ran_for, expected_delay):
    backoff = Backoff()
    backoff.next(KEY, event_time=0, now=0)  # started at t=0 with delay 10
    finished_at = ran_for  # measured from the last update, which was the start
    # A reset means the crash is not in back-off at all: restart immediately.
    assert backoff.is_in_backoff_since(KEY, finished_at, finished_at) is (ran_for <= 600)
    backoff.next(KEY, finished_at, finished_at)
    assert backoff.get(KEY) == expected_delay


def test_reset_after_long_run_restarts_sequence_at_10_seconds():
    backoff = Backoff()
    assert crash_loop(backoff, run_for=1, crashes=5) == [0, 10, 20, 40, 80]
    assert backoff.get(KEY) == 160
    # The last start was at t=155; this run lasts 11 min 40 s before crashing.
    finished_at = 155 + 700
    assert try_start(backoff, finished_at, finished_at)  # immediate again
    assert backoff.get(KEY) == 10


def test_in_backoff_measured_from_finished_at_not_now():
    backoff = Backoff()
    backoff.next(KEY, event_time=0, now=0)
    backoff.next(KEY, event_time=5, now=5)  # delay now 20
    assert backoff.is_in_backoff_since(KEY, event_time=10, now=29)
    assert not backoff.is_in_backoff_since(KEY, event_time=10, now=30)
    assert backoff.ready_at(KEY, 10) == 30


def test_unknown_key_is_never_in_backoff():
    backoff = Backoff()
    assert not backoff.is_in_backoff_since("other", 0, 0)
    assert backoff.ready_at("other", 0) is None


def test_reset_forgets_the_key():
    backoff = Backoff()
    backoff.next(KEY, 0, 0)
    backoff.reset(KEY)
    assert KEY not in backoff
    assert backoff.get(KEY) == 0


def test_gc_drops_entries_idle_longer_than_expiry():
    backoff = Backoff()
    backoff.next("old", 0, 0)
    backoff.next("recent", 100, 100)
    backoff.gc(now=650)
    assert "old" not in backoff
    assert "recent" in backoff


def test_custom_limits():
    backoff = Backoff(initial=1, maximum=4, reset_after=60)
    for step in range(4):
        backoff.next(KEY, step, step)
    assert backoff.get(KEY) == 4
    backoff.next(KEY, 200, 200)
    assert backoff.get(KEY) == 1


@pytest.mark.parametrize(
    ("delay", "text"),
    [
        (10, "back-off 10s restarting failed container=app pod=web-7d9_default(1f2e)"),
        (40, "back-off 40s restarting failed container=app pod=web-7d9_default(1f2e)"),
        (160, "back-off 2m40s restarting failed container=app pod=web-7d9_default(1f2e)"),
        (300, "back-off 5m0s restarting failed container=app pod=web-7d9_default(1f2e)"),
    ],
)
def test_waiting_message_embeds_delay_in_go_duration(delay, text):
    assert backoff_message(delay, "app", "web-7d9", "default", "1f2e") == text


def test_backoff_event_message():
    assert backoff_event_message("app", "web-7d9", "default", "1f2e") == (
        "Back-off restarting failed container app in pod web-7d9_default(1f2e)"
    )


def test_format_pod_is_name_namespace_uid():
    assert format_pod("web", "prod", "abc") == "web_prod(abc)"


def test_stable_key_changes_with_container_spec():
    the_pod = {"metadata": {"name": "web", "namespace": "default", "uid": "u1"}}
    app = {"name": "app", "image": "nginx:1.27"}
    key = stable_key(the_pod, app)
    assert key.startswith("web_default_u1_app_")
    assert key == stable_key(the_pod, dict(app))
    assert key != stable_key(the_pod, {**app, "image": "nginx:1.28"})
    assert container_hash(app) == container_hash({"image": "nginx:1.27", "name": "app"})

"""The pod side of a `KubeDrain` (k8s.io/kubectl/pkg/drain/drain.go): evictPods' loop for
one pod, waitForDelete, and deletePods for `--disable-eviction`. Each keeps the pod's
`PodProgress` as the engine's drain does (engine.disruption.drain), on wall time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import TYPE_CHECKING

from engine.disruption import drain_filters
from engine.disruption.drain_progress import (
    DEADLINE_EXCEEDED,
    EVICT_ERROR_RETRY_DELAY,
    POD_BLOCKED,
    POD_DELETED,
    POD_EVICTED,
    POD_EVICTING,
    POD_FAILED,
    POD_GONE,
    POD_SKIPPED,
    POD_WAITING,
    STDERR,
    PodProgress,
)
from engine.timeutil import format_go_duration
from podtui.backends.kube.client import KubeAPIError, resource

if TYPE_CHECKING:
    from podtui.backends.kube.drain import KubeDrain

BUDGET = re.compile(r"^The disruption budget (\S+) ")
"""The budget's name in a 429's DisruptionBudget cause (pkg/registry/core/pod/storage/
eviction.go: `The disruption budget %s needs %d healthy pods and has %d currently`)."""


def causes(err: KubeAPIError) -> list[str]:
    details = err.body.get("details") or {}
    return [str(c.get("message", "")) for c in details.get("causes") or () if c.get("message")]


def delete_options(drain: KubeDrain) -> dict:
    """makeDeleteOptions: --grace-period, and DryRun All for --dry-run=server."""
    options: dict = {}
    if drain.options.grace_period >= 0:
        options["gracePeriodSeconds"] = drain.options.grace_period
    if drain.options.dry_run == "server":
        options["dryRun"] = ["All"]
    return options


async def evict_pod(drain: KubeDrain, progress: PodProgress) -> None:
    """evictPods' goroutine for one pod: evict until accepted, then wait for it to go."""
    name, namespace = progress.name, progress.namespace
    quoted = f"pods/{json.dumps(name)} -n {json.dumps(namespace)}"
    path = resource("Pod").path(namespace, name)
    server_dry_run = drain.options.dry_run == "server"
    body: dict = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": name, "namespace": namespace},
    }
    if options := delete_options(drain):
        body["deleteOptions"] = options
    while True:
        progress.attempts += 1
        progress.state = POD_EVICTING
        drain.emit(f"evicting pod {progress.key}{drain.suffix() if server_dry_run else ''}")
        if drain.timed_out():
            drain.pod_failed(
                progress,
                f"error when evicting {quoted}: global timeout reached: "
                f"{format_go_duration(drain.options.timeout)}",
            )
            return
        try:
            await drain.client.request("POST", path + "/eviction", body=body)
            break
        except KubeAPIError as err:
            if err.status == 404:
                drain.pod_done(progress, POD_GONE)
                return
            if err.status != 429:
                drain.pod_failed(progress, f"error when evicting {quoted}: {err.message}")
                return
            drain.emit(
                f"error when evicting {quoted} (will retry after "
                f"{format_go_duration(EVICT_ERROR_RETRY_DELAY)}): {err.message}",
                STDERR,
            )
            found = causes(err)
            progress.state = POD_BLOCKED
            progress.since = drain.now()
            budget = next((m for c in found if (m := BUDGET.match(c))), None)
            progress.blocked_by = budget.group(1) if budget else None
            progress.reason = "; ".join(found) or err.message
        await asyncio.sleep(drain.retry_delay)
        # Re-read the pod by name: it may be a new one (kubectl's getPodFn).
        with contextlib.suppress(KubeAPIError):
            fresh = await drain.client.request("GET", path)
            progress.uid = fresh["metadata"].get("uid", progress.uid)
    progress.blocked_by = None
    progress.reason = ""
    if server_dry_run:
        drain.pod_done(progress, POD_EVICTED, announce=False)
        return
    progress.state = POD_WAITING
    progress.since = drain.now()
    if not await wait_for_delete(drain, progress, POD_EVICTED):
        drain.pod_failed(
            progress,
            f"error when waiting for pod {json.dumps(progress.name)} in namespace "
            f"{json.dumps(progress.namespace)} to terminate: {DEADLINE_EXCEEDED}",
        )


async def wait_for_delete(drain: KubeDrain, progress: PodProgress, verb: str) -> bool:
    """waitForDelete for one pod: done when it is gone or has a new UID, or when its
    deletion is older than --skip-wait-for-delete-timeout; False at the deadline."""
    path = resource("Pod").path(progress.namespace, progress.name)
    skip = drain.options.skip_wait_for_delete_timeout
    while True:
        try:
            live = await drain.client.request("GET", path)
        except KubeAPIError as err:
            if err.status != 404:
                raise
            live = None
        if live is None or live["metadata"].get("uid") != progress.uid:
            drain.pod_done(progress, verb)
            return True
        if drain_filters.should_skip_pod(live, skip, drain_filters.stamp_age(drain.wall_now)):
            drain.emit(
                f"pod {json.dumps(progress.name)} has DeletionTimestamp older than {skip} seconds, skipping"
            )
            drain.pod_done(progress, POD_SKIPPED, announce=False)
            return True
        if drain.timed_out():
            return False
        delay = drain.poll_interval
        if drain.deadline is not None:
            delay = max(0.0, min(delay, drain.deadline - drain.now()))
        await asyncio.sleep(delay)


async def delete_pods(drain: KubeDrain) -> None:
    """deletePods (--disable-eviction): DELETE every pod (no budget is asked), then wait
    for them all; its error is one plain error, printed `error: ...` at the end."""
    body = delete_options(drain)
    for progress in drain.pods:
        path = resource("Pod").path(progress.namespace, progress.name)
        try:
            await drain.client.request("DELETE", path, body=body or None)
        except KubeAPIError as err:
            if err.status != 404:
                progress.state = POD_FAILED
                progress.error = err.message
                drain.errors = [err.message]
                drain.final_lines = [err.kubectl()]
                return
    if drain.options.dry_run == "server":
        for progress in drain.pods:
            progress.state = POD_DELETED
        return
    for progress in drain.pods:
        progress.state = POD_WAITING
        progress.since = drain.now()
    outcomes = await asyncio.gather(*(wait_for_delete(drain, p, POD_DELETED) for p in drain.pods))
    if not all(outcomes):
        for progress in drain.pods:
            if progress.state == POD_WAITING:
                progress.state = POD_FAILED
                progress.error = DEADLINE_EXCEEDED
        drain.errors = [DEADLINE_EXCEEDED]
        drain.final_lines = [f"error: {DEADLINE_EXCEEDED}"]

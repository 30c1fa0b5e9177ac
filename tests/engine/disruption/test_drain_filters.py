"""kubectl drain's pod filters (k8s.io/kubectl/pkg/drain/filters.go; control-plane.md §3.2)."""

from __future__ import annotations

import pytest

from engine.disruption import drain_filters as f


def pod(
    name: str = "p",
    *,
    owner_kind: str | None = None,
    owner_api: str = "apps/v1",
    mirror: bool = False,
    empty_dir: bool = False,
    phase: str = "Running",
    deleting_for: float | None = None,
) -> dict:
    meta: dict = {"name": name, "namespace": "default"}
    if owner_kind is not None:
        meta["ownerReferences"] = [
            {
                "apiVersion": owner_api,
                "kind": owner_kind,
                "name": "owner",
                "uid": "u",
                "controller": True,
            }
        ]
    if mirror:
        meta["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    if deleting_for is not None:
        meta["deletionTimestamp"] = f"age:{deleting_for}"
    spec: dict = {"containers": [{"name": "c", "image": "i"}]}
    if empty_dir:
        spec["volumes"] = [{"name": "scratch", "emptyDir": {}}]
    return {"metadata": meta, "spec": spec, "status": {"phase": phase}}


def ds_exists(namespace: str, name: str) -> str | None:
    return None


def ds_missing(namespace: str, name: str) -> str | None:
    return f'daemonsets.apps "{name}" not found'


def age(stamp: str) -> float:
    return float(stamp.split(":", 1)[1])


OK = (True, f.OKAY, "")
SKIP = (False, f.SKIP, "")


@pytest.mark.parametrize(
    ("case", "the_pod", "options", "lookup", "expected"),
    [
        ("replicated pod", pod(owner_kind="ReplicaSet"), f.FilterOptions(), ds_exists, OK),
        ("naked pod", pod(), f.FilterOptions(), ds_exists, (False, f.ERROR, f.UNMANAGED_FATAL)),
        (
            "naked pod --force",
            pod(),
            f.FilterOptions(force=True),
            ds_exists,
            (True, f.WARNING, f.UNMANAGED_WARNING),
        ),
        (
            "job pod counts as controlled",
            pod(owner_kind="Job", owner_api="batch/v1"),
            f.FilterOptions(),
            ds_exists,
            OK,
        ),
        ("finished naked pod", pod(phase="Succeeded"), f.FilterOptions(), ds_exists, OK),
        (
            "daemonset pod",
            pod(owner_kind="DaemonSet"),
            f.FilterOptions(),
            ds_exists,
            (False, f.ERROR, f.DAEMONSET_FATAL),
        ),
        (
            "daemonset pod --ignore-daemonsets",
            pod(owner_kind="DaemonSet"),
            f.FilterOptions(ignore_daemonsets=True),
            ds_exists,
            (False, f.WARNING, f.DAEMONSET_WARNING),
        ),
        (
            "finished daemonset pod",
            pod(owner_kind="DaemonSet", phase="Failed"),
            f.FilterOptions(),
            ds_exists,
            OK,
        ),
        (
            "orphaned daemonset pod",
            pod(owner_kind="DaemonSet"),
            f.FilterOptions(ignore_daemonsets=True),
            ds_missing,
            (False, f.ERROR, 'daemonsets.apps "owner" not found'),
        ),
        (
            # The daemonSet filter lets it go with a warning that the later filters overwrite.
            "orphaned daemonset pod --force",
            pod(owner_kind="DaemonSet"),
            f.FilterOptions(force=True),
            ds_missing,
            OK,
        ),
        (
            "extensions DaemonSet is not apps/v1",
            pod(owner_kind="DaemonSet", owner_api="extensions/v1beta1"),
            f.FilterOptions(),
            ds_exists,
            OK,
        ),
        ("mirror pod", pod(mirror=True), f.FilterOptions(), ds_exists, SKIP),
        (
            "emptyDir pod",
            pod(owner_kind="ReplicaSet", empty_dir=True),
            f.FilterOptions(),
            ds_exists,
            (False, f.ERROR, f.LOCAL_STORAGE_FATAL),
        ),
        (
            "emptyDir pod --delete-emptydir-data: the warning is overwritten",
            pod(owner_kind="ReplicaSet", empty_dir=True),
            f.FilterOptions(delete_emptydir_data=True),
            ds_exists,
            OK,
        ),
        (
            "naked emptyDir pod --delete-emptydir-data --force",
            pod(empty_dir=True),
            f.FilterOptions(delete_emptydir_data=True, force=True),
            ds_exists,
            (True, f.WARNING, f.UNMANAGED_WARNING),
        ),
        (
            "naked emptyDir pod: local storage is the first refusal",
            pod(empty_dir=True),
            f.FilterOptions(),
            ds_exists,
            (False, f.ERROR, f.LOCAL_STORAGE_FATAL),
        ),
        (
            "deleting longer than --skip-wait-for-delete-timeout",
            pod(deleting_for=61),
            f.FilterOptions(skip_wait_for_delete_timeout=60),
            ds_exists,
            SKIP,
        ),
        (
            "deleting for less than the timeout",
            pod(owner_kind="ReplicaSet", deleting_for=30),
            f.FilterOptions(skip_wait_for_delete_timeout=60),
            ds_exists,
            OK,
        ),
    ],
)
def test_filters_in_kubectls_order(
    case: str, the_pod: dict, options: f.FilterOptions, lookup, expected: tuple
) -> None:
    status = f.filter_pod(the_pod, options, lookup, age)
    assert (status.delete, status.reason, status.message) == expected, case


def test_kubectls_messages_are_exact() -> None:
    assert f.DAEMONSET_FATAL == "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
    assert f.UNMANAGED_FATAL == "Pods that declare no controller (use --force to override)"
    assert (
        f.LOCAL_STORAGE_FATAL == "Pods with local storage (use --delete-emptydir-data to override)"
    )


class TestPodDeleteList:
    def test_errors_are_grouped_per_message(self) -> None:
        listing = f.pods_for_deletion(
            [pod("a"), pod("b", owner_kind="DaemonSet"), pod("c")], f.FilterOptions(), ds_exists
        )
        assert listing.errors() == [
            "cannot delete Pods that declare no controller (use --force to override): default/a, default/c",
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/b",
        ]
        assert listing.pods() == []

    def test_warnings_are_joined_with_semicolons(self) -> None:
        listing = f.pods_for_deletion(
            [pod("a"), pod("b", owner_kind="DaemonSet"), pod("c", owner_kind="ReplicaSet")],
            f.FilterOptions(force=True, ignore_daemonsets=True),
            ds_exists,
        )
        assert listing.warnings() == (
            "deleting Pods that declare no controller: default/a; "
            "ignoring DaemonSet-managed Pods: default/b"
        )
        assert [p["metadata"]["name"] for p in listing.pods()] == ["a", "c"]

"""kubectl get namespaces / serviceaccounts / configmaps / secrets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.printers import print_row, printer_for

NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
# 1.9 s in the future: still "0s", as in the upstream printer tests.
JUST_NOW = "2025-01-01T01:00:01Z"


def obj(kind: str, **fields: object) -> dict:
    return {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": "x", "namespace": "default", "creationTimestamp": JUST_NOW},
        **fields,
    }


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("Namespace", ["NAME", "STATUS", "AGE"]),
        ("ServiceAccount", ["NAME", "AGE"]),
        ("ConfigMap", ["NAME", "DATA", "AGE"]),
        ("Secret", ["NAME", "TYPE", "DATA", "AGE"]),
    ],
)
def test_core_kinds_print_kubectl_columns(kind: str, columns: list[str]) -> None:
    printer = printer_for(kind)
    assert printer is not None
    assert [c.name for c in printer.columns] == columns


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (obj("Namespace", status={"phase": "Active"}), ["x", "Active", "0s"]),
        (obj("Namespace", status={"phase": "Terminating"}), ["x", "Terminating", "0s"]),
        ({"kind": "Namespace", "metadata": {"name": "bare"}}, ["bare", "", "<unknown>"]),
        (obj("ServiceAccount", secrets=[{"name": "s1"}, {"name": "s2"}]), ["x", "0s"]),
        (obj("ConfigMap", data={"a": "1", "b": "2"}, binaryData={"c": "AA=="}), ["x", "3", "0s"]),
        (obj("ConfigMap"), ["x", "0", "0s"]),
        (
            obj("Secret", type="kubernetes.io/service-account-token", data={"token": "c2VjcmV0"}),
            ["x", "kubernetes.io/service-account-token", "1", "0s"],
        ),
        (obj("Secret", type="Opaque"), ["x", "Opaque", "0", "0s"]),
    ],
)
def test_core_rows(item: dict, expected: list[str]) -> None:
    assert print_row(item, NOW) == expected

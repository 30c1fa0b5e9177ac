"""Tables for the small core kinds: Namespace, ServiceAccount, ConfigMap, Secret."""

from __future__ import annotations

from datetime import datetime

from engine.printers.duration import since
from engine.printers.registry import Column


def _name_and_age(obj: dict, now: datetime) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("name", ""), since(meta.get("creationTimestamp"), now)


class NamespacePrinter:
    """kubectl get namespaces: NAME STATUS AGE (STATUS is status.phase)."""

    columns = [Column("NAME", format="name"), Column("STATUS"), Column("AGE")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        name, age = _name_and_age(obj, now)
        return [name, (obj.get("status") or {}).get("phase", ""), age]


class ServiceAccountPrinter:
    """kubectl get serviceaccounts: NAME AGE."""

    # Current upstream (kubernetes/kubernetes#117160, merged Aug 2025) dropped the SECRETS
    # column because nothing fills `secrets` since 1.24. Older API servers (up to 1.34,
    # unverified: inferred from the merge date) print NAME SECRETS AGE; podtui follows
    # the current printer.
    columns = [Column("NAME", format="name"), Column("AGE")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        return list(_name_and_age(obj, now))


class ConfigMapPrinter:
    """kubectl get configmaps: NAME DATA AGE (DATA counts data and binaryData keys)."""

    columns = [Column("NAME", format="name"), Column("DATA"), Column("AGE")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        name, age = _name_and_age(obj, now)
        keys = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
        return [name, str(keys), age]


class SecretPrinter:
    """kubectl get secrets: NAME TYPE DATA AGE (DATA counts the keys of data)."""

    columns = [Column("NAME", format="name"), Column("TYPE"), Column("DATA"), Column("AGE")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        name, age = _name_and_age(obj, now)
        # The API server folds stringData into data on write; the printer sees data only.
        return [name, obj.get("type", ""), str(len(obj.get("data") or {})), age]

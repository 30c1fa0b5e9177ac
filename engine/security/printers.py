"""kubectl's tables for PodSecurityPolicy, the RBAC kinds and PodPreset.

- psp (printPodSecurityPolicy, 1.2x): NAME PRIV CAPS SELINUX RUNASUSER FSGROUP SUPGROUP
  READONLYROOTFS VOLUMES; CAPS and VOLUMES comma-joined, an empty list an empty cell.
- rolebindings / clusterrolebindings (printRoleBinding): NAME ROLE AGE, wide USERS GROUPS
  SERVICEACCOUNTS; ROLE is `<kind>/<name>`.
- roles, clusterroles, podpresets have no printer: the server's default table, NAME and
  CREATED AT (RFC 3339, UTC).
"""

from __future__ import annotations

from datetime import datetime

from engine.printers.duration import since
from engine.printers.registry import Column
from engine.security.rbac.rules import subjects_strings


class PodSecurityPolicyPrinter:
    columns = [
        Column("NAME", format="name"),
        Column("PRIV"),
        Column("CAPS"),
        Column("SELINUX"),
        Column("RUNASUSER"),
        Column("FSGROUP"),
        Column("SUPGROUP"),
        Column("READONLYROOTFS"),
        Column("VOLUMES"),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec = obj.get("spec") or {}
        return [
            obj["metadata"]["name"],
            _go_bool(spec.get("privileged")),
            ",".join(spec.get("allowedCapabilities") or []),
            (spec.get("seLinux") or {}).get("rule", ""),
            (spec.get("runAsUser") or {}).get("rule", ""),
            (spec.get("fsGroup") or {}).get("rule", ""),
            (spec.get("supplementalGroups") or {}).get("rule", ""),
            _go_bool(spec.get("readOnlyRootFilesystem")),
            ",".join(spec.get("volumes") or []),
        ]


def _go_bool(value: object) -> str:
    return "true" if value else "false"


class CreatedAtPrinter:
    """The default table convertor: NAME, CREATED AT."""

    columns = [Column("NAME", format="name"), Column("CREATED AT")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        return [meta.get("name", ""), meta.get("creationTimestamp", "")]


class BindingPrinter:
    columns = [
        Column("NAME", format="name"),
        Column("ROLE"),
        Column("AGE"),
        Column("USERS", priority=1),
        Column("GROUPS", priority=1),
        Column("SERVICEACCOUNTS", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        ref = obj.get("roleRef") or {}
        users, groups, service_accounts = subjects_strings(obj.get("subjects") or [])
        return [
            meta.get("name", ""),
            f"{ref.get('kind', '')}/{ref.get('name', '')}",
            since(meta.get("creationTimestamp"), now),
            ", ".join(users),
            ", ".join(groups),
            ", ".join(service_accounts),
        ]

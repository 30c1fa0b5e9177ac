"""kubectl's names for the resources podtui knows about, simulated or not yet.

Scenario files and `--kind` are checked against this table, so a typo is an error at once,
while a kind the engine does not simulate is reported when a step reaches it, in the API
server's words.
"""

from __future__ import annotations

# kind: (plural, short names)
RESOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Pod": ("pods", ("po",)),
    "Node": ("nodes", ("no",)),
    "Namespace": ("namespaces", ("ns",)),
    "Event": ("events", ("ev",)),
    "ServiceAccount": ("serviceaccounts", ("sa",)),
    "ConfigMap": ("configmaps", ("cm",)),
    "Secret": ("secrets", ()),
    "Service": ("services", ("svc",)),
    "Endpoints": ("endpoints", ("ep",)),
    "EndpointSlice": ("endpointslices", ()),
    "PersistentVolumeClaim": ("persistentvolumeclaims", ("pvc",)),
    "PersistentVolume": ("persistentvolumes", ("pv",)),
    "Deployment": ("deployments", ("deploy",)),
    "ReplicaSet": ("replicasets", ("rs",)),
    "StatefulSet": ("statefulsets", ("sts",)),
    "DaemonSet": ("daemonsets", ("ds",)),
    "Job": ("jobs", ()),
    "CronJob": ("cronjobs", ("cj",)),
    "ReplicationController": ("replicationcontrollers", ("rc",)),
    "PodDisruptionBudget": ("poddisruptionbudgets", ("pdb",)),
    "PodSecurityPolicy": ("podsecuritypolicies", ("psp",)),
    "PodPreset": ("podpresets", ()),
    "Role": ("roles", ()),
    "RoleBinding": ("rolebindings", ()),
    "ClusterRole": ("clusterroles", ()),
    "ClusterRoleBinding": ("clusterrolebindings", ()),
    "Lease": ("leases", ()),
}


def known_kind(name: str) -> str | None:
    """The Kind a kubectl resource name means (`po`, `pods`, `pod`, `Pod`, `deploy`...)."""
    wanted = name.strip().split(".", 1)[0].lower()
    for kind, (plural, shorts) in RESOURCES.items():
        if wanted in (plural, kind.lower(), *shorts):
            return kind
    return None

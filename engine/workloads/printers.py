"""kubectl get tables for the workload kinds (k/k pkg/printers/internalversion/printers.go:
deploymentColumnDefinitions, replicaSet..., statefulSet..., daemonSet..., job...,
persistentVolumeClaim..., persistentVolume..., storageClass..., controllerRevision...)."""

from __future__ import annotations

from datetime import datetime

from engine.labels import SelectorError, label_selector_as_selector
from engine.printers.duration import human_duration, parse_timestamp, since
from engine.printers.registry import Column

NAME = Column("NAME", format="name")
AGE = Column("AGE")
CONTAINERS = Column("CONTAINERS", priority=1)
IMAGES = Column("IMAGES", priority=1)
SELECTOR = Column("SELECTOR", priority=1)

ACCESS_MODE_SHORT = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _age(obj: dict, now: datetime) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def layout_container_cells(containers: list[dict]) -> tuple[str, str]:
    """layoutContainerCells: container names and images, comma-joined."""
    names = ",".join(c.get("name", "") for c in containers)
    images = ",".join(c.get("image", "") for c in containers)
    return names, images


def _template_containers(obj: dict) -> list[dict]:
    return ((_spec(obj).get("template") or {}).get("spec") or {}).get("containers") or []


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for a bad one."""
    try:
        text = str(label_selector_as_selector(selector)) if selector is not None else ""
    except SelectorError:
        return "<error>"
    return text or "<none>"


def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: sorted `k=v` pairs, `<none>` when there are none."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def access_modes(modes: list[str] | None) -> str:
    """GetAccessModesAsString: short forms in a fixed order."""
    modes = modes or []
    return ",".join(short for mode, short in ACCESS_MODE_SHORT.items() if mode in modes)


class DeploymentPrinter:
    """NAME READY UP-TO-DATE AVAILABLE AGE (wide: CONTAINERS IMAGES SELECTOR)."""

    columns = [
        NAME,
        Column("READY"),
        Column("UP-TO-DATE"),
        Column("AVAILABLE"),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        names, images = layout_container_cells(_template_containers(obj))
        try:
            selector = str(label_selector_as_selector(spec.get("selector")))
        except SelectorError:
            selector = "<invalid>"
        return [
            _meta(obj).get("name", ""),
            f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
            str(int(status.get("updatedReplicas") or 0)),
            str(int(status.get("availableReplicas") or 0)),
            _age(obj, now),
            names,
            images,
            selector,
        ]


class ReplicaSetPrinter:
    """NAME DESIRED CURRENT READY AGE (wide: CONTAINERS IMAGES SELECTOR)."""

    columns = [
        NAME,
        Column("DESIRED"),
        Column("CURRENT"),
        Column("READY"),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        names, images = layout_container_cells(_template_containers(obj))
        return [
            _meta(obj).get("name", ""),
            str(int(spec.get("replicas") or 0)),
            str(int(status.get("replicas") or 0)),
            str(int(status.get("readyReplicas") or 0)),
            _age(obj, now),
            names,
            images,
            format_label_selector(spec.get("selector")),
        ]


class StatefulSetPrinter:
    """NAME READY AGE (wide: CONTAINERS IMAGES)."""

    columns = [NAME, Column("READY"), AGE, CONTAINERS, IMAGES]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        names, images = layout_container_cells(_template_containers(obj))
        return [
            _meta(obj).get("name", ""),
            f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
            _age(obj, now),
            names,
            images,
        ]


class DaemonSetPrinter:
    """NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE (wide: ...)."""

    columns = [
        NAME,
        Column("DESIRED"),
        Column("CURRENT"),
        Column("READY"),
        Column("UP-TO-DATE"),
        Column("AVAILABLE"),
        Column("NODE SELECTOR"),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        names, images = layout_container_cells(_template_containers(obj))
        node_selector = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
        return [
            _meta(obj).get("name", ""),
            str(int(status.get("desiredNumberScheduled") or 0)),
            str(int(status.get("currentNumberScheduled") or 0)),
            str(int(status.get("numberReady") or 0)),
            str(int(status.get("updatedNumberScheduled") or 0)),
            str(int(status.get("numberAvailable") or 0)),
            format_labels(node_selector),
            _age(obj, now),
            names,
            images,
            format_label_selector(spec.get("selector")),
        ]


def job_status(obj: dict) -> str:
    """The STATUS column: Complete, Failed, Terminating, Suspended, FailureTarget, Running."""
    conditions = {
        c.get("type") for c in _status(obj).get("conditions") or () if c.get("status") == "True"
    }
    if "Complete" in conditions:
        return "Complete"
    if "Failed" in conditions:
        return "Failed"
    if _meta(obj).get("deletionTimestamp"):
        return "Terminating"
    if "Suspended" in conditions:
        return "Suspended"
    if "FailureTarget" in conditions:
        return "FailureTarget"
    return "Running"


def job_completions(obj: dict) -> str:
    """`1/3`, or for a work queue Job without completions `0/1 of 3`."""
    spec, status = _spec(obj), _status(obj)
    succeeded = int(status.get("succeeded") or 0)
    if spec.get("completions") is not None:
        return f"{succeeded}/{int(spec['completions'])}"
    parallelism = int(spec.get("parallelism") or 0)
    if parallelism > 1:
        return f"{succeeded}/1 of {parallelism}"
    return f"{succeeded}/1"


def job_duration(obj: dict, now: datetime) -> str:
    """DURATION: start to completion, or start to now while running; empty before start."""
    status = _status(obj)
    start = parse_timestamp(status.get("startTime"))
    if start is None:
        return ""
    end = parse_timestamp(status.get("completionTime")) or now
    return human_duration((end - start).total_seconds())


class JobPrinter:
    """NAME STATUS COMPLETIONS DURATION AGE (wide: CONTAINERS IMAGES SELECTOR)."""

    columns = [
        NAME,
        Column("STATUS"),
        Column("COMPLETIONS"),
        Column("DURATION"),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        names, images = layout_container_cells(_template_containers(obj))
        return [
            _meta(obj).get("name", ""),
            job_status(obj),
            job_completions(obj),
            job_duration(obj, now),
            _age(obj, now),
            names,
            images,
            format_label_selector(_spec(obj).get("selector")),
        ]


class PersistentVolumeClaimPrinter:
    """NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE (wide: VOLUMEMODE)."""

    columns = [
        NAME,
        Column("STATUS"),
        Column("VOLUME"),
        Column("CAPACITY"),
        Column("ACCESS MODES"),
        Column("STORAGECLASS"),
        Column("VOLUMEATTRIBUTESCLASS"),
        AGE,
        Column("VOLUMEMODE", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
        capacity = modes = ""
        if spec.get("volumeName"):
            modes = access_modes(status.get("accessModes"))
            capacity = str((status.get("capacity") or {}).get("storage", ""))
        return [
            _meta(obj).get("name", ""),
            phase,
            spec.get("volumeName", ""),
            capacity,
            modes,
            spec.get("storageClassName") or "",
            spec.get("volumeAttributesClassName") or "<unset>",
            _age(obj, now),
            spec.get("volumeMode") or "<unset>",
        ]


class PersistentVolumePrinter:
    """NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE."""

    columns = [
        NAME,
        Column("CAPACITY"),
        Column("ACCESS MODES"),
        Column("RECLAIM POLICY"),
        Column("STATUS"),
        Column("CLAIM"),
        Column("STORAGECLASS"),
        Column("VOLUMEATTRIBUTESCLASS"),
        Column("REASON"),
        AGE,
        Column("VOLUMEMODE", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec, status = _spec(obj), _status(obj)
        claim = spec.get("claimRef") or {}
        claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
        phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
        return [
            _meta(obj).get("name", ""),
            str((spec.get("capacity") or {}).get("storage", "")),
            access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", ""),
            phase,
            claim_text,
            spec.get("storageClassName") or "",
            spec.get("volumeAttributesClassName") or "<unset>",
            status.get("reason", ""),
            _age(obj, now),
            spec.get("volumeMode") or "<unset>",
        ]


class StorageClassPrinter:
    """NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE."""

    columns = [
        NAME,
        Column("PROVISIONER"),
        Column("RECLAIMPOLICY"),
        Column("VOLUMEBINDINGMODE"),
        Column("ALLOWVOLUMEEXPANSION"),
        AGE,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        name = _meta(obj).get("name", "")
        annotations = _meta(obj).get("annotations") or {}
        if annotations.get("storageclass.kubernetes.io/is-default-class") == "true":
            name += " (default)"
        return [
            name,
            obj.get("provisioner", ""),
            obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate",
            "true" if obj.get("allowVolumeExpansion") else "false",
            _age(obj, now),
        ]


class ControllerRevisionPrinter:
    """NAME CONTROLLER REVISION AGE."""

    columns = [NAME, Column("CONTROLLER"), Column("REVISION"), AGE]

    def row(self, obj: dict, now: datetime) -> list[str]:
        ref = next(
            (r for r in _meta(obj).get("ownerReferences") or () if r.get("controller")), None
        )
        controller = "<none>"
        if ref is not None:
            group = (
                ref.get("apiVersion", "").split("/")[0] if "/" in ref.get("apiVersion", "") else ""
            )
            kind = ref.get("kind", "").lower()
            controller = (
                f"{kind}.{group}/{ref.get('name', '')}"
                if group
                else f"{kind}/{ref.get('name', '')}"
            )
        return [_meta(obj).get("name", ""), controller, str(obj.get("revision", 0)), _age(obj, now)]


def register() -> None:
    from engine.printers import register_printer

    register_printer("Deployment", DeploymentPrinter())
    register_printer("ReplicaSet", ReplicaSetPrinter())
    register_printer("StatefulSet", StatefulSetPrinter())
    register_printer("DaemonSet", DaemonSetPrinter())
    register_printer("Job", JobPrinter())
    register_printer("ControllerRevision", ControllerRevisionPrinter())
    register_printer("PersistentVolumeClaim", PersistentVolumeClaimPrinter())
    register_printer("PersistentVolume", PersistentVolumePrinter(), namespaced=False)
    register_printer("StorageClass", StorageClassPrinter(), namespaced=False)

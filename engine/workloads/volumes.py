"""Just enough storage for StatefulSets: claims bind to volumes a default provisioner makes.

podtui's cluster plays a minikube-like cluster: one default StorageClass, `standard`, whose
provisioner (`k8s.io/minikube-hostpath`) makes a hostPath PersistentVolume for every claim
at once (volumeBindingMode Immediate). The StorageClass appears the first time a claim
without a class is created (like the storage add-on being enabled on demand), so clusters
that never ask for storage show no storage objects. Claims naming a class that does not
exist stay Pending with `ProvisioningFailed`; claims with no class and no default stay
Pending with `FailedBinding`, as the PV controller reports them
(k/k pkg/controller/volume/persistentvolume/pv_controller.go). Claims in use are protected
(`kubernetes.io/pvc-protection`) until no pod uses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api.admission import AdmissionRequest
from engine.controllers.base import QueueController
from engine.events import Source
from engine.quantity import QuantityError, parse_quantity
from engine.store import Change
from engine.workloads.podutil import is_pod_terminal

if TYPE_CHECKING:
    from engine.cluster import Cluster

DEFAULT_CLASS = "standard"
PROVISIONER = "k8s.io/minikube-hostpath"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
COMPONENT = "persistentvolume-controller"


def default_storage_class_object() -> dict:
    """minikube's `standard` StorageClass."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
            "name": DEFAULT_CLASS,
        },
        "provisioner": PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }


def default_class_name(cluster_store) -> str | None:
    """The StorageClass annotated as default (the newest wins, by name when tied)."""
    defaults = [
        sc
        for sc in cluster_store.list("StorageClass")
        if (sc["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"
    ]
    if not defaults:
        return None
    defaults.sort(
        key=lambda sc: (sc["metadata"].get("creationTimestamp", ""), sc["metadata"]["name"])
    )
    return defaults[-1]["metadata"]["name"]


class DefaultStorageClass:
    """The DefaultStorageClass admission plugin, and the PVC protection finalizer
    (StorageObjectInUseProtection)."""

    name = "DefaultStorageClass"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "PersistentVolumeClaim" or request.operation != "CREATE":
            return
        claim = request.obj
        spec = claim.setdefault("spec", {})
        meta = claim["metadata"]
        if PVC_PROTECTION not in (meta.get("finalizers") or ()):
            meta["finalizers"] = [*(meta.get("finalizers") or ()), PVC_PROTECTION]
        if "storageClassName" in spec:
            return
        store = self.cluster.store
        if not request.dry_run and store.count("StorageClass") == 0:
            self.cluster.api.create(default_storage_class_object())
        name = default_class_name(store)
        if name is not None:
            spec["storageClassName"] = name


class PersistentVolumeController(QueueController):
    """Binds claims: an existing Available volume that fits, or a new one from the class's
    provisioner; deletes a volume whose claim is gone (reclaim policy Delete)."""

    name = COMPONENT

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.store = cluster.store
        self.source = Source(COMPONENT)
        self.provisioner_source = Source(PROVISIONER)
        cluster.store.watch(
            self._on_change,
            {"PersistentVolumeClaim", "PersistentVolume", "Pod"},
            # A pod's status write matters only once the pod is terminal (see _on_change).
            status_writes=lambda obj: obj["kind"] != "Pod" or is_pod_terminal(obj),
        )

    def _on_change(self, change: Change) -> None:
        obj = change.obj
        meta = obj["metadata"]
        if change.kind == "PersistentVolumeClaim":
            if change.type == "DELETED":
                volume = (obj.get("spec") or {}).get("volumeName")
                if volume:
                    self.enqueue(("volume", "", volume))
            else:
                self.enqueue(("claim", meta.get("namespace", ""), meta["name"]))
        elif change.kind == "PersistentVolume":
            if change.type != "DELETED":
                self.enqueue(("volume", "", meta["name"]))
        elif change.kind == "Pod" and (change.type == "DELETED" or is_pod_terminal(obj)):
            # A pod that stops using claims may let a protected claim go.
            for volume in (obj.get("spec") or {}).get("volumes") or ():
                claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
                if claim:
                    self.enqueue(("claim", meta.get("namespace", ""), claim))

    def sync(self, key: tuple[str, str, str]) -> None:
        what, namespace, name = key
        if what == "claim":
            claim = self.store.get("PersistentVolumeClaim", namespace, name)
            if claim is not None:
                self.sync_claim(claim)
        else:
            volume = self.store.get("PersistentVolume", "", name)
            if volume is not None:
                self.sync_volume(volume)

    # -- claims -----------------------------------------------------------------------------
    def sync_claim(self, claim: dict) -> None:
        meta = claim["metadata"]
        if meta.get("deletionTimestamp"):
            if PVC_PROTECTION in (meta.get("finalizers") or ()) and not self._claim_in_use(claim):
                self.cluster.api.remove_finalizer(claim, PVC_PROTECTION)
            return
        if (claim.get("status") or {}).get("phase") == "Bound":
            return
        spec = claim.get("spec") or {}
        volume = self._find_volume(claim)
        if volume is None:
            class_name = spec.get("storageClassName")
            if not class_name:
                self._event(
                    claim,
                    "Normal",
                    "FailedBinding",
                    "no persistent volumes available for this claim and no storage class is set",
                )
                return
            storage_class = self.store.get("StorageClass", "", class_name)
            if storage_class is None:
                self._event(
                    claim,
                    "Warning",
                    "ProvisioningFailed",
                    f'storageclass.storage.k8s.io "{class_name}" not found',
                )
                return
            volume = self._provision(claim, storage_class)
        self._bind(claim, volume)

    def _claim_in_use(self, claim: dict) -> bool:
        namespace = claim["metadata"].get("namespace", "")
        name = claim["metadata"]["name"]
        for pod in self.store.list("Pod", namespace):
            if is_pod_terminal(pod):
                continue
            for volume in (pod.get("spec") or {}).get("volumes") or ():
                if (volume.get("persistentVolumeClaim") or {}).get("claimName") == name:
                    return True
        return False

    def _find_volume(self, claim: dict) -> dict | None:
        """findBestMatchForClaim: the smallest Available volume of the class that fits."""
        spec = claim.get("spec") or {}
        wanted = spec.get("volumeName")
        if wanted:
            volume = self.store.get("PersistentVolume", "", wanted)
            return volume if volume is not None and not (volume["spec"].get("claimRef")) else None
        request = _storage(spec)
        modes = set(spec.get("accessModes") or ())
        best = None
        for volume in self.store.list("PersistentVolume"):
            vspec = volume.get("spec") or {}
            if vspec.get("claimRef") or (volume.get("status") or {}).get("phase") not in (
                "Available",
                "Pending",
            ):
                continue
            if (vspec.get("storageClassName") or "") != (spec.get("storageClassName") or ""):
                continue
            if not modes <= set(vspec.get("accessModes") or ()):
                continue
            size = _storage(vspec, "capacity")
            if size < request:
                continue
            if best is None or size < _storage(best["spec"], "capacity"):
                best = volume
        return best

    def _provision(self, claim: dict, storage_class: dict) -> dict:
        meta = claim["metadata"]
        spec = claim.get("spec") or {}
        name = f"pvc-{meta['uid']}"
        namespace = meta.get("namespace", "default")
        self._event(
            claim,
            "Normal",
            "Provisioning",
            f'External provisioner is provisioning volume for claim "{namespace}/{meta["name"]}"',
            provisioner=True,
        )
        volume = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "annotations": {
                    "pv.kubernetes.io/provisioned-by": storage_class.get("provisioner", "")
                },
                "finalizers": [PV_PROTECTION],
                "name": name,
            },
            "spec": {
                "accessModes": list(spec.get("accessModes") or []),
                "capacity": {"storage": _storage_text(spec)},
                "hostPath": {
                    "path": f"/tmp/hostpath-provisioner/{namespace}/{meta['name']}",
                    "type": "",
                },
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
                "storageClassName": storage_class["metadata"]["name"],
                "volumeMode": spec.get("volumeMode") or "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
        created = self.cluster.api.create(volume).obj
        self._event(
            claim,
            "Normal",
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {name}",
            provisioner=True,
        )
        return created

    def _bind(self, claim: dict, volume: dict) -> None:
        """bind: the volume's claimRef and Bound phase, then the claim's volumeName and status."""
        meta = claim["metadata"]
        vspec = volume.setdefault("spec", {})
        vspec["claimRef"] = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": meta["name"],
            "namespace": meta.get("namespace", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
            "uid": meta["uid"],
        }
        volume["status"] = {
            "lastPhaseTransitionTime": self.cluster.clock.timestamp(),
            "phase": "Bound",
        }
        self.store.modified(volume)
        annotations = meta.setdefault("annotations", {})
        annotations["pv.kubernetes.io/bind-completed"] = "yes"
        annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
        provisioner = (volume["metadata"].get("annotations") or {}).get(
            "pv.kubernetes.io/provisioned-by"
        )
        if provisioner:
            annotations["volume.beta.kubernetes.io/storage-provisioner"] = provisioner
            annotations["volume.kubernetes.io/storage-provisioner"] = provisioner
        claim.setdefault("spec", {})["volumeName"] = volume["metadata"]["name"]
        claim["status"] = {
            "accessModes": list(vspec.get("accessModes") or []),
            "capacity": dict(vspec.get("capacity") or {}),
            "phase": "Bound",
        }
        self.store.modified(claim)

    # -- volumes ----------------------------------------------------------------------------
    def sync_volume(self, volume: dict) -> None:
        """A volume whose claim is gone is released, and deleted under policy Delete."""
        spec = volume.get("spec") or {}
        ref = spec.get("claimRef")
        status = volume.get("status") or {}
        if ref is None:
            if status.get("phase") == "Pending":
                volume["status"] = {"phase": "Available"}
                self.store.modified(volume)
            return
        claim = self.store.get(
            "PersistentVolumeClaim", ref.get("namespace", ""), ref.get("name", "")
        )
        if claim is not None and claim["metadata"].get("uid") == ref.get("uid"):
            return
        if spec.get("persistentVolumeReclaimPolicy") == "Delete":
            if PV_PROTECTION in (volume["metadata"].get("finalizers") or ()):
                self.cluster.api.remove_finalizer(volume, PV_PROTECTION)
            if self.store.get("PersistentVolume", "", volume["metadata"]["name"]) is not None:
                self.cluster.api.delete("PersistentVolume", "", volume["metadata"]["name"])
        elif status.get("phase") != "Released":
            volume["status"] = {
                "lastPhaseTransitionTime": self.cluster.clock.timestamp(),
                "phase": "Released",
            }
            self.store.modified(volume)

    def _event(
        self, claim: dict, type_: str, reason: str, message: str, *, provisioner: bool = False
    ) -> None:
        source = self.provisioner_source if provisioner else self.source
        self.cluster.events.event(claim, type_, reason, message, source)


def _storage(spec: dict, field: str = "requests"):
    if field == "capacity":
        value = (spec.get("capacity") or {}).get("storage")
    else:
        value = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    try:
        return parse_quantity(value) if value is not None else 0
    except (QuantityError, TypeError):
        return 0


def _storage_text(spec: dict) -> str:
    return str(((spec.get("resources") or {}).get("requests") or {}).get("storage", "0"))

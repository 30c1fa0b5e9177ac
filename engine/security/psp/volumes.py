"""Which volumes a PodSecurityPolicy allows (provider.go validatePodVolumes, util.go, 1.24):
volume types, host path prefixes and read-only mounts, FlexVolume and inline CSI drivers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine.security.fielderr import invalid

if TYPE_CHECKING:
    from engine.security.psp.provider import Provider

# policy.FSType by the volume source field that carries it (util.GetVolumeFSType's order).
VOLUME_TYPES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "storageos",
    "projected",
    "portworxVolume",
    "scaleIO",
    "csi",
    "ephemeral",
)


def visit_containers(spec: dict) -> Iterator[tuple[str, dict]]:
    """VisitContainersWithPath: init containers, containers, ephemeral containers."""
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(spec.get(group) or []):
            yield f"spec.{group}[{index}]", container


def volume_type(volume: dict) -> str:
    """util.GetVolumeFSType ("" for a volume source the 1.24 API did not know)."""
    for name in VOLUME_TYPES:
        if volume.get(name) is not None:
            return name
    return ""


def allows_host_path(psp_spec: dict, path: str) -> tuple[bool, bool]:
    """AllowsHostVolumePath: (allowed, must be read-only); no allowedHostPaths allows any path."""
    allowed_paths = psp_spec.get("allowedHostPaths") or []
    if not allowed_paths:
        return True, False
    allowed = False
    read_only = False
    for allowed_path in allowed_paths:
        if has_path_prefix(path, allowed_path.get("pathPrefix", "")):
            if not allowed_path.get("readOnly"):
                return True, False
            allowed = True
            read_only = True
    return allowed, read_only


def has_path_prefix(path: str, prefix: str) -> bool:
    """`/foo` is a prefix of `/foo` and `/foo/bar`, not of `/food` (segment boundaries only)."""
    path = path.removesuffix("/")
    prefix = prefix.removesuffix("/")
    if not path.startswith(prefix):
        return False
    return len(path) == len(prefix) or path[len(prefix)] == "/"


def only_service_account_token_sources(projected: dict) -> bool:
    """IsOnlyServiceAccountTokenSources: the kube-api-access-xxxxx volume ServiceAccount admission adds."""
    for source in projected.get("sources") or []:
        token = source.get("serviceAccountToken")
        config_map = source.get("configMap")
        downward = source.get("downwardAPI")
        if token is None and config_map is None and downward is None:
            return False
        if token is not None and (token.get("path") != "token" or token.get("audience")):
            return False
        if config_map is not None and config_map.get("name") != "kube-root-ca.crt":
            return False
        if downward is not None:
            for item in downward.get("items") or []:
                ref = item.get("fieldRef") or {}
                if (
                    item.get("path") != "namespace"
                    or ref.get("apiVersion") != "v1"
                    or ref.get("fieldPath") != "metadata.namespace"
                ):
                    return False
    return True


def _allows_volume_type(allowed: set[str], fs_type: str, volume: dict) -> bool:
    # 1.21+: where secret volumes are allowed, so is the projected service-account token
    # volume that replaced the token secret (provider.go allowsVolumeType).
    if fs_type in allowed:
        return True
    return (
        "secret" in allowed
        and fs_type == "projected"
        and only_service_account_token_sources(volume.get("projected") or {})
    )


def validate_volumes(provider: Provider, pod: dict) -> list[str]:
    psp_spec = provider.spec
    spec = pod.get("spec") or {}
    allowed = set(psp_spec.get("volumes") or [])
    allows_all = "*" in allowed
    errors: list[str] = []
    for index, volume in enumerate(spec.get("volumes") or []):
        path = f"spec.volumes[{index}]"
        fs_type = volume_type(volume)
        if not fs_type:
            errors.append(
                invalid(
                    path,
                    "",
                    f'unknown volume type for volume: core.Volume{{Name:"{volume.get("name", "")}"}}',
                )
            )
            continue
        if not allows_all and not _allows_volume_type(allowed, fs_type, volume):
            errors.append(invalid(path, fs_type, f"{fs_type} volumes are not allowed to be used"))
            continue
        if fs_type == "hostPath":
            host_path = (volume.get("hostPath") or {}).get("path", "")
            ok, read_only = allows_host_path(psp_spec, host_path)
            if not ok:
                errors.append(
                    invalid(f"{path}.hostPath.pathPrefix", host_path, "is not allowed to be used")
                )
            elif read_only:
                for cpath, container in visit_containers(spec):
                    for m_index, mount in enumerate(container.get("volumeMounts") or []):
                        if mount.get("name") == volume.get("name") and not mount.get("readOnly"):
                            errors.append(
                                invalid(
                                    f"{cpath}.volumeMounts[{m_index}].readOnly",
                                    bool(mount.get("readOnly", False)),
                                    "must be read-only",
                                )
                            )
        elif fs_type == "flexVolume":
            drivers = [d.get("driver") for d in psp_spec.get("allowedFlexVolumes") or []]
            driver = (volume.get("flexVolume") or {}).get("driver", "")
            if drivers and driver not in drivers:
                errors.append(
                    invalid(f"{path}.driver", driver, "Flexvolume driver is not allowed to be used")
                )
        elif fs_type == "csi":
            drivers = [d.get("name") for d in psp_spec.get("allowedCSIDrivers") or []]
            driver = (volume.get("csi") or {}).get("driver", "")
            if drivers and driver not in drivers:
                errors.append(
                    invalid(
                        f"{path}.csi.driver", driver, "Inline CSI driver is not allowed to be used"
                    )
                )
    return errors

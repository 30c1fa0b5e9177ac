"""The kubelet's volume manager, as far as containers can see it: what each mount holds.

A pod's emptyDir is one volume shared by its containers and kept across their restarts;
configMap, secret, downwardAPI and projected volumes hold their keys as files (the token
volume: `token`, `ca.crt`, `namespace`); hostPath is shared by every pod on the node; a
persistentVolumeClaim's data outlives the pod. Volumes are built only when a container's
filesystem is first used, so ten thousand pods that never look cost nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from engine.shell.fs import Volume

if TYPE_CHECKING:
    from engine.kubelet.worker import PodWorker


def _write(volume: Volume, path: str, text: str) -> None:
    """Put a file (and its parent directories) into a volume being built."""
    full = "/" + path.lstrip("/")
    parent = posixpath.dirname(full)
    while parent not in volume.dirs:
        volume.dirs.add(parent)
        parent = posixpath.dirname(parent)
    volume.files[full] = text


def _decode(value: object) -> str:
    try:
        return base64.b64decode(str(value)).decode(errors="replace")
    except ValueError:
        return ""


def fake_token(pod: dict) -> str:
    """A JWT-shaped service account token (not a real one: nothing here checks signatures)."""
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    claims = {
        "aud": ["https://kubernetes.default.svc.cluster.local"],
        "iss": "https://kubernetes.default.svc.cluster.local",
        "kubernetes.io": {
            "namespace": meta.get("namespace", "default"),
            "pod": {"name": meta.get("name", ""), "uid": meta.get("uid", "")},
            "serviceaccount": {"name": spec.get("serviceAccountName", "default")},
        },
        "sub": f"system:serviceaccount:{meta.get('namespace', 'default')}:{spec.get('serviceAccountName', 'default')}",
    }

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = part(json.dumps({"alg": "RS256", "kid": "podtui"}, separators=(",", ":")).encode())
    body = part(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = part(hashlib.sha256(f"{header}.{body}".encode()).digest())
    return f"{header}.{body}.{signature}"


class PodVolumes:
    """The volumes of one pod on one node."""

    def __init__(self, worker: PodWorker) -> None:
        self.worker = worker
        self._built: dict[str, Volume] = {}

    def volume(self, name: str) -> Volume | None:
        built = self._built.get(name)
        if built is not None:
            return built
        source = next(
            (v for v in self.worker.spec.get("volumes") or [] if v.get("name") == name), None
        )
        if source is None:
            return None
        built = self._build(source)
        self._built[name] = built
        return built

    def mounts_for(self, container: dict) -> Mapping[str, Volume]:
        """The container's mounts, built when its filesystem is first used."""
        return _LazyMounts(self, container)

    def _build(self, source: dict) -> Volume:
        pod = self.worker.pod
        namespace = pod["metadata"].get("namespace", "default")
        if isinstance(source.get("hostPath"), dict):
            return self.worker.kubelet.host_path(str(source["hostPath"].get("path", "/")))
        if isinstance(source.get("persistentVolumeClaim"), dict):
            claim = str(source["persistentVolumeClaim"].get("claimName", ""))
            return self.worker.cluster.claim_volume(namespace, claim)
        volume = Volume(read_only=not isinstance(source.get("emptyDir"), dict))
        if isinstance(source.get("configMap"), dict):
            self._config_map(volume, source["configMap"], namespace)
        elif isinstance(source.get("secret"), dict):
            self._secret(volume, source["secret"], namespace)
        elif isinstance(source.get("downwardAPI"), dict):
            self._downward(volume, source["downwardAPI"].get("items") or [])
        elif isinstance(source.get("projected"), dict):
            for item in source["projected"].get("sources") or []:
                if "serviceAccountToken" in item:
                    _write(
                        volume, item["serviceAccountToken"].get("path", "token"), fake_token(pod)
                    )
                elif "configMap" in item:
                    self._config_map(volume, item["configMap"], namespace)
                elif "secret" in item:
                    self._secret(volume, item["secret"], namespace)
                elif "downwardAPI" in item:
                    self._downward(volume, item["downwardAPI"].get("items") or [])
        return volume

    def _config_map(self, volume: Volume, source: dict, namespace: str) -> None:
        obj = self.worker.cluster.store.get("ConfigMap", namespace, str(source.get("name", "")))
        data = dict((obj or {}).get("data") or {})
        self._items(volume, data, source.get("items"))

    def _secret(self, volume: Volume, source: dict, namespace: str) -> None:
        name = str(source.get("secretName") or source.get("name") or "")
        obj = self.worker.cluster.store.get("Secret", namespace, name)
        data = {k: _decode(v) for k, v in ((obj or {}).get("data") or {}).items()}
        self._items(volume, data, source.get("items"))

    @staticmethod
    def _items(volume: Volume, data: dict[str, str], items: list | None) -> None:
        if items:
            for item in items:
                key = item.get("key")
                if key in data:
                    _write(volume, str(item.get("path", key)), str(data[key]))
        else:
            for key, value in data.items():
                _write(volume, key, str(value))

    def _downward(self, volume: Volume, items: list) -> None:
        from engine.kubelet.env import field_value

        for item in items:
            field_ref = item.get("fieldRef") or {}
            path = str(item.get("path", ""))
            if field_ref.get("fieldPath") in ("metadata.labels", "metadata.annotations"):
                values = self.worker.pod["metadata"].get(field_ref["fieldPath"].split(".")[1]) or {}
                text = "\n".join(f'{k}="{v}"' for k, v in sorted(values.items()))
            else:
                text = field_value(
                    self.worker.pod, str(field_ref.get("fieldPath", "")), self.worker.pod_ip
                )
            _write(volume, path, text)


class _LazyMounts(Mapping[str, Volume]):
    """mountPath → volume for one container, resolved on first read."""

    def __init__(self, volumes: PodVolumes, container: dict) -> None:
        self._volumes = volumes
        self._container = container
        self._resolved: dict[str, Volume] | None = None

    def _mounts(self) -> dict[str, Volume]:
        if self._resolved is None:
            resolved: dict[str, Volume] = {}
            for mount in self._container.get("volumeMounts") or []:
                volume = self._volumes.volume(str(mount.get("name", "")))
                path = str(mount.get("mountPath") or "")
                if volume is not None and path.startswith("/"):
                    resolved[path] = volume
            self._resolved = resolved
        return self._resolved

    def __getitem__(self, key: str) -> Volume:
        return self._mounts()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mounts())

    def __len__(self) -> int:
        return len(self._mounts())

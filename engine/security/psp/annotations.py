"""The strategies a PodSecurityPolicy sets with annotations: seccomp and AppArmor profiles
(pkg/security/podsecuritypolicy/{seccomp,apparmor}, 1.24)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from engine.security.fielderr import forbidden

# -- seccomp (PSP annotations) -----------------------------------------------------------------
SECCOMP_DEFAULT = "seccomp.security.alpha.kubernetes.io/defaultProfileName"
SECCOMP_ALLOWED = "seccomp.security.alpha.kubernetes.io/allowedProfileNames"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def seccomp_annotation_for_field(profile: dict | None) -> str:
    """The annotation value a seccompProfile field stands for (1.19+ kept both in step)."""
    if not profile:
        return ""
    kind = profile.get("type")
    if kind == "RuntimeDefault":
        return "runtime/default"
    if kind == "Unconfined":
        return "unconfined"
    if kind == "Localhost":
        return "localhost/" + profile.get("localhostProfile", "")
    return ""


def pod_seccomp_profile(pod: dict) -> str:
    annotation = ((pod.get("metadata") or {}).get("annotations") or {}).get(SECCOMP_POD, "")
    if annotation:
        return annotation
    sc = (pod.get("spec") or {}).get("securityContext") or {}
    return seccomp_annotation_for_field(sc.get("seccompProfile"))


def container_seccomp_profile(pod: dict, container: dict) -> str:
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    key = SECCOMP_CONTAINER_PREFIX + container.get("name", "")
    if key in annotations:
        return annotations[key]
    from_field = seccomp_annotation_for_field(
        (container.get("securityContext") or {}).get("seccompProfile")
    )
    return from_field or pod_seccomp_profile(pod)


@dataclass(frozen=True)
class SeccompStrategy:
    default_profile: str = ""
    allowed: tuple[str, ...] | None = None
    allowed_text: str = ""
    allow_any: bool = False

    def generate(self, pod: dict) -> str:
        """The pod's profile if it has one, else the policy's default ("" for none)."""
        return pod_seccomp_profile(pod) or self.default_profile

    def _allowed(self, profile: str) -> bool:
        if not self.allowed and profile == "":
            return True
        return self.allow_any or profile in (self.allowed or ())

    def _validate(self, path: str, profile: str) -> list[str]:
        if not self.allow_any and not self.allowed and profile != "":
            return [forbidden(path, "seccomp may not be set")]
        if not self._allowed(profile):
            detail = (
                f"{profile} is not an allowed seccomp profile. Valid values are {self.allowed_text}"
            )
            return [forbidden(path, detail)]
        return []

    def validate_pod(self, pod: dict) -> list[str]:
        return self._validate(f"pod.metadata.annotations[{SECCOMP_POD}]", pod_seccomp_profile(pod))

    def validate_container(self, pod: dict, container: dict) -> list[str]:
        key = SECCOMP_CONTAINER_PREFIX + container.get("name", "")
        return self._validate(
            f"pod.metadata.annotations[{key}]", container_seccomp_profile(pod, container)
        )


def seccomp_strategy(annotations: dict) -> SeccompStrategy:
    allowed: tuple[str, ...] | None = None
    allow_any = False
    if SECCOMP_ALLOWED in annotations:
        names = annotations[SECCOMP_ALLOWED].split(",")
        allow_any = "*" in names
        allowed = tuple(n for n in names if n != "*")
    return SeccompStrategy(
        annotations.get(SECCOMP_DEFAULT, ""),
        allowed,
        annotations.get(SECCOMP_ALLOWED, ""),
        allow_any,
    )


# -- AppArmor (PSP annotations) ----------------------------------------------------------------
APPARMOR_DEFAULT = "apparmor.security.beta.kubernetes.io/defaultProfileName"
APPARMOR_ALLOWED = "apparmor.security.beta.kubernetes.io/allowedProfileNames"
APPARMOR_CONTAINER_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


@dataclass(frozen=True)
class AppArmorStrategy:
    default_profile: str = ""
    allowed: tuple[str, ...] | None = None
    allowed_text: str = ""

    def generate(self, annotations: dict, container: dict) -> dict:
        """The pod's annotations, with the default profile for this container if it has none."""
        out = dict(annotations)
        key = APPARMOR_CONTAINER_PREFIX + container.get("name", "")
        if annotations.get(key) or not self.default_profile:
            return out
        out[key] = self.default_profile
        return out

    def validate(self, pod: dict, container: dict) -> list[str]:
        if self.allowed is None:
            return []
        key = APPARMOR_CONTAINER_PREFIX + container.get("name", "")
        path = f"pod.metadata.annotations[{key}]"
        profile = ((pod.get("metadata") or {}).get("annotations") or {}).get(key, "")
        if not profile:
            return [forbidden(path, "AppArmor profile must be set")] if self.allowed else []
        if profile not in self.allowed:
            detail = (
                f"{profile} is not an allowed profile. Allowed values: {_go_q(self.allowed_text)}"
            )
            return [forbidden(path, detail)]
        return []


def _go_q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def apparmor_strategy(annotations: dict) -> AppArmorStrategy:
    allowed = None
    if APPARMOR_ALLOWED in annotations:
        allowed = tuple(annotations[APPARMOR_ALLOWED].split(","))
    return AppArmorStrategy(
        annotations.get(APPARMOR_DEFAULT, ""), allowed, annotations.get(APPARMOR_ALLOWED, "")
    )

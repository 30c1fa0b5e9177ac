"""The admission chain: plugins run, in Kubernetes' order, on every create and update.

Each plugin may mutate the object (`admit`) and may refuse it by raising an APIError. A
controller's pod creation goes through the same chain as a manifest's, with the
controller's service account as the requesting user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from engine.api.kinds import KindInfo

if TYPE_CHECKING:
    from engine.api.server import APIServer


@dataclass(frozen=True)
class UserInfo:
    """Who makes a request: user name and groups, as the authenticator reports them."""

    name: str
    groups: tuple[str, ...] = ()

    @staticmethod
    def service_account(namespace: str, name: str) -> UserInfo:
        return UserInfo(
            f"system:serviceaccount:{namespace}:{name}",
            (
                "system:serviceaccounts",
                f"system:serviceaccounts:{namespace}",
                "system:authenticated",
            ),
        )


ADMIN = UserInfo("kubernetes-admin", ("system:masters", "system:authenticated"))
"""The user manifests, console actions and scenario steps act as unless `--as` says otherwise."""


def controller_user(controller: str) -> UserInfo:
    """kube-controller-manager's per-controller service account (`--use-service-account-credentials`)."""
    return UserInfo.service_account("kube-system", controller)


@dataclass
class AdmissionRequest:
    operation: str  # CREATE, UPDATE, DELETE
    kind: KindInfo
    obj: dict
    old: dict | None
    user: UserInfo
    server: APIServer
    subresource: str = ""
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.obj["metadata"].get("namespace", "")

    @property
    def name(self) -> str:
        meta = self.obj["metadata"]
        return meta.get("name") or meta.get("generateName", "")


class AdmissionPlugin(Protocol):
    name: str

    def admit(self, request: AdmissionRequest) -> None:
        """Mutate or refuse (raise APIError)."""


# kube-apiserver's recommended plugin order (pkg/kubeapiserver/options/plugins.go), with the
# plugins podtui models. PodPreset and PodSecurityPolicy are the releases that still had them.
ORDER = [
    "NamespaceLifecycle",
    "PodPreset",
    "LimitRanger",
    "ServiceAccount",
    "NodeRestriction",
    "TaintNodesByCondition",
    "PodSecurityPolicy",
    "Priority",
    "DefaultTolerationSeconds",
    "PodSecurity",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
]


class AdmissionChain:
    """Registered plugins, run in ORDER, after the request is authorized."""

    def __init__(self) -> None:
        self._plugins: dict[str, AdmissionPlugin] = {}
        self._ordered: tuple[AdmissionPlugin, ...] | None = None
        """plugins() as run() walks them, until the next register()."""
        self.authorizer: Callable[[AdmissionRequest], None] | None = None
        """kube-apiserver authorizes a request before admitting it; engine.security installs
        RBAC here. It raises APIError (403 Forbidden) to refuse the request."""

    def register(self, plugin: AdmissionPlugin) -> None:
        self._plugins[plugin.name] = plugin
        self._ordered = None

    def get(self, name: str) -> AdmissionPlugin | None:
        return self._plugins.get(name)

    def plugins(self) -> list[AdmissionPlugin]:
        ordered = [self._plugins[n] for n in ORDER if n in self._plugins]
        return ordered + [p for n, p in self._plugins.items() if n not in ORDER]

    def run(self, request: AdmissionRequest) -> None:
        if self.authorizer is not None:
            self.authorizer(request)
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = tuple(self.plugins())
        for plugin in ordered:
            plugin.admit(request)

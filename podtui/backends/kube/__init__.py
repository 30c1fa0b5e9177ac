"""A Kubernetes API server over the network: kubeconfig, reflectors, verbs."""

from podtui.backends.kube.backend import KubeBackend
from podtui.backends.kube.client import KubeAPIError, KubeClient, KubeConnectionError

__all__ = ["KubeAPIError", "KubeBackend", "KubeClient", "KubeConnectionError"]

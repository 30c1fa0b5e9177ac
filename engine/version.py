"""The Kubernetes release podtui's cluster behaves as (the API server's and kubelets' version)."""

KUBERNETES_VERSION = "v1.32.0"

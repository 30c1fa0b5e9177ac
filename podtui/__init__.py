"""podtui: a terminal console over a simulated Kubernetes cluster."""

__version__ = "0.1.0"

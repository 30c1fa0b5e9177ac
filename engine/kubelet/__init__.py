"""The kubelet: what a node does to the pods bound to it, and the status it writes."""

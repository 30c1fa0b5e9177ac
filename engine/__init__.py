"""podtui's simulator: a deterministic, tick-based Kubernetes cluster in pure Python.

The engine never imports the console (`podtui`), Textual, Rich or watchfiles: it is a
library that a notebook, a test or a CLI can drive.
"""

"""kubectl's `get` tables, computed once for the CLI tables and the TUI panes.

Built-in printers are registered here, as the API server's AddHandlers does; later
kinds (Deployment, PDB, PSP, ...) call `register_printer` the same way.
"""

from __future__ import annotations

from engine.printers.core import (
    ConfigMapPrinter,
    NamespacePrinter,
    SecretPrinter,
    ServiceAccountPrinter,
)
from engine.printers.duration import human_duration, short_human_duration, since
from engine.printers.events import (
    EventPrinter,
    event_count,
    event_first_seen,
    event_interval,
    event_last_seen,
    event_object,
    event_source,
)
from engine.printers.nodes import NodePrinter, node_address, node_roles, node_status
from engine.printers.pods import (
    PodPrinter,
    PodSummary,
    pod_ip,
    pod_ready,
    pod_restarts,
    pod_status_reason,
    readiness_gates,
    summarize_pod,
)
from engine.printers.registry import (
    Column,
    KindPrinter,
    is_namespaced,
    print_row,
    printer_for,
    register_printer,
)
from engine.printers.table import clean_cell, render_table, tabwrite

register_printer("Pod", PodPrinter())
register_printer("Node", NodePrinter(), namespaced=False)
register_printer("Namespace", NamespacePrinter(), namespaced=False)
register_printer("ServiceAccount", ServiceAccountPrinter())
register_printer("ConfigMap", ConfigMapPrinter())
register_printer("Secret", SecretPrinter())
register_printer("Event", EventPrinter())

__all__ = [
    "Column",
    "KindPrinter",
    "PodSummary",
    "clean_cell",
    "event_count",
    "event_first_seen",
    "event_interval",
    "event_last_seen",
    "event_object",
    "event_source",
    "human_duration",
    "is_namespaced",
    "node_address",
    "node_roles",
    "node_status",
    "pod_ip",
    "pod_ready",
    "pod_restarts",
    "pod_status_reason",
    "print_row",
    "printer_for",
    "readiness_gates",
    "register_printer",
    "render_table",
    "short_human_duration",
    "since",
    "summarize_pod",
    "tabwrite",
]

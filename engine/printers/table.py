"""`kubectl get` tables as text: header, rows and the spacing of kubectl's tabwriter.

kubectl writes each row as tab-separated cells into a Go text/tabwriter built by
k8s.io/cli-runtime/pkg/printers/tabwriter.go (minwidth 6, tabwidth 4, padding 3,
pad ' ', no flags that change layout); cells are cleaned by tableprinter.go first.
"""

from __future__ import annotations

from datetime import datetime

from engine.printers.registry import DEFAULT_PRINTER, is_namespaced, printer_for, visible_columns
from engine.tabwriter import tabwrite as go_tabwrite

TABWRITER_MIN_WIDTH = 6
TABWRITER_PADDING = 3

# A cell is cut at the first line break and marked "..." (tableprinter.go cellBreakChars).
_CELL_BREAK_CHARS = "\f\n\r"


def clean_cell(value: str) -> str:
    """A cell as kubectl prints it: cut at a line break, terminal escapes made visible."""
    cut = min((i for i in (value.find(c) for c in _CELL_BREAK_CHARS) if i >= 0), default=-1)
    if cut >= 0:
        return _escape_terminal(value[:cut]) + "..."
    return _escape_terminal(value)


def _escape_terminal(value: str) -> str:
    # terminal.go's terminalEscaper: stops escape-sequence attacks through object fields.
    return value.replace("\x1b", "^[").replace("\r", "\\r")


def tabwrite(lines: list[str]) -> list[str]:
    """Align tab-separated lines as Go's text/tabwriter does with kubectl get's settings."""
    return go_tabwrite(lines, min_width=TABWRITER_MIN_WIDTH, padding=TABWRITER_PADDING)


def _name_with_kind(obj: dict, name: str) -> str:
    """`--show-kind` / several kinds at once: `pod/web-0`, `deployment.apps/web`."""
    api_version = obj.get("apiVersion", "")
    group = api_version.split("/")[0] if "/" in api_version else ""
    kind = obj.get("kind", "")
    group_kind = f"{kind}.{group}" if group else kind
    return f"{group_kind.lower()}/{name}"


def render_table(
    kind: str,
    objects: list[dict],
    now: datetime,
    *,
    wide: bool = False,
    all_namespaces: bool = False,
    show_kind: bool = False,
) -> str:
    """A `kubectl get` table: header and one line per object, each line ending in "\\n".

    Objects are printed in the order given. With all_namespaces a NAMESPACE column comes
    first (namespaced kinds only, as kubectl does); with show_kind the name column reads
    `kind/name`, as when kubectl gets several kinds at once. No objects give "" (kubectl
    prints no header then; "No resources found" is the caller's).
    """
    if not objects:
        return ""
    printer = printer_for(kind) or DEFAULT_PRINTER
    shown = visible_columns(printer, wide)
    with_namespace = all_namespaces and is_namespaced(kind)
    name_index = next((i for i in shown if printer.columns[i].format == "name"), None)

    header = [printer.columns[i].name.upper() for i in shown]
    if with_namespace:
        header.insert(0, "NAMESPACE")
    lines = ["\t".join(header)]
    for obj in objects:
        cells = printer.row(obj, now)
        if show_kind and name_index is not None:
            cells = list(cells)
            cells[name_index] = _name_with_kind(obj, cells[name_index])
        row = [cells[i] for i in shown]
        if with_namespace:
            row.insert(0, (obj.get("metadata") or {}).get("namespace", ""))
        lines.append("\t".join(clean_cell(cell) for cell in row))
    return "".join(line + "\n" for line in tabwrite(lines))

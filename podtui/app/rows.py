"""Rows of a pane: the engine printers' cells, a status for the row's colour, sort keys.

The cells are exactly what `podtui sim -o table` prints (engine.printers); this module
only adds what a live table needs on top: which rows are failing, pending, terminating
or completed, and how to sort a column (AGE by creation time, RESTARTS as a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from engine.describe.node import NodeAllocation
from engine.disruption.summaries import budget_summary
from engine.printers import clean_cell, is_namespaced, printer_for
from engine.printers.duration import parse_timestamp
from engine.printers.registry import DEFAULT_PRINTER, KindPrinter, visible_columns

FAILING = "failing"
PENDING = "pending"
TERMINATING = "terminating"
COMPLETED = "completed"
OK = ""

# The STATUS strings kubectl prints for a pod that is not going to run as asked.
POD_FAILING_REASONS = frozenset(
    {
        "CrashLoopBackOff",
        "Error",
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrImageNeverPull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "OOMKilled",
        "ContainerStatusUnknown",
        "Evicted",
        "Failed",
        "NodeLost",
        "Unknown",
        "DeadlineExceeded",
        "StartError",
        "UnexpectedAdmissionError",
        "OutOfcpu",
        "OutOfmemory",
        "OutOfpods",
        "NodeAffinity",
    }
)
POD_PENDING_REASONS = frozenset(
    {"Pending", "ContainerCreating", "PodInitializing", "SchedulingGated"}
)


@dataclass(frozen=True)
class Columns:
    """The columns a view shows: the printer's (wide or not), NAMESPACE first with -A."""

    names: tuple[str, ...]
    indexes: tuple[int, ...]
    """Indexes into the printer's full row."""
    with_namespace: bool
    allocation_at: int | None = None
    """Where the Nodes pane's PODS, CPU, MEM go among the printer's cells (None: not here)."""


NODE_ALLOCATION = ("PODS", "CPU", "MEM")
"""The console's Nodes pane adds these after VERSION, as k9s does (`kubectl get nodes`, and
so `podtui sim`, keeps kubectl's columns): requests against allocatable, from describe node."""


def columns_for(kind: str, *, wide: bool, all_namespaces: bool) -> Columns:
    printer = printer_for(kind) or DEFAULT_PRINTER
    shown = tuple(visible_columns(printer, wide))
    with_namespace = all_namespaces and is_namespaced(kind)
    names = tuple(printer.columns[i].name.upper() for i in shown)
    allocation_at = None
    if kind == "Node" and "VERSION" in names:
        allocation_at = names.index("VERSION") + 1
        names = (*names[:allocation_at], *NODE_ALLOCATION, *names[allocation_at:])
    if with_namespace:
        names = ("NAMESPACE", *names)
    return Columns(names, shown, with_namespace, allocation_at)


@dataclass(slots=True)
class TableRow:
    """One object's row: its cells, its status colour and how it sorts."""

    key: str
    cells: tuple[str, ...]
    state: str
    obj: dict = field(repr=False)
    computed_at: float = 0.0
    labels: dict = field(default_factory=dict, repr=False)
    version: int = 0
    resource_version: str = ""
    """The object's resourceVersion when the row was built ("" for rows not from a builder)."""
    sorted_by: tuple = field(default=(), repr=False, compare=False)
    """(column, the table's sort entry for it): the table keeps it here, as the row's cells
    and object never change once built."""
    printed: bool = True
    """False for a record of an object not printed yet (RowBuilder.record): its cells are
    empty until the table has it printed (on screen, or when a sort or filter reads it)."""


IMMUTABLE_SORT_COLUMNS = frozenset({"NAME", "NAMESPACE", "AGE"})
"""Columns whose sort value an update of the object cannot change: they sort by its name,
namespace and creationTimestamp, which the API server never lets an update change
(ObjectMeta: name and namespace are immutable, creationTimestamp is read-only). A row
changed off screen in a table sorted by one of them keeps its place without being printed."""


def row_key(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else meta.get("name", "")


class RowCache:
    """The rows last built for each view (kind and columns), by key.

    A view shown again (back to the Pods pane) takes the row of every object that has not
    changed since, the same dict at the same resourceVersion, instead of printing it again:
    150,000 pods print in seconds. Their time cells (AGE, `3 (6s ago)`) are as old as the
    row, as those of rows off screen always are: the table recomputes them for the rows it
    draws.
    """

    def __init__(self) -> None:
        self.views: dict[tuple[str, Columns], dict[str, TableRow]] = {}


class RowBuilder:
    """Builds rows of one kind for the columns a view shows."""

    def __init__(self, kind: str, columns: Columns, cache: RowCache | None = None) -> None:
        self.kind = kind
        self.columns = columns
        # The Nodes pane's PODS, CPU, MEM come from other objects (the pods): never cached.
        self._cached: dict[str, TableRow] | None = None
        self._limit = 0
        if cache is not None and columns.allocation_at is None:
            self._cache = cache
            self._cached = cache.views.setdefault((kind, columns), {})
            self._limit = 2 * len(self._cached) + 1000
        self.printer: KindPrinter = printer_for(kind) or DEFAULT_PRINTER
        self._status_index = _index_of(columns.names, "STATUS")
        self._name_at = _name_cell_at(self.printer, columns)
        self._ready_index = _index_of(columns.names, "READY")
        self.allocations: dict[str, NodeAllocation] = {}
        """Nodes' PODS, CPU, MEM by node name (the screen fills it from the store)."""

    def cells(self, obj: dict, now: datetime) -> tuple[str, ...]:
        full = self.printer.row(obj, now)
        # clean_cell only matters for cells with line breaks or escapes; isprintable is a
        # fast C check that says there are none.
        cells = [
            cell if cell.isprintable() else clean_cell(cell)
            for cell in (full[i] for i in self.columns.indexes)
        ]
        at = self.columns.allocation_at
        if at is not None:
            allocation = self.allocations.get((obj.get("metadata") or {}).get("name", ""))
            cells[at:at] = (
                (allocation.pods, allocation.cpu, allocation.memory) if allocation else ("", "", "")
            )
        if self.columns.with_namespace:
            cells.insert(0, (obj.get("metadata") or {}).get("namespace", ""))
        return tuple(cells)

    def build(self, obj: dict, now: datetime, sim_now: float) -> TableRow:
        return self._keep(self._print(obj, row_key(obj), now, sim_now))

    def reprint(self, row: TableRow, now: datetime, sim_now: float) -> TableRow:
        """A row printed again from its object (its key and labels as they are)."""
        obj = row.obj
        cells = self.cells(obj, now)
        return self._keep(
            TableRow(
                row.key,
                cells,
                self.state(obj, cells),
                obj,
                sim_now,
                row.labels,
                resource_version=(obj.get("metadata") or {}).get("resourceVersion", ""),
            )
        )

    def _keep(self, row: TableRow) -> TableRow:
        if self._cached is not None:
            if len(self._cached) >= self._limit:
                # Rows of deleted objects pile up until the view is loaded again: past
                # twice the view's size, start over (the next load prints every row).
                self._cached.clear()
            self._cached[row.key] = row
        return row

    def _print(self, obj: dict, key: str, now: datetime, sim_now: float) -> TableRow:
        meta = obj.get("metadata") or {}
        cells = self.cells(obj, now)
        return TableRow(
            key,
            cells,
            self.state(obj, cells),
            obj,
            sim_now,
            dict(meta.get("labels") or {}),
            resource_version=meta.get("resourceVersion", ""),
        )

    def record(self, obj: dict, key: str | None = None) -> TableRow:
        """An object's row not printed yet: its key, object and labels, and of its cells only
        NAME and NAMESPACE, which are the object's name and namespace (the table sorts by
        them and measures them; it prints the row when it is drawn or read: printing
        1,500 changed pods a tick was most of the tick's cost, and all but a screenful
        are off screen)."""
        meta = obj.get("metadata") or {}
        cells = [""] * len(self.columns.names)
        if self._name_at is not None:
            cells[self._name_at] = meta.get("name", "")
        if self.columns.with_namespace:
            cells[0] = meta.get("namespace", "")
        return TableRow(
            row_key(obj) if key is None else key,
            tuple(cells),
            OK,
            obj,
            labels=dict(meta.get("labels") or {}),
            resource_version=meta.get("resourceVersion", ""),
            printed=False,
        )

    def build_all(
        self, objs: Iterable[dict], now: datetime, sim_now: float, *, lazy: bool = False
    ) -> list[TableRow]:
        """Every object's row, taking unchanged objects' rows from the cache (RowCache);
        `lazy`: a record (see `record`) for each of the others, for the table to print."""
        cached = self._cached
        if cached is None:
            make = self.record if lazy else lambda obj: self.build(obj, now, sim_now)
            return [make(obj) for obj in objs]
        self._cached = fresh = {}
        self._cache.views[(self.kind, self.columns)] = fresh
        rows = []
        for obj in objs:
            key = row_key(obj)
            row = cached.get(key)
            if (
                row is None
                or row.obj is not obj
                or row.resource_version != (obj.get("metadata") or {}).get("resourceVersion", "")
            ):
                if lazy:
                    rows.append(self.record(obj, key))  # cached once the table prints it
                    continue
                row = self._print(obj, key, now, sim_now)
            fresh[key] = row
            rows.append(row)
        self._limit = 2 * len(rows) + 1000
        return rows

    def state(self, obj: dict, cells: tuple[str, ...]) -> str:
        """The row's colour: failing, pending, terminating, completed, or plain."""
        status = cells[self._status_index] if self._status_index is not None else ""
        if self.kind == "Pod":
            return pod_state(
                status, cells[self._ready_index] if self._ready_index is not None else ""
            )
        if self.kind == "Node":
            if "NotReady" in status or status.startswith("Unknown"):
                return FAILING
            return PENDING if "SchedulingDisabled" in status else OK
        if self.kind == "Event":
            return PENDING if obj.get("type") == "Warning" else OK
        if self.kind == "PodDisruptionBudget":
            # At zero it blocks every drain and eviction of its healthy pods ($warning); short
            # of its desired healthy pods it is violated ($error, k9s' render/pdb.go diagnose).
            budget = budget_summary(obj)
            if budget.current_healthy < budget.desired_healthy:
                return FAILING
            return PENDING if budget.at_zero else OK
        if (obj.get("metadata") or {}).get("deletionTimestamp"):
            return TERMINATING
        if status:
            lowered = status.lower()
            if any(word in lowered for word in ("fail", "error", "backoff")):
                return FAILING
            if lowered in ("complete", "completed", "succeeded"):
                return COMPLETED
        ready = cells[self._ready_index] if self._ready_index is not None else ""
        if _short(ready):
            return PENDING
        return OK


def pod_state(status: str, ready: str) -> str:
    """k9s' pod colours, by kubectl's STATUS string (and READY short of its total)."""
    if status == "Terminating":
        return TERMINATING
    if status == "Completed":
        return COMPLETED
    if status.startswith("Init:"):
        # `Init:1/2` is progress; `Init:Error`, `Init:CrashLoopBackOff` are not.
        return PENDING if status[5:6].isdigit() else FAILING
    if status in POD_FAILING_REASONS or status.startswith(("Signal:", "ExitCode:")):
        return FAILING
    if status in POD_PENDING_REASONS:
        return PENDING
    if status == "Running" and _short(ready):
        return PENDING
    return OK


def _short(ready: str) -> bool:
    """`0/1`: fewer ready than wanted."""
    left, slash, right = ready.partition("/")
    return bool(slash) and left.isdigit() and right.isdigit() and int(left) < int(right)


def _name_cell_at(printer: KindPrinter, columns: Columns) -> int | None:
    """Where the object's name (the printer's `name` column) is among the view's cells."""
    for position, index in enumerate(columns.indexes):
        if printer.columns[index].format == "name":
            if columns.allocation_at is not None and columns.allocation_at <= position:
                position += len(NODE_ALLOCATION)
            return position + (1 if columns.with_namespace else 0)
    return None


def _index_of(names: tuple[str, ...], wanted: str) -> int | None:
    try:
        return names.index(wanted)
    except ValueError:
        return None


# -- sorting ------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(\d+)")
_TIME_COLUMNS = {
    "AGE": ("metadata", "creationTimestamp"),
    "LAST SEEN": ("lastTimestamp",),
    "FIRST SEEN": ("firstTimestamp",),
}


def is_time_column(column: str) -> bool:
    """A column that sorts by the object's timestamps rather than by its cell."""
    return column in _TIME_COLUMNS


def natural_key(text: str) -> tuple:
    """`pod-9` before `pod-10`; numbers compare as numbers."""
    parts: list = _NUMBER.split(text.lower())
    parts[1::2] = map(int, parts[1::2])  # split keeps the numbers at the odd places
    return tuple(parts)


def sort_value(column: str, cell: str, obj: dict) -> tuple:
    """How a cell sorts. Time columns sort by their timestamp (youngest first), so the
    order does not drift as AGE strings change."""
    path = _TIME_COLUMNS.get(column)
    if path is not None:
        value: object = obj
        for part in path:
            value = (value or {}).get(part) if isinstance(value, dict) else None
        if column != "AGE" and not value:
            value = obj.get("eventTime")
        moment = parse_timestamp(value)
        return (0, -moment.timestamp()) if moment is not None else (1, 0.0)
    if column == "RESTARTS":
        match = _NUMBER.match(cell)
        return (0, int(match.group(1)) if match else 0)
    return (0, natural_key(cell))

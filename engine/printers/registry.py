"""Which columns each kind prints, and the rows behind them (kubectl's table handlers).

Like the API server's `AddHandlers`, every kind registers one printer; a printer
returns every cell of a row, wide (priority 1) columns included, and the caller
keeps the columns it shows. Kinds without a printer get the default NAME / AGE
table, as kubectl prints for objects the server has no handler for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.printers.duration import since


@dataclass(frozen=True)
class Column:
    """One column of a table (metav1.TableColumnDefinition, reduced to what is printed)."""

    name: str  # "NAME", "READY", ...; kubectl upper-cases the definition's name
    priority: int = 0  # 0 = always, 1 = only with -o wide
    format: str = ""  # "name" marks the object's name column (prefixed by --show-kind)


class KindPrinter(Protocol):
    """Prints one kind: its columns and, for one object, every cell of its row."""

    columns: list[Column]

    def row(self, obj: dict, now: datetime) -> list[str]: ...


class ObjectMetaPrinter:
    """The default table for kinds without a printer: NAME, AGE."""

    columns = [Column("NAME", format="name"), Column("AGE")]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        return [meta.get("name", ""), since(meta.get("creationTimestamp"), now)]


DEFAULT_PRINTER = ObjectMetaPrinter()

_PRINTERS: dict[str, KindPrinter] = {}
_CLUSTER_SCOPED: set[str] = set()


def register_printer(kind: str, printer: KindPrinter, *, namespaced: bool = True) -> None:
    """Register (or replace) the printer for a kind such as "Pod" or "Node"."""
    _PRINTERS[kind] = printer
    if namespaced:
        _CLUSTER_SCOPED.discard(kind)
    else:
        _CLUSTER_SCOPED.add(kind)


def printer_for(kind: str) -> KindPrinter | None:
    """The printer registered for a kind, or None."""
    return _PRINTERS.get(kind)


def is_namespaced(kind: str) -> bool:
    """False for kinds registered as cluster-scoped (no NAMESPACE column with -A)."""
    return kind not in _CLUSTER_SCOPED


def visible_columns(printer: KindPrinter, wide: bool) -> list[int]:
    """Indexes of the columns shown: priority 0 always, the others only with -o wide."""
    return [i for i, column in enumerate(printer.columns) if wide or column.priority == 0]


def print_row(obj: dict, now: datetime, wide: bool = False) -> list[str]:
    """The cells kubectl shows for obj (its kind's printer, or NAME / AGE)."""
    printer = printer_for(obj.get("kind", "")) or DEFAULT_PRINTER
    cells = printer.row(obj, now)
    return [cells[i] for i in visible_columns(printer, wide)]

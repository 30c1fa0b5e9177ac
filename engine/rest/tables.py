"""`Table` responses (meta.k8s.io/v1): what `kubectl get` asks for with
`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

The columns and cells are the engine's printers' (the same as `podtui sim -o table` and the
console), so kubectl prints what podtui prints; wide columns have priority 1, which kubectl
shows only with `-o wide`. Each row carries the object's metadata (PartialObjectMetadata,
the API server's default `includeObject=Metadata`), from which kubectl takes the NAMESPACE
column, labels and the resourceVersion of a watch (k8s.io/apiserver/pkg/endpoints/handlers/
response.go).
"""

from __future__ import annotations

from datetime import datetime

from engine.printers.registry import DEFAULT_PRINTER, printer_for

TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def wants_table(accept: str) -> bool:
    """Whether the client's first Accept choice is a meta.k8s.io/v1 Table."""
    first = accept.split(",")[0]
    params = {p.strip() for p in first.split(";")}
    return "as=Table" in params and "g=meta.k8s.io" in params


def column_definitions(kind: str) -> list[dict]:
    printer = printer_for(kind) or DEFAULT_PRINTER
    out = []
    for column in printer.columns:
        out.append(
            {
                "name": column.name,
                "type": "string",
                "format": column.format,
                "description": "",
                "priority": column.priority,
            }
        )
    return out


def row_object(obj: dict, include: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata") or {},
    }


def row(obj: dict, now: datetime, include: str = "Metadata") -> dict:
    printer = printer_for(obj.get("kind", "")) or DEFAULT_PRINTER
    entry: dict = {"cells": list(printer.row(obj, now))}
    found = row_object(obj, include)
    if found is not None:
        entry["object"] = found
    return entry


def table(
    kind: str,
    objects: list[dict],
    now: datetime,
    *,
    resource_version: str = "",
    continue_token: str = "",
    include: str = "Metadata",
    with_columns: bool = True,
) -> dict:
    """A Table of objects of one kind (rows in the order given)."""
    metadata: dict = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    if include == "Metadata":
        # The common case, a page of kubectl get, without a call per row for its parts.
        printer_row = (printer_for(kind) or DEFAULT_PRINTER).row
        rows = [
            {
                "cells": list(printer_row(obj, now)),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": obj.get("metadata") or {},
                },
            }
            for obj in objects
        ]
    else:
        rows = [row(obj, now, include) for obj in objects]
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(kind) if with_columns else None,
        "rows": rows,
    }

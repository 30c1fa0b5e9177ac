"""Fitting a table's columns to the screen: the widest give way first, cut with `…`."""

from __future__ import annotations

ELLIPSIS = "…"
"""Marks a cell cut to fit the screen (the whole value is in describe and YAML)."""


def fit_widths(natural: list[int], minimums: list[int], available: int, gap: int) -> list[int]:
    """Column widths that fit `available` cells, gaps included: the widest columns give
    way first, down to a common width (never below their minimum), so short columns such
    as READY or AGE keep their full text and a long MESSAGE or VOLUMES is cut instead.
    When even the minimums do not fit, the minimums (the table then scrolls sideways)."""
    if not natural:
        return []
    budget = available - gap * (len(natural) - 1)
    if sum(natural) <= budget:
        return list(natural)
    floors = [min(n, m) for n, m in zip(natural, minimums, strict=True)]
    if sum(floors) >= budget:
        return floors

    def total(level: int) -> int:
        return sum(max(f, min(n, level)) for n, f in zip(natural, floors, strict=True))

    low, high = 0, max(natural)  # total(low) <= budget < total(high)
    while high - low > 1:
        middle = (low + high) // 2
        if total(middle) <= budget:
            low = middle
        else:
            high = middle
    widths = [max(f, min(n, low)) for n, f in zip(natural, floors, strict=True)]
    spare = budget - sum(widths)
    for index, n in enumerate(natural):  # the cells left over go to the first capped columns
        if spare <= 0:
            break
        if n > widths[index]:
            widths[index] += 1
            spare -= 1
    return widths


def elide(cell: str, width: int) -> str:
    """The cell cut to `width` with a visible `…` when it is longer."""
    if len(cell) <= width:
        return cell
    return cell[: max(width - 1, 0)] + ELLIPSIS if width > 0 else ""

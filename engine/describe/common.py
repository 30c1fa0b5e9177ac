"""Pieces every kubectl describer shares: times, labels, annotations, taints, events."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from engine.describe.writer import LEVEL_0, LEVEL_1, PrefixWriter
from engine.printers.duration import human_duration, parse_timestamp
from engine.quantity import QuantityError, parse_quantity

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


def rfc1123z(value: object) -> str:
    """Go's time.RFC1123Z (`Wed, 01 Jan 2025 00:00:00 +0000`); the zero time when unset."""
    moment = parse_timestamp(value)
    if moment is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def since(value: object, now: datetime) -> str:
    """translateTimestampSince / translateMicroTimestampSince."""
    moment = parse_timestamp(value)
    if moment is None:
        return "<unknown>"
    return human_duration((now - moment).total_seconds())


def go_bool(value: object) -> str:
    """`%v` of a Go bool."""
    return "true" if value else "false"


def print_bool(value: object) -> str:
    """kubectl's printBool: True / False."""
    return "True" if value else "False"


def multiline(
    w: PrefixWriter,
    title: str,
    items: list[str],
    *,
    initial_indent: str = "",
    inner_indent: str = "\t",
) -> None:
    """The shape of printLabelsMultiline & co: first item after the title, the rest aligned."""
    w.write(LEVEL_0, f"{initial_indent}{title}:{inner_indent}")
    if not items:
        w.write_line("<none>")
        return
    for index, item in enumerate(items):
        if index:
            w.write(LEVEL_0, initial_indent)
            w.write(LEVEL_0, inner_indent)
        w.write(LEVEL_0, f"{item}\n")


def print_labels(
    w: PrefixWriter, title: str, labels: dict | None, *, initial_indent: str = ""
) -> None:
    """printLabelsMultiline: `key=value`, sorted by key."""
    labels = labels or {}
    multiline(
        w,
        title,
        [f"{key}={labels[key]}" for key in sorted(labels)],
        initial_indent=initial_indent,
    )


def print_annotations(w: PrefixWriter, title: str, annotations: dict | None) -> None:
    """printAnnotationsMultiline: `key: value`, long values on their own lines, the
    last-applied-configuration annotation skipped."""
    annotations = annotations or {}
    w.write(LEVEL_0, f"{title}:\t")
    keys = sorted(k for k in annotations if k != LAST_APPLIED)
    if not keys:
        w.write_line("<none>")
        return
    indent = "\t"
    for index, key in enumerate(keys):
        if index:
            w.write(LEVEL_0, indent)
        value = str(annotations[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(LEVEL_0, f"{key}:\n")
            for part in value.split("\n"):
                w.write(LEVEL_0, f"{indent}  {_shorten(part, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(LEVEL_0, f"{key}: {value}\n")


def _shorten(text: str, limit: int) -> str:
    return text[:limit] + "..." if len(text) > limit else text


def taint_string(taint: dict) -> str:
    """v1.Taint.ToString: `key=value:Effect`, `key:Effect`."""
    key = taint.get("key", "")
    value = taint.get("value", "")
    effect = taint.get("effect", "")
    text = f"{key}={value}" if value else key
    return f"{text}:{effect}" if effect else text


def print_taints(w: PrefixWriter, title: str, taints: list | None) -> None:
    """printNodeTaintsMultiline: sorted by `effect,key`."""
    ordered = sorted(taints or [], key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    multiline(w, title, [taint_string(t) for t in ordered])


def toleration_string(toleration: dict) -> str:
    """One line of printTolerationsMultilineWithIndent."""
    key = toleration.get("key", "")
    value = toleration.get("value", "")
    effect = toleration.get("effect", "")
    text = key
    if value:
        text += f"={value}"
    if effect:
        text += f":{effect}"
    if toleration.get("operator") == "Exists" and not value:
        text += " op=Exists" if key or effect else "op=Exists"
    if toleration.get("tolerationSeconds") is not None:
        text += f" for {toleration['tolerationSeconds']}s"
    return text


def print_tolerations(
    w: PrefixWriter, title: str, tolerations: list | None, *, initial_indent: str = ""
) -> None:
    """printPodTolerationsMultiline: sorted by key (a stable sort, as far as Go's allows)."""
    ordered = sorted(tolerations or [], key=lambda t: t.get("key", ""))
    multiline(w, title, [toleration_string(t) for t in ordered], initial_indent=initial_indent)


def controller_of(obj: dict) -> str:
    """printController: `Kind/name` of the controlling owner reference."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def _event_time(event: dict) -> str:
    """event.SortableEvents' eventTime: series.lastObservedTime, lastTimestamp, eventTime."""
    series = event.get("series") or {}
    if series.get("lastObservedTime"):
        return series["lastObservedTime"][:19]
    if event.get("lastTimestamp"):
        return event["lastTimestamp"][:19]
    return (event.get("eventTime") or "")[:19]


def describe_events(w: PrefixWriter, events: list[dict], now: datetime) -> None:
    """DescribeEvents: `Type Reason Age From Message`, with `(xN over D)` for repeats."""
    if not events:
        w.write(LEVEL_0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n")
    for event in sorted(events, key=_event_time):
        first = (
            since(event["eventTime"], now)
            if event.get("eventTime")
            else since(event.get("firstTimestamp"), now)
        )
        series = event.get("series")
        if series:
            interval = (
                f"{since(series.get('lastObservedTime'), now)} "
                f"(x{series.get('count', 0)} over {first})"
            )
        elif (event.get("count") or 0) > 1:
            interval = f"{since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
        else:
            interval = first
        # core/v1 spells the Go field ReportingController as `reportingComponent`.
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
        message = str(event.get("message", "")).strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(
            LEVEL_1,
            f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval}\t{source}\t{message}\n",
        )


_BINARY_UNITS = (
    ("Ei", 2**60),
    ("Pi", 2**50),
    ("Ti", 2**40),
    ("Gi", 2**30),
    ("Mi", 2**20),
    ("Ki", 2**10),
)
_DECIMAL_UNITS = (
    (18, "E"),
    (15, "P"),
    (12, "T"),
    (9, "G"),
    (6, "M"),
    (3, "k"),
    (0, ""),
    (-3, "m"),
    (-6, "u"),
    (-9, "n"),
)


def quantity_format(value: object) -> str:
    """The format a quantity was written in: BinarySI, DecimalSI or DecimalExponent."""
    text = str(value).strip()
    if text[-2:] in {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}:
        return "BinarySI"
    if "e" in text.lower() and not text.lower().endswith("e"):
        return "DecimalExponent"
    return "DecimalSI"


def format_quantity(amount: Fraction, fmt: str = "DecimalSI") -> str:
    """resource.Quantity.String: the canonical text of an amount in a format."""
    if amount == 0:
        return "0"
    if fmt == "BinarySI" and amount.denominator == 1 and not -1024 < amount < 1024:
        for suffix, unit in _BINARY_UNITS:
            if amount.numerator % unit == 0:
                return f"{amount.numerator // unit}{suffix}"
        return str(amount.numerator)
    for exponent, suffix in _DECIMAL_UNITS:
        scaled = amount / Fraction(10) ** exponent
        if scaled.denominator == 1:
            if fmt == "DecimalExponent":
                return f"{scaled.numerator}e{exponent}" if exponent else str(scaled.numerator)
            return f"{scaled.numerator}{suffix}"
    nanos = -(-(amount * 10**9).numerator // (amount * 10**9).denominator)
    return f"{nanos}n"


def canonical_quantity(value: object) -> str:
    """A stored quantity as the API server serializes it (`0.5` → `500m`, `1024Mi` → `1Gi`)."""
    try:
        amount = parse_quantity(value)  # type: ignore[arg-type]
    except QuantityError:
        return str(value)
    return format_quantity(amount, quantity_format(value))


def write_object_meta(w: PrefixWriter, meta: dict) -> None:
    """The header most describers open with: Name, Namespace, Labels, Annotations."""
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))

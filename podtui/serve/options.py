"""`podtui serve`'s options that the console's `--serve` shares (no server imports here,
so the console's command line stays quick to parse)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_KUBECONFIG = Path("~/.kube/podtui.yaml")


def positive_speed(value: str) -> float:
    try:
        number = float(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"invalid speed {value!r}") from err
    if number <= 0:
        raise argparse.ArgumentTypeError("the speed must be greater than 0")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}") from err
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: 0-65535 (0 picks a free one)")
    return number


KUBECONFIG_WRITES = (
    f"the kubeconfig podtui WRITES for kubectl (default {DEFAULT_KUBECONFIG}; it is "
    "replaced, never read)"
)
KUBECONFIG_BOTH = (
    "FILE means two things. With --serve: " + KUBECONFIG_WRITES + ". Without --serve: "
    "a real cluster's kubeconfig to READ and open the console on (read-only; --context "
    "picks its context)"
)


def add_serve_options(parser: argparse.ArgumentParser, *, console: bool = False) -> None:
    """--port and --kubeconfig (`podtui serve` and `podtui --serve`). The console's
    --kubeconfig also opens a real cluster without --serve: its help says both."""
    parser.add_argument(
        "--port",
        type=_port,
        default=None if console else 0,
        help="with --serve: port on 127.0.0.1 (default: a free one)"
        if console
        else "port on 127.0.0.1 (default: a free one)",
    )
    parser.add_argument(
        "--kubeconfig",
        default=None,
        metavar="FILE",
        help=KUBECONFIG_BOTH if console else KUBECONFIG_WRITES,
    )


def now() -> datetime:
    """The served clock's start: now, to the second (kubectl's ages are wall-clock)."""
    return datetime.now(UTC).replace(microsecond=0)


def kubeconfig_path(value: str | None) -> Path:
    return Path(value or DEFAULT_KUBECONFIG).expanduser()

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


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """--port and --kubeconfig (`podtui serve` and `podtui --serve`)."""
    parser.add_argument(
        "--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--kubeconfig",
        default=None,
        metavar="FILE",
        help=f"kubeconfig to write (default {DEFAULT_KUBECONFIG})",
    )


def now() -> datetime:
    """The served clock's start: now, to the second (kubectl's ages are wall-clock)."""
    return datetime.now(UTC).replace(microsecond=0)


def kubeconfig_path(value: str | None) -> Path:
    return Path(value or DEFAULT_KUBECONFIG).expanduser()

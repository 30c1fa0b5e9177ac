"""What a `kubectl drain` is asked to do (its flags), what it prints (lines on stdout and
stderr, with their simulated time), and how far each of its pods has got (for the console's
drain panel)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.clock import Timer
from engine.disruption import drain_filters
from engine.timeutil import format_go_duration, parse_duration

EVICT_ERROR_RETRY_DELAY = 5.0
WAIT_FOR_DELETE_INTERVAL = 1.0
DEADLINE_EXCEEDED = "context deadline exceeded"

STDOUT = "stdout"
STDERR = "stderr"

# Drain states.
RUNNING = "running"
DRAINED = "drained"
FAILED = "failed"
CANCELLED = "cancelled"

# Pod states in the drain panel.
POD_EVICTING = "evicting"
POD_BLOCKED = "blocked"  # a 429: waiting 5 s to retry
POD_WAITING = "waiting"  # evicted or deleted, waiting for it to be gone
POD_EVICTED = "evicted"
POD_DELETED = "deleted"
POD_GONE = "gone"  # NotFound when evicting: nothing to print
POD_SKIPPED = "skipped"  # --skip-wait-for-delete-timeout
POD_FAILED = "failed"


class DrainUsageError(ValueError):
    """Drain arguments kubectl would refuse; str() is its message (printed after `error: `)."""

    def __init__(self, message: str, *, usage_hint: bool = False) -> None:
        if usage_hint:
            message += "\nSee 'kubectl drain --help' for usage."
        super().__init__(message)


_FLAGS = {
    "force": "bool",
    "ignore-daemonsets": "bool",
    "delete-emptydir-data": "bool",
    "disable-eviction": "bool",
    "grace-period": "int",
    "timeout": "duration",
    "pod-selector": "str",
    "skip-wait-for-delete-timeout": "int",
    "dry-run": "str",
}
_GO_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float:
    """time.ParseDuration: `2m`, `90s`, `1h30m`, `1.5h`, `0`; seconds."""
    if text in ("0", "+0", "-0"):
        return 0.0
    body = text[1:] if text[:1] in "+-" else text
    total, pos = 0.0, 0
    while pos < len(body):
        match = _GO_DURATION_PART.match(body, pos)
        if match is None or match.group(1) in ("", "."):
            unit_missing = re.fullmatch(r"[0-9.]+", body[pos:]) is not None
            reason = "missing unit in duration" if unit_missing else "invalid duration"
            raise ValueError(f'time: {reason} "{text}"')
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    return -total if text.startswith("-") else total


def _flag_value(name: str, kind: str, value: str) -> Any:
    try:
        if kind == "int":
            return int(value)
        if kind == "duration":
            return parse_go_duration(value)
    except ValueError as err:
        detail = (
            str(err)
            if kind == "duration"
            else f'strconv.ParseInt: parsing "{value}": invalid syntax'
        )
        raise DrainUsageError(
            f'invalid argument "{value}" for "--{name}" flag: {detail}', usage_hint=True
        ) from None
    return value


@dataclass
class DrainOptions:
    """kubectl drain's flags (defaults as NewDrainCmdOptions sets them)."""

    node: str
    force: bool = False
    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    grace_period: int = -1
    """Seconds; negative uses each pod's terminationGracePeriodSeconds."""
    timeout: float = 0.0
    """Seconds; 0 waits forever."""
    disable_eviction: bool = False
    pod_selector: str = ""
    skip_wait_for_delete_timeout: int = 0
    dry_run: str = "none"
    """`none`, `client` or `server`, as --dry-run."""

    @classmethod
    def from_step(cls, value: dict[str, Any]) -> DrainOptions:
        """From a scenario's `drain:` mapping (DESIGN.md's field names)."""
        grace = value.get("gracePeriod")
        return cls(
            node=value["node"],
            force=bool(value.get("force", False)),
            ignore_daemonsets=bool(value.get("ignoreDaemonsets", False)),
            delete_emptydir_data=bool(value.get("deleteEmptydirData", False)),
            grace_period=-1 if grace is None else int(grace),
            timeout=parse_duration(value["timeout"]) if value.get("timeout") is not None else 0.0,
            disable_eviction=bool(value.get("disableEviction", False)),
            pod_selector=value.get("podSelector", "") or "",
            skip_wait_for_delete_timeout=int(value.get("skipWaitForDeleteTimeout", 0) or 0),
            dry_run=value.get("dryRun", "none") or "none",
        )

    @classmethod
    def from_args(cls, argv: list[str]) -> DrainOptions:
        """From `kubectl drain` arguments (`node-2 --ignore-daemonsets --timeout=2m`), as the
        console's `:drain` takes them; raises DrainUsageError with kubectl's words."""
        nodes: list[str] = []
        values: dict[str, Any] = {}
        args = list(argv)
        while args:
            arg = args.pop(0)
            if not arg.startswith("--"):
                nodes.append(arg)
                continue
            name, has_value, value = arg[2:].partition("=")
            if name not in _FLAGS:
                raise DrainUsageError(f"unknown flag: --{name}", usage_hint=True)
            kind = _FLAGS[name]
            if kind == "bool":
                if has_value and value not in ("true", "false"):
                    raise DrainUsageError(
                        f'invalid argument "{value}" for "--{name}" flag: strconv.ParseBool: '
                        f'parsing "{value}": invalid syntax',
                        usage_hint=True,
                    )
                values[name] = value != "false"
                continue
            if not has_value:
                if not args:
                    raise DrainUsageError(f"flag needs an argument: --{name}", usage_hint=True)
                value = args.pop(0)
            values[name] = _flag_value(name, kind, value)
        if not nodes:
            raise DrainUsageError(
                "USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples"
            )
        if len(nodes) > 1:
            raise DrainUsageError("podtui drains one node at a time")
        dry_run = values.get("dry-run", "none")
        if dry_run not in ("none", "client", "server"):
            raise DrainUsageError(
                f'Invalid dry-run value ({dry_run}). Must be "none", "server", or "client".'
            )
        return cls(
            node=nodes[0],
            force=values.get("force", False),
            ignore_daemonsets=values.get("ignore-daemonsets", False),
            delete_emptydir_data=values.get("delete-emptydir-data", False),
            grace_period=values.get("grace-period", -1),
            timeout=values.get("timeout", 0.0),
            disable_eviction=values.get("disable-eviction", False),
            pod_selector=values.get("pod-selector", ""),
            skip_wait_for_delete_timeout=values.get("skip-wait-for-delete-timeout", 0),
            dry_run=dry_run,
        )

    def to_args(self) -> list[str]:
        """The `kubectl drain` command line for these options (for the console's form)."""
        args = [self.node]
        for flag, on in (
            ("--force", self.force),
            ("--ignore-daemonsets", self.ignore_daemonsets),
            ("--delete-emptydir-data", self.delete_emptydir_data),
            ("--disable-eviction", self.disable_eviction),
        ):
            if on:
                args.append(flag)
        if self.grace_period >= 0:
            args.append(f"--grace-period={self.grace_period}")
        if self.timeout:
            args.append(f"--timeout={format_go_duration(self.timeout)}")
        if self.pod_selector:
            args.append(f"--pod-selector={self.pod_selector}")
        if self.skip_wait_for_delete_timeout:
            args.append(f"--skip-wait-for-delete-timeout={self.skip_wait_for_delete_timeout}")
        if self.dry_run != "none":
            args.append(f"--dry-run={self.dry_run}")
        return args

    def to_step(self) -> dict[str, Any]:
        """The scenario `drain:` mapping that replays these options (defaults left out)."""
        step: dict[str, Any] = {"node": self.node}
        if self.ignore_daemonsets:
            step["ignoreDaemonsets"] = True
        if self.delete_emptydir_data:
            step["deleteEmptydirData"] = True
        if self.force:
            step["force"] = True
        if self.timeout:
            step["timeout"] = f"{self.timeout:g}s"
        if self.grace_period >= 0:
            step["gracePeriod"] = self.grace_period
        if self.disable_eviction:
            step["disableEviction"] = True
        if self.pod_selector:
            step["podSelector"] = self.pod_selector
        if self.skip_wait_for_delete_timeout:
            step["skipWaitForDeleteTimeout"] = self.skip_wait_for_delete_timeout
        if self.dry_run != "none":
            step["dryRun"] = self.dry_run
        return step

    def filter_options(self) -> drain_filters.FilterOptions:
        return drain_filters.FilterOptions(
            force=self.force,
            ignore_daemonsets=self.ignore_daemonsets,
            delete_emptydir_data=self.delete_emptydir_data,
            skip_wait_for_delete_timeout=self.skip_wait_for_delete_timeout,
        )


@dataclass(frozen=True)
class DrainLine:
    """One line kubectl drain printed: when, on which stream, what."""

    at: float
    text: str
    stream: str = STDOUT


@dataclass
class PodProgress:
    """One pod's eviction, for the console's drain panel."""

    namespace: str
    name: str
    uid: str
    state: str = POD_EVICTING
    attempts: int = 0
    blocked_by: str | None = None
    """The budget that refused the last eviction (429), if any."""
    reason: str = ""
    """Why: the 429's cause (`The disruption budget web needs 2 healthy pods and has 2
    currently`) or the error that ended this pod's eviction."""
    since: float = 0.0
    error: str | None = None
    _timer: Timer | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def done(self) -> bool:
        return self.state in (POD_EVICTED, POD_DELETED, POD_GONE, POD_SKIPPED, POD_FAILED)

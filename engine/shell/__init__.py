"""The shell subset Kubernetes examples use, run against an in-memory filesystem in simulated time."""

from engine.shell.fs import Filesystem, FsError, Volume
from engine.shell.interpreter import (
    BUSYBOX,
    DEBIAN,
    BaseHost,
    ExecResult,
    Flavor,
    Shell,
    ToolResult,
    Wait,
    run_exec,
)
from engine.shell.parser import ShellSyntaxError, parse

__all__ = [
    "BUSYBOX",
    "DEBIAN",
    "BaseHost",
    "ExecResult",
    "Filesystem",
    "Flavor",
    "FsError",
    "Shell",
    "ShellSyntaxError",
    "ToolResult",
    "Volume",
    "Wait",
    "parse",
    "run_exec",
]

"""`:drain`, `:drains`, `:chaos` and `:record`.

`drain NODE [kubectl drain's flags]` starts the engine's drain and opens the drain panel;
`drains [NODE]` opens the panel on the newest drain (whoever started it); `chaos start|stop`
runs chaos mode; `record` says what the session journal holds and `record save FILE`
writes it as a scenario.
"""

from __future__ import annotations

from pathlib import Path

from engine.printers.duration import human_duration
from engine.result import ActionResult
from engine.timeutil import DurationError, parse_duration
from podtui.app.commandline.parsing import CommandError, Console, Parsed
from podtui.app.disruption import chaos, journal
from podtui.app.disruption.drains import DrainUsageError, drain_args, latest_drain, start_drain
from podtui.app.session import Session


def _open(console: Console, drain: object) -> None:
    opener = getattr(console, "open_drain", None)
    if opener is not None:
        opener(drain)


def drain(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--timeout=D]
    [--grace-period=N] [--disable-eviction] [--pod-selector=S] [--dry-run=client|server]
    [--skip-wait-for-delete-timeout=N]`."""
    args = [
        a.partition("/")[2] if a.startswith(("node/", "nodes/", "no/")) else a for a in parsed.args
    ]
    try:
        options = drain_args(args, parsed.flags)
    except DrainUsageError as err:
        raise CommandError(f"error: {err}") from err
    started, result = start_drain(session, options)
    _open(console, started)
    return result


def drains(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`drains [NODE]`: the drain panel on the newest drain (of NODE)."""
    node = None
    if parsed.args:
        node = parsed.args[0].partition("/")[2] or parsed.args[0]
    found = latest_drain(session, node)
    if found is None:
        where = f" of node/{node}" if node else ""
        return ActionResult(errors=[f"error: no drain{where} has been started"])
    _open(console, found)
    return ActionResult()


def chaos_verb(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`chaos [status] | chaos start [--interval=30s] [-l SELECTOR] [--seed=N] [-n NS | -A]
    | chaos stop`."""
    sub = parsed.args[0] if parsed.args else "status"
    if sub == "status":
        return chaos.status(session)
    if sub not in ("start", "stop"):
        raise CommandError(f'error: chaos start|stop|status (got "{sub}")')
    if session.readonly:
        return ActionResult(errors=['error: podtui is read-only (--readonly): "chaos" is disabled'])
    if sub == "stop":
        return chaos.stop(session)
    return chaos.start(session, chaos_settings(parsed, session, console))


def chaos_settings(parsed: Parsed, session: Session, console: Console) -> chaos.ChaosSettings:
    flags = parsed.flags
    interval = chaos.DEFAULT_INTERVAL
    raw = flags.get("--interval")
    if isinstance(raw, str):
        try:
            interval = parse_duration(raw)
        except DurationError as err:
            raise CommandError(f"error: --interval: {err}") from err
    seed = session.cluster.seed
    raw_seed = flags.get("--seed")
    if isinstance(raw_seed, str):
        try:
            seed = int(raw_seed)
        except ValueError as err:
            raise CommandError(f'error: invalid argument "{raw_seed}" for "--seed" flag') from err
    namespace: str | None = console.namespace or "default"
    if flags.get("-A"):
        namespace = None
    elif isinstance(flags.get("-n"), str):
        namespace = str(flags["-n"])
    selector = flags.get("-l")
    return chaos.ChaosSettings(
        interval, selector if isinstance(selector, str) else "", namespace, seed
    )


def record(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`record` (what is recorded so far) | `record save FILE [--overwrite]`."""
    book = journal.journal_of(session)
    sub = parsed.args[0] if parsed.args else "status"
    if sub == "status":
        lines = [
            f"recording since the start: {book.steps} step(s) at {human_duration(session.cluster.now)}"
            + (
                f", {len(book.unreplayable)} action(s) with no scenario step"
                if book.unreplayable
                else ""
            ),
            "record save FILE writes them as a scenario for podtui sim --scenario FILE",
        ]
        return ActionResult(lines=lines)
    if sub != "save":
        raise CommandError(f'error: record [status] | record save FILE (got "{sub}")')
    if len(parsed.args) < 2:
        raise CommandError("error: record save FILE: which file?")
    target = Path(parsed.args[1]).expanduser()
    if not target.is_absolute():
        target = Path.cwd() / target
    with session.lock:
        return book.save(target, overwrite=bool(parsed.flags.get("--overwrite")))

"""The `podtui` command: the console, and the headless `sim` and `validate` commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from engine.api.admission import ADMIN, UserInfo
from engine.timeutil import DurationError, parse_duration, parse_time
from engine.version import KUBERNETES_VERSION
from podtui import __version__
from podtui.bundled import sample_manifests

VERSION_LINE = f"podtui {__version__} (simulates Kubernetes {KUBERNETES_VERSION})"

if TYPE_CHECKING:
    from engine.sim import SimRun


class UsageError(Exception):
    """A mistake on the command line (exit status 1, kubectl style `error: ...`)."""


def _duration(value: str) -> float:
    try:
        return parse_duration(value)
    except DurationError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _start_time(value: str) -> datetime:
    try:
        return parse_time(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f'invalid --start-time "{value}": use RFC 3339, e.g. 2025-01-01T00:00:00Z'
        ) from err


def _user(args: argparse.Namespace) -> UserInfo:
    if not getattr(args, "as_user", None) and not getattr(args, "as_group", None):
        return ADMIN
    if not getattr(args, "as_user", None):
        # kubectl: impersonating groups needs a user to impersonate.
        raise UsageError("requesting uid, groups or user-extra for  without impersonating a user")
    name = args.as_user or ADMIN.name
    groups = (*tuple(args.as_group or ()), "system:authenticated")
    return UserInfo(name, groups)


def sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podtui sim", description="Play the cluster headless and print its final state."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="manifest files or folders (default: the bundled sample cluster)",
    )
    parser.add_argument(
        "--until",
        type=_duration,
        default=None,
        metavar="DURATION",
        help="simulated time to stop at (default 60s)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed for every random choice (default 0)"
    )
    parser.add_argument("--scenario", metavar="FILE", help="timed steps to run")
    parser.add_argument(
        "--save", metavar="FILE", help="write a checkpoint of the cluster at the end of the run"
    )
    parser.add_argument(
        "--load",
        metavar="FILE",
        help="resume a checkpoint (instead of PATHs) and run on to --until",
    )
    parser.add_argument(
        "-o", "--output", choices=["json", "yaml", "table", "wide"], default="table"
    )
    parser.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only these kinds (repeatable)"
    )
    parser.add_argument(
        "-n", "--namespace", default=None, help="namespace to show (tables default to `default`)"
    )
    parser.add_argument("-A", "--all-namespaces", action="store_true", help="every namespace")
    parser.add_argument("--start-time", type=_start_time, default=None, metavar="RFC3339")
    parser.add_argument(
        "--as", dest="as_user", default=None, metavar="USER", help="act as this user"
    )
    parser.add_argument(
        "--as-group", dest="as_group", action="append", default=None, metavar="GROUP"
    )
    return parser


def validate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podtui validate", description="Check manifests (and a scenario) without running them."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="manifest files or folders (default: the bundled sample cluster)",
    )
    parser.add_argument("--scenario", metavar="FILE")
    return parser


def tui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podtui",
        description="A terminal console over a simulated Kubernetes cluster. "
        "Subcommands: `podtui sim PATH...`, `podtui validate PATH...`, "
        "`podtui drill PATH...`, `podtui serve PATH...`, `podtui learn [LESSON]`, "
        "`podtui completion bash|zsh`. "
        "`podtui --kubeconfig FILE [--context NAME]` opens the console on the real cluster "
        "FILE names; `podtui --serve [--kubeconfig FILE] PATH...` serves the simulated "
        "cluster to kubectl and writes FILE.",
    )
    parser.add_argument("--version", action="version", version=VERSION_LINE)
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="manifest files or folders (default: the bundled sample cluster)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start-time", type=_start_time, default=None, metavar="RFC3339")
    parser.add_argument("--readonly", action="store_true", help="disable destructive keys")
    parser.add_argument("--as", dest="as_user", default=None, metavar="USER")
    parser.add_argument(
        "--as-group", dest="as_group", action="append", default=None, metavar="GROUP"
    )
    parser.add_argument("--keymap", default=None, metavar="FILE", help="key remapping file")
    parser.add_argument("--theme", default=None, help="a Textual theme name")
    parser.add_argument(
        "--load", default=None, metavar="FILE", help="open the console on a checkpoint"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="also serve the cluster to kubectl over the Kubernetes API (see `podtui serve`)",
    )
    from podtui.serve.options import add_serve_options

    add_serve_options(parser, console=True)
    parser.add_argument(
        "--context",
        default=None,
        metavar="NAME",
        help="with --kubeconfig FILE and without --serve: the context of the real cluster "
        "to open (an error with --serve, whose kubeconfig podtui writes)",
    )
    return parser


SIMULATOR_FLAGS = (
    ("PATH", "paths"),
    ("--seed", "seed"),
    ("--start-time", "start_time"),
    ("--load", "load"),
    ("--as", "as_user"),
    ("--as-group", "as_group"),
    ("--port", "port"),
)
"""What configures the simulated cluster (and its server): meaningless on a real cluster."""


def _check_kubeconfig_mode(args: argparse.Namespace) -> None:
    """`--kubeconfig FILE` writes FILE with --serve and opens a real cluster without it:
    refuse the flags that belong to the other meaning rather than ignore them."""
    if args.serve:
        if args.context is not None:
            raise UsageError(
                "--context cannot be used with --serve: with --serve, --kubeconfig names the "
                "kubeconfig podtui writes for kubectl (it has one context); to open a real "
                "cluster, use --kubeconfig FILE --context NAME without --serve"
            )
        return
    if args.kubeconfig is None:
        if args.context is not None:
            raise UsageError(
                "--context needs --kubeconfig FILE: the real cluster's kubeconfig to open"
            )
        if args.port is not None:
            raise UsageError(
                "--port needs --serve: it is the port the simulated cluster is served on"
            )
        return
    taken = [
        flag
        for flag, name in SIMULATOR_FLAGS
        if getattr(args, name, None) or (name == "port" and args.port is not None)
    ]
    if taken:
        raise UsageError(
            f"{', '.join(taken)} cannot be used with --kubeconfig without --serve: "
            f"--kubeconfig {args.kubeconfig} opens the real cluster it names, and "
            f"{'they configure' if len(taken) > 1 else 'it configures'} the simulated one "
            "(add --serve to serve the simulated cluster and write the kubeconfig instead)"
        )


def _paths_or_sample(paths: list[str]) -> list[str]:
    """PATH arguments, or the bundled sample cluster when there are none."""
    return paths or [str(sample_manifests())]


def _print_problems(problems: list) -> None:
    for problem in problems:
        print(str(problem), file=sys.stderr)


def run_validate(argv: list[str]) -> int:
    from engine.sim import load_inputs

    args = validate_parser().parse_args(argv)
    inputs = load_inputs(_paths_or_sample(args.paths), args.scenario)
    if inputs.problems:
        _print_problems(inputs.problems)
        return 1
    kinds: dict[str, int] = {}
    for manifest in inputs.manifests:
        kinds[manifest.kind] = kinds.get(manifest.kind, 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())) or "no objects"
    steps = f", scenario with {len(inputs.scenario.steps)} steps" if inputs.scenario else ""
    files = len(inputs.files)
    print(
        f"ok: {len(inputs.manifests)} objects in {files} file{'s' if files != 1 else ''} ({summary}){steps}"
    )
    return 0


def run_sim(argv: list[str]) -> int:
    from engine.api.kinds import all_kinds, resolve_resource
    from engine.checkpoint import CheckpointError, write_checkpoint
    from engine.output import as_list, filter_objects, render_tables, sort_objects, to_json, to_yaml
    from engine.sim import SimRun, load_inputs
    from engine.timeutil import DEFAULT_START

    args = sim_parser().parse_args(argv)
    kinds = []
    unknown = []
    for name in args.kind:
        for part in name.split(","):
            if part.strip().lower() == "all":
                # kubectl's `all` category: the kinds that list it (pods, services, workloads).
                kinds.extend(k for k in all_kinds() if "all" in k.categories)
                continue
            info = resolve_resource(part)
            if info is None:
                unknown.append(part)
            else:
                kinds.append(info)
    if unknown:
        for part in unknown:
            print(f'error: the server doesn\'t have a resource type "{part}"', file=sys.stderr)
        return 1

    def report(line: str) -> None:
        print(line, file=sys.stderr)

    if args.load is not None:
        run = resume_sim(args)
        if run is None:
            return 1
    else:
        inputs = load_inputs(_paths_or_sample(args.paths), args.scenario)
        if inputs.problems:
            _print_problems(inputs.problems)
            return 1
        run = SimRun.start(
            inputs,
            seed=args.seed or 0,
            start=args.start_time or DEFAULT_START,
            user=_user(args),
            report=report,
        )
    run.report = report
    # Resumed without --until: the checkpoint's own time (print the cluster as saved).
    default_until = run.cluster.now if args.load is not None else 60.0
    run.advance(default_until if args.until is None else args.until)
    cluster = run.cluster
    if args.save is not None:
        try:
            write_checkpoint(args.save, run.checkpoint())
        except CheckpointError as err:
            print(str(err), file=sys.stderr)
            return 1
    objects = sort_objects(cluster.objects())
    if args.output in ("json", "yaml"):
        chosen = filter_objects(
            objects,
            kinds=kinds or None,
            namespace=args.namespace,
            all_namespaces=args.namespace is None,
        )
        text = to_json(as_list(chosen)) if args.output == "json" else to_yaml(as_list(chosen))
        sys.stdout.write(text)
        return 0
    namespace = args.namespace or "default"
    chosen = filter_objects(
        objects, kinds=kinds or None, namespace=namespace, all_namespaces=args.all_namespaces
    )
    text = render_tables(
        chosen,
        cluster.now_datetime(),
        wide=args.output == "wide",
        all_namespaces=args.all_namespaces,
    )
    if not text:
        # kubectl get: "No resources found in NS namespace." when every kind asked for is
        # namespaced and -A is not given, else "No resources found".
        namespaced = not args.all_namespaces and all(k.namespaced for k in kinds or [])
        if namespaced and kinds:
            print(f"No resources found in {namespace} namespace.", file=sys.stderr)
        else:
            print("No resources found", file=sys.stderr)
        return 0
    sys.stdout.write(text)
    return 0


def _refuse_with_load(args: argparse.Namespace, *, seed: bool) -> None:
    """What a checkpoint holds cannot also be given on the command line."""
    taken = [
        flag
        for flag, value in (
            ("PATH", args.paths),
            ("--scenario", getattr(args, "scenario", None)),
            ("--seed", seed),
            ("--start-time", args.start_time),
            ("--as", args.as_user),
            ("--as-group", args.as_group),
        )
        if value
    ]
    if taken:
        raise UsageError(
            f"{', '.join(taken)} cannot be used with --load: the checkpoint holds its manifests, "
            "scenario, seed, start time and user"
        )


def resume_sim(args: argparse.Namespace) -> SimRun | None:
    """`podtui sim --load FILE`: the checkpoint's run, replayed to where it stopped (None
    after printing why it cannot be)."""
    from engine.checkpoint import CheckpointError, read_checkpoint
    from engine.sim import SimRun

    _refuse_with_load(args, seed=args.seed is not None)
    try:
        checkpoint = read_checkpoint(args.load)
        if args.until is not None and args.until < checkpoint.at:
            raise UsageError(
                f"--until {args.until:g}s is before the checkpoint's time "
                f"({checkpoint.at:g}s): a resumed cluster cannot go back"
            )
        return SimRun.resume(args.load, checkpoint)
    except CheckpointError as err:
        print(str(err), file=sys.stderr)
        return None


def _keymap_or_exit(path: str | None) -> dict[str, str] | None:
    if not path:
        return None
    from podtui.app.app import PodtuiApp
    from podtui.app.keymap import KeymapError, load_keymap

    try:
        return load_keymap(path, PodtuiApp.binding_ids())
    except KeymapError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from err


def run_tui(argv: list[str]) -> int:
    args = tui_parser().parse_args(argv)
    _check_kubeconfig_mode(args)
    if args.load is not None:
        _refuse_with_load(args, seed=args.seed != 0)
    if args.kubeconfig and not args.serve:
        # A real cluster: the console over the kube backend (podtui/backends).
        from podtui.app.remote import run_remote

        return run_remote(
            args.kubeconfig,
            args.context,
            readonly=args.readonly,
            keymap=_keymap_or_exit(args.keymap),
            theme=args.theme,
        )
    paths = _paths_or_sample(args.paths)
    serve = None
    start = args.start_time
    if args.serve:
        from podtui.serve.options import kubeconfig_path, now

        serve = (args.port or 0, kubeconfig_path(args.kubeconfig))
        # kubectl's ages and timeouts are wall-clock: the served clock starts now.
        start = start or now()
    try:
        from podtui.app import run_app
    except ImportError:
        print(
            "error: the console is not available in this build; use `podtui sim`", file=sys.stderr
        )
        return 1
    return run_app(
        paths,
        seed=args.seed,
        start=start,
        readonly=args.readonly,
        user=_user(args),
        keymap=args.keymap,
        theme=args.theme,
        load=args.load,
        serve=serve,
    )


def drill_parser() -> argparse.ArgumentParser:
    from engine.drill.runner import DRILLS

    parser = argparse.ArgumentParser(
        prog="podtui drill",
        description="Rehearse disruptions (drains, rollouts, node failures, pod kills, the loss "
        "of a node) on a fresh simulated copy of the cluster and report what broke.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="manifest files or folders (default: the bundled sample cluster)",
    )
    parser.add_argument(
        "--drill",
        action="append",
        choices=DRILLS,
        default=None,
        metavar="NAME",
        help=f"a drill to run (repeatable; default all: {', '.join(DRILLS)})",
    )
    parser.add_argument(
        "--nodes", type=_positive_int, default=None, metavar="N", help="default nodes (3)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", choices=["table", "json", "junit"], default="table")
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning"],
        default="error",
        help="exit 1 on any finding of this severity or worse (default error)",
    )
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f'invalid value "{value}": not a number') from err
    if not 1 <= number <= 1000:
        raise argparse.ArgumentTypeError(f"invalid value {number}: must be between 1 and 1000")
    return number


def run_drill(argv: list[str]) -> int:
    from engine.drill import report
    from engine.drill.runner import run_drills
    from engine.sim import load_inputs

    args = drill_parser().parse_args(argv)
    inputs = load_inputs(_paths_or_sample(args.paths))
    if inputs.problems:
        _print_problems(inputs.problems)
        return 1
    names = list(dict.fromkeys(args.drill)) if args.drill else None
    results = run_drills(inputs, names, nodes=args.nodes, seed=args.seed)
    if args.output == "json":
        sys.stdout.write(report.render_json(results))
    elif args.output == "junit":
        sys.stdout.write(report.render_junit(results, args.fail_on))
    else:
        sys.stdout.write(report.render_table(results))
    return 1 if report.failed(results, args.fail_on) else 0


def run_completion(argv: list[str]) -> int:
    from podtui.completion import completion_parser, completion_script

    args = completion_parser().parse_args(argv)
    sys.stdout.write(completion_script(args.shell))
    return 0


# `podtui NAME ...` runs SUBCOMMANDS[NAME]; anything else opens the console.
SUBCOMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Callable[[list[str]], int]]] = {
    "sim": (sim_parser, run_sim),
    "validate": (validate_parser, run_validate),
    "drill": (drill_parser, run_drill),
    "completion": (lambda: _completion_parser(), run_completion),
    "serve": (lambda: _serve_parser(), lambda argv: _run_serve(argv)),
    "learn": (lambda: _learn_parser(), lambda argv: _run_learn(argv)),
}


def _learn_parser() -> argparse.ArgumentParser:
    from podtui.learn.command import learn_parser

    return learn_parser()


def _run_learn(argv: list[str]) -> int:
    from podtui.learn.command import run_learn

    return run_learn(argv)


def _serve_parser() -> argparse.ArgumentParser:
    from podtui.serve.command import serve_parser

    return serve_parser()


def _run_serve(argv: list[str]) -> int:
    from podtui.serve.command import run_serve

    return run_serve(argv)


def _completion_parser() -> argparse.ArgumentParser:
    from podtui.completion import completion_parser

    return completion_parser()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            _, run = SUBCOMMANDS[argv[0]]
            return run(argv[1:])
        return run_tui(argv)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

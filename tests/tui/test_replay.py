"""The console plays what `podtui sim` plays, and a recorded session replays through it.

Each test builds the console exactly as `podtui PATH...` does (`run_app`, with its hot
reloader), on the bundled sample cluster, and compares the live objects with what
`podtui sim` prints for the same manifests and seed: byte for byte, as `-o json`.
"""

from __future__ import annotations

import io
import shlex
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from engine.cluster import Cluster
from engine.output import as_list, sort_objects, to_json
from engine.sim import load_inputs, simulate
from podtui.app import run_app
from podtui.app.app import PodtuiApp
from podtui.app.disruption.drain_screen import DrainScreen
from podtui.app.widgets.command_line import CommandLine
from podtui.bundled import sample_manifests
from podtui.cli import main
from tests.tui.conftest import TERMINAL
from tests.tui.conftest import until as wait_until

SAMPLE_MANIFESTS = sample_manifests()
TIMEOUT = 60.0
"""How long to wait for the running clock to reach a simulated time (CI machines stall)."""


def console(paths: list[Path], monkeypatch: pytest.MonkeyPatch, *args: str) -> PodtuiApp:
    """The app `podtui PATH...` builds (run_app), ready for `run_test` instead of `run`."""
    built: list[PodtuiApp] = []
    monkeypatch.setattr(PodtuiApp, "run", lambda self, *a, **k: built.append(self))
    assert run_app([str(p) for p in paths]) == 0
    return built[0]


def as_json(cluster: Cluster) -> str:
    """Every object as `podtui sim -o json` prints them."""
    return to_json(as_list(sort_objects(cluster.objects())))


async def until(pilot, condition: Callable[[], object], timeout: float = TIMEOUT) -> None:
    """Let the app run (Pilot's pause) until `condition` holds: what runs on its own thread
    (the hot reloader's first scan)."""
    await wait_until(pilot, condition, timeout=timeout)


async def command(pilot, line: str) -> None:
    """Open the `:` line, enter LINE (as a paste would) and run it."""
    await pilot.press(":")
    pilot.app.screen.query_one(CommandLine).value = line
    await pilot.press("enter")
    await pilot.pause()


def sim_json(argv: list[str]) -> str:
    """`podtui sim ARGS -o json`'s stdout."""
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert main(["sim", *argv, "-o", "json"]) == 0
    return out.getvalue()


class TestTheConsolePlaysWhatSimPlays:
    async def test_the_sample_cluster_is_the_same_tick_for_tick(self, monkeypatch) -> None:
        """The console once named the checkout pods differently from `podtui sim` from t=0:
        its hot reloader sent the objects the security policies refused at start to the
        API server again, and admission drew a volume name from the seeded generator."""
        app = console([SAMPLE_MANIFESTS], monkeypatch)
        inputs = load_inputs([str(SAMPLE_MANIFESTS)])
        async with app.run_test(size=TERMINAL) as pilot:
            await command(pilot, "pause")
            assert app.hot_reload is not None
            await until(pilot, app.hot_reload.reloader.ready.is_set)
            # the refusals at start still stand, though nothing was sent again
            refused = {p.file for p in app.hot_reload.reloader.problems}
            assert any(f.endswith("refused/privileged.yaml") for f in refused), refused
            live = app.session.cluster
            reference = simulate(inputs, until=live.now)
            assert as_json(live) == as_json(reference)
            for ticks in (1, 4, 25, 60):
                await command(pilot, f"step {ticks}")
                reference.run_until(live.now)
                assert as_json(live) == as_json(reference), f"diverged by {live.now:g}s"

            def checkout(cluster: Cluster) -> list[str]:
                return sorted(
                    p["metadata"]["name"]
                    for p in cluster.store.list("Pod", "default")
                    if p["metadata"]["name"].startswith("checkout-")
                )

            assert len(checkout(live)) == 3 and checkout(live) == checkout(reference)


CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""
EXTRA_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: extra
  labels: {app: extra}
spec:
  containers:
  - name: app
    image: nginx:1.27
"""


class TestARecordedSessionReplays:
    async def test_a_session_with_chaos_a_drain_and_commands_replays_byte_for_byte(
        self, tmp_path: Path, monkeypatch
    ) -> None:
        """The whole sample cluster on the simulated clock: chaos kills, `create -f`,
        `apply -f`, `scale`, `set image`, `delete`, `cordon`, `inject`, a drain; then
        `:record save` and `podtui sim` with the saved file's replay line.

        The clock is paused and moved with `:step` (one-second ticks, as the running clock
        takes them) so that each command runs at a known simulated time: the session is
        the same on every run, and takes no wall-clock time."""
        extra = tmp_path / "extra"
        extra.mkdir()
        (extra / "settings.yaml").write_text(CONFIG_MAP)
        (extra / "pod.yaml").write_text(EXTRA_POD)
        (extra / "settings-v2.yaml").write_text(CONFIG_MAP.replace("fast", "slow"))
        app = console([SAMPLE_MANIFESTS], monkeypatch)
        # Paused from the first frame, as `PodtuiApp(paused=True)`: a running clock would
        # tick on the wall clock until the first `:pause`, as long as the start takes.
        app.set_reactive(PodtuiApp.paused, True)
        async with app.run_test(size=TERMINAL) as pilot:
            assert app.paused and app.session.cluster.now == 0
            assert app.hot_reload is not None
            await until(pilot, app.hot_reload.reloader.ready.is_set)
            cluster = app.session.cluster

            async def at(seconds: float) -> None:
                await command(pilot, f"step {int(seconds - cluster.now)}")
                assert cluster.now == seconds

            await at(5)
            await command(pilot, "chaos start --interval=15s -l app=frontend --seed=3")
            await at(12)
            await command(pilot, f"create -f {extra / 'settings.yaml'}")
            await command(pilot, f"create -f {extra / 'pod.yaml'}")
            await command(pilot, "scale deployment/frontend --replicas=4")
            await at(20)
            await command(
                pilot,
                "drain node-2 --ignore-daemonsets --delete-emptydir-data --force --timeout=90s",
            )
            assert isinstance(app.screen, DrainScreen)
            await pilot.press("escape")
            await pilot.pause()
            await at(28)
            await command(pilot, "inject oom -l app=frontend")
            await at(35)
            await command(pilot, f"apply -f {extra / 'settings-v2.yaml'}")
            await command(pilot, "set image deployment/frontend nginx=nginx:1.27")
            await at(50)
            await command(pilot, "delete pod/web")
            await command(pilot, "cordon node-3")
            await at(80)
            await command(pilot, "chaos stop")
            await command(pilot, "pause")
            await pilot.pause()
            scenario = tmp_path / "replay" / "session.yaml"
            await command(pilot, f"record save {scenario}")
            text = scenario.read_text()
            live_json = as_json(cluster)
            until_s = cluster.now
            # every command ran (a drain held up by the checkout budget is not an error)
            errors = [line for line in app.transcript if line.startswith("error:")]
        assert "# Not replayed" not in text
        steps = yaml.safe_load(text)
        actions = [next(k for k in step if k != "at") for step in steps]
        assert actions.count("create") == 2 and "apply" in actions and "drain" in actions
        assert any(s.get("inject", {}).get("fault") == "podKill" for s in steps), text
        assert not errors, errors
        replay = shlex.split(text.splitlines()[1].removeprefix("# Replay: podtui sim "))
        replay[replay.index("THIS_FILE")] = str(scenario)
        assert sim_json([*replay, "--until", f"{until_s:g}s"]) == live_json

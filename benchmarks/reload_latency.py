"""Hot-reload latency: from saving a manifest to the engine having applied it, and to the
reload log pane showing it.

A folder of 200 manifest files holding 2,000 objects (each file: a Pod, a ServiceAccount,
a Secret and seven ConfigMaps) is loaded into a cluster that keeps ticking, as the console
does; then one file is edited again and again (a ConfigMap's data changes: `configured`)
and each save is timed with the real watcher and a headless Textual app showing the
reload panel. Not a test: run `python benchmarks/reload_latency.py [--saves N]`; the last
line printed is one JSON object.

- save_to_applied_ms: from the file write to `engine.apply.apply` having returned;
- save_to_screen_ms: from the file write to the screen refresh after the pane showed it.
Target: save_to_screen_ms_p50 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from textual.app import App, ComposeResult

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.cluster import Cluster
from podtui.reload import Reloader, ReloadResult
from podtui.reload.widgets import ReloadPanel

FILES = 200
CONFIG_MAPS_PER_FILE = 7


def file_objects(index: int, generation: int = 0) -> list[dict]:
    name = f"app-{index:03d}"
    objects: list[dict] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{name}-token"},
            "stringData": {"token": f"secret-{index}"},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {
                "serviceAccountName": name,
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                    }
                ],
            },
        },
    ]
    for n in range(CONFIG_MAPS_PER_FILE):
        data = {"key": f"value-{n}", "generation": str(generation if n == 0 else 0)}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{name}-config-{n}"},
                "data": data,
            }
        )
    return objects


def write_file(path: Path, objects: list[dict]) -> None:
    path.write_text("---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objects))


class TimedPanel(ReloadPanel):
    """The reload panel, noting when the screen has been refreshed after each reload."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[ReloadResult, float]] = []

    def show_result(self, result: ReloadResult) -> None:
        super().show_result(result)
        self.call_after_refresh(lambda: self.shown.append((result, time.perf_counter())))


class Host(App):
    def __init__(self, cluster: Cluster, folder: Path) -> None:
        super().__init__()
        self.cluster = cluster
        self.reloader = Reloader(cluster, [folder])

    def compose(self) -> ComposeResult:
        yield TimedPanel()

    def on_mount(self) -> None:
        self.query_one(TimedPanel).start(self.reloader)
        self.set_interval(1.0, self.cluster.tick)  # the console's clock at 1x


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(saves: int, pause: float) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="podtui-reload-bench-")) / "manifests"
    folder.mkdir()
    for index in range(FILES):
        write_file(folder / f"app-{index:03d}.yaml", file_objects(index))
    cluster = Cluster(seed=0)
    cluster.boot()
    app = Host(cluster, folder)
    applied: list[float] = []
    screen: list[float] = []
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(TimedPanel)
        while not app.reloader.ready.is_set() or not panel.shown:
            await asyncio.sleep(0.01)
        initial_ms = (time.perf_counter() - started) * 1000
        objects = len(app.reloader.folders.inventory)
        target = folder / "app-100.yaml"
        for generation in range(1, saves + 1):
            count = len(panel.shown)
            written = time.perf_counter()
            write_file(target, file_objects(100, generation))
            while len(panel.shown) == count:
                await asyncio.sleep(0.001)
            result, shown_at = panel.shown[-1]
            assert result.entry.lines[3] == "configmap/app-100-config-0 configured", (
                result.entry.lines
            )
            applied.append((result.applied_at - written) * 1000)
            screen.append((shown_at - written) * 1000)
            await pilot.pause(pause)
        app.reloader.stop()
    return {
        "files": FILES,
        "objects": objects,
        "saves": saves,
        "initial_load_ms": round(initial_ms, 1),
        "save_to_applied_ms_p50": round(statistics.median(applied), 1),
        "save_to_applied_ms_p95": round(percentile(applied, 0.95), 1),
        "save_to_screen_ms_p50": round(statistics.median(screen), 1),
        "save_to_screen_ms_p95": round(percentile(screen, 0.95), 1),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.15, help="seconds between saves")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.saves, args.pause))))


if __name__ == "__main__":
    main()

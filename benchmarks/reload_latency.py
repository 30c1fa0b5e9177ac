"""Hot-reload latency in the real console: from saving a manifest to the engine having
applied it, and to the console's pane showing it.

A folder of 200 manifest files holding 2,000 objects (each file: a Pod, a ServiceAccount,
a Secret and seven ConfigMaps) is opened as `podtui FOLDER` opens it (read, load, apply at
start; the reloader adopts those objects), headless, with the clock running at x1. The
ConfigMaps pane is shown; then one file is edited again and again (a ConfigMap gains a data
key: `configured`, and its DATA column counts up) and each save is timed with the real
watcher. Not a test: run `python benchmarks/reload_latency.py [--saves N]`; the last line
printed is one JSON object.

- initial_load_ms: from the app's start to the first load shown (the adoption);
- save_to_applied_ms: from the file write to `engine.apply.apply` having returned;
- save_to_screen_ms: from the file write to the end of the first frame composed after the
  ConfigMaps pane's row shows the new DATA count.
Target: save_to_screen_ms_p50 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import machine  # benchmarks/machine.py, beside this script

from engine.sim import load_inputs
from podtui.app.app import PodtuiApp
from podtui.app.session import Session
from podtui.reload import Reloader, ReloadResult, read_texts

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
        data = {"key": f"value-{n}"}
        if n == 0:  # each save adds a key: the pane's DATA column shows generation + 1
            data.update({f"g{g}": str(g) for g in range(1, generation + 1)})
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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(saves: int, pause: float, adopt: bool = True) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="podtui-reload-bench-")) / "manifests"
    folder.mkdir()
    for index in range(FILES):
        write_file(folder / f"app-{index:03d}.yaml", file_objects(index))
    paths = [str(folder)]
    started = time.perf_counter()
    # What run_app does before the console opens.
    texts = read_texts(paths)
    inputs = load_inputs(paths)
    session, _ = Session.boot(inputs.manifests, seed=0, base_dir=folder)
    reloader = Reloader(session.cluster, paths, lock=session.lock)
    if adopt:
        reloader.adopt(inputs.manifests, texts)
    boot_ms = (time.perf_counter() - started) * 1000
    app = PodtuiApp(session, reloader=reloader)  # the clock runs at x1
    hot_reload = app.hot_reload
    assert hot_reload is not None
    shown: list[tuple[ReloadResult, float]] = []
    show = hot_reload.show

    def timed_show(result: ReloadResult) -> None:
        show(result)
        app.call_after_refresh(lambda: shown.append((result, time.perf_counter())))

    hot_reload.show = timed_show  # type: ignore[method-assign]
    applied: list[float] = []
    screen: list[float] = []
    key = "default/app-100-config-0"
    async with app.run_test(size=(160, 50)) as pilot:
        mounted = time.perf_counter()
        while not reloader.ready.is_set() or not shown:
            await asyncio.sleep(0.005)
        initial_ms = (shown[0][1] - mounted) * 1000
        objects = len(reloader.folders.inventory)
        adopted = shown[0][0].entry.adopted
        main = app.main_screen
        main.show_kind("ConfigMap")
        main.table.move_cursor_to_key(key)
        await pilot.pause()
        target = folder / "app-100.yaml"
        for generation in range(1, saves + 1):
            count = len(shown)
            written = time.perf_counter()
            write_file(target, file_objects(100, generation))
            while len(shown) == count:
                await asyncio.sleep(0.001)
            result, shown_at = shown[-1]
            assert "configmap/app-100-config-0 configured" in result.entry.lines, result.entry
            row = main.table.get_row(key)
            assert row is not None and row.cells[1] == str(generation + 1), row
            applied.append((result.applied_at - written) * 1000)
            screen.append((shown_at - written) * 1000)
            await pilot.pause(pause)
        reloader.stop()
    return {
        "files": FILES,
        "objects": objects,
        "adopted": adopted,
        "saves": saves,
        "boot_ms": round(boot_ms, 1),
        "initial_load_ms": round(initial_ms, 1),
        "save_to_applied_ms_p50": round(statistics.median(applied), 1),
        "save_to_applied_ms_p95": round(percentile(applied, 0.95), 1),
        "save_to_screen_ms_p50": round(statistics.median(screen), 1),
        "save_to_screen_ms_p95": round(percentile(screen, 0.95), 1),
        **machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.15, help="seconds between saves")
    parser.add_argument(
        "--no-adopt",
        action="store_true",
        help="apply every file again at the first load instead of adopting (for comparison)",
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.saves, args.pause, adopt=not args.no_adopt))))


if __name__ == "__main__":
    main()

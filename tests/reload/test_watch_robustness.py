"""The reloader with the real watcher (issue 10, items 2 and 3): in-place saves as fast as a
shell loop writes them never prune, a file that stays empty prunes once the injected clock
passes the quiet period, and a watched folder deleted and created again is watched again."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from engine.cluster import Cluster
from podtui.reload import Reloader, ReloadResult
from podtui.reload.settle import SETTLE_SECONDS
from tests.reload.conftest import FakeClock, config_map, until, write

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
        },
    },
}


def pod_uids(cluster: Cluster) -> set[str]:
    return {p["metadata"]["uid"] for p in cluster.store.list("Pod", "default")}


def lines(results: list[ReloadResult]) -> list[str]:
    return [line for r in results for line in r.entry.lines]


@pytest.fixture
async def watching(cluster: Cluster, folder: Path, clock: FakeClock):
    """A reloader on `manifests/` (settings.yaml: ConfigMap settings and Deployment web, its
    pods running), on the fake clock, with its results collected."""
    write(folder / "settings.yaml", config_map("settings", x="1"), DEPLOYMENT)
    reloader = Reloader(cluster, [folder], clock=clock.time, sleep=clock.sleep, check_ms=50)
    results: list[ReloadResult] = []
    task = asyncio.ensure_future(reloader.run(results.append))
    await until(reloader.ready.is_set)
    cluster.run_until(cluster.now + 10)
    assert len(pod_uids(cluster)) == 2
    try:
        yield reloader, results
    finally:
        reloader.stop()
        await asyncio.wait_for(task, 10)


class TestInPlaceSaves:
    async def test_a_hundred_truncate_and_rewrite_saves_prune_and_create_nothing(
        self, watching, cluster: Cluster, folder: Path
    ) -> None:
        reloader, results = watching
        path = folder / "settings.yaml"
        text = path.read_text()
        pods, settings = pod_uids(cluster), cluster.store.get("ConfigMap", "default", "settings")
        first = len(results)
        for save in range(100):
            with path.open("w") as f:  # `: > f; cat good > f`
                f.flush()
                if save % 10 == 0:
                    # make sure the reloader reads the file while it is empty
                    await until(lambda: reloader.folders.settling.holds("manifests/settings.yaml"))
                f.write(text)
            await asyncio.sleep(0)
        await until(lambda: not reloader.folders.settling.names())
        assert [r.entry.errors for r in results[first:] if r.entry.errors] == []
        assert not [line for line in lines(results[first:]) if not line.endswith("unchanged")]
        assert pod_uids(cluster) == pods
        assert cluster.store.get("ConfigMap", "default", "settings") == settings

    async def test_a_file_that_stays_empty_prunes_once_the_quiet_period_passed(
        self, watching, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        reloader, results = watching
        (folder / "settings.yaml").write_text("")
        await until(lambda: reloader.folders.settling.holds("manifests/settings.yaml"))
        assert cluster.store.get("ConfigMap", "default", "settings") is not None
        clock.advance(SETTLE_SECONDS)
        await until(lambda: "configmap/settings pruned" in lines(results))
        assert set(lines(results)[-2:]) == {
            "deployment.apps/web pruned",
            "configmap/settings pruned",
        }


class TestTheWatchedFolder:
    async def test_deleted_and_created_again_it_is_watched_again(
        self, watching, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        reloader, results = watching
        pods = pod_uids(cluster)
        shutil.rmtree(folder)
        await until(lambda: reloader.folders.settling.deadline() is not None)
        clock.advance(SETTLE_SECONDS)  # it stays missing: now it is said
        await until(lambda: any("folder not found" in str(p) for p in reloader.problems))
        assert [str(p) for p in results[-1].problems] == [
            "manifests/: folder not found; its 2 objects are kept, and it is applied again "
            "when it comes back"
        ]
        assert pod_uids(cluster) == pods
        folder.mkdir()
        write(folder / "settings.yaml", config_map("settings", x="1"), DEPLOYMENT)
        write(folder / "later.yaml", config_map("later"))
        await until(lambda: cluster.store.get("ConfigMap", "default", "later") is not None)
        await until(lambda: not reloader.problems)
        assert "manifests/ is back, watched again" in lines(results)
        assert pod_uids(cluster) == pods  # the same objects: nothing recreated
        write(folder / "after.yaml", config_map("after"))  # and the watcher still runs
        await until(lambda: cluster.store.get("ConfigMap", "default", "after") is not None)
        assert reloader.watcher.restarts >= 1

    async def test_replaced_at_once_the_new_folder_is_watched(
        self, watching, cluster: Cluster, folder: Path
    ) -> None:
        staged = folder.parent / "staged"
        staged.mkdir()
        write(staged / "settings.yaml", config_map("settings", x="2"), DEPLOYMENT)
        shutil.rmtree(folder)
        staged.rename(folder)  # `rm -rf out && mv tmp out`, as generators do
        await until(
            lambda: cluster.store.get("ConfigMap", "default", "settings")["data"] == {"x": "2"}
        )
        write(folder / "later.yaml", config_map("later"))
        await until(lambda: cluster.store.get("ConfigMap", "default", "later") is not None)

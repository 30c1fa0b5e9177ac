"""The console's first load adopts what it applied at start: nothing is applied twice, and
only files that are no longer what was applied are read and applied again."""

from __future__ import annotations

from pathlib import Path

from engine.apply import apply
from engine.cluster import Cluster
from engine.manifests.loader import load_paths
from engine.manifests.yamldoc import Problem
from engine.security import psp_active
from engine.steps import apply_manifests
from podtui.reload import Reloader, read_texts
from podtui.reload.settle import SETTLE_SECONDS
from podtui.reload.state import ManifestFolders
from tests.reload.conftest import FakeClock, config_map, pod, write

PRIVILEGED = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "privileged"},
    "spec": {
        "containers": [
            {"name": "app", "image": "busybox:1.36", "securityContext": {"privileged": True}}
        ]
    },
}
STRICT_PSP = {
    "apiVersion": "policy/v1beta1",
    "kind": "PodSecurityPolicy",
    "metadata": {"name": "strict"},
    "spec": {
        "privileged": False,
        "seLinux": {"rule": "RunAsAny"},
        "runAsUser": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "volumes": ["*"],
    },
}


def boot(cluster: Cluster, folder: Path) -> tuple[list, dict[str, str]]:
    """What `podtui PATH` does before the console opens: read, load and apply every file."""
    texts = read_texts([folder])
    loaded = load_paths([str(folder)])
    assert loaded.ok, loaded.problems
    apply_manifests(cluster, loaded.manifests)
    return loaded.manifests, texts


def versions(cluster: Cluster) -> dict[str, str]:
    return {
        o["metadata"]["name"]: o["metadata"]["resourceVersion"]
        for o in cluster.store.list("ConfigMap", "default")
    }


class TestAdoption:
    def test_files_still_as_applied_are_adopted_without_a_write(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        write(folder / "sub" / "b.yaml", config_map("b"), pod("web"))
        manifests, texts = boot(cluster, folder)
        before = versions(cluster)
        # no quiet period: the save below is taken at its word at once
        folders = ManifestFolders([folder], settle_seconds=0)
        entry = folders.adopt(cluster, manifests, texts)
        assert versions(cluster) == before
        assert entry.initial and entry.adopted == 3 and entry.lines == () and entry.ok
        assert entry.summary() == ["3 objects applied at start, now watched"]
        assert folders.inventory.owner(("Pod", "default", "web")) == "manifests/sub/b.yaml"
        # and the next save prunes as if the folder had been applied with an inventory
        path = write(folder / "sub" / "b.yaml", config_map("b"))
        later = folders.reload(cluster, {path.absolute()})
        assert later is not None and "pod/web pruned" in later.lines

    def test_a_file_saved_after_it_was_read_is_applied(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        manifests, texts = boot(cluster, folder)
        write(folder / "a.yaml", config_map("a", x="2"))
        entry = ManifestFolders([folder]).adopt(cluster, manifests, texts)
        assert entry.lines == ("configmap/a configured",)
        assert cluster.store.get("ConfigMap", "default", "a")["data"] == {"x": "2"}

    def test_files_added_and_removed_after_the_start_are_applied_and_pruned(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        write(folder / "a.yaml", config_map("a"))
        write(folder / "gone.yaml", config_map("gone"))
        manifests, texts = boot(cluster, folder)
        (folder / "gone.yaml").unlink()
        write(folder / "new.yaml", config_map("new"))
        folders = ManifestFolders([folder], clock=clock.time)
        entry = folders.adopt(cluster, manifests, texts)
        assert entry.lines == ("configmap/new created",)
        assert entry.adopted == 2  # both were applied at start
        # a file that is gone prunes once it stayed gone for the quiet period
        clock.advance(SETTLE_SECONDS)
        later = folders.reload(cluster, folders.settling.due())
        assert later is not None and later.lines == ("configmap/gone pruned",)

    def test_an_object_refused_at_start_is_tried_again_and_its_refusal_stands(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "00-policy.yaml", STRICT_PSP)
        write(folder / "pods.yaml", PRIVILEGED, config_map("settings"))
        manifests, texts = boot(cluster, folder)
        assert psp_active(cluster) and cluster.store.get("Pod", "default", "privileged") is None
        folders = ManifestFolders([folder])
        entry = folders.adopt(cluster, manifests, texts)
        (problem,) = folders.problems()
        assert (problem.file, problem.line) == ("manifests/pods.yaml", 1)
        assert "Privileged containers are not allowed" in problem.message
        assert entry.errors == (str(problem),)
        assert entry.lines == ("configmap/settings unchanged",)
        assert entry.adopted == 1  # the policy; the refused file's objects were applied again

    def test_a_refusal_at_start_is_adopted_without_sending_the_object_again(
        self, cluster: Cluster, folder: Path
    ) -> None:
        """What the console does (Session.boot keeps the refusals): sending the pod again
        would run admission again, and the ServiceAccount plugin draws its volume name from
        the seeded generator, so the console would name every later pod differently from
        `podtui sim`."""
        write(folder / "00-policy.yaml", STRICT_PSP)
        write(folder / "pods.yaml", PRIVILEGED, config_map("settings"))
        texts = read_texts([folder])
        loaded = load_paths([str(folder)])
        report = apply(cluster, loaded.manifests)
        refused = [
            Problem(o.source, o.line_number, o.error_line()) for o in report.outcomes if not o.ok
        ]
        random_state, version = cluster.rng.getstate(), cluster.store.resource_version
        folders = ManifestFolders([folder])
        entry = folders.adopt(cluster, loaded.manifests, texts, refused=refused)
        assert cluster.rng.getstate() == random_state
        assert cluster.store.resource_version == version
        (problem,) = folders.problems()
        assert (problem.file, problem.line) == ("manifests/pods.yaml", 1)
        assert "Privileged containers are not allowed" in problem.message
        assert entry.errors == (str(problem),) and entry.lines == ()
        assert entry.adopted == 2  # the policy and the config map

    def test_an_object_changed_since_it_was_applied_is_applied_again(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        manifests, texts = boot(cluster, folder)
        cluster.api.delete("ConfigMap", "default", "a")
        entry = ManifestFolders([folder]).adopt(cluster, manifests, texts)
        assert entry.lines == ("configmap/a created",) and entry.adopted == 0


class TestTheReloader:
    def test_the_first_load_adopts_and_later_loads_reload(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        manifests, texts = boot(cluster, folder)
        reloader = Reloader(cluster, [folder])
        reloader.adopt(manifests, texts)
        first = reloader.reload()
        assert first is not None and first.entry.adopted == 1
        again = reloader.reload()
        assert again is None  # every file is as it was: nothing to say

"""A reload never raises, and an in-place save never prunes (issue 10, items 1 and 2), on the
reload model without the watcher: whatever loading, applying or reloading raises ends as a
`FILE:LINE` error of its file with its last good objects kept; a file that would lose
objects is held until it stayed the same for the quiet period, on an injected clock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.cluster import Cluster
from podtui.reload import guard
from podtui.reload.settle import SETTLE_SECONDS
from podtui.reload.state import ManifestFolders
from tests.reload.conftest import FakeClock, config_map, write

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n"

HOSTILE = {
    # The inputs that made the console exit with a traceback (issue 10, item 1).
    "nul": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "x\x00y"}\n',
    "bell": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "x\x07y"}\n',
    "nesting": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "
    + "[" * 500
    + "]" * 500
    + "}\n",
    "block nesting": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
    + "".join("  " * (depth + 2) + "k:\n" for depth in range(600)),
    "null label key": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n"
    "    ~: x\n",
    "nan quantity": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "  - {name: app, image: nginx, resources: {requests: {cpu: .nan}}}\n",
    "inf quantity": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "  - {name: app, image: nginx, resources: {limits: {memory: .inf}}}\n",
    "utf-16 without a BOM": GOOD.encode("utf-16-le").decode("latin-1"),
}


def uid(cluster: Cluster, kind: str, name: str) -> str | None:
    obj = cluster.store.get(kind, "default", name)
    return None if obj is None else obj["metadata"]["uid"]


@pytest.fixture
def loaded(cluster: Cluster, folder: Path) -> tuple[ManifestFolders, Path]:
    path = folder / "a.yaml"
    path.write_text(GOOD)
    folders = ManifestFolders([folder])
    assert folders.reload(cluster) is not None
    return folders, path


class TestAReloadNeverRaises:
    @pytest.mark.parametrize("case", sorted(HOSTILE))
    def test_a_hostile_file_is_a_file_line_error_and_keeps_its_objects(
        self, cluster: Cluster, loaded, case: str
    ) -> None:
        folders, path = loaded
        before = cluster.store.get("ConfigMap", "default", "a")
        path.write_text(HOSTILE[case], encoding="utf-8")
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None and len(entry.errors) >= 1
        assert all(re.match(r"manifests/a\.yaml:[1-9]\d*: ", e) for e in entry.errors), entry
        assert [p.file for p in folders.problems()] == ["manifests/a.yaml"] * len(entry.errors)
        assert cluster.store.get("ConfigMap", "default", "a") == before  # last good kept
        # and the next good save applies and clears the error
        path.write_text(GOOD.replace("'1'", "'2'"))
        fixed = folders.reload(cluster, {path.absolute()})
        assert fixed is not None and fixed.lines == ("configmap/a configured",)
        assert folders.problems() == []

    def test_an_exception_in_the_loader_points_at_the_yaml_mark_or_the_document(
        self, cluster: Cluster, loaded, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        folders, path = loaded

        def explode(text: str, file: str):
            raise KeyError("something nobody thought of")

        monkeypatch.setattr(guard, "load_text", explode)
        path.write_text("---\n" + GOOD)
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None
        # validating the document does not raise, so no document is to blame: line 1
        assert entry.errors == (
            "manifests/a.yaml:1: podtui could not load this file (KeyError: 'something nobody "
            "thought of'); its last good objects are kept",
        )

    def test_an_object_whose_apply_raises_is_its_error_and_the_others_still_apply(
        self, cluster: Cluster, folder: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(folder / "a.yaml", config_map("keep"), config_map("b"))
        folders = ManifestFolders([folder], settle_seconds=0)
        folders.reload(cluster)
        real_apply = guard.apply

        def apply(cluster, manifests, **kwargs):
            if manifests[0].name == "boom":
                raise RuntimeError("engine bug")
            return real_apply(cluster, manifests, **kwargs)

        monkeypatch.setattr(guard, "apply", apply)
        write(path, config_map("boom"), config_map("c"))  # b is dropped: would be pruned
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None
        assert entry.lines == ("configmap/c created",)
        assert entry.errors == (
            "manifests/a.yaml:1: podtui could not apply this object (RuntimeError: engine bug)",
        )
        # a file with an object in error prunes nothing, as a file with a refusal
        assert uid(cluster, "ConfigMap", "keep") and uid(cluster, "ConfigMap", "b")
        assert [str(p) for p in folders.problems()] == list(entry.errors)

    def test_an_exception_anywhere_else_is_an_error_until_a_reload_works(
        self, cluster: Cluster, loaded, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        folders, path = loaded
        monkeypatch.setattr(ManifestFolders, "scan", lambda self: 1 / 0)
        path.write_text(GOOD + "  y: '2'\n")
        new = folder_file = path.parent / "b.yaml"
        folder_file.write_text(GOOD.replace("name: a", "name: b"))
        entry = folders.reload(cluster, {path.absolute(), new.absolute()})
        assert entry is not None
        assert entry.errors == (
            "manifests/a.yaml: podtui could not reload (ZeroDivisionError: division by zero); "
            "the last good objects are kept",
            "manifests/b.yaml: podtui could not reload (ZeroDivisionError: division by zero); "
            "the last good objects are kept",
        )
        assert [p.file for p in folders.problems()] == ["manifests/a.yaml", "manifests/b.yaml"]
        monkeypatch.undo()
        fixed = folders.reload(cluster, {new.absolute()})
        # a.yaml is read again too: the failed reload never applied its save
        assert fixed is not None
        assert fixed.lines == ("configmap/a configured", "configmap/b created")
        assert folders.problems() == []


class TestAnInPlaceSaveNeverPrunes:
    def test_a_hundred_truncate_and_rewrite_saves_keep_every_object(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        path = write(folder / "a.yaml", config_map("settings", x="1"), config_map("other"))
        text = path.read_text()
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        uids = {n: uid(cluster, "ConfigMap", n) for n in ("settings", "other")}
        entries = []
        for _ in range(100):
            path.write_text("")  # the editor truncates, and the watcher reads it now
            entries.append(folders.reload(cluster, {path.absolute()}))
            clock.advance(0.01)
            path.write_text(text)
            entries.append(folders.reload(cluster, {path.absolute()}))
        assert [e for e in entries if e is not None] == []
        assert {n: uid(cluster, "ConfigMap", n) for n in uids} == uids
        assert not folders.settling.names()

    def test_a_save_cut_at_a_document_boundary_is_held_too(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"), config_map("b"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        write(path, config_map("a"))  # read while only the first document was written
        assert folders.reload(cluster, {path.absolute()}) is None
        assert uid(cluster, "ConfigMap", "b") is not None

    def test_a_file_that_stays_empty_prunes_after_the_quiet_period(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        path.write_text("")
        assert folders.reload(cluster, {path.absolute()}) is None
        assert folders.settling.deadline() == clock.now + SETTLE_SECONDS
        clock.advance(SETTLE_SECONDS - 0.01)
        assert folders.settling.due() == set()
        clock.advance(0.01)
        assert {p.absolute() for p in folders.settling.due()} == {path.absolute()}
        entry = folders.reload(cluster, folders.settling.due())
        assert entry is not None and entry.lines == ("configmap/a pruned",)
        assert uid(cluster, "ConfigMap", "a") is None

    def test_a_file_still_being_written_starts_its_quiet_period_again(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"), config_map("b"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        write(path, config_map("a"), config_map("c"))  # b goes, c comes: held
        assert folders.reload(cluster, {path.absolute()}) is None
        clock.advance(SETTLE_SECONDS / 2)
        path.write_text(path.read_text() + "\n")  # written again: size and mtime change
        assert folders.reload(cluster, {path.absolute()}) is None
        clock.advance(SETTLE_SECONDS / 2)
        assert folders.reload(cluster, {path.absolute()}) is None  # only half stable
        clock.advance(SETTLE_SECONDS / 2)
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None
        assert entry.lines == ("configmap/a unchanged", "configmap/c created", "configmap/b pruned")

    def test_an_object_moved_to_another_file_in_the_same_save_is_not_held(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        first = write(folder / "a.yaml", config_map("m"), config_map("keep"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        before = uid(cluster, "ConfigMap", "m")
        write(first, config_map("keep"))
        second = write(folder / "b.yaml", config_map("m"))
        entry = folders.reload(cluster, {first.absolute(), second.absolute()})
        assert entry is not None
        assert entry.lines == ("configmap/keep unchanged", "configmap/m unchanged")
        assert uid(cluster, "ConfigMap", "m") == before
        assert folders.inventory.owner(("ConfigMap", "default", "m")) == "manifests/b.yaml"

    def test_a_file_deleted_and_written_again_keeps_its_objects(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        # Emacs' default save renames the file to a backup, then writes a new one.
        path = write(folder / "a.yaml", config_map("a"))
        text = path.read_text()
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        before = uid(cluster, "ConfigMap", "a")
        path.rename(folder / "a.yaml~")
        assert folders.reload(cluster, {path.absolute()}) is None
        path.write_text(text)
        assert folders.reload(cluster, {path.absolute()}) is None
        clock.advance(SETTLE_SECONDS)
        assert folders.reload(cluster, folders.settling.due() | {path.absolute()}) is None
        assert uid(cluster, "ConfigMap", "a") == before


class TestAMissingPath:
    def test_a_file_path_deleted_and_written_again_says_nothing(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"))
        text = path.read_text()
        folders = ManifestFolders([path], clock=clock.time)  # a file given as a PATH
        folders.reload(cluster)
        path.unlink()
        assert folders.reload(cluster, {path.absolute()}) is None
        clock.advance(SETTLE_SECONDS / 2)
        path.write_text(text)
        assert folders.reload(cluster, {path.absolute()}) is None
        clock.advance(SETTLE_SECONDS)
        assert folders.reload(cluster, folders.settling.due()) is None
        assert folders.problems() == [] and uid(cluster, "ConfigMap", "a") is not None

    def test_a_deleted_folder_keeps_its_objects_and_says_so(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        import shutil

        write(folder / "a.yaml", config_map("a"), config_map("b"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        shutil.rmtree(folder)
        assert folders.reload(cluster, {folder.absolute()}) is None  # maybe a save: wait
        assert folders.problems() == []
        clock.advance(SETTLE_SECONDS)
        entry = folders.reload(cluster, folders.settling.due())
        gone = (
            "manifests/: folder not found; its 2 objects are kept, and it is applied again "
            "when it comes back"
        )
        assert entry is not None and entry.errors == (gone,) and entry.lines == ()
        assert [str(p) for p in folders.problems()] == [gone]
        clock.advance(SETTLE_SECONDS * 10)
        assert folders.reload(cluster, {folder.absolute()}) is None  # nothing pruned
        assert uid(cluster, "ConfigMap", "a") and uid(cluster, "ConfigMap", "b")
        # it comes back with one object less: that one is the user's intent once stable
        write(folder / "a.yaml", config_map("a"))
        back = folders.reload(cluster, {folder.absolute()})
        assert back is not None and back.lines == ("manifests/ is back, watched again",)
        assert back.errors == () and folders.problems() == []
        clock.advance(SETTLE_SECONDS)
        entry = folders.reload(cluster, folders.settling.due())
        assert entry is not None and entry.lines == ("configmap/a unchanged", "configmap/b pruned")

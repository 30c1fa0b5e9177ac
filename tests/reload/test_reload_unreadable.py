"""The reloader reads files as `podtui validate` does (issue 10, items 4 and 7): a folder
or file it cannot read is an error in the banner, `FOLDER: permission denied`, with the
last good objects kept (never pruned as if the files were gone); a file is read with the
byte order mark and the size limit of engine.manifests.source, and its errors are the same
`FILE:LINE` lines `podtui validate` prints."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest

from engine.cluster import Cluster
from engine.manifests import source
from engine.manifests.loader import load_paths
from engine.manifests.yamldoc import MAX_FILE_BYTES
from podtui.reload.settle import SETTLE_SECONDS
from podtui.reload.state import ManifestFolders, read_texts
from tests.reload.conftest import FakeClock, config_map, write

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n"


def uid(cluster: Cluster, name: str) -> str | None:
    obj = cluster.store.get("ConfigMap", "default", name)
    return None if obj is None else obj["metadata"]["uid"]


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch):
    """Make listing a folder fail with EACCES, as chmod 000 does for anyone but root (who
    runs the tests): `deny(folder)` locks it, `deny(None)` unlocks."""
    real_scandir = os.scandir
    locked: list[Path] = []

    def scandir(path: object = ".") -> object:
        if locked and Path(os.fsdecode(path)).absolute() == locked[0]:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)

    def set_lock(folder: Path | None) -> None:
        locked[:] = [] if folder is None else [folder.absolute()]

    return set_lock


class TestAnUnreadableFolder:
    def test_is_a_banner_error_and_its_objects_are_kept_not_pruned(
        self, cluster: Cluster, folder: Path, clock: FakeClock, deny
    ) -> None:
        write(folder / "top.yaml", config_map("top"))
        sub = folder / "team"
        write(sub / "a.yaml", config_map("a"), config_map("b"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        before = uid(cluster, "a"), uid(cluster, "b")
        deny(sub)
        entry = folders.reload(cluster, {sub.absolute()})
        assert entry is not None
        assert entry.errors == ("manifests/team: permission denied",)
        assert entry.lines == ()
        assert [str(p) for p in folders.problems()] == ["manifests/team: permission denied"]
        # However long it stays unreadable, its files are not taken for deleted.
        clock.advance(SETTLE_SECONDS * 10)
        assert folders.reload(cluster, folders.settling.due() | {sub.absolute()}) is None
        assert folders.reload(cluster) is None
        assert (uid(cluster, "a"), uid(cluster, "b")) == before
        # Readable again: the error goes, and the same files change nothing.
        deny(None)
        back = folders.reload(cluster, {sub.absolute()})
        assert back is not None and back.lines == ("manifests/team is readable again",)
        assert back.errors == () and folders.problems() == []
        assert (uid(cluster, "a"), uid(cluster, "b")) == before

    def test_a_watched_folder_itself_unreadable_keeps_everything(
        self, cluster: Cluster, folder: Path, clock: FakeClock, deny
    ) -> None:
        write(folder / "a.yaml", config_map("a"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        deny(folder)
        entry = folders.reload(cluster, {folder.absolute()})
        assert entry is not None and entry.errors == ("manifests: permission denied",)
        clock.advance(SETTLE_SECONDS * 10)
        folders.reload(cluster, folders.settling.due())
        assert uid(cluster, "a") is not None

    def test_an_unreadable_file_is_permission_denied_and_keeps_its_objects(
        self, cluster: Cluster, folder: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        before = uid(cluster, "a")
        real_open = open

        def refuse(file: object, *args: object, **kwargs: object) -> object:
            if Path(os.fsdecode(file)).name == "a.yaml":  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied")
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(source, "open", refuse, raising=False)
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None and entry.errors == ("manifests/a.yaml: permission denied",)
        clock.advance(SETTLE_SECONDS * 10)
        folders.reload(cluster, folders.settling.due() | {path.absolute()})
        assert uid(cluster, "a") == before

    def test_a_folder_without_read_permission_really_is_an_error(self) -> None:
        """The real thing, chmod 000, in a forked child that has become `nobody` (root reads
        anyway): the tree belongs to `nobody`, who locks the folder after the first load."""
        top = Path(tempfile.mkdtemp(prefix="podtui-reload-perm-", dir="/tmp"))
        team = top / "manifests" / "team"
        try:
            write(team / "a.yaml", config_map("a"))
            top.chmod(0o755)
            if os.geteuid() != 0:
                answer = _lock_after_loading(top)
            else:
                for path in [top, *top.rglob("*")]:
                    os.chown(path, 65534, 65534)
                read, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # the child: drop root, look, report, leave without cleanup
                    try:
                        os.close(read)
                        os.setgid(65534)
                        os.setuid(65534)
                        answer = _lock_after_loading(top)
                    except BaseException as err:  # reported to the parent, which fails
                        answer = {"child raised": repr(err)}
                    finally:
                        os.write(write_end, json.dumps(answer).encode())
                        os._exit(0)
                os.close(write_end)
                with os.fdopen(read) as pipe:
                    answer = json.loads(pipe.read())
                os.waitpid(pid, 0)
            assert answer == {"errors": ["manifests/team: permission denied"], "kept": True}
        finally:
            if team.exists():
                team.chmod(0o755)
            for path in sorted(top.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            top.rmdir()


def _lock_after_loading(top: Path) -> dict[str, object]:
    here = Path.cwd()
    os.chdir(top)
    try:
        cluster = Cluster(seed=7)
        cluster.boot()
        folders = ManifestFolders([Path("manifests")])
        folders.reload(cluster)
        team = top / "manifests" / "team"
        team.chmod(0o000)
        entry = folders.reload(cluster, {team.absolute()})
        team.chmod(0o755)
        return {"errors": list(entry.errors) if entry else None, "kept": uid(cluster, "a") is not None}
    finally:
        with contextlib.suppress(OSError):  # `nobody` may not be allowed back
            os.chdir(here)


class TestFilesAreReadAsValidateReadsThem:
    def test_utf16_with_a_byte_order_mark_loads(self, cluster: Cluster, folder: Path) -> None:
        (folder / "a.yaml").write_bytes(GOOD.encode("utf-16"))  # Python writes the BOM
        folders = ManifestFolders([folder])
        entry = folders.reload(cluster)
        assert entry is not None and entry.lines == ("configmap/a created",)
        assert folders.problems() == []
        # read_texts reads it the same way, so the start's adoption sees it unchanged.
        assert read_texts([folder]) == {"manifests/a.yaml": GOOD}

    @pytest.mark.parametrize(
        "content",
        [
            pytest.param(b"a: 1\n" + b"b: \xff\n", id="invalid utf-8"),
            pytest.param(GOOD.encode("utf-16-le"), id="utf-16 without a BOM"),
            pytest.param(b"#" * (MAX_FILE_BYTES + 1), id="larger than the API server's limit"),
        ],
    )
    def test_a_file_that_cannot_be_decoded_says_what_validate_says(
        self, cluster: Cluster, folder: Path, content: bytes
    ) -> None:
        path = write(folder / "a.yaml", config_map("a"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        before = uid(cluster, "a")
        path.write_bytes(content)
        entry = folders.reload(cluster, {path.absolute()})
        validate = [str(p) for p in load_paths(["manifests"]).problems]
        assert entry is not None and list(entry.errors) == validate and validate
        assert uid(cluster, "a") == before

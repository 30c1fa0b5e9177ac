"""The per-container filesystem: paths, errors with libc's texts, shared volumes."""

from __future__ import annotations

import errno

import pytest

from engine.shell.fs import Filesystem, FsError, Volume


@pytest.fixture
def fs() -> Filesystem:
    return Filesystem()


@pytest.mark.parametrize("path", ["/", "/tmp", "/etc", "/var", "/root", "/dev"])
def test_a_new_container_filesystem_has_the_usual_directories(fs: Filesystem, path: str) -> None:
    assert fs.is_dir(path)


def test_relative_paths_resolve_against_root(fs: Filesystem) -> None:
    fs.write("tmp/x", "hi")
    assert fs.read("/tmp/x") == "hi"
    assert fs.read("/tmp/../tmp/./x") == "hi"


def test_write_replaces_and_append_adds(fs: Filesystem) -> None:
    fs.write("/tmp/log", "one\n")
    fs.write("/tmp/log", "two\n", append=True)
    assert fs.read("/tmp/log") == "one\ntwo\n"
    fs.write("/tmp/log", "three\n")
    assert fs.read("/tmp/log") == "three\n"


def test_touch_creates_an_empty_file_and_keeps_an_existing_one(fs: Filesystem) -> None:
    fs.touch("/tmp/healthy")
    assert fs.read("/tmp/healthy") == ""
    fs.write("/tmp/healthy", "data")
    fs.touch("/tmp/healthy")
    assert fs.read("/tmp/healthy") == "data"


def _setup_file(fs: Filesystem) -> None:
    fs.write("/tmp/file", "x")


@pytest.mark.parametrize(
    ("operation", "code", "text"),
    [
        (
            lambda fs: fs.read("/tmp/missing"),
            errno.ENOENT,
            "/tmp/missing: No such file or directory",
        ),
        (lambda fs: fs.read("/tmp"), errno.EISDIR, "/tmp: Is a directory"),
        (lambda fs: fs.write("/nodir/x", "y"), errno.ENOENT, "/nodir/x: No such file or directory"),
        (lambda fs: fs.write("/tmp/file/x", "y"), errno.ENOTDIR, "/tmp/file/x: Not a directory"),
        (lambda fs: fs.touch("/a/b/c"), errno.ENOENT, "/a/b/c: No such file or directory"),
        (lambda fs: fs.mkdir("/tmp"), errno.EEXIST, "/tmp: File exists"),
        (lambda fs: fs.mkdir("/a/b"), errno.ENOENT, "/a/b: No such file or directory"),
        (
            lambda fs: fs.remove("/tmp/missing"),
            errno.ENOENT,
            "/tmp/missing: No such file or directory",
        ),
        (lambda fs: fs.remove("/tmp"), errno.EISDIR, "/tmp: Is a directory"),
        (lambda fs: fs.listdir("/tmp/file"), errno.ENOTDIR, "/tmp/file: Not a directory"),
        (lambda fs: fs.listdir("/nope"), errno.ENOENT, "/nope: No such file or directory"),
    ],
)
def test_failed_operations_raise_with_libc_error_text(
    fs: Filesystem, operation: object, code: int, text: str
) -> None:
    _setup_file(fs)
    with pytest.raises(FsError) as caught:
        operation(fs)  # type: ignore[operator]
    assert caught.value.errno == code
    assert str(caught.value) == text


def test_mkdir_with_parents_creates_every_missing_directory(fs: Filesystem) -> None:
    fs.mkdir("/data/a/b", parents=True)
    assert fs.is_dir("/data/a") and fs.is_dir("/data/a/b")
    fs.mkdir("/data/a/b", parents=True)  # mkdir -p on an existing directory is fine


def test_recursive_remove_deletes_a_tree(fs: Filesystem) -> None:
    fs.mkdir("/data/a", parents=True)
    fs.write("/data/a/f", "x")
    fs.remove("/data", recursive=True)
    assert not fs.exists("/data") and not fs.exists("/data/a/f")


def test_listdir_is_sorted_and_shows_files_and_directories(fs: Filesystem) -> None:
    fs.mkdir("/work")
    fs.write("/work/b", "")
    fs.write("/work/a", "")
    fs.mkdir("/work/c")
    assert fs.listdir("/work") == ["a", "b", "c"]


def test_writes_to_dev_null_are_discarded(fs: Filesystem) -> None:
    fs.write("/dev/null", "gone")
    assert fs.read("/dev/null") == ""


def test_a_mounted_volume_is_shared_between_containers() -> None:
    shared = Volume()
    init, app = Filesystem(), Filesystem()
    init.mount("/work", shared)
    app.mount("/data", shared)
    init.write("/work/ready", "yes")
    assert app.read("/data/ready") == "yes"
    assert "ready" in app.listdir("/data")
    assert not init.exists("/data/ready")


def test_a_read_only_volume_refuses_writes() -> None:
    volume = Volume(read_only=True)
    volume.files["/app.conf"] = "key=value"
    fs = Filesystem()
    fs.mount("/etc/config", volume)
    assert fs.read("/etc/config/app.conf") == "key=value"
    with pytest.raises(FsError) as caught:
        fs.write("/etc/config/app.conf", "x")
    assert caught.value.strerror == "Read-only file system"

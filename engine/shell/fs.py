"""A container's in-memory filesystem: absolute POSIX paths, files hold text.

Volumes can be mounted at a path so that two containers of a pod see the same files
(an emptyDir written by an init container and read by the app), as they do in a real pod.
"""

from __future__ import annotations

import errno as _errno
import posixpath
from collections.abc import Mapping

# strerror(3) texts, which both busybox and GNU tools print after the path.
_STRERROR = {
    _errno.ENOENT: "No such file or directory",
    _errno.ENOTDIR: "Not a directory",
    _errno.EISDIR: "Is a directory",
    _errno.EEXIST: "File exists",
    _errno.ENOTEMPTY: "Directory not empty",
    _errno.EROFS: "Read-only file system",
}

# What a container image's root filesystem has before anything runs in it.
_BASE_DIRS = (
    "/bin",
    "/dev",
    "/etc",
    "/home",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/local",
    "/usr/local/bin",
    "/usr/sbin",
    "/var",
    "/var/log",
    "/var/run",
    "/var/tmp",
)
DEV_NULL = "/dev/null"


class FsError(OSError):
    """A failed file operation; `strerror` is the libc text tools print."""

    def __init__(self, code: int, path: str) -> None:
        super().__init__(code, _STRERROR[code], path)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.strerror}"


class Volume:
    """Files and directories under one root; a container's rootfs or a mounted volume.

    A volume made from a shared layer (an image's files) reads the layer in place and
    copies it on its first change, as an overlay's upper directory starts empty: ten
    thousand nginx containers share one copy of nginx's files.
    """

    __slots__ = ("_shared", "dirs", "files", "read_only")

    def __init__(
        self,
        read_only: bool = False,
        *,
        layer: tuple[dict[str, str], frozenset[str]] | None = None,
    ) -> None:
        self.read_only = read_only
        self.files: dict[str, str] = layer[0] if layer else {}
        self.dirs: set[str] | frozenset[str] = layer[1] if layer else {"/"}
        self._shared = layer is not None

    def own(self) -> None:
        """Copy a shared layer before the first change."""
        if self._shared:
            self.files = dict(self.files)
            self.dirs = set(self.dirs)
            self._shared = False


_LAYERS: dict[int, tuple[object, tuple[dict[str, str], frozenset[str]]]] = {}
_LAYERS_KEPT = 256


def image_layer(files: Mapping[str, str] | None = None) -> tuple[dict[str, str], frozenset[str]]:
    """The root filesystem an image starts with: the usual directories plus its files.

    Layers are built once per files mapping (the image catalog's entries live for the
    whole run) and shared read-only by every container of that image.
    """
    files = files or {}
    cached = _LAYERS.get(id(files))
    if cached is not None and cached[0] is files:
        return cached[1]
    dirs = {"/", *_BASE_DIRS}
    for path in files:
        parent = posixpath.dirname(path)
        while parent not in dirs:
            dirs.add(parent)
            parent = posixpath.dirname(parent)
    layer = ({DEV_NULL: "", **files}, frozenset(dirs))
    if files and len(_LAYERS) < _LAYERS_KEPT:
        _LAYERS[id(files)] = (files, layer)  # keeps `files` alive, so its id stays its own
    return layer


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalized path (relative paths resolve against cwd)."""
    if path[:1] == "/" and "//" not in path and "/." not in path and path[-1:] != "/":
        return path  # already normal: the common case, and the hot one for probes
    if path == "/":
        return path
    joined = posixpath.join(cwd, path) if path else cwd
    result = posixpath.normpath(joined)
    # POSIX lets normpath keep a leading "//"; a container's paths never need it.
    return "/" + result.lstrip("/")


_DEFAULT_LAYER = image_layer()


class Filesystem:
    """Per-container filesystem with the directories (and files) its image starts with."""

    __slots__ = ("_mounts", "_root")

    def __init__(self, image_files: Mapping[str, str] | None = None) -> None:
        self._root = Volume(layer=image_layer(image_files) if image_files else _DEFAULT_LAYER)
        self._mounts: dict[str, Volume] = {}

    # -- mounts -------------------------------------------------------------------------
    def mount(self, path: str, volume: Volume) -> None:
        """Mount a volume at path (creating the mount point), as the kubelet does."""
        target = normalize(path)
        self.mkdir(target, parents=True, exist_ok=True)
        self._mounts[target] = volume

    def _locate(self, path: str) -> tuple[Volume, str]:
        """The volume holding path and the path inside that volume."""
        best = ""
        for point in self._mounts:
            if (path == point or path.startswith(point + "/")) and len(point) > len(best):
                best = point
        if not best:
            return self._root, path
        inner = path[len(best) :] or "/"
        return self._mounts[best], inner

    # -- queries ------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        return self.is_file(path) or self.is_dir(path)

    def is_file(self, path: str) -> bool:
        volume, inner = self._locate(normalize(path))
        return inner in volume.files

    def is_dir(self, path: str) -> bool:
        full = normalize(path)
        if full in self._mounts:
            return True
        volume, inner = self._locate(full)
        return inner in volume.dirs

    def read(self, path: str) -> str:
        full = normalize(path)
        self._check_parent(full)
        if self.is_dir(full):
            raise FsError(_errno.EISDIR, full)
        volume, inner = self._locate(full)
        if inner not in volume.files:
            raise FsError(_errno.ENOENT, full)
        return volume.files[inner]

    def listdir(self, path: str) -> list[str]:
        full = normalize(path)
        if self.is_file(full):
            raise FsError(_errno.ENOTDIR, full)
        if not self.is_dir(full):
            raise FsError(_errno.ENOENT, full)
        volume, inner = self._locate(full)
        prefix = inner.rstrip("/") + "/"
        names = {
            entry[len(prefix) :].split("/", 1)[0]
            for entry in (*volume.files, *volume.dirs)
            if entry.startswith(prefix) and entry != inner
        }
        names.update(
            point[len(full.rstrip("/")) + 1 :].split("/", 1)[0]
            for point in self._mounts
            if point.startswith(full.rstrip("/") + "/")
        )
        return sorted(names)

    # -- changes ------------------------------------------------------------------------
    def write(self, path: str, text: str, append: bool = False) -> None:
        full = normalize(path)
        if full == DEV_NULL:
            return
        self._check_parent(full)
        if self.is_dir(full):
            raise FsError(_errno.EISDIR, full)
        volume, inner = self._writable(full)
        volume.files[inner] = (volume.files.get(inner, "") if append else "") + text

    def touch(self, path: str) -> None:
        full = normalize(path)
        if self.exists(full):
            return
        self._check_parent(full)
        volume, inner = self._writable(full)
        volume.files[inner] = ""

    def remove(self, path: str, recursive: bool = False) -> None:
        full = normalize(path)
        self._check_parent(full)
        if not self.exists(full):
            raise FsError(_errno.ENOENT, full)
        volume, inner = self._writable(full)
        if inner in volume.files:
            del volume.files[inner]
            return
        if not recursive:
            raise FsError(_errno.EISDIR, full)
        prefix = inner.rstrip("/") + "/"
        for name in [f for f in volume.files if f.startswith(prefix)]:
            del volume.files[name]
        for name in [d for d in volume.dirs if d.startswith(prefix)]:
            volume.dirs.discard(name)
        if inner != "/":
            volume.dirs.discard(inner)

    def mkdir(self, path: str, parents: bool = False, exist_ok: bool = False) -> None:
        full = normalize(path)
        if self.exists(full):
            if self.is_dir(full) and (parents or exist_ok):
                return
            raise FsError(_errno.EEXIST, full)
        parent = posixpath.dirname(full)
        if not self.is_dir(parent):
            if not parents:
                self._check_parent(full)
                raise FsError(_errno.ENOENT, full)
            self.mkdir(parent, parents=True)
        volume, inner = self._writable(full)
        volume.dirs.add(inner)

    # -- helpers ------------------------------------------------------------------------
    def _check_parent(self, full: str) -> None:
        """Raise what open(2) would for a path whose parent is missing or a file."""
        code = self._parent_error(full)
        if code is not None:
            raise FsError(code, full)

    def _parent_error(self, full: str) -> int | None:
        parent = posixpath.dirname(full)
        if parent == full or self.is_dir(parent):
            return None
        if self.is_file(parent):
            return _errno.ENOTDIR
        return self._parent_error(parent) or _errno.ENOENT

    def _writable(self, full: str) -> tuple[Volume, str]:
        volume, inner = self._locate(full)
        if volume.read_only:
            raise FsError(_errno.EROFS, full)
        volume.own()
        return volume, inner

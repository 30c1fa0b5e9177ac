"""Loading manifests: PATHs to objects, with every mistake reported as FILE:LINE.

Nothing is applied when anything is wrong: the caller gets all the problems at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import engine.api.core  # noqa: F401  (registers the core kinds)
from engine.api.errors import invalid_message
from engine.api.kinds import KindInfo, lookup
from engine.api.schema import json_kind
from engine.api.server import field_problems
from engine.extensions import load_extensions
from engine.manifests.source import read_source
from engine.manifests.yamldoc import Document, Problem, parse_documents

load_extensions()  # feature packages register their kinds

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Manifest:
    """One object from one document of one file."""

    obj: dict
    file: str
    line: int
    doc: Document

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name", ""))

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def namespace(self) -> str:
        return str((self.obj.get("metadata") or {}).get("namespace") or "")


@dataclass
class LoadResult:
    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def manifest_files(paths: list[str]) -> tuple[list[Path], list[Problem]]:
    """Files named by PATHs: files as given, folders searched recursively, sorted.

    A folder that cannot be read is a problem (`FOLDER: permission denied`), never skipped:
    skipping it would apply the rest of the tree without it.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as err:
            problems.append(Problem(raw, 0, _os_reason(err)))
            continue
        if is_dir:
            found, unreadable = _walk(path)
            files.extend(sorted(found))
            problems.extend(unreadable)
        elif is_file:
            files.append(path)
        else:
            problems.append(Problem(raw, 0, f'the path "{raw}" does not exist'))
    return files, problems


def _walk(root: Path) -> tuple[list[Path], list[Problem]]:
    """Manifest files under a folder (hidden entries skipped, symlinked folders not
    followed), and the folders that could not be read."""
    found: list[Path] = []
    problems: list[Problem] = []

    def unreadable(err: OSError) -> None:
        problems.append(Problem(str(err.filename or root), 0, _os_reason(err)))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            candidate = Path(folder) / name
            if name.startswith(".") or candidate.suffix not in MANIFEST_SUFFIXES:
                continue
            try:
                if candidate.is_file():
                    found.append(candidate)
            except OSError as err:
                problems.append(Problem(str(candidate), 0, _os_reason(err)))
    return found, sorted(problems, key=lambda p: p.file)


def _os_reason(err: OSError) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    return f"cannot read: {os.strerror(err.errno) if err.errno else err}"


def load_paths(
    paths: list[str], *, exclude: tuple[str, ...] = (), verb: str = "apply"
) -> LoadResult:
    """Parse and validate every manifest under PATHs, for `kubectl apply` (`verb="create"`
    for `kubectl create -f`, which allows `generateName`)."""
    files, problems = manifest_files(paths)
    result = LoadResult(problems=problems)
    for file in files:
        if any(part in exclude for part in file.parts):
            continue
        result.files.append(str(file))
        text, problem = read_source(file)
        if text is None:
            result.problems.append(problem)  # type: ignore[arg-type]
            continue
        loaded = load_text(text, str(file), verb=verb)
        if not loaded.files:
            result.files.remove(str(file))
        result.manifests.extend(loaded.manifests)
        result.problems.extend(loaded.problems)
    result.problems.extend(_duplicates(result.manifests))
    return result


def load_text(text: str, file: str, *, verb: str = "apply") -> LoadResult:
    """Parse and validate the documents of one file's text. Never raises."""
    result = LoadResult(files=[file])
    docs, problems = parse_documents(text, file)
    result.problems.extend(problems)
    if not problems and is_scenario(docs):
        # A scenario file kept next to the manifests (sample_manifests/scenarios/) is not
        # a manifest; `--scenario FILE` runs it.
        result.files.remove(file)
        return result
    for doc in docs:
        for obj, offset in _objects_of(doc):
            problems = _checked(obj, doc, offset, verb)
            result.problems.extend(problems)
            if not problems:
                result.manifests.append(Manifest(obj, file, doc.line_of(offset), doc))
    return result


def is_scenario(docs: list[Document]) -> bool:
    """A YAML list of `at:` steps (a scenario file), rather than manifests."""
    return (
        len(docs) == 1
        and isinstance(docs[0].data, list)
        and bool(docs[0].data)
        and all(isinstance(item, dict) and "at" in item for item in docs[0].data)
    )


def _objects_of(doc: Document) -> list[tuple[dict, tuple]]:
    """A document's objects: itself, or the items of a `List` (kubectl accepts both)."""
    data = doc.data
    if (
        isinstance(data, dict)
        and data.get("kind") == "List"
        and isinstance(data.get("items"), list)
    ):
        return [(item, ("items", i)) for i, item in enumerate(data["items"])]
    return [(data, ())]  # type: ignore[list-item]


def _checked(obj: object, doc: Document, offset: tuple, verb: str) -> list[Problem]:
    """validate_manifest, plus kubectl's own refusals, and a last resort: an exception in a
    kind's validation is a bug, but it must still end as `FILE:LINE`, not a traceback."""
    try:
        problems = validate_manifest(obj, doc, offset)
    except Exception as err:  # reported with the object's line
        return [
            Problem(
                doc.file,
                doc.line_of(offset),
                f"podtui could not validate this object ({type(err).__name__}: {err}); "
                "this is a bug in podtui",
            )
        ]
    if not problems and verb == "apply" and isinstance(obj, dict):
        meta = obj.get("metadata") or {}
        if not meta.get("name") and meta.get("generateName"):
            # kubectl apply (apply.go, applyOneObject) refuses before it sends anything.
            line = doc.line_of((*offset, "metadata", "generateName"))
            problems = [
                Problem(
                    doc.file,
                    line,
                    f"from {meta['generateName']}: cannot use generate name with apply",
                )
            ]
    return problems


def validate_manifest(obj: object, doc: Document, offset: tuple = ()) -> list[Problem]:
    """Everything the API server would refuse before admission, located in the file."""
    line = doc.line_of(offset)

    def at(path: tuple) -> int:
        return doc.line_of((*offset, *path))

    if not isinstance(obj, dict):
        return [
            Problem(
                doc.file,
                line,
                "a manifest must be a YAML mapping (an object with apiVersion and kind)",
            )
        ]
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    problems: list[Problem] = []
    for name, value in (("apiVersion", api_version), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            # The API machinery reads apiVersion and kind first (runtime/serializer/json,
            # SimpleMetaFactory.Interpret) into an anonymous struct of two strings.
            problems.append(
                Problem(
                    doc.file,
                    at((name,)),
                    "couldn't get version/kind; json parse error: json: cannot unmarshal "
                    f"{json_kind(value)} into Go struct field .{name} of type string",
                )
            )
        elif not value:
            problems.append(Problem(doc.file, at((name,)), f"{name} not set"))
    if problems:
        return problems
    info = lookup(api_version, kind)  # type: ignore[arg-type]
    if info is None:
        return [
            Problem(
                doc.file,
                at(("kind",)),
                f'no matches for kind "{kind}" in version "{api_version}"'
                + _known_versions_hint(str(kind)),
            )
        ]
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [
            Problem(
                doc.file,
                at(("metadata",)),
                invalid_message(
                    info.kind, "", ["metadata.name: Required value: name or generateName is required"]
                ),
            )
        ]
    return [Problem(doc.file, at(path), message) for path, message in _as_kubectl_prints(obj, info)]


def _as_kubectl_prints(obj: dict, info: KindInfo) -> list[tuple[tuple, str]]:
    """Field problems as kubectl prints the API server's refusal of the object.

    Strict decoding refuses with one BadRequest per problem; validation answers one 422
    whose causes kubectl prints after `The Pod "x" is invalid: ` (errors.NewInvalid;
    kubectl pkg/cmd/util/helpers.go checkErr), located at the first cause's line.
    """
    problems = field_problems(obj, info)
    decoding = [p for p in problems if "cannot be handled as a" in p[1]]
    if decoding or not problems:
        return decoding
    name = str((obj.get("metadata") or {}).get("name") or "")
    message = invalid_message(info.kind, name, [m for _, m in problems])
    return [(problems[0][0], message)]


def _known_versions_hint(kind: str) -> str:
    from engine.api.kinds import kinds_named

    info = kinds_named(kind)
    if info is None:
        return ""
    versions = ", ".join(info.api_versions + tuple(info.deprecated))
    return f" (podtui serves {kind} as {versions})"


def _duplicates(manifests: list[Manifest]) -> list[Problem]:
    """The same kind, namespace and name twice in the input."""
    seen: dict[tuple[str, str, str], Manifest] = {}
    problems = []
    for manifest in manifests:
        info = lookup(str(manifest.obj.get("apiVersion")), manifest.kind)
        namespace = (manifest.namespace or "default") if info is None or info.namespaced else ""
        key = (manifest.kind, namespace, manifest.name)
        if not manifest.name:
            continue
        first = seen.get(key)
        if first is not None:
            where = f"{first.file}:{first.line}"
            problems.append(
                Problem(
                    manifest.file,
                    manifest.line,
                    f'duplicate {manifest.kind} "{manifest.name}"'
                    + (f' in namespace "{namespace}"' if namespace else "")
                    + f" (first defined at {where})",
                )
            )
        else:
            seen[key] = manifest
    return problems

"""Loading manifests: PATHs to objects, with every mistake reported as FILE:LINE.

Nothing is applied when anything is wrong: the caller gets all the problems at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import engine.api.core  # noqa: F401  (registers the core kinds)
from engine.api.kinds import lookup
from engine.api.server import field_problems
from engine.extensions import load_extensions
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
    """Files named by PATHs: files as given, folders searched recursively, sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in MANIFEST_SUFFIXES
                and not _hidden(p.relative_to(path))
            )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(raw, 0, f'the path "{raw}" does not exist'))
    return files, problems


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def load_paths(paths: list[str], *, exclude: tuple[str, ...] = ()) -> LoadResult:
    """Parse and validate every manifest under PATHs."""
    files, problems = manifest_files(paths)
    result = LoadResult(problems=problems)
    for file in files:
        if any(part in exclude for part in file.parts):
            continue
        result.files.append(str(file))
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            result.problems.append(Problem(str(file), 0, f"cannot read file: {err}"))
            continue
        loaded = load_text(text, str(file))
        if not loaded.files:
            result.files.remove(str(file))
        result.manifests.extend(loaded.manifests)
        result.problems.extend(loaded.problems)
    result.problems.extend(_duplicates(result.manifests))
    return result


def load_text(text: str, file: str) -> LoadResult:
    """Parse and validate the documents of one file's text."""
    result = LoadResult(files=[file])
    if file.endswith(".json") and text.strip():
        try:
            json.loads(text)
        except json.JSONDecodeError as err:
            result.problems.append(Problem(file, err.lineno, f"error parsing JSON: {err.msg}"))
            return result
    docs, problems = parse_documents(text, file)
    result.problems.extend(problems)
    if not problems and is_scenario(docs):
        # A scenario file kept next to the manifests (sample_manifests/scenarios/) is not
        # a manifest; `--scenario FILE` runs it.
        result.files.remove(file)
        return result
    for doc in docs:
        for obj, offset in _objects_of(doc):
            problems = validate_manifest(obj, doc, offset)
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
    if not isinstance(api_version, str) or not api_version:
        problems.append(Problem(doc.file, at(("apiVersion",)), "apiVersion not set"))
    if not isinstance(kind, str) or not kind:
        problems.append(Problem(doc.file, at(("kind",)), "kind not set"))
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
                "metadata.name: Required value: name or generateName is required",
            )
        ]
    return [Problem(doc.file, at(path), message) for path, message in field_problems(obj, info)]


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

"""Loading and applying that never raise: whatever goes wrong becomes `FILE:LINE: message`.

The loader and the engine answer bad input with problems, not exceptions; when one of them
still raises (an input nobody thought of, a bug), the console must not die with a traceback
and the cluster must keep the file's last good objects. The reloader calls these instead of
`load_text` and `apply`:

- `load_guarded` parses and validates one file; an exception makes the file broken, located
  at the YAML mark if it has one, else at the document whose validation raised;
- `apply_guarded` applies object by object with engine.apply's own parts (`apply` for one
  object at a time, then `prune_source`), so an object that raises is reported at its line
  like a refused object, the others still apply, and its file prunes nothing (as a file with
  a refusal prunes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.api.admission import ADMIN, UserInfo
from engine.api.kinds import lookup
from engine.apply import ApplyOutcome, ApplyReport, Inventory, ObjectRef, apply, prune_source
from engine.cluster import Cluster
from engine.manifests.loader import LoadResult, Manifest, load_text, validate_manifest
from engine.manifests.yamldoc import Problem, parse_documents


def crash_message(err: BaseException, doing: str) -> str:
    """`podtui could not load this file (ValueError: ...)`: what failed, in one line."""
    detail = " ".join(_detail(err).split()) or "no detail"
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return f"podtui could not {doing} ({type(err).__name__}: {detail})"


def _detail(err: BaseException) -> str:
    """The error without PyYAML's `in "<unicode string>", position N` (the line is given)."""
    if hasattr(err, "character") and hasattr(err, "reason"):  # yaml.reader.ReaderError
        character = err.character
        code = ord(character) if isinstance(character, str) else character
        return f"unacceptable character #x{code:04x}: {err.reason}"
    problem = getattr(err, "problem", None)  # yaml's MarkedYAMLError
    if isinstance(problem, str):
        context = getattr(err, "context", None)
        return f"{context}: {problem}" if isinstance(context, str) else problem
    return str(err)


def load_guarded(text: str, file: str) -> LoadResult:
    """`load_text`, but an exception is a problem of the file, never raised."""
    try:
        return load_text(text, file)
    except Exception as err:
        line = _mark_line(err, text) or _failing_document(text, file) or 1
        message = crash_message(err, "load this file") + "; its last good objects are kept"
        return LoadResult(files=[file], problems=[Problem(file, line, message)])


def _mark_line(err: BaseException, text: str) -> int | None:
    """The 1-based line a YAML error points at (MarkedYAMLError's marks, ReaderError's
    character position)."""
    for attribute in ("problem_mark", "context_mark"):
        mark = getattr(err, attribute, None)
        if mark is not None and isinstance(getattr(mark, "line", None), int):
            return mark.line + 1
    position = getattr(err, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        return text.count("\n", 0, position) + 1
    return None


def _failing_document(text: str, file: str) -> int | None:
    """When parsing worked and validating raised: the line of the first document whose
    validation raises again."""
    try:
        docs, problems = parse_documents(text, file)
    except Exception:
        return None
    if problems:
        return None
    for doc in docs:
        try:
            validate_manifest(doc.data, doc)
        except Exception:
            return doc.line_of(())
    return None


def manifest_ref(manifest: Manifest) -> ObjectRef:
    """(kind, namespace, name) of the object a manifest applies, as the inventory keys it."""
    info = lookup(str(manifest.obj.get("apiVersion", "")), manifest.kind)
    namespaced = info is None or info.namespaced
    kind = info.kind if info is not None else manifest.kind
    return (kind, (manifest.namespace or "default") if namespaced else "", manifest.name)


@dataclass
class GuardedReport:
    """What `apply_guarded` did: the engine's report, and the objects that raised."""

    report: ApplyReport = field(default_factory=ApplyReport)
    crashed: list[Problem] = field(default_factory=list)
    """Objects whose apply raised, at their line (their file prunes nothing)."""

    def failed(self, source: str) -> bool:
        return any(not o.ok and o.source == source for o in self.report.outcomes) or any(
            p.file == source for p in self.crashed
        )


def apply_guarded(
    cluster: Cluster,
    manifests: Sequence[Manifest],
    *,
    inventory: Inventory,
    prune: Iterable[str],
    user: UserInfo = ADMIN,
) -> GuardedReport:
    """`engine.apply.apply(cluster, manifests, inventory=..., prune=...)`, one object at a
    time so that an object that raises is an error of that object only.

    The order is apply's: every object in turn, then the prune of each source in `prune`
    that had no error, keeping every object visited (so an object moved from one file to
    another is taken over, not pruned and recreated).
    """
    guarded = GuardedReport()
    visited: set[ObjectRef] = set()
    for manifest in manifests:
        try:
            step = apply(cluster, [manifest], inventory=inventory, user=user)
        except Exception as err:
            message = crash_message(err, "apply this object")
            guarded.crashed.append(Problem(manifest.file, manifest.line, message))
            # Never pruned by another file in the same save: it may have moved there.
            visited.add(manifest_ref(manifest))
            continue
        outcomes: list[ApplyOutcome] = step.outcomes
        guarded.report.outcomes.extend(outcomes)
        visited.update(o.ref for o in outcomes)
    for source in prune:
        if guarded.failed(source):
            continue
        try:
            guarded.report.outcomes.extend(
                prune_source(cluster, inventory, source, keep=visited, user=user)
            )
        except Exception as err:
            message = crash_message(err, "prune what this file no longer holds")
            guarded.crashed.append(Problem(source, 0, message))
    return guarded

"""A request body read as kube-apiserver reads it, with the guarded parser.

The body is user input like a manifest file: it is read by engine.manifests.yamldoc (no
recursion, go-yaml's alias rule, keys as strings), never by json.loads or yaml.safe_load,
which raised RecursionError on deep nesting and let an alias bomb through. What cannot be
read is a 400 BadRequest Status in the API server's words
(k8s.io/apiserver/pkg/endpoints/handlers/rest.go, transformDecodeError), and a body over
3 MiB a 413 (limitedReadBody, "Request entity too large: limit is 3145728").
"""

from __future__ import annotations

from engine.api import errors
from engine.manifests.yamldoc import MAX_FILE_BYTES, Problem, parse_documents

YAML_TYPES = ("application/yaml", "application/apply-patch+yaml")

_PREFIXES = ("error parsing JSON: ", "error parsing YAML: ", "error converting YAML to JSON: ")


def decode_body(body: bytes, content_type: str, kind: str | None = None) -> object:
    """The body's data; APIError 400/413 when it cannot be read.

    `kind` is the kind a create or update expects (its refusal names it, as
    transformDecodeError does); None for patches, evictions and reviews.
    """
    if len(body) > MAX_FILE_BYTES:
        raise errors.APIError(
            413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_FILE_BYTES}"
        )
    as_yaml = content_type in YAML_TYPES or body.lstrip()[:1] not in (b"{", b"[")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body[: err.start].count(b"\n") + 1
        problem = Problem("body", line, f"invalid UTF-8 (byte 0x{body[err.start]:02x})")
        raise _refusal(problem, as_yaml, kind, body) from err
    docs, problems = parse_documents(text, "body.yaml" if as_yaml else "body.json")
    if problems:
        raise _refusal(problems[0], as_yaml, kind, body)
    # Like go-yaml's Unmarshal, only the first document of a YAML stream is read.
    return docs[0].data if docs else None


def _refusal(problem: Problem, as_yaml: bool, kind: str | None, body: bytes) -> errors.APIError:
    reason = problem.message
    for prefix in _PREFIXES:
        reason = reason.removeprefix(prefix)
    reason = str(Problem("", 0, reason))[2:]  # control characters escaped, one line
    if as_yaml:
        # sigs.k8s.io/yaml YAMLToJSON over go-yaml ("yaml: line N: ...").
        base = f"error converting YAML to JSON: yaml: line {max(problem.line, 1)}: {reason}"
    else:
        # The JSON serializer's Interpret (k8s.io/apimachinery, serializer/json).
        base = f"couldn't get version/kind; json parse error: {reason}"
    if kind is None:
        return errors.bad_request(base)
    return errors.bad_request(
        f"the object provided is unrecognized (must be of type {kind}): {base} "
        f"({summarize(body, 30)})"
    )


def summarize(data: bytes, max_length: int) -> str:
    """rest.go summarizeData: the start of a JSON object as it is, anything else in hex."""
    if not data:
        return "<empty>"
    if data[:1] == b"{":
        if len(data) > max_length:
            return data[:max_length].decode("utf-8", "replace") + " ..."
        return data.decode("utf-8", "replace")
    if len(data) > max_length:
        return data[:max_length].hex() + " ..."
    return data.hex()

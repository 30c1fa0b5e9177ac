"""`Status` objects: how the API server reports a refused request (and a finished delete).

kubectl reads `reason`, `code`, `message` and `details.causes`; the words are the engine's
APIError messages, so kubectl prints what `podtui sim` prints
(k8s.io/apimachinery/pkg/api/errors, metav1.Status).
"""

from __future__ import annotations

from engine.api.errors import APIError, InvalidError


def status_of(err: APIError, *, kind: str = "", name: str = "", group: str = "") -> dict:
    """A failure `Status` for an APIError (with its causes when it carries any)."""
    if isinstance(err, InvalidError):
        return invalid_status(err)
    body: dict = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": err.message,
        "reason": err.reason,
        "code": err.code,
    }
    details: dict = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    causes = getattr(err, "causes", None)
    if causes:
        details["causes"] = [
            {
                "reason": cause[0],
                "message": cause[1],
                **({"field": cause[2]} if len(cause) > 2 else {}),
            }
            for cause in causes
        ]
    retry = getattr(err, "retry_after_seconds", 0)
    if retry:
        details["retryAfterSeconds"] = retry
    if details:
        body["details"] = details
    return body


def invalid_status(err: InvalidError) -> dict:
    """A 422 as errors.NewInvalid builds it: the API server's message, and details.

    kubectl ignores the message of an Invalid Status that has details: its checkErr
    (kubectl pkg/cmd/util/helpers.go) prints `The <kind> "<name>" is invalid: ` followed
    by `field: message` of each cause, so the causes must carry the field apart
    (apimachinery pkg/api/errors/errors.go, NewInvalid).
    """
    details: dict = {"name": err.name}
    if err.group:
        details["group"] = err.group
    details["kind"] = err.kind
    details["causes"] = [
        {key: value for key, value in cause.items() if value} for cause in err.status_causes
    ]
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": err.status_message,
        "reason": "Invalid",
        "details": details,
        "code": 422,
    }


def success(kind: str, name: str, group: str = "", uid: str = "") -> dict:
    """The `Status` a DELETE answers when the object is gone at once."""
    details: dict = {"name": name, "kind": kind}
    if group:
        details["group"] = group
    if uid:
        details["uid"] = uid
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    }


def unauthorized() -> APIError:
    """401: no bearer token, or not the server's (kubectl: `You must be logged in`)."""
    return APIError(401, "Unauthorized", "Unauthorized")


def not_found_path(path: str) -> APIError:
    """404 for a path no resource is served at (the API server's NotFound handler)."""
    return APIError(404, "NotFound", "the server could not find the requested resource")


def method_not_allowed() -> APIError:
    return APIError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
    )


def expired(resource_version: int, oldest: int) -> APIError:
    """410 Gone: a watch from a resourceVersion older than the history kept."""
    return APIError(410, "Expired", f"too old resource version: {resource_version} ({oldest})")

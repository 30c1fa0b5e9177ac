"""API errors with the status reason and message text the API server returns."""

from __future__ import annotations

import json


class APIError(Exception):
    """A refused request: HTTP code, status reason (`Forbidden`, `NotFound`, ...) and message."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def kubectl(self, verb: str | None = None, source: str | None = None) -> str:
        """The line kubectl prints, e.g. `Error from server (Forbidden): error when creating "x.yaml": ...`."""
        if self.reason == "Invalid":
            return self.message
        context = f'error when {verb} "{source}": ' if verb and source else ""
        return f"Error from server ({self.reason}): {context}{self.message}"


def not_found(resource: str, name: str) -> APIError:
    return APIError(404, "NotFound", f'{resource} "{name}" not found')


def already_exists(resource: str, name: str) -> APIError:
    return APIError(409, "AlreadyExists", f'{resource} "{name}" already exists')


def forbidden(resource: str, name: str, detail: str) -> APIError:
    return APIError(403, "Forbidden", f'{resource} "{name}" is forbidden: {detail}')


# field.ErrorType strings (apimachinery pkg/util/validation/field/errors.go) and the
# metav1.CauseType each one is sent as in a Status's details.causes.
CAUSE_TYPES = {
    "Not found": "FieldValueNotFound",
    "Required value": "FieldValueRequired",
    "Duplicate value": "FieldValueDuplicate",
    "Invalid value": "FieldValueInvalid",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Internal error": "InternalError",
    "Invalid type": "FieldValueTypeInvalid",
}


def aggregate(messages: list[str]) -> str:
    """utilerrors.NewAggregate(errs).Error(): one alone, several as `[a, b]`, repeats once.

    (apimachinery pkg/util/errors/errors.go, aggregate.Error.)
    """
    unique: list[str] = []
    for message in messages:
        if message not in unique:
            unique.append(message)
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


def invalid_message(kind: str, name: str, causes: list[str]) -> str:
    """kubectl's line for a 422: `The Pod "x" is invalid: <cause>`, several causes as `[a, b]`.

    kubectl's checkErr (kubectl pkg/cmd/util/helpers.go) heads the error with
    `The <details.kind> "<details.name>" is invalid`; the causes are joined as the API
    server's aggregate joins them (one line, so a FILE:LINE problem stays one line, where
    kubectl itself would list several causes one per line).
    """
    head = f"The {kind} {_go_quote(name)} is invalid"
    return f"{head}: {aggregate(causes)}" if causes else head


def split_cause(message: str) -> dict:
    """A field error's text as a metav1.StatusCause: {reason, message, field}.

    `spec.containers[1].name: Duplicate value: "c"` -> field `spec.containers[1].name`,
    reason `FieldValueDuplicate`, message `Duplicate value: "c"` (field.Error.ErrorBody).
    """
    for error_type, reason in CAUSE_TYPES.items():
        marker = f": {error_type}"
        at = message.find(marker)
        if at > 0:
            rest = message[at + len(marker) :]
            if not rest or rest.startswith(": "):
                return {"reason": reason, "message": message[at + 2 :], "field": message[:at]}
    return {"reason": "FieldValueInvalid", "message": message, "field": ""}


class InvalidError(APIError):
    """A 422 Invalid with the details a Status carries (errors.NewInvalid).

    `message` is what kubectl prints; `status_message` what the API server puts in the
    Status (`Deployment.apps "web" is invalid: ...`: the kind qualified by its group, no
    `The`), `status_causes` its details.causes.
    """

    def __init__(self, kind: str, name: str, causes: list[str], group: str = "") -> None:
        super().__init__(422, "Invalid", invalid_message(kind, name, causes))
        self.kind = kind
        self.name = name
        self.group = group
        self.cause_messages = list(causes)

    @property
    def status_message(self) -> str:
        """errors.NewInvalid's Message: `%s %q is invalid: %v` over GroupKind.String()."""
        qualified = f"{self.kind}.{self.group}" if self.group else self.kind
        text = f"{qualified} {_go_quote(self.name)} is invalid"
        return f"{text}: {aggregate(self.cause_messages)}" if self.cause_messages else text

    @property
    def status_causes(self) -> list[dict]:
        return [split_cause(message) for message in self.cause_messages]


def invalid(kind: str, name: str, causes: list[str], group: str = "") -> InvalidError:
    """422: `The Pod "x" is invalid: <cause>` (several causes joined as `[a, b]`)."""
    return InvalidError(kind, name, causes, group)


def _go_quote(text: str) -> str:
    """Go's %q of a Kubernetes name (names are printable ASCII, so JSON's quoting agrees)."""
    return json.dumps(text, ensure_ascii=False)


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def too_many_requests(message: str) -> APIError:
    return APIError(429, "TooManyRequests", message)


def conflict(message: str) -> APIError:
    return APIError(409, "Conflict", message)


def internal_error(message: str) -> APIError:
    return APIError(500, "InternalError", message)

"""API errors with the status reason and message text the API server returns."""

from __future__ import annotations


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


def invalid(kind: str, name: str, causes: list[str]) -> APIError:
    """422: `The Pod "x" is invalid: <cause>` (several causes joined as a list)."""
    if len(causes) == 1:
        detail = causes[0]
    else:
        detail = "[" + ", ".join(causes) + "]"
    return APIError(422, "Invalid", f'The {kind} "{name}" is invalid: {detail}')


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def too_many_requests(message: str) -> APIError:
    return APIError(429, "TooManyRequests", message)


def conflict(message: str) -> APIError:
    return APIError(409, "Conflict", message)


def internal_error(message: str) -> APIError:
    return APIError(500, "InternalError", message)

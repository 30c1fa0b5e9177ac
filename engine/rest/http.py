"""The facade's request and response: plain data, no sockets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.api.admission import UserInfo
from engine.rest.encoding import dumps
from engine.rest.logs import LogStream
from engine.rest.watch import WatchStream

JSON = "application/json"


def parse_bool(value: str | None) -> bool:
    """Go's strconv.ParseBool, as the API server reads boolean parameters (`watch=True`)."""
    return (value or "") in ("1", "t", "T", "true", "TRUE", "True")


@dataclass
class Request:
    """One API request: the query's last value per key; header names in any case."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = field(default_factory=dict)
    body: bytes = b""
    user: UserInfo | None = None
    """Who the transport already authenticated (None: the facade reads the bearer token)."""

    def __post_init__(self) -> None:
        pairs = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        self._headers: dict[str, list[str]] = {}
        for name, value in pairs:
            self._headers.setdefault(name.lower(), []).append(value)

    def header(self, name: str, default: str = "") -> str:
        values = self._headers.get(name.lower())
        return values[0] if values else default

    def header_values(self, name: str) -> list[str]:
        return list(self._headers.get(name.lower(), []))

    def param(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)

    @property
    def content_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()


@dataclass
class Response:
    """An answer: a body, or a stream (watch events, followed logs) for the adapter to pump."""

    status: int
    body: bytes = b""
    content_type: str = JSON
    warnings: list[str] = field(default_factory=list)
    watch: WatchStream | None = None
    log: LogStream | None = None
    timeout: float | None = None
    """A watch's timeoutSeconds (wall-clock, as the API server's)."""

    def json(self) -> object:
        return json.loads(self.body)


def json_response(
    status: int, obj: object, content_type: str = JSON, warnings: list[str] | None = None
) -> Response:
    return Response(status, dumps(obj), content_type, list(warnings or []))

"""The REST facade: one API request in, the API server's answer out, with no socket.

`RestFacade(cluster, token=...)` authenticates the bearer token (or takes the user the
transport authenticated), applies impersonation (`kubectl --as/--as-group`), authorizes the
request with the engine's RBAC, routes it (version, health, discovery, OpenAPI, resources
and subresources) and answers with a status, headers and a body, or a watch or log stream
for the adapter to pump. Errors are `Status` objects with the engine's own messages, so
kubectl prints what `podtui sim` prints; warnings travel as a list the adapter writes as
`Warning: 299 - "..."` headers.
"""

from __future__ import annotations

import contextlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.rest import discovery, openapi
from engine.rest.http import JSON, Request, Response, json_response, parse_bool
from engine.rest.resources import Resources
from engine.rest.routes import Route, group_version_of, parse_route
from engine.rest.status import method_not_allowed, not_found_path, status_of, unauthorized
from engine.rest.subresources import Subresources
from engine.rest.watch import WatchHub
from engine.security.rbac.authorizer import forbidden_error
from engine.security.rbac.rules import Attributes

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "podtui",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}
"""What /version reports: the installed kubectl is a dispatcher that picks its binary by
the server's version, so podtui says it is a 1.32 API server."""

# Paths anyone may read (the bootstrap ClusterRole system:public-info-viewer).
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")

_READ_VERBS = {"GET": "get", "HEAD": "get"}


class RestFacade:
    """kube-apiserver's HTTP surface over a simulated cluster."""

    def __init__(
        self,
        cluster: Cluster,
        *,
        token: str | None = None,
        user: UserInfo = ADMIN,
        lock: Any = None,
        server_address: str = "127.0.0.1:6443",
    ) -> None:
        self.cluster = cluster
        self.token = token
        self.token_user = user
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self.server_address = server_address
        with self.lock:
            self.hub = WatchHub(cluster.store, lock=self.lock)
        self.resources = Resources(self)
        self.subresources = Subresources(self.resources)

    def close(self) -> None:
        with self.lock:
            self.hub.close()

    def authorizer(self):
        bootstrap = self.cluster.controllers.get("rbac-bootstrap")
        return getattr(bootstrap, "authorizer", None)

    # -- entry point -------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one request (errors become Status responses; nothing raises)."""
        with self.lock:
            try:
                return self._handle(request)
            except errors.APIError as err:
                return json_response(err.code, status_of(err))
            except Exception as err:
                # A bug must not take the server (or the console beside it) down: the
                # client gets kube-apiserver's 500 with what failed.
                failure = errors.internal_error(f"{type(err).__name__}: {err}")
                return json_response(500, status_of(failure))

    def _authenticate(self, request: Request) -> UserInfo | None:
        if request.user is not None:
            return request.user
        if self.token is None:
            return self.token_user
        header = request.header("authorization")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), self.token):
            return self.token_user
        return None

    def _impersonate(self, request: Request, user: UserInfo) -> UserInfo:
        """Impersonate-User / Impersonate-Group (k8s.io/apiserver/pkg/endpoints/filters/
        impersonation.go): the requester must be allowed to impersonate; the new user is
        authenticated, and a service account gets its groups."""
        name = request.header("impersonate-user")
        groups = request.header_values("impersonate-group")
        if not name and not groups:
            return user
        if not name:
            raise errors.APIError(
                500, "InternalError", "requested [...] without impersonating a user"
            )
        self._authorize(
            user,
            Attributes(user.name, tuple(user.groups), "impersonate", "", "users", "", "", name),
        )
        for group in groups:
            self._authorize(
                user,
                Attributes(
                    user.name, tuple(user.groups), "impersonate", "", "groups", "", "", group
                ),
            )
        if name.startswith("system:serviceaccount:") and not groups:
            parts = name.split(":")
            if len(parts) == 4:
                return UserInfo.service_account(parts[2], parts[3])
        all_groups = [*groups]
        if "system:authenticated" not in all_groups:
            all_groups.append("system:authenticated")
        return UserInfo(name, tuple(all_groups))

    def _authorize(self, user: UserInfo, attrs: Attributes) -> None:
        authorizer = self.authorizer()
        if authorizer is None:
            return
        decision = authorizer.authorize(attrs)
        if not decision.allowed:
            raise forbidden_error(attrs, decision.reason)

    def _handle(self, request: Request) -> Response:
        path = "/" + request.path.strip("/") if request.path != "/" else "/"
        public = path in PUBLIC_PATHS or path.startswith(("/livez/", "/readyz/", "/healthz/"))
        user = self._authenticate(request)
        if user is None:
            if not public:
                raise unauthorized()
            user = UserInfo("system:anonymous", ("system:unauthenticated",))
        else:
            user = self._impersonate(request, user)
        if path == "/version":
            return json_response(200, SERVER_VERSION)
        if public:
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if request.method not in ("GET", "HEAD") and not path.startswith(("/api/", "/apis/")):
            raise method_not_allowed()
        if path.startswith("/openapi/"):
            return self._openapi(path)
        accept = request.header("accept")
        if path in ("/api", "/apis"):
            if discovery.wants_aggregated(accept):
                return json_response(
                    200,
                    discovery.aggregated(legacy=path == "/api"),
                    discovery.AGGREGATED_CONTENT_TYPE,
                )
            if path == "/api":
                return json_response(200, discovery.api_versions(self.server_address))
            return json_response(200, discovery.api_group_list())
        route = parse_route(path)
        if route is None:
            return self._discovery_document(path)
        return self._resource(request, route, user)

    # -- discovery and OpenAPI ---------------------------------------------------------
    def _discovery_document(self, path: str) -> Response:
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "apis":
            for group, versions in discovery.groups():
                if group == parts[1]:
                    return json_response(200, discovery.api_group(group, versions))
        found = group_version_of(path)
        if found is not None and not found[2]:
            document = discovery.api_resource_list(found[0], found[1])
            if document is not None:
                return json_response(200, document)
        raise not_found_path(path)

    def _openapi(self, path: str) -> Response:
        if path == "/openapi/v3":
            return json_response(200, openapi.root())
        if path.startswith("/openapi/v3/"):
            found = group_version_of(path[len("/openapi/v3") :])
            if found is not None and not found[2]:
                text = openapi.document(found[0], found[1])
                if text is not None:
                    return Response(200, text.encode(), JSON)
        # No /openapi/v2: kubectl falls back to its compiled-in types for client-side apply.
        raise not_found_path(path)

    # -- resources ---------------------------------------------------------------------
    def _verb(self, request: Request, route: Route) -> str:
        method = request.method
        if method in ("GET", "HEAD"):
            if route.watch_path or parse_bool(request.param("watch")):
                return "watch"
            return "get" if route.name else "list"
        if method == "POST":
            return "create"
        if method == "PUT":
            return "update"
        if method == "PATCH":
            return "patch"
        if method == "DELETE":
            return "delete" if route.name else "deletecollection"
        raise method_not_allowed()

    def _resource(self, request: Request, route: Route, user: UserInfo) -> Response:
        verb = self._verb(request, route)
        served = route.resource
        subresource = route.subresource
        if subresource and served.subresource(subresource) is None:
            raise not_found_path(request.path)
        # A virtual resource (SelfSubjectAccessReview) authorizes itself: anyone may ask.
        if served.info is not None:
            if verb not in served.verbs or (route.name == "" and verb in ("update", "patch")):
                raise method_not_allowed()
            self._authorize(
                user,
                Attributes(
                    user.name,
                    tuple(user.groups),
                    verb,
                    route.group,
                    served.plural,
                    subresource,
                    route.namespace or "",
                    route.name,
                ),
            )
        warnings: list[str] = []
        if served.info is not None and route.group_version in served.info.deprecated:
            warnings.append(served.info.deprecated[route.group_version])
        response = self._dispatch(request, route, user, verb)
        # The deprecation warning once, whether the engine also gave it (create/update).
        response.warnings = warnings + [w for w in response.warnings if w not in warnings]
        return response

    def _dispatch(self, request: Request, route: Route, user: UserInfo, verb: str) -> Response:
        handlers = self.resources
        if route.resource.info is None:
            if route.resource.kind == "SelfSubjectAccessReview" and verb == "create":
                return self.subresources.access_review(request, user)
            raise method_not_allowed()
        sub = route.subresource
        if sub == "scale":
            return self.subresources.scale(request, route, user)
        if sub == "eviction":
            return self.subresources.eviction(request, route, user)
        if sub == "log":
            return self.subresources.log(request, route)
        if verb == "get":
            return handlers.get(request, route)
        if verb == "list":
            return handlers.list(request, route)
        if verb == "watch":
            return handlers.watch(request, route)
        if verb == "create":
            if route.name:
                raise method_not_allowed()
            return handlers.create(request, route, user)
        if verb == "update":
            return handlers.update(request, route, user)
        if verb == "patch":
            return handlers.patch(request, route, user)
        if verb == "delete":
            return handlers.delete(request, route, user)
        return handlers.delete_collection(request, route, user)


def decode(response: Response) -> Any:
    """The JSON body of a response (tests and the benchmark)."""
    return json.loads(response.body)

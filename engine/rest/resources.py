"""get, list, watch, create, update, patch, delete and deletecollection of one resource,
each the engine call a console key or scenario step makes (the API server, its admission
chain and RBAC), answered as kube-apiserver answers them."""

from __future__ import annotations

import base64
import json
from bisect import bisect_right
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import UserInfo
from engine.disruption.node_pods import node_pod_index
from engine.labels import SelectorError, parse_selector
from engine.manifests.jsonread import load_json
from engine.rest import tables
from engine.rest.body import decode_body
from engine.rest.http import Request, Response, json_response, parse_bool
from engine.rest.managed_fields import record_update, server_side_apply
from engine.rest.patch import APPLY_PATCH, PATCH_TYPES, apply_patch, strategic_merge_patch
from engine.rest.protobuf import PROTOBUF, decode_object
from engine.rest.routes import Route
from engine.rest.selectors import parse_field_selector
from engine.rest.status import expired, status_of, success
from engine.rest.watch import WatchStream

if TYPE_CHECKING:
    from engine.rest.facade import RestFacade

DEFAULT_WATCH_TIMEOUT = 1800.0
"""kube-apiserver's --min-request-timeout: a watch without timeoutSeconds ends after it."""


def as_version(obj: dict, route: Route) -> dict:
    """The object in the group-version the request named (same fields, its apiVersion)."""
    if obj.get("apiVersion") == route.group_version:
        return obj
    return {**obj, "apiVersion": route.group_version}


def _decode_body(request: Request, kind: str | None = None) -> object:
    if not request.body:
        raise errors.bad_request("the body of the request was empty")
    if request.content_type == PROTOBUF:
        raise errors.APIError(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
        )
    return decode_body(request.body, request.content_type, kind)


def _conflict(route: Route, name: str) -> errors.APIError:
    return errors.conflict(
        f'Operation cannot be fulfilled on {route.resource.resource} "{name}": the object has '
        "been modified; please apply your changes to the latest version and try again"
    )


def _encode_continue(rv: int, namespace: str, name: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": [namespace, name]})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _selected(obj: dict, labels, fields) -> bool:
    return (labels.empty() or labels.matches(obj["metadata"].get("labels"))) and (
        fields.empty() or fields.matches(obj)
    )


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        # Read within limits: a hand-made token nested deep is a 400, not a RecursionError.
        data = load_json(base64.urlsafe_b64decode(token.encode()), 8)
        namespace, name = data["start"]
        return str(namespace), str(name)
    except (ValueError, KeyError, TypeError) as err:
        raise errors.bad_request(f"continue key is not valid: {err}") from err


def field_manager(request: Request) -> str:
    """fieldManager, or the User-Agent's product as kube-apiserver defaults it (`kubectl`)."""
    given = request.param("fieldManager")
    if given:
        return given
    agent = request.header("user-agent")
    return agent.split("/")[0] if agent else "unknown"


class Resources:
    """The handlers, bound to one facade (cluster, lock, watch hub)."""

    def __init__(self, facade: RestFacade) -> None:
        self.facade = facade
        self.cluster = facade.cluster

    # -- helpers ---------------------------------------------------------------------------
    def kind(self, route: Route) -> str:
        return route.resource.kind

    def live(self, route: Route, name: str | None = None) -> dict:
        name = route.name if name is None else name
        obj = self.cluster.store.get(self.kind(route), route.namespace or "", name)
        if obj is None:
            raise errors.not_found(route.resource.resource, name)
        return obj

    def _selectors(self, request: Request, route: Route):
        try:
            labels = parse_selector(request.param("labelSelector"))
        except SelectorError as err:
            raise errors.bad_request(f"unable to parse requirement: {err}") from err
        fields = parse_field_selector(request.param("fieldSelector"), self.kind(route))
        return labels, fields

    def _matching(self, request: Request, route: Route) -> list[dict]:
        """Every object the request's namespace and selectors select, in key order."""
        return self._page(request, route, None, 0)[0]

    def _object_response(
        self,
        request: Request,
        route: Route,
        obj: dict,
        status: int = 200,
        warnings: list[str] | None = None,
    ) -> Response:
        if tables.wants_table(request.header("accept")):
            table = tables.table(
                self.kind(route),
                [obj],
                self.cluster.now_datetime(),
                resource_version=obj["metadata"].get("resourceVersion", ""),
                include=request.param("includeObject", "Metadata"),
            )
            return json_response(status, table, tables.TABLE_CONTENT_TYPE, warnings)
        return json_response(status, as_version(obj, route), warnings=warnings)

    # -- reads -----------------------------------------------------------------------------
    def get(self, request: Request, route: Route) -> Response:
        self.facade.hub.activate(self.kind(route))
        return self._object_response(request, route, self.live(route))

    def list(self, request: Request, route: Route) -> Response:
        # A list's resourceVersion is where a watch resumes: keep the kind's history.
        self.facade.hub.activate(self.kind(route))
        rv = str(self.cluster.store.resource_version)
        limit = int(request.param("limit") or 0)
        token = request.param("continue")
        items, more, remaining = self._page(
            request, route, _decode_continue(token) if token else None, limit
        )
        next_token = ""
        if more:
            last = items[-1]["metadata"]
            next_token = _encode_continue(int(rv), last.get("namespace", ""), last["name"])
        if tables.wants_table(request.header("accept")):
            table = tables.table(
                self.kind(route),
                items,
                self.cluster.now_datetime(),
                resource_version=rv,
                continue_token=next_token,
                include=request.param("includeObject", "Metadata"),
            )
            return json_response(200, table, tables.TABLE_CONTENT_TYPE)
        metadata: dict = {"resourceVersion": rv}
        if next_token:
            metadata["continue"] = next_token
            if remaining is not None:
                metadata["remainingItemCount"] = remaining
        body = {
            "kind": f"{self.kind(route)}List",
            "apiVersion": route.group_version,
            "metadata": metadata,
            "items": [as_version(o, route) for o in items],
        }
        return json_response(200, body)

    def _page(
        self, request: Request, route: Route, start: tuple[str, str] | None, limit: int
    ) -> tuple[list[dict], bool, int | None]:
        """The objects of one page in key order after `start`, at most `limit` (0: all);
        whether more follow, and how many (None with a selector: the API server does not
        count what a selector would drop, etcd3/store.go GetList)."""
        labels, fields = self._selectors(request, route)
        kind = self.kind(route)
        store = self.cluster.store
        name = fields.exact_name()
        filtered = not labels.empty() or not fields.empty()
        node = fields.exact("spec.nodeName") if kind == "Pod" else None
        if name is not None and route.namespace is not None:
            found = store.get(kind, route.namespace, name)
            keys = [(route.namespace, name)] if found is not None else []
            lo, hi = 0, len(keys)
        elif node:
            # kubectl drain and describe node: the API server answers from its index on the
            # field (pkg/registry/core/pod/strategy.go NodeNameIndexFunc), not a scan of
            # every pod; the selector still applies in full below.
            keys = node_pod_index(self.cluster).keys_on(node, route.namespace)
            lo, hi = 0, len(keys)
        else:
            keys, lo, hi = self.facade.hub.keys.range(kind, route.namespace)
        if start is not None:
            lo = max(lo, bisect_right(keys, start, lo, hi))
        items: list[dict] = []
        at = lo
        while at < hi and (limit <= 0 or len(items) < limit):
            obj = store.get(kind, *keys[at])
            at += 1
            if obj is not None and (not filtered or _selected(obj, labels, fields)):
                items.append(obj)
        if at >= hi or not items:
            return items, False, None
        if not filtered:
            return items, True, hi - at
        # Another page only if another object matches.
        for key in keys[at:hi]:
            obj = store.get(kind, *key)
            if obj is not None and _selected(obj, labels, fields):
                return items, True, None
        return items, False, None

    def watch(self, request: Request, route: Route) -> Response:
        labels, fields = self._selectors(request, route)
        matches = None
        if not labels.empty() or not fields.empty():

            def matches(obj: dict) -> bool:
                return _selected(obj, labels, fields)

        hub = self.facade.hub
        hub.activate(self.kind(route))
        stream = WatchStream(
            hub,
            self.kind(route),
            namespace=route.namespace,
            matches=matches,
            api_version=route.group_version,
            as_table=tables.wants_table(request.header("accept")),
            include=request.param("includeObject", "Metadata"),
            bookmarks=parse_bool(request.param("allowWatchBookmarks")),
            clock=self.cluster.now_datetime,
        )
        rv_param = request.param("resourceVersion")
        timeout = float(request.param("timeoutSeconds") or DEFAULT_WATCH_TIMEOUT)
        response = Response(200, content_type="application/json", watch=stream, timeout=timeout)
        if rv_param in ("", "0"):
            # No version: the current state as ADDED events, then every change. The keys
            # are taken now; each object is encoded as the adapter sends it (selectors are
            # applied then), so that a large kind streams without stopping the clock.
            kind = self.kind(route)
            keys, lo, hi = hub.keys.range(kind, route.namespace)
            initial = keys if (lo, hi) == (0, len(keys)) else keys[lo:hi]
            name = route.name or fields.exact_name()
            if name:
                initial = [k for k in initial if k[1] == name]
            get = self.cluster.store.get
            stream.start(initial, lambda key: get(kind, *key))
        else:
            try:
                rv = int(rv_param)
            except ValueError as err:
                raise errors.bad_request(f'invalid resource version "{rv_param}"') from err
            history = hub.since(self.kind(route), rv)
            if history is None:
                stream.error(status_of(expired(rv, hub.oldest_resumable(self.kind(route)))))
                stream.closed = True
                return response
            if matches is not None:
                # Which objects matched at the start: those that match now (approximation of
                # the cache's state at `rv`, exact when nothing changed since).
                for obj in self._matching(request, route):
                    stream._matching.add(
                        (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                    )
            stream.replay(history)
        hub.subscribe(stream)
        return response

    # -- writes ----------------------------------------------------------------------------
    def _dry_run(self, request: Request) -> bool:
        return request.param("dryRun") == "All"

    def _prepare_body(self, request: Request, route: Route) -> dict:
        info = route.resource.info
        definition = info.schema.get(route.version) if info is not None else None
        if request.content_type == PROTOBUF and definition:
            body: object = decode_object(
                request.body, definition, route.group_version, self.kind(route)
            )
        else:
            body = _decode_body(request, self.kind(route))
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was not a JSON object")
        body.setdefault("apiVersion", route.group_version)
        body.setdefault("kind", self.kind(route))
        if body.get("kind") != self.kind(route):
            raise errors.bad_request(
                f"the API version in the data ({body.get('apiVersion')}) does not match the expected API version ({route.group_version})"
            )
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if route.namespace is not None:
            given = meta.get("namespace")
            if given and given != route.namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = route.namespace
        return body

    def create(self, request: Request, route: Route, user: UserInfo) -> Response:
        body = self._prepare_body(request, route)
        record_update(None, body, **self._manager(request, route))
        result = self.cluster.api.create(body, user=user, dry_run=self._dry_run(request))
        return self._object_response(request, route, result.obj, 201, result.warnings)

    def _manager(self, request: Request, route: Route, subresource: str = "") -> dict:
        return {
            "manager": field_manager(request),
            "api_version": route.group_version,
            "time": self.cluster.clock.timestamp(),
            "subresource": subresource,
        }

    def update(self, request: Request, route: Route, user: UserInfo) -> Response:
        body = self._prepare_body(request, route)
        meta = body["metadata"]
        if meta.get("name") and meta["name"] != route.name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({route.name})"
            )
        meta["name"] = route.name
        live = self.live(route)
        given = meta.get("resourceVersion")
        if given and given != live["metadata"].get("resourceVersion"):
            raise _conflict(route, route.name)
        record_update(
            as_version(live, route), body, **self._manager(request, route, route.subresource)
        )
        result = self.cluster.api.update(
            body, user=user, subresource=route.subresource, dry_run=self._dry_run(request)
        )
        return self._object_response(request, route, result.obj, 200, result.warnings)

    def patch(self, request: Request, route: Route, user: UserInfo) -> Response:
        content_type = request.content_type
        if content_type not in PATCH_TYPES:
            raise errors.APIError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_TYPES)}",
            )
        patch = _decode_body(request)
        existing = self.cluster.store.get(self.kind(route), route.namespace or "", route.name)
        if existing is None:
            if content_type == APPLY_PATCH and isinstance(patch, dict):
                # Server-side apply of an object that does not exist creates it.
                patch.setdefault("metadata", {}).setdefault("name", route.name)
                if route.namespace is not None:
                    patch["metadata"]["namespace"] = route.namespace
                created = self._apply({}, patch, request, route)
                result = self.cluster.api.create(created, user=user, dry_run=self._dry_run(request))
                return self._object_response(request, route, result.obj, 201, result.warnings)
            raise errors.not_found(route.resource.resource, route.name)
        target = json.loads(json.dumps(as_version(existing, route)))
        if content_type == APPLY_PATCH and isinstance(patch, dict):
            patched = self._apply(target, patch, request, route)
        else:
            patched = apply_patch(content_type, target, patch)
            record_update(target, patched, **self._manager(request, route, route.subresource))
        meta = patched.setdefault("metadata", {})
        if meta.get("name", route.name) != route.name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        meta["name"] = route.name
        if route.namespace is not None:
            meta["namespace"] = route.namespace
        given = meta.get("resourceVersion")
        if given and given != existing["metadata"].get("resourceVersion"):
            raise _conflict(route, route.name)
        result = self.cluster.api.update(
            patched, user=user, subresource=route.subresource, dry_run=self._dry_run(request)
        )
        return self._object_response(request, route, result.obj, 200, result.warnings)

    def _apply(self, live: dict, config: dict, request: Request, route: Route) -> dict:
        """Server-side apply: field managers, conflicts (409 unless force), removals."""
        manager = request.param("fieldManager")
        if not manager:
            raise errors.APIError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
            )
        merged = strategic_merge_patch(live, config)
        return server_side_apply(
            live,
            config,
            merged,
            manager=manager,
            api_version=route.group_version,
            time=self.cluster.clock.timestamp(),
            force=parse_bool(request.param("force")),
        )

    def _delete_options(self, request: Request) -> dict:
        options: dict = {}
        if request.body:
            body = _decode_body(request)
            if isinstance(body, dict):
                options = body
        if request.param("gracePeriodSeconds"):
            options["gracePeriodSeconds"] = int(request.param("gracePeriodSeconds"))
        if request.param("propagationPolicy"):
            options["propagationPolicy"] = request.param("propagationPolicy")
        if request.param("dryRun") == "All":
            options["dryRun"] = ["All"]
        return options

    def _delete_one(self, route: Route, name: str, options: dict, user: UserInfo) -> dict | None:
        live = self.live(route, name)
        preconditions = options.get("preconditions") or {}
        rv = preconditions.get("resourceVersion")
        if rv and rv != live["metadata"].get("resourceVersion"):
            raise errors.conflict(
                f'Operation cannot be fulfilled on {route.resource.resource} "{name}": Precondition failed: '
                f"ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {live['metadata'].get('resourceVersion')}"
            )
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        return self.cluster.api.delete(
            route.resource.info or self.kind(route),
            route.namespace or "",
            name,
            grace_period=options.get("gracePeriodSeconds"),
            propagation=policy,
            user=user,
            uid=preconditions.get("uid"),
            dry_run="All" in (options.get("dryRun") or []),
            # The URL's group/version picks the default policy (the legacy apps groups orphan).
            api_version=route.group_version,
        )

    def delete(self, request: Request, route: Route, user: UserInfo) -> Response:
        options = self._delete_options(request)
        live = self.live(route)
        uid = live["metadata"].get("uid", "")
        remaining = self._delete_one(route, route.name, options, user)
        if remaining is not None:
            # Still there (graceful deletion, finalizers): the API server returns the object.
            return json_response(200, as_version(remaining, route))
        return json_response(200, success(route.resource.plural, route.name, route.group, uid))

    def delete_collection(self, request: Request, route: Route, user: UserInfo) -> Response:
        options = self._delete_options(request)
        deleted = []
        for obj in self._matching(request, route):
            self._delete_one(route, obj["metadata"]["name"], options, user)
            deleted.append(as_version(obj, route))
        body = {
            "kind": f"{self.kind(route)}List",
            "apiVersion": route.group_version,
            "metadata": {"resourceVersion": str(self.cluster.store.resource_version)},
            "items": deleted,
        }
        return json_response(200, body)

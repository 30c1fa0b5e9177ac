"""Subresources: `scale` (autoscaling/v1 Scale), `status`, `eviction` (policy/v1 Eviction,
the engine's Eviction API), `log`, and the SelfSubjectAccessReview `kubectl auth can-i`
creates."""

from __future__ import annotations

import json

from engine.api import errors
from engine.api.admission import UserInfo
from engine.labels import label_selector_as_selector
from engine.rest.http import Request, Response, json_response, parse_bool
from engine.rest.logs import LogStream, read_logs
from engine.rest.managed_fields import record_update
from engine.rest.patch import PATCH_TYPES, apply_patch
from engine.rest.protobuf import PROTOBUF, self_subject_access_review
from engine.rest.resources import Resources, _decode_body
from engine.rest.routes import Route
from engine.rest.status import method_not_allowed
from engine.security.rbac.rules import Attributes


def scale_of(obj: dict) -> dict:
    """autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet (registry ScaleREST)."""
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    selector = ""
    if spec.get("selector") is not None:
        selector = str(label_selector_as_selector(spec.get("selector")))
    scale_meta = {
        k: meta[k]
        for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
        if k in meta
    }
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": status.get("replicas", 0), "selector": selector},
    }


class Subresources:
    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.cluster = resources.cluster

    # -- scale -----------------------------------------------------------------------------
    def scale(self, request: Request, route: Route, user: UserInfo) -> Response:
        live = self.resources.live(route)
        if request.method == "GET":
            return json_response(200, scale_of(live))
        current = scale_of(live)
        if request.method == "PUT":
            wanted = _decode_body(request)
        else:
            if request.content_type not in PATCH_TYPES:
                raise errors.APIError(415, "UnsupportedMediaType", "unsupported patch type")
            wanted = apply_patch(request.content_type, current, _decode_body(request))
        if not isinstance(wanted, dict):
            raise errors.bad_request("the body of the request was not a Scale")
        given = (wanted.get("metadata") or {}).get("resourceVersion")
        if given and given != live["metadata"].get("resourceVersion"):
            raise errors.conflict(
                f'Operation cannot be fulfilled on {route.resource.resource} "{route.name}": the object has been modified; please apply your changes to the latest version and try again'
            )
        replicas = (wanted.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            raise errors.bad_request("spec.replicas must be an integer")
        if replicas < 0:
            raise errors.invalid(
                "Scale",
                route.name,
                [f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"],
            )
        updated = json.loads(json.dumps(live))
        updated["spec"]["replicas"] = replicas
        record_update(live, updated, **self.resources._manager(request, route, "scale"))
        result = self.cluster.api.update(updated, user=user, subresource="scale")
        return json_response(200, scale_of(result.obj), warnings=result.warnings)

    # -- eviction --------------------------------------------------------------------------
    def eviction(self, request: Request, route: Route, user: UserInfo) -> Response:
        from engine.disruption.eviction import evict

        if request.method != "POST":
            raise method_not_allowed()
        body = _decode_body(request) if request.body else {}
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was not an Eviction")
        name = (body.get("metadata") or {}).get("name") or route.name
        if name != route.name:
            raise errors.bad_request("name in URL does not match name in Eviction object")
        options = body.get("deleteOptions") or {}
        evict(
            self.cluster,
            route.name,
            route.namespace or "default",
            grace_period=options.get("gracePeriodSeconds"),
            dry_run="All" in (options.get("dryRun") or []),
            user=user,
        )
        return json_response(
            201,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "code": 201,
            },
        )

    # -- log -------------------------------------------------------------------------------
    def log(self, request: Request, route: Route) -> Response:
        tail = request.param("tailLines")
        text, source = read_logs(
            self.cluster,
            route.namespace or "default",
            route.name,
            container=request.param("container"),
            previous=parse_bool(request.param("previous")),
            tail_lines=int(tail) if tail else None,
            timestamps=parse_bool(request.param("timestamps")),
        )
        response = Response(200, text.encode(), "text/plain")
        if parse_bool(request.param("follow")) and source is not None:
            response.log = LogStream(source, self.resources.facade.lock)
        return response

    # -- auth can-i ------------------------------------------------------------------------
    def access_review(self, request: Request, user: UserInfo) -> Response:
        if request.content_type == PROTOBUF:
            body: object = self_subject_access_review(request.body)
        else:
            body = _decode_body(request)
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was not a SelfSubjectAccessReview")
        spec = body.get("spec") or {}
        attrs = spec.get("resourceAttributes")
        authorizer = self.resources.facade.authorizer()
        allowed, reason = True, ""
        if attrs is not None and authorizer is not None:
            decision = authorizer.authorize(
                Attributes(
                    user.name,
                    tuple(user.groups),
                    attrs.get("verb", ""),
                    attrs.get("group", ""),
                    attrs.get("resource", ""),
                    attrs.get("subresource", ""),
                    attrs.get("namespace", ""),
                    attrs.get("name", ""),
                )
            )
            allowed, reason = decision.allowed, decision.reason
        elif attrs is None:
            # Non-resource URLs (/healthz, /logs): the bootstrap roles let everyone read the
            # health and version endpoints; the rest is the superuser's.
            path = (spec.get("nonResourceAttributes") or {}).get("path", "")
            allowed = "system:masters" in user.groups or path in (
                "/healthz",
                "/livez",
                "/readyz",
                "/version",
                "/version/",
            )
        status: dict = {"allowed": allowed}
        if reason:
            status["reason"] = reason
        out = {
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "spec": spec,
            "status": status,
        }
        return json_response(201, out)

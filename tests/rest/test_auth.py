"""Authentication (bearer token), impersonation and RBAC on every request."""

from __future__ import annotations

import pytest

from engine.api import errors
from engine.api.admission import UserInfo
from engine.rest.protobuf import MAGIC
from tests.engine.simulation import cluster_with
from tests.rest.helpers import WEB, Client, client_with

RBAC = (
    WEB
    + """
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane-edit, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: User, apiGroup: rbac.authorization.k8s.io, name: jane}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: restricted}
spec:
  privileged: false
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  runAsUser: {rule: MustRunAsNonRoot}
  fsGroup: {rule: RunAsAny}
  volumes: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-restricted}
rules:
- {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [restricted]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane-psp, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}
subjects:
- {kind: User, apiGroup: rbac.authorization.k8s.io, name: jane}
"""
)

JANE = [("Impersonate-User", "jane")]
PRIVILEGED_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "root", "namespace": "default"},
    "spec": {
        "containers": [
            {"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": True}}
        ]
    },
}


@pytest.fixture(scope="module")
def client():
    return client_with(RBAC, until=3)


def test_a_request_without_token_is_401_unauthorized(client):
    # kubectl prints `error: You must be logged in to the server (Unauthorized)`.
    response = client.get("/api/v1/pods", token=None)
    assert response.status == 401
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_a_wrong_token_is_401(client):
    assert client.get("/api/v1/pods", token="guess").status == 401
    assert client.get("/apis", token="guess").status == 401


def test_version_and_health_are_public(client):
    # system:public-info-viewer lets anyone read them.
    assert client.get("/version", token=None).status == 200
    assert client.get("/healthz", token=None).status == 200


def test_the_token_user_is_a_cluster_admin(client):
    assert client.get("/api/v1/namespaces/kube-system/pods").status == 200


def test_impersonated_user_is_authorized_by_rbac(client):
    # pkg/endpoints/filters/impersonation.go then the RBAC authorizer.
    assert client.get("/api/v1/namespaces/default/pods", headers=JANE).status == 200
    response = client.get("/api/v1/namespaces/kube-system/pods", headers=JANE)
    assert response.status == 403
    body = response.json()
    assert body["reason"] == "Forbidden"
    assert body["message"] == (
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" '
        'in the namespace "kube-system"'
    )


def test_impersonated_group_grants_what_the_group_may(client):
    headers = [("Impersonate-User", "someone"), ("Impersonate-Group", "system:masters")]
    assert client.get("/api/v1/namespaces/kube-system/pods", headers=headers).status == 200


def test_a_user_who_may_not_impersonate_is_refused():
    cluster = cluster_with(WEB)
    bob = Client(cluster, user=UserInfo("bob", ("system:authenticated",)))
    response = bob.get("/api/v1/pods", headers=JANE)
    assert response.status == 403
    assert response.json()["message"] == (
        'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope'
    )


def test_pod_security_policy_refusal_as_another_user_has_the_engine_message(client):
    # The same words `podtui sim --as jane` prints (the admission chain's APIError).
    response = client.request(
        "POST", "/api/v1/namespaces/default/pods", PRIVILEGED_POD, headers=JANE
    )
    assert response.status == 403
    with pytest.raises(errors.APIError) as raised:
        client.cluster.api.create(PRIVILEGED_POD, user=UserInfo("jane", ("system:authenticated",)))
    assert response.json()["message"] == raised.value.message
    assert "PodSecurityPolicy: unable to admit pod" in raised.value.message


def _review(resource: str, verb: str, namespace: str) -> dict:
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "spec": {
            "resourceAttributes": {"namespace": namespace, "verb": verb, "resource": resource}
        },
    }


def test_auth_can_i_as_json(client):
    path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    yes = client.request("POST", path, _review("pods", "create", "default"), headers=JANE).json()
    assert yes["status"]["allowed"] is True
    no = client.request("POST", path, _review("pods", "create", "kube-system"), headers=JANE).json()
    assert no["status"]["allowed"] is False


def _field(number: int, payload: bytes) -> bytes:
    return bytes([(number << 3) | 2, len(payload)]) + payload


def test_auth_can_i_protobuf_body(client):
    # kubectl's typed authorization client sends application/vnd.kubernetes.protobuf.
    attributes = _field(1, b"kube-system") + _field(2, b"list") + _field(5, b"pods")
    raw = _field(2, _field(1, attributes))
    type_meta = _field(1, b"authorization.k8s.io/v1") + _field(2, b"SelfSubjectAccessReview")
    body = MAGIC + _field(1, type_meta) + _field(2, raw)
    path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    response = client.request(
        "POST", path, body, headers=JANE, content_type="application/vnd.kubernetes.protobuf"
    )
    assert response.status == 201
    review = response.json()
    assert review["spec"]["resourceAttributes"] == {
        "namespace": "kube-system",
        "verb": "list",
        "resource": "pods",
    }
    assert review["status"]["allowed"] is False

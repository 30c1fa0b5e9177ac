"""`kubectl rollout undo` of StatefulSets and DaemonSets over the network: the
ControllerRevisions the served cluster keeps, kubectl's choice of revision, its skip and
error words (kubectl pkg/polymorphichelpers/rollback.go)."""

from __future__ import annotations

from engine.workloads import actions
from tests.backends.conftest import backend_for
from tests.engine.workloads.helpers import cluster_with, get, workload
from tests.engine.workloads.test_rollback import image, revisions, run_until, settled


def _rolled(kind: str, name: str, count: int):
    """A cluster whose workload went nginx:1.27 -> 1.28 (revisions 1 and 2)."""
    extra = {"replicas": count} if kind == "StatefulSet" else {}
    cluster = cluster_with(workload(kind, name, **extra))
    run_until(cluster, lambda: settled(cluster, name, "nginx:1.27", count))
    actions.set_image(cluster, f"{kind.lower()}/{name}", "nginx:1.28")
    run_until(cluster, lambda: settled(cluster, name, "nginx:1.28", count))
    return cluster


async def test_podtui_serve_serves_controller_revisions(tmp_path):
    cluster = _rolled("StatefulSet", "db", 1)
    async with backend_for(cluster, tmp_path) as (_server, backend):
        listing = await backend.client.request(
            "GET", "/apis/apps/v1/namespaces/default/controllerrevisions"
        )
    assert sorted(r["revision"] for r in listing["items"]) == [1, 2]
    assert listing["items"][0]["kind"] == "ControllerRevision"


async def test_statefulset_rollout_undo_patches_in_the_previous_revision(tmp_path):
    # statefulSetRollbacker: findHistory's second newest, its data as a strategic merge patch.
    cluster = _rolled("StatefulSet", "db", 2)
    async with backend_for(cluster, tmp_path) as (_server, backend):
        result = await backend.rollout_undo("statefulset/db")
    assert (result.lines, result.errors) == (["statefulset.apps/db rolled back"], [])
    assert image(get(cluster, "StatefulSet", "db")) == "nginx:1.27"
    run_until(cluster, lambda: settled(cluster, "db", "nginx:1.27", 2))
    # The controller re-uses revision 1's ControllerRevision under number 3, as in process.
    assert sorted(revisions(cluster, "StatefulSet/db")) == [2, 3]


async def test_daemonset_rollout_undo_to_a_named_revision(tmp_path):
    # daemonSetRollbacker with --to-revision.
    cluster = _rolled("DaemonSet", "agent", 3)
    actions.set_image(cluster, "daemonset/agent", "nginx:1.29")
    run_until(cluster, lambda: settled(cluster, "agent", "nginx:1.29", 3))
    async with backend_for(cluster, tmp_path) as (_server, backend):
        result = await backend.rollout_undo("daemonset/agent", to_revision=1)
    assert (result.lines, result.errors) == (["daemonset.apps/agent rolled back"], [])
    assert image(get(cluster, "DaemonSet", "agent")) == "nginx:1.27"


async def test_rollout_undo_skips_a_revision_the_template_already_matches(tmp_path):
    # rollback.go: "skipped rollback (current template already matches revision N)", with
    # the revision asked for.
    cluster = _rolled("DaemonSet", "agent", 3)
    async with backend_for(cluster, tmp_path) as (_server, backend):
        result = await backend.rollout_undo("daemonset/agent", to_revision=2)
    assert result.lines == [
        "daemonset.apps/agent skipped rollback (current template already matches revision 2)"
    ]
    assert image(get(cluster, "DaemonSet", "agent")) == "nginx:1.28"


async def test_rollout_undo_without_history_says_what_kubectl_says(tmp_path):
    # rollback.go: "no last revision to roll back to" with one revision, revisionNotFoundErr
    # for a revision not in the history (and for a negative one); the engine says the same.
    cluster = cluster_with(workload("StatefulSet", "db", replicas=1))
    cluster.run_until(5)
    async with backend_for(cluster, tmp_path) as (_server, backend):
        none = await backend.rollout_undo("statefulset/db")
        missing = await backend.rollout_undo("statefulset/db", to_revision=4)
        negative = await backend.rollout_undo("statefulset/db", to_revision=-1)
        not_rollbackable = await backend.rollout_undo("job/db")
    assert none.errors == ["error: no last revision to roll back to"]
    assert missing.errors == ["error: unable to find specified revision 4 in history"]
    assert negative.errors == ["error: unable to find specified revision -1 in history"]
    for over_network, target, revision in (
        (none, "statefulset/db", 0),
        (missing, "statefulset/db", 4),
    ):
        in_process = actions.rollout_undo(cluster, target, to_revision=revision)
        assert over_network.errors == in_process.errors
    assert not_rollbackable.errors == ['error: no rollbacker has been implemented for "Job.batch"']


async def test_deployment_rollout_undo_without_history_names_the_deployment(served):
    # DeploymentRollbacker deploymentRevision: `no rollout history found for deployment "web"`.
    _cluster, _server, backend = served
    result = await backend.rollout_undo("deployment/web")
    assert result.errors == ['error: no rollout history found for deployment "web"']

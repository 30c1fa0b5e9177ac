"""The Nodes pane's PODS, CPU, MEM: the node's non-terminated pods and their requests
against allocatable, as `kubectl describe node` sums them (describeNodeResource in
k8s.io/kubectl/pkg/describe/describe.go); `kubectl get nodes` (and `podtui sim`) keeps
kubectl's own columns."""

from __future__ import annotations

import re

from engine.describe.node import describe_node, node_allocation, pods_by_node
from engine.output import render_tables
from tests.tui.k9s.conftest import sample_app, sample_session


def describe_totals(text: str) -> tuple[str, str, str]:
    pods = re.search(r"Non-terminated Pods:\s+\((\d+) in total\)", text).group(1)
    cpu = re.search(r"^\s+cpu\s+(\S+ \(\d+%\))", text, re.M).group(1)
    memory = re.search(r"^\s+memory\s+(\S+ \(\d+%\))", text, re.M).group(1)
    return pods, cpu, memory


class TestAllocation:
    def test_requests_against_allocatable_match_describe_node(self) -> None:
        session = sample_session(ticks=30)
        cluster = session.cluster
        by_node = pods_by_node(cluster.store.iter("Pod"))
        for node in cluster.store.list("Node"):
            allocation = node_allocation(node, by_node.get(node["metadata"]["name"], []))
            pods, cpu, memory = describe_totals(describe_node(cluster, node))
            assert allocation.pods == f"{pods}/110"
            assert (allocation.cpu, allocation.memory) == (cpu, memory)

    def test_kubectl_get_nodes_keeps_kubectls_columns(self) -> None:
        cluster = sample_session().cluster
        text = render_tables(
            cluster.store.list("Node"), cluster.now_datetime(), wide=False, all_namespaces=False
        )
        assert text.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]


class TestTheNodesPane:
    async def test_pods_cpu_mem_columns_follow_the_pods(self) -> None:
        app = sample_app(ticks=20)
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.press("3")
            table = app.main_screen.table
            assert table.columns == (
                "NAME",
                "STATUS",
                "ROLES",
                "AGE",
                "VERSION",
                "PODS",
                "CPU",
                "MEM",
            )
            cluster = app.session.cluster
            node = "node-3"
            bound = [
                p
                for p in cluster.store.list("Pod")
                if p["spec"].get("nodeName") == node
                and p["status"].get("phase") not in ("Succeeded", "Failed")
            ]
            row = table.get_row(node)
            assert row.cells[5] == f"{len(bound)}/110"
            # a bare pod (no controller to replace it) deleted at once: the count follows
            bound.sort(key=lambda p: bool(p["metadata"].get("ownerReferences")))
            await pilot.press(
                ":", *f"delete pod {bound[0]['metadata']['name']} --force --grace-period=0", "enter"
            )
            await pilot.pause()
            app.advance(1)
            await pilot.pause()
            assert table.get_row(node).cells[5] == f"{len(bound) - 1}/110"

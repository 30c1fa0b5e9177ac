"""What a k9s user reaches for: ctrl+a / `:aliases`, `:ctx`, `:ns` (the Namespaces view,
enter picks one), `0` (every namespace, kube-system included)."""

from __future__ import annotations

from engine.api.admission import ADMIN
from engine.api.kinds import all_kinds
from podtui.app.screens.listing import ListingScreen
from tests.tui.conftest import enter_command
from tests.tui.k9s.conftest import sample_app

SIZE = (140, 42)


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


def listing_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#listing-table")
    return {
        str(row_key.value): [str(cell) for cell in table.get_row(row_key)] for row_key in table.rows
    }


class TestAliases:
    async def test_ctrl_a_lists_every_kind_with_its_short_names_and_enter_opens_it(self) -> None:
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+a")
            await pilot.pause()
            assert isinstance(app.screen, ListingScreen)
            rows = listing_rows(app)
            assert set(rows) >= {info.kind for info in all_kinds()}
            assert rows["Deployment"] == [
                "deployments",
                "deploy",
                "apps/v1",
                "true",
                "Deployment",
                "deployment,dp",
            ]
            assert rows["Node"][:4] == ["nodes", "no", "v1", "false"]
            table = app.screen.query_one("#listing-table")
            table.move_cursor(row=list(rows).index("StatefulSet"))
            await pilot.press("enter")
            await pilot.pause()
            assert app.main_screen.kind == "StatefulSet" and app.screen is app.main_screen

    async def test_colon_aliases_opens_the_same_list(self) -> None:
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await run(pilot, "aliases")
            assert isinstance(app.screen, ListingScreen)
            assert "Pod" in listing_rows(app)


class TestContexts:
    async def test_ctx_shows_the_simulated_cluster(self) -> None:
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await run(pilot, "ctx")
            assert isinstance(app.screen, ListingScreen)
            assert listing_rows(app) == {
                "podtui": [
                    "*",
                    "podtui",
                    "podtui (simulated: 3 nodes, seed 0)",
                    "kubernetes-admin",
                    "default",
                ]
            }
            await pilot.press("escape")
            await run(pilot, "ctx prod")
            assert 'error: no context exists with the name: "prod"' in app.transcript


class TestNamespaces:
    async def test_ns_opens_the_namespaces_view_and_enter_picks_one(self) -> None:
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await run(pilot, "ns")
            screen = app.main_screen
            assert screen.kind == "Namespace"
            assert screen.table.move_cursor_to_key("psp-demo")
            await pilot.press("enter")
            await pilot.pause()
            assert (screen.kind, screen.namespace) == ("Pod", "psp-demo")
            assert screen.table.visible_keys() == [
                f"psp-demo/{p['metadata']['name']}"
                for p in app.session.cluster.store.list("Pod", "psp-demo")
            ]

    async def test_0_shows_kube_systems_pods_where_there_are_any(self) -> None:
        app = sample_app()
        app.session.cluster.api.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "coredns", "namespace": "kube-system"},
                "spec": {"containers": [{"name": "coredns", "image": "coredns/coredns:1.11.1"}]},
            },
            user=ADMIN,
        )
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("0")
            await pilot.pause()
            assert "kube-system/coredns" in app.main_screen.table.visible_keys()

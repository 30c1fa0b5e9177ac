"""`:KIND` for any kind kubectl knows: a pane, and a line saying why it is empty.

kubectl's resource names come from the engine's kinds registry (a kind a package
registers) and, for the kinds no package simulates yet, from engine.api.resources; so a
kind such as Service gets its pane from `:svc` now, and its rows as soon as a package
registers it, with no change in the console.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from engine.api import kinds
from engine.api.kinds import KindInfo, kind_info
from engine.api.resources import RESOURCES
from tests.tui.conftest import TERMINAL, enter_command, make_app

UNSIMULATED = [
    (name, kind)
    for kind, (plural, shorts) in RESOURCES.items()
    if kind_info(kind) is None
    for name in (plural, *shorts)
]
"""Every kubectl name of every kind this build does not simulate (`svc`, `services`...)."""


def empty_state(app) -> Static:
    return app.main_screen.query_one("#empty-state", Static)


@pytest.mark.parametrize(("typed", "kind"), UNSIMULATED)
async def test_a_kind_no_package_simulates_opens_its_pane_saying_so(typed: str, kind: str) -> None:
    app = make_app()
    async with app.run_test(size=TERMINAL) as pilot:
        await enter_command(pilot, typed)
        assert not any("unknown command" in line for line in app.transcript)
        assert app.main_screen.kind == kind
        empty = empty_state(app)
        assert empty.display
        assert "are not simulated yet" in str(empty.render())
        assert not app.main_screen.table.display


async def test_once_a_package_registers_the_kind_its_pane_is_a_table(monkeypatch) -> None:
    if kind_info("Service") is None:
        info = KindInfo("Service", "", ("v1",), "services", short_names=("svc",))
        monkeypatch.setitem(kinds._KINDS, "Service", info)
    app = make_app()
    async with app.run_test(size=TERMINAL) as pilot:
        await enter_command(pilot, "svc")
        assert app.main_screen.kind == "Service"
        assert not empty_state(app).display
        table = app.main_screen.table
        assert table.display
        if not app.session.cluster.store.list("Service", "default"):
            assert table.empty_message == "No resources found in default namespace."


async def test_a_name_that_is_no_kind_is_still_an_unknown_command() -> None:
    app = make_app()
    async with app.run_test(size=TERMINAL) as pilot:
        await enter_command(pilot, "frobnicate")
        assert 'error: unknown command "frobnicate" for "kubectl"' in app.transcript

"""The console over the bundled sample cluster, as `podtui` opens it (paused)."""

from __future__ import annotations

from engine.sim import load_inputs
from podtui.app.app import PodtuiApp
from podtui.app.session import Session
from podtui.bundled import sample_manifests

SAMPLE_MANIFESTS = sample_manifests()


def sample_session(ticks: int = 0) -> Session:
    """The sample applied at t=0 (its admission refusals are on purpose), `ticks` in."""
    inputs = load_inputs([str(SAMPLE_MANIFESTS)])
    assert not inputs.problems
    session, _ = Session.boot(inputs.manifests, base_dir=SAMPLE_MANIFESTS)
    session.watched = [SAMPLE_MANIFESTS]
    session.advance(ticks)
    return session


def sample_app(ticks: int = 0) -> PodtuiApp:
    return PodtuiApp(sample_session(ticks), paused=True)

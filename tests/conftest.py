"""Shared pytest options and the hypothesis profiles."""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import HealthCheck, settings

# Property and fuzz tests draw their example counts from a profile rather than hard-coding
# them: a quick one for the edit-test loop, a thorough one in CI (.ci/run runs with CI=true),
# where examples are derandomized so that a landing never hangs on a lucky draw. Pick one
# explicitly with HYPOTHESIS_PROFILE=dev|ci|thorough.
settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject's addopts): two workers per core. A console test spends much of
    its time waiting for the app to go idle, and a second worker on the core fills those
    waits: on two idle cores the suite took 172 s with two workers and 120 s with four."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cpus or 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden from the current output",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def _share_parsed_css() -> None:
    """Parse each piece of Textual CSS once per test process, not once per app.

    Textual keeps parsed CSS in a cache that belongs to one app's stylesheet, so every test
    that starts the console re-tokenized the CSS of every widget (a sixth of an app's start).
    The parse is a pure function of the CSS text, where it was read from, its flags and the
    theme's variables, and textual already hands the same parsed rules to every later parse
    of one stylesheet, so sharing them between apps changes nothing but the time.
    """
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    shared: dict[tuple, list] = {}

    def shared_parse_rules(
        self: Stylesheet,
        css: str,
        read_from: tuple[str, str],
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list:
        key = (
            css,
            read_from,
            is_default_rules,
            tie_breaker,
            scope,
            tuple(sorted(self._variables.items())),
        )
        rules = shared.get(key)
        if rules is None:
            rules = shared[key] = parse_rules(
                self, css, read_from, is_default_rules, tie_breaker, scope
            )
        return rules

    Stylesheet._parse_rules = shared_parse_rules  # type: ignore[method-assign]


_share_parsed_css()


def _read_published_schemas_once() -> None:
    """kubernetes_validate reads and decodes two JSON schema files from disk (one of them the
    1.3 MB definitions file) for every object it validates; the files never change during a
    run, so each is decoded once per test process. Validation itself is untouched."""
    try:
        from kubernetes_validate import utils
    except ImportError:
        return
    utils.schema_contents = functools.cache(utils.schema_contents)
    # validate() only reads the list of versions, so one list can serve every call.
    utils.all_versions = functools.cache(utils.all_versions)


_read_published_schemas_once()
